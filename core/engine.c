/* libnfcore's public API: a source, the flow table, the flows' work and the output schema, pulled one flow at a
 * time. The caller's thread reads packets and owns the flow table; the flows' work is done on that thread with
 * one worker, or by N worker threads, from which the caller takes the expired flows back in the table's order. */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <nfcore/nfcore.h>

#include "anonymize/anonymize.h"
#include "decode/decode.h"
#include "dpi/columns.h"
#include "dpi/dpi.h"
#include "export/writer.h"
#include "flow/cache.h"
#include "flow/columns.h"
#include "plugin/host.h"
#include "schema/schema.h"
#include "source/capture.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "workers/workers.h"

struct nfc_engine {
    struct nfc_config cfg; /* its arrays and strings point into cfg_copy, its key into anonymize_key */
    void *cfg_copy;
    uint8_t anonymize_key[NFC_ANONYMIZE_KEY_BYTES];
    struct nfc_capture *capture;
    struct nfc_flow_params params; /* the records' layout, and the hooks (nDPI, plugins) it owns */
    struct nfc_flow_cache cache;   /* the flow table */
    struct nfc_schema schema;
    const struct nfc_plugin_host *plugins; /* owned by params.hooks; NULL without plugins */
    struct nfc_dpi *dpi;                   /* owned by params.hooks; NULL without nDPI */
    struct nfc_workers *workers;           /* NULL with one worker; worker 0 runs the engine's hooks */
    unsigned n_workers;                    /* worker threads started: 0 when the caller's thread does the flows' work */
    struct nfc_flow *handed_out;           /* the flow the caller holds until its next call */
    uint64_t retained;                     /* flows the caller keeps until nfc_engine_release */
    bool closed;                           /* nfc_engine_close ran; the rest goes with the last retained flow */
    bool end_reported;                     /* the end-of-run warnings were given */
    /* Written by the caller's thread alone; atomic so that a performance report may read them from another. */
    _Atomic uint64_t packets;
    _Atomic uint64_t ignored;
    _Atomic uint64_t flows;
    uint64_t published_ms; /* live: when the workers were last sent what was batched */
    uint64_t unwritten;
    _Atomic int woken; /* nfc_engine_wake: the caller wants its thread back between two flows */
    bool input_done;   /* every packet has been metered and every flow ended */
    bool failed;       /* ... because of a capture error */
    bool limit_reached;
    uint64_t alloc_failures; /* nfc_alloc_failures() when the engine opened */
    char error[512];
};

enum { LIVE_PUBLISH_MS = 100 };

static size_t strings_size(const char *const *s, size_t n)
{
    size_t size = 0;
    for (size_t i = 0; i < n; i++)
        size += s[i] ? strlen(s[i]) + 1 : 0;
    return size;
}

/* Copies n strings to `text` (moved past them) and points dst at the copies. */
static void copy_strings(const char **dst, const char *const *src, size_t n, char **text)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = NULL;
        if (!src[i])
            continue;
        size_t size = strlen(src[i]) + 1;
        dst[i] = memcpy(*text, src[i], size);
        *text += size;
    }
}

/* The engine's own copy of the configuration, its arrays and strings in one block: the capture reads file names
 * and the filter long after nfc_engine_open, and the caller's need not outlive that call. */
static int copy_config(struct nfc_engine *eng, const struct nfc_config *cfg)
{
    size_t n = cfg->n_files + cfg->n_plugins + cfg->n_anonymize;
    const char *single[2] = {cfg->interface, cfg->bpf_filter};
    size_t links = cfg->plugin_links ? cfg->n_plugins * sizeof *cfg->plugin_links : 0;
    size_t size = links + (n + 2) * sizeof(char *) + strings_size(cfg->files, cfg->n_files) +
                  strings_size(cfg->plugins, cfg->n_plugins) + strings_size(cfg->anonymize, cfg->n_anonymize) +
                  strings_size(single, 2);
    const char **ptrs = nfc_malloc(size);
    if (!ptrs)
        return -1;
    struct nfc_plugin_link *linked = (struct nfc_plugin_link *)(ptrs + n + 2);
    char *text = (char *)linked + links;
    const char **anonymize = ptrs + cfg->n_files + cfg->n_plugins;
    copy_strings(ptrs, cfg->files, cfg->n_files, &text);
    copy_strings(ptrs + cfg->n_files, cfg->plugins, cfg->n_plugins, &text);
    copy_strings(anonymize, cfg->anonymize, cfg->n_anonymize, &text);
    copy_strings(ptrs + n, single, 2, &text);
    eng->cfg = *cfg;
    eng->cfg_copy = ptrs;
    eng->cfg.files = cfg->files ? ptrs : NULL;
    eng->cfg.plugins = cfg->plugins ? ptrs + cfg->n_files : NULL;
    eng->cfg.anonymize = cfg->anonymize ? anonymize : NULL;
    eng->cfg.plugin_links = cfg->plugin_links ? memcpy(linked, cfg->plugin_links, links) : NULL;
    eng->cfg.interface = ptrs[n];
    eng->cfg.bpf_filter = ptrs[n + 1];
    if (cfg->anonymize_key) {
        memcpy(eng->anonymize_key, cfg->anonymize_key, sizeof eng->anonymize_key);
        eng->cfg.anonymize_key = eng->anonymize_key;
    }
    return 0;
}

static unsigned available_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    return 1;
}

/* A hook that may end flows decides which flow the next packet joins, so it runs where the table is decided: such
 * configurations use one worker. */
static unsigned worker_count(const struct nfc_config *cfg, const struct nfc_flow_hooks *hooks)
{
    if (hooks->flags & NFC_HOOK_MAY_EXPIRE)
        return 1;
    return cfg->n_meters ? cfg->n_meters : available_cpus();
}

/* nDPI's hooks, first (plugins see the labels, spec §7), and its columns after the flow layer's. */
static int register_dpi(struct nfc_engine *eng, char *err, size_t errlen)
{
    if (eng->cfg.n_dissections == 0)
        return 0;
    struct nfc_dpi *dpi = nfc_dpi_open((uint8_t)eng->cfg.n_dissections);
    if (!dpi)
        return nfc_errorf(err, errlen, "cannot initialise nDPI");
    nfc_dpi_register(dpi, &eng->params);
    eng->dpi = dpi;
    if (nfc_dpi_register_columns(&eng->schema, nfc_dpi_result_offset(dpi)) < 0)
        return nfc_errorf(err, errlen, "out of memory");
    return 0;
}

/* The plugins' hooks, after every other, and their columns. */
static int register_plugins(struct nfc_engine *eng, char *err, size_t errlen)
{
    struct nfc_plugin_host *plugins;
    if (nfc_plugins_load(&plugins, &eng->cfg, &eng->schema, err, errlen) < 0)
        return -1;
    if (!plugins)
        return 0;
    nfc_plugins_register(plugins, &eng->params);
    eng->plugins = plugins;
    if (eng->dpi)
        nfc_dpi_label_every_packet(eng->dpi); /* plugins read the labels as they stand */
    if (nfc_plugins_register_columns(plugins, &eng->schema) < 0)
        return nfc_errorf(err, errlen, "out of memory");
    return 0;
}

static int start_workers(struct nfc_engine *eng, char *err, size_t errlen)
{
    unsigned n = worker_count(&eng->cfg, &eng->params.hooks);
    if (n == 1)
        return 0;
    eng->workers = nfc_workers_start(n, &eng->params, err, errlen);
    if (!eng->workers)
        return -1;
    eng->cache.work = nfc_workers_work(eng->workers);
    eng->n_workers = n;
    return 0;
}

struct nfc_engine *nfc_engine_open(const struct nfc_config *cfg, char *err, size_t errlen)
{
    if (nfc_config_validate(cfg, err, errlen) < 0)
        return NULL;
    struct nfc_engine *eng = nfc_calloc(1, sizeof *eng);
    if (!eng || copy_config(eng, cfg) < 0) {
        nfc_free(eng);
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    eng->params = (struct nfc_flow_params){
        .accounting_mode = (uint8_t)cfg->accounting_mode,
        .statistics = cfg->statistical_analysis,
        .splt = (uint16_t)cfg->splt_analysis,
        .community_id = cfg->community_id,
        .community_id_seed = (uint16_t)cfg->community_id_seed,
        .ip_octets = cfg->ip_octets,
    };
    if (cfg->community_id)
        nfc_community_id_init();
    struct nfc_cache_limits limits = {
        .idle_ms = cfg->idle_timeout * 1000,
        .active_ms = cfg->active_timeout * 1000,
        .capacity = cfg->capacity,
        .expire_on_tcp_end = cfg->expire_on_tcp_end,
    };
    /* The getters read the records through eng->params, whose layout is final before any flow exists. */
    if (nfc_flow_register_columns(&eng->schema, &eng->cfg, &eng->params) < 0) {
        nfc_errorf(err, errlen, "out of memory");
        goto fail;
    }
    /* Anonymisation last: its digests are made after every other hook's expire, of the plugins' columns too. */
    if (register_dpi(eng, err, errlen) < 0 || register_plugins(eng, err, errlen) < 0 ||
        nfc_anonymize_register(&eng->schema, &eng->params, eng->cfg.anonymize, eng->cfg.n_anonymize,
                               eng->cfg.anonymize_key, err, errlen) < 0)
        goto fail;
    nfc_flow_params_layout(&eng->params);
    if (nfc_cache_init(&eng->cache, &eng->params, &limits, NULL) < 0) {
        nfc_errorf(err, errlen, "out of memory");
        goto fail;
    }
    eng->capture = nfc_capture_open(&eng->cfg, err, errlen);
    if (!eng->capture || start_workers(eng, err, errlen) < 0)
        goto fail;
    eng->alloc_failures = nfc_alloc_failures();
    return eng;

fail:
    nfc_engine_close(eng);
    return NULL;
}

static uint64_t load(const _Atomic uint64_t *counter)
{
    return atomic_load_explicit(counter, memory_order_relaxed);
}

/* Adds one to a counter of the caller's thread: a relaxed store, as that thread is the only writer. Returns the
 * count before. */
static uint64_t count(_Atomic uint64_t *counter)
{
    uint64_t n = load(counter);
    atomic_store_explicit(counter, n + 1, memory_order_relaxed);
    return n;
}

/* The table's side of one capture event. Returns false once the input has ended (every flow then expired). */
static bool table_step(struct nfc_engine *eng)
{
    struct nfc_frame frame;
    switch (nfc_capture_next(eng->capture, &frame)) {
    case NFC_CAPTURE_FRAME: {
        count(&eng->packets);
        struct nfc_packet pkt;
        if (!nfc_decode(frame.data, frame.caplen, frame.wirelen, frame.dlt, eng->cfg.decode_tunnels, &pkt)) {
            count(&eng->ignored);
            return true;
        }
        pkt.time_ms = frame.time_ms;
        nfc_cache_packet(&eng->cache, &pkt);
        /* Live, flows ended by a steady trickle of packets reach the workers within LIVE_PUBLISH_MS. */
        if (eng->workers && eng->cfg.interface && frame.time_ms - eng->published_ms >= LIVE_PUBLISH_MS) {
            nfc_workers_publish(eng->workers);
            eng->published_ms = frame.time_ms;
        }
        return true;
    }
    case NFC_CAPTURE_TIMEOUT:
        nfc_cache_advance(&eng->cache, nfc_wall_clock_ms());
        if (eng->workers) /* live: ended flows go to the workers now, not a batch later */
            nfc_workers_publish(eng->workers);
        return true;
    case NFC_CAPTURE_ERROR:
        /* The flows metered so far are still written; the error is reported after them. */
        nfc_errorf(eng->error, sizeof eng->error, "%s", nfc_capture_error(eng->capture));
        eng->failed = true;
        break;
    case NFC_CAPTURE_END: break;
    }
    nfc_cache_flush(&eng->cache);
    if (eng->workers)
        nfc_workers_publish(eng->workers);
    return false;
}

/* With worker threads, a flow they have finished is taken as soon as it is ready, and reading goes on while they
 * work. */
static bool woken(const struct nfc_engine *eng)
{
    return atomic_load_explicit(&eng->woken, memory_order_relaxed) != 0;
}

/* The next expired flow: metering packets until one is, or the input ends, or the caller wakes the engine (then
 * NULL with input_done still false). */
static struct nfc_flow *next_expired(struct nfc_engine *eng)
{
    if (!eng->workers) {
        while (nfc_queue_empty(&eng->cache.out) && !eng->input_done && !woken(eng))
            eng->input_done = !table_step(eng);
        return nfc_cache_pop(&eng->cache);
    }
    for (;;) {
        struct nfc_flow *f = nfc_workers_try_next(eng->workers);
        if (f || eng->input_done || nfc_workers_backlogged(eng->workers))
            return f ? f : nfc_workers_wait_next(eng->workers);
        if (woken(eng))
            return NULL;
        eng->input_done = !table_step(eng);
    }
}

/* Flows metered but never handed out, once the limit stopped the run. */
static uint64_t flows_left(const struct nfc_engine *eng)
{
    uint64_t left = nfc_cache_pending(&eng->cache);
    return eng->workers ? left + nfc_workers_in_flight(eng->workers) : left;
}

/* Allocations failed since the engine opened. The count is the process's: one handled after this engine opened
 * may have failed before it, hence the floor. */
static uint64_t alloc_failures_since_open(const struct nfc_engine *eng)
{
    uint64_t now = nfc_alloc_failures();
    return now > eng->alloc_failures ? now - eng->alloc_failures : 0;
}

/* The run is over: what it could not meter is said once, after the last flow. */
static enum nfc_next end_of_run(struct nfc_engine *eng)
{
    uint64_t failed = alloc_failures_since_open(eng);
    if (!eng->end_reported && eng->cache.dropped)
        nfc_warnf(eng->cfg.on_warning, eng->cfg.warning_ctx, "%llu packets dropped: no memory for their flow records",
                  (unsigned long long)eng->cache.dropped);
    else if (!eng->end_reported && failed)
        nfc_warnf(eng->cfg.on_warning, eng->cfg.warning_ctx,
                  "%llu allocations failed: flows written may lack nDPI labels or plugin values",
                  (unsigned long long)failed);
    uint64_t kernel_dropped = nfc_capture_kernel_dropped(eng->capture);
    if (!eng->end_reported && kernel_dropped)
        nfc_warnf(eng->cfg.on_warning, eng->cfg.warning_ctx,
                  "%llu packets dropped by the kernel before they were read (capture buffer full: see "
                  "socket-buffer-size)",
                  (unsigned long long)kernel_dropped);
    eng->end_reported = true;
    return eng->failed ? NFC_NEXT_ERROR : NFC_NEXT_END;
}

enum nfc_next nfc_engine_next(struct nfc_engine *eng, const struct nfc_flow **flow)
{
    if (eng->handed_out) {
        nfc_cache_recycle(&eng->cache, eng->handed_out);
        eng->handed_out = NULL;
    }
    if (eng->limit_reached)
        return end_of_run(eng);
    struct nfc_flow *f = next_expired(eng);
    if (!f && atomic_exchange_explicit(&eng->woken, 0, memory_order_relaxed))
        return NFC_NEXT_WOKEN;
    if (!f)
        return end_of_run(eng);
    f->id = count(&eng->flows);
    eng->handed_out = f;
    eng->schema.final = true; /* the columns the caller reads this flow by stay as they are */
    *flow = f;
    if (eng->cfg.max_nflows && f->id + 1 == eng->cfg.max_nflows) {
        eng->limit_reached = true;
        eng->unwritten = flows_left(eng);
        if (eng->unwritten)
            nfc_warnf(eng->cfg.on_warning, eng->cfg.warning_ctx,
                      "max-nflows %llu reached: %llu flows still in the table were not written",
                      (unsigned long long)eng->cfg.max_nflows, (unsigned long long)eng->unwritten);
    }
    return NFC_NEXT_FLOW;
}

void nfc_engine_stop(struct nfc_engine *eng)
{
    nfc_capture_stop(eng->capture);
}

size_t nfc_engine_plugin_times(const struct nfc_engine *eng, struct nfc_plugin_times *times, size_t n)
{
    return nfc_plugins_times(eng->plugins, times, n);
}

void nfc_engine_wake(struct nfc_engine *eng)
{
    atomic_store_explicit(&eng->woken, 1, memory_order_relaxed);
}

const char *nfc_engine_error(const struct nfc_engine *eng)
{
    return eng->error;
}

void nfc_engine_stats(const struct nfc_engine *eng, struct nfc_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->packets = load(&eng->packets);
    stats->ignored = load(&eng->ignored);
    stats->dropped = eng->cache.dropped;
    stats->flows = load(&eng->flows);
    stats->flows_unwritten = eng->unwritten;
    stats->damaged_records = nfc_capture_damaged(eng->capture);
    nfc_capture_progress(eng->capture, &stats->bytes_read, &stats->file_size);
    stats->peak_flows = eng->cache.peak_flows;
    stats->flow_bytes = eng->cache.pool.record_size;
    stats->dpi_flow_bytes = eng->cfg.n_dissections ? nfc_dpi_flow_size() : 0;
    stats->workers = eng->n_workers;
    stats->kernel_dropped = nfc_capture_kernel_dropped(eng->capture);
    stats->alloc_failures = alloc_failures_since_open(eng);
}

size_t nfc_engine_worker_packets(const struct nfc_engine *eng, uint64_t *packets, size_t n)
{
    if (eng->workers)
        return nfc_workers_packets(eng->workers, packets, n);
    if (n > 0) /* the caller's thread meters every packet that parsed */
        packets[0] = load(&eng->packets) - load(&eng->ignored);
    return 1;
}

static void release_flow(void *ctx, struct nfc_flow *f)
{
    nfc_cache_recycle(&((struct nfc_engine *)ctx)->cache, f);
}

/* What a retained flow's values and release need: the records' pool, the plugins and the columns. */
static void free_engine(struct nfc_engine *eng)
{
    nfc_cache_free(&eng->cache);
    nfc_flow_hooks_close(&eng->params.hooks);
    nfc_schema_free(&eng->schema);
    nfc_free(eng->cfg_copy);
    nfc_free(eng);
}

int nfc_engine_retain(struct nfc_engine *eng, const struct nfc_flow *flow)
{
    if (!flow || flow != eng->handed_out)
        return nfc_errorf(eng->error, sizeof eng->error,
                          "cannot retain a flow other than the one nfc_engine_next returned last");
    eng->handed_out = NULL;
    eng->retained++;
    return 0;
}

void nfc_engine_release(struct nfc_engine *eng, const struct nfc_flow *flow)
{
    /* The record is the engine's; the caller only ever had it to read. */
    release_flow(eng, (struct nfc_flow *)flow);
    if (--eng->retained == 0 && eng->closed)
        free_engine(eng);
}

void nfc_engine_close(struct nfc_engine *eng)
{
    if (!eng)
        return;
    if (eng->handed_out)
        release_flow(eng, eng->handed_out);
    if (eng->workers)
        nfc_workers_stop(eng->workers, release_flow, eng);
    nfc_cache_clear(&eng->cache);
    nfc_capture_close(eng->capture);
    eng->closed = true;
    if (!eng->retained)
        free_engine(eng);
}

size_t nfc_engine_columns(const struct nfc_engine *eng, const struct nfc_column **columns)
{
    *columns = eng->schema.columns;
    return eng->schema.count;
}

struct nfc_writer *nfc_writer_open(const struct nfc_engine *eng, enum nfc_format format, FILE *out, char *err,
                                   size_t errlen)
{
    return nfc_writer_open_schema(&eng->schema, format, out, err, errlen);
}

struct nfc_writer *nfc_writer_open_path(const struct nfc_engine *eng, const struct nfc_file_output *output, char *err,
                                        size_t errlen)
{
    return nfc_writer_open_files(&eng->schema, output, eng->cfg.interface != NULL, err, errlen);
}

void nfc_flow_value(const struct nfc_engine *eng, const struct nfc_flow *flow, size_t column, struct nfc_value *value)
{
    nfc_schema_value(&eng->schema, flow, column, value);
}

bool nfc_flow_input_ended(const struct nfc_flow *flow)
{
    return flow->input_ended;
}

bool nfc_flow_ip_octets(const struct nfc_engine *eng, const struct nfc_flow *flow, uint64_t octets[2])
{
    if (!eng->params.ip_octets)
        return false;
    memcpy(octets, flow->ext + eng->params.ip_octets_off, 2 * sizeof(uint64_t));
    return true;
}

void *nfc_flow_plugin_state(const struct nfc_engine *eng, const struct nfc_flow *flow, size_t plugin)
{
    return nfc_plugins_state(eng->plugins, flow, plugin);
}

int nfc_describe_plugins(const struct nfc_config *cfg, FILE *out, char *err, size_t errlen)
{
    struct nfc_schema schema;
    struct nfc_plugin_host *plugins;
    nfc_schema_init(&schema);
    /* Only names are looked up: no getter runs, so no record layout is needed. */
    if (nfc_flow_register_columns(&schema, cfg, NULL) < 0 ||
        (cfg->n_dissections > 0 && nfc_dpi_register_columns(&schema, 0) < 0)) {
        nfc_schema_free(&schema);
        nfc_errorf(err, errlen, "out of memory");
        return -1;
    }
    int rc = nfc_plugins_load(&plugins, cfg, &schema, err, errlen);
    if (rc == 0 && plugins)
        nfc_plugins_describe(plugins, out);
    else if (rc == 0)
        nfc_errorf(err, errlen, "no plugin to describe: give one with --plugin");
    nfc_plugins_unload(plugins);
    nfc_schema_free(&schema);
    return rc == 0 && plugins ? 0 : -1;
}

const char *nfc_ndpi_version(void)
{
    return nfc_dpi_library_version();
}

const char *nfc_pcap_version(void)
{
    return pcap_lib_version();
}
