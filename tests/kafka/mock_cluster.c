/* A Kafka cluster for the tests: librdkafka's mock cluster (a real Kafka protocol broker, in memory) with 3
 * brokers on 127.0.0.1 and one topic.
 *
 * usage: mock_cluster TOPIC PARTITIONS
 * Prints the bootstrap address on a line of its own, then reads commands on standard input, one a line, and
 * answers each with "ok" (or "error: ..."): "down ID" and "up ID" take broker ID (1 to 3) down and bring it back.
 * Exits when standard input closes, or on SIGINT or SIGTERM. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BROKERS = 3 };

static void on_signal(int sig)
{
    (void)sig;
    /* fgets returns, interrupted: the loop ends and the cluster is destroyed. */
}

static int command(rd_kafka_mock_cluster_t *mc, const char *line)
{
    char verb[16];
    int id;
    if (sscanf(line, "%15s %d", verb, &id) != 2 || id < 1 || id > BROKERS)
        return -1;
    if (strcmp(verb, "down") == 0)
        return rd_kafka_mock_broker_set_down(mc, id) ? -1 : 0;
    if (strcmp(verb, "up") == 0)
        return rd_kafka_mock_broker_set_up(mc, id) ? -1 : 0;
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mock_cluster TOPIC PARTITIONS\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The handle only hosts the cluster: its notice that it has no brokers of its own is noise. */
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "mock_cluster: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, BROKERS);
    if (!mc || rd_kafka_mock_topic_create(mc, argv[1], atoi(argv[2]), BROKERS)) {
        fprintf(stderr, "mock_cluster: cannot start the cluster or create topic %s\n", argv[1]);
        return 1;
    }
    for (int p = 0; p < atoi(argv[2]); p++)
        rd_kafka_mock_partition_set_leader(mc, argv[1], p, p % BROKERS + 1);
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);

    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (command(mc, line) == 0)
            printf("ok\n");
        else
            printf("error: %s", line);
        fflush(stdout);
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
