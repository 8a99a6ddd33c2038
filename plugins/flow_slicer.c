/* flow_slicer: nfstream's FlowSlicer plugin, which ends every flow at its limit-th packet.
 *
 *     nfcore -r capture.pcap --plugin flow_slicer.so:limit=4
 *
 * A flow ends (expiration_id -1) once it has `limit` packets in both directions together; the next packet with
 * the same key opens a new flow. No columns.
 */
#include <nfcore/plugin.h>

#include <stdlib.h>

static int slicer_setup(struct nfc_setup *ctx, void **instance)
{
    int64_t limit;
    if (ctx->arg_int(ctx, "limit", 1, INT64_MAX, 0, &limit) < 0)
        return -1;
    if (limit == 0) { /* the fallback, outside the range: no limit given */
        ctx->error(ctx, "limit is required: flow_slicer.so:limit=N, a number of packets from 1");
        return -1;
    }
    int64_t *self = malloc(sizeof *self);
    if (!self) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *self = limit;
    *instance = self;
    return 0;
}

/* The same check on the first packet (packets is 1 there) and on every later one. */
static void slice(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                  const struct nfc_packet *pkt)
{
    (void)state;
    (void)pkt;
    const int64_t *limit = instance;
    if (flow->scope[NFC_BIDIRECTIONAL].packets == (uint64_t)*limit)
        host->request_expiry(host, flow);
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
