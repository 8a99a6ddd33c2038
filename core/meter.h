/* The flow lifecycle of one meter: clock, lookup, idle/active expiry, idle scan, capacity eviction, end-of-input
 * flush (spec §5). Finished flows queue up in emission order (spec §9.3). */
#ifndef NFC_METER_H
#define NFC_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "flow_pool.h"
#include "flow_table.h"

struct nfc_meter_limits {
    uint64_t idle_ms;
    uint64_t active_ms;
    uint64_t capacity;           /* 0: unbounded */
    bool expire_on_tcp_end;
};

/* Where a flow's per-packet work (counters, statistics, SPLT, nDPI, plugins) is done: inline by default, or
 * handed to meter threads. `finish` takes the flow out of the table's hands, in emission order. */
struct nfc_flow_work {
    void (*init)(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt);
    void (*update)(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt);
    void (*finish)(void *ctx, struct nfc_flow *f);
    void *ctx;
};

struct nfc_meter {
    struct nfc_flow_params params;
    struct nfc_flow_table table;
    struct nfc_flow_pool pool;
    struct nfc_meter_limits limits;
    struct nfc_flow_work work;
    uint64_t tick;               /* the meter's clock: the latest packet time */
    uint64_t scan_tick;
    struct nfc_flow *out_head;   /* finished flows, oldest first, chained through hash_next */
    struct nfc_flow *out_tail;
    uint64_t dropped;            /* packets lost for want of memory */
    uint64_t peak_flows;         /* most flows in the table at once */
};

/* `params` must already have its layout computed. With `work` NULL, the flows' work is done inline and finished
 * flows queue up for nfc_meter_pop. Returns -1 when memory runs out. */
int nfc_meter_init(struct nfc_meter *m, const struct nfc_flow_params *params, const struct nfc_meter_limits *limits,
                   const struct nfc_flow_work *work);
void nfc_meter_free(struct nfc_meter *m);

/* One decoded packet (its time_ms is clamped to the meter's clock here). */
void nfc_meter_packet(struct nfc_meter *m, struct nfc_packet *pkt);

/* Live capture with no packet for a while: moves the clock to `now_ms` and expires idle flows. */
void nfc_meter_advance(struct nfc_meter *m, uint64_t now_ms);

/* No more packets: every flow left in the table is finished, in insertion order. */
void nfc_meter_flush(struct nfc_meter *m);

/* The next finished flow, or NULL. The caller gives it back with nfc_meter_recycle(). */
struct nfc_flow *nfc_meter_pop(struct nfc_meter *m);
void nfc_meter_recycle(struct nfc_meter *m, struct nfc_flow *f);

/* Flows still held (in the table or queued). */
uint64_t nfc_meter_pending(const struct nfc_meter *m);

#endif
