/* The Kafka producer: each flow encoded as its JSON line on the caller's thread and handed to librdkafka, whose
 * bounded queue and threads of its own do the sending; delivery reports are served on the caller's thread. */
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "export/format.h"
#include "export/kafka/kafka.h"
#include "export/text_buffer.h"
#include "util/alloc.h"
#include "util/error.h"

struct nfc_kafka {
    const struct nfc_engine *eng;
    const struct nfc_column *columns;
    size_t n_columns;
    bool keyed;
    size_t key_column;
    char *probe_id;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    uint64_t timeout_ms;
    struct nfc_text line;
    /* Every message put is one of these once close has run; the delivery reports update them on this thread. */
    uint64_t put, delivered, dropped, failed;
    char error[256]; /* the first failure ("" when none) */
};

/* Counts a failed message; the first failure's message ("what: detail") is kept. */
static void note_failure(struct nfc_kafka *k, const char *what, const char *detail)
{
    k->failed++;
    if (!k->error[0])
        snprintf(k->error, sizeof k->error, "%s%s", what, detail);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct nfc_kafka *k = opaque;
    if (m->err)
        note_failure(k, "delivery failed: ", rd_kafka_err2str(m->err));
    else
        k->delivered++;
}

/* librdkafka retries what a broker's absence makes fail: its log would only repeat that on standard error. */
static void quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    (void)level;
    (void)fac;
    (void)buf;
}

static int set_property(rd_kafka_conf_t *conf, const char *name, const char *value, char *err, size_t errlen)
{
    char msg[256];
    if (rd_kafka_conf_set(conf, name, value, msg, sizeof msg) != RD_KAFKA_CONF_OK)
        return nfc_errorf(err, errlen, "%s", msg);
    return 0;
}

/* nfcore's settings, then the user's properties, which may override them. */
static rd_kafka_conf_t *make_conf(struct nfc_kafka *k, const struct nfc_kafka_options *o, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* Idempotence: a message retried after a broker's failure is written once. murmur2_random: a key goes to the
     * partition Java clients choose; a message without one to any. linger.ms 100 (librdkafka's default is 5): a
     * flow is seconds old when it ends, and batches of 100 ms cut the producer's CPU by a quarter on big.pcap. */
    int rc = set_property(conf, "bootstrap.servers", o->brokers, err, errlen);
    rc = rc ? rc : set_property(conf, "enable.idempotence", "true", err, errlen);
    rc = rc ? rc : set_property(conf, "partitioner", "murmur2_random", err, errlen);
    rc = rc ? rc : set_property(conf, "linger.ms", "100", err, errlen);
    bool debug = false;
    for (size_t i = 0; rc == 0 && i < o->n_properties; i++) {
        rc = set_property(conf, o->properties[i].name, o->properties[i].value, err, errlen);
        debug |= strcmp(o->properties[i].name, "debug") == 0;
    }
    if (rc < 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (!debug)
        rd_kafka_conf_set_log_cb(conf, quiet_log);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, k);
    return conf;
}

/* Which column keys the messages, if any. */
static int choose_key(struct nfc_kafka *k, enum nfc_kafka_key key, char *err, size_t errlen)
{
    if (key == NFC_KAFKA_KEY_NONE)
        return 0;
    for (size_t i = 0; i < k->n_columns; i++) {
        if (strcmp(k->columns[i].name, "community_id") == 0) {
            k->keyed = true;
            k->key_column = i;
            return 0;
        }
    }
    if (key == NFC_KAFKA_KEY_COMMUNITY_ID)
        return nfc_errorf(err, errlen, "key=community_id needs the community_id column (--community-id)");
    return 0;
}

/* The brokers' first answer: the topic's metadata, within the timeout. */
static int check_topic(struct nfc_kafka *k, const struct nfc_kafka_options *o, char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md;
    int timeout = o->timeout_ms > INT32_MAX ? INT32_MAX : (int)o->timeout_ms;
    rd_kafka_resp_err_t rc = rd_kafka_metadata(k->rk, 0, k->rkt, &md, timeout);
    if (rc)
        return nfc_errorf(err, errlen, "no answer from the brokers %s within %.3g s (%s)", o->brokers,
                          (double)o->timeout_ms / 1000, rd_kafka_err2str(rc));
    rc = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    rd_kafka_metadata_destroy(md);
    /* A topic just created has no leader yet: the producer waits for one. */
    if (rc && rc != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        return nfc_errorf(err, errlen, "topic %s: %s", o->topic, rd_kafka_err2str(rc));
    return 0;
}

static void kafka_free(struct nfc_kafka *k)
{
    if (k->rkt)
        rd_kafka_topic_destroy(k->rkt);
    if (k->rk)
        rd_kafka_destroy(k->rk);
    nfc_text_free(&k->line);
    nfc_free(k->probe_id);
    nfc_free(k);
}

struct nfc_kafka *nfc_kafka_open(const struct nfc_engine *eng, const struct nfc_kafka_options *options, char *err,
                                 size_t errlen)
{
    struct nfc_kafka *k = nfc_calloc(1, sizeof *k);
    if (!k) {
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    k->eng = eng;
    k->n_columns = nfc_engine_columns(eng, &k->columns);
    k->timeout_ms = options->timeout_ms;
    if (options->probe_id && !(k->probe_id = nfc_strdup(options->probe_id))) {
        nfc_errorf(err, errlen, "out of memory");
        kafka_free(k);
        return NULL;
    }
    if (choose_key(k, options->key, err, errlen) < 0) {
        kafka_free(k);
        return NULL;
    }
    rd_kafka_conf_t *conf = make_conf(k, options, err, errlen);
    char msg[256];
    if (conf && !(k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, msg, sizeof msg))) {
        rd_kafka_conf_destroy(conf);
        nfc_errorf(err, errlen, "%s", msg);
    }
    if (k->rk && !(k->rkt = rd_kafka_topic_new(k->rk, options->topic, NULL)))
        nfc_errorf(err, errlen, "topic %s: %s", options->topic, rd_kafka_err2str(rd_kafka_last_error()));
    if (!k->rkt || check_topic(k, options, err, errlen) < 0) {
        kafka_free(k);
        return NULL;
    }
    return k;
}

/* The flow's JSON line, without its newline, in k->line. Returns false when memory ran out. */
static bool encode(struct nfc_kafka *k, const struct nfc_flow *flow)
{
    struct nfc_value v;
    k->line.len = 0;
    k->line.failed = false;
    nfc_jsonl_format.record_begin(&k->line);
    for (size_t i = 0; i < k->n_columns; i++) {
        nfc_flow_value(k->eng, flow, i, &v);
        nfc_jsonl_format.field(&k->line, &k->columns[i], i, &v);
    }
    nfc_jsonl_format.record_end(&k->line);
    if (!k->line.failed && k->line.len && k->line.p[k->line.len - 1] == '\n')
        k->line.len--;
    return !k->line.failed;
}

int nfc_kafka_put(struct nfc_kafka *k, const struct nfc_flow *flow)
{
    k->put++;
    if (!encode(k, flow)) {
        nfc_alloc_handled(); /* counted here, as a failed message */
        note_failure(k, "", "out of memory");
        return -1;
    }
    rd_kafka_vu_t vus[5];
    size_t n = 0;
    vus[n++] = (rd_kafka_vu_t){.vtype = RD_KAFKA_VTYPE_RKT, .u.rkt = k->rkt};
    vus[n++] = (rd_kafka_vu_t){.vtype = RD_KAFKA_VTYPE_MSGFLAGS, .u.i = RD_KAFKA_MSG_F_COPY};
    vus[n++] = (rd_kafka_vu_t){.vtype = RD_KAFKA_VTYPE_VALUE, .u.mem = {k->line.p, k->line.len}};
    struct nfc_value key;
    if (k->keyed) {
        nfc_flow_value(k->eng, flow, k->key_column, &key);
        if (!key.missing && key.type == NFC_TYPE_STRING)
            vus[n++] = (rd_kafka_vu_t){.vtype = RD_KAFKA_VTYPE_KEY, .u.mem = {(void *)key.as.str.ptr, key.as.str.len}};
    }
    if (k->probe_id)
        vus[n++] = (rd_kafka_vu_t){.vtype = RD_KAFKA_VTYPE_HEADER,
                                   .u.header = {"probe_id", k->probe_id, (ssize_t)strlen(k->probe_id)}};
    rd_kafka_error_t *error = rd_kafka_produceva(k->rk, vus, n);
    int rc = 0;
    if (error) {
        /* Metering never waits for the brokers: a full queue drops the message. */
        if (rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            k->dropped++;
        else
            note_failure(k, "produce failed: ", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        rc = -1;
    }
    rd_kafka_poll(k->rk, 0);
    return rc;
}

int nfc_kafka_close(struct nfc_kafka *k, struct nfc_kafka_stats *stats, char *err, size_t errlen)
{
    int timeout = k->timeout_ms > INT32_MAX ? INT32_MAX : (int)k->timeout_ms;
    if (rd_kafka_flush(k->rk, timeout) != RD_KAFKA_RESP_ERR_NO_ERROR && !k->error[0]) {
        uint64_t awaited = k->put - (k->delivered + k->dropped + k->failed);
        snprintf(k->error, sizeof k->error, "%llu message%s not delivered within %.3g s", (unsigned long long)awaited,
                 awaited == 1 ? "" : "s", (double)k->timeout_ms / 1000);
    }
    /* What is left fails: the purged messages' reports say so, and a short flush serves them. */
    rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(k->rk, 1000);
    k->failed = k->put - (k->delivered + k->dropped);
    if (k->dropped && !k->error[0])
        snprintf(k->error, sizeof k->error, "%llu messages dropped: librdkafka's queue was full",
                 (unsigned long long)k->dropped);
    if (stats)
        *stats = (struct nfc_kafka_stats){.delivered = k->delivered, .dropped = k->dropped, .failed = k->failed};
    int rc = k->error[0] ? nfc_errorf(err, errlen, "%s", k->error) : 0;
    kafka_free(k);
    return rc;
}
