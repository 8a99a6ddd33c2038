/* hidden: counts the packets of a flow in a volatile field, which later plugins read and nobody exports. */
#include <nfcore/plugin.h>

struct hidden_state {
    int64_t packets;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("hidden_packets", NFC_FIELD_INT, struct hidden_state, packets, NFC_FIELD_VOLATILE),
};

static void count(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                  const struct nfc_packet *pkt)
{
    (void)host;
    (void)instance;
    (void)flow;
    (void)pkt;
    ((struct hidden_state *)state)->packets++;
}

static const struct nfc_plugin plugin = {
    NFC_PLUGIN_ABI,
    .name = "hidden",
    .version = "1.0",
    .description = "packets per flow, for later plugins only",
    .state_size = sizeof(struct hidden_state),
    .fields = fields,
    .n_fields = 1,
    .on_init = count,
    .on_update = count,
};

NFC_PLUGIN_EXPORT(plugin)
