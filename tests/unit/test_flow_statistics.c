/* Per-scope statistics (spec §4.3): packet sizes with the sample stddev (divisor n-1), inter-arrival times with
 * divisor n-2, TCP flag counters. Every expected value is worked out by hand in the comment beside it. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "flow/statistics.h"

#define EPS 1e-9

/* Feeds a scope packet by packet: sizes[i] arrives at times[i]; returns the scope's packet count. */
static uint64_t feed(struct nfc_scope_statistics *s, const uint16_t *sizes, const uint64_t *times, const uint8_t *flags,
                     size_t n)
{
    memset(s, 0, sizeof *s);
    nfc_statistics_first(s, sizes[0], flags ? flags[0] : 0);
    for (size_t i = 1; i < n; i++)
        nfc_statistics_add(s, i + 1, sizes[i], times[i] - times[i - 1], flags ? flags[i] : 0);
    return n;
}

/* ---- packet sizes ---- */

START_TEST(ps_single_packet_has_zero_stddev)
{
    struct nfc_scope_statistics s;
    uint64_t n = feed(&s, (uint16_t[]){1470}, (uint64_t[]){0}, NULL, 1);
    ck_assert_uint_eq(s.ps_min, 1470);
    ck_assert_uint_eq(s.ps_max, 1470);
    ck_assert_double_eq(s.ps_mean, 1470.0);
    ck_assert_double_eq(nfc_statistics_ps_stddev(&s, n), 0.0); /* n <= 1: no sample */
}
END_TEST

START_TEST(ps_two_packets_40_and_1470)
{
    struct nfc_scope_statistics s;
    uint64_t n = feed(&s, (uint16_t[]){40, 1470}, (uint64_t[]){0, 10}, NULL, 2);
    ck_assert_uint_eq(s.ps_min, 40);
    ck_assert_uint_eq(s.ps_max, 1470);
    ck_assert_double_eq(s.ps_mean, 755.0); /* (40 + 1470) / 2 */
    /* M2 = 715^2 + 715^2 = 1022450; sample stddev = sqrt(1022450 / 1) = 1430 / sqrt(2) = 1011.16269... */
    ck_assert_double_eq_tol(s.ps_m2, 1022450.0, EPS);
    ck_assert_double_eq_tol(nfc_statistics_ps_stddev(&s, n), 1011.1626970967, 1e-9);
}
END_TEST

START_TEST(ps_three_packets_use_n_minus_1)
{
    struct nfc_scope_statistics s;
    uint64_t n = feed(&s, (uint16_t[]){40, 60, 80}, (uint64_t[]){0, 1, 2}, NULL, 3);
    ck_assert_double_eq(s.ps_mean, 60.0);
    /* squared deviations 400 + 0 + 400 = 800; 800 / (3 - 1) = 400; sqrt = 20 (population would be 16.33) */
    ck_assert_double_eq_tol(nfc_statistics_ps_stddev(&s, n), 20.0, EPS);
}
END_TEST

START_TEST(ps_min_and_max_follow_later_packets)
{
    struct nfc_scope_statistics s;
    uint64_t n = feed(&s, (uint16_t[]){100, 60, 1500, 90}, (uint64_t[]){0, 1, 2, 3}, NULL, 4);
    ck_assert_uint_eq(s.ps_min, 60);
    ck_assert_uint_eq(s.ps_max, 1500);
    ck_assert_double_eq_tol(s.ps_mean, 437.5, EPS); /* 1750 / 4 (the running mean rounds in the last bit) */
    /* deviations -337.5, -377.5, 1062.5, -347.5; squares 113906.25 + 142506.25 + 1128906.25 + 120756.25 = 1506075;
     * / (4 - 1) = 502025; sqrt = 708.53722... */
    ck_assert_double_eq_tol(nfc_statistics_ps_stddev(&s, n), 708.5372255569922, 1e-9);
}
END_TEST

/* ---- inter-arrival times ---- */

START_TEST(piat_one_packet_is_all_zero)
{
    struct nfc_scope_statistics s;
    uint64_t n = feed(&s, (uint16_t[]){40}, (uint64_t[]){1000}, NULL, 1);
    ck_assert_uint_eq(s.piat_min, 0);
    ck_assert_uint_eq(s.piat_max, 0);
    ck_assert_double_eq(s.piat_mean, 0.0);
    ck_assert_double_eq(nfc_statistics_piat_stddev(&s, n), 0.0);
}
END_TEST

START_TEST(piat_two_packets_is_the_gap)
{
    struct nfc_scope_statistics s;
    uint64_t n = feed(&s, (uint16_t[]){40, 40}, (uint64_t[]){1000, 1025}, NULL, 2);
    ck_assert_uint_eq(s.piat_min, 25);
    ck_assert_uint_eq(s.piat_max, 25);
    ck_assert_double_eq(s.piat_mean, 25.0);
    ck_assert_double_eq(nfc_statistics_piat_stddev(&s, n), 0.0); /* one gap: no sample */
}
END_TEST

START_TEST(piat_three_packets_use_n_minus_2)
{
    struct nfc_scope_statistics s;
    /* gaps 4 and 6 */
    uint64_t n = feed(&s, (uint16_t[]){40, 40, 40}, (uint64_t[]){0, 4, 10}, NULL, 3);
    ck_assert_uint_eq(s.piat_min, 4);
    ck_assert_uint_eq(s.piat_max, 6);
    ck_assert_double_eq(s.piat_mean, 5.0);
    /* M2 = 1 + 1 = 2 over 2 gaps; divisor n - 2 = 1 -> sqrt(2); the ps divisor n - 1 would give 1.0 */
    ck_assert_double_eq_tol(nfc_statistics_piat_stddev(&s, n), sqrt(2.0), EPS);
}
END_TEST

START_TEST(piat_four_packets)
{
    struct nfc_scope_statistics s;
    /* gaps 10, 20, 30: mean 20, M2 = 100 + 0 + 100 = 200, divisor 4 - 2 = 2 -> sqrt(100) = 10 */
    uint64_t n = feed(&s, (uint16_t[]){40, 40, 40, 40}, (uint64_t[]){0, 10, 30, 60}, NULL, 4);
    ck_assert_uint_eq(s.piat_min, 10);
    ck_assert_uint_eq(s.piat_max, 30);
    ck_assert_double_eq(s.piat_mean, 20.0);
    ck_assert_double_eq_tol(nfc_statistics_piat_stddev(&s, n), 10.0, EPS);
}
END_TEST

START_TEST(piat_min_can_be_zero)
{
    struct nfc_scope_statistics s;
    /* gaps 50, 0, 100: two packets with the same time give a 0 gap */
    feed(&s, (uint16_t[]){40, 40, 40, 40}, (uint64_t[]){0, 50, 50, 150}, NULL, 4);
    ck_assert_uint_eq(s.piat_min, 0);
    ck_assert_uint_eq(s.piat_max, 100);
    ck_assert_double_eq(s.piat_mean, 50.0);
}
END_TEST

START_TEST(empty_scope_reports_zeros)
{
    struct nfc_scope_statistics s;
    memset(&s, 0, sizeof s); /* a dst2src scope that never saw a packet */
    ck_assert_uint_eq(s.ps_min, 0);
    ck_assert_uint_eq(s.ps_max, 0);
    ck_assert_double_eq(s.ps_mean, 0.0);
    ck_assert_double_eq(nfc_statistics_ps_stddev(&s, 0), 0.0);
    ck_assert_double_eq(nfc_statistics_piat_stddev(&s, 0), 0.0);
    for (int i = 0; i < NFC_FLAG_COUNT; i++)
        ck_assert_uint_eq(s.flags[i], 0);
}
END_TEST

/* ---- TCP flags ---- */

START_TEST(flags_count_each_bit)
{
    struct nfc_scope_statistics s;
    const uint8_t flags[] = {
        NFC_TCP_SYN,
        NFC_TCP_SYN | NFC_TCP_ACK,
        NFC_TCP_ACK,
        NFC_TCP_PSH | NFC_TCP_ACK,
        NFC_TCP_FIN | NFC_TCP_ACK,
        NFC_TCP_RST,
        NFC_TCP_URG | NFC_TCP_ECE | NFC_TCP_CWR,
        0,
    };
    feed(&s, (uint16_t[]){40, 40, 40, 40, 40, 40, 40, 40}, (uint64_t[]){0, 1, 2, 3, 4, 5, 6, 7}, flags, 8);
    ck_assert_uint_eq(s.flags[NFC_FLAG_SYN], 2);
    ck_assert_uint_eq(s.flags[NFC_FLAG_ACK], 4);
    ck_assert_uint_eq(s.flags[NFC_FLAG_PSH], 1);
    ck_assert_uint_eq(s.flags[NFC_FLAG_FIN], 1);
    ck_assert_uint_eq(s.flags[NFC_FLAG_RST], 1);
    ck_assert_uint_eq(s.flags[NFC_FLAG_URG], 1);
    ck_assert_uint_eq(s.flags[NFC_FLAG_ECE], 1);
    ck_assert_uint_eq(s.flags[NFC_FLAG_CWR], 1);
}
END_TEST

/* ---- the google_ssl reference (spec §4.3 / §12), rebuilt by hand ----
 * The 28 packets of 172.31.3.224:42835 <-> 216.58.212.100:443 as (time ms, direction, IPv4 total length, TCP
 * flags), written out here so that the test needs no capture. Accounting mode 1 (ip_size). */
static const struct {
    uint64_t t;
    int dir;
    uint16_t ip_size;
    uint8_t flags;
} google_ssl[] = {
    {1434443394683, 0, 44, 0x02},   {1434443394717, 1, 44, 0x12},   {1434443394851, 0, 40, 0x10},
    {1434443394995, 0, 166, 0x18},  {1434443395030, 1, 40, 0x10},   {1434443395096, 1, 344, 0x18},
    {1434443395420, 0, 40, 0x10},   {1434443395420, 1, 1470, 0x10}, {1434443396415, 0, 40, 0x10},
    {1434443396415, 1, 1470, 0x10}, {1434443397410, 0, 40, 0x10},   {1434443397410, 1, 1470, 0x10},
    {1434443398327, 1, 1470, 0x10}, {1434443398595, 0, 354, 0x18},  {1434443399540, 1, 344, 0x18},
    {1434443399617, 0, 40, 0x10},   {1434443399880, 1, 87, 0x18},   {1434443399956, 0, 40, 0x10},
    {1434443400138, 0, 40, 0x10},   {1434443400218, 0, 40, 0x10},   {1434443400401, 0, 217, 0x18},
    {1434443400435, 1, 589, 0x18},  {1434443400911, 0, 40, 0x10},   {1434443401090, 0, 67, 0x18},
    {1434443401122, 1, 40, 0x11},   {1434443401277, 0, 40, 0x11},   {1434443401308, 1, 40, 0x10},
    {1434443401353, 0, 40, 0x10},
};

static void google_ssl_packet(struct nfc_packet *p, size_t i)
{
    static const uint8_t client[4] = {172, 31, 3, 224}, server[4] = {216, 58, 212, 100};
    memset(p, 0, sizeof *p);
    p->time_ms = google_ssl[i].t;
    p->protocol = 6;
    p->ip_version = 4;
    p->ip_size = google_ssl[i].ip_size;
    p->raw_size = (uint16_t)(google_ssl[i].ip_size + 14);
    p->tcp_flags = google_ssl[i].flags;
    bool from_client = google_ssl[i].dir == 0;
    memcpy(p->src_ip, from_client ? client : server, 4);
    memcpy(p->dst_ip, from_client ? server : client, 4);
    p->src_port = from_client ? 42835 : 443;
    p->dst_port = from_client ? 443 : 42835;
}

START_TEST(google_ssl_reference_values)
{
    struct nfc_flow_params params = {.accounting_mode = 1, .statistics = true};
    nfc_flow_params_layout(&params);
    size_t size = (params.record_size + 63) & ~(size_t)63; /* records are cache-line aligned */
    struct nfc_flow *f = aligned_alloc(_Alignof(struct nfc_flow), size);
    ck_assert_ptr_nonnull(f);
    /* A recycled record holds an earlier flow's bytes: identify and init must set or clear every field read. */
    memset(f, 0xAA, size);
    struct nfc_packet p;
    const size_t n = sizeof google_ssl / sizeof google_ssl[0];
    ck_assert_uint_eq(n, 28);
    google_ssl_packet(&p, 0);
    nfc_flow_identify(&params, f, &p, 0);
    nfc_flow_init(&params, f, &p);
    for (size_t i = 1; i < n; i++) {
        google_ssl_packet(&p, i);
        p.direction = (uint8_t)nfc_flow_direction(f, &p);
        nfc_flow_update(&params, f, &p);
    }

    /* counters (spec §12): 28 packets / 8696 bytes, src2dst 16 / 1288, dst2src 12 / 7408 */
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].packets, 28);
    ck_assert_uint_eq(f->view.scope[NFC_BIDIRECTIONAL].bytes, 8696);
    ck_assert_uint_eq(f->view.scope[NFC_SRC2DST].packets, 16);
    ck_assert_uint_eq(f->view.scope[NFC_SRC2DST].bytes, 1288);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].packets, 12);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].bytes, 7408);
    ck_assert_uint_eq(f->view.scope[NFC_DST2SRC].first_seen_ms, 1434443394717);

    const struct nfc_scope_statistics *st = nfc_flow_statistics_c(&params, f);
    const struct nfc_scope_statistics *bi = &st[NFC_BIDIRECTIONAL];
    /* spec §4.3 gives 3 decimals (truncated); the full values are the textbook sample stddevs of the list above */
    ck_assert_uint_eq(bi->ps_min, 40);
    ck_assert_uint_eq(bi->ps_max, 1470);
    ck_assert_double_eq_tol(bi->ps_mean, 310.5714285714286, EPS);                      /* 8696 / 28 */
    ck_assert_double_eq_tol(nfc_statistics_ps_stddev(bi, 28), 500.5461778801994, EPS); /* spec 500.546 */
    ck_assert_uint_eq(bi->piat_min, 0);
    ck_assert_uint_eq(bi->piat_max, 995);
    ck_assert_double_eq_tol(bi->piat_mean, 247.03703703703704, EPS);                      /* 6670 ms / 27 gaps */
    ck_assert_double_eq_tol(nfc_statistics_piat_stddev(bi, 28), 324.04599406227237, EPS); /* spec 324.045 */
    ck_assert_double_eq_tol(nfc_statistics_piat_stddev(&st[NFC_SRC2DST], 16), 397.6032959526127,
                            EPS);                                                                    /* spec 397.603 */
    ck_assert_double_eq_tol(nfc_statistics_ps_stddev(&st[NFC_DST2SRC], 12), 651.4524099458397, EPS); /* spec 651.452 */
    ck_assert_uint_eq(bi->flags[NFC_FLAG_SYN], 2);
    ck_assert_uint_eq(st[NFC_SRC2DST].flags[NFC_FLAG_SYN], 1);
    ck_assert_uint_eq(st[NFC_DST2SRC].flags[NFC_FLAG_SYN], 1);
    ck_assert_uint_eq(bi->flags[NFC_FLAG_ACK], 27);
    ck_assert_uint_eq(st[NFC_SRC2DST].flags[NFC_FLAG_ACK], 15);
    ck_assert_uint_eq(st[NFC_DST2SRC].flags[NFC_FLAG_ACK], 12);
    ck_assert_uint_eq(bi->flags[NFC_FLAG_PSH], 8);
    ck_assert_uint_eq(bi->flags[NFC_FLAG_FIN], 2);
    nfc_flow_release(&params, f);
    free(f);
}
END_TEST

static Suite *flow_stats_suite(void)
{
    Suite *s = suite_create("flow_stats");
    TCase *ps = tcase_create("packet_size");
    tcase_add_test(ps, ps_single_packet_has_zero_stddev);
    tcase_add_test(ps, ps_two_packets_40_and_1470);
    tcase_add_test(ps, ps_three_packets_use_n_minus_1);
    tcase_add_test(ps, ps_min_and_max_follow_later_packets);
    suite_add_tcase(s, ps);

    TCase *piat = tcase_create("piat");
    tcase_add_test(piat, piat_one_packet_is_all_zero);
    tcase_add_test(piat, piat_two_packets_is_the_gap);
    tcase_add_test(piat, piat_three_packets_use_n_minus_2);
    tcase_add_test(piat, piat_four_packets);
    tcase_add_test(piat, piat_min_can_be_zero);
    suite_add_tcase(s, piat);

    TCase *other = tcase_create("other");
    tcase_add_test(other, empty_scope_reports_zeros);
    tcase_add_test(other, flags_count_each_bit);
    tcase_add_test(other, google_ssl_reference_values);
    suite_add_tcase(s, other);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(flow_stats_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
