/* Application labelling with nDPI 4.2, driven as nfstream drives it (spec §6, NDPI_42.md).
 * The only part of the engine that includes nDPI's headers. */
#ifndef NFC_DPI_H
#define NFC_DPI_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

struct nfc_dpi;

/* What a flow's record keeps once its dissection has ended: the labels as text, in the record when they fit. */
enum nfc_dpi_text {
    NFC_DPI_APPLICATION_NAME,
    NFC_DPI_CATEGORY_NAME,
    NFC_DPI_SERVER_NAME,
    NFC_DPI_CLIENT_FINGERPRINT,
    NFC_DPI_SERVER_FINGERPRINT,
    NFC_DPI_USER_AGENT,
    NFC_DPI_CONTENT_TYPE,
    NFC_DPI_TEXT_COUNT
};

/* Labels that fit (9 flows in 10 on a mixed capture) stay in the record: no allocation, and with worker threads
 * no block that one thread allocates and another frees. */
enum { NFC_DPI_INLINE_TEXT = 72 };

struct nfc_dpi_result {
    char *text;                            /* NUL-separated strings: inline_text, or a heap block when they do not
                                              fit; NULL until the dissection has ended */
    uint16_t off[NFC_DPI_TEXT_COUNT];
    uint16_t len[NFC_DPI_TEXT_COUNT];
    uint8_t is_guessed;
    uint8_t confidence;
    char inline_text[NFC_DPI_INLINE_TEXT];
};

/* Per-flow dissection state. */
struct nfc_dpi_flow {
    void *ndpi;                 /* nDPI's flow state, freed as soon as the dissection ends */
    uint16_t master_protocol;
    uint16_t app_protocol;
    uint16_t category;
    uint8_t guessed;
    uint8_t completed;
    struct nfc_dpi_result result;
};

/* One detection module (its caches make labels depend on the flows it has seen). NULL on failure. */
struct nfc_dpi *nfc_dpi_open(uint8_t n_dissections);
void nfc_dpi_close(struct nfc_dpi *dpi);

/* The flow's first packet. Out of memory, the flow goes unlabelled. */
void nfc_dpi_first(struct nfc_dpi *dpi, struct nfc_dpi_flow *f, const struct nfc_packet *pkt);
/* A later packet; `k` is the flow's packet count including it. */
void nfc_dpi_next(struct nfc_dpi *dpi, struct nfc_dpi_flow *f, const struct nfc_packet *pkt, uint64_t k);
/* Flow expiry: gives up if still undecided and fixes the result. */
void nfc_dpi_expire(struct nfc_dpi *dpi, struct nfc_dpi_flow *f);
/* Frees whatever the flow still holds. */
void nfc_dpi_release(struct nfc_dpi_flow *f);

const char *nfc_dpi_library_version(void);
/* Bytes of nDPI's per-flow state. */
size_t nfc_dpi_flow_size(void);

#endif
