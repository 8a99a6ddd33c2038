/* Fixed-size flow records carved from large blocks: no allocation per flow once the pool has grown. */
#ifndef NFC_FLOW_POOL_H
#define NFC_FLOW_POOL_H

#include <stddef.h>

#include "flow/flow.h"

struct nfc_flow_pool {
    size_t record_size;
    struct nfc_pool_block *blocks;
    struct nfc_slink *free_list; /* chained through nfc_flow.free */
    size_t in_use;
};

void nfc_flow_pool_init(struct nfc_flow_pool *pool, size_t record_size);
void nfc_flow_pool_free(struct nfc_flow_pool *pool);

/* A record's memory, not cleared (nfc_flow_identify and nfc_flow_init do that), or NULL when memory runs out. */
struct nfc_flow *nfc_flow_pool_get(struct nfc_flow_pool *pool);
void nfc_flow_pool_put(struct nfc_flow_pool *pool, struct nfc_flow *f);

#endif
