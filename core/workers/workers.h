/* Worker threads: the per-flow work of flows spread over N threads, while the caller's thread owns the flow table,
 * decides which flow each packet joins and when flows end, and takes the expired flows back. What a worker gets is
 * decided from the flow hooks (flow/hooks.h) alone. When a hook reads the flow's features, a worker does all of a
 * flow's work (counters, statistics, SPLT, hooks). Otherwise a worker only runs the hooks: it gets just the packets
 * they read, and the cheap per-packet counting stays on the table side, whose packets are already in its cache.
 * Worker 0 runs the hooks it is given, the others clones of them; a flow stays on one worker, chosen by its address
 * pair so that a host's flows share an instance. Finished flows come back in the order the table ended them,
 * whatever N. */
#ifndef NFC_WORKERS_H
#define NFC_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/cache.h"
#include "flow/flow.h"

struct nfc_workers;

/* Starts n >= 2 workers on the layout of `params`, worker 0 with its hooks. Returns NULL with a message. */
struct nfc_workers *nfc_workers_start(unsigned n, const struct nfc_flow_params *params, char *err, size_t errlen);

/* Where the table sends flows' work. */
struct nfc_flow_work nfc_workers_work(struct nfc_workers *ms);
/* Sends what the table side batched: before it waits for packets, and once the input has ended. */
void nfc_workers_publish(struct nfc_workers *ms);

/* The next expired flow in expiry order if it is ready, else NULL. */
struct nfc_flow *nfc_workers_try_next(struct nfc_workers *ms);
/* The same, waiting for it; NULL when every flow the table ended has been returned. */
struct nfc_flow *nfc_workers_wait_next(struct nfc_workers *ms);
/* Flows the table ended that were not returned yet. */
uint64_t nfc_workers_in_flight(const struct nfc_workers *ms);
/* Whether so many ended flows wait in the workers that the table side should take the oldest before it reads on:
 * with flows ending faster than the workers finish them (a flood of short flows), their records stay bounded. */
bool nfc_workers_backlogged(const struct nfc_workers *ms);

/* The packets of the flows each worker works on, so far, into packets[0..n); returns the number of workers. May be
 * called from any thread. */
size_t nfc_workers_packets(const struct nfc_workers *ms, uint64_t *packets, size_t n);

/* Stops the worker threads and hands every flow still in transit to release(). */
void nfc_workers_stop(struct nfc_workers *ms, void (*release)(void *ctx, struct nfc_flow *f), void *ctx);

#endif
