/* The element table: which information element holds each column (standard, RFC 5103 reverse, or nfcore's own
 * under the configured enterprise number), and how its value sits in the record that libfixbuf transcodes. */
#ifndef NFC_EXPORT_IPFIX_ELEMENTS_H
#define NFC_EXPORT_IPFIX_ELEMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fixbuf/public.h>
#include <nfcore/nfcore.h>

#include "export/ipfix/ipfix.h"

/* A value in the internal record (libfixbuf's in-memory side: native byte order, fbVarfield_t, fbBasicList_t). */
enum nfc_ipfix_kind {
    NFC_IPFIX_UINT,    /* width bytes */
    NFC_IPFIX_INT,     /* 8 bytes */
    NFC_IPFIX_FLOAT,   /* a double */
    NFC_IPFIX_BYTES,   /* width bytes as they are: a MAC, an OUI */
    NFC_IPFIX_ADDRESS, /* an IPv4 address as a native uint32 in the IPv4 template, 16 bytes in the IPv6 one */
    NFC_IPFIX_STRING,  /* fbVarfield_t */
    NFC_IPFIX_LIST,    /* fbBasicList_t of signed items of item_width bytes */
    NFC_IPFIX_STRINGS, /* fbBasicList_t of fbVarfield_t items (strings) */
};

enum nfc_ipfix_convert {
    NFC_IPFIX_CONVERT_NONE,
    NFC_IPFIX_CONVERT_END_REASON,     /* expiration_id -> flowEndReason */
    NFC_IPFIX_CONVERT_IP_OCTETS,      /* accounting mode 1's bytes + 40 per packet of an IPv6 flow */
    NFC_IPFIX_CONVERT_COUNTED_OCTETS, /* not the column's value: the engine's IP bytes (nfc_flow_ip_octets) */
};

struct nfc_ipfix_field {
    size_t column;
    char name[96];       /* the element in the IPv4 template */
    char name_v6[96];    /* in the IPv6 template */
    char item[104];      /* a list's items' element */
    uint16_t item_width; /* a list's items' bytes: 1, 4 or 8 */
    enum nfc_ipfix_kind kind;
    uint16_t width; /* a fixed-length value's bytes (FB_IE_VARLEN for strings and lists) */
    enum nfc_ipfix_convert convert;
    size_t packets_column; /* NFC_IPFIX_CONVERT_IP_OCTETS: the same direction's packets */
    int direction;         /* NFC_IPFIX_CONVERT_COUNTED_OCTETS: 0 src2dst, 1 dst2src */
};

struct nfc_ipfix_enterprise {
    char name[104];
    fbInfoElement_t element;
};

struct nfc_ipfix_layout {
    struct nfc_ipfix_field *fields; /* the columns exported, in column order */
    size_t n_fields;
    struct nfc_ipfix_enterprise *enterprise; /* added to the model; must live as long as it */
    size_t n_enterprise;
};

/* Maps the columns to elements and adds the enterprise ones to `model`. Returns 0, or -1 with a message. */
int nfc_ipfix_layout_build(struct nfc_ipfix_layout *l, const struct nfc_column *columns, size_t n,
                           const struct nfc_ipfix_options *options, fbInfoModel_t *model, char *err, size_t errlen);
void nfc_ipfix_layout_free(struct nfc_ipfix_layout *l);

#endif
