/* nfcore: meter a capture or an interface and write one record per flow. */
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfcore/nfcore.h>

#include "crash.h"
#include "options.h"
#include "privileges.h"
#include "progress.h"
#include "report.h"
#include "util/alloc.h"

enum {
    EXIT_DAMAGED = 1, /* flows written, but the capture had damaged records, memory ran short or the run failed
                       * midway */
    EXIT_USAGE = 2,   /* bad option, value, file, filter or interface: nothing was metered */
};

static struct nfc_engine *running;
static volatile sig_atomic_t hangup; /* SIGHUP came: reopen -o's file between two flows */

static void on_stop(int sig)
{
    (void)sig;
    if (running)
        nfc_engine_stop(running);
}

static void on_hangup(int sig)
{
    (void)sig;
    hangup = 1;
    if (running)
        nfc_engine_wake(running);
}

static void on_warning(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "nfcore: warning: %s\n", message);
}

static void handle(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* SIGINT and SIGTERM end the run with every open flow written; SIGHUP reopens -o's file (log rotation), and is
 * ignored without one. */
static void install_signals(const struct nfc_cli_options *opt)
{
    handle(SIGINT, on_stop);
    handle(SIGTERM, on_stop);
    handle(SIGHUP, opt->output ? on_hangup : SIG_IGN);
}

/* Standard output is a pipe or socket whose reader has gone (nfcore ... | head): what it wanted, it had. */
static bool reader_gone(void)
{
    struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};
    return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP));
}

/* Each plugin's time inside its hooks (every meter thread together), one line per plugin: the hooks it has that
 * ran. */
static void print_plugin_times(const struct nfc_engine *eng)
{
    size_t n = nfc_engine_plugin_times(eng, NULL, 0);
    struct nfc_plugin_times times[n ? n : 1];
    nfc_engine_plugin_times(eng, times, n);
    for (size_t i = 0; i < n; i++) {
        const struct nfc_plugin_times *t = &times[i];
        const struct {
            const char *name;
            const struct nfc_plugin_hook_time *time;
        } hooks[] = {{"on_init", &t->on_init},
                     {"on_update", &t->on_update},
                     {"on_expire", &t->on_expire},
                     {"on_release", &t->on_release}};
        size_t n_hooks = sizeof hooks / sizeof hooks[0];
        uint64_t ns = 0;
        for (size_t h = 0; h < n_hooks; h++)
            ns += hooks[h].time->ns;
        fprintf(stderr, "nfcore: plugin %s: %.3f s in its hooks", t->plugin, (double)ns / 1e9);
        for (size_t h = 0; h < n_hooks; h++)
            if (hooks[h].time->calls)
                fprintf(stderr, ", %s %llu calls %.3f ms (%llu ns each)", hooks[h].name,
                        (unsigned long long)hooks[h].time->calls, (double)hooks[h].time->ns / 1e6,
                        (unsigned long long)(hooks[h].time->ns / hooks[h].time->calls));
        fputc('\n', stderr);
    }
}

static void print_summary(const struct nfc_engine *eng, bool live, double seconds)
{
    struct nfc_stats st;
    nfc_engine_stats(eng, &st);
    fprintf(stderr,
            "nfcore: %llu packets (%llu ignored, %llu dropped for want of memory), %llu flows in %.3f s "
            "(%.2f M packets/s)\n",
            (unsigned long long)st.packets, (unsigned long long)st.ignored, (unsigned long long)st.dropped,
            (unsigned long long)st.flows, seconds, seconds > 0 ? (double)st.packets / seconds / 1e6 : 0.0);
    if (live)
        fprintf(stderr, "nfcore: %llu packets dropped by the kernel (libpcap's ps_drop + ps_ifdrop)\n",
                (unsigned long long)st.kernel_dropped);
    fprintf(stderr,
            "nfcore: at most %llu flows at once; %llu bytes per flow record, +%llu of nDPI state while it "
            "dissects\n",
            (unsigned long long)st.peak_flows, (unsigned long long)st.flow_bytes,
            (unsigned long long)st.dpi_flow_bytes);
    if (st.workers)
        fprintf(stderr, "nfcore: %llu worker threads\n", (unsigned long long)st.workers);
    else
        fprintf(stderr, "nfcore: no worker thread: the flows' work ran on the reading thread\n");
    print_plugin_times(eng);
}

static int describe(const struct nfc_cli_options *opt)
{
    char err[512];
    if (nfc_describe_plugins(&opt->cfg, stdout, err, sizeof err) < 0) {
        fprintf(stderr, "nfcore: %s\n", err);
        return EXIT_USAGE;
    }
    return EXIT_SUCCESS;
}

/* The writer: on -o's files (chunked as asked), or on standard output. */
static struct nfc_writer *open_writer(const struct nfc_cli_options *opt, struct nfc_engine *eng, char *err,
                                      size_t errlen)
{
    if (opt->output) {
        struct nfc_file_output output = {.path = opt->output,
                                         .format = opt->format,
                                         .flows_per_file = opt->flows_per_file,
                                         .rotate_files = opt->rotate_files};
        return nfc_writer_open_path(eng, &output, err, errlen);
    }
    static char out_buffer[1 << 20];
    /* Live flows are written as they expire, so that a reader of the output sees them at once. */
    setvbuf(stdout, out_buffer, opt->cfg.interface ? _IOLBF : _IOFBF, sizeof out_buffer);
    return nfc_writer_open(eng, opt->format, stdout, err, errlen);
}

/* The sinks a run writes to: the writer (-o, or standard output unless another sink is given), the IPFIX
 * exporter and the Kafka producer. */
struct sinks {
    struct nfc_writer *writer;
#ifdef NFC_HAVE_IPFIX
    struct nfc_ipfix *ipfix;
#endif
#ifdef NFC_HAVE_KAFKA
    struct nfc_kafka *kafka;
#endif
};

static int open_sinks(const struct nfc_cli_options *opt, struct nfc_engine *eng, struct sinks *sinks, char *err,
                      size_t errlen)
{
    bool writer = true;
#ifdef NFC_HAVE_IPFIX
    if (opt->ipfix) {
        sinks->ipfix = nfc_ipfix_open(eng, &opt->ipfix_options, err, errlen);
        if (!sinks->ipfix)
            return -1;
        writer = opt->output != NULL;
    }
#endif
#ifdef NFC_HAVE_KAFKA
    if (opt->kafka) {
        char why[400];
        sinks->kafka = nfc_kafka_open(eng, &opt->kafka_options, why, sizeof why);
        if (!sinks->kafka) {
            snprintf(err, errlen, "Kafka: %s", why);
            return -1;
        }
        writer = opt->output != NULL;
    }
#endif
    if (writer) {
        sinks->writer = open_writer(opt, eng, err, errlen);
        if (!sinks->writer)
            return -1;
    }
    return 0;
}

/* Returns -1 when the writer failed (the run stops); what the IPFIX exporter or the Kafka producer could not take
 * is counted. */
static int put_flow(struct sinks *sinks, const struct nfc_flow *flow)
{
#ifdef NFC_HAVE_IPFIX
    if (sinks->ipfix)
        nfc_ipfix_put(sinks->ipfix, flow);
#endif
#ifdef NFC_HAVE_KAFKA
    if (sinks->kafka)
        nfc_kafka_put(sinks->kafka, flow);
#endif
    return sinks->writer ? nfc_writer_write(sinks->writer, flow) : 0;
}

/* Closes the sinks; returns -1 when one of them failed or lost records (said on standard error). */
static int close_sinks(const struct nfc_cli_options *opt, struct sinks *sinks)
{
    char err[512];
    int rc = 0;
    /* A closed standard output ends the run quietly. */
    if (sinks->writer && nfc_writer_close(sinks->writer, err, sizeof err) < 0 && (opt->output || !reader_gone())) {
        fprintf(stderr, "nfcore: %s: %s\n", opt->output ? opt->output : "standard output", err);
        rc = -1;
    }
#ifdef NFC_HAVE_IPFIX
    if (sinks->ipfix) {
        struct nfc_ipfix_stats st;
        /* One line: the counts, and the first failure's message when there was one. */
        bool failed = nfc_ipfix_close(sinks->ipfix, &st, err, sizeof err) < 0;
        if (failed || st.dropped || st.failed) {
            fprintf(stderr, "nfcore: IPFIX: %llu records sent, %llu dropped (queue full), %llu failed%s%s\n",
                    (unsigned long long)st.sent, (unsigned long long)st.dropped, (unsigned long long)st.failed,
                    failed ? ": " : "", failed ? err : "");
            rc = -1;
        } else if (opt->verbose) {
            fprintf(stderr, "nfcore: IPFIX: %llu records sent\n", (unsigned long long)st.sent);
        }
    }
#endif
#ifdef NFC_HAVE_KAFKA
    if (sinks->kafka) {
        struct nfc_kafka_stats st;
        bool failed = nfc_kafka_close(sinks->kafka, &st, err, sizeof err) < 0;
        if (failed || opt->verbose)
            fprintf(stderr, "nfcore: Kafka: %llu messages delivered, %llu dropped (queue full), %llu failed%s%s\n",
                    (unsigned long long)st.delivered, (unsigned long long)st.dropped, (unsigned long long)st.failed,
                    failed ? ": " : "", failed ? err : "");
        if (failed)
            rc = -1;
    }
#endif
    return rc;
}

static int run(struct nfc_cli_options *opt)
{
    opt->cfg.on_warning = on_warning;
    opt->cfg.plugin_timing = opt->verbose; /* a clock read per hook call: only when the summary shows it */
    char err[512];
    struct nfc_cli_user user;
    if (opt->user && nfc_cli_user_find(opt->user, &user, err, sizeof err) < 0) {
        fprintf(stderr, "nfcore: %s\n", err);
        return EXIT_USAGE;
    }
    struct nfc_engine *eng = nfc_engine_open(&opt->cfg, err, sizeof err);
    struct sinks sinks = {0};
    /* As tcpdump: the capture is opened with the privileges it needs, the outputs as the user. */
    bool dropped = !eng || !opt->user || nfc_cli_user_become(&user, err, sizeof err) == 0;
    if (!eng || !dropped || open_sinks(opt, eng, &sinks, err, sizeof err) < 0) {
        fprintf(stderr, "nfcore: %s\n", err);
        close_sinks(opt, &sinks);
        nfc_engine_close(eng);
        return EXIT_USAGE;
    }
    running = eng;
    install_signals(opt);

    struct nfc_progress progress;
    nfc_progress_init(&progress, stderr, !opt->cfg.interface && isatty(STDERR_FILENO));
    struct nfc_report report;
    bool reporting = opt->performance_report && nfc_report_start(&report, eng, opt->performance_report, stderr) == 0;
    int status = EXIT_SUCCESS;
    const struct nfc_flow *flow;
    enum nfc_next next = NFC_NEXT_END;
    for (;;) {
        next = nfc_engine_next(eng, &flow);
        if (hangup) {
            hangup = 0;
            if (sinks.writer && nfc_writer_reopen(sinks.writer) < 0)
                break;
        }
        if (next == NFC_NEXT_WOKEN)
            continue;
        if (next != NFC_NEXT_FLOW || put_flow(&sinks, flow) < 0)
            break;
        nfc_progress_update(&progress, eng);
    }
    nfc_progress_end(&progress);
    if (reporting)
        nfc_report_stop(&report);
    if (close_sinks(opt, &sinks) < 0) {
        status = EXIT_DAMAGED;
    } else if (next == NFC_NEXT_ERROR) {
        fprintf(stderr, "nfcore: %s\n", nfc_engine_error(eng));
        status = EXIT_DAMAGED;
    }
    struct nfc_stats st;
    nfc_engine_stats(eng, &st);
    if ((st.damaged_records || st.alloc_failures) && status == EXIT_SUCCESS)
        status = EXIT_DAMAGED;
    if (opt->verbose)
        print_summary(eng, opt->cfg.interface != NULL, nfc_progress_elapsed(&progress));
    running = NULL;
    nfc_engine_close(eng);
    return status;
}

int main(int argc, char **argv)
{
    /* A write to a closed pipe or socket fails with EPIPE, handled where it happens, rather than killing nfcore. */
    signal(SIGPIPE, SIG_IGN);
    nfc_cli_crash_report_install();
    char err[200];
    if (nfc_alloc_hook_from_env(err, sizeof err) < 0) {
        fprintf(stderr, "nfcore: %s\n", err);
        return EXIT_USAGE;
    }
    struct nfc_cli_options opt;
    int status;
    switch (nfc_cli_parse(argc, argv, &opt, stdout, stderr)) {
    case NFC_CLI_RUN: status = opt.describe ? describe(&opt) : run(&opt); break;
    case NFC_CLI_DONE: status = EXIT_SUCCESS; break;
    default: status = EXIT_USAGE; break;
    }
    nfc_cli_options_free(&opt);
    return status;
}
