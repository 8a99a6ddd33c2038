/* IPFIX export's URL parser and element table (export/ipfix): what each URL gives or why it is refused, and which
 * element holds a column as the accounting mode and the column's type say (docs/IPFIX.md). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

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
    {"tcp://h:4739", "tcp://h:4739: TCP export is not supported yet (use udp:// or file:)"},
    {"file:", "file:: expected file:PATH"},
    {"h:4739", "h:4739: expected file:PATH or udp://HOST:PORT"},
};

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
    /* A list and its items; plugin columns from 1000 in column order; a list of strings left out. */
    const fbInfoElement_t *splt = fbInfoModelGetElementByName(model, "splt_ps");
    const fbInfoElement_t *item = fbInfoModelGetElementByName(model, "splt_ps_item");
    ck_assert_uint_eq(splt->num, 79);
    ck_assert_uint_eq(splt->type, FB_BASIC_LIST);
    ck_assert_uint_eq(item->num, 79 | 0x4000);
    ck_assert_uint_eq(item->type, FB_INT_64);
    ck_assert_ptr_null(field(&l, columns, "udps.names"));
    ck_assert_uint_eq(fbInfoModelGetElementByName(model, "udps.count")->num, 1001);
    /* The reverse elements first in the templates. */
    ck_assert_str_eq(l.fields[0].name, "reversePacketDeltaCount");
    ck_assert_str_eq(l.fields[1].name, "reverseOctetDeltaCount");
    ck_assert_uint_eq(l.n_fields, N_COLUMNS - 1);
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

int main(void)
{
    Suite *s = suite_create("ipfix");
    TCase *tc = tcase_create("ipfix");
    tcase_add_test(tc, urls_are_parsed);
    tcase_add_loop_test(tc, bad_urls_are_refused, 0, (int)(sizeof refused / sizeof refused[0]));
    tcase_add_test(tc, columns_take_their_elements);
    tcase_add_loop_test(tc, octets_follow_the_accounting_mode, 0, 4);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
