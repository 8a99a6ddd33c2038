#include "workers/spsc_ring.h"

#include <limits.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/invariant.h"

enum {
    SPINS = 200,
    EARLY_FRACTION = 32, /* a sleeping side is woken once this fraction of a batch is ready */
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* This side has just published (a sequentially consistent store): wake the other if it sleeps. The sleeper sets
 * `sleeping` before its last look at the ring, all four accesses sequentially consistent, so one of the two always
 * sees the other. */
static void wake(struct nfc_waiter *w)
{
    if (atomic_load(&w->sleeping)) {
        atomic_fetch_add(&w->seq, 1);
        syscall(SYS_futex, &w->seq, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    }
}

/* Waits until ready(arg) holds; returns false as soon as *cancelled is set. */
static bool wait_until(struct nfc_waiter *w, _Atomic int *cancelled, bool (*ready)(const void *), const void *arg)
{
    for (int i = 0; i < SPINS; i++) {
        if (atomic_load_explicit(cancelled, memory_order_relaxed))
            return false;
        if (ready(arg))
            return true;
        cpu_relax();
    }
    for (;;) {
        uint32_t seq = atomic_load(&w->seq);
        atomic_store(&w->sleeping, 1);
        if (atomic_load(cancelled) || ready(arg)) {
            atomic_store(&w->sleeping, 0);
            return !atomic_load(cancelled);
        }
        syscall(SYS_futex, &w->seq, FUTEX_WAIT_PRIVATE, seq, NULL, NULL, 0);
        atomic_store(&w->sleeping, 0);
    }
}

static void cancel(_Atomic int *cancelled, struct nfc_waiter *a, struct nfc_waiter *b)
{
    atomic_store(cancelled, 1);
    wake(a);
    if (b)
        wake(b);
}

/* ---- slots ------------------------------------------------------------------------------------------------ */

int nfc_ring_init(struct nfc_ring *r, size_t slot_size, uint64_t capacity, uint64_t batch)
{
    /* slot() masks positions; a batch beyond the capacity would never be published */
    nfc_invariant(capacity > 0 && (capacity & (capacity - 1)) == 0);
    nfc_invariant(batch > 0 && batch <= capacity);
    memset(r, 0, sizeof *r);
    r->slot_size = (slot_size + 7) & ~(size_t)7;
    r->capacity = capacity;
    r->batch = batch;
    r->slots = nfc_aligned_alloc(64, (r->slot_size * capacity + 63) & ~(size_t)63);
    return r->slots ? 0 : -1;
}

void nfc_ring_free(struct nfc_ring *r)
{
    nfc_free(r->slots);
    r->slots = NULL;
}

static void *slot(struct nfc_ring *r, uint64_t position)
{
    return r->slots + (position & (r->capacity - 1)) * r->slot_size;
}

static bool has_room(const void *arg)
{
    const struct nfc_ring *r = arg;
    return r->next_head - atomic_load(&r->tail) < r->capacity;
}

static bool has_item(const void *arg)
{
    const struct nfc_ring *r = arg;
    return atomic_load(&r->head) != r->next_tail;
}

void *nfc_ring_try_reserve(struct nfc_ring *r)
{
    return has_room(r) ? slot(r, r->next_head) : NULL;
}

void *nfc_ring_reserve(struct nfc_ring *r)
{
    if (has_room(r))
        return slot(r, r->next_head);
    nfc_ring_publish(r);
    return wait_until(&r->producer, &r->cancelled, has_room, r) ? slot(r, r->next_head) : NULL;
}

void nfc_ring_publish(struct nfc_ring *r)
{
    if (atomic_load_explicit(&r->head, memory_order_relaxed) == r->next_head)
        return;
    atomic_store(&r->head, r->next_head);
    wake(&r->consumer);
}

/* A full batch goes out; so does a smaller one when the other side sleeps for want of it. */
static bool publish_now(uint64_t pending, uint64_t batch, const struct nfc_waiter *other)
{
    return pending >= batch ||
           (pending >= batch / EARLY_FRACTION && atomic_load_explicit(&other->sleeping, memory_order_relaxed));
}

void nfc_ring_commit(struct nfc_ring *r)
{
    r->next_head++;
    if (publish_now(r->next_head - atomic_load_explicit(&r->head, memory_order_relaxed), r->batch, &r->consumer))
        nfc_ring_publish(r);
}

void *nfc_ring_try_peek(struct nfc_ring *r)
{
    return has_item(r) ? slot(r, r->next_tail) : NULL;
}

void *nfc_ring_peek(struct nfc_ring *r)
{
    if (has_item(r))
        return slot(r, r->next_tail);
    nfc_ring_publish_releases(r);
    return wait_until(&r->consumer, &r->cancelled, has_item, r) ? slot(r, r->next_tail) : NULL;
}

void nfc_ring_publish_releases(struct nfc_ring *r)
{
    if (atomic_load_explicit(&r->tail, memory_order_relaxed) == r->next_tail)
        return;
    atomic_store(&r->tail, r->next_tail);
    wake(&r->producer);
}

void nfc_ring_release(struct nfc_ring *r)
{
    r->next_tail++;
    if (publish_now(r->next_tail - atomic_load_explicit(&r->tail, memory_order_relaxed), r->batch, &r->producer))
        nfc_ring_publish_releases(r);
}

void nfc_ring_cancel(struct nfc_ring *r)
{
    cancel(&r->cancelled, &r->consumer, &r->producer);
}

/* ---- bytes ------------------------------------------------------------------------------------------------ */

int nfc_bytes_init(struct nfc_bytes *b, uint64_t capacity)
{
    nfc_invariant(capacity > 0);
    memset(b, 0, sizeof *b);
    b->capacity = capacity;
    b->buf = nfc_malloc(capacity);
    return b->buf ? 0 : -1;
}

void nfc_bytes_free(struct nfc_bytes *b)
{
    nfc_free(b->buf);
    b->buf = NULL;
}

struct bytes_need {
    const struct nfc_bytes *b;
    uint64_t end;
};

static bool bytes_room(const void *arg)
{
    const struct bytes_need *need = arg;
    return need->end - atomic_load(&need->b->tail) <= need->b->capacity;
}

/* Where `len` bytes placed from position `head` end: a span never wraps, so it may skip to the buffer's start. */
static uint64_t span_end(const struct nfc_bytes *b, uint64_t head, size_t len)
{
    uint64_t offset = head % b->capacity;
    if (offset + len > b->capacity)
        head += b->capacity - offset;
    return head + len;
}

static struct bytes_need place(const struct nfc_bytes *b, size_t len)
{
    return (struct bytes_need){b, span_end(b, b->head, len)};
}

static unsigned char *take(struct nfc_bytes *b, const struct bytes_need *need, size_t len, uint64_t *end)
{
    b->head = need->end;
    *end = need->end;
    return b->buf + (need->end - len) % b->capacity;
}

unsigned char *nfc_bytes_try_alloc(struct nfc_bytes *b, size_t len, uint64_t *end)
{
    struct bytes_need need = place(b, len);
    return len <= b->capacity && bytes_room(&need) ? take(b, &need, len, end) : NULL;
}

unsigned char *nfc_bytes_alloc(struct nfc_bytes *b, size_t len, uint64_t *end)
{
    struct bytes_need need = place(b, len);
    if (len > b->capacity || !wait_until(&b->producer, &b->cancelled, bytes_room, &need))
        return NULL;
    return take(b, &need, len, end);
}

const unsigned char *nfc_bytes_take(struct nfc_bytes *b, size_t len, uint64_t *end)
{
    b->read_head = span_end(b, b->read_head, len);
    *end = b->read_head;
    return b->buf + (b->read_head - len) % b->capacity;
}

void nfc_bytes_release(struct nfc_bytes *b, uint64_t end)
{
    b->next_tail = end;
}

void nfc_bytes_publish_releases(struct nfc_bytes *b)
{
    if (atomic_load_explicit(&b->tail, memory_order_relaxed) == b->next_tail)
        return;
    atomic_store(&b->tail, b->next_tail);
    wake(&b->producer);
}

void nfc_bytes_cancel(struct nfc_bytes *b)
{
    cancel(&b->cancelled, &b->producer, NULL);
}
