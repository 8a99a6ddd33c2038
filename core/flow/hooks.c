#include "flow/hooks.h"

#include "util/invariant.h"

void nfc_flow_hooks_add(struct nfc_flow_hooks *h, const struct nfc_flow_hook *hook)
{
    nfc_invariant(h->n < NFC_FLOW_HOOKS_MAX);
    bool every = h->n > 0 && h->packets == 0;
    if (every || hook->packets == 0)
        h->packets = 0;
    else if (hook->packets > h->packets)
        h->packets = hook->packets;
    h->flags |= hook->flags;
    h->hook[h->n++] = *hook;
}

int nfc_flow_hooks_clone(const struct nfc_flow_hooks *from, struct nfc_flow_hooks *into, char *err, size_t errlen)
{
    *into = (struct nfc_flow_hooks){0};
    for (unsigned i = 0; i < from->n; i++)
        if (from->hook[i].clone(from->hook[i].ctx, into, err, errlen) < 0)
            return -1;
    return 0;
}

void nfc_flow_hooks_close(struct nfc_flow_hooks *h)
{
    while (h->n > 0) {
        const struct nfc_flow_hook *hook = &h->hook[--h->n];
        hook->close(hook->ctx);
    }
    *h = (struct nfc_flow_hooks){0};
}
