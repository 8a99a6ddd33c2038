/* Single-producer, single-consumer queues between the engine's threads: a ring of fixed-size slots, and a ring of
 * bytes for packet copies. Each side works on private positions and publishes them in batches, so that the cache
 * line both sides touch moves once per batch, not once per item. A side that finds nothing to do spins briefly,
 * then sleeps on a futex until the other side publishes. Cancelling wakes everyone.
 *
 * A side must publish what it holds before it waits on anything else (nfc_ring_publish*), or the other side may
 * wait for it forever; the blocking calls publish their own ring first. */
#ifndef NFC_SPSC_RING_H
#define NFC_SPSC_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* A side that may sleep until the other one publishes. */
struct nfc_waiter {
    _Atomic uint32_t seq; /* futex word: bumped when the other side publishes while this one sleeps */
    _Atomic uint32_t sleeping;
};

struct nfc_ring {
    _Alignas(64) _Atomic uint64_t head; /* items the producer has published */
    struct nfc_waiter consumer;
    _Alignas(64) _Atomic uint64_t tail; /* items the consumer has released and published */
    struct nfc_waiter producer;
    _Alignas(64) uint64_t next_head; /* producer only: items committed, published or not */
    _Alignas(64) uint64_t next_tail; /* consumer only: items released, published or not */
    _Alignas(64) _Atomic int cancelled;
    unsigned char *slots;
    size_t slot_size;
    uint64_t capacity; /* a power of two */
    uint64_t batch;    /* items published (or released) at once */
};

/* Fewer, larger batches mean fewer wake-ups of a sleeping side; each batch waits until it is full or published. */
int nfc_ring_init(struct nfc_ring *r, size_t slot_size, uint64_t capacity, uint64_t batch);
void nfc_ring_free(struct nfc_ring *r);

/* Producer: the next free slot; nfc_ring_commit adds it to the batch, published when the batch is full or by
 * nfc_ring_publish. try_reserve returns NULL when the ring is full; reserve waits (publishing first), and returns
 * NULL only once cancelled. */
void *nfc_ring_try_reserve(struct nfc_ring *r);
void *nfc_ring_reserve(struct nfc_ring *r);
void nfc_ring_commit(struct nfc_ring *r);
void nfc_ring_publish(struct nfc_ring *r);

/* Consumer: the oldest published item; nfc_ring_release frees it (published in batches, or by
 * nfc_ring_publish_releases). try_peek returns NULL when there is none, cancelled or not; peek waits (publishing
 * its releases first), and returns NULL only once cancelled. */
void *nfc_ring_try_peek(struct nfc_ring *r);
void *nfc_ring_peek(struct nfc_ring *r);
void nfc_ring_release(struct nfc_ring *r);
void nfc_ring_publish_releases(struct nfc_ring *r);

/* Makes every present and future wait return NULL. */
void nfc_ring_cancel(struct nfc_ring *r);

/* Bytes: the producer allocates contiguous spans in order; the consumer takes them in the same order, by length
 * (nfc_bytes_take finds where each one starts, as the producer placed it), and releases them by the end position
 * it got. The spans' contents are published by the slot ring whose items tell of them. */
struct nfc_bytes {
    _Alignas(64) uint64_t head; /* producer only */
    _Alignas(64) _Atomic uint64_t tail;
    struct nfc_waiter producer;
    _Alignas(64) uint64_t next_tail; /* consumer only */
    uint64_t read_head;              /* consumer only: where the next span to take ends up */
    _Alignas(64) _Atomic int cancelled;
    unsigned char *buf;
    uint64_t capacity;
};

int nfc_bytes_init(struct nfc_bytes *b, uint64_t capacity);
void nfc_bytes_free(struct nfc_bytes *b);
/* `len` contiguous bytes, or NULL when they do not fit now (try) or ever (len > capacity), or once cancelled;
 * *end is the position to release them with. */
unsigned char *nfc_bytes_try_alloc(struct nfc_bytes *b, size_t len, uint64_t *end);
unsigned char *nfc_bytes_alloc(struct nfc_bytes *b, size_t len, uint64_t *end);
/* Consumer: the next span, `len` bytes as allocated; *end releases it. */
const unsigned char *nfc_bytes_take(struct nfc_bytes *b, size_t len, uint64_t *end);
void nfc_bytes_release(struct nfc_bytes *b, uint64_t end);
void nfc_bytes_publish_releases(struct nfc_bytes *b);
void nfc_bytes_cancel(struct nfc_bytes *b);

#endif
