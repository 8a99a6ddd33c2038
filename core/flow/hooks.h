/* Flow hooks: the parts that work on a flow beside the flow layer's own features (nDPI, plugins) register their
 * functions here, and the flow layer runs them in registration order without knowing whose they are. Each
 * registration also says what it reads, which is all the workers go by to decide what a worker thread gets. */
#ifndef NFC_FLOW_HOOKS_H
#define NFC_FLOW_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nfcore/plugin.h>

struct nfc_flow;
struct nfc_flow_hooks;

enum {
    NFC_HOOK_READS_FEATURES = 1u << 0,  /* the flow's counters, statistics and SPLT as they stand after the packet */
    NFC_HOOK_READS_ADDRESSES = 1u << 1, /* the packet's endpoints and MACs */
    NFC_HOOK_MAY_EXPIRE = 1u << 2,      /* may set the flow's expire_requested */
};

struct nfc_flow_hook {
    /* The flow's first packet, then each later one it reads; `k` is the packet's number in the flow (1 for the
     * first; where a worker only runs the hooks, it stops at UINT32_MAX). Only hooks that read the features may
     * rely on pkt->delta_time_ms, and only hooks that read the addresses on its endpoints and MACs. */
    void (*init)(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt);
    void (*update)(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt, uint64_t k);
    void (*expire)(void *ctx, struct nfc_flow *f);
    /* Frees what the flow's state holds outside the record. Runs on the table's thread with the first instance's
     * ctx, whichever instance worked on the flow: it may read only what every instance shares. */
    void (*release)(void *ctx, struct nfc_flow *f);
    /* Makes another instance, with the same state slot, for another worker thread and registers it into `into`.
     * Returns -1 with a one-line message. */
    int (*clone)(void *ctx, struct nfc_flow_hooks *into, char *err, size_t errlen);
    void (*close)(void *ctx); /* tears the instance down */
    void *ctx;
    uint32_t packets; /* it reads a flow's first `packets` packets; 0: every packet */
    uint32_t flags;   /* NFC_HOOK_* */
};

enum { NFC_FLOW_HOOKS_MAX = 4 }; /* nDPI and the plugin host, with room to spare */

/* One thread's hooks. The list owns the instances registered into it: nfc_flow_hooks_close() closes them. */
struct nfc_flow_hooks {
    unsigned n;
    uint32_t packets; /* the most packets of a flow any hook reads; 0: every packet */
    uint32_t flags;   /* every hook's NFC_HOOK_* */
    struct nfc_flow_hook hook[NFC_FLOW_HOOKS_MAX];
};

/* Appends a registration: its hooks run after those registered before it. */
void nfc_flow_hooks_add(struct nfc_flow_hooks *h, const struct nfc_flow_hook *hook);

/* Fills `into` with another instance of each hook of `from`, in order. On failure `into` holds those made so far. */
int nfc_flow_hooks_clone(const struct nfc_flow_hooks *from, struct nfc_flow_hooks *into, char *err, size_t errlen);

/* Closes every instance, the last registered first, and empties the list. */
void nfc_flow_hooks_close(struct nfc_flow_hooks *h);

/* Whether some hook reads a flow's k-th packet. */
static inline bool nfc_flow_hooks_read(const struct nfc_flow_hooks *h, uint64_t k)
{
    return h->n > 0 && (h->packets == 0 || k <= h->packets);
}

/* The runs of every hook, in registration order: inline, as the per-packet ones run for every packet. */

static inline void nfc_flow_hooks_init(const struct nfc_flow_hooks *h, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    for (unsigned i = 0; i < h->n; i++)
        h->hook[i].init(h->hook[i].ctx, f, pkt);
}

static inline void nfc_flow_hooks_update(const struct nfc_flow_hooks *h, struct nfc_flow *f,
                                         const struct nfc_packet *pkt, uint64_t k)
{
    for (unsigned i = 0; i < h->n; i++) {
        const struct nfc_flow_hook *hook = &h->hook[i];
        if (hook->packets == 0 || k <= hook->packets)
            hook->update(hook->ctx, f, pkt, k);
    }
}

static inline void nfc_flow_hooks_expire(const struct nfc_flow_hooks *h, struct nfc_flow *f)
{
    for (unsigned i = 0; i < h->n; i++)
        h->hook[i].expire(h->hook[i].ctx, f);
}

static inline void nfc_flow_hooks_release(const struct nfc_flow_hooks *h, struct nfc_flow *f)
{
    for (unsigned i = 0; i < h->n; i++)
        h->hook[i].release(h->hook[i].ctx, f);
}

#endif
