/* Community ID v1 against the specification's published test values (seeds 0 and 1; TCP, UDP, ICMP echo and
 * reply, ICMPv6 echo, a protocol without ports), each from both directions; and the engine's column on the build's
 * sample.pcap, which matches the function on each flow's own endpoints. */
#include <check.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "flow/community_id.h"

static const uint8_t v4a[16] = {1, 2, 3, 4}, v4b[16] = {5, 6, 7, 8};
static const uint8_t v6a[16] = {0xfe, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
                                0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d};
static const uint8_t v6b[16] = {0xfe, 0x80, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d};

static void check(const uint8_t *src, const uint8_t *dst, uint8_t version, uint8_t protocol, uint16_t sport,
                  uint16_t dport, uint16_t seed, const char *expected)
{
    bool icmp = protocol == 1 || protocol == 58;
    struct nfc_community_key key = {src,
                                    dst,
                                    version,
                                    protocol,
                                    icmp ? 0 : sport,
                                    icmp ? 0 : dport,
                                    icmp ? (uint8_t)sport : 0,
                                    icmp ? (uint8_t)dport : 0};
    char out[NFC_COMMUNITY_ID_LEN + 1] = "";
    nfc_community_id(seed, &key, out);
    ck_assert_str_eq(out, expected);
}

START_TEST(published_values)
{
    nfc_community_id_init();
    for (uint16_t seed = 0; seed <= 1; seed++) {
        const char *tcp = seed ? "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" : "1:wCb3OG7yAFWelaUydu0D+125CLM=";
        const char *udp = seed ? "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" : "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=";
        const char *icmp = seed ? "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" : "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=";
        const char *icmp6 = seed ? "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" : "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=";
        check(v4a, v4b, 4, 6, 1122, 3344, seed, tcp);
        check(v4b, v4a, 4, 6, 3344, 1122, seed, tcp);
        check(v4a, v4b, 4, 17, 1122, 3344, seed, udp);
        check(v4b, v4a, 4, 17, 3344, 1122, seed, udp);
        check(v4a, v4b, 4, 1, 8, 0, seed, icmp); /* echo */
        check(v4b, v4a, 4, 1, 0, 0, seed, icmp); /* its reply */
        check(v6a, v6b, 6, 58, 128, 0, seed, icmp6);
        check(v6b, v6a, 6, 58, 129, 0, seed, icmp6);
    }
    check(v4a, v4b, 4, 46, 0, 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768="); /* RSVP: no ports */
}
END_TEST

/* The column holds the Community ID of the flow's endpoints; sample.pcap's ICMP flow is an echo. */
START_TEST(engine_column)
{
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = (const char *[]){NFC_SAMPLE_PCAP};
    cfg.n_files = 1;
    cfg.community_id = true;
    char err[256];
    struct nfc_engine *eng = nfc_engine_open(&cfg, err, sizeof err);
    ck_assert_msg(eng != NULL, "%s", err);
    const struct nfc_column *columns;
    size_t n = nfc_engine_columns(eng, &columns), cid = n;
    for (size_t i = 0; i < n; i++)
        if (strcmp(columns[i].name, "community_id") == 0)
            cid = i;
    ck_assert_uint_lt(cid, n);
    ck_assert_str_eq(columns[cid - 1].name, "tunnel_id");
    const struct nfc_flow *flow;
    size_t flows = 0, icmp = 0;
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW) {
        struct nfc_value v[5];
        const size_t at[] = {2, 5, 6, 9, 10}; /* src_ip, src_port, dst_ip, dst_port, protocol */
        for (int i = 0; i < 5; i++)
            nfc_flow_value(eng, flow, at[i], &v[i]);
        struct nfc_community_key key = {v[0].as.ip.bytes,
                                        v[2].as.ip.bytes,
                                        v[0].as.ip.version,
                                        (uint8_t)v[4].as.u,
                                        (uint16_t)v[1].as.u,
                                        (uint16_t)v[3].as.u,
                                        8,
                                        0};
        icmp += key.protocol == 1;
        char expected[NFC_COMMUNITY_ID_LEN];
        nfc_community_id(0, &key, expected);
        struct nfc_value id;
        nfc_flow_value(eng, flow, cid, &id);
        ck_assert_int_eq(id.type, NFC_TYPE_STRING);
        ck_assert_uint_eq(id.as.str.len, NFC_COMMUNITY_ID_LEN);
        ck_assert(memcmp(id.as.str.ptr, expected, NFC_COMMUNITY_ID_LEN) == 0);
        flows++;
    }
    ck_assert_uint_eq(flows, 8);
    ck_assert_uint_eq(icmp, 1);
    nfc_engine_close(eng);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("community_id");
    TCase *tc = tcase_create("community_id");
    tcase_add_test(tc, published_values);
    tcase_add_test(tc, engine_column);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
