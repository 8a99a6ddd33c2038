/* IPFIX export (RFC 7011): every column of a flow as an information element of a biflow record (RFC 5103), over
 * libfixbuf, to an IPFIX file or a collector. An optional library of its own (nfcore_ipfix), built where libfixbuf
 * is found: libnfcore does not need it. docs/IPFIX.md has the element table. */
#ifndef NFC_EXPORT_IPFIX_H
#define NFC_EXPORT_IPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nfcore/nfcore.h>

#define NFC_IPFIX_DEFAULT_PEN 32473u            /* RFC 5612's documentation number, until one is registered */
#define NFC_IPFIX_DEFAULT_TEMPLATE_REFRESH 600u /* s: UDP collectors forget templates they are not sent again */
#define NFC_IPFIX_MIN_MTU 576u                  /* --ipfix-mtu: IPv4's minimum datagram that every host accepts */

enum nfc_ipfix_transport {
    NFC_IPFIX_FILE,
    NFC_IPFIX_UDP,
    NFC_IPFIX_TCP,
};

/* Where records go: "file:PATH" ("file:-": standard output), "udp://HOST:PORT" or "tcp://HOST:PORT" (an IPv6 HOST
 * in brackets). */
struct nfc_ipfix_url {
    enum nfc_ipfix_transport transport;
    char path[4096]; /* the file's, or the host's */
    char port[6];
};

/* Parses an --ipfix URL. Returns 0, or -1 with a one-line message ("udp://h: expected HOST:PORT"). */
int nfc_ipfix_url_parse(const char *text, struct nfc_ipfix_url *url, char *err, size_t errlen);

/* The observation domain that a probe's name gives (--probe-id): a whole number in 0..4294967295 as it is, another
 * name its 32-bit FNV-1a hash. */
uint32_t nfc_ipfix_domain_of(const char *probe_id);

struct nfc_ipfix_options {
    struct nfc_ipfix_url url;
    uint32_t pen;                /* the enterprise number of nfcore's own elements */
    uint32_t observation_domain; /* the messages' observation domain id */
    uint32_t template_refresh_s; /* UDP: templates and type records sent again this often; 0: only at the start */
    uint32_t mtu;                /* UDP: the path's MTU that messages are kept under; 0: the route's */
    int accounting_mode;         /* the engine's: says which standard element holds a direction's bytes */
    bool ip_octets; /* the engine counts RFC 7012's IP bytes (nfc_config.ip_octets): octetDeltaCount in any mode */
};

struct nfc_ipfix_stats {
    uint64_t sent;    /* records handed to the collector or file */
    uint64_t dropped; /* records not sent: the queue was full */
    uint64_t failed;  /* records that could not be encoded or sent, or that the collector did not get */
};

struct nfc_ipfix;

/* Builds the elements and templates from the engine's columns, creates the file (or connects to the collector: a
 * refused TCP connection fails here) and writes the templates with the enterprise elements' type records
 * (RFC 5610). Returns NULL with a message. */
struct nfc_ipfix *nfc_ipfix_open(const struct nfc_engine *eng, const struct nfc_ipfix_options *options, char *err,
                                 size_t errlen);

/* Exports one flow: written at once to a file, queued for the sender's thread for a collector (never waiting for
 * it: a full queue drops the record, counted). Returns 0, or -1 when the record was not written or queued. */
int nfc_ipfix_put(struct nfc_ipfix *x, const struct nfc_flow *flow);

/* Sends what is queued, closes the file or socket and frees the exporter; fills stats (may be NULL). Returns 0, or
 * -1 with the first failure's message. */
int nfc_ipfix_close(struct nfc_ipfix *x, struct nfc_ipfix_stats *stats, char *err, size_t errlen);

#endif
