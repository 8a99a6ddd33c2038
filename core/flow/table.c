#include "flow/table.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

enum { INITIAL_BUCKETS = 1 << 12 };

int nfc_flow_table_init(struct nfc_flow_table *t, bool track_lru)
{
    memset(t, 0, sizeof *t);
    t->buckets = nfc_calloc(INITIAL_BUCKETS, sizeof *t->buckets);
    if (!t->buckets)
        return -1;
    t->mask = INITIAL_BUCKETS - 1;
    t->track_lru = track_lru;
    return 0;
}

void nfc_flow_table_free(struct nfc_flow_table *t)
{
    nfc_free(t->buckets);
    t->buckets = NULL;
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t endpoint_hash(const uint8_t ip[16], uint16_t port)
{
    return mix64(load64(ip) ^ mix64(load64(ip + 8) ^ ((uint64_t)port << 48 | 0x9e3779b97f4a7c15ULL >> 16)));
}

uint32_t nfc_flow_hash(const struct nfc_packet *pkt)
{
    /* Adding the two endpoint hashes makes the hash the same whichever side sent the packet. */
    uint64_t h = endpoint_hash(pkt->src_ip, pkt->src_port) + endpoint_hash(pkt->dst_ip, pkt->dst_port);
    h ^= (uint64_t)pkt->protocol << 40 | (uint64_t)pkt->vlan_id << 16 | pkt->tunnel_id;
    return (uint32_t)(mix64(h) >> 32);
}

struct nfc_flow *nfc_flow_table_find(const struct nfc_flow_table *t, const struct nfc_packet *pkt, uint32_t hash)
{
    for (struct nfc_slink *l = t->buckets[hash & t->mask]; l; l = l->next) {
        struct nfc_flow *f = nfc_list_entry(l, struct nfc_flow, bucket);
        if (f->hash == hash && nfc_flow_key_match(f, pkt) >= 0)
            return f;
    }
    return NULL;
}

/* Doubling keeps chains short; its O(table) cost is paid once per doubling, not per packet. */
static void grow(struct nfc_flow_table *t)
{
    size_t n = (t->mask + 1) * 2;
    struct nfc_slink **b = nfc_calloc(n, sizeof *b);
    if (!b) {
        nfc_alloc_handled(); /* the chains only get longer */
        return;
    }
    for (size_t i = 0; i <= t->mask; i++) {
        for (struct nfc_slink *l; (l = nfc_slist_pop(&t->buckets[i]));) {
            const struct nfc_flow *f = nfc_list_entry(l, struct nfc_flow, bucket);
            nfc_slist_push(&b[f->hash & (n - 1)], l);
        }
    }
    nfc_free(t->buckets);
    t->buckets = b;
    t->mask = n - 1;
}

void nfc_flow_table_insert(struct nfc_flow_table *t, struct nfc_flow *f)
{
    /* Out of memory for a bigger bucket array, the chains only get longer. */
    if (t->count > t->mask)
        grow(t);
    nfc_slist_push(&t->buckets[f->hash & t->mask], &f->bucket);
    nfc_dlist_append(&t->by_age, &f->age);
    if (t->track_lru)
        nfc_dlist_append(&t->by_recency, &f->recency);
    t->count++;
}

void nfc_flow_table_remove(struct nfc_flow_table *t, struct nfc_flow *f)
{
    assert(t->count > 0);
    nfc_slist_remove(&t->buckets[f->hash & t->mask], &f->bucket);
    nfc_dlist_remove(&t->by_age, &f->age);
    if (t->track_lru)
        nfc_dlist_remove(&t->by_recency, &f->recency);
    t->count--;
}

void nfc_flow_table_touch(struct nfc_flow_table *t, struct nfc_flow *f)
{
    if (!t->track_lru || t->by_recency.last == &f->recency)
        return;
    nfc_dlist_remove(&t->by_recency, &f->recency);
    nfc_dlist_append(&t->by_recency, &f->recency);
}
