/* Meter threads: the per-flow work (counters, statistics, SPLT, nDPI, plugins) of flows spread over N threads,
 * while one thread owns the flow table and decides which flow each packet joins and when flows end. Each meter has
 * its own nDPI module and plugin instances; a flow stays on one meter, chosen by its address pair so that a host's
 * flows share a module. Finished flows come back in the order the table thread ended them, whatever N. */
#ifndef NFC_METERS_H
#define NFC_METERS_H

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

/* The table thread's side: where the table sends flows' work. */
struct nfc_flow_work nfc_meters_work(struct nfc_meters *ms);
/* The table thread will send nothing more. */
void nfc_meters_end(struct nfc_meters *ms);
/* The table thread is about to wait for packets: what it batched goes out now. */
void nfc_meters_publish(struct nfc_meters *ms);
/* The table thread: the flows the consumer has given back since the last call, chained through hash_next. */
struct nfc_flow *nfc_meters_take_back(struct nfc_meters *ms);
/* Flows the table thread ended (the work's finish calls). */
uint64_t nfc_meters_ended(const struct nfc_meters *ms);

/* The consumer's side: the next finished flow in emission order, or NULL when there will be no more. */
struct nfc_flow *nfc_meters_next(struct nfc_meters *ms);
void nfc_meters_give_back(struct nfc_meters *ms, struct nfc_flow *f);

/* Wakes and stops every thread's waits (the table thread's too). */
void nfc_meters_cancel(struct nfc_meters *ms);
/* Once the table thread has stopped: ends the meter threads and hands every flow still in transit to
 * release(). */
void nfc_meters_stop(struct nfc_meters *ms, void (*release)(void *ctx, struct nfc_flow *f), void *ctx);

#endif
