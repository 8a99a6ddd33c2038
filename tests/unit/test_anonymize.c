/* Anonymisation through the public API: key files (nfc_anonymize_key_read), the configuration copied at open, the
 * columns' new type and values (nfc_engine_columns, nfc_flow_value), the refusals; on the build's sample.pcap. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfcore/nfcore.h>

static char key_path[] = "/tmp/nfc_anonymize_key_XXXXXX";

static void write_key_file(const char *text)
{
    int fd = mkstemp(key_path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void remove_key_file(void)
{
    unlink(key_path);
    strcpy(key_path + strlen(key_path) - 6, "XXXXXX");
}

#define HEX64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_HEX HEX64 "202122232425262728292A2B2C2D2E2F303132333435363738393a3b3c3d3e3f"

START_TEST(key_files)
{
    static const char *const good[] = {KEY_HEX, KEY_HEX "\n", KEY_HEX "\r\n"};
    for (size_t i = 0; i < 3; i++) {
        write_key_file(good[i]);
        uint8_t key[NFC_ANONYMIZE_KEY_BYTES];
        char err[256] = "";
        ck_assert_msg(nfc_anonymize_key_read(key_path, key, err, sizeof err) == 0, "%s", err);
        for (unsigned b = 0; b < NFC_ANONYMIZE_KEY_BYTES; b++)
            ck_assert_uint_eq(key[b], b); /* upper and lower case alike */
        remove_key_file();
    }
    static const char *const bad[] = {
        HEX64, KEY_HEX "\n\n", KEY_HEX "00", HEX64 "g02122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
        "",    KEY_HEX " "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_key_file(bad[i]);
        uint8_t key[NFC_ANONYMIZE_KEY_BYTES];
        char err[256], expected[256];
        ck_assert_int_eq(nfc_anonymize_key_read(key_path, key, err, sizeof err), -1);
        snprintf(expected, sizeof expected, "%s: a key is 128 hex digits (64 bytes), optionally followed by a newline",
                 key_path);
        ck_assert_str_eq(err, expected);
        remove_key_file();
    }
    uint8_t key[NFC_ANONYMIZE_KEY_BYTES];
    char err[256];
    ck_assert_int_eq(nfc_anonymize_key_read("/nonexistent/key", key, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/key: No such file or directory");
}
END_TEST

static struct nfc_engine *open_engine(const char *const *anonymize, size_t n, const uint8_t *key, char *err)
{
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = (const char *[]){NFC_SAMPLE_PCAP};
    cfg.n_files = 1;
    cfg.anonymize = anonymize;
    cfg.n_anonymize = n;
    cfg.anonymize_key = key;
    return nfc_engine_open(&cfg, err, 256);
}

static size_t column(const struct nfc_engine *eng, const char *name)
{
    const struct nfc_column *columns;
    size_t n = nfc_engine_columns(eng, &columns);
    for (size_t i = 0; i < n; i++)
        if (strcmp(columns[i].name, name) == 0)
            return i;
    ck_abort_msg("no column %s", name);
    return 0;
}

static void assert_digest(const struct nfc_value *v, const char *expected)
{
    ck_assert(!v->missing);
    ck_assert_int_eq(v->type, NFC_TYPE_STRING);
    ck_assert_uint_eq(v->as.str.len, strlen(expected));
    ck_assert(memcmp(v->as.str.ptr, expected, v->as.str.len) == 0);
}

START_TEST(digests_through_the_api)
{
    uint8_t key[NFC_ANONYMIZE_KEY_BYTES];
    for (unsigned b = 0; b < sizeof key; b++)
        key[b] = (uint8_t)b;
    /* the caller's names and key may go once the engine is open */
    char *names[2] = {strdup("src_ip"), strdup("dst_port")};
    uint8_t *key_copy = malloc(sizeof key);
    memcpy(key_copy, key, sizeof key);
    char err[256];
    struct nfc_engine *eng = open_engine((const char *const *)names, 2, key_copy, err);
    ck_assert_msg(eng != NULL, "%s", err);
    free(names[0]);
    free(names[1]);
    free(key_copy);

    const struct nfc_column *columns;
    nfc_engine_columns(eng, &columns);
    const struct nfc_column *src_ip = &columns[column(eng, "src_ip")];
    ck_assert_int_eq(src_ip->type, NFC_TYPE_STRING);
    ck_assert_uint_eq(src_ip->ipfix_id, 0);
    ck_assert_int_eq(columns[column(eng, "dst_ip")].type, NFC_TYPE_IP);

    const struct nfc_flow *flow;
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
    struct nfc_value v;
    nfc_flow_value(eng, flow, column(eng, "src_ip"), &v);
    /* python3 -c "import hashlib; print(hashlib.blake2b(b'192.0.2.10', key=bytes(range(64)),
     * digest_size=64).hexdigest())", and the same of b'53' */
    assert_digest(&v, "f485ab87c02962e64cf3f440cabf71f18d866654f50332f6bb7fc773dc602bdf"
                      "576636065f03ef17ff03da7a325d50002a5567a1e3d1771ec2f7285449c5a4c9");
    nfc_flow_value(eng, flow, column(eng, "dst_port"), &v);
    assert_digest(&v, "4a1d17c7ed696fe7277ce07669c3c2a7725ccdf06818d5e5c45807ec7fbe267e"
                      "0e5255b1f13d51741c86bb4f14f7047e61f63b35b168e4f573065a386e770126");
    /* the other columns as they were */
    nfc_flow_value(eng, flow, column(eng, "src_port"), &v);
    ck_assert_int_eq(v.type, NFC_TYPE_UINT);
    ck_assert(!v.missing);
    nfc_engine_close(eng);
}
END_TEST

START_TEST(refusals)
{
    char err[256];
    ck_assert_ptr_null(open_engine((const char *[]){"src_ip", "x"}, 2, NULL, err));
    ck_assert_str_eq(err, "anonymize: no column 'x'");
    ck_assert_ptr_null(open_engine((const char *[]){"id"}, 1, NULL, err));
    ck_assert_str_eq(err, "anonymize: the column 'id' cannot be anonymised");
    ck_assert_ptr_null(open_engine(NULL, 1, NULL, err));
    ck_assert_str_eq(err, "anonymize: a column name is missing");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("anonymize");
    TCase *tc = tcase_create("anonymize");
    tcase_add_test(tc, key_files);
    tcase_add_test(tc, digests_through_the_api);
    tcase_add_test(tc, refusals);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
