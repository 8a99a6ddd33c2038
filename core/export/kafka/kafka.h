/* Kafka export: one message per flow holding its JSON line (without the newline), produced with librdkafka by an
 * idempotent producer; the key is the flow's community_id or none, the probe's name a header. An optional library
 * of its own (nfcore_kafka), built where librdkafka is found: libnfcore does not need it. */
#ifndef NFC_EXPORT_KAFKA_H
#define NFC_EXPORT_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include <nfcore/nfcore.h>

#define NFC_KAFKA_DEFAULT_TIMEOUT_S 30

enum nfc_kafka_key {
    NFC_KAFKA_KEY_DEFAULT,      /* community_id when the engine has that column, else none */
    NFC_KAFKA_KEY_NONE,         /* no key: librdkafka's partitioner spreads the messages */
    NFC_KAFKA_KEY_COMMUNITY_ID, /* the flow's community_id: a flow's two directions, seen by any probe, meet */
};

/* A librdkafka property passed through (`NAME=VALUE`). */
struct nfc_kafka_property {
    const char *name;
    const char *value;
};

struct nfc_kafka_options {
    const char *brokers; /* bootstrap.servers: H:P[,H:P...] */
    const char *topic;
    enum nfc_kafka_key key;
    struct nfc_kafka_property *properties;
    size_t n_properties;
    const char *probe_id; /* sent as the header "probe_id" of every message; NULL for none */
    uint64_t timeout_ms;  /* for the brokers' first answer, and for the deliveries still awaited at close */
    char *text;           /* storage behind the strings above */
};

/* Parses --kafka's `brokers=H:P[,H:P],topic=T[,key=community_id|none][,PROP=VALUE...]`: a comma followed by text
 * without '=' continues the previous value (another broker, a list-valued property). Leaves probe_id and
 * timeout_ms as they are. Returns 0, or -1 with a one-line message. */
int nfc_kafka_options_parse(const char *text, struct nfc_kafka_options *o, char *err, size_t errlen);
void nfc_kafka_options_free(struct nfc_kafka_options *o);

struct nfc_kafka_stats {
    uint64_t delivered; /* acknowledged by the brokers */
    uint64_t dropped;   /* not produced: librdkafka's bounded queue was full */
    uint64_t failed;    /* not encoded, refused, or not acknowledged before the timeout at close */
};

struct nfc_kafka;

/* Creates the producer over the engine's columns and asks the brokers for the topic's metadata, waiting at most
 * timeout_ms. Returns NULL with a one-line message (a bad property, an unreachable broker, an unknown topic). */
struct nfc_kafka *nfc_kafka_open(const struct nfc_engine *eng, const struct nfc_kafka_options *options, char *err,
                                 size_t errlen);

/* Encodes the flow and hands it to librdkafka's queue without waiting. Returns 0, or -1 when the message was not
 * queued (counted: dropped or failed). */
int nfc_kafka_put(struct nfc_kafka *k, const struct nfc_flow *flow);

/* Waits at most timeout_ms for the deliveries still awaited, counts what was not delivered as failed, and frees
 * the producer. Fills stats (may be NULL). Returns 0, or -1 with the first failure's message. */
int nfc_kafka_close(struct nfc_kafka *k, struct nfc_kafka_stats *stats, char *err, size_t errlen);

#endif
