/* libnfcore: network flow metering with nfstream's semantics.
 *
 * Configure (nfc_config), open an engine on capture files or a live interface, pull finished flow records one
 * at a time, read their columns or hand them to a writer (CSV, JSON lines), close:
 *
 *     struct nfc_config cfg;
 *     nfc_config_defaults(&cfg);
 *     cfg.files = (const char *[]){"capture.pcap"};
 *     cfg.n_files = 1;
 *     char err[256];
 *     struct nfc_engine *eng = nfc_engine_open(&cfg, err, sizeof err);
 *     struct nfc_writer *out = nfc_writer_open(eng, NFC_FORMAT_CSV, stdout);
 *     const struct nfc_flow *flow;
 *     while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW)
 *         nfc_writer_write(out, flow);
 *     nfc_writer_close(out);
 *     nfc_engine_close(eng);
 */
#ifndef NFCORE_NFCORE_H
#define NFCORE_NFCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nfcore/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NFC_VERSION "0.1.0"
#define NFC_MAX_METERS 1024

/* What *_bytes, *_ps and splt_ps count (spec §4.4). */
enum nfc_accounting_mode {
    NFC_ACCOUNT_RAW = 0,       /* wire length */
    NFC_ACCOUNT_IP = 1,        /* IPv4 total length; IPv6 payload length */
    NFC_ACCOUNT_TRANSPORT = 2, /* L4 header + data */
    NFC_ACCOUNT_PAYLOAD = 3,   /* L4 data */
};

/* Why a flow ended. */
enum nfc_expiration {
    NFC_EXPIRE_CUSTOM = -1,     /* a plugin asked for it */
    NFC_EXPIRE_IDLE = 0,        /* idle timeout, idle scan, or end of input */
    NFC_EXPIRE_ACTIVE = 1,      /* active timeout */
    NFC_EXPIRE_TCP_END = 2,     /* RST, or the ACK after both FINs (expire_on_tcp_end) */
    NFC_EXPIRE_CAPACITY = 3,    /* least recently seen flow evicted from a full table (capacity) */
};

/* Called for every non-fatal problem (a damaged capture record, flows left unwritten by max_nflows). */
typedef void (*nfc_warning_fn)(void *ctx, const char *message);

struct nfc_config {
    const char *const *files;    /* capture files read as one stream, or NULL */
    size_t n_files;
    const char *interface;       /* live capture interface, or NULL */
    const char *bpf_filter;      /* NULL: none */
    bool decode_tunnels;         /* true */
    bool promiscuous_mode;       /* true (live only) */
    int64_t snapshot_length;     /* 1536 (live only), > 0 */
    int64_t socket_buffer_size;  /* 0 = libpcap's default (live only), 0 … 2^31−1 */
    uint64_t idle_timeout;       /* 120 s */
    uint64_t active_timeout;     /* 1800 s */
    int accounting_mode;         /* enum nfc_accounting_mode, 0 */
    int n_dissections;           /* 20; 0 disables nDPI; 0 … 255 */
    bool statistical_analysis;   /* false */
    int splt_analysis;           /* 0 (off); 0 … 65535 */
    uint64_t max_nflows;         /* 0 = no limit */
    bool expire_on_tcp_end;      /* false */
    uint64_t capacity;           /* 0 = unbounded flow table */
    const char *const *plugins;  /* "PATH[:key=value,...]", run in this order */
    size_t n_plugins;
    unsigned n_meters;           /* threads doing the flows' work: 1 = everything on the caller's thread;
                                    0 = one per available CPU; the output is the same for any value */
    nfc_warning_fn on_warning;   /* NULL: warnings are dropped */
    void *warning_ctx;
};

/* Fills in nfstream's defaults (no source). */
void nfc_config_defaults(struct nfc_config *cfg);

/* Checks every value against its valid range. Returns 0, or -1 with a one-line message naming the option. */
int nfc_config_validate(const struct nfc_config *cfg, char *err, size_t errlen);

/* The options of struct nfc_config that one value sets (the sources and plugin lists aside): one table that
 * nfc_config_defaults, nfc_config_validate and any front end (the nfcore command's parser and --help) read. */
enum nfc_option_kind {
    NFC_OPTION_STRING,   /* const char *, stored as given (not copied) */
    NFC_OPTION_BOOL,     /* bool: "true" or "false" */
    NFC_OPTION_INT,      /* int */
    NFC_OPTION_UNSIGNED, /* unsigned */
    NFC_OPTION_INT64,    /* int64_t */
    NFC_OPTION_UINT64,   /* uint64_t */
};

struct nfc_option {
    const char *name; /* long name: "idle-timeout" */
    char short_name;  /* the command line's one-letter form, or 0 */
    enum nfc_option_kind kind;
    size_t offset;          /* of the field in struct nfc_config */
    uint64_t min, max;      /* valid range of a number */
    uint64_t default_value; /* a number's or a flag's (0 or 1); a string defaults to NULL */
    bool live_only;         /* applies to live capture (an interface) only */
    const char *metavar;    /* what the value is, for help texts ("SECONDS"); NULL for a flag */
    const char *help;       /* one line, without the default */
};

/* Returns the number of options and points *options at the table (static, in a stable order). */
size_t nfc_options(const struct nfc_option **options);

/* The option with this long name, or NULL. */
const struct nfc_option *nfc_option_find(const char *name);

/* Sets one option from its text: a decimal integer (an optional sign, digits, nothing else) in the option's range,
 * "true"/"false" for a flag, any text for a string. Returns 0, or -1 with a one-line message starting with the
 * option's name ("idle-timeout: -1 is negative (valid: 0..18446744073709551)"); cfg is unchanged on failure. */
int nfc_option_set(struct nfc_config *cfg, const struct nfc_option *option, const char *text, char *err, size_t errlen);

struct nfc_engine;
struct nfc_flow;

/* Opens the source(s). Returns NULL with a one-line message in `err` on failure. */
struct nfc_engine *nfc_engine_open(const struct nfc_config *cfg, char *err, size_t errlen);

enum nfc_next {
    NFC_NEXT_FLOW = 1,   /* *flow is valid until the next call */
    NFC_NEXT_END = 0,    /* input exhausted (or stopped) and every flow emitted */
    NFC_NEXT_ERROR = -1, /* fatal capture error: nfc_engine_error() says which */
};

/* Meters packets until a flow is finished. Flows come out with ids 0, 1, 2, … in emission order. */
enum nfc_next nfc_engine_next(struct nfc_engine *eng, const struct nfc_flow **flow);

/* Ends a live capture: the flows still in the table are emitted by the next calls of nfc_engine_next.
 * Async-signal-safe. */
void nfc_engine_stop(struct nfc_engine *eng);

const char *nfc_engine_error(const struct nfc_engine *eng);

struct nfc_stats {
    uint64_t packets;          /* packets read from the source(s) */
    uint64_t ignored;          /* packets that did not parse (spec §2) */
    uint64_t flows;            /* flows emitted */
    uint64_t flows_unwritten;  /* flows still in the table when max_nflows stopped the run */
    uint64_t damaged_records;  /* capture records skipped or cut off */
    uint64_t bytes_read;       /* bytes of the current capture file consumed so far */
    uint64_t file_size;        /* size of the current capture file (0 when live) */
    uint64_t peak_flows;       /* most flows in the table at once */
    uint64_t flow_bytes;       /* one flow record in this configuration (statistics, SPLT, plugin state) */
    uint64_t dpi_flow_bytes;   /* nDPI's state, held by a flow only while its dissection runs */
};
void nfc_engine_stats(const struct nfc_engine *eng, struct nfc_stats *stats);

void nfc_engine_close(struct nfc_engine *eng);

/* Loads the configured plugins and writes each one's name, version, description and fields to `out`.
 * Returns 0, or -1 with a one-line message in `err`. */
int nfc_describe_plugins(const struct nfc_config *cfg, FILE *out, char *err, size_t errlen);

/* Versions of the libraries the engine runs on. */
const char *nfc_ndpi_version(void);
const char *nfc_pcap_version(void);

/* Columns: the flow record's fields in nfstream's order for the engine's configuration (spec §4.1). */
enum nfc_type {
    NFC_TYPE_INT,      /* int64 */
    NFC_TYPE_UINT,     /* uint64 */
    NFC_TYPE_FLOAT,    /* double */
    NFC_TYPE_STRING,
    NFC_TYPE_INT_LIST, /* list of signed integers, read with nfc_list_at() */
    NFC_TYPE_STRING_LIST,
};

struct nfc_column {
    const char *name;
    enum nfc_type type;
};

struct nfc_value {
    enum nfc_type type;
    bool missing;               /* no value: written as an empty field / null */
    char text[48];              /* holds addresses and MACs as text; as.str may point here */
    union {
        int64_t i;
        uint64_t u;
        double f;
        struct {
            const char *ptr;
            size_t len;
        } str;
        struct {
            const void *ptr;
            size_t len;
            uint8_t width; /* bytes per element: 1, 4 or 8 */
        } list;
        struct {
            const struct nfc_string *ptr;
            size_t len;
        } strings;
    } as;
};

static inline int64_t nfc_list_at(const struct nfc_value *v, size_t i)
{
    return nfc_int_at(v->as.list.ptr, v->as.list.width, i);
}

size_t nfc_engine_columns(const struct nfc_engine *eng, const struct nfc_column **columns);
void nfc_flow_value(const struct nfc_engine *eng, const struct nfc_flow *flow, size_t column,
                    struct nfc_value *value);

/* Writers serialise flows in one format; the CSV header is written at open, so a run with no flow still
 * yields a header. */
enum nfc_format {
    NFC_FORMAT_CSV,
    NFC_FORMAT_JSONL,
};

struct nfc_writer;
struct nfc_writer *nfc_writer_open(const struct nfc_engine *eng, enum nfc_format format, FILE *out);
/* Returns 0, or -1 on a write error (errno set). */
int nfc_writer_write(struct nfc_writer *w, const struct nfc_flow *flow);
/* Flushes and frees the writer (not the FILE). Returns 0, or -1 if any write failed. */
int nfc_writer_close(struct nfc_writer *w);

#ifdef __cplusplus
}
#endif

#endif
