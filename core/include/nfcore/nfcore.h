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
 *     struct nfc_writer *out = nfc_writer_open(eng, NFC_FORMAT_CSV, stdout, err, sizeof err);
 *     const struct nfc_flow *flow;
 *     while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW)
 *         nfc_writer_write(out, flow);
 *     nfc_writer_close(out, err, sizeof err);
 *     nfc_engine_close(eng);
 *
 * The contract every call follows:
 * - Errors. A call that can fail says so in its result (-1, NULL or NFC_NEXT_ERROR) and leaves a one-line message
 *   without a trailing newline: on its handle (nfc_engine_error, nfc_writer_error), or in the caller's buffer
 *   `err` of `errlen` bytes where there is no handle (yet, or any more). An enum value this header does not
 *   define is refused, never taken for a default.
 * - Ownership. The engine copies what it keeps of a struct nfc_config at nfc_engine_open: the caller's
 *   structure, arrays and strings may go as soon as the call returns. Only warning_ctx is kept as given: it
 *   must stay valid until nfc_engine_close. What a call returns through a pointer (messages, columns, values)
 *   belongs to the engine or writer it came from.
 * - Lifetime. A flow from nfc_engine_next is valid until the next call of nfc_engine_next or nfc_engine_close,
 *   unless it is retained (nfc_engine_retain); then until it is released.
 * - Threads. An engine, its flows and its writers are used from one thread at a time; on_warning runs on that
 *   thread. Only nfc_engine_stop and nfc_engine_wake may be called from elsewhere (a signal handler), and, for a
 *   performance report while that thread waits in nfc_engine_next, nfc_engine_worker_packets and
 *   nfc_engine_stats: of the latter, packets, ignored, flows and kernel_dropped are then read as they stand; the
 *   other fields are exact only on the engine's thread.
 */
#ifndef NFCORE_NFCORE_H
#define NFCORE_NFCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nfcore/plugin.h>

/* libnfcore is built with hidden visibility: these declarations are the symbols it exports. */
#pragma GCC visibility push(default)

#ifdef __cplusplus
extern "C" {
#endif

#define NFC_VERSION "0.1.0"
#define NFC_MAX_METERS 1024
#define NFC_ANONYMIZE_KEY_BYTES 64

/* What *_bytes, *_ps and splt_ps count (spec §4.4). */
enum nfc_accounting_mode {
    NFC_ACCOUNT_RAW = 0,       /* wire length */
    NFC_ACCOUNT_IP = 1,        /* IPv4 total length; IPv6 payload length */
    NFC_ACCOUNT_TRANSPORT = 2, /* L4 header + data */
    NFC_ACCOUNT_PAYLOAD = 3,   /* L4 data */
};

/* Why a flow ended. */
enum nfc_expiration {
    NFC_EXPIRE_CUSTOM = -1,  /* a plugin asked for it */
    NFC_EXPIRE_IDLE = 0,     /* idle timeout, idle scan, or end of input */
    NFC_EXPIRE_ACTIVE = 1,   /* active timeout */
    NFC_EXPIRE_TCP_END = 2,  /* RST, or the ACK after both FINs (expire_on_tcp_end) */
    NFC_EXPIRE_CAPACITY = 3, /* least recently seen flow evicted from a full table (capacity) */
};

/* Called for every non-fatal problem (a damaged capture record, flows left unwritten by max_nflows). */
typedef void (*nfc_warning_fn)(void *ctx, const char *message);

struct nfc_config {
    const char *const *files; /* capture files read as one stream, or NULL */
    size_t n_files;
    const char *interface;      /* live capture interface, or NULL */
    const char *bpf_filter;     /* NULL: none */
    bool decode_tunnels;        /* true */
    bool promiscuous_mode;      /* true (live only) */
    int64_t snapshot_length;    /* 1536 (live only), > 0 */
    int64_t socket_buffer_size; /* capture buffer (live only), 0 … 2^31−1; 0 = 32 MiB (libpcap's own is 2) */
    uint64_t idle_timeout;      /* 120 s */
    uint64_t active_timeout;    /* 1800 s */
    int accounting_mode;        /* enum nfc_accounting_mode, 0 */
    int n_dissections;          /* 20; 0 disables nDPI; 0 … 255 */
    bool statistical_analysis;  /* false */
    int splt_analysis;          /* 0 (off); 0 … 65535 */
    uint64_t max_nflows;        /* 0 = no limit */
    bool expire_on_tcp_end;     /* false */
    uint64_t capacity;          /* 0 = unbounded flow table */
    const char *const *plugins; /* "PATH[:key=value,...]", run in this order */
    size_t n_plugins;
    unsigned n_meters;         /* threads doing the flows' work: 1 = everything on the caller's thread;
                                    0 = one per available CPU; the output is the same for any value */
    nfc_warning_fn on_warning; /* NULL: warnings are dropped */
    void *warning_ctx;         /* the caller's: valid until nfc_engine_close */
    /* Columns whose values are replaced by the hex keyed BLAKE2b-512 digest (128 characters) of their text
     * (nfc_value_text), as nfstream's columns_to_anonymize, in every sink and nfc_flow_value: the column's type
     * becomes NFC_TYPE_STRING; a missing value stays missing. NULL: none. An unknown column name makes
     * nfc_engine_open fail ("anonymize: no column 'x'"); so does "id", numbered after the digests are made. */
    const char *const *anonymize;
    size_t n_anonymize;
    const uint8_t *anonymize_key; /* NFC_ANONYMIZE_KEY_BYTES bytes, copied at open; NULL: a random key per engine */
    /* NULL, or n_plugins entries: where plugin_links[i].plugin is set, plugin i is linked into the caller instead
     * of loaded from a file, and plugins[i] is only its name in messages. */
    const struct nfc_plugin_link *plugin_links;
    bool community_id;     /* false: add the community_id column (Community ID v1, after the identity columns) */
    int community_id_seed; /* 0; 0 … 65535 */
    bool plugin_timing;    /* false: measure the time inside each plugin hook (nfc_engine_plugin_times); off, no
                              clock is read */
    /* false: also count each direction's IP bytes as RFC 7012 defines them (the whole IP packet, IPv6's 40-byte
     * header included), whatever accounting_mode says, for nfc_flow_ip_octets (IPFIX's octetDeltaCount). No
     * column: the CSV stays nfstream's. 16 bytes more per flow record. */
    bool ip_octets;
};

/* A plugin linked into the program (a language binding's bridge to plugins written in that language): its
 * descriptor, run as a loaded plugin's, and what its setup reads as ctx->data. Both must outlive the engine. Its
 * columns may be added while it runs (nfc_host.add_column): nfc_engine_columns is final once nfc_engine_next has
 * handed out the first flow, so open writers after that. */
struct nfc_plugin_link {
    const struct nfc_plugin *plugin;
    void *data;
};

/* Reads a key file for anonymize_key: 128 hex digits (upper or lower case), optionally followed by a newline
 * (`python3 -c 'import secrets; print(secrets.token_hex(64))' > key`). Returns 0, or -1 with a one-line message. */
int nfc_anonymize_key_read(const char *path, uint8_t key[NFC_ANONYMIZE_KEY_BYTES], char *err, size_t errlen);

/* Fills in nfstream's defaults (no source). */
void nfc_config_defaults(struct nfc_config *cfg);

/* Checks every value against its valid range (accounting_mode against enum nfc_accounting_mode). Returns 0, or
 * -1 with a one-line message naming the option. */
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

/* Opens the source(s), having copied the configuration (see Ownership above). Returns NULL with a one-line
 * message in `err` on failure. */
struct nfc_engine *nfc_engine_open(const struct nfc_config *cfg, char *err, size_t errlen);

enum nfc_next {
    NFC_NEXT_FLOW = 1,   /* *flow is valid until the next call, or until released once retained */
    NFC_NEXT_END = 0,    /* input exhausted (or stopped) and every flow emitted */
    NFC_NEXT_ERROR = -1, /* fatal capture error: nfc_engine_error() says which */
    NFC_NEXT_WOKEN = 2,  /* no flow: nfc_engine_wake asked for the caller's thread back; call again to go on */
};

/* Meters packets until a flow is finished. Flows come out with ids 0, 1, 2, … in emission order. */
enum nfc_next nfc_engine_next(struct nfc_engine *eng, const struct nfc_flow **flow);

/* Ends a live capture: the flows still in the table are emitted by the next calls of nfc_engine_next.
 * Async-signal-safe. */
void nfc_engine_stop(struct nfc_engine *eng);

/* Calls of one plugin hook and the monotonic time spent inside them, every meter thread together. */
struct nfc_plugin_hook_time {
    uint64_t calls;
    uint64_t ns;
};

struct nfc_plugin_times {
    const char *plugin; /* its descriptor's name */
    struct nfc_plugin_hook_time on_init, on_update, on_expire, on_release;
};

/* With plugin_timing, fills up to n entries, one per plugin in load order, and returns the number of plugins (0
 * without plugin_timing or plugins). Exact once nfc_engine_next has returned NFC_NEXT_END. */
size_t nfc_engine_plugin_times(const struct nfc_engine *eng, struct nfc_plugin_times *times, size_t n);

/* The plugin code running on the calling thread, for a report from a signal handler when a plugin crashes: its
 * descriptor's name, its path (or linked name) and the hook ("on_update", "setup", ...). Returns false when no
 * plugin code runs on this thread. Async-signal-safe. */
bool nfc_plugin_running(const char **name, const char **path, const char **hook);

/* Makes the nfc_engine_next in progress, or the next one, return NFC_NEXT_WOKEN once without a flow, so that the
 * caller's thread can act between two flows (the command reopens its files on SIGHUP). A live capture notices
 * within its read timeout (250 ms) even while no packet comes; a flow already finished is handed out first.
 * Async-signal-safe. */
void nfc_engine_wake(struct nfc_engine *eng);

/* Keeps the flow nfc_engine_next returned last beyond the next call: its values (nfc_flow_value) stay readable
 * until nfc_engine_release, also after nfc_engine_close. Returns 0, or -1 with a message on the engine when
 * `flow` is not that flow (an older one, or one already retained). */
int nfc_engine_retain(struct nfc_engine *eng, const struct nfc_flow *flow);

/* Gives a retained flow back; every retained flow is released once. After nfc_engine_close, the engine's last
 * memory goes with its last retained flow. */
void nfc_engine_release(struct nfc_engine *eng, const struct nfc_flow *flow);

/* The message of the engine's latest failure ("" when none). */
const char *nfc_engine_error(const struct nfc_engine *eng);

struct nfc_stats {
    uint64_t packets;         /* packets read from the source(s) */
    uint64_t ignored;         /* packets that did not parse (spec §2) */
    uint64_t dropped;         /* packets not metered: no memory for the flow record they would have started */
    uint64_t flows;           /* flows emitted */
    uint64_t flows_unwritten; /* flows still in the table when max_nflows stopped the run */
    uint64_t damaged_records; /* capture records skipped or cut off */
    uint64_t bytes_read;      /* bytes of the current capture file consumed so far */
    uint64_t file_size;       /* size of the current capture file (0 when live) */
    uint64_t peak_flows;      /* most flows in the table at once */
    uint64_t flow_bytes;      /* one flow record in this configuration (statistics, SPLT, plugin state) */
    uint64_t dpi_flow_bytes;  /* nDPI's state, held by a flow only while its dissection runs */
    uint64_t workers;         /* worker threads that did the flows' work (n_meters, or one per CPU for 0); 0 when
                                * the caller's thread did it all: one meter, or a plugin that may end flows */
    uint64_t kernel_dropped;  /* live: packets the kernel dropped (libpcap's ps_drop + ps_ifdrop), as of at most a
                                * read timeout (250 ms) or 16384 packets ago */
    uint64_t alloc_failures;  /* allocations that failed since the engine opened, the drops' included: flows written
                               * may then lack nDPI labels or plugin values. Counted for the whole process: engines
                               * running side by side see each other's */
};
void nfc_engine_stats(const struct nfc_engine *eng, struct nfc_stats *stats);

/* Packets each worker has been given so far (those of the flows it works on) into packets[0..n); one entry, every
 * packet that parsed, when the caller's thread does the flows' work. Returns the number of workers (entries).
 * For nfstream's performance report (meters_packets_processing_balance). */
size_t nfc_engine_worker_packets(const struct nfc_engine *eng, uint64_t *packets, size_t n);

/* Stops the engine and frees it. With flows still retained, what their values need stays until the last is
 * released; meanwhile `eng` may only be passed to nfc_engine_columns, nfc_flow_value, nfc_engine_release and
 * writers (which use only these). */
void nfc_engine_close(struct nfc_engine *eng);

/* Loads the configured plugins and writes each one's name, version, description and fields to `out`.
 * Returns 0, or -1 with a one-line message in `err`. */
int nfc_describe_plugins(const struct nfc_config *cfg, FILE *out, char *err, size_t errlen);

/* Versions of the libraries the engine runs on. */
const char *nfc_ndpi_version(void);
const char *nfc_pcap_version(void);

/* Columns: the flow record's fields in nfstream's order for the engine's configuration (spec §4.1), with what a
 * sink needs to know of each. Their values are struct nfc_value, of the one enum nfc_type (nfcore/plugin.h). */
struct nfc_column {
    const char *name;
    enum nfc_type type;
    bool may_be_missing; /* a value may be missing (written empty, null in JSON); else one is always there */
    const char *unit;    /* "ms", "bytes" or "packets"; NULL where none applies */
    /* The IANA IPFIX information element that holds this column, 0 where no standard one does. An NFC_TYPE_IP
     * column's element is IPv4's here and IPv6's in ipfix_id_ipv6. Counters of a direction are those of the
     * forward direction (src2dst) of a biflow (RFC 5103): dst2src has no standard element of its own. */
    uint16_t ipfix_id;
    uint16_t ipfix_id_ipv6;
};

size_t nfc_engine_columns(const struct nfc_engine *eng, const struct nfc_column **columns);
void nfc_flow_value(const struct nfc_engine *eng, const struct nfc_flow *flow, size_t column, struct nfc_value *value);
/* Whether the flow ended because the input did (the end of a capture file, a live capture stopped) rather than for
 * its expiration_id's reason: expiration_id stays nfstream's there (0, or a plugin's -1). */
bool nfc_flow_input_ended(const struct nfc_flow *flow);
/* The flow's IP bytes src2dst ([0]) and dst2src ([1]) as RFC 7012 counts them, when nfc_config.ip_octets asked
 * for them; returns false (octets untouched) otherwise. */
bool nfc_flow_ip_octets(const struct nfc_engine *eng, const struct nfc_flow *flow, uint64_t octets[2]);
/* Plugin `plugin`'s (its index in nfc_config.plugins) state in a flow, for the caller that linked it and so
 * knows its layout; NULL for a plugin without state. */
void *nfc_flow_plugin_state(const struct nfc_engine *eng, const struct nfc_flow *flow, size_t plugin);

/* Writers serialise flows in one format; the CSV header is written at open, so a run with no flow still
 * yields a header. */
enum nfc_format {
    NFC_FORMAT_CSV,
    NFC_FORMAT_JSONL,
};

struct nfc_writer;
/* Returns NULL with a message in `err` for an unknown format, when memory runs out or the header cannot be
 * written. The FILE stays the caller's. */
struct nfc_writer *nfc_writer_open(const struct nfc_engine *eng, enum nfc_format format, FILE *out, char *err,
                                   size_t errlen);
/* Returns 0, or -1 with a message on the writer ("write failed: No space left on device"); after a failure every
 * later write fails too. */
int nfc_writer_write(struct nfc_writer *w, const struct nfc_flow *flow);
/* The message of the writer's first failure ("" when none). */
const char *nfc_writer_error(const struct nfc_writer *w);
/* Flows written so far. */
uint64_t nfc_writer_flows(const struct nfc_writer *w);

/* A writer that creates its own files: nfstream's to_csv chunks and rotation, and the command's -o with
 * --flows-per-file / --rotate-files. */
struct nfc_file_output {
    const char *path; /* copied at open */
    enum nfc_format format;
    uint64_t flows_per_file; /* 0: everything in `path`; N: N flows per file, each with its own header */
    uint64_t rotate_files;   /* 0: chunks 0, 1, 2, ...; K: chunk k goes to file k mod K (overwritten) */
    bool lazy;               /* a file is created only with its first flow (no flow: no file) */
};

/* Chunk k of `path` lies in: the path with its final ".csv" (".jsonl" for JSON lines) replaced by ".<k>.csv"
 * (".<k>.jsonl"), or that appended when the path does not end in it ("flows.csv" -> "flows.3.csv", "out" ->
 * "out.3.csv"). Writes the name into buf as snprintf does and returns its whole length. */
size_t nfc_file_output_chunk_path(const char *path, enum nfc_format format, uint64_t k, char *buf, size_t size);

/* Opens a writer over files of its own, as `output` says (chunks when flows_per_file is not 0, each with the
 * header); unless lazy, the first file is created now. Files are line-buffered on live capture. Returns NULL
 * with a message in `err` ("out/flows.csv: No such file or directory"). A file that cannot be created later
 * fails nfc_writer_write with that message on the writer. */
struct nfc_writer *nfc_writer_open_path(const struct nfc_engine *eng, const struct nfc_file_output *output, char *err,
                                        size_t errlen);

/* Log rotation (the command's SIGHUP), between two writes: closes the writer's open file and opens the next one.
 * With flows_per_file, that is the next chunk; otherwise `path` again, appended to, its header written only when
 * the file is new or empty, so that a file renamed away is followed by a new one and a file left in place keeps
 * its rows. Does nothing for a writer over the caller's FILE or one with no file open yet (lazy). Returns 0, or -1
 * with a message on the writer (then every later write fails too). */
int nfc_writer_reopen(struct nfc_writer *w);

/* A value as Python's str() writes it (what nfstream's CSV holds between its quotes, and what its anonymisation
 * hashes): integers in decimal, floats as repr(float), strings as they are, addresses and MACs as text, lists as
 * Python prints them ("[1, -1]", "['a', 'b']"). Writes at most size bytes including a NUL into buf and returns
 * the length of the whole text (as snprintf does). A missing value gives "". */
size_t nfc_value_text(const struct nfc_value *v, char *buf, size_t size);

/* Flushes and frees the writer (not the caller's FILE; its own files are closed). Returns 0, or -1 with the message
 * of its first failure (a write, or this flush) in `err`. After a failure (a full disk), a regular file, the
 * caller's included, is cut back to its last complete row: it holds only whole records. */
int nfc_writer_close(struct nfc_writer *w, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#pragma GCC visibility pop

#endif
