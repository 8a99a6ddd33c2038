/* The plugins' hooks, run in plugin order. */
#include "plugin/internal.h"

void nfc_plugins_on_init(struct nfc_plugin_host *host, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_init)
            lp->desc->on_init(&lp->host, lp->instance, state_of(lp, f), &f->view, pkt);
    }
}

void nfc_plugins_on_update(struct nfc_plugin_host *host, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_update)
            lp->desc->on_update(&lp->host, lp->instance, state_of(lp, f), &f->view, pkt);
    }
}

void nfc_plugins_on_expire(struct nfc_plugin_host *host, struct nfc_flow *f)
{
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_expire)
            lp->desc->on_expire(&lp->host, lp->instance, state_of(lp, f), &f->view);
    }
}
