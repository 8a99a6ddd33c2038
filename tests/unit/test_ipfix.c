/* IPFIX export's URL parser and element table (export/ipfix): what each URL gives or why it is refused, which
 * element holds a column as the accounting mode and the column's type say (docs/IPFIX.md), and the templates sent
 * again over UDP. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "export/ipfix/elements.h"
#include "export/ipfix/ipfix.h"

START_TEST(urls_are_parsed)
{
    struct nfc_ipfix_url url;
    char err[256];
    ck_assert_int_eq(nfc_ipfix_url_parse("file:out/flows.ipfix", &url, err, sizeof err), 0);
    ck_assert_int_eq(url.transport, NFC_IPFIX_FILE);
    ck_assert_str_eq(url.path, "out/flows.ipfix");
    ck_assert_int_eq(nfc_ipfix_url_parse("udp://collector.example:4739", &url, err, sizeof err), 0);
    ck_assert_int_eq(url.transport, NFC_IPFIX_UDP);
    ck_assert_str_eq(url.path, "collector.example");
    ck_assert_str_eq(url.port, "4739");
    ck_assert_int_eq(nfc_ipfix_url_parse("udp://[2001:db8::1]:00080", &url, err, sizeof err), 0);
    ck_assert_str_eq(url.path, "2001:db8::1");
    ck_assert_str_eq(url.port, "80");
    ck_assert_int_eq(nfc_ipfix_url_parse("tcp://127.0.0.1:4739", &url, err, sizeof err), 0);
    ck_assert_int_eq(url.transport, NFC_IPFIX_TCP);
    ck_assert_str_eq(url.path, "127.0.0.1");
    ck_assert_str_eq(url.port, "4739");
}
END_TEST

static const struct {
    const char *url, *message;
} refused[] = {
    {"udp://h", "udp://h: expected HOST:PORT"},
    {"udp://a:b:1", "udp://a:b:1: expected HOST:PORT"},
    {"udp://[::1]", "udp://[::1]: expected [ADDRESS]:PORT"},
    {"udp://h:0", "udp://h:0: '0' is not a port (1..65535)"},
    {"udp://h:65536", "udp://h:65536: '65536' is not a port (1..65535)"},
    {"udp://:53", "udp://:53: no host"},
    {"tcp://h", "tcp://h: expected HOST:PORT"},
    {"file:", "file:: expected file:PATH"},
    {"h:4739", "h:4739: expected file:PATH, udp://HOST:PORT or tcp://HOST:PORT"},
};

/* --probe-id's observation domain: a number as it is, a name its FNV-1a hash (computed by hand). */
START_TEST(probe_ids_give_observation_domains)
{
    ck_assert_uint_eq(nfc_ipfix_domain_of("42"), 42);
    ck_assert_uint_eq(nfc_ipfix_domain_of("4294967295"), 4294967295u);
    ck_assert_uint_eq(nfc_ipfix_domain_of("probe-7"), 988652697u);
    ck_assert_uint_eq(nfc_ipfix_domain_of("4294967296"), 0xa5d2f78fu);
}
END_TEST

START_TEST(bad_urls_are_refused)
{
    struct nfc_ipfix_url url;
    char err[256];
    ck_assert_int_eq(nfc_ipfix_url_parse(refused[_i].url, &url, err, sizeof err), -1);
    ck_assert_str_eq(err, refused[_i].message);
}
END_TEST

/* The element that holds column `name` in the IPv4 template, or NULL when the column is left out. */
static const struct nfc_ipfix_field *field(const struct nfc_ipfix_layout *l, const struct nfc_column *columns,
                                           const char *name)
{
    for (size_t i = 0; i < l->n_fields; i++)
        if (strcmp(columns[l->fields[i].column].name, name) == 0)
            return &l->fields[i];
    return NULL;
}

static const struct nfc_column columns[] = {
    {.name = "id", .type = NFC_TYPE_UINT},
    {.name = "src_ip", .type = NFC_TYPE_STRING}, /* anonymised */
    {.name = "dst_ip", .type = NFC_TYPE_IP},
    {.name = "src2dst_packets", .type = NFC_TYPE_UINT},
    {.name = "src2dst_bytes", .type = NFC_TYPE_UINT},
    {.name = "dst2src_packets", .type = NFC_TYPE_UINT},
    {.name = "dst2src_bytes", .type = NFC_TYPE_UINT},
    {.name = "splt_ps", .type = NFC_TYPE_INT_LIST},
    {.name = "community_id", .type = NFC_TYPE_STRING},
    {.name = "udps.names", .type = NFC_TYPE_STRING_LIST},
    {.name = "udps.count", .type = NFC_TYPE_UINT},
};
enum { N_COLUMNS = sizeof columns / sizeof columns[0] };

/* Builds the table for one accounting mode; the enterprise elements are then in `model`. */
static void build(struct nfc_ipfix_layout *l, fbInfoModel_t *model, int accounting_mode)
{
    struct nfc_ipfix_options o = {.pen = 4242, .accounting_mode = accounting_mode};
    char err[256];
    ck_assert_msg(nfc_ipfix_layout_build(l, columns, N_COLUMNS, &o, model, err, sizeof err) == 0, "%s", err);
}

START_TEST(columns_take_their_elements)
{
    fbInfoModel_t *model = fbInfoModelAlloc();
    struct nfc_ipfix_layout l;
    build(&l, model, NFC_ACCOUNT_IP);
    ck_assert_str_eq(field(&l, columns, "id")->name, "flowId");
    ck_assert_str_eq(field(&l, columns, "dst_ip")->name, "destinationIPv4Address");
    ck_assert_str_eq(field(&l, columns, "dst_ip")->name_v6, "destinationIPv6Address");
    ck_assert_str_eq(field(&l, columns, "src2dst_bytes")->name, "octetDeltaCount");
    ck_assert_int_eq(field(&l, columns, "src2dst_bytes")->convert, NFC_IPFIX_CONVERT_IP_OCTETS);
    ck_assert_str_eq(columns[field(&l, columns, "dst2src_bytes")->packets_column].name, "dst2src_packets");
    ck_assert_str_eq(field(&l, columns, "dst2src_packets")->name, "reversePacketDeltaCount");
    /* An anonymised address is a string: its enterprise element, id 3 under the PEN. */
    const fbInfoElement_t *src_ip = fbInfoModelGetElementByName(model, field(&l, columns, "src_ip")->name);
    ck_assert_uint_eq(src_ip->ent, 4242);
    ck_assert_uint_eq(src_ip->num, 3);
    ck_assert_uint_eq(src_ip->type, FB_STRING);
    /* A list and its items; plugin columns from 1000 in column order. */
    const fbInfoElement_t *splt = fbInfoModelGetElementByName(model, "splt_ps");
    const fbInfoElement_t *item = fbInfoModelGetElementByName(model, "splt_ps_item");
    ck_assert_uint_eq(splt->num, 79);
    ck_assert_uint_eq(splt->type, FB_BASIC_LIST);
    ck_assert_uint_eq(item->num, 79 | 0x4000);
    ck_assert_uint_eq(item->type, FB_INT_32); /* SPLT's sizes in 4 bytes (reduced-size encoding) */
    ck_assert_uint_eq(item->len, 4);
    /* A core column that a run may leave out keeps its id: plugin columns number from 1000 all the same. */
    ck_assert_uint_eq(fbInfoModelGetElementByName(model, "community_id")->num, 90);
    /* A list of strings: a basicList of string items. */
    const fbInfoElement_t *names = fbInfoModelGetElementByName(model, "udps.names");
    const fbInfoElement_t *name = fbInfoModelGetElementByName(model, "udps.names_item");
    ck_assert_int_eq(field(&l, columns, "udps.names")->kind, NFC_IPFIX_STRINGS);
    ck_assert_uint_eq(names->num, 1000);
    ck_assert_uint_eq(names->type, FB_BASIC_LIST);
    ck_assert_uint_eq(name->num, 1000 | 0x4000);
    ck_assert_uint_eq(name->type, FB_STRING);
    ck_assert_uint_eq(name->len, FB_IE_VARLEN);
    ck_assert_uint_eq(fbInfoModelGetElementByName(model, "udps.count")->num, 1001);
    /* The reverse elements first in the templates. */
    ck_assert_str_eq(l.fields[0].name, "reversePacketDeltaCount");
    ck_assert_str_eq(l.fields[1].name, "reverseOctetDeltaCount");
    ck_assert_uint_eq(l.n_fields, N_COLUMNS);
    nfc_ipfix_layout_free(&l);
    fbInfoModelFree(model);
}
END_TEST

/* Mode 0 counts wire bytes (layer2OctetDeltaCount); modes 2 and 3 have no standard element. */
START_TEST(octets_follow_the_accounting_mode)
{
    static const char *const forward[] = {"layer2OctetDeltaCount", "octetDeltaCount", "src2dst_bytes", "src2dst_bytes"};
    fbInfoModel_t *model = fbInfoModelAlloc();
    struct nfc_ipfix_layout l;
    build(&l, model, _i);
    ck_assert_str_eq(field(&l, columns, "src2dst_bytes")->name, forward[_i]);
    ck_assert_int_eq(field(&l, columns, "src2dst_bytes")->convert,
                     _i == NFC_ACCOUNT_IP ? NFC_IPFIX_CONVERT_IP_OCTETS : NFC_IPFIX_CONVERT_NONE);
    nfc_ipfix_layout_free(&l);
    fbInfoModelFree(model);
}
END_TEST

/* A UDP socket on a free port of 127.0.0.1. */
static int collector(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* The messages received that hold a template set (set id 2). */
static unsigned template_messages(int fd)
{
    unsigned with_templates = 0;
    unsigned char m[65536];
    ssize_t n;
    while ((n = recv(fd, m, sizeof m, MSG_DONTWAIT)) > 0) {
        ck_assert_uint_eq((unsigned)(m[0] << 8 | m[1]), 10); /* IPFIX */
        for (size_t at = 16; at + 4 <= (size_t)n;) {
            unsigned set = (unsigned)(m[at] << 8 | m[at + 1]), len = (unsigned)(m[at + 2] << 8 | m[at + 3]);
            if (set == 2) {
                with_templates++;
                break;
            }
            ck_assert_uint_ge(len, 4);
            at += len;
        }
    }
    return with_templates;
}

/* Two flows sent 1.1 s apart: with a refresh of 1 s the templates go out again before the second; with 0, once. */
START_TEST(templates_are_sent_again_over_udp)
{
    unsigned port;
    int fd = collector(&port);
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = (const char *[]){NFC_SAMPLE_PCAP};
    cfg.n_files = 1;
    char err[256], url[64];
    struct nfc_engine *eng = nfc_engine_open(&cfg, err, sizeof err);
    ck_assert_msg(eng != NULL, "%s", err);
    struct nfc_ipfix_options o = {.pen = NFC_IPFIX_DEFAULT_PEN, .template_refresh_s = (uint32_t)_i};
    snprintf(url, sizeof url, "udp://127.0.0.1:%u", port);
    ck_assert_int_eq(nfc_ipfix_url_parse(url, &o.url, err, sizeof err), 0);
    struct nfc_ipfix *x = nfc_ipfix_open(eng, &o, err, sizeof err);
    ck_assert_msg(x != NULL, "%s", err);
    const struct nfc_flow *flow;
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
    ck_assert_int_eq(nfc_ipfix_put(x, flow), 0);
    nanosleep(&(struct timespec){.tv_sec = 1, .tv_nsec = 100000000}, NULL);
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
    ck_assert_int_eq(nfc_ipfix_put(x, flow), 0);
    struct nfc_ipfix_stats st;
    ck_assert_msg(nfc_ipfix_close(x, &st, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(st.sent, 2);
    nfc_engine_close(eng);
    ck_assert_uint_eq(template_messages(fd), _i ? 2 : 1);
    close(fd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ipfix");
    TCase *tc = tcase_create("ipfix");
    tcase_add_test(tc, urls_are_parsed);
    tcase_add_test(tc, probe_ids_give_observation_domains);
    tcase_add_loop_test(tc, bad_urls_are_refused, 0, (int)(sizeof refused / sizeof refused[0]));
    tcase_add_test(tc, columns_take_their_elements);
    tcase_add_loop_test(tc, octets_follow_the_accounting_mode, 0, 4);
    suite_add_tcase(s, tc);
    TCase *udp = tcase_create("udp");
    tcase_set_timeout(udp, 20);
    tcase_add_loop_test(udp, templates_are_sent_again_over_udp, 0, 2);
    suite_add_tcase(s, udp);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
