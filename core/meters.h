/* Meter threads: the per-flow work of flows spread over N threads, while the caller's thread owns the flow table,
 * decides which flow each packet joins and when flows end, and takes the finished flows back. With plugins, a
 * meter does all of a flow's work (counters, statistics, SPLT, nDPI, plugins), as plugins see every packet.
 * Without, a meter only dissects: nDPI reads a flow's first n_dissections packets at most, so the meters get just
 * those, and the cheap per-packet counting stays on the table side, whose packets are already in its cache.
 * Each meter has its own nDPI module and plugin instances; a flow stays on one meter, chosen by its address pair
 * so that a host's flows share a module. Finished flows come back in the order the table ended them, whatever N. */
#ifndef NFC_METERS_H
#define NFC_METERS_H

#include <stdbool.h>
#include <stdint.h>

#include <nfcore/nfcore.h>

#include "flow.h"
#include "meter.h"

struct nfc_meters;
struct nfc_schema;
struct nfc_plugin_host;

struct nfc_meters_setup {
    unsigned n;                              /* >= 2 */
    const struct nfc_config *cfg;
    const struct nfc_flow_params *params;    /* the layout every meter shares */
    struct nfc_plugin_host *plugins;         /* meter 0's plugin instances (the engine's); others load their own */
    const struct nfc_schema *schema;
};

struct nfc_meters *nfc_meters_start(const struct nfc_meters_setup *setup, char *err, size_t errlen);

/* Where the table sends flows' work. */
struct nfc_flow_work nfc_meters_work(struct nfc_meters *ms);
/* Sends what the table side batched: before it waits for packets, and once the input has ended. */
void nfc_meters_publish(struct nfc_meters *ms);

/* The next finished flow in emission order if it is ready, else NULL. */
struct nfc_flow *nfc_meters_try_next(struct nfc_meters *ms);
/* The same, waiting for it; NULL when every flow the table ended has been returned. */
struct nfc_flow *nfc_meters_wait_next(struct nfc_meters *ms);
/* Flows the table ended that were not returned yet. */
uint64_t nfc_meters_in_flight(const struct nfc_meters *ms);
/* Whether so many ended flows wait in the meters that the table side should take the oldest before it reads on:
 * with flows ending faster than the meters finish them (a flood of short flows), their records stay bounded. */
bool nfc_meters_backlogged(const struct nfc_meters *ms);

/* Stops the meter threads and hands every flow still in transit to release(). */
void nfc_meters_stop(struct nfc_meters *ms, void (*release)(void *ctx, struct nfc_flow *f), void *ctx);

#endif
