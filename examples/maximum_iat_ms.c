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

/* What the hooks need: the host, to read `iat`, and the reference to it. */
struct max_iat {
    const struct nfc_host *host;
    nfc_field_ref iat;
};

static int setup(struct nfc_setup *ctx, void **instance)
{
    nfc_field_ref ref;
    /* lookup only finds fields of plugins loaded earlier, so a wrong order fails here rather than reading nothing. */
    if (ctx->lookup(ctx, "iat", &ref) != 0) {
        ctx->error(ctx, "needs the field 'iat': load iat.so before it (--plugin iat.so --plugin maximum_iat_ms.so)");
        return -1;
    }
    struct max_iat *self = malloc(sizeof *self);
    if (!self) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    self->host = ctx->host;
    self->iat = ref;
    *instance = self;
    return 0;
}

static void first_packet(void *instance, void *state, const struct nfc_flow_view *flow,
                         const struct nfc_packet *pkt)
{
    (void)instance;
    (void)flow;
    (void)pkt;
    ((struct max_iat_state *)state)->maximum_iat_ms = -1;
}

static void next_packet(void *instance, void *state, const struct nfc_flow_view *flow, const struct nfc_packet *pkt)
{
    (void)pkt;
    const struct max_iat *self = instance;
    struct max_iat_state *s = state;
    struct nfc_field_value iat;
    self->host->read(self->host, flow, self->iat, &iat);
    if (iat.set && iat.as.i > s->maximum_iat_ms)
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
