/* Packet decoding (spec §2): link layer, EtherType loop, IP layer, tunnels, then L3/L4 extraction.
 * Every read is checked against caplen. The stages restart one another (IP-in-IP, CAPWAP, TZSP) only at a
 * strictly larger offset, so decoding one frame always ends. */
#include "decode/decode.h"

#include <pcap/dlt.h>
#include <string.h>

enum {
    ETH_IPV4 = 0x0800,
    ETH_IPV6 = 0x86DD,
    ETH_VLAN = 0x8100,
    ETH_MPLS_UNI = 0x8847,
    ETH_MPLS_MULTI = 0x8848,
    ETH_PPPOE = 0x8864,
    LLC_SNAP = 0xAA,
    LLC_STP = 0x42,
    IPPROTO_NUM_ICMP = 1,
    IPPROTO_NUM_IPIP = 4,
    IPPROTO_NUM_TCP = 6,
    IPPROTO_NUM_UDP = 17,
    IPPROTO_NUM_IPV6 = 41,
    IPPROTO_NUM_ICMPV6 = 58,
    PORT_GTP_U = 2152,
    PORT_CAPWAP_DATA = 5247,
    PORT_TZSP = 37008,
    GATE_BYTES = 28,
    IPV4_MIN = 20,
    IPV6_FIXED = 40,
    TCP_MIN = 20,
    UDP_HDR = 8,
    ICMP_HDR = 8,
    WIFI_HDR = 24,
    LLC_SNAP_HDR = 8,
};

/* What the next decoding step is; the stages hand over to one another through it. */
enum step { STEP_LINK, STEP_IP, STEP_TRANSPORT, STEP_IGNORE };

/* Per-frame state. Nothing is reset when TZSP or CAPWAP restart an earlier stage (spec §2.4). */
struct decoder {
    const uint8_t *frame;
    size_t caplen;
    int dlt;
    bool decode_tunnels;
    size_t l2;         /* where the link layer starts (moved by TZSP) */
    size_t l3;         /* where the current IP header starts */
    size_t l3_len;     /* IPv4 header length, or what the IPv6 walk left: §2.4 takes the UDP header there */
    uint16_t type;     /* L3 type from the link layer and EtherType loop */
    uint16_t eth_len;  /* last 802.3 length field: non-zero makes Ethernet check the LLC header */
    uint16_t wifi_len; /* 802.11 header length: 26 once a frame had one DS bit, then kept */
    uint16_t frag;     /* IPv4 fragment field, read only while type is IPv4 */
    uint8_t proto;     /* protocol that decides tunnel decoding */
    uint16_t vlan_id;
    uint8_t tunnel_id;
};

/* Where the IPv6 extension-header walk stopped. */
struct v6_walk {
    size_t off;   /* bytes walked after the fixed header */
    uint16_t rem; /* payload length left: the L4 length */
    uint8_t nh;   /* next header where it stopped */
};

/* Where an L4 header starts and how long the IP layer says it is. */
struct l4_span {
    size_t off;
    uint16_t len;
    uint8_t proto;
};

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static bool is_ip_in_ip(uint8_t proto)
{
    return proto == IPPROTO_NUM_IPIP || proto == IPPROTO_NUM_IPV6;
}

static bool is_v6_extension(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 44 || nh == 59 || nh == 60 || nh == 135;
}

/* nDPI's walk. `ext` is the byte after the fixed header; callers have checked that payload_length bytes are
 * captured there, and every read below stays within the `rem` bytes still unwalked. */
static bool walk_v6_extensions(const uint8_t *ext, uint16_t cap, uint16_t payload_len, uint8_t nh, struct v6_walk *w)
{
    w->off = 0;
    w->rem = payload_len;
    w->nh = nh;
    while (cap > 1 && is_v6_extension(w->nh)) {
        const uint8_t *h = ext + w->off;
        if (w->nh == 59)
            return false;
        if (w->nh == 44) {
            if (w->rem < 8 || cap < 5)
                return false;
            cap -= 5; /* nDPI counts 5 bytes for an 8-byte header */
            w->nh = h[0];
            if ((be16(h + 2) >> 3) != 0)
                return false;
            w->rem -= 8;
            w->off += 8;
            continue;
        }
        if (w->rem < 2)
            return false;
        uint16_t len = (uint16_t)((h[1] + 1) * 8);
        if (len > cap || len > w->rem)
            return false;
        cap -= len;
        w->rem -= len;
        w->nh = h[0];
        w->off += len;
    }
    return true;
}

/* An 802.3 length field hands the frame to LLC; only SNAP carries a type, read unswapped [PARITY]. */
static enum step decode_llc(struct decoder *d)
{
    const uint8_t *llc = d->frame + d->l3;
    if (llc[0] == LLC_SNAP || llc[1] == LLC_SNAP) {
        d->type = le16(llc + 6);
        d->l3 += LLC_SNAP_HDR;
    } else if (llc[0] == LLC_STP || llc[1] == LLC_STP) {
        return STEP_IGNORE;
    }
    return STEP_IP;
}

static enum step decode_ethernet(struct decoder *d, struct nfc_packet *pkt)
{
    const uint8_t *eth = d->frame + d->l2;
    memcpy(pkt->dst_mac, eth, 6);
    memcpy(pkt->src_mac, eth + 6, 6);
    d->l3 = d->l2 + 14;
    uint16_t e = be16(eth + 12);
    if (e <= 1500)
        d->eth_len = e;
    else if (e >= 1536)
        d->type = e;
    /* the gate guarantees the 8 LLC bytes after the 14-byte header */
    return d->eth_len != 0 ? decode_llc(d) : STEP_IP;
}

static enum step decode_radiotap(struct decoder *d, struct nfc_packet *pkt)
{
    const uint8_t *f = d->frame;
    size_t wifi = d->l2 + le16(f + d->l2 + 2);
    if ((f[d->l2 + 16] & 0x50) == 0x50) /* bad FCS, flags byte at its usual place */
        return STEP_IGNORE;
    if (d->caplen < wifi + WIFI_HDR)
        return STEP_IGNORE;
    uint16_t fc = le16(f + wifi);
    if (((fc >> 2) & 0x3) != 2) /* data frames only */
        return STEP_IGNORE;
    if (((fc & 0x0100) != 0) != ((fc & 0x0200) != 0))
        d->wifi_len = 26;
    memcpy(pkt->src_mac, f + wifi + 10, 6);
    memcpy(pkt->dst_mac, f + wifi + 16, 6);
    size_t llc = wifi + d->wifi_len;
    if (d->caplen < llc + LLC_SNAP_HDR)
        return STEP_IGNORE;
    if (f[llc] == LLC_SNAP)
        d->type = be16(f + llc + 6);
    d->l3 = llc + LLC_SNAP_HDR;
    return STEP_IP;
}

/* Cisco HDLC framing is recognised by the first byte of the whole frame, even after a TZSP restart. */
static void decode_ppp(struct decoder *d)
{
    const uint8_t *p = d->frame + d->l2;
    if (d->frame[0] == 0x0F || d->frame[0] == 0x8F) {
        d->type = be16(p + 2);
        d->l3 = d->l2 + 4;
    } else {
        d->type = be16(p);
        d->l3 = d->l2 + 2;
    }
}

static void decode_raw(struct decoder *d)
{
    uint8_t version = d->frame[d->l2] >> 4;
    if (version == 4)
        d->type = ETH_IPV4;
    else if (version == 6)
        d->type = ETH_IPV6;
    d->l3 = d->l2;
}

/* Spec §2.1. The reads below stay within the 28 bytes the gate guarantees. */
static enum step decode_link(struct decoder *d, struct nfc_packet *pkt)
{
    if (d->caplen < d->l2 + GATE_BYTES)
        return STEP_IGNORE;
    const uint8_t *p = d->frame + d->l2;
    switch (d->dlt) {
    case DLT_NULL:
        /* the family is read big-endian, so little-endian captures all look like IPv6 [PARITY] */
        d->type = be32(p) == 2 ? ETH_IPV4 : ETH_IPV6;
        d->l3 = d->l2 + 4;
        return STEP_IP;
    case DLT_EN10MB: return decode_ethernet(d, pkt);
    case DLT_PPP:
    case DLT_C_HDLC: decode_ppp(d); return STEP_IP;
    case DLT_RAW: decode_raw(d); return STEP_IP;
    case DLT_PPP_SERIAL:
        d->type = be16(p + 2);
        d->l3 = d->l2 + 4;
        return STEP_IP;
    case DLT_LINUX_SLL:
        d->type = be16(p + 14);
        d->l3 = d->l2 + 16;
        return STEP_IP;
    case DLT_IEEE802_11_RADIO: return decode_radiotap(d, pkt);
    case DLT_IPV4:
        d->type = ETH_IPV4;
        d->l3 = d->l2;
        return STEP_IP;
    case DLT_IPV6:
        d->type = ETH_IPV6;
        d->l3 = d->l2;
        return STEP_IP;
    default: return STEP_IGNORE;
    }
}

static bool skip_vlan_tag(struct decoder *d)
{
    if (d->l3 + 4 >= d->caplen)
        return false;
    const uint8_t *tag = d->frame + d->l3;
    d->vlan_id = be16(tag) & 0xFFF;
    d->type = be16(tag + 2);
    d->l3 += 4;
    return true;
}

/* Steps over the label stack up to its bottom-of-stack entry or the end of the capture; IPv4 is assumed. */
static bool skip_mpls_stack(struct decoder *d)
{
    if (d->l3 + 4 >= d->caplen)
        return false;
    uint32_t entry = be32(d->frame + d->l3);
    d->l3 += 4;
    while (!(entry & 0x100) && d->l3 + 4 < d->caplen) {
        entry = be32(d->frame + d->l3);
        d->l3 += 4;
    }
    d->type = ETH_IPV4;
    return true;
}

/* Spec §2.2. Each tag consumes bytes within caplen, and MPLS and PPPoE end on IPv4, so the loop ends. */
static enum step decode_ethertypes(struct decoder *d)
{
    for (;;) {
        switch (d->type) {
        case ETH_VLAN:
            if (!skip_vlan_tag(d))
                return STEP_IGNORE;
            break;
        case ETH_MPLS_UNI:
        case ETH_MPLS_MULTI:
            if (!skip_mpls_stack(d))
                return STEP_IGNORE;
            break;
        case ETH_PPPOE:
            /* the PPP protocol is not checked; the IP layer checks that the header is captured */
            d->type = ETH_IPV4;
            d->l3 += 8;
            break;
        default: return STEP_IP;
        }
    }
}

static enum step decode_link_layers(struct decoder *d, struct nfc_packet *pkt)
{
    enum step next = decode_link(d, pkt);
    return next == STEP_IP ? decode_ethertypes(d) : next;
}

/* GTP-U extension headers: a zero length or one reaching the end of the capture means no decapsulation. */
static bool skip_gtp_extensions(const struct decoder *d, size_t *off)
{
    while (*off < d->caplen) {
        size_t len = (size_t)d->frame[*off] * 4;
        *off += len;
        if (*off >= d->caplen || len == 0)
            return false;
        if (d->frame[*off - 1] == 0)
            return true;
    }
    return true;
}

/* The inner packet skips the fragment, IP-in-IP and tunnel checks and goes straight to extraction. */
static enum step decode_gtp(struct decoder *d, size_t u)
{
    size_t off = u + UDP_HDR;
    uint8_t flags = d->frame[off];
    if ((flags >> 5) != 1 || d->frame[off + 1] != 0xFF)
        return STEP_TRANSPORT;
    off += (flags & 0x07) ? 12 : 8;
    if ((flags & 0x04) && !skip_gtp_extensions(d, &off))
        return STEP_TRANSPORT;
    if (off >= d->caplen)
        return STEP_TRANSPORT;
    d->tunnel_id = NFC_TUNNEL_GTP;
    d->l3 = off;
    uint8_t version = d->frame[off] >> 4;
    if (version == 4)
        return d->caplen < off + IPV4_MIN ? STEP_IGNORE : STEP_TRANSPORT;
    if (version == 6)
        return d->caplen < off + IPV6_FIXED ? STEP_IGNORE : STEP_TRANSPORT;
    return STEP_IGNORE;
}

/* Only the first tag is read, then the inner frame is decoded with the capture's own link type. */
static enum step decode_tzsp(struct decoder *d, size_t u)
{
    size_t off = u + UDP_HDR;
    if (d->caplen < off + 4)
        return STEP_IGNORE;
    const uint8_t *tzsp = d->frame + off;
    d->tunnel_id = NFC_TUNNEL_TZSP; /* set even when nothing is decapsulated [PARITY] */
    if (tzsp[0] != 1 || tzsp[1] != 0 || be16(tzsp + 2) != 1)
        return STEP_TRANSPORT;
    off += 4;
    if (off >= d->caplen)
        return STEP_TRANSPORT;
    uint8_t tag = d->frame[off];
    if (tag == 0 || tag == 1) {
        off += 1;
    } else {
        if (off + 1 >= d->caplen)
            return STEP_IGNORE;
        off += d->frame[off + 1];
    }
    if (off >= d->caplen)
        return STEP_IGNORE;
    d->l2 = off;
    return STEP_LINK;
}

/* CAPWAP data carrying an 802.11 frame: MACs from the Wi-Fi header, then the IP layer again. */
static enum step decode_capwap(struct decoder *d, struct nfc_packet *pkt, size_t u)
{
    size_t off = u + UDP_HDR;
    if (off + 1 >= d->caplen || (d->frame[off] & 0x0F) != 0)
        return STEP_TRANSPORT;
    off += (size_t)(d->frame[off + 1] & 0xF8) >> 1;
    if (off + 32 >= d->caplen)
        return STEP_TRANSPORT;
    memcpy(pkt->src_mac, d->frame + off + 10, 6);
    memcpy(pkt->dst_mac, d->frame + off + 16, 6);
    off += WIFI_HDR;
    d->type = be16(d->frame + off + 6);
    d->l3 = off + LLC_SNAP_HDR;
    d->tunnel_id = NFC_TUNNEL_CAPWAP;
    return STEP_IP;
}

/* Spec §2.4. For IPv6, l3_len is the walk's L4 length, not its end: nfstream's offset bug [PARITY]. */
static enum step decode_tunnel(struct decoder *d, struct nfc_packet *pkt)
{
    size_t u = d->l3 + d->l3_len;
    if (u + UDP_HDR > d->caplen)
        return STEP_IGNORE;
    uint16_t sport = be16(d->frame + u);
    uint16_t dport = be16(d->frame + u + 2);
    if ((sport == PORT_GTP_U || dport == PORT_GTP_U) && u + 16 < d->caplen)
        return decode_gtp(d, u);
    if (sport == PORT_TZSP || dport == PORT_TZSP)
        return decode_tzsp(d, u);
    if (sport == PORT_CAPWAP_DATA || dport == PORT_CAPWAP_DATA)
        return decode_capwap(d, pkt, u);
    return STEP_TRANSPORT;
}

/* IPv4 in the IP layer: IP-in-IP is stripped whatever decode_tunnels says, unless IHL is 0 (no progress). */
static enum step decode_ipv4_layer(struct decoder *d, const uint8_t *h)
{
    d->l3_len = (size_t)(h[0] & 0x0F) * 4;
    if (is_ip_in_ip(h[9]) && d->l3_len > 0) {
        d->l3 += d->l3_len;
        return STEP_IP;
    }
    /* only first fragments are kept, and only when the type let `frag` be read [PARITY] */
    return (d->frag & 0x1FFF) != 0 ? STEP_IGNORE : STEP_TRANSPORT;
}

/* IPv6 in the IP layer: a truncated packet is ignored; IP-in-IP restarts after the extension headers. */
static enum step decode_ipv6_layer(struct decoder *d, const uint8_t *h)
{
    if (d->caplen < d->l3 + IPV6_FIXED)
        return STEP_IGNORE;
    uint16_t payload_len = be16(h + 4);
    if (d->caplen < d->l3 + IPV6_FIXED + payload_len)
        return STEP_IGNORE;
    uint16_t ipsize = (uint16_t)(d->caplen - d->l3);
    struct v6_walk w;
    if (!walk_v6_extensions(h + IPV6_FIXED, (uint16_t)(ipsize - IPV6_FIXED), payload_len, h[6], &w))
        return STEP_IGNORE;
    d->proto = w.nh;
    d->l3_len = w.rem;
    if (is_ip_in_ip(w.nh)) {
        d->l3 += IPV6_FIXED + w.off;
        return STEP_IP;
    }
    return STEP_TRANSPORT;
}

/* Spec §2.3: the version nibble picks the header, whatever the link layer said. */
static enum step decode_ip_layer(struct decoder *d, struct nfc_packet *pkt)
{
    if (d->caplen < d->l3 + IPV4_MIN)
        return STEP_IGNORE;
    const uint8_t *h = d->frame + d->l3;
    if (d->type == ETH_IPV4) {
        d->frag = be16(h + 6);
        d->proto = h[9];
    }
    enum step next;
    switch (h[0] >> 4) {
    case 4: next = decode_ipv4_layer(d, h); break;
    case 6: next = decode_ipv6_layer(d, h); break;
    default: return STEP_IGNORE;
    }
    if (next == STEP_TRANSPORT && d->decode_tunnels && d->proto == IPPROTO_NUM_UDP)
        return decode_tunnel(d, pkt);
    return next;
}

static bool extract_ipv4(const uint8_t *h, uint16_t ipsize, struct nfc_packet *pkt, struct l4_span *l4)
{
    if (ipsize < IPV4_MIN)
        return false;
    uint16_t header_len = (uint16_t)((h[0] & 0x0F) * 4);
    uint16_t total_len = be16(h + 2);
    if (header_len > ipsize || total_len < header_len)
        return false;
    pkt->ip_version = 4;
    pkt->ip_size = total_len;
    memcpy(pkt->src_ip, h + 12, 4);
    memcpy(pkt->dst_ip, h + 16, 4);
    l4->off = header_len;
    l4->len = (uint16_t)(total_len - header_len); /* from the header, so truncated IPv4 is kept */
    l4->proto = h[9];
    return true;
}

static bool extract_ipv6(const uint8_t *h, uint16_t ipsize, struct nfc_packet *pkt, struct l4_span *l4)
{
    if (ipsize < IPV6_FIXED)
        return false;
    uint16_t payload_len = be16(h + 4);
    if (ipsize < IPV6_FIXED + payload_len)
        return false;
    struct v6_walk w;
    if (!walk_v6_extensions(h + IPV6_FIXED, (uint16_t)(ipsize - IPV6_FIXED), payload_len, h[6], &w))
        return false;
    pkt->ip_version = 6;
    pkt->ip_size = payload_len; /* without the fixed header [PARITY] */
    memcpy(pkt->src_ip, h + 8, 16);
    memcpy(pkt->dst_ip, h + 24, 16);
    l4->off = IPV6_FIXED + w.off;
    l4->len = w.rem;
    l4->proto = w.nh;
    return true;
}

static void set_ports(const uint8_t *hdr, struct nfc_packet *pkt)
{
    pkt->src_port = be16(hdr);
    pkt->dst_port = be16(hdr + 2);
}

static void extract_tcp(const uint8_t *hdr, uint16_t len, struct nfc_packet *pkt)
{
    if (len < TCP_MIN)
        return;
    uint16_t header_len = (uint16_t)((hdr[12] >> 4) * 4);
    set_ports(hdr, pkt);
    pkt->tcp_flags = hdr[13];
    pkt->transport_size = len;
    pkt->payload_size = len > header_len ? (uint16_t)(len - header_len) : 0;
}

static void extract_udp(const uint8_t *hdr, uint16_t len, struct nfc_packet *pkt)
{
    if (len < UDP_HDR)
        return;
    set_ports(hdr, pkt);
    pkt->transport_size = len;
    pkt->payload_size = (uint16_t)(len - UDP_HDR);
}

static void extract_icmp(const uint8_t *hdr, uint16_t len, struct nfc_packet *pkt)
{
    pkt->icmp_type = hdr[0];
    pkt->icmp_code = hdr[1];
    pkt->transport_size = len;
    pkt->payload_size = len > ICMP_HDR ? (uint16_t)(len - ICMP_HDR) : 0;
}

/* The payload is the last payload_size bytes of the L4 segment; only its captured part is exposed. */
static void locate_payload(const uint8_t *l4, size_t l4_caplen, struct nfc_packet *pkt)
{
    size_t off = (size_t)(pkt->transport_size - pkt->payload_size);
    if (pkt->payload_size == 0 || off >= l4_caplen)
        return;
    size_t captured = l4_caplen - off;
    pkt->payload = l4 + off;
    pkt->payload_caplen = captured < pkt->payload_size ? (uint16_t)captured : pkt->payload_size;
}

/* Header bytes past the capture read as zero: nfstream reads whatever follows, and its output on
 * header-truncated captures (ports kept, flags clear) is what zeros give. */
static void extract_transport(const uint8_t *l4, size_t l4_caplen, const struct l4_span *span, struct nfc_packet *pkt)
{
    uint8_t hdr[TCP_MIN] = {0};
    memcpy(hdr, l4, l4_caplen < sizeof(hdr) ? l4_caplen : sizeof(hdr));
    switch (span->proto) {
    case IPPROTO_NUM_TCP: extract_tcp(hdr, span->len, pkt); break;
    case IPPROTO_NUM_UDP: extract_udp(hdr, span->len, pkt); break;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6: extract_icmp(hdr, span->len, pkt); break;
    default: return;
    }
    locate_payload(l4, l4_caplen, pkt);
}

/* Spec §2.5, on the IP header where decoding stopped. */
static bool extract(const struct decoder *d, uint32_t wirelen, struct nfc_packet *pkt)
{
    const uint8_t *h = d->frame + d->l3;
    uint16_t ipsize = (uint16_t)(d->caplen - d->l3);
    struct l4_span l4;
    bool ok;
    switch (h[0] >> 4) {
    case 4: ok = extract_ipv4(h, ipsize, pkt, &l4); break;
    case 6: ok = extract_ipv6(h, ipsize, pkt, &l4); break;
    default: ok = false; break;
    }
    if (!ok)
        return false;
    pkt->ip = h;
    pkt->ipsize = ipsize;
    pkt->raw_size = (uint16_t)wirelen;
    pkt->protocol = l4.proto;
    pkt->vlan_id = d->vlan_id;
    pkt->tunnel_id = d->tunnel_id;
    /* the checks above keep the L4 start within the captured IP bytes */
    extract_transport(h + l4.off, d->caplen - d->l3 - l4.off, &l4, pkt);
    return true;
}

bool nfc_decode(const uint8_t *frame, uint32_t caplen, uint32_t wirelen, int dlt, bool decode_tunnels,
                struct nfc_packet *pkt)
{
    struct decoder d = {.frame = frame, .caplen = caplen, .dlt = dlt, .decode_tunnels = decode_tunnels};
    memset(pkt, 0, sizeof(*pkt));
    enum step next = STEP_LINK;
    while (next == STEP_LINK || next == STEP_IP)
        next = next == STEP_LINK ? decode_link_layers(&d, pkt) : decode_ip_layer(&d, pkt);
    return next == STEP_TRANSPORT && extract(&d, wirelen, pkt);
}
