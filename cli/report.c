#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <time.h>

enum { LINE_SIZE = 256 + 22 * NFC_MAX_METERS }; /* the five keys, and ", " plus 20 digits a worker */

void nfc_report_write(const struct nfc_engine *eng, FILE *out)
{
    struct nfc_stats st;
    nfc_engine_stats(eng, &st);
    uint64_t packets[NFC_MAX_METERS];
    size_t n = nfc_engine_worker_packets(eng, packets, NFC_MAX_METERS);
    char line[LINE_SIZE];
    int len =
        snprintf(line, sizeof line,
                 "{\"flows_expired\": %" PRIu64 ", \"packets_processed\": %" PRIu64 ", \"packets_ignored\": %" PRIu64
                 ", \"packets_dropped_filtered_by_kernel\": %" PRIu64 ", \"meters_packets_processing_balance\": [",
                 st.flows, st.packets, st.ignored, st.kernel_dropped);
    for (size_t i = 0; i < n && i < NFC_MAX_METERS; i++)
        len += snprintf(line + len, sizeof line - (size_t)len, "%s%" PRIu64, i ? ", " : "", packets[i]);
    len += snprintf(line + len, sizeof line - (size_t)len, "]}\n");
    /* one write: the line never interleaves with a warning */
    fwrite(line, 1, (size_t)len, out);
    fflush(out);
}

static void *report_main(void *arg)
{
    struct nfc_report *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->stop) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += (time_t)r->seconds;
        while (!r->stop && pthread_cond_timedwait(&r->wake, &r->lock, &deadline) != ETIMEDOUT)
            ;
        if (r->stop)
            break;
        pthread_mutex_unlock(&r->lock);
        nfc_report_write(r->eng, r->out);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int nfc_report_start(struct nfc_report *r, const struct nfc_engine *eng, uint64_t seconds, FILE *out)
{
    *r = (struct nfc_report){.eng = eng, .out = out, .seconds = seconds};
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (nfc_thread_start(&r->thread, report_main, r) != 0) {
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        return -1;
    }
    return 0;
}

void nfc_report_stop(struct nfc_report *r)
{
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    nfc_thread_join(&r->thread);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
}
