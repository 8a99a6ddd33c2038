/* Packet sources through libpcap: capture files read one after another as one stream, or a live interface;
 * BPF for both. Knows nothing of flows. */
#ifndef NFC_CAPTURE_H
#define NFC_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include <nfcore/nfcore.h>

struct nfc_capture;

struct nfc_frame {
    const uint8_t *data;
    uint32_t caplen;
    uint32_t wirelen;
    uint64_t time_ms; /* (tv_sec×1000 + tv_usec/1000) mod 2^64, as nfstream computes it (spec §2) */
    int dlt;
};

enum nfc_capture_status {
    NFC_CAPTURE_FRAME,
    NFC_CAPTURE_TIMEOUT, /* live: no packet within the read timeout */
    NFC_CAPTURE_END,
    NFC_CAPTURE_ERROR,
};

/* Opens the configured source. Every file is checked (readable capture, valid filter) before the first packet is
 * read. Returns NULL with a one-line message on failure. */
struct nfc_capture *nfc_capture_open(const struct nfc_config *cfg, char *err, size_t errlen);

enum nfc_capture_status nfc_capture_next(struct nfc_capture *c, struct nfc_frame *frame);

/* Ends the source: a file stops at once; a live capture reads on for half a second, and then until the capture
 * buffer is empty (10 s at most), so that the packets the kernel still holds are counted, then ends.
 * Async-signal-safe. */
void nfc_capture_stop(struct nfc_capture *c);

const char *nfc_capture_error(const struct nfc_capture *c);
uint64_t nfc_capture_damaged(const struct nfc_capture *c);
/* Live: the packets the kernel dropped (libpcap's ps_drop + ps_ifdrop), as last asked for: at most a read
 * timeout or a few thousand frames ago; 0 for files. May be called from any thread. */
uint64_t nfc_capture_kernel_dropped(const struct nfc_capture *c);
/* Progress through the current file (0, 0 when live). */
void nfc_capture_progress(const struct nfc_capture *c, uint64_t *bytes_read, uint64_t *file_size);

void nfc_capture_close(struct nfc_capture *c);

#endif
