/* libnfcore's public API: a source, one meter and the output schema, pulled one flow at a time. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include <nfcore/nfcore.h>

#include "capture.h"
#include "decode.h"
#include "dpi.h"
#include "export/columns.h"
#include "meter.h"
#include "plugin_host.h"

struct nfc_engine {
    struct nfc_config cfg;
    struct nfc_capture *capture;
    struct nfc_dpi *dpi;
    struct nfc_meter meter;
    struct nfc_schema schema;
    struct nfc_plugin_host *plugins;
    struct nfc_flow *handed_out;   /* the flow the caller holds until its next call */
    uint64_t packets;
    uint64_t ignored;
    uint64_t flows;
    uint64_t unwritten;
    bool input_done;
    bool limit_reached;
    char error[512];
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

struct nfc_engine *nfc_engine_open(const struct nfc_config *cfg, char *err, size_t errlen)
{
    if (nfc_config_validate(cfg, err, errlen) < 0)
        return NULL;
    struct nfc_engine *eng = calloc(1, sizeof *eng);
    if (!eng) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    eng->cfg = *cfg;

    struct nfc_flow_params params = {
        .accounting_mode = (uint8_t)cfg->accounting_mode,
        .statistics = cfg->statistical_analysis,
        .splt = (uint16_t)cfg->splt_analysis,
    };
    if (cfg->n_dissections > 0) {
        eng->dpi = nfc_dpi_open((uint8_t)cfg->n_dissections);
        if (!eng->dpi) {
            fail(err, errlen, "cannot initialise nDPI");
            goto fail;
        }
        params.dpi = eng->dpi;
    }
    if (nfc_schema_build(&eng->schema, cfg) < 0) {
        fail(err, errlen, "out of memory");
        goto fail;
    }
    if (nfc_plugins_load(&eng->plugins, cfg, &eng->schema, err, errlen) < 0)
        goto fail;
    params.plugins = eng->plugins;
    nfc_flow_params_layout(&params);
    struct nfc_meter_limits limits = {
        .idle_ms = cfg->idle_timeout * 1000,
        .active_ms = cfg->active_timeout * 1000,
        .capacity = cfg->capacity,
        .expire_on_tcp_end = cfg->expire_on_tcp_end,
    };
    if (nfc_meter_init(&eng->meter, &params, &limits, NULL) < 0 ||
        nfc_schema_add_plugins(&eng->schema, eng->plugins) < 0) {
        fail(err, errlen, "out of memory");
        goto fail;
    }
    if (eng->plugins)
        nfc_plugins_bind(eng->plugins, &eng->meter.params);
    eng->capture = nfc_capture_open(&eng->cfg, err, errlen);
    if (!eng->capture)
        goto fail;
    return eng;

fail:
    nfc_engine_close(eng);
    return NULL;
}

static uint64_t wall_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void warn(const struct nfc_engine *eng, const char *fmt, ...)
{
    if (!eng->cfg.on_warning)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    eng->cfg.on_warning(eng->cfg.warning_ctx, msg);
}

/* Feeds packets to the meter until a flow is finished or the input ends. */
static enum nfc_next meter_until_flow(struct nfc_engine *eng)
{
    while (!eng->meter.out_head && !eng->input_done) {
        struct nfc_frame frame;
        switch (nfc_capture_next(eng->capture, &frame)) {
        case NFC_CAPTURE_FRAME: {
            eng->packets++;
            struct nfc_packet pkt;
            if (!nfc_decode(frame.data, frame.caplen, frame.wirelen, frame.dlt, eng->cfg.decode_tunnels, &pkt)) {
                eng->ignored++;
                break;
            }
            pkt.time_ms = frame.time_ms;
            nfc_meter_packet(&eng->meter, &pkt);
            break;
        }
        case NFC_CAPTURE_TIMEOUT:
            nfc_meter_advance(&eng->meter, wall_clock_ms());
            break;
        case NFC_CAPTURE_END:
            eng->input_done = true;
            nfc_meter_flush(&eng->meter);
            break;
        case NFC_CAPTURE_ERROR:
            snprintf(eng->error, sizeof eng->error, "%s", nfc_capture_error(eng->capture));
            return NFC_NEXT_ERROR;
        }
    }
    return NFC_NEXT_FLOW;
}

enum nfc_next nfc_engine_next(struct nfc_engine *eng, const struct nfc_flow **flow)
{
    if (eng->handed_out) {
        nfc_meter_recycle(&eng->meter, eng->handed_out);
        eng->handed_out = NULL;
    }
    if (eng->limit_reached)
        return NFC_NEXT_END;
    if (meter_until_flow(eng) == NFC_NEXT_ERROR)
        return NFC_NEXT_ERROR;
    struct nfc_flow *f = nfc_meter_pop(&eng->meter);
    if (!f)
        return NFC_NEXT_END;
    f->id = eng->flows++;
    eng->handed_out = f;
    *flow = f;
    if (eng->cfg.max_nflows && eng->flows == eng->cfg.max_nflows) {
        eng->limit_reached = true;
        eng->unwritten = nfc_meter_pending(&eng->meter);
        if (eng->unwritten)
            warn(eng, "max-nflows %llu reached: %llu flows still in the table were not written",
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
}

void nfc_engine_close(struct nfc_engine *eng)
{
    if (!eng)
        return;
    if (eng->handed_out)
        nfc_meter_recycle(&eng->meter, eng->handed_out);
    nfc_meter_free(&eng->meter);
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
    nfc_schema_value(&eng->schema, &eng->meter.params, flow, column, value);
}

int nfc_describe_plugins(const struct nfc_config *cfg, FILE *out, char *err, size_t errlen)
{
    struct nfc_schema schema;
    struct nfc_plugin_host *plugins;
    if (nfc_schema_build(&schema, cfg) < 0) {
        fail(err, errlen, "out of memory");
        return -1;
    }
    int rc = nfc_plugins_load(&plugins, cfg, &schema, err, errlen);
    if (rc == 0 && plugins)
        nfc_plugins_describe(plugins, out);
    else if (rc == 0)
        fail(err, errlen, "no plugin to describe: give one with --plugin");
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
