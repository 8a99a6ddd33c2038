/* nfc_value_text (a value as Python's str() writes it) for every type, nfc_file_output_chunk_path's names, a
 * lazy nfc_writer_open_path (no flow, no file), and nfc_writer_reopen (log rotation, the next chunk). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfcore/nfcore.h>

static void assert_text(const struct nfc_value *v, const char *expected)
{
    char buf[256];
    size_t len = nfc_value_text(v, buf, sizeof buf);
    ck_assert_str_eq(buf, expected);
    ck_assert_uint_eq(len, strlen(expected));
}

START_TEST(numbers)
{
    assert_text(&(struct nfc_value){.type = NFC_TYPE_INT, .as.i = -42}, "-42");
    assert_text(&(struct nfc_value){.type = NFC_TYPE_UINT, .as.u = UINT64_MAX}, "18446744073709551615");
    /* Python's repr(float) */
    assert_text(&(struct nfc_value){.type = NFC_TYPE_FLOAT, .as.f = 440.0}, "440.0");
    assert_text(&(struct nfc_value){.type = NFC_TYPE_FLOAT, .as.f = 310.57142857142856}, "310.57142857142856");
    assert_text(&(struct nfc_value){.type = NFC_TYPE_FLOAT, .as.f = 1.5e-05}, "1.5e-05");
}
END_TEST

START_TEST(strings_and_lists)
{
    /* a string as it is: no quotes, no escapes (str(), not repr()) */
    assert_text(&(struct nfc_value){.type = NFC_TYPE_STRING, .as.str = {"it's \"TLS\"\tx", 12}}, "it's \"TLS\"\tx");
    static const int32_t ints[] = {1, -1, 1460};
    assert_text(&(struct nfc_value){.type = NFC_TYPE_INT_LIST, .as.list = {ints, 3, 4}}, "[1, -1, 1460]");
    assert_text(&(struct nfc_value){.type = NFC_TYPE_INT_LIST, .as.list = {ints, 0, 4}}, "[]");
    struct nfc_string items[] = {{.text = "a", .len = 1}, {.text = "b's", .len = 3}};
    assert_text(&(struct nfc_value){.type = NFC_TYPE_STRING_LIST, .as.strings = {items, 2}}, "['a', \"b's\"]");
}
END_TEST

START_TEST(addresses)
{
    static const uint8_t v4[16] = {192, 168, 1, 10};
    static const uint8_t v6[16] = {0xfe, 0x80, [15] = 0x0a};
    static const uint8_t mac[6] = {0x00, 0x1b, 0x21, 0xab, 0xcd, 0xef};
    assert_text(&(struct nfc_value){.type = NFC_TYPE_IP, .as.ip = {v4, 4}}, "192.168.1.10");
    assert_text(&(struct nfc_value){.type = NFC_TYPE_IP, .as.ip = {v6, 6}}, "fe80::a");
    assert_text(&(struct nfc_value){.type = NFC_TYPE_MAC, .as.mac = {mac, 6}}, "00:1b:21:ab:cd:ef");
    assert_text(&(struct nfc_value){.type = NFC_TYPE_MAC, .as.mac = {mac, 3}}, "00:1b:21");
}
END_TEST

START_TEST(missing_and_truncated)
{
    assert_text(&(struct nfc_value){.type = NFC_TYPE_UINT, .missing = true, .as.u = 7}, "");
    assert_text(&(struct nfc_value){.type = NFC_TYPE_STRING, .missing = true}, "");
    /* as snprintf: the whole length, the text cut to the buffer */
    char buf[4];
    struct nfc_value v = {.type = NFC_TYPE_UINT, .as.u = 123456};
    ck_assert_uint_eq(nfc_value_text(&v, buf, sizeof buf), 6);
    ck_assert_str_eq(buf, "123");
    v = (struct nfc_value){.type = NFC_TYPE_STRING, .as.str = {"abcdef", 6}};
    ck_assert_uint_eq(nfc_value_text(&v, buf, sizeof buf), 6);
    ck_assert_str_eq(buf, "abc");
    ck_assert_uint_eq(nfc_value_text(&v, NULL, 0), 6);
}
END_TEST

static void assert_chunk(const char *path, enum nfc_format format, uint64_t k, const char *expected)
{
    char buf[128];
    ck_assert_uint_eq(nfc_file_output_chunk_path(path, format, k, buf, sizeof buf), strlen(expected));
    ck_assert_str_eq(buf, expected);
}

START_TEST(chunk_names)
{
    assert_chunk("flows.csv", NFC_FORMAT_CSV, 0, "flows.0.csv");
    assert_chunk("out/csv/flows.csv", NFC_FORMAT_CSV, 12, "out/csv/flows.12.csv"); /* only the final .csv */
    assert_chunk("a.csv.bak", NFC_FORMAT_CSV, 3, "a.csv.bak.3.csv");
    assert_chunk("flows", NFC_FORMAT_CSV, 1, "flows.1.csv");
    assert_chunk("flows.jsonl", NFC_FORMAT_JSONL, 2, "flows.2.jsonl");
    assert_chunk("flows", NFC_FORMAT_JSONL, 2, "flows.2.jsonl");
    char buf[8];
    ck_assert_uint_eq(nfc_file_output_chunk_path("flows.csv", NFC_FORMAT_CSV, 7, buf, sizeof buf), 11);
    ck_assert_str_eq(buf, "flows.7");
}
END_TEST

/* A classic pcap with no packet. */
static void write_empty_pcap(const char *path)
{
    static const uint32_t header[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(header, sizeof header, 1, f), 1);
    fclose(f);
}

static struct nfc_engine *open_engine(const char *pcap)
{
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = (const char *[]){pcap};
    cfg.n_files = 1;
    cfg.n_dissections = 0;
    char err[256];
    struct nfc_engine *eng = nfc_engine_open(&cfg, err, sizeof err);
    ck_assert_msg(eng != NULL, "%s", err);
    return eng;
}

START_TEST(lazy_writer)
{
    char dir[] = "/tmp/nfc_value_text_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char pcap[64], csv[64], chunk[64];
    snprintf(pcap, sizeof pcap, "%s/empty.pcap", dir);
    snprintf(csv, sizeof csv, "%s/flows.csv", dir);
    snprintf(chunk, sizeof chunk, "%s/flows.0.csv", dir);
    write_empty_pcap(pcap);
    char err[256];
    for (uint64_t per_file = 0; per_file < 2; per_file++) {
        struct nfc_engine *eng = open_engine(pcap);
        struct nfc_file_output output = {
            .path = csv, .format = NFC_FORMAT_CSV, .flows_per_file = per_file, .lazy = true};
        struct nfc_writer *w = nfc_writer_open_path(eng, &output, err, sizeof err);
        ck_assert_msg(w != NULL, "%s", err);
        const struct nfc_flow *flow;
        ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_END);
        ck_assert_uint_eq(nfc_writer_flows(w), 0);
        ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), 0);
        nfc_engine_close(eng);
        ck_assert_int_ne(access(csv, F_OK), 0);
        ck_assert_int_ne(access(chunk, F_OK), 0);
    }
    /* not lazy: the header alone */
    struct nfc_engine *eng = open_engine(pcap);
    struct nfc_file_output output = {.path = csv, .format = NFC_FORMAT_CSV};
    struct nfc_writer *w = nfc_writer_open_path(eng, &output, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), 0);
    nfc_engine_close(eng);
    FILE *f = fopen(csv, "r");
    ck_assert_ptr_nonnull(f);
    char line[64];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert(strncmp(line, "id,expiration_id,src_ip,", 24) == 0);
    fclose(f);
    unlink(csv);
    unlink(pcap);
    rmdir(dir);
}
END_TEST

START_TEST(unwritable_path)
{
    char err[256];
    struct nfc_engine *eng = open_engine(NFC_SAMPLE_PCAP);
    struct nfc_file_output output = {.path = "/nonexistent/flows.csv", .format = NFC_FORMAT_CSV};
    ck_assert_ptr_null(nfc_writer_open_path(eng, &output, err, sizeof err));
    ck_assert_str_eq(err, "/nonexistent/flows.csv: No such file or directory");
    /* lazy: the failure comes with the first flow, on the writer, and again at close */
    output.lazy = true;
    output.flows_per_file = 1;
    struct nfc_writer *w = nfc_writer_open_path(eng, &output, err, sizeof err);
    ck_assert_ptr_nonnull(w);
    const struct nfc_flow *flow;
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
    ck_assert_int_eq(nfc_writer_write(w, flow), -1);
    ck_assert_str_eq(nfc_writer_error(w), "/nonexistent/flows.0.csv: No such file or directory");
    ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/flows.0.csv: No such file or directory");
    nfc_engine_close(eng);
}
END_TEST

/* The lines of `path` and how many of them are the CSV header; -1 lines when there is no such file. */
static int count_lines(const char *path, int *headers)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[8192];
    int n = 0;
    *headers = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        *headers += strncmp(line, "id,expiration_id,", 17) == 0;
    }
    fclose(f);
    return n;
}

static void assert_lines(const char *path, int lines, int headers)
{
    int h = 0;
    ck_assert_int_eq(count_lines(path, &h), lines);
    ck_assert_int_eq(h, headers);
}

/* Writes `n` more flows of the engine; fails when it has fewer. */
static void write_flows(struct nfc_engine *eng, struct nfc_writer *w, int n)
{
    const struct nfc_flow *flow;
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
        ck_assert_int_eq(nfc_writer_write(w, flow), 0);
    }
}

/* logrotate's way: the file renamed away, then reopened: a new file with its own header; reopened in place, the
 * file keeps its rows and gets no second header. sample.pcap has 8 flows. */
START_TEST(reopen_rotates)
{
    char dir[] = "/tmp/nfc_reopen_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char csv[64], old[64];
    snprintf(csv, sizeof csv, "%s/flows.csv", dir);
    snprintf(old, sizeof old, "%s/flows.csv.1", dir);
    char err[256];
    struct nfc_engine *eng = open_engine(NFC_SAMPLE_PCAP);
    struct nfc_file_output output = {.path = csv, .format = NFC_FORMAT_CSV};
    struct nfc_writer *w = nfc_writer_open_path(eng, &output, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    write_flows(eng, w, 3);
    ck_assert_int_eq(rename(csv, old), 0);
    ck_assert_int_eq(nfc_writer_reopen(w), 0);
    assert_lines(old, 1 + 3, 1);
    assert_lines(csv, 1, 1); /* the new file holds its header at once */
    write_flows(eng, w, 3);
    ck_assert_int_eq(nfc_writer_reopen(w), 0);
    write_flows(eng, w, 2);
    const struct nfc_flow *flow;
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_END);
    ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), 0);
    nfc_engine_close(eng);
    assert_lines(old, 1 + 3, 1);
    assert_lines(csv, 1 + 5, 1);
    unlink(csv);
    unlink(old);
    rmdir(dir);
}
END_TEST

/* With chunks, a reopen starts the next chunk, which then holds its full count. */
START_TEST(reopen_starts_the_next_chunk)
{
    char dir[] = "/tmp/nfc_reopen_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char csv[64], chunk[3][64];
    snprintf(csv, sizeof csv, "%s/flows.csv", dir);
    for (int k = 0; k < 3; k++)
        snprintf(chunk[k], sizeof chunk[k], "%s/flows.%d.csv", dir, k);
    char err[256];
    struct nfc_engine *eng = open_engine(NFC_SAMPLE_PCAP);
    struct nfc_file_output output = {.path = csv, .format = NFC_FORMAT_CSV, .flows_per_file = 3};
    struct nfc_writer *w = nfc_writer_open_path(eng, &output, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    write_flows(eng, w, 2);
    ck_assert_int_eq(nfc_writer_reopen(w), 0);
    write_flows(eng, w, 6);
    ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), 0);
    nfc_engine_close(eng);
    assert_lines(chunk[0], 1 + 2, 1);
    assert_lines(chunk[1], 1 + 3, 1);
    assert_lines(chunk[2], 1 + 3, 1);
    for (int k = 0; k < 3; k++)
        unlink(chunk[k]);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("value_text");
    TCase *text = tcase_create("text");
    tcase_add_test(text, numbers);
    tcase_add_test(text, strings_and_lists);
    tcase_add_test(text, addresses);
    tcase_add_test(text, missing_and_truncated);
    suite_add_tcase(s, text);
    TCase *files = tcase_create("files");
    tcase_add_test(files, chunk_names);
    tcase_add_test(files, lazy_writer);
    tcase_add_test(files, unwritable_path);
    tcase_add_test(files, reopen_rotates);
    tcase_add_test(files, reopen_starts_the_next_chunk);
    suite_add_tcase(s, files);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
