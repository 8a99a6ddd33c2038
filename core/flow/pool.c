#include "flow/pool.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/invariant.h"

enum { RECORDS_PER_BLOCK = 1024 };

/* Records are aligned as struct nfc_flow asks (a cache line), so that a record's parts written by different
 * threads never share one. */
struct nfc_pool_block {
    struct nfc_pool_block *next;
    _Alignas(_Alignof(struct nfc_flow)) unsigned char records[];
};

void nfc_flow_pool_init(struct nfc_flow_pool *pool, size_t record_size)
{
    size_t align = _Alignof(struct nfc_flow);
    nfc_invariant(record_size >= sizeof(struct nfc_flow));
    memset(pool, 0, sizeof *pool);
    pool->record_size = (record_size + align - 1) & ~(align - 1);
}

void nfc_flow_pool_free(struct nfc_flow_pool *pool)
{
    while (pool->blocks) {
        struct nfc_pool_block *next = pool->blocks->next;
        nfc_free(pool->blocks);
        pool->blocks = next;
    }
    pool->free_list = NULL;
}

static int add_block(struct nfc_flow_pool *pool)
{
    size_t size = sizeof(struct nfc_pool_block) + RECORDS_PER_BLOCK * pool->record_size;
    struct nfc_pool_block *b = nfc_aligned_alloc(_Alignof(struct nfc_pool_block), size);
    if (!b)
        return -1;
    b->next = pool->blocks;
    pool->blocks = b;
    for (size_t i = RECORDS_PER_BLOCK; i-- > 0;) {
        struct nfc_flow *f = (struct nfc_flow *)(b->records + i * pool->record_size);
        nfc_slist_push(&pool->free_list, &f->free);
    }
    return 0;
}

struct nfc_flow *nfc_flow_pool_get(struct nfc_flow_pool *pool)
{
    if (!pool->free_list && add_block(pool) < 0)
        return NULL;
    pool->in_use++;
    return nfc_list_entry(nfc_slist_pop(&pool->free_list), struct nfc_flow, free);
}

void nfc_flow_pool_put(struct nfc_flow_pool *pool, struct nfc_flow *f)
{
    assert(pool->in_use > 0);
    nfc_slist_push(&pool->free_list, &f->free);
    pool->in_use--;
}
