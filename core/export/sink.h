/* A flow sink: where flow records go once the engine hands them out (a file, a collector, a broker). A sink is
 * two steps: encode, which turns a flow into bytes on the caller's thread (the record is recycled by the next
 * nfc_engine_next, so nothing else may read it later), and send, which puts those bytes out.
 *
 * A synchronous sink sends inside nfc_sink_put, on the caller's thread, and returns what send returned (the CSV
 * and JSON lines writers). An asynchronous sink sends on a thread of its own, from a bounded queue of encoded
 * records: metering never waits for it. When the queue is full the record is dropped and counted; a failed send
 * is counted too, so that after close every record put is exactly one of sent, dropped or failed.
 *
 * Sinks that need an external library (IPFIX with libfixbuf, Kafka with librdkafka) implement nfc_sink_ops in
 * optional libraries of their own, built only where that library is found: libnfcore never links them. */
#ifndef NFC_EXPORT_SINK_H
#define NFC_EXPORT_SINK_H

#include <stddef.h>
#include <stdint.h>

#include <nfcore/nfcore.h>

#include "export/text_buffer.h"

struct nfc_sink_ops {
    /* Appends the flow's encoding to `out` (caller's thread). An allocation that fails marks out->failed. */
    void (*encode)(void *state, const struct nfc_flow *flow, struct nfc_text *out);
    /* Puts one encoded record out: on the sink's thread when asynchronous. Returns 0, or -1 with a message in
     * err. */
    int (*send)(void *state, const char *bytes, size_t len, char *err, size_t errlen);
    /* Pushes out what send buffered (may be NULL): after each batch the sink's thread sent (asynchronous), and at
     * close once every record has been sent. Returns 0, or -1 with a message in err. */
    int (*flush)(void *state, char *err, size_t errlen);
    /* At close, after flush (may be NULL): how many records that send took were lost afterwards (a message the
     * collector did not get), with why; they count as failed, not sent. */
    uint64_t (*lost)(void *state, char *why, size_t whylen);
    /* Frees the state (may be NULL: the state is the caller's). */
    void (*free)(void *state);
};

struct nfc_sink_options {
    size_t queue;      /* encoded records waiting for the sink's thread; 0: synchronous, no thread */
    uint64_t drain_ms; /* how long close waits for the queue to empty (plus the send in progress) */
};

struct nfc_sink_stats {
    uint64_t sent;    /* records sent */
    uint64_t dropped; /* records not sent: the queue was full, or still held when the drain time ran out */
    uint64_t failed;  /* records that could not be encoded or whose send failed */
};

struct nfc_sink;

/* The sink takes `state` over (ops->free), also when opening fails. Returns NULL with a message in err. */
struct nfc_sink *nfc_sink_open(const struct nfc_sink_ops *ops, void *state, const struct nfc_sink_options *options,
                               char *err, size_t errlen);

/* Encodes the flow and sends it, or queues it for the sink's thread without ever waiting for it. Returns 0 when
 * the record was sent or queued, or -1 when it was not (counted: dropped or failed). */
int nfc_sink_put(struct nfc_sink *s, const struct nfc_flow *flow);

/* A synchronous sink's first failure ("" when none); an asynchronous sink's is the one close gives. */
const char *nfc_sink_error(const struct nfc_sink *s);

/* Drains the queue (for at most drain_ms), stops the thread, flushes and frees the sink. Fills `stats` (may be
 * NULL). Returns 0, or -1 with the first failure's message in err. */
int nfc_sink_close(struct nfc_sink *s, struct nfc_sink_stats *stats, char *err, size_t errlen);

#endif
