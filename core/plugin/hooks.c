/* The plugins' hooks, run in plugin order, and their registration with the flow layer. */
#include "plugin/internal.h"

#include <stdlib.h>

#include "flow/hooks.h"
#include "util/alloc.h"
#include "util/error.h"

static void on_init(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    const struct nfc_plugin_host *host = ctx;
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_init) {
            uint64_t start = hook_enter(lp, HOOK_ON_INIT);
            lp->desc->on_init(&lp->host, lp->instance, state_of(lp, f), &f->view, pkt);
            hook_leave(lp, HOOK_ON_INIT, start);
        }
    }
}

static void on_update(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt, uint64_t k)
{
    const struct nfc_plugin_host *host = ctx;
    (void)k;
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_update) {
            uint64_t start = hook_enter(lp, HOOK_ON_UPDATE);
            lp->desc->on_update(&lp->host, lp->instance, state_of(lp, f), &f->view, pkt);
            hook_leave(lp, HOOK_ON_UPDATE, start);
        }
    }
}

static void on_expire(void *ctx, struct nfc_flow *f)
{
    const struct nfc_plugin_host *host = ctx;
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_expire) {
            uint64_t start = hook_enter(lp, HOOK_ON_EXPIRE);
            lp->desc->on_expire(&lp->host, lp->instance, state_of(lp, f), &f->view);
            hook_leave(lp, HOOK_ON_EXPIRE, start);
        }
    }
}

static void release(void *ctx, struct nfc_flow *f)
{
    const struct nfc_plugin_host *host = ctx;
    nfc_plugin_release_fields(host, f);
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        nfc_state_release on_release = release_hook(lp->desc);
        if (on_release) {
            uint64_t start = hook_enter(lp, HOOK_ON_RELEASE);
            on_release(lp->instance, state_of(lp, f));
            hook_leave(lp, HOOK_ON_RELEASE, start);
        }
    }
}

static void unload(void *ctx)
{
    nfc_plugins_unload(ctx);
}

static bool may_expire(const struct nfc_plugin_host *host)
{
    for (size_t i = 0; i < host->n_plugins; i++)
        if (host->plugins[i].may_expire)
            return true;
    return false;
}

static void add_hooks(struct nfc_plugin_host *host, struct nfc_flow_hooks *hooks);

/* Another worker thread's instances: the same plugins set up again, their states in the same slot. */
static int clone_host(void *ctx, struct nfc_flow_hooks *into, char *err, size_t errlen)
{
    const struct nfc_plugin_host *host = ctx;
    struct nfc_plugin_host *copy;
    if (nfc_plugins_load(&copy, host->cfg, host->schema, err, errlen) < 0)
        return -1;
    if (copy->state_size != host->state_size) {
        nfc_plugins_unload(copy);
        return nfc_errorf(err, errlen, "plugins set up again asked for %zu bytes of state per flow, not %zu",
                          copy->state_size, host->state_size);
    }
    copy->slot = host->slot;
    /* Every meter's instance adds to the first host's timing. */
    nfc_free(copy->times);
    copy->times = NULL;
    for (size_t i = 0; i < copy->n_plugins; i++)
        copy->plugins[i].times = host->plugins[i].times;
    add_hooks(copy, into);
    return 0;
}

/* Plugins see every packet, the packet's addresses and the engine's features as they stand after it (spec §7),
 * so they run after every other hook. */
static void add_hooks(struct nfc_plugin_host *host, struct nfc_flow_hooks *hooks)
{
    nfc_flow_hooks_add(hooks, &(struct nfc_flow_hook){
                                  .init = on_init,
                                  .update = on_update,
                                  .expire = on_expire,
                                  .release = release,
                                  .clone = clone_host,
                                  .close = unload,
                                  .ctx = host,
                                  .flags = NFC_HOOK_READS_FEATURES | NFC_HOOK_READS_ADDRESSES |
                                           (may_expire(host) ? NFC_HOOK_MAY_EXPIRE : 0),
                              });
}

void *nfc_plugins_state(const struct nfc_plugin_host *host, const struct nfc_flow *f, size_t plugin)
{
    if (!host || plugin >= host->n_plugins || !host->plugins[plugin].state_size)
        return NULL;
    return state_of(&host->plugins[plugin], f);
}

void nfc_plugins_register(struct nfc_plugin_host *host, struct nfc_flow_params *params)
{
    host->slot = nfc_flow_slot(params, host->state_size, STATE_ALIGN);
    add_hooks(host, &params->hooks);
}
