/* libnfcore's public API: a source, the flow table, the flows' work and the output schema, pulled one flow at a
 * time. The caller's thread reads packets and owns the flow table; the flows' work is done on that thread with
 * one worker, or by N worker threads, from which the caller takes the expired flows back in the table's order. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <nfcore/nfcore.h>

#include "source/capture.h"
#include "util/clock.h"
#include "util/error.h"
#include "decode/decode.h"
#include "dpi/dpi.h"
#include "schema/schema.h"
#include "flow/cache.h"
#include "workers/workers.h"
#include "plugin/host.h"

struct nfc_engine {
    struct nfc_config cfg;
    struct nfc_capture *capture;
    struct nfc_dpi *dpi;           /* one worker only; worker threads have their own */
    struct nfc_flow_cache cache;         /* the flow table */
    struct nfc_schema schema;
    struct nfc_plugin_host *plugins;
    struct nfc_workers *workers;     /* NULL with one worker */
    struct nfc_flow *handed_out;   /* the flow the caller holds until its next call */
    uint64_t packets;
    uint64_t ignored;
    uint64_t flows;
    uint64_t published_ms;         /* live: when the workers were last sent what was batched */
    uint64_t unwritten;
    bool input_done;               /* every packet has been metered and every flow ended */
    bool failed;                   /* ... because of a capture error */
    bool limit_reached;
    char error[512];
};

enum { LIVE_PUBLISH_MS = 100 };

static unsigned available_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    return 1;
}

/* A plugin that may end flows decides which flow the next packet joins, so its hooks run where the table is
 * decided: such configurations use one worker. */
static unsigned meter_count(const struct nfc_config *cfg, const struct nfc_plugin_host *plugins)
{
    if (nfc_plugins_may_expire(plugins))
        return 1;
    return cfg->n_meters ? cfg->n_meters : available_cpus();
}

static int start_meters(struct nfc_engine *eng, unsigned n, char *err, size_t errlen)
{
    struct nfc_workers_setup setup = {
        .n = n,
        .cfg = &eng->cfg,
        .params = &eng->cache.params,
        .plugins = eng->plugins,
        .schema = &eng->schema,
    };
    eng->workers = nfc_workers_start(&setup, err, errlen);
    if (!eng->workers)
        return -1;
    eng->cache.work = nfc_workers_work(eng->workers);
    return 0;
}

struct nfc_engine *nfc_engine_open(const struct nfc_config *cfg, char *err, size_t errlen)
{
    if (nfc_config_validate(cfg, err, errlen) < 0)
        return NULL;
    struct nfc_engine *eng = calloc(1, sizeof *eng);
    if (!eng) {
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    eng->cfg = *cfg;

    struct nfc_flow_params params = {
        .accounting_mode = (uint8_t)cfg->accounting_mode,
        .statistics = cfg->statistical_analysis,
        .splt = (uint16_t)cfg->splt_analysis,
    };
    if (nfc_schema_build(&eng->schema, cfg) < 0) {
        nfc_errorf(err, errlen, "out of memory");
        goto fail;
    }
    if (nfc_plugins_load(&eng->plugins, cfg, &eng->schema, err, errlen) < 0)
        goto fail;
    unsigned n_meters = meter_count(cfg, eng->plugins);
    if (cfg->n_dissections > 0 && n_meters == 1) {
        eng->dpi = nfc_dpi_open((uint8_t)cfg->n_dissections);
        if (!eng->dpi) {
            nfc_errorf(err, errlen, "cannot initialise nDPI");
            goto fail;
        }
        params.dpi = eng->dpi;
    }
    params.plugins = eng->plugins;
    nfc_flow_params_layout(&params);
    struct nfc_cache_limits limits = {
        .idle_ms = cfg->idle_timeout * 1000,
        .active_ms = cfg->active_timeout * 1000,
        .capacity = cfg->capacity,
        .expire_on_tcp_end = cfg->expire_on_tcp_end,
    };
    if (nfc_cache_init(&eng->cache, &params, &limits, NULL) < 0 ||
        nfc_schema_add_plugins(&eng->schema, eng->plugins) < 0) {
        nfc_errorf(err, errlen, "out of memory");
        goto fail;
    }
    if (eng->plugins)
        nfc_plugins_bind(eng->plugins, &eng->cache.params);
    eng->capture = nfc_capture_open(&eng->cfg, err, errlen);
    if (!eng->capture)
        goto fail;
    if (n_meters > 1 && start_meters(eng, n_meters, err, errlen) < 0)
        goto fail;
    return eng;

fail:
    nfc_engine_close(eng);
    return NULL;
}

/* The table's side of one capture event. Returns false once the input has ended (every flow then expired). */
static bool table_step(struct nfc_engine *eng)
{
    struct nfc_frame frame;
    switch (nfc_capture_next(eng->capture, &frame)) {
    case NFC_CAPTURE_FRAME: {
        eng->packets++;
        struct nfc_packet pkt;
        if (!nfc_decode(frame.data, frame.caplen, frame.wirelen, frame.dlt, eng->cfg.decode_tunnels, &pkt)) {
            eng->ignored++;
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
    case NFC_CAPTURE_END:
        break;
    }
    nfc_cache_flush(&eng->cache);
    if (eng->workers)
        nfc_workers_publish(eng->workers);
    return false;
}

/* The next expired flow: metering packets until one is, or the input ends. With worker threads, a flow they have
 * finished is taken as soon as it is ready, and reading goes on while they work. */
static struct nfc_flow *next_expired(struct nfc_engine *eng)
{
    if (!eng->workers) {
        while (nfc_queue_empty(&eng->cache.out) && !eng->input_done)
            eng->input_done = !table_step(eng);
        return nfc_cache_pop(&eng->cache);
    }
    for (;;) {
        struct nfc_flow *f = nfc_workers_try_next(eng->workers);
        if (f || eng->input_done || nfc_workers_backlogged(eng->workers))
            return f ? f : nfc_workers_wait_next(eng->workers);
        eng->input_done = !table_step(eng);
    }
}

/* Flows metered but never handed out, once the limit stopped the run. */
static uint64_t flows_left(const struct nfc_engine *eng)
{
    uint64_t left = nfc_cache_pending(&eng->cache);
    return eng->workers ? left + nfc_workers_in_flight(eng->workers) : left;
}

enum nfc_next nfc_engine_next(struct nfc_engine *eng, const struct nfc_flow **flow)
{
    if (eng->handed_out) {
        nfc_cache_recycle(&eng->cache, eng->handed_out);
        eng->handed_out = NULL;
    }
    if (eng->limit_reached)
        return NFC_NEXT_END;
    struct nfc_flow *f = next_expired(eng);
    if (!f)
        return eng->failed ? NFC_NEXT_ERROR : NFC_NEXT_END;
    f->id = eng->flows++;
    eng->handed_out = f;
    *flow = f;
    if (eng->cfg.max_nflows && eng->flows == eng->cfg.max_nflows) {
        eng->limit_reached = true;
        eng->unwritten = flows_left(eng);
        if (eng->unwritten)
            nfc_warnf(eng->cfg.on_warning, eng->cfg.warning_ctx, "max-nflows %llu reached: %llu flows still in the table were not written",
                 (unsigned long long)eng->cfg.max_nflows, (unsigned long long)eng->unwritten);
    }
    return NFC_NEXT_FLOW;
}

void nfc_engine_stop(struct nfc_engine *eng)
{
    nfc_capture_stop(eng->capture);
}

const char *nfc_engine_error(const struct nfc_engine *eng)
{
    return eng->error;
}

void nfc_engine_stats(const struct nfc_engine *eng, struct nfc_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->packets = eng->packets;
    stats->ignored = eng->ignored;
    stats->flows = eng->flows;
    stats->flows_unwritten = eng->unwritten;
    stats->damaged_records = nfc_capture_damaged(eng->capture);
    nfc_capture_progress(eng->capture, &stats->bytes_read, &stats->file_size);
    stats->peak_flows = eng->cache.peak_flows;
    stats->flow_bytes = eng->cache.pool.record_size;
    stats->dpi_flow_bytes = eng->cfg.n_dissections ? nfc_dpi_flow_size() : 0;
}

static void release_flow(void *ctx, struct nfc_flow *f)
{
    nfc_cache_recycle(&((struct nfc_engine *)ctx)->cache, f);
}

void nfc_engine_close(struct nfc_engine *eng)
{
    if (!eng)
        return;
    if (eng->handed_out)
        release_flow(eng, eng->handed_out);
    if (eng->workers)
        nfc_workers_stop(eng->workers, release_flow, eng);
    nfc_cache_free(&eng->cache);
    nfc_plugins_unload(eng->plugins);
    nfc_schema_free(&eng->schema);
    nfc_capture_close(eng->capture);
    nfc_dpi_close(eng->dpi);
    free(eng);
}

size_t nfc_engine_columns(const struct nfc_engine *eng, const struct nfc_column **columns)
{
    *columns = eng->schema.columns;
    return eng->schema.count;
}

void nfc_flow_value(const struct nfc_engine *eng, const struct nfc_flow *flow, size_t column, struct nfc_value *value)
{
    nfc_schema_value(&eng->schema, &eng->cache.params, flow, column, value);
}

int nfc_describe_plugins(const struct nfc_config *cfg, FILE *out, char *err, size_t errlen)
{
    struct nfc_schema schema;
    struct nfc_plugin_host *plugins;
    if (nfc_schema_build(&schema, cfg) < 0) {
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
