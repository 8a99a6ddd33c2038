/* expire: ends every flow at its Nth packet (`--plugin expire.so:at=N`); at=1 ends it at its first. The build
 * compiles it twice: with NFC_PLUGIN_MAY_EXPIRE (expire.so) and without (expire_unflagged.so), whose requests the
 * host must ignore. */
#include <stdlib.h>

#include <nfcore/plugin.h>

struct expire {
    const struct nfc_host *host;
    uint64_t at;
};

static int setup(struct nfc_setup *ctx, void **instance)
{
    const char *at = ctx->arg(ctx, "at");
    struct expire *e = malloc(sizeof *e);
    if (!e) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *e = (struct expire){ctx->host, at ? strtoull(at, NULL, 10) : 1};
    *instance = e;
    return 0;
}

static void check(void *instance, void *state, const struct nfc_flow_view *flow, const struct nfc_packet *pkt)
{
    (void)state;
    (void)pkt;
    const struct expire *e = instance;
    if (flow->scope[NFC_BIDIRECTIONAL].packets == e->at)
        e->host->request_expiry(e->host, flow);
}

static const struct nfc_plugin plugin = {
    NFC_PLUGIN_ABI,
    .name = "expire",
    .version = "1.0",
    .description = "ends each flow at its Nth packet",
    .flags = MAY_EXPIRE ? NFC_PLUGIN_MAY_EXPIRE : 0,
    .setup = setup,
    .on_init = check,
    .on_update = check,
    .teardown = free,
};

NFC_PLUGIN_EXPORT(plugin)
