#include "flow/cache.h"

#include <string.h>

#include <nfcore/nfcore.h>

enum {
    SCAN_INTERVAL_MS = 10, /* nfstream scans for idle flows at most once per 10 ms of packet time */
    SCAN_BUDGET = 1000,    /* and expires at most 1000 flows per scan */
};

static void inline_init(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt)
{
    nfc_flow_init(&((struct nfc_flow_cache *)ctx)->params, f, pkt);
}

static void inline_update(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt)
{
    nfc_flow_update(&((struct nfc_flow_cache *)ctx)->params, f, pkt);
}

static void inline_expire(void *ctx, struct nfc_flow *f)
{
    struct nfc_flow_cache *m = ctx;
    nfc_flow_expire(&m->params, f);
    nfc_queue_push(&m->out, &f->queued);
}

int nfc_cache_init(struct nfc_flow_cache *m, const struct nfc_flow_params *params,
                   const struct nfc_cache_limits *limits, const struct nfc_flow_work *work)
{
    memset(m, 0, sizeof *m);
    m->params = *params;
    m->limits = *limits;
    if (work)
        m->work = *work;
    else
        m->work =
            (struct nfc_flow_work){.init = inline_init, .update = inline_update, .expire = inline_expire, .ctx = m};
    nfc_flow_pool_init(&m->pool, params->record_size);
    return nfc_flow_table_init(&m->table, limits->capacity > 0);
}

static void release(struct nfc_flow_cache *m, struct nfc_flow *f)
{
    nfc_flow_release(&m->params, f);
    nfc_flow_pool_put(&m->pool, f);
}

void nfc_cache_clear(struct nfc_flow_cache *m)
{
    for (struct nfc_flow *f; (f = nfc_flow_table_oldest(&m->table));) {
        nfc_flow_table_remove(&m->table, f);
        release(m, f);
    }
    for (struct nfc_slink *l; (l = nfc_queue_pop(&m->out));)
        release(m, nfc_list_entry(l, struct nfc_flow, queued));
}

void nfc_cache_free(struct nfc_flow_cache *m)
{
    nfc_cache_clear(m);
    nfc_flow_table_free(&m->table);
    nfc_flow_pool_free(&m->pool);
}

/* Ends a flow that is not in the table (any more) and hands it on for output. */
static void expire_uncached(struct nfc_flow_cache *m, struct nfc_flow *f, int expiration_id)
{
    f->view.expiration_id = (int8_t)expiration_id;
    m->work.expire(m->work.ctx, f);
}

static void expire(struct nfc_flow_cache *m, struct nfc_flow *f, int expiration_id)
{
    nfc_flow_table_remove(&m->table, f);
    expire_uncached(m, f, expiration_id);
}

/* expire_on_tcp_end: a RST, or the first ACK once both sides have sent a FIN, ends the connection. A plugin's
 * own request (-1) takes precedence. */
static void track_tcp_end(const struct nfc_flow_cache *m, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    if (!m->limits.expire_on_tcp_end || pkt->protocol != 6)
        return;
    if ((pkt->tcp_flags & NFC_TCP_RST) || (f->fins_seen == 3 && (pkt->tcp_flags & NFC_TCP_ACK)))
        f->expire_requested = NFC_EXPIRE_TCP_END;
    if (pkt->tcp_flags & NFC_TCP_FIN)
        f->fins_seen |= (uint8_t)(1u << pkt->direction);
}

/* Starts a flow from its first packet; one that ends on that very packet is expired without being cached. */
static void create(struct nfc_flow_cache *m, struct nfc_packet *pkt, uint32_t hash)
{
    if (m->limits.capacity && m->table.count >= m->limits.capacity)
        expire(m, nfc_flow_table_least_recent(&m->table), NFC_EXPIRE_CAPACITY);
    struct nfc_flow *f = nfc_flow_pool_get(&m->pool);
    if (!f) {
        m->dropped++;
        return;
    }
    nfc_flow_identify(&m->params, f, pkt, hash);
    f->table_first_ms = f->table_last_ms = pkt->time_ms;
    f->table_packets = 1;
    pkt->direction = 0;
    track_tcp_end(m, f, pkt);
    m->work.init(m->work.ctx, f, pkt);
    if (f->expire_requested) {
        expire_uncached(m, f, f->expire_requested);
        return;
    }
    nfc_flow_table_insert(&m->table, f);
    if (m->table.count > m->peak_flows)
        m->peak_flows = m->table.count;
}

static void update(struct nfc_flow_cache *m, struct nfc_flow *f, struct nfc_packet *pkt)
{
    f->table_last_ms = pkt->time_ms;
    f->table_packets++;
    pkt->direction = (uint8_t)nfc_flow_direction(f, pkt);
    track_tcp_end(m, f, pkt);
    m->work.update(m->work.ctx, f, pkt);
    if (f->expire_requested)
        expire(m, f, f->expire_requested);
    else
        nfc_flow_table_touch(&m->table, f);
}

/* Expires idle flows from the oldest-inserted on, stopping at the first busy one (spec §5.4). */
static void scan(struct nfc_flow_cache *m, unsigned budget)
{
    if (m->tick < m->limits.idle_ms)
        return;
    uint64_t horizon = m->tick - m->limits.idle_ms;
    for (struct nfc_flow *f; budget > 0 && (f = nfc_flow_table_oldest(&m->table)); budget--) {
        if (horizon < f->table_last_ms)
            break;
        expire(m, f, NFC_EXPIRE_IDLE);
    }
}

void nfc_cache_packet(struct nfc_flow_cache *m, struct nfc_packet *pkt)
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
    } else if (pkt->time_ms - f->table_last_ms >= m->limits.idle_ms) {
        expire(m, f, NFC_EXPIRE_IDLE);
        create(m, pkt, hash);
    } else if (pkt->time_ms - f->table_first_ms >= m->limits.active_ms) {
        expire(m, f, NFC_EXPIRE_ACTIVE);
        create(m, pkt, hash);
    } else {
        update(m, f, pkt);
    }
    if (scan_due)
        scan(m, SCAN_BUDGET);
}

void nfc_cache_advance(struct nfc_flow_cache *m, uint64_t now_ms)
{
    if (now_ms <= m->tick)
        return;
    m->tick = now_ms;
    m->scan_tick = now_ms;
    scan(m, UINT32_MAX);
}

void nfc_cache_flush(struct nfc_flow_cache *m)
{
    for (struct nfc_flow *f; (f = nfc_flow_table_oldest(&m->table));) {
        f->input_ended = true;
        expire(m, f, f->view.expiration_id);
    }
}

struct nfc_flow *nfc_cache_pop(struct nfc_flow_cache *m)
{
    return nfc_list_entry(nfc_queue_pop(&m->out), struct nfc_flow, queued);
}

void nfc_cache_recycle(struct nfc_flow_cache *m, struct nfc_flow *f)
{
    release(m, f);
}

uint64_t nfc_cache_pending(const struct nfc_flow_cache *m)
{
    uint64_t n = m->table.count;
    for (const struct nfc_slink *l = m->out.head; l; l = l->next)
        n++;
    return n;
}
