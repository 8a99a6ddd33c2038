/* expire: ends every flow at its Nth packet (`--plugin expire.so:at=N`, N from 1 to 1000, default 1); at=1 ends
 * it at its first. The build compiles it twice: with NFC_PLUGIN_MAY_EXPIRE (expire.so) and without
 * (expire_unflagged.so), whose requests the host must ignore. */
#include <stdlib.h>

#include <nfcore/plugin.h>

static int setup(struct nfc_setup *ctx, void **instance)
{
    int64_t at;
    if (ctx->arg_int(ctx, "at", 1, 1000, 1, &at) < 0)
        return -1;
    int64_t *self = malloc(sizeof *self);
    if (!self) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *self = at;
    *instance = self;
    return 0;
}

static void check(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                  const struct nfc_packet *pkt)
{
    (void)state;
    (void)pkt;
    const int64_t *at = instance;
    if (flow->scope[NFC_BIDIRECTIONAL].packets == (uint64_t)*at)
        host->request_expiry(host, flow);
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
