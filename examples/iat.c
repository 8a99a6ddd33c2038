/* iat: the time in ms since the flow's previous packet, -1 on its first packet (the notebook's volatile plugin).
 * The field is volatile: later plugins read it (see maximum_iat_ms.c), but it is not written out.
 *
 *     cc -shared -fPIC $(pkg-config --cflags nfcore) iat.c -o iat.so
 *     nfcore --plugin ./iat.so --plugin ./maximum_iat_ms.so -r capture.pcap
 */
#include <nfcore/plugin.h>

struct iat_state {
    int64_t iat;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("iat", NFC_FIELD_INT, struct iat_state, iat, NFC_FIELD_VOLATILE),
};

/* The first packet has no predecessor; the notebook marks that with -1 rather than the 0 of delta_time_ms. */
static void first_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                         const struct nfc_packet *pkt)
{
    (void)host;
    (void)instance;
    (void)flow;
    (void)pkt;
    ((struct iat_state *)state)->iat = -1;
}

static void next_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                        const struct nfc_packet *pkt)
{
    (void)host;
    (void)instance;
    (void)flow;
    ((struct iat_state *)state)->iat = (int64_t)pkt->delta_time_ms;
}

static const struct nfc_plugin iat = {
    NFC_PLUGIN_ABI,
    .name = "iat",
    .version = "1.0",
    .description = "ms since the flow's previous packet, -1 on its first (volatile)",
    .state_size = sizeof(struct iat_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .on_init = first_packet,
    .on_update = next_packet,
};

NFC_PLUGIN_EXPORT(iat)
