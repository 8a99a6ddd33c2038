/* The progress line shown on a terminal while a capture file is read. */
#ifndef NFC_CLI_PROGRESS_H
#define NFC_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <nfcore/nfcore.h>

struct nfc_progress {
    FILE *out;
    bool enabled;
    double start;
    double last_draw;
    uint64_t calls;
};

void nfc_progress_init(struct nfc_progress *p, FILE *out, bool enabled);
/* Cheap enough to call once per flow: it redraws at most a few times per second. */
void nfc_progress_update(struct nfc_progress *p, const struct nfc_engine *eng);
/* Erases the line. */
void nfc_progress_end(struct nfc_progress *p);
double nfc_progress_elapsed(const struct nfc_progress *p);

#endif
