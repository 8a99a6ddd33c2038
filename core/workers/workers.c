#include "workers/workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/thread.h"
#include "workers/spsc_ring.h"

enum {
    /* How far a worker may fall behind (a burst of one host's flows, a scheduler slice spent elsewhere) before the
     * table side waits for it: 5 MB of 40-byte items. With 32768, the table side waited ~12 % of a 2-core run. */
    WORK_SLOTS = 131072,
    WORK_BATCH = 8192, /* few, large batches: a sleeping worker is woken once per batch */
    /* Room for a whole work ring beyond what a worker may hold unpublished: once the table side has emptied a
     * worker's done ring, the worker can finish every flow in its work ring without waiting, so the table side
     * never waits for a worker that waits for it. */
    DONE_SLOTS = 2 * WORK_SLOTS,
    DONE_BATCH = 128,
    PACKET_BYTES = 8 << 20, /* per worker: copies of the packets the hooks will read */
    BYTES_BATCH = 256,      /* work items between two publications of the bytes a worker is done with */
    /* Ended flows a worker may hold before the table side waits for them: on big.pcap this binds only when the
     * whole table ends at once (and costs no time there), while a flood of one-packet flows can no longer pile
     * up a work ring's worth of records and nDPI states (--capacity 100000 -j 2: 207 -> 171 MB peak RSS). */
    IN_FLIGHT_PER_METER = 4096,
};

enum work_op { OP_INIT, OP_UPDATE, OP_FINISH };

enum {
    ITEM_OP = 3,             /* enum work_op */
    ITEM_BACKWARD = 1u << 2, /* the packet goes from the flow's dst to its src */
    ITEM_BYTES = 1u << 3,    /* its bytes are next in the worker's byte ring */
    ITEM_PAYLOAD = 1u << 4,  /* it has captured payload, payload_off bytes after the IP header */
    ITEM_IPV6 = 1u << 5,     /* the packet's own IP version is 6: an IPv4 and an IPv6 packet can share a flow (§3) */
    MAC_BYTES = 12,          /* when a hook reads the addresses, a packet's MACs lead its bytes */
};

/* One packet's work, 40 bytes: what the flow record does not say already. The worker rebuilds the packet from the
 * item, the flow's key and the bytes; a smaller item is less to move from one core's cache to another's. */
struct work_item {
    struct nfc_flow *flow;
    uint64_t time_ms;
    uint16_t raw_size, ip_size, transport_size, payload_size;
    uint32_t payload_off; /* a frame may hold more than 64 KB */
    uint16_t ipsize;
    uint16_t payload_caplen;
    uint32_t number;   /* the packet's number in its flow (at most UINT32_MAX), for workers that only run
                                  the hooks */
    uint8_t tcp_flags; /* or, for ICMP and ICMPv6 (which have none), the message's type */
    uint8_t icmp_code;
    uint8_t bits; /* ITEM_* */
};
_Static_assert(sizeof(struct work_item) == 40, "a work item is 40 bytes");

struct worker {
    struct nfc_workers *owner;
    struct nfc_thread thread;
    bool running;
    struct nfc_ring work; /* table side -> worker */
    struct nfc_bytes bytes;
    struct nfc_ring done;     /* worker -> table side: expired flows */
    struct nfc_queue drained; /* expired flows taken off `done` early (nfc_flow.queued) */
    /* What the worker reads for every item, away from the lines the table side writes. */
    _Alignas(64) struct nfc_flow_params params;
    bool all_work, addresses; /* the owner's, copied */
    bool own_hooks;           /* params.hooks are clones, which the worker closes (not worker 0's) */
};

struct nfc_workers {
    unsigned n;
    struct worker *workers;
    struct nfc_queue ended; /* flows ended and not returned, in expiry order (nfc_flow.ended) */
    uint64_t in_flight;
    /* When a hook reads the features, a worker does all of a flow's work. Otherwise a worker only runs the hooks
     * (workers.h): the table side keeps the counters, statistics and SPLT with `table_params` (no hooks), and
     * sends a worker just the packets the hooks read and the flows' ends. Either way, a packet's bytes are copied
     * when a hook reads it, led by its MACs when a hook reads the addresses. */
    bool all_work;
    bool addresses;
    struct nfc_flow_hooks hooks; /* worker 0's: what the hooks read */
    struct nfc_flow_params table_params;
    /* Per worker, the packets of the flows it works on: written by the table side alone, read from any thread. */
    _Atomic uint64_t *packets;
};

/* The packet's endpoints, from the flow's key, for hooks that read the addresses. */
static void unpack_endpoints(const struct nfc_flow_view *v, bool backward, struct nfc_packet *pkt)
{
    pkt->src_port = backward ? v->dst_port : v->src_port;
    pkt->dst_port = backward ? v->src_port : v->dst_port;
    pkt->vlan_id = v->vlan_id;
    pkt->protocol = v->protocol;
    pkt->tunnel_id = v->tunnel_id;
    memcpy(pkt->src_ip, backward ? v->dst_ip : v->src_ip, 16);
    memcpy(pkt->dst_ip, backward ? v->src_ip : v->dst_ip, 16);
}

/* The packet of item `w` as the table side saw it, bytes from the byte ring. */
static void unpack(const struct worker *wk, const struct work_item *w, const unsigned char *bytes,
                   struct nfc_packet *pkt)
{
    bool backward = w->bits & ITEM_BACKWARD;
    memset(pkt, 0, sizeof *pkt);
    pkt->time_ms = w->time_ms;
    pkt->ipsize = w->ipsize;
    pkt->payload_caplen = w->payload_caplen;
    pkt->raw_size = w->raw_size;
    pkt->ip_size = w->ip_size;
    pkt->transport_size = w->transport_size;
    pkt->payload_size = w->payload_size;
    pkt->ip_version = w->bits & ITEM_IPV6 ? 6 : 4;
    if (w->flow->view.protocol == 1 || w->flow->view.protocol == 58) {
        pkt->icmp_type = w->tcp_flags;
        pkt->icmp_code = w->icmp_code;
    } else {
        pkt->tcp_flags = w->tcp_flags;
    }
    pkt->direction = backward;
    if (wk->addresses)
        unpack_endpoints(&w->flow->view, backward, pkt);
    if (!bytes)
        return;
    if (wk->addresses) {
        memcpy(pkt->src_mac, bytes, 6);
        memcpy(pkt->dst_mac, bytes + 6, 6);
        bytes += MAC_BYTES;
    }
    pkt->ip = bytes;
    if (w->bits & ITEM_PAYLOAD)
        pkt->payload = bytes + w->payload_off;
}

/* Bytes the table side copies for a packet: its MACs when a hook reads the addresses, then from its IP header to
 * the end of the frame or of the captured payload, whichever is further (ipsize stops at 65535 bytes). */
static size_t span_length(bool addresses, const struct work_item *w)
{
    size_t ip_bytes = w->ipsize;
    if ((w->bits & ITEM_PAYLOAD) && (size_t)w->payload_off + w->payload_caplen > ip_bytes)
        ip_bytes = (size_t)w->payload_off + w->payload_caplen;
    return (addresses ? MAC_BYTES : 0) + ip_bytes;
}

/* ---- the worker threads ------------------------------------------------------------------------------------- */

/* Everything this worker holds back for batching, made visible before it waits. */
static void worker_publish(struct worker *wk)
{
    nfc_ring_publish_releases(&wk->work);
    nfc_bytes_publish_releases(&wk->bytes);
    nfc_ring_publish(&wk->done);
}

static bool hand_over(struct worker *wk, struct nfc_flow *f)
{
    struct nfc_flow **slot = nfc_ring_try_reserve(&wk->done);
    if (!slot) {
        worker_publish(wk);
        if (!(slot = nfc_ring_reserve(&wk->done)))
            return false;
    }
    *slot = f;
    nfc_ring_commit(&wk->done);
    return true;
}

/* The share of a packet's work of a worker that only runs the hooks (nfc_flow_init and _update do the rest on the
 * table side; nfc_flow_expire is the hooks' alone). */
static void run_hooks(const struct worker *wk, const struct work_item *w, const struct nfc_packet *pkt)
{
    if ((enum work_op)(w->bits & ITEM_OP) == OP_INIT)
        nfc_flow_hooks_init(&wk->params.hooks, w->flow, pkt);
    else
        nfc_flow_hooks_update(&wk->params.hooks, w->flow, pkt, w->number);
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    char name[16];
    snprintf(name, sizeof name, "nfc-worker-%u", (unsigned)(wk - wk->owner->workers));
    pthread_setname_np(pthread_self(), name);
    for (unsigned n = 1;; n++) {
        struct work_item *w = nfc_ring_try_peek(&wk->work);
        if (!w) {
            worker_publish(wk);
            if (!(w = nfc_ring_peek(&wk->work)))
                return NULL;
        }
        enum work_op op = (enum work_op)(w->bits & ITEM_OP);
        if (op == OP_FINISH) {
            nfc_flow_expire(&wk->params, w->flow);
            if (!hand_over(wk, w->flow))
                return NULL;
        } else {
            uint64_t bytes_end = 0;
            const unsigned char *bytes = NULL;
            if (w->bits & ITEM_BYTES)
                bytes = nfc_bytes_take(&wk->bytes, span_length(wk->addresses, w), &bytes_end);
            struct nfc_packet pkt;
            unpack(wk, w, bytes, &pkt);
            if (!wk->all_work)
                run_hooks(wk, w, &pkt);
            else if (op == OP_INIT)
                nfc_flow_init(&wk->params, w->flow, &pkt);
            else
                nfc_flow_update(&wk->params, w->flow, &pkt);
            if (bytes)
                nfc_bytes_release(&wk->bytes, bytes_end);
        }
        nfc_ring_release(&wk->work);
        if (n % BYTES_BATCH == 0)
            nfc_bytes_publish_releases(&wk->bytes);
    }
}

static int start_worker(struct nfc_workers *ws, unsigned i, const struct nfc_flow_params *params, char *err,
                        size_t errlen)
{
    struct worker *wk = &ws->workers[i];
    wk->owner = ws;
    wk->params = *params;
    wk->all_work = ws->all_work;
    wk->addresses = ws->addresses;
    if (nfc_ring_init(&wk->work, sizeof(struct work_item), WORK_SLOTS, WORK_BATCH) < 0 ||
        nfc_ring_init(&wk->done, sizeof(struct nfc_flow *), DONE_SLOTS, DONE_BATCH) < 0 ||
        nfc_bytes_init(&wk->bytes, PACKET_BYTES) < 0)
        return nfc_errorf(err, errlen, "out of memory");
    if (i > 0) {
        wk->own_hooks = true;
        if (nfc_flow_hooks_clone(&params->hooks, &wk->params.hooks, err, errlen) < 0)
            return -1;
    }
    int rc = nfc_thread_start(&wk->thread, worker_main, wk);
    if (rc != 0)
        return nfc_errorf(err, errlen, "cannot start worker thread %u: %s", i, nfc_thread_error(rc));
    wk->running = true;
    return 0;
}

struct nfc_workers *nfc_workers_start(unsigned n, const struct nfc_flow_params *params, char *err, size_t errlen)
{
    struct nfc_workers *ws = nfc_calloc(1, sizeof *ws);
    if (!ws || !(ws->workers = nfc_calloc(n, sizeof *ws->workers)) ||
        !(ws->packets = nfc_calloc(n, sizeof *ws->packets))) {
        nfc_errorf(err, errlen, "out of memory");
        if (ws)
            nfc_free(ws->workers);
        nfc_free(ws);
        return NULL;
    }
    ws->n = n;
    ws->hooks = params->hooks;
    ws->all_work = (params->hooks.flags & NFC_HOOK_READS_FEATURES) != 0;
    ws->addresses = (params->hooks.flags & NFC_HOOK_READS_ADDRESSES) != 0;
    ws->table_params = *params;
    ws->table_params.hooks = (struct nfc_flow_hooks){0};
    for (unsigned i = 0; i < n; i++) {
        if (start_worker(ws, i, params, err, errlen) < 0) {
            nfc_workers_stop(ws, NULL, NULL);
            return NULL;
        }
    }
    return ws;
}

/* ---- the table side ----------------------------------------------------------------------------------------- */

/* The address pair alone picks the worker, both directions alike, so that one host's flows share the hooks'
 * instances (what a hook finds may depend on the flows its instance has seen, as nDPI's labels do). */
static uint16_t worker_of(const struct nfc_workers *ws, const struct nfc_flow *f)
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
    return (uint16_t)(h % ws->n);
}

/* Whether a hook reads the flow's latest packet (then its bytes go to the worker). */
static bool hooks_read(const struct nfc_workers *ws, const struct nfc_flow *f)
{
    return nfc_flow_hooks_read(&ws->hooks, f->table_packets);
}

void nfc_workers_publish(struct nfc_workers *ws)
{
    for (unsigned i = 0; i < ws->n; i++)
        nfc_ring_publish(&ws->workers[i].work);
}

/* Takes every expired flow off the workers' done rings, so that no worker waits for room to hand one over. */
static void drain_done(struct nfc_workers *ws)
{
    for (unsigned i = 0; i < ws->n; i++) {
        struct worker *wk = &ws->workers[i];
        for (struct nfc_flow **slot; (slot = nfc_ring_try_peek(&wk->done)); nfc_ring_release(&wk->done))
            nfc_queue_push(&wk->drained, &(*slot)->queued);
        nfc_ring_publish_releases(&wk->done);
    }
}

/* Before the table side waits for a worker, it sends what it batched and frees what the workers handed back: the
 * worker it waits for can then always move. */
static void before_waiting(struct nfc_workers *ws)
{
    nfc_workers_publish(ws);
    drain_done(ws);
}

/* Copies the `len` bytes the worker will read (span_length). */
static bool copy_bytes(struct nfc_workers *ws, struct worker *wk, const struct nfc_packet *pkt, size_t len)
{
    uint64_t end;
    unsigned char *copy = nfc_bytes_try_alloc(&wk->bytes, len, &end);
    if (!copy) {
        before_waiting(ws);
        if (!(copy = nfc_bytes_alloc(&wk->bytes, len, &end)))
            return false;
    }
    if (ws->addresses) {
        memcpy(copy, pkt->src_mac, 6);
        memcpy(copy + 6, pkt->dst_mac, 6);
        copy += MAC_BYTES;
    }
    memcpy(copy, pkt->ip, len - (ws->addresses ? MAC_BYTES : 0));
    return true;
}

static void send_packet(struct nfc_workers *ws, struct nfc_flow *f, const struct nfc_packet *pkt, enum work_op op)
{
    struct worker *wk = &ws->workers[f->worker];
    struct work_item *w = nfc_ring_try_reserve(&wk->work);
    if (!w) {
        before_waiting(ws);
        if (!(w = nfc_ring_reserve(&wk->work)))
            return;
    }
    w->flow = f;
    w->bits = (uint8_t)op;
    if (op != OP_FINISH) {
        if (pkt->direction)
            w->bits |= ITEM_BACKWARD;
        w->time_ms = pkt->time_ms;
        w->raw_size = pkt->raw_size;
        w->ip_size = pkt->ip_size;
        w->transport_size = pkt->transport_size;
        w->payload_size = pkt->payload_size;
        w->ipsize = pkt->ipsize;
        w->payload_caplen = pkt->payload_caplen;
        w->tcp_flags = pkt->tcp_flags | pkt->icmp_type; /* one of them is 0 */
        w->icmp_code = pkt->icmp_code;
        if (pkt->ip_version == 6)
            w->bits |= ITEM_IPV6;
        w->number = (uint32_t)(f->table_packets < UINT32_MAX ? f->table_packets : UINT32_MAX);
        if (pkt->payload && pkt->ip) {
            w->bits |= ITEM_PAYLOAD;
            w->payload_off = (uint32_t)(pkt->payload - pkt->ip);
        }
        /* The slot stays uncommitted until the bytes are in place. */
        if (pkt->ip && hooks_read(ws, f)) {
            if (!copy_bytes(ws, wk, pkt, span_length(ws->addresses, w)))
                return;
            w->bits |= ITEM_BYTES;
        }
    }
    nfc_ring_commit(&wk->work);
}

/* One more packet for the flow's worker: a relaxed store, as the table side is the only writer. */
static void count_packet(struct nfc_workers *ws, const struct nfc_flow *f)
{
    _Atomic uint64_t *n = &ws->packets[f->worker];
    atomic_store_explicit(n, atomic_load_explicit(n, memory_order_relaxed) + 1, memory_order_relaxed);
}

static void work_init(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt)
{
    struct nfc_workers *ws = ctx;
    f->worker = worker_of(ws, f);
    count_packet(ws, f);
    if (!ws->all_work) {
        nfc_flow_init(&ws->table_params, f, pkt);
        if (!hooks_read(ws, f))
            return;
    }
    send_packet(ws, f, pkt, OP_INIT);
}

static void work_update(void *ctx, struct nfc_flow *f, struct nfc_packet *pkt)
{
    struct nfc_workers *ws = ctx;
    count_packet(ws, f);
    if (!ws->all_work) {
        nfc_flow_update(&ws->table_params, f, pkt);
        if (!hooks_read(ws, f))
            return;
    }
    send_packet(ws, f, pkt, OP_UPDATE);
}

static void work_expire(void *ctx, struct nfc_flow *f)
{
    struct nfc_workers *ws = ctx;
    nfc_queue_push(&ws->ended, &f->ended);
    ws->in_flight++;
    send_packet(ws, f, NULL, OP_FINISH);
}

struct nfc_flow_work nfc_workers_work(struct nfc_workers *ws)
{
    return (struct nfc_flow_work){.init = work_init, .update = work_update, .expire = work_expire, .ctx = ws};
}

/* ---- expired flows, in order -------------------------------------------------------------------------------- */

/* The oldest ended flow, once its worker has finished it: each worker hands flows back in the order it got them. */
/* Whether worker `wk` has handed back its oldest expired flow: from the flows drained earlier, else its ring. */
static bool handed_back(struct worker *wk)
{
    if (nfc_queue_pop(&wk->drained))
        return true;
    if (!nfc_ring_try_peek(&wk->done))
        return false;
    nfc_ring_release(&wk->done);
    return true;
}

/* The oldest ended flow, once its worker has finished it: each worker hands flows back in the order it got them. */
static struct nfc_flow *take(struct nfc_workers *ws, bool wait)
{
    struct nfc_flow *f = nfc_list_entry(ws->ended.head, struct nfc_flow, ended);
    if (!f)
        return NULL;
    struct worker *wk = &ws->workers[f->worker];
    if (!handed_back(wk)) {
        if (!wait)
            return NULL;
        /* Draining may itself move the flow into the drained list: look there again before sleeping. */
        before_waiting(ws);
        if (!handed_back(wk)) {
            if (!nfc_ring_peek(&wk->done))
                return NULL;
            nfc_ring_release(&wk->done);
        }
    }
    nfc_queue_pop(&ws->ended);
    ws->in_flight--;
    return f;
}

struct nfc_flow *nfc_workers_try_next(struct nfc_workers *ws)
{
    return take(ws, false);
}

struct nfc_flow *nfc_workers_wait_next(struct nfc_workers *ws)
{
    return take(ws, true);
}

uint64_t nfc_workers_in_flight(const struct nfc_workers *ws)
{
    return ws->in_flight;
}

bool nfc_workers_backlogged(const struct nfc_workers *ws)
{
    return ws->in_flight >= (uint64_t)IN_FLIGHT_PER_METER * ws->n;
}

/* ---- shutdown ----------------------------------------------------------------------------------------------- */

void nfc_workers_stop(struct nfc_workers *ws, void (*release)(void *ctx, struct nfc_flow *f), void *ctx)
{
    for (unsigned i = 0; i < ws->n; i++) {
        nfc_ring_cancel(&ws->workers[i].work);
        nfc_ring_cancel(&ws->workers[i].done);
        nfc_bytes_cancel(&ws->workers[i].bytes);
    }
    for (unsigned i = 0; i < ws->n; i++)
        if (ws->workers[i].running)
            nfc_thread_join(&ws->workers[i].thread);
    /* Every thread has stopped. Flows in transit are those ended but not returned, wherever they are; flows whose
     * packets are still queued are in the table, which releases them. */
    for (struct nfc_slink *l; release && (l = nfc_queue_pop(&ws->ended));)
        release(ctx, nfc_list_entry(l, struct nfc_flow, ended));
    for (unsigned i = 0; i < ws->n; i++) {
        struct worker *wk = &ws->workers[i];
        nfc_ring_free(&wk->work);
        nfc_ring_free(&wk->done);
        nfc_bytes_free(&wk->bytes);
        if (wk->own_hooks)
            nfc_flow_hooks_close(&wk->params.hooks);
    }
    nfc_free(ws->workers);
    nfc_free(ws->packets);
    nfc_free(ws);
}

size_t nfc_workers_packets(const struct nfc_workers *ws, uint64_t *packets, size_t n)
{
    for (size_t i = 0; i < n && i < ws->n; i++)
        packets[i] = atomic_load_explicit(&ws->packets[i], memory_order_relaxed);
    return ws->n;
}
