/* The flow table: a hash on the direction-free key, the insertion order that nfstream's idle scan walks, and a
 * last-seen order kept only when a capacity is set (spec §3, §5). */
#ifndef NFC_FLOW_TABLE_H
#define NFC_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "flow/flow.h"

struct nfc_flow_table {
    struct nfc_slink **buckets; /* chains through nfc_flow.bucket */
    size_t mask;
    size_t count;
    struct nfc_dlist by_age;     /* insertion order (nfc_flow.age), oldest first */
    struct nfc_dlist by_recency; /* last-seen order (nfc_flow.recency), least recent first */
    bool track_lru;
};

int nfc_flow_table_init(struct nfc_flow_table *t, bool track_lru);
void nfc_flow_table_free(struct nfc_flow_table *t);

/* The same value for both directions of a flow. */
uint32_t nfc_flow_hash(const struct nfc_packet *pkt);

struct nfc_flow *nfc_flow_table_find(const struct nfc_flow_table *t, const struct nfc_packet *pkt, uint32_t hash);

/* Appends a new flow (f->hash set) at the newest end of both orders. */
void nfc_flow_table_insert(struct nfc_flow_table *t, struct nfc_flow *f);
void nfc_flow_table_remove(struct nfc_flow_table *t, struct nfc_flow *f);
/* The flow has just seen a packet. */
void nfc_flow_table_touch(struct nfc_flow_table *t, struct nfc_flow *f);

/* The first flow inserted, or NULL when the table is empty. */
static inline struct nfc_flow *nfc_flow_table_oldest(const struct nfc_flow_table *t)
{
    return nfc_list_entry(t->by_age.first, struct nfc_flow, age);
}

/* The flow seen least recently (kept only under a capacity), or NULL. */
static inline struct nfc_flow *nfc_flow_table_least_recent(const struct nfc_flow_table *t)
{
    return nfc_list_entry(t->by_recency.first, struct nfc_flow, recency);
}

#endif
