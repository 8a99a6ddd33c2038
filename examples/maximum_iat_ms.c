/* maximum_iat_ms: the largest gap in ms between two consecutive packets of the flow, -1 for a one-packet flow (the
 * notebook's second plugin). It reads the volatile field `iat` of iat.c, which must be loaded before it.
 *
 *     cc -shared -fPIC $(pkg-config --cflags nfcore) maximum_iat_ms.c -o maximum_iat_ms.so
 *     nfcore --plugin ./iat.so --plugin ./maximum_iat_ms.so -r capture.pcap   # adds udps.maximum_iat_ms
 */
#include <nfcore/plugin.h>

#include <stdlib.h>

struct max_iat_state {
    int64_t maximum_iat_ms;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("maximum_iat_ms", NFC_FIELD_INT, struct max_iat_state, maximum_iat_ms, 0),
};

static int setup(struct nfc_setup *ctx, void **instance)
{
    nfc_field_ref ref;
    /* lookup only finds fields of plugins loaded earlier, so a wrong order fails here rather than reading nothing. */
    if (ctx->lookup(ctx, "iat", &ref) != 0) {
        ctx->error(ctx, "needs the field 'iat': load iat.so before it (--plugin iat.so --plugin maximum_iat_ms.so)");
        return -1;
    }
    /* Besides the host, which they get, the hooks need only the reference: it is the instance. */
    nfc_field_ref *iat = malloc(sizeof *iat);
    if (!iat) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *iat = ref;
    *instance = iat;
    return 0;
}

static void first_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                         const struct nfc_packet *pkt)
{
    (void)host;
    (void)instance;
    (void)flow;
    (void)pkt;
    ((struct max_iat_state *)state)->maximum_iat_ms = -1;
}

static void next_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                        const struct nfc_packet *pkt)
{
    (void)pkt;
    const nfc_field_ref *ref = instance;
    struct max_iat_state *s = state;
    struct nfc_value iat;
    host->read(host, flow, *ref, &iat);
    if (!iat.missing && iat.as.i > s->maximum_iat_ms)
        s->maximum_iat_ms = iat.as.i;
}

static const struct nfc_plugin maximum_iat_ms = {
    NFC_PLUGIN_ABI,
    .name = "maximum_iat_ms",
    .version = "1.0",
    .description = "largest gap between consecutive packets in ms, -1 for one packet (needs iat.so)",
    .state_size = sizeof(struct max_iat_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .setup = setup,
    .on_init = first_packet,
    .on_update = next_packet,
    .teardown = free,
};

NFC_PLUGIN_EXPORT(maximum_iat_ms)
