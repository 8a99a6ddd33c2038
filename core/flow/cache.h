/* The flow lifecycle of one worker: clock, lookup, idle/active expiry, idle scan, capacity eviction, end-of-input
 * flush (spec §5). Finished flows queue up in expiry order (spec §9.3). */
#ifndef NFC_FLOW_CACHE_H
#define NFC_FLOW_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"
#include "flow/pool.h"
#include "flow/table.h"

struct nfc_cache_limits {
    uint64_t idle_ms;
    uint64_t active_ms;
    uint64_t capacity; /* 0: unbounded */
    bool expire_on_tcp_end;
};

/* Where a flow's per-packet work (counters, statistics, SPLT, hooks) is done: inline by default, or
 * handed to worker threads. `expire` takes the flow out of the table's hands, in expiry order. */
struct nfc_flow_work {
    void (*init)(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt);
    void (*update)(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt);
    void (*expire)(void *ctx, struct nfc_flow *f);
    void *ctx;
};

struct nfc_flow_cache {
    struct nfc_flow_params params;
    struct nfc_flow_table table;
    struct nfc_flow_pool pool;
    struct nfc_cache_limits limits;
    struct nfc_flow_work work;
    uint64_t tick; /* the worker's clock: the latest packet time */
    uint64_t scan_tick;
    struct nfc_queue out; /* expired flows, oldest first, chained through nfc_flow.queued */
    uint64_t dropped;     /* packets lost for want of memory */
    uint64_t peak_flows;  /* most flows in the table at once */
};

/* `params` must already have its layout computed. With `work` NULL, the flows' work is done inline and expired
 * flows queue up for nfc_cache_pop. Returns -1 when memory runs out. */
int nfc_cache_init(struct nfc_flow_cache *m, const struct nfc_flow_params *params,
                   const struct nfc_cache_limits *limits, const struct nfc_flow_work *work);
void nfc_cache_free(struct nfc_flow_cache *m);
/* Releases the flows the cache holds (in the table or queued); the pool stays for flows popped and not yet
 * recycled. */
void nfc_cache_clear(struct nfc_flow_cache *m);

/* One decoded packet (its time_ms is clamped to the worker's clock here). */
void nfc_cache_packet(struct nfc_flow_cache *m, struct nfc_packet *pkt);

/* Live capture with no packet for a while: moves the clock to `now_ms` and expires idle flows. */
void nfc_cache_advance(struct nfc_flow_cache *m, uint64_t now_ms);

/* No more packets: every flow left in the table expires, in insertion order. */
void nfc_cache_flush(struct nfc_flow_cache *m);

/* The next expired flow, or NULL. The caller gives it back with nfc_cache_recycle(). */
struct nfc_flow *nfc_cache_pop(struct nfc_flow_cache *m);
void nfc_cache_recycle(struct nfc_flow_cache *m, struct nfc_flow *f);

/* Flows still held (in the table or queued). */
uint64_t nfc_cache_pending(const struct nfc_flow_cache *m);

#endif
