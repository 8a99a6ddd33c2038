/* The flow lifecycle of one meter (spec §3, §5, §9.3), driven with hand-built packets: no capture, no decoding,
 * no nDPI. Times are in ms. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "decode/decode.h"
#include "flow/cache.h"
#include "flow/flow.h"

enum { UDP = 17, TCP = 6 };

static struct nfc_flow_cache m;

static void start(uint64_t idle_ms, uint64_t active_ms, uint64_t capacity, bool statistics, bool tcp_end)
{
    struct nfc_flow_params p = {.statistics = statistics};
    struct nfc_cache_limits limits = {idle_ms, active_ms, capacity, tcp_end};
    nfc_flow_params_layout(&p);
    ck_assert_int_eq(nfc_cache_init(&m, &p, &limits, NULL), 0);
}

static void stop(void)
{
    nfc_cache_free(&m);
}

/* A packet from 10.0.0.<a>:<sport> to 10.0.0.<b>:<dport> of `size` bytes on the wire (addresses as 4 bytes then
 * 12 zero bytes, MACs ending in a and b). */
static struct nfc_packet make(uint64_t t, int a, uint16_t sport, int b, uint16_t dport, uint8_t proto, uint16_t size)
{
    struct nfc_packet p;
    memset(&p, 0, sizeof p);
    p.time_ms = t;
    p.protocol = proto;
    p.ip_version = 4;
    p.src_ip[0] = 10, p.src_ip[3] = (uint8_t)a;
    p.dst_ip[0] = 10, p.dst_ip[3] = (uint8_t)b;
    p.src_port = sport;
    p.dst_port = dport;
    p.raw_size = size;
    p.ip_size = (uint16_t)(size - 14);
    p.src_mac[5] = (uint8_t)a;
    p.dst_mac[5] = (uint8_t)b;
    return p;
}

static void inject(struct nfc_packet p)
{
    nfc_cache_packet(&m, &p);
}

/* UDP 10.0.0.1:<port> -> 10.0.0.2:53, 100 bytes: one flow per client port. */
static void udp(uint64_t t, uint16_t port)
{
    inject(make(t, 1, port, 2, 53, UDP, 100));
}

static void udp_reply(uint64_t t, uint16_t port)
{
    inject(make(t, 2, 53, 1, port, UDP, 300));
}

static void tcp(uint64_t t, bool from_client, uint8_t flags)
{
    struct nfc_packet p = from_client ? make(t, 1, 40000, 2, 80, TCP, 60) : make(t, 2, 80, 1, 40000, TCP, 60);
    p.tcp_flags = flags;
    inject(p);
}

/* Pops the next finished flow and checks who it is; returns it for more checks (recycled by the next expect). */
static struct nfc_flow *last;

static void forget_last(void)
{
    if (last)
        nfc_cache_recycle(&m, last);
    last = NULL;
}

static struct nfc_flow *expect_flow(uint16_t src_port, uint64_t packets, int expiration_id)
{
    forget_last();
    last = nfc_cache_pop(&m);
    ck_assert_ptr_nonnull(last);
    ck_assert_uint_eq(last->view.src_port, src_port);
    ck_assert_uint_eq(last->view.scope[NFC_BIDIRECTIONAL].packets, packets);
    ck_assert_int_eq(last->view.expiration_id, expiration_id);
    return last;
}

static void expect_none(void)
{
    forget_last();
    ck_assert_ptr_null(nfc_cache_pop(&m));
}

static void finish(void)
{
    forget_last();
    stop();
}

/* ---- idle and active expiry (spec §5.1) ---- */

START_TEST(packet_exactly_idle_timeout_later_splits_the_flow)
{
    start(1000, 1800000, 0, false, false);
    udp(0, 1000);
    udp(1000, 1000); /* 1000 - last_seen 0 >= idle 1000 */
    struct nfc_flow *f = expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms, 0);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].last_seen_ms, 0); /* the splitting packet is not in it */
    expect_none();
    nfc_cache_flush(&m);
    f = expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms, 1000); /* it opened the new flow */
    expect_none();
    finish();
}
END_TEST

START_TEST(packet_one_ms_before_idle_timeout_joins_the_flow)
{
    start(1000, 1800000, 0, false, false);
    udp(0, 1000);
    udp(999, 1000);
    expect_none();
    nfc_cache_flush(&m);
    struct nfc_flow *f = expect_flow(1000, 2, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].last_seen_ms, 999);
    expect_none();
    finish();
}
END_TEST

START_TEST(active_timeout_splits_a_busy_flow)
{
    start(10000, 1000, 0, false, false);
    udp(0, 1000);
    udp(500, 1000);
    udp(999, 1000);  /* 999 - first_seen 0 < 1000: still the same flow */
    udp(1000, 1000); /* 1000 - 0 >= active 1000, while only 1 ms idle */
    struct nfc_flow *f = expect_flow(1000, 3, NFC_EXPIRE_ACTIVE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].last_seen_ms, 999);
    expect_none();
    nfc_cache_flush(&m);
    f = expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms, 1000);
    finish();
}
END_TEST

START_TEST(idle_wins_over_active_when_both_hold)
{
    start(1000, 1000, 0, false, false);
    udp(0, 1000);
    udp(1500, 1000); /* idle (1500 >= 1000) is checked first */
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    finish();
}
END_TEST

START_TEST(idle_timeout_zero_makes_every_packet_a_flow)
{
    start(0, 1800000, 0, false, false);
    udp(0, 1000);
    udp(0, 1000); /* 0 - 0 >= 0 */
    udp(5, 1000);
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    nfc_cache_flush(&m);
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    finish();
}
END_TEST

START_TEST(active_timeout_zero_closes_with_id_1)
{
    start(120000, 0, 0, false, false);
    udp(0, 1000);
    udp(1, 1000);
    udp(2, 1000);
    expect_flow(1000, 1, NFC_EXPIRE_ACTIVE);
    expect_flow(1000, 1, NFC_EXPIRE_ACTIVE);
    nfc_cache_flush(&m);
    expect_flow(1000, 1, NFC_EXPIRE_IDLE); /* the flush keeps the last one's id 0 */
    finish();
}
END_TEST

/* ---- the monotonic clock (spec §5.1 step 1) ---- */

START_TEST(packet_older_than_the_clock_gets_the_clocks_time)
{
    start(120000, 1800000, 0, true, false);
    udp(100, 1000);
    struct nfc_packet late = make(40, 2, 53, 1, 1000, UDP, 300);
    nfc_cache_packet(&m, &late);
    ck_assert_uint_eq(late.time_ms, 100); /* rewritten to the clock */
    udp(130, 1000);
    nfc_cache_flush(&m);
    struct nfc_flow *f = expect_flow(1000, 3, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms, 100);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].last_seen_ms, 130);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].first_seen_ms, 100); /* not 40 */
    const struct nfc_scope_statistics *st = nfc_flow_statistics_c(&m.params, f);
    ck_assert_uint_eq(st[NFC_BIDIRECTIONAL].piat_min, 0); /* gaps 0 (100 -> 100) and 30 */
    ck_assert_uint_eq(st[NFC_BIDIRECTIONAL].piat_max, 30);
    finish();
}
END_TEST

START_TEST(clamped_time_can_expire_a_flow)
{
    start(100, 1800000, 0, false, false);
    udp(0, 9000);
    udp(1, 1000);
    udp(99, 9000);  /* flow 9000 is busy and oldest: it shields flow 1000 from the scan below */
    udp(150, 2000); /* clock 150; the scan (horizon 50) stops at flow 9000 */
    expect_none();
    udp(50, 1000); /* sent at 50 (49 ms after its last packet) but counted at 150: 150 - 1 >= 100, a new flow */
    struct nfc_flow *f = expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].last_seen_ms, 1);
    nfc_cache_flush(&m);
    expect_flow(9000, 2, NFC_EXPIRE_IDLE);
    expect_flow(2000, 1, NFC_EXPIRE_IDLE);
    f = expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms, 150);
    expect_none();
    finish();
}
END_TEST

/* ---- direction (spec §3) ---- */

START_TEST(first_packet_defines_src_and_replies_count_as_dst2src)
{
    start(120000, 1800000, 0, false, false);
    udp(10, 1000);       /* 100 bytes */
    udp_reply(20, 1000); /* 300 bytes */
    udp_reply(25, 1000);
    udp(40, 1000);
    nfc_cache_flush(&m);
    struct nfc_flow *f = expect_flow(1000, 4, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.src_ip[3], 1);
    ck_assert_uint_eq(f->view.dst_ip[3], 2);
    ck_assert_uint_eq(f->view.dst_port, 53);
    ck_assert_uint_eq(f->view.src_mac[5], 1);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].bytes, 800); /* 100 + 300 + 300 + 100 */
    ck_assert_uint_eq(f->view.scope[NFC_SRC2DST].packets, 2);
    ck_assert_uint_eq(f->view.scope[NFC_SRC2DST].bytes, 200);
    ck_assert_uint_eq(f->view.scope[NFC_SRC2DST].first_seen_ms, 10);
    ck_assert_uint_eq(f->view.scope[NFC_SRC2DST].last_seen_ms, 40);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].packets, 2);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].bytes, 600);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].first_seen_ms, 20);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].last_seen_ms, 25);
    finish();
}
END_TEST

START_TEST(server_speaking_first_becomes_src)
{
    start(120000, 1800000, 0, false, false);
    udp_reply(10, 1000);
    udp(20, 1000);
    nfc_cache_flush(&m);
    struct nfc_flow *f = expect_flow(53, 2, NFC_EXPIRE_IDLE); /* no port heuristics */
    ck_assert_uint_eq(f->view.src_ip[3], 2);
    ck_assert_uint_eq(f->view.dst_port, 1000);
    ck_assert_uint_eq(f->view.scope[NFC_SRC2DST].bytes, 300);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].bytes, 100);
    finish();
}
END_TEST

START_TEST(flow_without_replies_has_zero_dst2src)
{
    start(120000, 1800000, 0, false, false);
    udp(10, 1000);
    udp(20, 1000);
    nfc_cache_flush(&m);
    struct nfc_flow *f = expect_flow(1000, 2, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].packets, 0);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].first_seen_ms, 0);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].last_seen_ms, 0);
    finish();
}
END_TEST

/* ---- the idle scan (spec §5.4) ---- */

START_TEST(scan_runs_at_most_once_per_10_ms)
{
    start(100, 1800000, 0, false, false);
    udp(0, 1000);
    udp(5, 2000);
    udp(100, 3000); /* scan (100 - 0 >= 10), horizon 0: flow 1000 (last seen 0) goes, flow 2000 (5) stays */
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    udp(105, 3000); /* horizon would be 5, but 105 - 100 < 10: no scan */
    expect_none();
    udp(109, 3000); /* 9 ms since the last scan: still none */
    expect_none();
    udp(110, 3000); /* 10 ms: scan, horizon 10 */
    expect_flow(2000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    finish();
}
END_TEST

START_TEST(scan_expires_oldest_inserted_first)
{
    start(100, 1800000, 0, false, false);
    udp(0, 3000);
    udp(1, 1000);
    udp(2, 2000);
    udp(500, 4000); /* horizon 400: all three idle, removed in insertion order */
    expect_flow(3000, 1, NFC_EXPIRE_IDLE);
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    expect_flow(2000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    finish();
}
END_TEST

START_TEST(scan_stops_at_the_first_busy_flow)
{
    start(100, 1800000, 0, false, false);
    udp(0, 1000);
    udp(1, 2000);
    udp(50, 1000);  /* flow 1000 stays oldest-inserted: updates do not move it */
    udp(120, 3000); /* horizon 20: flow 1000 (last seen 50) is busy, so idle flow 2000 (1) waits behind it */
    expect_none();
    udp(150, 3000); /* horizon 50: flow 1000 goes, then flow 2000 */
    expect_flow(1000, 2, NFC_EXPIRE_IDLE);
    expect_flow(2000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    finish();
}
END_TEST

START_TEST(scan_expires_at_most_1000_flows)
{
    start(100, 1800000, 0, false, false);
    for (uint16_t port = 1; port <= 1001; port++)
        udp(0, port);
    udp(100, 5000); /* horizon 0: 1001 idle flows, but the budget is 1000 */
    for (uint16_t port = 1; port <= 1000; port++)
        expect_flow(port, 1, NFC_EXPIRE_IDLE);
    expect_none();
    ck_assert_uint_eq(nfc_cache_pending(&m), 2); /* flow 1001 and flow 5000 */
    udp(110, 5000);                              /* next scan */
    expect_flow(1001, 1, NFC_EXPIRE_IDLE);
    expect_none();
    finish();
}
END_TEST

/* ---- emission order within one packet step (spec §9.3) ---- */

START_TEST(own_idle_expiry_comes_before_scan_expiries)
{
    start(100, 1800000, 0, false, false);
    udp(0, 1000);
    udp(1, 2000);
    udp(200, 1000); /* flow 1000 closes on its own packet, then the scan (horizon 100) takes flow 2000 */
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    expect_flow(2000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    nfc_cache_flush(&m);
    struct nfc_flow *f = expect_flow(1000, 1, NFC_EXPIRE_IDLE); /* the new flow 1000 */
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms, 200);
    finish();
}
END_TEST

START_TEST(tcp_end_on_a_packet_comes_before_scan_expiries)
{
    start(100, 1800000, 0, false, true);
    udp(0, 1000);
    tcp(60, true, NFC_TCP_SYN);
    tcp(120, true, NFC_TCP_RST); /* ends the TCP flow; the scan (horizon 20) then takes flow 1000 */
    expect_flow(40000, 2, NFC_EXPIRE_TCP_END);
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    finish();
}
END_TEST

/* ---- end of input (spec §5.1) ---- */

START_TEST(flush_emits_in_insertion_order)
{
    start(120000, 1800000, 0, false, false);
    udp(0, 3000);
    udp(1, 1000);
    udp(2, 2000);
    udp(3, 3000); /* updates do not reorder */
    udp(4, 1000);
    expect_none();
    ck_assert_uint_eq(nfc_cache_pending(&m), 3);
    nfc_cache_flush(&m);
    expect_flow(3000, 2, NFC_EXPIRE_IDLE);
    expect_flow(1000, 2, NFC_EXPIRE_IDLE);
    expect_flow(2000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    ck_assert_uint_eq(nfc_cache_pending(&m), 0);
    finish();
}
END_TEST

START_TEST(queued_flows_come_out_before_the_flush)
{
    start(100, 1800000, 0, false, false);
    udp(0, 1000);
    udp(1, 2000);
    udp(300, 2000); /* flow 2000 splits, the scan takes flow 1000: both queued */
    nfc_cache_flush(&m);
    expect_flow(2000, 1, NFC_EXPIRE_IDLE);
    expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    struct nfc_flow *f = expect_flow(2000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms, 300);
    expect_none();
    finish();
}
END_TEST

/* ---- capacity (expiration_id 3) ---- */

START_TEST(full_table_evicts_the_least_recently_seen)
{
    start(120000, 1800000, 2, false, false);
    udp(0, 1000);
    udp(1, 2000);
    udp(2, 1000); /* flow 1000 seen last: flow 2000 is now the least recently seen */
    expect_none();
    udp(3, 3000); /* the table holds 2: flow 2000 goes before flow 3000 is created */
    expect_flow(2000, 1, NFC_EXPIRE_CAPACITY);
    expect_none();
    nfc_cache_flush(&m);
    expect_flow(1000, 2, NFC_EXPIRE_IDLE);
    expect_flow(3000, 1, NFC_EXPIRE_IDLE);
    expect_none();
    finish();
}
END_TEST

START_TEST(capacity_loses_no_flow)
{
    start(120000, 1800000, 3, false, false);
    for (uint16_t port = 1; port <= 10; port++)
        udp(port, port);
    /* 10 flows through a table of 3: flows 1..7 evicted in order, 8..10 flushed */
    for (uint16_t port = 1; port <= 7; port++)
        expect_flow(port, 1, NFC_EXPIRE_CAPACITY);
    expect_none();
    nfc_cache_flush(&m);
    for (uint16_t port = 8; port <= 10; port++)
        expect_flow(port, 1, NFC_EXPIRE_IDLE);
    expect_none();
    finish();
}
END_TEST

/* ---- expire_on_tcp_end (expiration_id 2) ---- */

START_TEST(rst_ends_the_flow_including_the_rst)
{
    start(120000, 1800000, 0, true, true);
    tcp(0, true, NFC_TCP_SYN);
    tcp(1, false, NFC_TCP_SYN | NFC_TCP_ACK);
    tcp(2, true, NFC_TCP_RST);
    struct nfc_flow *f = expect_flow(40000, 3, NFC_EXPIRE_TCP_END);
    ck_assert_uint_eq(nfc_flow_statistics_c(&m.params, f)[NFC_BIDIRECTIONAL].flags[NFC_FLAG_RST], 1);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].last_seen_ms, 2);
    expect_none();
    tcp(3, true, NFC_TCP_ACK); /* the same 5-tuple starts a new flow */
    nfc_cache_flush(&m);
    f = expect_flow(40000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].first_seen_ms, 3);
    finish();
}
END_TEST

START_TEST(fin_from_both_sides_then_ack_ends_the_flow)
{
    start(120000, 1800000, 0, false, true);
    tcp(0, true, NFC_TCP_SYN);
    tcp(1, false, NFC_TCP_SYN | NFC_TCP_ACK);
    tcp(2, true, NFC_TCP_ACK);
    tcp(3, true, NFC_TCP_FIN | NFC_TCP_ACK);
    expect_none();
    tcp(4, false, NFC_TCP_FIN | NFC_TCP_ACK); /* both FINs seen, but the ACK must come after them */
    expect_none();
    tcp(5, true, NFC_TCP_ACK);
    expect_flow(40000, 6, NFC_EXPIRE_TCP_END);
    expect_none();
    tcp(6, false, NFC_TCP_ACK); /* a late packet: new flow, whose src is the server */
    nfc_cache_flush(&m);
    expect_flow(80, 1, NFC_EXPIRE_IDLE);
    finish();
}
END_TEST

START_TEST(fin_from_one_side_does_not_end_the_flow)
{
    start(120000, 1800000, 0, false, true);
    tcp(0, true, NFC_TCP_FIN | NFC_TCP_ACK);
    tcp(1, false, NFC_TCP_ACK);
    tcp(2, true, NFC_TCP_FIN | NFC_TCP_ACK);
    expect_none();
    nfc_cache_flush(&m);
    expect_flow(40000, 3, NFC_EXPIRE_IDLE);
    finish();
}
END_TEST

START_TEST(first_packet_rst_is_a_flow_of_its_own)
{
    start(120000, 1800000, 0, false, true);
    tcp(0, false, NFC_TCP_RST | NFC_TCP_ACK);
    expect_flow(80, 1, NFC_EXPIRE_TCP_END); /* emitted at once, never cached */
    ck_assert_uint_eq(nfc_cache_pending(&m), 0);
    finish();
}
END_TEST

START_TEST(rst_is_ignored_without_expire_on_tcp_end)
{
    start(120000, 1800000, 0, false, false);
    tcp(0, true, NFC_TCP_SYN);
    tcp(1, false, NFC_TCP_RST);
    tcp(2, true, NFC_TCP_SYN);
    expect_none();
    nfc_cache_flush(&m);
    expect_flow(40000, 3, NFC_EXPIRE_IDLE);
    finish();
}
END_TEST

/* ---- the key (spec §3) ---- */

START_TEST(vlan_and_tunnel_ids_are_part_of_the_key)
{
    start(120000, 1800000, 0, false, false);
    struct nfc_packet p = make(0, 1, 1000, 2, 53, UDP, 100);
    p.vlan_id = 10;
    inject(p);
    p.time_ms = 1;
    p.vlan_id = 20;
    inject(p);
    p.time_ms = 2;
    p.vlan_id = 10;
    p.tunnel_id = NFC_TUNNEL_GTP;
    inject(p);
    p.time_ms = 3;
    p.tunnel_id = 0;
    inject(p); /* back on vlan 10, no tunnel: the first flow */
    nfc_cache_flush(&m);
    struct nfc_flow *f = expect_flow(1000, 2, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.vlan_id, 10);
    ck_assert_uint_eq(f->view.tunnel_id, 0);
    f = expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.vlan_id, 20);
    f = expect_flow(1000, 1, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.tunnel_id, NFC_TUNNEL_GTP);
    expect_none();
    finish();
}
END_TEST

START_TEST(protocol_is_part_of_the_key)
{
    start(120000, 1800000, 0, false, false);
    inject(make(0, 1, 1000, 2, 53, UDP, 100));
    inject(make(1, 1, 1000, 2, 53, TCP, 100));
    nfc_cache_flush(&m);
    ck_assert_uint_eq(expect_flow(1000, 1, NFC_EXPIRE_IDLE)->view.protocol, UDP);
    ck_assert_uint_eq(expect_flow(1000, 1, NFC_EXPIRE_IDLE)->view.protocol, TCP);
    finish();
}
END_TEST

START_TEST(ipv4_and_ipv6_with_the_same_16_bytes_share_a_flow)
{
    start(120000, 1800000, 0, false, false);
    inject(make(0, 1, 1000, 2, 53, UDP, 100)); /* 10.0.0.1 -> 10.0.0.2 */
    /* IPv6 a00:1:: -> a00:2:: is 0a 00 00 01 / 0a 00 00 02 followed by 12 zero bytes: the same key (spec §3) */
    struct nfc_packet v6 = make(1, 2, 53, 1, 1000, UDP, 120);
    v6.ip_version = 6;
    inject(v6);
    nfc_cache_flush(&m);
    struct nfc_flow *f = expect_flow(1000, 2, NFC_EXPIRE_IDLE);
    ck_assert_uint_eq(f->view.ip_version, 4); /* the first packet's */
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].packets, 1);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].bytes, 120);
    expect_none();
    finish();
}
END_TEST

static Suite *meter_suite(void)
{
    Suite *s = suite_create("meter");
    TCase *expiry = tcase_create("expiry");
    tcase_add_test(expiry, packet_exactly_idle_timeout_later_splits_the_flow);
    tcase_add_test(expiry, packet_one_ms_before_idle_timeout_joins_the_flow);
    tcase_add_test(expiry, active_timeout_splits_a_busy_flow);
    tcase_add_test(expiry, idle_wins_over_active_when_both_hold);
    tcase_add_test(expiry, idle_timeout_zero_makes_every_packet_a_flow);
    tcase_add_test(expiry, active_timeout_zero_closes_with_id_1);
    suite_add_tcase(s, expiry);

    TCase *clock = tcase_create("clock");
    tcase_add_test(clock, packet_older_than_the_clock_gets_the_clocks_time);
    tcase_add_test(clock, clamped_time_can_expire_a_flow);
    suite_add_tcase(s, clock);

    TCase *direction = tcase_create("direction");
    tcase_add_test(direction, first_packet_defines_src_and_replies_count_as_dst2src);
    tcase_add_test(direction, server_speaking_first_becomes_src);
    tcase_add_test(direction, flow_without_replies_has_zero_dst2src);
    suite_add_tcase(s, direction);

    TCase *scan = tcase_create("scan");
    tcase_add_test(scan, scan_runs_at_most_once_per_10_ms);
    tcase_add_test(scan, scan_expires_oldest_inserted_first);
    tcase_add_test(scan, scan_stops_at_the_first_busy_flow);
    tcase_add_test(scan, scan_expires_at_most_1000_flows);
    suite_add_tcase(s, scan);

    TCase *order = tcase_create("order");
    tcase_add_test(order, own_idle_expiry_comes_before_scan_expiries);
    tcase_add_test(order, tcp_end_on_a_packet_comes_before_scan_expiries);
    tcase_add_test(order, flush_emits_in_insertion_order);
    tcase_add_test(order, queued_flows_come_out_before_the_flush);
    suite_add_tcase(s, order);

    TCase *capacity = tcase_create("capacity");
    tcase_add_test(capacity, full_table_evicts_the_least_recently_seen);
    tcase_add_test(capacity, capacity_loses_no_flow);
    suite_add_tcase(s, capacity);

    TCase *tcp_end = tcase_create("tcp_end");
    tcase_add_test(tcp_end, rst_ends_the_flow_including_the_rst);
    tcase_add_test(tcp_end, fin_from_both_sides_then_ack_ends_the_flow);
    tcase_add_test(tcp_end, fin_from_one_side_does_not_end_the_flow);
    tcase_add_test(tcp_end, first_packet_rst_is_a_flow_of_its_own);
    tcase_add_test(tcp_end, rst_is_ignored_without_expire_on_tcp_end);
    suite_add_tcase(s, tcp_end);

    TCase *key = tcase_create("key");
    tcase_add_test(key, vlan_and_tunnel_ids_are_part_of_the_key);
    tcase_add_test(key, protocol_is_part_of_the_key);
    tcase_add_test(key, ipv4_and_ipv6_with_the_same_16_bytes_share_a_flow);
    suite_add_tcase(s, key);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(meter_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
