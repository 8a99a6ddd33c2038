#include "meters.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpi.h"
#include "plugin_host.h"
#include "spsc_ring.h"

enum {
    WORK_SLOTS = 16384,
    WORK_BATCH = 2048,
    DONE_SLOTS = 4096,
    ORDER_SLOTS = 16384,
    FLOW_BATCH = 128,
    PACKET_BYTES = 4 << 20,   /* per meter: copies of the packets nDPI or plugins will read */
    ORDER_END = 0xFFFF,
    BYTES_BATCH = 256,        /* work items between two publications of the bytes a meter is done with */
};

enum work_op { OP_INIT, OP_UPDATE, OP_FINISH, OP_END };

struct work_item {
    struct nfc_packet pkt;     /* ip and payload point into the meter's byte ring, or are NULL */
    struct nfc_flow *flow;
    uint64_t bytes_end;        /* 0: no bytes to release */
    uint8_t op;
};

struct meter_thread {
    struct nfc_meters *owner;
    pthread_t thread;
    bool running;
    struct nfc_ring work;      /* table thread -> meter */
    struct nfc_bytes bytes;
    struct nfc_ring done;      /* meter -> consumer: finished flows */
    struct nfc_flow_params params;
    struct nfc_plugin_host *own_plugins; /* NULL for meter 0, which uses the engine's */
};

struct nfc_meters {
    unsigned n;
    struct meter_thread *meters;
    struct nfc_ring order;     /* table thread -> consumer: which meter holds the next finished flow */
    bool order_ended;
    bool copy_always;          /* plugins read packet bytes at any time */
    int n_dissections;
    uint64_t ended;
    struct nfc_flow *orphans;  /* flows ended after a cancel, never handed to a meter */
    _Atomic(struct nfc_flow *) given_back;
};

/* ---- the meter threads ------------------------------------------------------------------------------------- */

/* Everything this meter holds back for batching, made visible before it waits. */
static void meter_publish(struct meter_thread *mt)
{
    nfc_ring_publish_releases(&mt->work);
    nfc_bytes_publish_releases(&mt->bytes);
    nfc_ring_publish(&mt->done);
}

static bool hand_over(struct meter_thread *mt, struct nfc_flow *f)
{
    struct nfc_flow **slot = nfc_ring_try_reserve(&mt->done);
    if (!slot) {
        meter_publish(mt);
        if (!(slot = nfc_ring_reserve(&mt->done)))
            return false;
    }
    *slot = f;
    nfc_ring_commit(&mt->done);
    return true;
}

static void *meter_main(void *arg)
{
    struct meter_thread *mt = arg;
    char name[16];
    snprintf(name, sizeof name, "nfc-meter-%u", (unsigned)(mt - mt->owner->meters));
    pthread_setname_np(pthread_self(), name);
    for (unsigned n = 1;; n++) {
        struct work_item *w = nfc_ring_try_peek(&mt->work);
        if (!w) {
            meter_publish(mt);
            if (!(w = nfc_ring_peek(&mt->work)))
                return NULL;
        }
        switch ((enum work_op)w->op) {
        case OP_INIT: nfc_flow_init(&mt->params, w->flow, &w->pkt); break;
        case OP_UPDATE: nfc_flow_update(&mt->params, w->flow, &w->pkt); break;
        case OP_FINISH:
            nfc_flow_finish(&mt->params, w->flow);
            if (!hand_over(mt, w->flow))
                return NULL;
            break;
        case OP_END:
            meter_publish(mt);
            return NULL;
        }
        if (w->bytes_end)
            nfc_bytes_release(&mt->bytes, w->bytes_end);
        nfc_ring_release(&mt->work);
        if (n % BYTES_BATCH == 0)
            nfc_bytes_publish_releases(&mt->bytes);
    }
}

static int start_meter(struct nfc_meters *ms, unsigned i, const struct nfc_meters_setup *setup, char *err,
                       size_t errlen)
{
    struct meter_thread *mt = &ms->meters[i];
    mt->owner = ms;
    mt->params = *setup->params;
    if (nfc_ring_init(&mt->work, sizeof(struct work_item), WORK_SLOTS, WORK_BATCH) < 0 ||
        nfc_ring_init(&mt->done, sizeof(struct nfc_flow *), DONE_SLOTS, FLOW_BATCH) < 0 ||
        nfc_bytes_init(&mt->bytes, PACKET_BYTES) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (setup->cfg->n_dissections > 0) {
        mt->params.dpi = nfc_dpi_open((uint8_t)setup->cfg->n_dissections);
        if (!mt->params.dpi) {
            snprintf(err, errlen, "cannot initialise nDPI");
            return -1;
        }
    }
    if (i > 0 && setup->plugins) {
        if (nfc_plugins_load(&mt->own_plugins, setup->cfg, setup->schema, err, errlen) < 0)
            return -1;
        mt->params.plugins = mt->own_plugins;
        nfc_plugins_bind(mt->own_plugins, &mt->params);
    }
    if (pthread_create(&mt->thread, NULL, meter_main, mt) != 0) {
        snprintf(err, errlen, "cannot start meter thread %u", i);
        return -1;
    }
    mt->running = true;
    return 0;
}

struct nfc_meters *nfc_meters_start(const struct nfc_meters_setup *setup, char *err, size_t errlen)
{
    struct nfc_meters *ms = calloc(1, sizeof *ms);
    if (!ms || nfc_ring_init(&ms->order, sizeof(uint16_t), ORDER_SLOTS, FLOW_BATCH) < 0 ||
        !(ms->meters = calloc(setup->n, sizeof *ms->meters))) {
        snprintf(err, errlen, "out of memory");
        free(ms);
        return NULL;
    }
    ms->n = setup->n;
    ms->copy_always = setup->plugins != NULL || setup->cfg->n_dissections == 1;
    ms->n_dissections = setup->cfg->n_dissections;
    for (unsigned i = 0; i < setup->n; i++) {
        if (start_meter(ms, i, setup, err, errlen) < 0) {
            nfc_meters_cancel(ms);
            nfc_meters_stop(ms, NULL, NULL);
            return NULL;
        }
    }
    return ms;
}

/* ---- the table thread's side -------------------------------------------------------------------------------- */

/* The address pair alone picks the meter, both directions alike, so that one host's flows share an nDPI module. */
static uint16_t meter_of(const struct nfc_meters *ms, const struct nfc_flow *f)
{
    uint64_t a, b, c, d;
    memcpy(&a, f->view.src_ip, 8);
    memcpy(&b, f->view.src_ip + 8, 8);
    memcpy(&c, f->view.dst_ip, 8);
    memcpy(&d, f->view.dst_ip + 8, 8);
    uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ULL)) + (c ^ (d * 0x9e3779b97f4a7c15ULL));
    h ^= h >> 31;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return (uint16_t)(h % ms->n);
}

/* nDPI reads a packet only while the flow's dissection may still run; plugins may read any. */
static bool needs_bytes(const struct nfc_meters *ms, const struct nfc_flow *f)
{
    return ms->copy_always || (ms->n_dissections > 0 && f->table_packets <= (uint64_t)ms->n_dissections);
}

/* The table thread publishes everything it holds back before it waits, or a meter or the consumer it waits for
 * could be waiting for it. */
static void table_publish(struct nfc_meters *ms)
{
    for (unsigned i = 0; i < ms->n; i++)
        nfc_ring_publish(&ms->meters[i].work);
    nfc_ring_publish(&ms->order);
}

static void *reserve(struct nfc_meters *ms, struct nfc_ring *r)
{
    void *slot = nfc_ring_try_reserve(r);
    if (!slot) {
        table_publish(ms);
        slot = nfc_ring_reserve(r);
    }
    return slot;
}

static void send_packet(struct nfc_meters *ms, struct nfc_flow *f, const struct nfc_packet *pkt, enum work_op op)
{
    struct meter_thread *mt = &ms->meters[f->meter];
    const uint8_t *from = NULL;
    size_t len = 0;
    if (pkt->ip && needs_bytes(ms, f)) {
        const uint8_t *end = pkt->ip + pkt->ipsize;
        if (pkt->payload && pkt->payload + pkt->payload_caplen > end)
            end = pkt->payload + pkt->payload_caplen;
        from = pkt->ip;
        len = (size_t)(end - from);
    }
    uint64_t bytes_end = 0;
    unsigned char *copy = NULL;
    if (len && !(copy = nfc_bytes_try_alloc(&mt->bytes, len, &bytes_end))) {
        table_publish(ms);
        if (!(copy = nfc_bytes_alloc(&mt->bytes, len, &bytes_end)))
            return;
    }
    struct work_item *w = reserve(ms, &mt->work);
    if (!w)
        return;
    w->op = (uint8_t)op;
    w->flow = f;
    w->pkt = *pkt;
    w->bytes_end = bytes_end;
    w->pkt.ip = NULL;
    w->pkt.payload = NULL;
    if (copy) {
        memcpy(copy, from, len);
        w->pkt.ip = copy;
        if (pkt->payload)
            w->pkt.payload = copy + (pkt->payload - from);
    }
    nfc_ring_commit(&mt->work);
}

static void work_init(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt)
{
    struct nfc_meters *ms = ctx;
    f->meter = meter_of(ms, f);
    send_packet(ms, f, pkt, OP_INIT);
}

static void work_update(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt)
{
    send_packet(ctx, f, pkt, OP_UPDATE);
}

static void work_finish(void *ctx, struct nfc_flow *f)
{
    struct nfc_meters *ms = ctx;
    struct meter_thread *mt = &ms->meters[f->meter];
    ms->ended++;
    struct work_item *w = reserve(ms, &mt->work);
    if (!w) {
        f->hash_next = ms->orphans;
        ms->orphans = f;
        return;
    }
    memset(w, 0, sizeof *w);
    w->op = OP_FINISH;
    w->flow = f;
    nfc_ring_commit(&mt->work);
    uint16_t *slot = reserve(ms, &ms->order);
    if (!slot)
        return;
    *slot = f->meter;
    nfc_ring_commit(&ms->order);
}

struct nfc_flow_work nfc_meters_work(struct nfc_meters *ms)
{
    return (struct nfc_flow_work){.init = work_init, .update = work_update, .finish = work_finish, .ctx = ms};
}

void nfc_meters_end(struct nfc_meters *ms)
{
    for (unsigned i = 0; i < ms->n; i++) {
        struct work_item *w = reserve(ms, &ms->meters[i].work);
        if (!w)
            return;
        memset(w, 0, sizeof *w);
        w->op = OP_END;
        nfc_ring_commit(&ms->meters[i].work);
    }
    uint16_t *slot = reserve(ms, &ms->order);
    if (!slot)
        return;
    *slot = ORDER_END;
    nfc_ring_commit(&ms->order);
    table_publish(ms);
}

void nfc_meters_publish(struct nfc_meters *ms)
{
    table_publish(ms);
}

struct nfc_flow *nfc_meters_take_back(struct nfc_meters *ms)
{
    if (!atomic_load_explicit(&ms->given_back, memory_order_relaxed))
        return NULL;
    return atomic_exchange_explicit(&ms->given_back, NULL, memory_order_acquire);
}

uint64_t nfc_meters_ended(const struct nfc_meters *ms)
{
    return ms->ended;
}

/* ---- the consumer's side ------------------------------------------------------------------------------------ */

/* The consumer publishes its releases before it waits: a meter may be waiting for room to hand a flow over. */
static void consumer_publish(struct nfc_meters *ms)
{
    nfc_ring_publish_releases(&ms->order);
    for (unsigned i = 0; i < ms->n; i++)
        nfc_ring_publish_releases(&ms->meters[i].done);
}

static void *consume(struct nfc_meters *ms, struct nfc_ring *r)
{
    void *item = nfc_ring_try_peek(r);
    if (!item) {
        consumer_publish(ms);
        item = nfc_ring_peek(r);
    }
    return item;
}

struct nfc_flow *nfc_meters_next(struct nfc_meters *ms)
{
    if (ms->order_ended)
        return NULL;
    uint16_t *which = consume(ms, &ms->order);
    if (!which)
        return NULL;
    if (*which == ORDER_END) {
        ms->order_ended = true;
        return NULL;
    }
    struct nfc_ring *done = &ms->meters[*which].done;
    struct nfc_flow **slot = consume(ms, done);
    if (!slot)
        return NULL;
    struct nfc_flow *f = *slot;
    nfc_ring_release(done);
    nfc_ring_release(&ms->order);
    return f;
}

void nfc_meters_give_back(struct nfc_meters *ms, struct nfc_flow *f)
{
    struct nfc_flow *head = atomic_load_explicit(&ms->given_back, memory_order_relaxed);
    do
        f->hash_next = head;
    while (!atomic_compare_exchange_weak_explicit(&ms->given_back, &head, f, memory_order_release,
                                                  memory_order_relaxed));
}

/* ---- shutdown ----------------------------------------------------------------------------------------------- */

void nfc_meters_cancel(struct nfc_meters *ms)
{
    nfc_ring_cancel(&ms->order);
    for (unsigned i = 0; i < ms->n; i++) {
        nfc_ring_cancel(&ms->meters[i].work);
        nfc_ring_cancel(&ms->meters[i].done);
        nfc_bytes_cancel(&ms->meters[i].bytes);
    }
}

static void release_list(struct nfc_flow *f, void (*release)(void *ctx, struct nfc_flow *f), void *ctx)
{
    while (f) {
        struct nfc_flow *next = f->hash_next;
        release(ctx, f);
        f = next;
    }
}

void nfc_meters_stop(struct nfc_meters *ms, void (*release)(void *ctx, struct nfc_flow *f), void *ctx)
{
    for (unsigned i = 0; i < ms->n; i++)
        if (ms->meters[i].running)
            pthread_join(ms->meters[i].thread, NULL);
    /* Every thread has stopped: what they held back in batches becomes visible, so that it is released too. */
    table_publish(ms);
    for (unsigned i = 0; i < ms->n; i++)
        nfc_ring_publish(&ms->meters[i].done);
    for (unsigned i = 0; release && i < ms->n; i++) {
        struct meter_thread *mt = &ms->meters[i];
        /* Flows in transit: ended but not yet finished, or finished but not yet taken. Flows whose packets are
         * still queued are in the table, which releases them. */
        for (struct work_item *w; (w = nfc_ring_try_peek(&mt->work)); nfc_ring_release(&mt->work))
            if (w->op == OP_FINISH)
                release(ctx, w->flow);
        for (struct nfc_flow **slot; (slot = nfc_ring_try_peek(&mt->done)); nfc_ring_release(&mt->done))
            release(ctx, *slot);
    }
    if (release) {
        release_list(ms->orphans, release, ctx);
        release_list(atomic_exchange(&ms->given_back, NULL), release, ctx);
    }
    for (unsigned i = 0; i < ms->n; i++) {
        struct meter_thread *mt = &ms->meters[i];
        nfc_ring_free(&mt->work);
        nfc_ring_free(&mt->done);
        nfc_bytes_free(&mt->bytes);
        nfc_dpi_close(mt->params.dpi);
        nfc_plugins_unload(mt->own_plugins);
    }
    nfc_ring_free(&ms->order);
    free(ms->meters);
    free(ms);
}
