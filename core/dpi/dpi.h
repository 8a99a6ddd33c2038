/* Application labelling with nDPI 4.2, driven as nfstream drives it (spec §6, NDPI_42.md): a flow hook with a
 * state slot of its own in the flow record. The only part of the engine that includes nDPI's headers. */
#ifndef NFC_DPI_H
#define NFC_DPI_H

#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"

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
    char *text; /* NUL-separated strings: inline_text, or a heap block when they do not
                                              fit; NULL until the dissection has ended */
    uint16_t off[NFC_DPI_TEXT_COUNT];
    uint16_t len[NFC_DPI_TEXT_COUNT];
    uint8_t is_guessed;
    uint8_t confidence;
    char inline_text[NFC_DPI_INLINE_TEXT];
};

/* One detection module (its caches make labels depend on the flows it has seen). NULL on failure. */
struct nfc_dpi *nfc_dpi_open(uint8_t n_dissections);

/* Takes nDPI's state slot in the records `p` lays out and registers the module's hooks into p->hooks, which
 * owns the module from then on. Register it before any hook that reads the labels. */
void nfc_dpi_register(struct nfc_dpi *dpi, struct nfc_flow_params *p);

/* Copies the labels after every dissected packet instead of once the dissection ends (nfstream does so when
 * plugins run, spec §6): for hooks that read them as they stand. Before the workers clone the module. */
void nfc_dpi_label_every_packet(struct nfc_dpi *dpi);

/* Where a flow's labels lie in its ext[], for nfc_dpi_result. */
size_t nfc_dpi_result_offset(const struct nfc_dpi *dpi);

/* A flow's labels (inline: output reads them for every flow): their text is NULL until its dissection has ended. */
static inline const struct nfc_dpi_result *nfc_dpi_result(const struct nfc_flow *f, size_t offset)
{
    return (const struct nfc_dpi_result *)(f->ext + offset);
}

const char *nfc_dpi_library_version(void);
/* Bytes of nDPI's per-flow state. */
size_t nfc_dpi_flow_size(void);

#endif
