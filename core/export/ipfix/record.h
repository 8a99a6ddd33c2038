/* The encoded record that crosses from the caller's thread to the sink's: the internal record libfixbuf transcodes
 * (native byte order, fbVarfield_t for strings, fbBasicList_t for lists) after a header that names its template,
 * then the strings' and lists' data, which the internal record addresses by offset until it is resolved. */
#ifndef NFC_EXPORT_IPFIX_RECORD_H
#define NFC_EXPORT_IPFIX_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <fixbuf/public.h>
#include <nfcore/nfcore.h>

#include "export/ipfix/elements.h"
#include "export/text_buffer.h"

enum {
    NFC_IPFIX_V4, /* the templates: IPv4's and IPv6's addresses */
    NFC_IPFIX_V6,
    NFC_IPFIX_TEMPLATES,
    NFC_IPFIX_HEADER = 8,        /* the template, then 0 or the field whose value the record cannot hold + 1 (16 bits);
                             the internal record starts aligned */
    NFC_IPFIX_MAX_RECORD = 8192, /* an internal record's bytes: 8 for most columns, 16 a string, 24 a list */
};

struct nfc_ipfix_records {
    const struct nfc_engine *eng;
    const struct nfc_column *columns;
    const struct nfc_ipfix_layout *layout;
    size_t ip_version_column;                 /* picks the template; SIZE_MAX: always IPv4's */
    size_t *offsets[NFC_IPFIX_TEMPLATES];     /* of each field in the internal record */
    uint16_t record_len[NFC_IPFIX_TEMPLATES]; /* the internal record's bytes */
    const fbInfoElement_t **items;            /* each field's list item element, NULL for others */
};

/* A field's bytes in the internal record of a template. */
size_t nfc_ipfix_internal_len(const struct nfc_ipfix_field *f, int version);

/* Appends the flow's encoded record to `out` (the caller's thread; out->failed when memory ran out). */
void nfc_ipfix_encode(const struct nfc_ipfix_records *r, const struct nfc_flow *flow, struct nfc_text *out);

/* The field whose value the encoded record `bytes` could not hold (a list item beyond its reduced size), or
 * SIZE_MAX when none. */
size_t nfc_ipfix_bad_field(const char *bytes);

/* Copies the internal record out of the encoded one `bytes` into `record` (NFC_IPFIX_MAX_RECORD bytes), its strings
 * and lists pointing into `bytes`, which must outlive the record's use (a list of strings' items are copied after
 * the record). Returns its template, or -1 when those items do not fit in `record`. */
int nfc_ipfix_resolve(const struct nfc_ipfix_records *r, const char *bytes, uint8_t *record);

#endif
