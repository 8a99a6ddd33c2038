/* The flow record and the per-packet work on it: counters, statistics and SPLT (spec §4, §5.2, §5.3), then the
 * flow hooks (flow/hooks.h), and the per-flow state slots handed out to the parts that register them. The flow
 * layer never knows which parts those are (nDPI and plugins: they depend on it, not it on them). */
#ifndef NFC_FLOW_H
#define NFC_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/community_id.h"
#include "flow/hooks.h"
#include "flow/statistics.h"
#include "util/list.h"

enum { NFC_SCOPE_COUNT = 3 }; /* bidirectional, src2dst, dst2src (enum nfc_scope) */

/* A flow is keyed on its two endpoints in either order plus protocol, VLAN and tunnel (spec §3). Its src is
 * the sender of its first packet. The part plugins see is `view`, laid out by the SDK. Variable parts follow the
 * struct in ext[]: first the state slots, in the order they were asked for (the first right after the view: the
 * place for a state that a worker thread writes while the table side writes the features, on lines of its own),
 * then the statistics and SPLT; nfc_flow_params says where. */
struct nfc_flow {
    union {                      /* one at a time: a record is in the table, expired, or free */
        struct nfc_slink bucket; /* in the table: its hash chain */
        struct nfc_slink queued; /* expired: the cache's output queue, or a worker's drained list */
        struct nfc_slink free;   /* in the pool's free list */
    };
    struct nfc_dlink age;     /* in the table: insertion order (the idle scan's order) */
    struct nfc_dlink recency; /* in the table: last-seen order, kept only under a capacity */
    struct nfc_slink ended;   /* ended, on its way back from a worker thread: the expiry order */
    uint64_t id;
    /* The table's own record of the flow, kept by the thread that owns the table (the view's counters may be
     * written by a worker thread at the same time). */
    uint64_t table_first_ms;
    uint64_t table_last_ms;
    uint64_t table_packets;
    uint32_t hash;
    uint16_t worker;         /* the worker thread that does this flow's work */
    uint8_t fins_seen;       /* bit 0: src sent FIN, bit 1: dst sent FIN (expire_on_tcp_end) */
    int8_t expire_requested; /* 0, or the expiration_id to end with after this packet step */
    bool input_ended;        /* ended because the input did, its expiration_id left as nfstream's (IPFIX's reason 4) */
    char community_id[NFC_COMMUNITY_ID_LEN]; /* made with the flow when the configuration asks for it */
    /* From here on, what a worker thread writes: away from the table's cache lines above. */
    _Alignas(64) struct nfc_flow_view view;
    _Alignas(64) unsigned char ext[];
};

/* How the engine is configured to build records, fixed for one run once laid out, and the hooks of the thread
 * that works on them (each worker thread has its own instances). */
struct nfc_flow_params {
    uint8_t accounting_mode;
    bool statistics;
    uint16_t splt;     /* SPLT length, 0 = off */
    bool community_id; /* make each flow's Community ID, under community_id_seed */
    bool ip_octets;    /* count RFC 7012's IP bytes per direction at ip_octets_off */
    uint16_t community_id_seed;
    size_t slots_size; /* bytes of ext[] handed out as state slots */
    size_t stats_off;  /* offsets into ext[] */
    size_t ip_octets_off;
    size_t splt_direction_off;
    size_t splt_ps_off;
    size_t splt_piat_off;
    size_t record_size; /* sizeof(struct nfc_flow) + ext; 0 until laid out */
    struct nfc_flow_hooks hooks;
};

/* Hands out `size` bytes of per-flow state aligned to `align` (a power of two, at most 64): returns their offset
 * into ext[]. Only before nfc_flow_params_layout. A slot is zeroed when its record is identified. */
size_t nfc_flow_slot(struct nfc_flow_params *p, size_t size, size_t align);

/* Places the statistics and SPLT after the slots and fixes the record's size. */
void nfc_flow_params_layout(struct nfc_flow_params *p);

static inline struct nfc_scope_statistics *nfc_flow_statistics(const struct nfc_flow_params *p, struct nfc_flow *f)
{
    return (struct nfc_scope_statistics *)(f->ext + p->stats_off);
}

static inline const struct nfc_scope_statistics *nfc_flow_statistics_c(const struct nfc_flow_params *p,
                                                                       const struct nfc_flow *f)
{
    return (const struct nfc_scope_statistics *)(f->ext + p->stats_off);
}

/* Clears the record `f` (record_size bytes) but for its counters, statistics and SPLT, and gives it the key
 * and identity of its first packet. */
void nfc_flow_identify(const struct nfc_flow_params *p, struct nfc_flow *f, const struct nfc_packet *pkt,
                       uint32_t hash);

/* Starts an identified flow's features from its first packet, then runs the hooks' init (they see pkt->direction
 * and pkt->delta_time_ms set here). The counters, statistics and SPLT are set here, by the thread
 * that will write them: with worker threads, their cache lines then never go through the table's. */
void nfc_flow_init(const struct nfc_flow_params *p, struct nfc_flow *f, struct nfc_packet *pkt);

/* The flow key's one comparison (spec §3): 0 when the packet is flow f's, going src->dst; 1 when it is f's, going
 * dst->src; -1 when it is another flow's. Addresses compare as 16 bytes: an IPv4 address and the IPv6 one made of
 * its bytes are equal. */
static inline int nfc_flow_key_match(const struct nfc_flow *f, const struct nfc_packet *pkt)
{
    const struct nfc_flow_view *v = &f->view;
    if (v->protocol != pkt->protocol || v->vlan_id != pkt->vlan_id || v->tunnel_id != pkt->tunnel_id)
        return -1;
    if (v->src_port == pkt->src_port && v->dst_port == pkt->dst_port && memcmp(v->src_ip, pkt->src_ip, 16) == 0 &&
        memcmp(v->dst_ip, pkt->dst_ip, 16) == 0)
        return 0;
    if (v->src_port == pkt->dst_port && v->dst_port == pkt->src_port && memcmp(v->src_ip, pkt->dst_ip, 16) == 0 &&
        memcmp(v->dst_ip, pkt->src_ip, 16) == 0)
        return 1;
    return -1;
}

/* 0 when the packet of this flow goes src->dst, 1 otherwise (spec §3). */
int nfc_flow_direction(const struct nfc_flow *f, const struct nfc_packet *pkt);

/* Folds a later packet in (spec §5.2), then runs the hooks that read it. pkt->direction must be set
 * (nfc_flow_direction). */
void nfc_flow_update(const struct nfc_flow_params *p, struct nfc_flow *f, struct nfc_packet *pkt);

/* Last work before emission: the hooks' expire (spec §5.3). */
void nfc_flow_expire(const struct nfc_flow_params *p, struct nfc_flow *f);

/* Frees what the record holds outside itself: the hooks' release. */
void nfc_flow_release(const struct nfc_flow_params *p, struct nfc_flow *f);

#endif
