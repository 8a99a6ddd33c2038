/* nfstream's performance report on live capture: every S seconds of wall-clock time, one JSON line, written by a
 * thread of its own while the caller's thread waits for flows. */
#ifndef NFC_CLI_REPORT_H
#define NFC_CLI_REPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <nfcore/nfcore.h>

#include "util/thread.h"

struct nfc_report {
    const struct nfc_engine *eng;
    FILE *out;
    uint64_t seconds;
    struct nfc_thread thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on the monotonic clock */
    bool stop;
};

/* Starts reporting on `eng` every `seconds` (at least 1). Returns 0, or -1 when no thread could be started. */
int nfc_report_start(struct nfc_report *r, const struct nfc_engine *eng, uint64_t seconds, FILE *out);
/* Stops the reports at once; call before the engine is closed. */
void nfc_report_stop(struct nfc_report *r);

/* Writes the report's JSON line: {"flows_expired": N, "packets_processed": N, "packets_ignored": N,
 * "packets_dropped_filtered_by_kernel": N, "meters_packets_processing_balance": [N, ...]}. */
void nfc_report_write(const struct nfc_engine *eng, FILE *out);

#endif
