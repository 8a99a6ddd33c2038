#include "meter.h"

#include <string.h>

#include <nfcore/nfcore.h>

enum {
    SCAN_INTERVAL_MS = 10, /* nfstream scans for idle flows at most once per 10 ms of packet time */
    SCAN_BUDGET = 1000,    /* and expires at most 1000 flows per scan */
};

int nfc_meter_init(struct nfc_meter *m, const struct nfc_flow_params *params, uint64_t idle_ms, uint64_t active_ms,
                   uint64_t capacity)
{
    memset(m, 0, sizeof *m);
    m->params = *params;
    m->idle_ms = idle_ms;
    m->active_ms = active_ms;
    m->capacity = capacity;
    nfc_flow_pool_init(&m->pool, params->record_size);
    return nfc_flow_table_init(&m->table, capacity > 0);
}

static void release(struct nfc_meter *m, struct nfc_flow *f)
{
    nfc_flow_release(&m->params, f);
    nfc_flow_pool_put(&m->pool, f);
}

void nfc_meter_free(struct nfc_meter *m)
{
    while (m->table.oldest) {
        struct nfc_flow *f = m->table.oldest;
        nfc_flow_table_remove(&m->table, f);
        release(m, f);
    }
    struct nfc_flow *f = m->out_head;
    while (f) {
        struct nfc_flow *next = f->hash_next;
        release(m, f);
        f = next;
    }
    m->out_head = m->out_tail = NULL;
    nfc_flow_table_free(&m->table);
    nfc_flow_pool_free(&m->pool);
}

static void enqueue(struct nfc_meter *m, struct nfc_flow *f)
{
    f->hash_next = NULL;
    if (m->out_tail)
        m->out_tail->hash_next = f;
    else
        m->out_head = f;
    m->out_tail = f;
}

/* Finalises a flow that is no longer in the table and queues it for output. */
static void emit(struct nfc_meter *m, struct nfc_flow *f, int expiration_id)
{
    f->view.expiration_id = (int8_t)expiration_id;
    nfc_flow_finish(&m->params, f);
    enqueue(m, f);
}

static void expire(struct nfc_meter *m, struct nfc_flow *f, int expiration_id)
{
    nfc_flow_table_remove(&m->table, f);
    emit(m, f, expiration_id);
}

/* Starts a flow from its first packet; one that ends on that very packet is emitted without being cached. */
static void create(struct nfc_meter *m, struct nfc_packet *pkt, uint32_t hash)
{
    if (m->capacity && m->table.count >= m->capacity)
        expire(m, m->table.lru_least, NFC_EXPIRE_CAPACITY);
    struct nfc_flow *f = nfc_flow_pool_get(&m->pool);
    if (!f) {
        m->dropped++;
        return;
    }
    if (nfc_flow_init(&m->params, f, pkt) < 0) {
        release(m, f);
        m->dropped++;
        return;
    }
    f->hash = hash;
    if (f->end_requested) {
        emit(m, f, f->end_requested);
        return;
    }
    nfc_flow_table_insert(&m->table, f);
}

/* Expires idle flows from the oldest-inserted on, stopping at the first busy one (spec §5.4). */
static void scan(struct nfc_meter *m, unsigned budget)
{
    if (m->tick < m->idle_ms)
        return;
    uint64_t horizon = m->tick - m->idle_ms;
    for (; budget > 0 && m->table.oldest; budget--) {
        struct nfc_flow *f = m->table.oldest;
        if (horizon < f->view.scope[NFC_BIDIRECTIONAL].last_seen_ms)
            break;
        expire(m, f, NFC_EXPIRE_IDLE);
    }
}

void nfc_meter_packet(struct nfc_meter *m, struct nfc_packet *pkt)
{
    if (pkt->time_ms > m->tick)
        m->tick = pkt->time_ms;
    else
        pkt->time_ms = m->tick;
    bool scan_due = m->tick - m->scan_tick >= SCAN_INTERVAL_MS;
    if (scan_due)
        m->scan_tick = m->tick;

    uint32_t hash = nfc_flow_hash(pkt);
    struct nfc_flow *f = nfc_flow_table_find(&m->table, pkt, hash);
    if (!f) {
        create(m, pkt, hash);
    } else if (pkt->time_ms - f->view.scope[NFC_BIDIRECTIONAL].last_seen_ms >= m->idle_ms) {
        expire(m, f, NFC_EXPIRE_IDLE);
        create(m, pkt, hash);
    } else if (pkt->time_ms - f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms >= m->active_ms) {
        expire(m, f, NFC_EXPIRE_ACTIVE);
        create(m, pkt, hash);
    } else {
        nfc_flow_update(&m->params, f, pkt);
        if (f->end_requested)
            expire(m, f, f->end_requested);
        else
            nfc_flow_table_touch(&m->table, f);
    }
    if (scan_due)
        scan(m, SCAN_BUDGET);
}

void nfc_meter_advance(struct nfc_meter *m, uint64_t now_ms)
{
    if (now_ms <= m->tick)
        return;
    m->tick = now_ms;
    m->scan_tick = now_ms;
    scan(m, UINT32_MAX);
}

void nfc_meter_flush(struct nfc_meter *m)
{
    m->flushing = true;
}

struct nfc_flow *nfc_meter_pop(struct nfc_meter *m)
{
    if (!m->out_head && m->flushing && m->table.oldest)
        expire(m, m->table.oldest, m->table.oldest->view.expiration_id);
    struct nfc_flow *f = m->out_head;
    if (!f)
        return NULL;
    m->out_head = f->hash_next;
    if (!m->out_head)
        m->out_tail = NULL;
    return f;
}

void nfc_meter_recycle(struct nfc_meter *m, struct nfc_flow *f)
{
    release(m, f);
}

uint64_t nfc_meter_pending(const struct nfc_meter *m)
{
    uint64_t n = m->table.count;
    for (const struct nfc_flow *f = m->out_head; f; f = f->hash_next)
        n++;
    return n;
}
