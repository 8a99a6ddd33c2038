/* flow_slicer: nfstream's FlowSlicer plugin, which ends every flow at its limit-th packet.
 *
 *     nfcore -r capture.pcap --plugin flow_slicer.so:limit=4
 *
 * A flow ends (expiration_id -1) once it has `limit` packets in both directions together; the next packet with
 * the same key opens a new flow. No columns.
 */
#include <nfcore/plugin.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

struct slicer {
    const struct nfc_host *host;
    uint64_t limit;
};

static int slicer_setup(struct nfc_setup *ctx, void **instance)
{
    const char *text = ctx->arg(ctx, "limit");
    if (!text) {
        ctx->error(ctx, "limit is required: flow_slicer.so:limit=N, a number of packets from 1");
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long limit = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end || errno || limit < 1) {
        char message[160];
        snprintf(message, sizeof message, "limit must be a whole number of packets from 1 to %" PRIu64 " (got '%s')",
                 UINT64_MAX, text);
        ctx->error(ctx, message);
        return -1;
    }
    struct slicer *slicer = malloc(sizeof *slicer);
    if (!slicer) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *slicer = (struct slicer){.host = ctx->host, .limit = limit};
    *instance = slicer;
    return 0;
}

/* The same check on the first packet (packets is 1 there) and on every later one. */
static void slice(void *instance, void *state, const struct nfc_flow_view *flow, const struct nfc_packet *pkt)
{
    (void)state;
    (void)pkt;
    const struct slicer *slicer = instance;
    if (flow->scope[NFC_BIDIRECTIONAL].packets == slicer->limit)
        slicer->host->request_expiry(slicer->host, flow);
}

static void slicer_teardown(void *instance)
{
    free(instance);
}

static const struct nfc_plugin flow_slicer = {
    NFC_PLUGIN_ABI,
    .name = "flow_slicer",
    .version = "1.0",
    .description = "ends each flow at its limit-th packet (nfstream's FlowSlicer)",
    .flags = NFC_PLUGIN_MAY_EXPIRE,
    .setup = slicer_setup,
    .on_init = slice,
    .on_update = slice,
    .teardown = slicer_teardown,
};

NFC_PLUGIN_EXPORT(flow_slicer)
