/* splt: nfstream's SPLT plugin, the sequence of packet lengths and times of a flow's first packets.
 *
 *     nfcore -r capture.pcap --plugin splt.so:sequence_length=10,accounting_mode=0
 *
 * udps.splt_direction, udps.splt_ps and udps.splt_piat_ms hold exactly sequence_length items (default 5), one per
 * packet, padded with -1: the packet's direction (0 src to dst, 1 back), its size in accounting_mode (default 0:
 * 0 raw frame, 1 IP, 2 transport, 3 payload) and the ms since the flow's previous packet (0 for the first).
 */
#include <nfcore/plugin.h>

#include <stdlib.h>

enum {
    MAX_SEQUENCE_LENGTH = 65535, /* as the core's --splt-analysis */
};

struct splt_state {
    struct nfc_int_list direction;
    struct nfc_int_list ps;
    struct nfc_int_list piat_ms;
};

struct splt {
    int64_t sequence_length;
    int64_t accounting_mode;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("splt_direction", NFC_FIELD_INT_LIST, struct splt_state, direction, 0),
    NFC_FIELD("splt_ps", NFC_FIELD_INT_LIST, struct splt_state, ps, 0),
    NFC_FIELD("splt_piat_ms", NFC_FIELD_INT_LIST, struct splt_state, piat_ms, 0),
};

static int splt_setup(struct nfc_setup *ctx, void **instance)
{
    struct splt cfg;
    if (ctx->arg_int(ctx, "sequence_length", 1, MAX_SEQUENCE_LENGTH, 5, &cfg.sequence_length) < 0 ||
        ctx->arg_int(ctx, "accounting_mode", 0, 3, 0, &cfg.accounting_mode) < 0)
        return -1;
    struct splt *splt = malloc(sizeof *splt);
    if (!splt) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *splt = cfg;
    *instance = splt;
    return 0;
}

static int64_t packet_size(const struct splt *splt, const struct nfc_packet *pkt)
{
    switch (splt->accounting_mode) {
    case 0: return pkt->raw_size;
    case 1: return pkt->ip_size;
    case 2: return pkt->transport_size;
    default: return pkt->payload_size;
    }
}

static void record(const struct splt *splt, struct splt_state *s, int64_t index, const struct nfc_packet *pkt)
{
    s->direction.items[index] = pkt->direction;
    s->ps.items[index] = packet_size(splt, pkt);
    s->piat_ms.items[index] = (int64_t)pkt->delta_time_ms;
}

static void splt_init(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                      const struct nfc_packet *pkt)
{
    (void)flow;
    const struct splt *splt = instance;
    struct splt_state *s = state;
    for (int64_t i = 0; i < splt->sequence_length; i++)
        if (host->int_list_append(host, &s->direction, -1) < 0 || host->int_list_append(host, &s->ps, -1) < 0 ||
            host->int_list_append(host, &s->piat_ms, -1) < 0)
            return; /* out of memory: the lists stay short, and splt_update records only what fits */
    record(splt, s, 0, pkt);
}

static void splt_update(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                        const struct nfc_packet *pkt)
{
    (void)host;
    const struct splt *splt = instance;
    struct splt_state *s = state;
    uint64_t packets = flow->scope[NFC_BIDIRECTIONAL].packets;
    if (packets <= (uint64_t)splt->sequence_length && packets <= s->direction.len && packets <= s->ps.len &&
        packets <= s->piat_ms.len)
        record(splt, s, (int64_t)packets - 1, pkt);
}

static void splt_teardown(void *instance)
{
    free(instance);
}

static const struct nfc_plugin splt_plugin = {
    NFC_PLUGIN_ABI,
    .name = "splt",
    .version = "1.0",
    .description = "sequence of packet directions, sizes and inter-arrival times (nfstream's SPLT)",
    .state_size = sizeof(struct splt_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .setup = splt_setup,
    .on_init = splt_init,
    .on_update = splt_update,
    .teardown = splt_teardown,
};

NFC_PLUGIN_EXPORT(splt_plugin)
