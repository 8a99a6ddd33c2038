#include "flow/flow.h"

#include <stddef.h>
#include <string.h>

#include "util/invariant.h"

static size_t align_up(size_t n, size_t align)
{
    return (n + align - 1) & ~(align - 1);
}

size_t nfc_flow_slot(struct nfc_flow_params *p, size_t size, size_t align)
{
    nfc_invariant(p->record_size == 0 && align > 0 && align <= _Alignof(struct nfc_flow) && (align & (align - 1)) == 0);
    size_t off = align_up(p->slots_size, align);
    p->slots_size = off + size;
    return off;
}

void nfc_flow_params_layout(struct nfc_flow_params *p)
{
    size_t off = align_up(p->slots_size, 8);
    p->stats_off = off;
    if (p->statistics)
        off += NFC_SCOPE_COUNT * sizeof(struct nfc_scope_statistics);
    p->ip_octets_off = off; /* zeroed with the statistics when a flow starts */
    if (p->ip_octets)
        off += 2 * sizeof(uint64_t);
    p->splt_piat_off = off;
    off += (size_t)p->splt * sizeof(int64_t);
    p->splt_ps_off = off;
    off += (size_t)p->splt * sizeof(int32_t);
    p->splt_direction_off = off;
    off += p->splt;
    p->record_size = sizeof(struct nfc_flow) + align_up(off, 8);
}

static uint16_t packet_size(const struct nfc_flow_params *p, const struct nfc_packet *pkt)
{
    switch (p->accounting_mode) {
    case 1: return pkt->ip_size;
    case 2: return pkt->transport_size;
    case 3: return pkt->payload_size;
    default: return pkt->raw_size;
    }
}

/* RFC 7012's IP bytes of the packet: the whole IP packet (ip_size leaves IPv6's fixed header out). */
static void count_ip_octets(const struct nfc_flow_params *p, struct nfc_flow *f, const struct nfc_packet *pkt,
                            int direction)
{
    if (p->ip_octets)
        ((uint64_t *)(f->ext + p->ip_octets_off))[direction] += pkt->ip_size + (pkt->ip_version == 6 ? 40u : 0u);
}

static void splt_set(const struct nfc_flow_params *p, struct nfc_flow *f, uint64_t i, int direction, uint16_t size,
                     uint64_t piat)
{
    ((int8_t *)(f->ext + p->splt_direction_off))[i] = (int8_t)direction;
    ((int32_t *)(f->ext + p->splt_ps_off))[i] = size;
    ((int64_t *)(f->ext + p->splt_piat_off))[i] = (int64_t)piat;
}

static void scope_first(struct nfc_flow_counters *c, uint64_t t, uint16_t size)
{
    c->first_seen_ms = t;
    c->last_seen_ms = t;
    c->packets = 1;
    c->bytes = size;
}

/* A later packet of a scope; returns its inter-arrival time within the scope. */
static uint64_t scope_add(struct nfc_flow_counters *c, uint64_t t, uint16_t size)
{
    uint64_t piat = t - c->last_seen_ms;
    c->packets++;
    c->last_seen_ms = t;
    c->bytes += size;
    return piat;
}

void nfc_flow_identify(const struct nfc_flow_params *p, struct nfc_flow *f, const struct nfc_packet *pkt, uint32_t hash)
{
    unsigned char *r = (unsigned char *)f;
    size_t counters = offsetof(struct nfc_flow, view.scope);
    size_t after_counters = counters + sizeof f->view.scope;
    memset(r, 0, counters);
    memset(r + after_counters, 0, offsetof(struct nfc_flow, ext) + p->slots_size - after_counters);
    memcpy(f->view.src_ip, pkt->src_ip, 16);
    memcpy(f->view.dst_ip, pkt->dst_ip, 16);
    memcpy(f->view.src_mac, pkt->src_mac, 6);
    memcpy(f->view.dst_mac, pkt->dst_mac, 6);
    f->view.src_port = pkt->src_port;
    f->view.dst_port = pkt->dst_port;
    f->view.vlan_id = pkt->vlan_id;
    f->view.protocol = pkt->protocol;
    f->view.ip_version = pkt->ip_version;
    f->view.tunnel_id = pkt->tunnel_id;
    f->hash = hash;
    if (p->community_id) {
        const struct nfc_community_key key = {f->view.src_ip, f->view.dst_ip, pkt->ip_version, pkt->protocol,
                                              pkt->src_port,  pkt->dst_port,  pkt->icmp_type,  pkt->icmp_code};
        nfc_community_id(p->community_id_seed, &key, f->community_id);
    }
}

void nfc_flow_init(const struct nfc_flow_params *p, struct nfc_flow *f, struct nfc_packet *pkt)
{
    uint16_t size = packet_size(p, pkt);
    memset(f->view.scope, 0, sizeof f->view.scope);
    memset(f->ext + p->stats_off, 0, p->splt_piat_off - p->stats_off);

    if (p->splt) {
        /* The three SPLT arrays sit back to back from splt_piat_off: -1 marks "no packet". */
        memset(f->ext + p->splt_piat_off, 0xFF, (size_t)p->splt * (sizeof(int64_t) + sizeof(int32_t) + 1));
        splt_set(p, f, 0, 0, size, 0);
    }
    scope_first(&f->view.scope[NFC_BIDIRECTIONAL], pkt->time_ms, size);
    scope_first(&f->view.scope[NFC_SRC2DST], pkt->time_ms, size);
    count_ip_octets(p, f, pkt, 0);
    if (p->statistics) {
        struct nfc_scope_statistics *st = nfc_flow_statistics(p, f);
        nfc_statistics_first(&st[NFC_BIDIRECTIONAL], size, pkt->tcp_flags);
        nfc_statistics_first(&st[NFC_SRC2DST], size, pkt->tcp_flags);
    }
    pkt->direction = 0;
    pkt->delta_time_ms = 0;
    nfc_flow_hooks_init(&p->hooks, f, pkt);
}

int nfc_flow_direction(const struct nfc_flow *f, const struct nfc_packet *pkt)
{
    return nfc_flow_key_match(f, pkt) == 0 ? 0 : 1;
}

void nfc_flow_update(const struct nfc_flow_params *p, struct nfc_flow *f, struct nfc_packet *pkt)
{
    int direction = pkt->direction;
    uint16_t size = packet_size(p, pkt);
    uint64_t t = pkt->time_ms;
    struct nfc_flow_counters *bi = &f->view.scope[NFC_BIDIRECTIONAL];

    uint64_t piat = t - bi->last_seen_ms;
    if (bi->packets < p->splt)
        splt_set(p, f, bi->packets, direction, size, piat);
    scope_add(bi, t, size);

    enum nfc_scope own = direction == 0 ? NFC_SRC2DST : NFC_DST2SRC;
    struct nfc_flow_counters *c = &f->view.scope[own];
    bool first_of_scope = c->packets == 0;
    uint64_t own_piat = 0;
    if (first_of_scope)
        scope_first(c, t, size);
    else
        own_piat = scope_add(c, t, size);

    if (p->statistics) {
        struct nfc_scope_statistics *st = nfc_flow_statistics(p, f);
        nfc_statistics_add(&st[NFC_BIDIRECTIONAL], bi->packets, size, piat, pkt->tcp_flags);
        if (first_of_scope)
            nfc_statistics_first(&st[own], size, pkt->tcp_flags);
        else
            nfc_statistics_add(&st[own], c->packets, size, own_piat, pkt->tcp_flags);
    }
    count_ip_octets(p, f, pkt, direction);
    pkt->delta_time_ms = piat;
    nfc_flow_hooks_update(&p->hooks, f, pkt, bi->packets);
}

void nfc_flow_expire(const struct nfc_flow_params *p, struct nfc_flow *f)
{
    nfc_flow_hooks_expire(&p->hooks, f);
}

void nfc_flow_release(const struct nfc_flow_params *p, struct nfc_flow *f)
{
    nfc_flow_hooks_release(&p->hooks, f);
}
