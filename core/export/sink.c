#include "export/sink.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/thread.h"

/* Asynchronous, the queue is a ring of `queue` slots, slots[(head + i) % queue] for i < count. The caller's thread
 * encodes into the slot after the last queued one, which the sink's thread never reads until it is counted in:
 * the lock is held only to move head and count, never while encoding or sending. Synchronous, slots[0] is the
 * one record being put. Slots keep their buffers, so a record allocates only when it is the longest yet. */
struct nfc_sink {
    const struct nfc_sink_ops *ops;
    void *state;
    struct nfc_sink_options options;
    struct nfc_text *slots;
    size_t head;
    size_t count;
    pthread_mutex_t lock;
    pthread_cond_t queued;  /* a record was queued, or closing was set */
    pthread_cond_t drained; /* the queue emptied */
    bool closing;           /* nothing more comes: send what is queued, then stop */
    bool abandon;           /* the drain time ran out: stop after the send in progress */
    bool running;
    struct nfc_thread thread;
    struct nfc_sink_stats stats;
    bool failed;
    char error[256];
};

/* Keeps the first failure's message. Under the lock when asynchronous. */
static void fail(struct nfc_sink *s, const char *message)
{
    if (!s->failed)
        snprintf(s->error, sizeof s->error, "%s", message);
    s->failed = true;
}

/* Counts one record's outcome. Under the lock when asynchronous. */
static void count(struct nfc_sink *s, int rc, const char *message)
{
    if (rc == 0) {
        s->stats.sent++;
        return;
    }
    s->stats.failed++;
    fail(s, message);
}

/* Pushes out what send buffered. Outside the lock when asynchronous: flush may take time. */
static int flush(struct nfc_sink *s, char *err, size_t errlen)
{
    err[0] = '\0';
    return s->ops->flush ? s->ops->flush(s->state, err, errlen) : 0;
}

/* Encodes into `slot`. Returns false (the record counted as failed) when memory ran out. */
static bool encode(struct nfc_sink *s, const struct nfc_flow *flow, struct nfc_text *slot)
{
    slot->len = 0;
    slot->failed = false;
    s->ops->encode(s->state, flow, slot);
    return !slot->failed;
}

/* The sink's thread wakes when a batch is queued (BATCH records, at most half the queue), or the close, or after
 * BATCH_WAIT_MS, and then sends what is there: a wake-up costs more than sending a record. An idle sink wakes every
 * BATCH_WAIT_MS for nothing. */
enum { BATCH = 256, BATCH_WAIT_MS = 50 };

static size_t batch(const struct nfc_sink *s)
{
    size_t half = s->options.queue / 2;
    return half < 1 ? 1 : half < BATCH ? half : BATCH;
}

static void wait_for_batch(struct nfc_sink *s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += BATCH_WAIT_MS * 1000000L;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    while (s->count < batch(s) && !s->closing && pthread_cond_timedwait(&s->queued, &s->lock, &until) != ETIMEDOUT)
        continue;
}

static void *sink_main(void *arg)
{
    struct nfc_sink *s = arg;
    char err[sizeof s->error];
    pthread_mutex_lock(&s->lock);
    for (;;) {
        wait_for_batch(s);
        if (s->abandon || (s->closing && !s->count))
            break;
        if (!s->count)
            continue;
        while (s->count && !s->abandon) {
            const struct nfc_text *slot = &s->slots[s->head];
            pthread_mutex_unlock(&s->lock);
            err[0] = '\0';
            int rc = s->ops->send(s->state, slot->p, slot->len, err, sizeof err);
            pthread_mutex_lock(&s->lock);
            count(s, rc, err);
            s->head = (s->head + 1) % s->options.queue;
            if (--s->count == 0)
                pthread_cond_signal(&s->drained);
        }
        if (s->abandon)
            break;
        /* The queue is empty: what send buffered goes out rather than waiting for the next records. */
        pthread_mutex_unlock(&s->lock);
        int rc = flush(s, err, sizeof err);
        pthread_mutex_lock(&s->lock);
        if (rc < 0)
            fail(s, err);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static int start_thread(struct nfc_sink *s, char *err, size_t errlen)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return nfc_errorf(err, errlen, "out of memory");
    /* The drain and batch deadlines must not move with the wall clock. */
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&s->drained, &attr);
    rc = rc ? rc : pthread_cond_init(&s->queued, &attr);
    rc = rc ? rc : pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        return nfc_errorf(err, errlen, "out of memory");
    if ((rc = nfc_thread_start(&s->thread, sink_main, s)) != 0) {
        pthread_cond_destroy(&s->queued);
        pthread_cond_destroy(&s->drained);
        pthread_mutex_destroy(&s->lock);
        return nfc_errorf(err, errlen, "cannot start the sink's thread: %s", nfc_thread_error(rc));
    }
    s->running = true;
    return 0;
}

/* Lets the thread send what is queued for at most drain_ms, then stops it; what is left counts as dropped. */
static void stop_thread(struct nfc_sink *s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(s->options.drain_ms / 1000);
    until.tv_nsec += (long)(s->options.drain_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&s->lock);
    s->closing = true;
    pthread_cond_signal(&s->queued);
    while (s->count && pthread_cond_timedwait(&s->drained, &s->lock, &until) != ETIMEDOUT)
        continue;
    s->abandon = true;
    pthread_mutex_unlock(&s->lock);
    nfc_thread_join(&s->thread);
    s->stats.dropped += s->count;
}

static void free_sink(struct nfc_sink *s)
{
    size_t n = s->options.queue ? s->options.queue : 1;
    for (size_t i = 0; s->slots && i < n; i++)
        nfc_text_free(&s->slots[i]);
    nfc_free(s->slots);
    if (s->ops->free)
        s->ops->free(s->state);
    nfc_free(s);
}

struct nfc_sink *nfc_sink_open(const struct nfc_sink_ops *ops, void *state, const struct nfc_sink_options *options,
                               char *err, size_t errlen)
{
    struct nfc_sink *s = nfc_calloc(1, sizeof *s);
    if (!s) {
        if (ops->free)
            ops->free(state);
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    s->ops = ops;
    s->state = state;
    s->options = *options;
    s->slots = nfc_calloc(options->queue ? options->queue : 1, sizeof *s->slots);
    if (!s->slots) {
        nfc_errorf(err, errlen, "out of memory");
        free_sink(s);
        return NULL;
    }
    if (options->queue && start_thread(s, err, errlen) < 0) {
        free_sink(s);
        return NULL;
    }
    return s;
}

static int put_async(struct nfc_sink *s, const struct nfc_flow *flow)
{
    pthread_mutex_lock(&s->lock);
    bool full = s->count == s->options.queue;
    if (full)
        s->stats.dropped++;
    struct nfc_text *slot = &s->slots[(s->head + s->count) % s->options.queue];
    pthread_mutex_unlock(&s->lock);
    if (full)
        return -1;
    bool encoded = encode(s, flow, slot);
    pthread_mutex_lock(&s->lock);
    if (encoded) {
        if (++s->count == batch(s))
            pthread_cond_signal(&s->queued);
    } else {
        nfc_alloc_handled(); /* counted here, as a failed record */
        count(s, -1, "out of memory");
    }
    pthread_mutex_unlock(&s->lock);
    return encoded ? 0 : -1;
}

int nfc_sink_put(struct nfc_sink *s, const struct nfc_flow *flow)
{
    if (s->options.queue)
        return put_async(s, flow);
    char err[sizeof s->error];
    err[0] = '\0';
    bool encoded = encode(s, flow, &s->slots[0]);
    if (!encoded)
        nfc_alloc_handled(); /* counted here, as a failed record */
    int rc = encoded ? s->ops->send(s->state, s->slots[0].p, s->slots[0].len, err, sizeof err)
                     : nfc_errorf(err, sizeof err, "out of memory");
    count(s, rc, err);
    return rc;
}

const char *nfc_sink_error(const struct nfc_sink *s)
{
    return s->error;
}

int nfc_sink_close(struct nfc_sink *s, struct nfc_sink_stats *stats, char *err, size_t errlen)
{
    if (s->running) {
        stop_thread(s);
        pthread_cond_destroy(&s->queued);
        pthread_cond_destroy(&s->drained);
        pthread_mutex_destroy(&s->lock);
    }
    char why[sizeof s->error];
    if (flush(s, why, sizeof why) < 0)
        fail(s, why);
    uint64_t lost = s->ops->lost ? s->ops->lost(s->state, why, sizeof why) : 0;
    if (lost) {
        s->stats.sent -= lost;
        s->stats.failed += lost;
        fail(s, why);
    }
    int rc = s->failed ? nfc_errorf(err, errlen, "%s", s->error) : 0;
    if (stats)
        *stats = s->stats;
    free_sink(s);
    return rc;
}
