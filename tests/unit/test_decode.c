/* Packet decoding (spec §2) by example: each test assembles a frame byte by byte and checks what nfc_decode
 * makes of it. */
#include "decode/decode.h"

#include <check.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

enum {
    FRAME_MAX = 512,
    PROTO_ICMP = 1,
    PROTO_IPIP = 4,
    PROTO_TCP = 6,
    PROTO_UDP = 17,
    PROTO_IPV6 = 41,
    PROTO_ICMPV6 = 58,
    PROTO_NONE = 59,
    PORT_GTP = 2152,
    PORT_CAPWAP = 5247,
    PORT_TZSP = 37008,
};

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t MAC_C[6] = {0x0a, 0, 0, 0, 0, 0x03};
static const uint8_t MAC_D[6] = {0x0a, 0, 0, 0, 0, 0x04};
static const uint8_t ZERO_MAC[6] = {0};

/* A frame under construction. */
struct frame {
    uint8_t bytes[FRAME_MAX];
    size_t len;
};

/* What nfc_decode made of a frame, with pointers turned into offsets into the frame. */
struct decoded {
    bool kept;
    struct nfc_packet pkt;
    long ip_at;
    long payload_at;
};

static void put(struct frame *f, const void *src, size_t n)
{
    if (n == 0) /* memcpy wants a valid pointer even for no bytes */
        return;
    ck_assert_uint_le(f->len + n, FRAME_MAX);
    memcpy(f->bytes + f->len, src, n);
    f->len += n;
}

static void put8(struct frame *f, uint8_t v)
{
    put(f, &v, 1);
}

static void put16(struct frame *f, uint16_t v)
{
    put8(f, (uint8_t)(v >> 8));
    put8(f, (uint8_t)v);
}

static void put32(struct frame *f, uint32_t v)
{
    put16(f, (uint16_t)(v >> 16));
    put16(f, (uint16_t)v);
}

static void fill(struct frame *f, uint8_t v, size_t n)
{
    while (n-- > 0)
        put8(f, v);
}

static void set16(struct frame *f, size_t at, uint16_t v)
{
    f->bytes[at] = (uint8_t)(v >> 8);
    f->bytes[at + 1] = (uint8_t)v;
}

/* Application data: n bytes of 'x'. */
static void data(struct frame *f, size_t n)
{
    fill(f, 'x', n);
}

/* Ethernet II from MAC_A to MAC_B. */
static void ethernet(struct frame *f, uint16_t type)
{
    put(f, MAC_B, 6);
    put(f, MAC_A, 6);
    put16(f, type);
}

static void ethernet_from(struct frame *f, const uint8_t src[6], const uint8_t dst[6], uint16_t type)
{
    put(f, dst, 6);
    put(f, src, 6);
    put16(f, type);
}

static void vlan_tag(struct frame *f, uint16_t vid, uint16_t inner_type)
{
    put16(f, vid);
    put16(f, inner_type);
}

static void mpls_label(struct frame *f, uint32_t label, bool bottom)
{
    put32(f, (label << 12) | (bottom ? 0x100u : 0) | 64);
}

/* PPPoE session header (version/type, code, session, length) and the PPP protocol (IPv4). */
static void pppoe_session(struct frame *f)
{
    put8(f, 0x11);
    put8(f, 0x00);
    put16(f, 0x0001);
    put16(f, 0);
    put16(f, 0x0021);
}

/* LLC with a SNAP header carrying `type`. */
static void llc_snap(struct frame *f, uint16_t type)
{
    put8(f, 0xAA);
    put8(f, 0xAA);
    put8(f, 0x03);
    fill(f, 0, 3);
    put16(f, type);
}

/* 802.11 data header: fc bytes, duration, addr1 (receiver), addr2 (transmitter), addr3, sequence. */
static void wifi_data(struct frame *f, uint8_t fc_flags, const uint8_t addr2[6], const uint8_t addr3[6])
{
    put8(f, 0x08);
    put8(f, fc_flags);
    put16(f, 0);
    put(f, MAC_B, 6);
    put(f, addr2, 6);
    put(f, addr3, 6);
    put16(f, 0);
}

/* Radiotap header of 24 bytes whose flags byte (offset 16) is `flags`. */
static void radiotap(struct frame *f, uint8_t flags)
{
    put8(f, 0);
    put8(f, 0);
    put8(f, 24);
    put8(f, 0);
    fill(f, 0, 12);
    put8(f, flags);
    fill(f, 0, 7);
}

/* IPv4 header of `ihl` words from 10.0.0.<src> to 10.0.0.<dst>; end_ipv4() sets its total length. */
static size_t begin_ipv4_ihl(struct frame *f, uint8_t ihl, uint8_t proto, uint8_t src, uint8_t dst)
{
    size_t at = f->len;
    put8(f, (uint8_t)(0x40 | ihl));
    put8(f, 0);
    put16(f, 0);
    put16(f, 1);
    put16(f, 0);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    const uint8_t addrs[8] = {10, 0, 0, src, 10, 0, 0, dst};
    put(f, addrs, sizeof(addrs));
    fill(f, 0x01, ihl > 5 ? (size_t)(ihl - 5) * 4 : 0);
    return at;
}

static size_t begin_ipv4(struct frame *f, uint8_t proto, uint8_t src, uint8_t dst)
{
    return begin_ipv4_ihl(f, 5, proto, src, dst);
}

static void set_ipv4_fragment(struct frame *f, size_t ip, uint16_t frag_field)
{
    set16(f, ip + 6, frag_field);
}

static void end_ipv4(struct frame *f, size_t ip)
{
    set16(f, ip + 2, (uint16_t)(f->len - ip));
}

/* IPv6 header from 2001:db8::<src> to 2001:db8::<dst>; end_ipv6() sets its payload length. */
static size_t begin_ipv6(struct frame *f, uint8_t next_header, uint8_t src, uint8_t dst)
{
    size_t at = f->len;
    put32(f, 0x60000000);
    put16(f, 0);
    put8(f, next_header);
    put8(f, 64);
    const uint8_t prefix[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0};
    put(f, prefix, 8);
    fill(f, 0, 7);
    put8(f, src);
    put(f, prefix, 8);
    fill(f, 0, 7);
    put8(f, dst);
    return at;
}

static void end_ipv6(struct frame *f, size_t ip)
{
    set16(f, ip + 4, (uint16_t)(f->len - ip - 40));
}

/* An 8-byte hop-by-hop options header (PadN). */
static void hop_by_hop(struct frame *f, uint8_t next_header)
{
    put8(f, next_header);
    put8(f, 0);
    put8(f, 1);
    put8(f, 4);
    fill(f, 0, 4);
}

static void fragment_header(struct frame *f, uint8_t next_header, uint16_t offset_units, bool more)
{
    put8(f, next_header);
    put8(f, 0);
    put16(f, (uint16_t)((offset_units << 3) | (more ? 1 : 0)));
    put32(f, 0x1234);
}

/* TCP header of `words` 32-bit words (options zero). */
static void tcp_words(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, uint8_t words)
{
    put16(f, sport);
    put16(f, dport);
    put32(f, 1);
    put32(f, 0);
    put8(f, (uint8_t)(words << 4));
    put8(f, flags);
    put16(f, 1024);
    put16(f, 0);
    put16(f, 0);
    fill(f, 0, words > 5 ? (size_t)(words - 5) * 4 : 0);
}

static void tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags)
{
    tcp_words(f, sport, dport, flags, 5);
}

static size_t begin_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
    size_t at = f->len;
    put16(f, sport);
    put16(f, dport);
    put16(f, 0);
    put16(f, 0);
    return at;
}

static void end_udp(struct frame *f, size_t udp)
{
    set16(f, udp + 4, (uint16_t)(f->len - udp));
}

static void icmp_echo(struct frame *f)
{
    put8(f, 8);
    put8(f, 0);
    put16(f, 0);
    put32(f, 0x00010001);
}

/* A UDP datagram from 1000 to 2000 carrying `n` bytes. */
static void udp_datagram(struct frame *f, size_t n)
{
    size_t udp = begin_udp(f, 1000, 2000);
    data(f, n);
    end_udp(f, udp);
}

/* 10.0.0.<src> -> 10.0.0.<dst> UDP 1000 -> 2000 with `n` bytes. */
static void ipv4_udp(struct frame *f, uint8_t src, uint8_t dst, size_t n)
{
    size_t ip = begin_ipv4(f, PROTO_UDP, src, dst);
    udp_datagram(f, n);
    end_ipv4(f, ip);
}

static void ipv6_udp(struct frame *f, size_t n)
{
    size_t ip = begin_ipv6(f, PROTO_UDP, 1, 2);
    udp_datagram(f, n);
    end_ipv6(f, ip);
}

/* GTP-U T-PDU header; end_gtp() sets its length. */
static size_t begin_gtp(struct frame *f, uint8_t flags)
{
    size_t at = f->len;
    put8(f, flags);
    put8(f, 0xFF);
    put16(f, 0);
    put32(f, 0xCAFE);
    return at;
}

static void end_gtp(struct frame *f, size_t gtp)
{
    set16(f, gtp + 2, (uint16_t)(f->len - gtp - 8));
}

/* Decodes the first `caplen` bytes from a buffer of exactly that size, so that a read past it is caught. */
static struct decoded decode_capture(const struct frame *f, int dlt, bool tunnels, uint32_t caplen, uint32_t wirelen)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, f->bytes, caplen);
    struct decoded r = {0};
    r.kept = nfc_decode(copy, caplen, wirelen, dlt, tunnels, &r.pkt);
    if (r.kept) {
        r.ip_at = r.pkt.ip - copy;
        r.payload_at = r.pkt.payload ? r.pkt.payload - copy : -1;
    }
    free(copy);
    return r;
}

static struct decoded decode_with(const struct frame *f, int dlt, bool tunnels)
{
    return decode_capture(f, dlt, tunnels, (uint32_t)f->len, (uint32_t)f->len);
}

static struct decoded decode(const struct frame *f, int dlt)
{
    return decode_with(f, dlt, true);
}

static void assert_v4(const uint8_t ip[16], uint8_t host)
{
    const uint8_t want[16] = {10, 0, 0, host};
    ck_assert_mem_eq(ip, want, 16);
}

static void assert_v6(const uint8_t ip[16], uint8_t host)
{
    const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = host};
    ck_assert_mem_eq(ip, want, 16);
}

static void assert_udp_1000_2000(const struct decoded *r)
{
    ck_assert(r->kept);
    ck_assert_uint_eq(r->pkt.protocol, PROTO_UDP);
    ck_assert_uint_eq(r->pkt.src_port, 1000);
    ck_assert_uint_eq(r->pkt.dst_port, 2000);
}

/* ---- link layer ---- */

START_TEST(ethernet_ipv4_tcp_fills_every_field)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4(&f, PROTO_TCP, 1, 2);
    tcp(&f, 40000, 443, NFC_TCP_SYN | NFC_TCP_ACK);
    data(&f, 10);
    end_ipv4(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_mem_eq(r.pkt.src_mac, MAC_A, 6);
    ck_assert_mem_eq(r.pkt.dst_mac, MAC_B, 6);
    assert_v4(r.pkt.src_ip, 1);
    assert_v4(r.pkt.dst_ip, 2);
    ck_assert_uint_eq(r.pkt.ip_version, 4);
    ck_assert_uint_eq(r.pkt.protocol, PROTO_TCP);
    ck_assert_uint_eq(r.pkt.src_port, 40000);
    ck_assert_uint_eq(r.pkt.dst_port, 443);
    ck_assert_uint_eq(r.pkt.tcp_flags, NFC_TCP_SYN | NFC_TCP_ACK);
    ck_assert_uint_eq(r.pkt.vlan_id, 0);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_int_eq(r.ip_at, 14);
    ck_assert_uint_eq(r.pkt.raw_size, 64); /* 14 + 20 + 20 + 10 */
    ck_assert_uint_eq(r.pkt.ipsize, 50);
    ck_assert_uint_eq(r.pkt.ip_size, 50);
    ck_assert_uint_eq(r.pkt.transport_size, 30);
    ck_assert_uint_eq(r.pkt.payload_size, 10);
    ck_assert_int_eq(r.payload_at, 54);
    ck_assert_uint_eq(r.pkt.payload_caplen, 10);
    ck_assert_uint_eq(r.pkt.time_ms, 0);
}
END_TEST

START_TEST(ethernet_padding_counts_in_ipsize_only)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4_udp(&f, 1, 2, 4);
    fill(&f, 0, 60 - f.len);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.raw_size, 60);
    ck_assert_uint_eq(r.pkt.ipsize, 46);
    ck_assert_uint_eq(r.pkt.ip_size, 32);
    ck_assert_uint_eq(r.pkt.transport_size, 12);
    ck_assert_uint_eq(r.pkt.payload_size, 4);
    ck_assert_uint_eq(r.pkt.payload_caplen, 4);
}
END_TEST

START_TEST(raw_size_wraps_at_16_bits)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4_udp(&f, 1, 2, 4);

    struct decoded r = decode_capture(&f, DLT_EN10MB, true, (uint32_t)f.len, 70000);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.raw_size, 70000 - 65536);
}
END_TEST

START_TEST(linux_sll_has_no_macs)
{
    struct frame f = {0};
    put16(&f, 0);
    put16(&f, 1);
    put16(&f, 6);
    put(&f, MAC_A, 6);
    put16(&f, 0);
    put16(&f, 0x86DD);
    ipv6_udp(&f, 3);

    struct decoded r = decode(&f, DLT_LINUX_SLL);

    assert_udp_1000_2000(&r);
    ck_assert_int_eq(r.ip_at, 16);
    ck_assert_uint_eq(r.pkt.ip_version, 6);
    assert_v6(r.pkt.src_ip, 1);
    assert_v6(r.pkt.dst_ip, 2);
    ck_assert_mem_eq(r.pkt.src_mac, ZERO_MAC, 6);
    ck_assert_mem_eq(r.pkt.dst_mac, ZERO_MAC, 6);
    ck_assert_uint_eq(r.pkt.ip_size, 11);
    ck_assert_uint_eq(r.pkt.ipsize, 51);
}
END_TEST

/* Non-first fragment of an IPv4 datagram behind a 4-byte loopback family header. */
static void null_fragment(struct frame *f, const uint8_t family[4])
{
    put(f, family, 4);
    size_t ip = begin_ipv4(f, PROTO_UDP, 1, 2);
    set_ipv4_fragment(f, ip, 185);
    udp_datagram(f, 6);
    end_ipv4(f, ip);
}

START_TEST(null_big_endian_family_is_ipv4_and_drops_fragments)
{
    const uint8_t family[4] = {0, 0, 0, 2};
    struct frame whole = {0};
    put(&whole, family, 4);
    ipv4_udp(&whole, 1, 2, 6);
    struct frame fragment = {0};
    null_fragment(&fragment, family);

    struct decoded r = decode(&whole, DLT_NULL);

    assert_udp_1000_2000(&r);
    ck_assert_int_eq(r.ip_at, 4);
    ck_assert_mem_eq(r.pkt.src_mac, ZERO_MAC, 6);
    ck_assert(!decode(&fragment, DLT_NULL).kept);
}
END_TEST

START_TEST(null_little_endian_family_reads_as_ipv6_so_fragments_are_kept)
{
    const uint8_t family[4] = {2, 0, 0, 0};
    struct frame f = {0};
    null_fragment(&f, family);

    struct decoded r = decode(&f, DLT_NULL);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.ip_version, 4);
}
END_TEST

START_TEST(raw_ip_picks_the_version_from_the_first_nibble)
{
    struct frame v4 = {0};
    ipv4_udp(&v4, 1, 2, 2);
    struct frame v6 = {0};
    ipv6_udp(&v6, 2);

    struct decoded r4 = decode(&v4, DLT_RAW);
    struct decoded r6 = decode(&v6, DLT_RAW);

    assert_udp_1000_2000(&r4);
    ck_assert_int_eq(r4.ip_at, 0);
    ck_assert_uint_eq(r4.pkt.ip_version, 4);
    assert_udp_1000_2000(&r6);
    ck_assert_uint_eq(r6.pkt.ip_version, 6);
}
END_TEST

START_TEST(dlt_ipv4_and_ipv6_start_at_the_ip_header)
{
    struct frame v4 = {0};
    ipv4_udp(&v4, 1, 2, 2);
    struct frame v6 = {0};
    ipv6_udp(&v6, 2);

    struct decoded r4 = decode(&v4, DLT_IPV4);
    struct decoded r6 = decode(&v6, DLT_IPV6);

    assert_udp_1000_2000(&r4);
    ck_assert_uint_eq(r4.pkt.ip_size, 30);
    assert_udp_1000_2000(&r6);
    ck_assert_uint_eq(r6.pkt.ip_size, 10);
}
END_TEST

START_TEST(ppp_with_cisco_framing_byte_skips_four_bytes)
{
    struct frame ppp = {0};
    put8(&ppp, 0x0F);
    put8(&ppp, 0x00);
    put16(&ppp, 0x0800);
    ipv4_udp(&ppp, 1, 2, 2);
    struct frame hdlc = {0};
    put8(&hdlc, 0x8F);
    put8(&hdlc, 0x00);
    put16(&hdlc, 0x86DD);
    ipv6_udp(&hdlc, 2);

    struct decoded r_ppp = decode(&ppp, DLT_PPP);
    struct decoded r_hdlc = decode(&hdlc, DLT_C_HDLC);

    assert_udp_1000_2000(&r_ppp);
    ck_assert_int_eq(r_ppp.ip_at, 4);
    assert_udp_1000_2000(&r_hdlc);
    ck_assert_int_eq(r_hdlc.ip_at, 4);
    ck_assert_uint_eq(r_hdlc.pkt.ip_version, 6);
}
END_TEST

START_TEST(ppp_without_framing_byte_reads_the_protocol_at_byte_zero)
{
    struct frame plain = {0};
    put16(&plain, 0x0021);
    ipv4_udp(&plain, 1, 2, 2);
    struct frame address_control = {0};
    put8(&address_control, 0xFF);
    put8(&address_control, 0x03);
    put16(&address_control, 0x0021);
    ipv4_udp(&address_control, 1, 2, 2);

    struct decoded r = decode(&plain, DLT_PPP);

    assert_udp_1000_2000(&r);
    ck_assert_int_eq(r.ip_at, 2);
    /* FF 03 is taken as the protocol, and the IP layer then sees 00 21 */
    ck_assert(!decode(&address_control, DLT_PPP).kept);
}
END_TEST

START_TEST(ppp_serial_skips_address_control_and_protocol)
{
    struct frame f = {0};
    put8(&f, 0xFF);
    put8(&f, 0x03);
    put16(&f, 0x0021);
    ipv4_udp(&f, 1, 2, 2);

    struct decoded r = decode(&f, DLT_PPP_SERIAL);

    assert_udp_1000_2000(&r);
    ck_assert_int_eq(r.ip_at, 4);
}
END_TEST

START_TEST(radiotap_to_ds_data_frame_takes_macs_from_addr2_and_addr3)
{
    struct frame f = {0};
    radiotap(&f, 0);
    wifi_data(&f, 0x01, MAC_C, MAC_D);
    put16(&f, 0); /* QoS control: with one DS bit the header is taken as 26 bytes */
    llc_snap(&f, 0x0800);
    ipv4_udp(&f, 1, 2, 4);

    struct decoded r = decode(&f, DLT_IEEE802_11_RADIO);

    assert_udp_1000_2000(&r);
    ck_assert_int_eq(r.ip_at, 24 + 26 + 8);
    ck_assert_mem_eq(r.pkt.src_mac, MAC_C, 6);
    ck_assert_mem_eq(r.pkt.dst_mac, MAC_D, 6);
}
END_TEST

START_TEST(radiotap_without_ds_bits_reads_llc_at_the_wifi_header)
{
    struct frame f = {0};
    radiotap(&f, 0);
    wifi_data(&f, 0x00, MAC_C, MAC_D);
    llc_snap(&f, 0x0800);
    ipv4_udp(&f, 1, 2, 4);

    ck_assert(!decode(&f, DLT_IEEE802_11_RADIO).kept);
}
END_TEST

START_TEST(radiotap_bad_fcs_and_non_data_frames_are_ignored)
{
    struct frame bad_fcs = {0};
    radiotap(&bad_fcs, 0x50);
    wifi_data(&bad_fcs, 0x01, MAC_C, MAC_D);
    put16(&bad_fcs, 0);
    llc_snap(&bad_fcs, 0x0800);
    ipv4_udp(&bad_fcs, 1, 2, 4);
    struct frame beacon = bad_fcs;
    beacon.bytes[16] = 0;
    beacon.bytes[24] = 0x80;

    ck_assert(!decode(&bad_fcs, DLT_IEEE802_11_RADIO).kept);
    ck_assert(!decode(&beacon, DLT_IEEE802_11_RADIO).kept);
}
END_TEST

START_TEST(unsupported_link_types_are_ignored)
{
    struct frame f = {0};
    ipv4_udp(&f, 1, 2, 8);

    ck_assert(!decode(&f, 276).kept); /* LINUX_SLL2 */
    ck_assert(!decode(&f, 105).kept); /* plain 802.11 */
}
END_TEST

START_TEST(gate_needs_28_captured_bytes)
{
    struct frame f = {0};
    ipv4_udp(&f, 1, 2, 0);

    struct decoded r28 = decode(&f, DLT_RAW);
    struct decoded r27 = decode_capture(&f, DLT_RAW, true, 27, 28);

    ck_assert_uint_eq(f.len, 28);
    assert_udp_1000_2000(&r28);
    ck_assert(!r27.kept);
}
END_TEST

/* ---- Ethernet, LLC and the EtherType loop ---- */

START_TEST(ieee8023_snap_type_is_not_byte_swapped)
{
    struct frame f = {0};
    ethernet(&f, 60);
    llc_snap(&f, 0x0800);
    size_t ip = begin_ipv4(&f, PROTO_UDP, 1, 2);
    set_ipv4_fragment(&f, ip, 185);
    udp_datagram(&f, 4);
    end_ipv4(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    /* the type is 0x0008, not IPv4, so the fragment field is never read */
    assert_udp_1000_2000(&r);
    ck_assert_int_eq(r.ip_at, 22);
}
END_TEST

START_TEST(ieee8023_without_snap_leaves_ip_right_after_the_header)
{
    struct frame f = {0};
    ethernet(&f, 100);
    ipv4_udp(&f, 1, 2, 12);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_int_eq(r.ip_at, 14);
}
END_TEST

START_TEST(ieee8023_spanning_tree_is_ignored)
{
    struct frame f = {0};
    ethernet(&f, 38);
    put8(&f, 0x42);
    put8(&f, 0x42);
    put8(&f, 0x03);
    fill(&f, 0, 35);

    ck_assert(!decode(&f, DLT_EN10MB).kept);
}
END_TEST

START_TEST(stacked_vlan_tags_keep_the_innermost_vid)
{
    struct frame f = {0};
    ethernet(&f, 0x8100);
    vlan_tag(&f, 100, 0x8100);
    vlan_tag(&f, 0x2000 | 7, 0x0800);
    ipv4_udp(&f, 1, 2, 4);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.vlan_id, 7);
    ck_assert_int_eq(r.ip_at, 22);
}
END_TEST

START_TEST(qinq_outer_tag_0x88a8_is_not_a_vlan)
{
    struct frame f = {0};
    ethernet(&f, 0x88A8);
    vlan_tag(&f, 100, 0x0800);
    ipv4_udp(&f, 1, 2, 4);

    ck_assert(!decode(&f, DLT_EN10MB).kept);
}
END_TEST

START_TEST(mpls_stack_is_skipped_to_the_bottom_label)
{
    struct frame v4 = {0};
    ethernet(&v4, 0x8847);
    mpls_label(&v4, 16, false);
    mpls_label(&v4, 17, true);
    ipv4_udp(&v4, 1, 2, 4);
    struct frame v6 = {0};
    ethernet(&v6, 0x8848);
    mpls_label(&v6, 16, true);
    ipv6_udp(&v6, 4);

    struct decoded r4 = decode(&v4, DLT_EN10MB);
    struct decoded r6 = decode(&v6, DLT_EN10MB);

    assert_udp_1000_2000(&r4);
    ck_assert_int_eq(r4.ip_at, 22);
    /* MPLS assumes IPv4, but the version nibble decides */
    assert_udp_1000_2000(&r6);
    ck_assert_int_eq(r6.ip_at, 18);
    ck_assert_uint_eq(r6.pkt.ip_version, 6);
}
END_TEST

START_TEST(pppoe_session_carries_ipv4)
{
    struct frame f = {0};
    ethernet(&f, 0x8864);
    pppoe_session(&f);
    ipv4_udp(&f, 1, 2, 4);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_int_eq(r.ip_at, 22);
}
END_TEST

START_TEST(vlan_tags_filling_the_capture_are_ignored)
{
    struct frame f = {0};
    ethernet(&f, 0x8100);
    for (uint16_t vid = 1; vid <= 4; vid++)
        vlan_tag(&f, vid, 0x8100);

    ck_assert(!decode(&f, DLT_EN10MB).kept);
}
END_TEST

/* ---- IPv4 ---- */

START_TEST(ipv4_options_move_the_transport_header)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4_ihl(&f, 6, PROTO_UDP, 1, 2);
    udp_datagram(&f, 4);
    end_ipv4(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.ip_size, 36);
    ck_assert_uint_eq(r.pkt.transport_size, 12);
    ck_assert_int_eq(r.payload_at, 14 + 24 + 8);
}
END_TEST

START_TEST(ipv4_only_first_fragments_are_kept)
{
    struct frame first = {0};
    ethernet(&first, 0x0800);
    size_t ip = begin_ipv4(&first, PROTO_UDP, 1, 2);
    udp_datagram(&first, 8);
    end_ipv4(&first, ip);
    struct frame second = first;
    set_ipv4_fragment(&first, ip, 0x2000);  /* more fragments, offset 0 */
    set_ipv4_fragment(&second, ip, 0x0003); /* offset 24 */

    struct decoded r = decode(&first, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.transport_size, 16);
    ck_assert(!decode(&second, DLT_EN10MB).kept);
}
END_TEST

START_TEST(ip_in_ip_is_stripped_even_without_tunnel_decoding)
{
    struct frame f4 = {0};
    ethernet(&f4, 0x0800);
    size_t outer4 = begin_ipv4(&f4, PROTO_IPIP, 1, 2);
    ipv4_udp(&f4, 3, 4, 4);
    end_ipv4(&f4, outer4);
    struct frame f6 = {0};
    ethernet(&f6, 0x0800);
    size_t outer6 = begin_ipv4(&f6, PROTO_IPV6, 1, 2);
    ipv6_udp(&f6, 4);
    end_ipv4(&f6, outer6);

    struct decoded r4 = decode_with(&f4, DLT_EN10MB, false);
    struct decoded r6 = decode_with(&f6, DLT_EN10MB, false);

    assert_udp_1000_2000(&r4);
    assert_v4(r4.pkt.src_ip, 3);
    assert_v4(r4.pkt.dst_ip, 4);
    ck_assert_int_eq(r4.ip_at, 34);
    ck_assert_uint_eq(r4.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_uint_eq(r4.pkt.raw_size, 66);
    assert_udp_1000_2000(&r6);
    ck_assert_uint_eq(r6.pkt.ip_version, 6);
    ck_assert_int_eq(r6.ip_at, 34);
}
END_TEST

START_TEST(ipv4_header_length_zero_does_not_restart)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4_ihl(&f, 0, PROTO_IPIP, 1, 2);
    data(&f, 30);
    end_ipv4(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.protocol, PROTO_IPIP);
    ck_assert_uint_eq(r.pkt.src_port, 0);
    ck_assert_uint_eq(r.pkt.ip_size, 50);
    ck_assert_uint_eq(r.pkt.transport_size, 0);
}
END_TEST

START_TEST(ipv4_with_bad_lengths_or_version_is_ignored)
{
    struct frame short_total = {0};
    ethernet(&short_total, 0x0800);
    ipv4_udp(&short_total, 1, 2, 8);
    set16(&short_total, 14 + 2, 16);
    struct frame long_header = {0};
    ethernet(&long_header, 0x0800);
    size_t ip = begin_ipv4(&long_header, PROTO_UDP, 1, 2);
    end_ipv4(&long_header, ip);
    fill(&long_header, 0, 8);
    long_header.bytes[14] = 0x4F; /* 60-byte header, 28 captured */
    struct frame version5 = {0};
    ethernet(&version5, 0x0800);
    ipv4_udp(&version5, 1, 2, 8);
    version5.bytes[14] = 0x55;

    ck_assert(!decode(&short_total, DLT_EN10MB).kept);
    ck_assert(!decode(&long_header, DLT_EN10MB).kept);
    ck_assert(!decode(&version5, DLT_EN10MB).kept);
}
END_TEST

START_TEST(truncated_ipv4_keeps_the_sizes_of_its_headers)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4_udp(&f, 1, 2, 100);

    struct decoded r = decode_capture(&f, DLT_EN10MB, true, 60, (uint32_t)f.len);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.raw_size, 142);
    ck_assert_uint_eq(r.pkt.ipsize, 46);
    ck_assert_uint_eq(r.pkt.ip_size, 128);
    ck_assert_uint_eq(r.pkt.transport_size, 108);
    ck_assert_uint_eq(r.pkt.payload_size, 100);
    ck_assert_int_eq(r.payload_at, 42);
    ck_assert_uint_eq(r.pkt.payload_caplen, 18);
}
END_TEST

/* ---- IPv6 ---- */

START_TEST(ipv6_hop_by_hop_is_walked_to_the_transport_header)
{
    struct frame f = {0};
    ethernet(&f, 0x86DD);
    size_t ip = begin_ipv6(&f, 0, 1, 2);
    hop_by_hop(&f, PROTO_UDP);
    udp_datagram(&f, 4);
    end_ipv6(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.ip_size, 20); /* payload length: without the fixed header */
    ck_assert_uint_eq(r.pkt.ipsize, 60);
    ck_assert_uint_eq(r.pkt.transport_size, 12);
    ck_assert_uint_eq(r.pkt.payload_size, 4);
    ck_assert_int_eq(r.payload_at, 14 + 40 + 8 + 8);
}
END_TEST

START_TEST(ipv6_only_first_fragments_are_kept)
{
    struct frame first = {0};
    ethernet(&first, 0x86DD);
    size_t ip = begin_ipv6(&first, 44, 1, 2);
    fragment_header(&first, PROTO_UDP, 0, true);
    udp_datagram(&first, 8);
    end_ipv6(&first, ip);
    struct frame second = {0};
    ethernet(&second, 0x86DD);
    ip = begin_ipv6(&second, 44, 1, 2);
    fragment_header(&second, PROTO_UDP, 2, false);
    data(&second, 16);
    end_ipv6(&second, ip);

    struct decoded r = decode(&first, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.transport_size, 16);
    ck_assert(!decode(&second, DLT_EN10MB).kept);
}
END_TEST

START_TEST(ipv6_no_next_header_depends_on_trailing_bytes)
{
    struct frame f = {0};
    ethernet(&f, 0x86DD);
    size_t ip = begin_ipv6(&f, 0, 1, 2);
    hop_by_hop(&f, PROTO_NONE);
    end_ipv6(&f, ip);
    struct frame trailer = f;
    fill(&trailer, 0, 2);

    struct decoded r = decode(&f, DLT_EN10MB);

    /* the walk stops when fewer than 2 captured bytes follow, without looking at next header 59 */
    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.protocol, PROTO_NONE);
    ck_assert_uint_eq(r.pkt.src_port, 0);
    ck_assert_uint_eq(r.pkt.transport_size, 0);
    ck_assert(!decode(&trailer, DLT_EN10MB).kept);
}
END_TEST

START_TEST(ipv6_extension_longer_than_the_payload_is_ignored)
{
    struct frame f = {0};
    ethernet(&f, 0x86DD);
    size_t ip = begin_ipv6(&f, 0, 1, 2);
    hop_by_hop(&f, PROTO_UDP);
    udp_datagram(&f, 4);
    end_ipv6(&f, ip);
    f.bytes[14 + 40 + 1] = 2; /* 24 bytes claimed, 20 in the payload */

    ck_assert(!decode(&f, DLT_EN10MB).kept);
}
END_TEST

START_TEST(ipv6_fragment_header_counts_as_5_captured_bytes)
{
    struct frame f = {0};
    ethernet(&f, 0x86DD);
    size_t ip = begin_ipv6(&f, 44, 1, 2);
    fragment_header(&f, PROTO_NONE, 0, true);
    end_ipv6(&f, ip);

    /* 3 bytes are still thought captured after it, so the walk goes on to next header 59 */
    ck_assert(!decode(&f, DLT_EN10MB).kept);
}
END_TEST

START_TEST(ipv6_truncated_is_ignored)
{
    struct frame f = {0};
    ethernet(&f, 0x86DD);
    ipv6_udp(&f, 20);

    ck_assert(decode(&f, DLT_EN10MB).kept);
    ck_assert(!decode_capture(&f, DLT_EN10MB, true, (uint32_t)f.len - 1, (uint32_t)f.len).kept);
}
END_TEST

START_TEST(icmp_inside_ipv6_is_icmp)
{
    struct frame icmp = {0};
    ethernet(&icmp, 0x86DD);
    size_t ip = begin_ipv6(&icmp, PROTO_ICMP, 1, 2);
    icmp_echo(&icmp);
    data(&icmp, 12);
    end_ipv6(&icmp, ip);
    struct frame icmp6 = {0};
    ethernet(&icmp6, 0x86DD);
    ip = begin_ipv6(&icmp6, PROTO_ICMPV6, 1, 2);
    icmp_echo(&icmp6);
    end_ipv6(&icmp6, ip);

    struct decoded r = decode(&icmp, DLT_EN10MB);
    struct decoded r6 = decode(&icmp6, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.protocol, PROTO_ICMP);
    ck_assert_uint_eq(r.pkt.transport_size, 20);
    ck_assert_uint_eq(r.pkt.payload_size, 12);
    ck_assert(r6.kept);
    ck_assert_uint_eq(r6.pkt.protocol, PROTO_ICMPV6);
    ck_assert_uint_eq(r6.pkt.transport_size, 8);
    ck_assert_uint_eq(r6.pkt.payload_size, 0);
    ck_assert_ptr_null(r6.pkt.payload);
}
END_TEST

/* ---- transport ---- */

START_TEST(tcp_header_longer_than_the_segment_leaves_no_payload)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4(&f, PROTO_TCP, 1, 2);
    tcp(&f, 1, 2, NFC_TCP_PSH | NFC_TCP_ACK);
    end_ipv4(&f, ip);
    f.bytes[14 + 20 + 12] = 0xF0; /* data offset 15 words */

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.tcp_flags, NFC_TCP_PSH | NFC_TCP_ACK);
    ck_assert_uint_eq(r.pkt.transport_size, 20);
    ck_assert_uint_eq(r.pkt.payload_size, 0);
    ck_assert_ptr_null(r.pkt.payload);
}
END_TEST

START_TEST(tcp_options_are_not_payload)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4(&f, PROTO_TCP, 1, 2);
    tcp_words(&f, 1, 2, NFC_TCP_FIN | NFC_TCP_URG | NFC_TCP_ECE | NFC_TCP_CWR | NFC_TCP_RST, 8);
    data(&f, 5);
    end_ipv4(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.tcp_flags, 0xE5);
    ck_assert_uint_eq(r.pkt.transport_size, 37);
    ck_assert_uint_eq(r.pkt.payload_size, 5);
    ck_assert_int_eq(r.payload_at, 14 + 20 + 32);
}
END_TEST

START_TEST(tcp_header_cut_by_the_capture_keeps_captured_ports_and_clears_the_rest)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4(&f, PROTO_TCP, 1, 2);
    tcp(&f, 1, 2, NFC_TCP_ACK);
    data(&f, 100);
    end_ipv4(&f, ip);

    struct decoded r = decode_capture(&f, DLT_EN10MB, true, 40, (uint32_t)f.len);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.src_port, 1);
    ck_assert_uint_eq(r.pkt.dst_port, 2);
    ck_assert_uint_eq(r.pkt.tcp_flags, 0);
    ck_assert_uint_eq(r.pkt.transport_size, 120);
    ck_assert_uint_eq(r.pkt.payload_size, 120); /* the uncaptured data offset reads as 0 */
    ck_assert_uint_eq(r.pkt.raw_size, 154);
}
END_TEST

START_TEST(udp_header_cut_by_the_capture_is_ignored_only_when_decoding_tunnels)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    ipv4_udp(&f, 1, 2, 20);

    struct decoded on = decode_capture(&f, DLT_EN10MB, true, 38, (uint32_t)f.len);
    struct decoded off = decode_capture(&f, DLT_EN10MB, false, 38, (uint32_t)f.len);

    ck_assert(!on.kept);
    assert_udp_1000_2000(&off);
    ck_assert_uint_eq(off.pkt.transport_size, 28);
    ck_assert_uint_eq(off.pkt.payload_size, 20);
    ck_assert_ptr_null(off.pkt.payload);
    ck_assert_uint_eq(off.pkt.payload_caplen, 0);
}
END_TEST

START_TEST(udp_shorter_than_its_header_has_no_ports)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4(&f, PROTO_UDP, 1, 2);
    put16(&f, 1000);
    put16(&f, 2000);
    end_ipv4(&f, ip);
    fill(&f, 0, 60 - f.len);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.protocol, PROTO_UDP);
    ck_assert_uint_eq(r.pkt.src_port, 0);
    ck_assert_uint_eq(r.pkt.dst_port, 0);
    ck_assert_uint_eq(r.pkt.transport_size, 0);
    ck_assert_uint_eq(r.pkt.ip_size, 24);
}
END_TEST

START_TEST(icmp_sizes_come_from_the_ip_header)
{
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4(&f, PROTO_ICMP, 1, 2);
    icmp_echo(&f);
    data(&f, 32);
    end_ipv4(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.src_port, 0);
    ck_assert_uint_eq(r.pkt.transport_size, 40);
    ck_assert_uint_eq(r.pkt.payload_size, 32);
    ck_assert_int_eq(r.payload_at, 42);
}
END_TEST

/* ---- tunnels ---- */

/* Ethernet / IPv4 10.0.0.1 -> 10.0.0.2 / UDP 2152 / GTP-U with `flags`, `ext` bytes after the 8-byte header,
 * then IPv4 10.0.0.3 -> 10.0.0.4 UDP 1000 -> 2000 with 10 bytes. */
static void gtp_frame(struct frame *f, uint8_t flags, const uint8_t *ext, size_t ext_len)
{
    ethernet(f, 0x0800);
    size_t ip = begin_ipv4(f, PROTO_UDP, 1, 2);
    size_t udp = begin_udp(f, PORT_GTP, PORT_GTP);
    size_t gtp = begin_gtp(f, flags);
    put(f, ext, ext_len);
    ipv4_udp(f, 3, 4, 10);
    end_gtp(f, gtp);
    end_udp(f, udp);
    end_ipv4(f, ip);
}

START_TEST(gtp_u_is_decapsulated_to_the_inner_packet)
{
    struct frame f = {0};
    gtp_frame(&f, 0x30, NULL, 0);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_GTP);
    assert_v4(r.pkt.src_ip, 3);
    assert_v4(r.pkt.dst_ip, 4);
    ck_assert_mem_eq(r.pkt.src_mac, MAC_A, 6);
    ck_assert_int_eq(r.ip_at, 14 + 20 + 8 + 8);
    ck_assert_uint_eq(r.pkt.raw_size, 88);
    ck_assert_uint_eq(r.pkt.ip_size, 38);
    ck_assert_uint_eq(r.pkt.ipsize, 38);
}
END_TEST

START_TEST(gtp_u_is_plain_udp_without_tunnel_decoding)
{
    struct frame f = {0};
    gtp_frame(&f, 0x30, NULL, 0);

    struct decoded r = decode_with(&f, DLT_EN10MB, false);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_uint_eq(r.pkt.src_port, PORT_GTP);
    assert_v4(r.pkt.src_ip, 1);
}
END_TEST

START_TEST(gtp_u_extension_headers_are_skipped)
{
    /* sequence number, N-PDU number, next extension type; one 4-byte extension ending with type 0 */
    const uint8_t ext[] = {0, 0, 0, 0x85, 1, 0xAB, 0xCD, 0};
    struct frame f = {0};
    gtp_frame(&f, 0x34, ext, sizeof(ext));

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_GTP);
    ck_assert_int_eq(r.ip_at, 14 + 20 + 8 + 8 + 8);
}
END_TEST

START_TEST(gtp_u_that_cannot_be_decapsulated_stays_outer_udp)
{
    const uint8_t zero_length_ext[] = {0, 0, 0, 0x85, 0, 0, 0, 0};
    struct frame bad_ext = {0};
    gtp_frame(&bad_ext, 0x34, zero_length_ext, sizeof(zero_length_ext));
    struct frame version2 = {0};
    gtp_frame(&version2, 0x48, NULL, 0);

    struct decoded r_ext = decode(&bad_ext, DLT_EN10MB);
    struct decoded r_v2 = decode(&version2, DLT_EN10MB);

    ck_assert(r_ext.kept);
    ck_assert_uint_eq(r_ext.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_uint_eq(r_ext.pkt.dst_port, PORT_GTP);
    ck_assert(r_v2.kept);
    ck_assert_uint_eq(r_v2.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_uint_eq(r_v2.pkt.dst_port, PORT_GTP);
}
END_TEST

START_TEST(gtp_u_inner_packet_skips_the_fragment_check)
{
    struct frame f = {0};
    gtp_frame(&f, 0x30, NULL, 0);
    set_ipv4_fragment(&f, 50, 185);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_GTP);
}
END_TEST

START_TEST(gtp_u_inner_packet_of_another_version_is_ignored)
{
    struct frame f = {0};
    gtp_frame(&f, 0x30, NULL, 0);
    f.bytes[50] = 0x55;

    ck_assert(!decode(&f, DLT_EN10MB).kept);
}
END_TEST

START_TEST(ipv6_outer_udp_takes_tunnel_ports_at_the_wrong_offset)
{
    struct frame f = {0};
    ethernet(&f, 0x86DD);
    size_t ip = begin_ipv6(&f, PROTO_UDP, 1, 2);
    size_t udp = begin_udp(&f, PORT_GTP, PORT_GTP);
    size_t gtp = begin_gtp(&f, 0x30);
    ipv4_udp(&f, 3, 4, 10);
    end_gtp(&f, gtp);
    end_udp(&f, udp);
    end_ipv6(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    /* the UDP header is looked for at L3 start + payload length (54), inside the GTP header: no tunnel port */
    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_uint_eq(r.pkt.ip_version, 6);
    ck_assert_uint_eq(r.pkt.src_port, PORT_GTP);
}
END_TEST

START_TEST(ipv4_in_ipv6_is_never_tunnel_decoded)
{
    struct frame f = {0};
    ethernet(&f, 0x86DD);
    size_t outer = begin_ipv6(&f, PROTO_IPIP, 1, 2);
    size_t ip = begin_ipv4(&f, PROTO_UDP, 3, 4);
    size_t udp = begin_udp(&f, PORT_GTP, PORT_GTP);
    size_t gtp = begin_gtp(&f, 0x30);
    ipv4_udp(&f, 5, 6, 10);
    end_gtp(&f, gtp);
    end_udp(&f, udp);
    end_ipv4(&f, ip);
    end_ipv6(&f, outer);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_uint_eq(r.pkt.ip_version, 4);
    assert_v4(r.pkt.src_ip, 3);
    ck_assert_uint_eq(r.pkt.src_port, PORT_GTP);
    ck_assert_int_eq(r.ip_at, 54);
}
END_TEST

START_TEST(tunnel_triggers_are_tried_in_order_gtp_first)
{
    const uint8_t tzsp_then_padding[8] = {1, 2, 0, 1, 0, 0, 0, 0};
    struct frame f = {0};
    ethernet(&f, 0x0800);
    size_t ip = begin_ipv4(&f, PROTO_UDP, 1, 2);
    size_t udp = begin_udp(&f, PORT_GTP, PORT_TZSP);
    put(&f, tzsp_then_padding, sizeof(tzsp_then_padding));
    end_udp(&f, udp);
    end_ipv4(&f, ip);
    struct frame longer = f;
    put8(&longer, 0);

    struct decoded r = decode(&f, DLT_EN10MB);
    struct decoded r_longer = decode(&longer, DLT_EN10MB);

    /* GTP-U needs more than 16 bytes after the UDP header start; without them TZSP gets its turn */
    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_TZSP);
    ck_assert(r_longer.kept);
    ck_assert_uint_eq(r_longer.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_uint_eq(r_longer.pkt.dst_port, PORT_TZSP);
}
END_TEST

/* Ethernet / IPv4 / UDP 5247 / CAPWAP with `preamble`, 8-byte header / 802.11 (MAC_C -> MAC_D) / SNAP / IPv4. */
static void capwap_frame(struct frame *f, uint8_t preamble)
{
    ethernet(f, 0x0800);
    size_t ip = begin_ipv4(f, PROTO_UDP, 1, 2);
    size_t udp = begin_udp(f, PORT_CAPWAP, PORT_CAPWAP);
    put8(f, preamble);
    put8(f, 0x10); /* HLEN 2 words */
    fill(f, 0, 6);
    wifi_data(f, 0x01, MAC_C, MAC_D);
    llc_snap(f, 0x0800);
    ipv4_udp(f, 3, 4, 8);
    end_udp(f, udp);
    end_ipv4(f, ip);
}

START_TEST(capwap_data_is_decapsulated_with_wifi_macs)
{
    struct frame f = {0};
    capwap_frame(&f, 0);

    struct decoded r = decode(&f, DLT_EN10MB);

    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_CAPWAP);
    ck_assert_mem_eq(r.pkt.src_mac, MAC_C, 6);
    ck_assert_mem_eq(r.pkt.dst_mac, MAC_D, 6);
    assert_v4(r.pkt.src_ip, 3);
    ck_assert_int_eq(r.ip_at, 14 + 20 + 8 + 8 + 24 + 8);
}
END_TEST

START_TEST(capwap_with_nonzero_preamble_type_stays_outer_udp)
{
    struct frame f = {0};
    capwap_frame(&f, 1);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_NONE);
    ck_assert_uint_eq(r.pkt.src_port, PORT_CAPWAP);
    ck_assert_mem_eq(r.pkt.src_mac, MAC_A, 6);
}
END_TEST

/* Ethernet (optionally tagged) / IPv4 / UDP 1234 -> 37008 / TZSP `header` then `tag` bytes, then an untagged
 * Ethernet frame (MAC_C -> MAC_D) with IPv4 10.0.0.3 -> 10.0.0.4 TCP SYN 80 -> 8080. */
static void tzsp_frame(struct frame *f, uint16_t outer_vid, const uint8_t header[4], const uint8_t *tag, size_t tag_len,
                       bool inner)
{
    if (outer_vid) {
        ethernet(f, 0x8100);
        vlan_tag(f, outer_vid, 0x0800);
    } else {
        ethernet(f, 0x0800);
    }
    size_t ip = begin_ipv4(f, PROTO_UDP, 1, 2);
    size_t udp = begin_udp(f, 1234, PORT_TZSP);
    put(f, header, 4);
    put(f, tag, tag_len);
    if (inner) {
        ethernet_from(f, MAC_C, MAC_D, 0x0800);
        size_t inner_ip = begin_ipv4(f, PROTO_TCP, 3, 4);
        tcp(f, 80, 8080, NFC_TCP_SYN);
        end_ipv4(f, inner_ip);
    }
    end_udp(f, udp);
    end_ipv4(f, ip);
}

static const uint8_t TZSP_ETHERNET[4] = {1, 0, 0, 1};
static const uint8_t TZSP_END_TAG[1] = {1};

START_TEST(tzsp_restarts_at_the_link_layer_of_the_inner_frame)
{
    struct frame f = {0};
    tzsp_frame(&f, 0, TZSP_ETHERNET, TZSP_END_TAG, 1, true);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_TZSP);
    ck_assert_uint_eq(r.pkt.protocol, PROTO_TCP);
    ck_assert_uint_eq(r.pkt.src_port, 80);
    ck_assert_uint_eq(r.pkt.dst_port, 8080);
    ck_assert_uint_eq(r.pkt.tcp_flags, NFC_TCP_SYN);
    ck_assert_mem_eq(r.pkt.src_mac, MAC_C, 6);
    ck_assert_mem_eq(r.pkt.dst_mac, MAC_D, 6);
    assert_v4(r.pkt.src_ip, 3);
    ck_assert_int_eq(r.ip_at, 14 + 20 + 8 + 4 + 1 + 14);
    ck_assert_uint_eq(r.pkt.raw_size, 101);
}
END_TEST

START_TEST(tzsp_inner_untagged_frame_keeps_the_outer_vlan)
{
    struct frame f = {0};
    tzsp_frame(&f, 291, TZSP_ETHERNET, TZSP_END_TAG, 1, true);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.vlan_id, 291);
    ck_assert_uint_eq(r.pkt.src_port, 80);
}
END_TEST

START_TEST(tzsp_inner_frame_inherits_the_outer_8023_llc_check)
{
    struct frame f = {0};
    ethernet(&f, 100);
    llc_snap(&f, 0x0008); /* read unswapped: IPv4 */
    size_t ip = begin_ipv4(&f, PROTO_UDP, 1, 2);
    size_t udp = begin_udp(&f, 1234, PORT_TZSP);
    put(&f, TZSP_ETHERNET, 4);
    put(&f, TZSP_END_TAG, 1);
    ethernet_from(&f, MAC_C, MAC_D, 0x0800);
    llc_snap(&f, 0x0008);
    ipv4_udp(&f, 3, 4, 8);
    end_udp(&f, udp);
    end_ipv4(&f, ip);

    struct decoded r = decode(&f, DLT_EN10MB);

    /* nothing is reset, so the inner Ethernet II frame is still checked for an LLC header */
    assert_udp_1000_2000(&r);
    ck_assert_uint_eq(r.pkt.tunnel_id, NFC_TUNNEL_TZSP);
    assert_v4(r.pkt.src_ip, 3);
    ck_assert_int_eq(r.ip_at, 14 + 8 + 20 + 8 + 4 + 1 + 14 + 8);
}
END_TEST

START_TEST(tzsp_tunnel_id_is_set_even_without_decapsulation)
{
    const uint8_t received_type[4] = {1, 2, 0, 1};
    struct frame other_type = {0};
    tzsp_frame(&other_type, 0, received_type, TZSP_END_TAG, 1, true);
    struct frame no_tag = {0};
    tzsp_frame(&no_tag, 0, TZSP_ETHERNET, NULL, 0, false);

    struct decoded r_type = decode(&other_type, DLT_EN10MB);
    struct decoded r_no_tag = decode(&no_tag, DLT_EN10MB);
    struct decoded r_off = decode_with(&no_tag, DLT_EN10MB, false);

    ck_assert(r_type.kept);
    ck_assert_uint_eq(r_type.pkt.tunnel_id, NFC_TUNNEL_TZSP);
    ck_assert_uint_eq(r_type.pkt.dst_port, PORT_TZSP);
    ck_assert(r_no_tag.kept);
    ck_assert_uint_eq(no_tag.len, 46);
    ck_assert_uint_eq(r_no_tag.pkt.tunnel_id, NFC_TUNNEL_TZSP);
    ck_assert_uint_eq(r_no_tag.pkt.dst_port, PORT_TZSP);
    ck_assert_uint_eq(r_off.pkt.tunnel_id, NFC_TUNNEL_NONE);
}
END_TEST

START_TEST(tzsp_tag_without_its_length_byte_is_ignored)
{
    const uint8_t tag_type_only[1] = {10};
    struct frame f = {0};
    tzsp_frame(&f, 0, TZSP_ETHERNET, tag_type_only, 1, false);

    ck_assert(!decode(&f, DLT_EN10MB).kept);
}
END_TEST

START_TEST(tzsp_tag_length_is_counted_from_the_tag_type)
{
    const uint8_t tag[3] = {10, 3, 0x77};
    struct frame f = {0};
    tzsp_frame(&f, 0, TZSP_ETHERNET, tag, sizeof(tag), true);

    struct decoded r = decode(&f, DLT_EN10MB);

    ck_assert(r.kept);
    ck_assert_uint_eq(r.pkt.src_port, 80);
    ck_assert_int_eq(r.ip_at, 14 + 20 + 8 + 4 + 3 + 14);
}
END_TEST

static Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");

    TCase *link = tcase_create("link layer");
    tcase_add_test(link, ethernet_ipv4_tcp_fills_every_field);
    tcase_add_test(link, ethernet_padding_counts_in_ipsize_only);
    tcase_add_test(link, raw_size_wraps_at_16_bits);
    tcase_add_test(link, linux_sll_has_no_macs);
    tcase_add_test(link, null_big_endian_family_is_ipv4_and_drops_fragments);
    tcase_add_test(link, null_little_endian_family_reads_as_ipv6_so_fragments_are_kept);
    tcase_add_test(link, raw_ip_picks_the_version_from_the_first_nibble);
    tcase_add_test(link, dlt_ipv4_and_ipv6_start_at_the_ip_header);
    tcase_add_test(link, ppp_with_cisco_framing_byte_skips_four_bytes);
    tcase_add_test(link, ppp_without_framing_byte_reads_the_protocol_at_byte_zero);
    tcase_add_test(link, ppp_serial_skips_address_control_and_protocol);
    tcase_add_test(link, radiotap_to_ds_data_frame_takes_macs_from_addr2_and_addr3);
    tcase_add_test(link, radiotap_without_ds_bits_reads_llc_at_the_wifi_header);
    tcase_add_test(link, radiotap_bad_fcs_and_non_data_frames_are_ignored);
    tcase_add_test(link, unsupported_link_types_are_ignored);
    tcase_add_test(link, gate_needs_28_captured_bytes);
    suite_add_tcase(s, link);

    TCase *ethertype = tcase_create("ethertype");
    tcase_add_test(ethertype, ieee8023_snap_type_is_not_byte_swapped);
    tcase_add_test(ethertype, ieee8023_without_snap_leaves_ip_right_after_the_header);
    tcase_add_test(ethertype, ieee8023_spanning_tree_is_ignored);
    tcase_add_test(ethertype, stacked_vlan_tags_keep_the_innermost_vid);
    tcase_add_test(ethertype, qinq_outer_tag_0x88a8_is_not_a_vlan);
    tcase_add_test(ethertype, mpls_stack_is_skipped_to_the_bottom_label);
    tcase_add_test(ethertype, pppoe_session_carries_ipv4);
    tcase_add_test(ethertype, vlan_tags_filling_the_capture_are_ignored);
    suite_add_tcase(s, ethertype);

    TCase *ipv4 = tcase_create("ipv4");
    tcase_add_test(ipv4, ipv4_options_move_the_transport_header);
    tcase_add_test(ipv4, ipv4_only_first_fragments_are_kept);
    tcase_add_test(ipv4, ip_in_ip_is_stripped_even_without_tunnel_decoding);
    tcase_add_test(ipv4, ipv4_header_length_zero_does_not_restart);
    tcase_add_test(ipv4, ipv4_with_bad_lengths_or_version_is_ignored);
    tcase_add_test(ipv4, truncated_ipv4_keeps_the_sizes_of_its_headers);
    suite_add_tcase(s, ipv4);

    TCase *ipv6 = tcase_create("ipv6");
    tcase_add_test(ipv6, ipv6_hop_by_hop_is_walked_to_the_transport_header);
    tcase_add_test(ipv6, ipv6_only_first_fragments_are_kept);
    tcase_add_test(ipv6, ipv6_no_next_header_depends_on_trailing_bytes);
    tcase_add_test(ipv6, ipv6_extension_longer_than_the_payload_is_ignored);
    tcase_add_test(ipv6, ipv6_fragment_header_counts_as_5_captured_bytes);
    tcase_add_test(ipv6, ipv6_truncated_is_ignored);
    tcase_add_test(ipv6, icmp_inside_ipv6_is_icmp);
    suite_add_tcase(s, ipv6);

    TCase *transport = tcase_create("transport");
    tcase_add_test(transport, tcp_header_longer_than_the_segment_leaves_no_payload);
    tcase_add_test(transport, tcp_options_are_not_payload);
    tcase_add_test(transport, tcp_header_cut_by_the_capture_keeps_captured_ports_and_clears_the_rest);
    tcase_add_test(transport, udp_header_cut_by_the_capture_is_ignored_only_when_decoding_tunnels);
    tcase_add_test(transport, udp_shorter_than_its_header_has_no_ports);
    tcase_add_test(transport, icmp_sizes_come_from_the_ip_header);
    suite_add_tcase(s, transport);

    TCase *tunnels = tcase_create("tunnels");
    tcase_add_test(tunnels, gtp_u_is_decapsulated_to_the_inner_packet);
    tcase_add_test(tunnels, gtp_u_is_plain_udp_without_tunnel_decoding);
    tcase_add_test(tunnels, gtp_u_extension_headers_are_skipped);
    tcase_add_test(tunnels, gtp_u_that_cannot_be_decapsulated_stays_outer_udp);
    tcase_add_test(tunnels, gtp_u_inner_packet_skips_the_fragment_check);
    tcase_add_test(tunnels, gtp_u_inner_packet_of_another_version_is_ignored);
    tcase_add_test(tunnels, ipv6_outer_udp_takes_tunnel_ports_at_the_wrong_offset);
    tcase_add_test(tunnels, ipv4_in_ipv6_is_never_tunnel_decoded);
    tcase_add_test(tunnels, tunnel_triggers_are_tried_in_order_gtp_first);
    tcase_add_test(tunnels, capwap_data_is_decapsulated_with_wifi_macs);
    tcase_add_test(tunnels, capwap_with_nonzero_preamble_type_stays_outer_udp);
    tcase_add_test(tunnels, tzsp_restarts_at_the_link_layer_of_the_inner_frame);
    tcase_add_test(tunnels, tzsp_inner_untagged_frame_keeps_the_outer_vlan);
    tcase_add_test(tunnels, tzsp_inner_frame_inherits_the_outer_8023_llc_check);
    tcase_add_test(tunnels, tzsp_tunnel_id_is_set_even_without_decapsulation);
    tcase_add_test(tunnels, tzsp_tag_without_its_length_byte_is_ignored);
    tcase_add_test(tunnels, tzsp_tag_length_is_counted_from_the_tag_type);
    suite_add_tcase(s, tunnels);

    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(decode_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
