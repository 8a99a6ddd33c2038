/* The nfcore command line (cli/options.c, built from the engine's option table in core/config.c): every invalid
 * value of spec §1 a command line can express is refused with one line naming the option and its valid range;
 * defaults, --no- forms, repeated -r, --help and --version. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static struct nfc_cli_options opt;
static char *out_text; /* what the last parse wrote to `out` and `err` */
static char *err_text;

static void release(void)
{
    nfc_cli_options_free(&opt);
    free(out_text);
    free(err_text);
    out_text = err_text = NULL;
}

static void setup(void)
{
    memset(&opt, 0, sizeof opt);
}

/* argv ends with NULL; argv[0] is the program name. */
static enum nfc_cli_parse parse_argv(char **argv)
{
    release();
    int argc = 0;
    while (argv[argc])
        argc++;
    size_t out_len = 0, err_len = 0;
    FILE *out = open_memstream(&out_text, &out_len);
    FILE *err = open_memstream(&err_text, &err_len);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(err);
    enum nfc_cli_parse r = nfc_cli_parse(argc, argv, &opt, out, err);
    fclose(out);
    fclose(err);
    return r;
}

#define PARSE(...) parse_argv((char *[]){"nfcore", __VA_ARGS__, NULL})

/* The command line is refused with exactly this message. */
#define REFUSED(message, ...)                                  \
    do {                                                       \
        ck_assert_int_eq(PARSE(__VA_ARGS__), NFC_CLI_INVALID); \
        ck_assert_str_eq(err_text, message);                   \
        ck_assert_str_eq(out_text, "");                        \
    } while (0)

#define ACCEPTED(...)                                      \
    do {                                                   \
        ck_assert_int_eq(PARSE(__VA_ARGS__), NFC_CLI_RUN); \
        ck_assert_str_eq(err_text, "");                    \
    } while (0)

/* UINT64_MAX / 1000: seconds that still fit in ms (spec §1: value x 1000 <= 2^64 - 1). */
#define MAX_SECONDS "18446744073709551"

/* ---- invalid values ---- */

START_TEST(negative_values)
{
    REFUSED("nfcore: --idle-timeout: -1 is negative (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap", "--idle-timeout",
            "-1");
    REFUSED("nfcore: --active-timeout: -1 is negative (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--active-timeout", "-1");
    REFUSED("nfcore: --max-nflows: -1 is negative (valid: 0..18446744073709551615)\n", "-r", "a.pcap", "--max-nflows",
            "-1");
    REFUSED("nfcore: --accounting-mode: -1 is negative (valid: 0..3)\n", "-r", "a.pcap", "--accounting-mode", "-1");
    REFUSED("nfcore: --n-dissections: -1 is negative (valid: 0..255)\n", "-r", "a.pcap", "--n-dissections", "-1");
    REFUSED("nfcore: --splt-analysis: -1 is negative (valid: 0..65535)\n", "-r", "a.pcap", "--splt-analysis", "-1");
    REFUSED("nfcore: --socket-buffer-size: -1 is negative (valid: 0..2147483647)\n", "-i", "eth0",
            "--socket-buffer-size", "-1");
    REFUSED("nfcore: --capacity: -1 is negative (valid: 0..18446744073709551615)\n", "-r", "a.pcap", "--capacity",
            "-1");
}
END_TEST

START_TEST(negative_snapshot_length)
{
    REFUSED("nfcore: --snapshot-length: -1 is negative (valid: 1..2147483647)\n", "-i", "eth0", "--snapshot-length",
            "-1");
}
END_TEST

START_TEST(values_out_of_range)
{
    REFUSED("nfcore: --n-dissections: 256 is out of range (valid: 0..255)\n", "-r", "a.pcap", "--n-dissections", "256");
    REFUSED("nfcore: --splt-analysis: 70000 is out of range (valid: 0..65535)\n", "-r", "a.pcap", "--splt-analysis",
            "70000");
    REFUSED("nfcore: --accounting-mode: 5 is out of range (valid: 0..3)\n", "-r", "a.pcap", "--accounting-mode", "5");
    REFUSED("nfcore: --socket-buffer-size: 2147483648 is out of range (valid: 0..2147483647)\n", "-i", "eth0",
            "--socket-buffer-size", "2147483648"); /* 2^31 */
    REFUSED("nfcore: --snapshot-length: 0 is out of range (valid: 1..2147483647)\n", "-i", "eth0", "--snapshot-length",
            "0");
    REFUSED("nfcore: --idle-timeout: 18446744073709552 is out of range (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--idle-timeout", "18446744073709552"); /* one more second would overflow the ms */
    REFUSED("nfcore: --active-timeout: 18446744073709552 is out of range (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--active-timeout", "18446744073709552");
    REFUSED("nfcore: --max-nflows: 18446744073709551616 is out of range (valid: 0..18446744073709551615)\n", "-r",
            "a.pcap", "--max-nflows", "18446744073709551616"); /* 2^64 */
}
END_TEST

START_TEST(words_where_numbers_are_due)
{
    REFUSED("nfcore: --idle-timeout: 'idle' is not a number (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--idle-timeout", "idle");
    REFUSED("nfcore: --active-timeout: 'active' is not a number (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--active-timeout", "active");
    REFUSED("nfcore: --accounting-mode: 'ip' is not a number (valid: 0..3)\n", "-r", "a.pcap", "--accounting-mode",
            "ip");
    REFUSED("nfcore: --n-dissections: 'yes' is not a number (valid: 0..255)\n", "-r", "a.pcap", "--n-dissections",
            "yes");
    REFUSED("nfcore: --splt-analysis: 'yes' is not a number (valid: 0..65535)\n", "-r", "a.pcap", "--splt-analysis",
            "yes");
    REFUSED("nfcore: --max-nflows: 'yes' is not a number (valid: 0..18446744073709551615)\n", "-r", "a.pcap",
            "--max-nflows", "yes");
    REFUSED("nfcore: --snapshot-length: 'largest' is not a number (valid: 1..2147483647)\n", "-i", "eth0",
            "--snapshot-length", "largest");
    REFUSED("nfcore: --socket-buffer-size: 'largest' is not a number (valid: 0..2147483647)\n", "-i", "eth0",
            "--socket-buffer-size", "largest");
    REFUSED("nfcore: --idle-timeout: '12s' is not a number (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--idle-timeout", "12s");
    REFUSED("nfcore: --idle-timeout: '' is not a number (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--idle-timeout=");
    /* one integer grammar with plugin arguments: a sign, then digits; no blanks */
    REFUSED("nfcore: --idle-timeout: ' 5' is not a number (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--idle-timeout", " 5");
    REFUSED("nfcore: --idle-timeout: '5 ' is not a number (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--idle-timeout", "5 ");
    REFUSED("nfcore: --idle-timeout: '- 5' is not a number (valid: 0.." MAX_SECONDS ")\n", "-r", "a.pcap",
            "--idle-timeout", "- 5");
    ACCEPTED("-r", "a.pcap", "--idle-timeout", "+5", "--active-timeout", "-0");
    ck_assert_uint_eq(opt.cfg.idle_timeout, 5);
    ck_assert_uint_eq(opt.cfg.active_timeout, 0);
}
END_TEST

START_TEST(range_ends_are_accepted)
{
    ACCEPTED("-r", "a.pcap", "--n-dissections", "255", "--splt-analysis", "65535", "--accounting-mode", "3",
             "--idle-timeout", MAX_SECONDS, "--active-timeout", "0", "--max-nflows", "18446744073709551615");
    ck_assert_int_eq(opt.cfg.n_dissections, 255);
    ck_assert_int_eq(opt.cfg.splt_analysis, 65535);
    ck_assert_int_eq(opt.cfg.accounting_mode, 3);
    ck_assert_uint_eq(opt.cfg.idle_timeout, UINT64_MAX / 1000);
    ck_assert_uint_eq(opt.cfg.active_timeout, 0);
    ck_assert_uint_eq(opt.cfg.max_nflows, UINT64_MAX);

    ACCEPTED("-i", "eth0", "--snapshot-length", "1", "--socket-buffer-size", "2147483647");
    ck_assert_int_eq(opt.cfg.snapshot_length, 1);
    ck_assert_int_eq(opt.cfg.socket_buffer_size, INT32_MAX);

    ACCEPTED("-r", "a.pcap", "--n-dissections", "0", "--idle-timeout", "0", "--accounting-mode", "0");
    ck_assert_int_eq(opt.cfg.n_dissections, 0);
    ck_assert_uint_eq(opt.cfg.idle_timeout, 0);
}
END_TEST

/* ---- malformed command lines ---- */

START_TEST(unknown_option)
{
    REFUSED("nfcore: unknown option --colour (see nfcore --help)\n", "-r", "a.pcap", "--colour");
    REFUSED("nfcore: unknown option -x (see nfcore --help)\n", "-r", "a.pcap", "-x");
    REFUSED("nfcore: unknown option --no-read (see nfcore --help)\n", "-r", "a.pcap",
            "--no-read"); /* -r has no --no- */
}
END_TEST

START_TEST(missing_value)
{
    REFUSED("nfcore: -r needs a value (see nfcore --help)\n", "-r");
    REFUSED("nfcore: --idle-timeout needs a value (see nfcore --help)\n", "-r", "a.pcap", "--idle-timeout");
    REFUSED("nfcore: --format needs a value (see nfcore --help)\n", "-r", "a.pcap", "--format");
}
END_TEST

START_TEST(unknown_format)
{
    REFUSED("nfcore: --format: unknown format 'xml' (valid: csv, jsonl)\n", "-r", "a.pcap", "--format", "xml");
    REFUSED("nfcore: --format: unknown format 'CSV' (valid: csv, jsonl)\n", "-r", "a.pcap", "-f", "CSV");
    ACCEPTED("-r", "a.pcap", "-f", "jsonl");
    ck_assert_int_eq(opt.format, NFC_FORMAT_JSONL);
    ACCEPTED("-r", "a.pcap", "--format=csv");
    ck_assert_int_eq(opt.format, NFC_FORMAT_CSV);
}
END_TEST

START_TEST(live_only_options_refused_with_files)
{
    REFUSED("nfcore: --snapshot-length applies to live capture (-i) only\n", "-r", "a.pcap", "--snapshot-length",
            "100");
    REFUSED("nfcore: --socket-buffer-size applies to live capture (-i) only\n", "-r", "a.pcap", "--socket-buffer-size",
            "0"); /* even its default value */
    REFUSED("nfcore: --promiscuous-mode applies to live capture (-i) only\n", "-r", "a.pcap", "--promiscuous-mode");
    REFUSED("nfcore: --promiscuous-mode applies to live capture (-i) only\n", "-r", "a.pcap", "--no-promiscuous-mode");
}
END_TEST

START_TEST(live_only_options_accepted_live)
{
    ACCEPTED("-i", "eth0", "--snapshot-length", "100", "--socket-buffer-size", "65536", "--no-promiscuous-mode");
    ck_assert_str_eq(opt.cfg.interface, "eth0");
    ck_assert_uint_eq(opt.cfg.n_files, 0);
    ck_assert_int_eq(opt.cfg.snapshot_length, 100);
    ck_assert_int_eq(opt.cfg.socket_buffer_size, 65536);
    ck_assert(!opt.cfg.promiscuous_mode);
}
END_TEST

START_TEST(source_is_required_and_single_kind)
{
    ck_assert_int_eq(parse_argv((char *[]){"nfcore", NULL}), NFC_CLI_INVALID);
    ck_assert_str_eq(err_text, "nfcore: no source: give a capture file or an interface\n");
    REFUSED("nfcore: no source: give a capture file or an interface\n", "--idle-timeout", "5");
    REFUSED("nfcore: give capture files or an interface, not both\n", "-r", "a.pcap", "-i", "eth0");
    REFUSED("nfcore: unexpected argument 'a.pcap' (capture files are given with -r)\n", "a.pcap");
}
END_TEST

/* ---- what the options set ---- */

START_TEST(defaults)
{
    ACCEPTED("-r", "a.pcap");
    const struct nfc_config *c = &opt.cfg;
    ck_assert_uint_eq(c->n_files, 1);
    ck_assert_str_eq(c->files[0], "a.pcap");
    ck_assert_ptr_null(c->interface);
    ck_assert_ptr_null(c->bpf_filter);
    ck_assert(c->decode_tunnels);
    ck_assert(c->promiscuous_mode);
    ck_assert_int_eq(c->snapshot_length, 1536);
    ck_assert_int_eq(c->socket_buffer_size, 0);
    ck_assert_uint_eq(c->idle_timeout, 120);
    ck_assert_uint_eq(c->active_timeout, 1800);
    ck_assert_int_eq(c->accounting_mode, 0);
    ck_assert_int_eq(c->n_dissections, 20);
    ck_assert(!c->statistical_analysis);
    ck_assert_int_eq(c->splt_analysis, 0);
    ck_assert_uint_eq(c->max_nflows, 0);
    ck_assert(!c->expire_on_tcp_end);
    ck_assert_uint_eq(c->capacity, 0);
    ck_assert_ptr_null(opt.output);
    ck_assert_int_eq(opt.format, NFC_FORMAT_CSV);
    ck_assert(!opt.verbose);
}
END_TEST

START_TEST(values_are_stored)
{
    ACCEPTED("-r", "a.pcap", "--idle-timeout", "30", "--active-timeout=60", "--accounting-mode", "2", "--n-dissections",
             "0", "--splt-analysis", "5", "--max-nflows", "7", "--capacity", "1000", "--bpf-filter", "udp port 53",
             "-o", "flows.csv", "-v", "--statistical-analysis", "--expire-on-tcp-end");
    const struct nfc_config *c = &opt.cfg;
    ck_assert_uint_eq(c->idle_timeout, 30);
    ck_assert_uint_eq(c->active_timeout, 60);
    ck_assert_int_eq(c->accounting_mode, 2);
    ck_assert_int_eq(c->n_dissections, 0);
    ck_assert_int_eq(c->splt_analysis, 5);
    ck_assert_uint_eq(c->max_nflows, 7);
    ck_assert_uint_eq(c->capacity, 1000);
    ck_assert_str_eq(c->bpf_filter, "udp port 53");
    ck_assert_str_eq(opt.output, "flows.csv");
    ck_assert(opt.verbose);
    ck_assert(c->statistical_analysis);
    ck_assert(c->expire_on_tcp_end);
}
END_TEST

START_TEST(no_forms_clear_flags_and_the_last_one_wins)
{
    ACCEPTED("-r", "a.pcap", "--no-decode-tunnels");
    ck_assert(!opt.cfg.decode_tunnels);
    ACCEPTED("-r", "a.pcap", "--no-decode-tunnels", "--decode-tunnels");
    ck_assert(opt.cfg.decode_tunnels);
    ACCEPTED("-r", "a.pcap", "--statistical-analysis", "--no-statistical-analysis", "--expire-on-tcp-end",
             "--no-expire-on-tcp-end");
    ck_assert(!opt.cfg.statistical_analysis);
    ck_assert(!opt.cfg.expire_on_tcp_end);
    ACCEPTED("-i", "eth0", "--no-promiscuous-mode", "--promiscuous-mode");
    ck_assert(opt.cfg.promiscuous_mode);
}
END_TEST

START_TEST(repeated_read_accumulates_files)
{
    ACCEPTED("-r", "a.pcap", "--read", "b.pcapng", "-rc.pcap", "--read=d.pcap");
    ck_assert_uint_eq(opt.cfg.n_files, 4);
    ck_assert_ptr_eq(opt.cfg.files, opt.files);
    ck_assert_str_eq(opt.cfg.files[0], "a.pcap");
    ck_assert_str_eq(opt.cfg.files[1], "b.pcapng");
    ck_assert_str_eq(opt.cfg.files[2], "c.pcap");
    ck_assert_str_eq(opt.cfg.files[3], "d.pcap");
}
END_TEST

/* ---- --help and --version ---- */

START_TEST(help)
{
    ck_assert_int_eq(PARSE("--help"), NFC_CLI_DONE);
    ck_assert_str_eq(err_text, "");
    const char *usage = "usage: nfcore (-r FILE [-r FILE ...] | -i IFACE) [options]\n";
    ck_assert_int_eq(strncmp(out_text, usage, strlen(usage)), 0);
    ck_assert_ptr_nonnull(strstr(out_text, "--[no-]decode-tunnels"));
    ck_assert_ptr_nonnull(strstr(out_text, "expire a flow idle this long (default 120)\n"));
    ck_assert_ptr_nonnull(strstr(out_text, "bytes captured per packet (default 1536) [live only]\n"));

    ck_assert_int_eq(PARSE("-h"), NFC_CLI_DONE);
    ck_assert_int_eq(strncmp(out_text, usage, strlen(usage)), 0);
    /* answered as soon as it is met, even before a source or after a valid option */
    ck_assert_int_eq(PARSE("--idle-timeout", "5", "--help"), NFC_CLI_DONE);
}
END_TEST

START_TEST(version)
{
    ck_assert_int_eq(PARSE("--version"), NFC_CLI_DONE);
    ck_assert_str_eq(err_text, "");
    ck_assert_int_eq(strncmp(out_text, "nfcore " NFC_VERSION "\nnDPI ", strlen("nfcore " NFC_VERSION "\nnDPI ")), 0);
    ck_assert_ptr_nonnull(strstr(out_text, "libpcap"));
    ck_assert_int_eq(PARSE("-V"), NFC_CLI_DONE);
    ck_assert_int_eq(strncmp(out_text, "nfcore " NFC_VERSION "\n", strlen("nfcore " NFC_VERSION "\n")), 0);
}
END_TEST

/* ---- several parses in one process (getopt state is reset by nfc_cli_parse) ---- */

START_TEST(several_parses_in_one_process)
{
    REFUSED("nfcore: --idle-timeout: 'idle' is not a number (valid: 0.." MAX_SECONDS ")\n", "-v", "-r", "a.pcap",
            "--idle-timeout", "idle");
    ACCEPTED("-r", "b.pcap", "--idle-timeout", "7");
    ck_assert_uint_eq(opt.cfg.n_files, 1); /* nothing left over from the first parse */
    ck_assert_str_eq(opt.cfg.files[0], "b.pcap");
    ck_assert_uint_eq(opt.cfg.idle_timeout, 7);
    ck_assert(!opt.verbose);
    ck_assert_int_eq(PARSE("--version"), NFC_CLI_DONE);
    REFUSED("nfcore: unknown option --bogus (see nfcore --help)\n", "-r", "a.pcap", "--bogus", "--idle-timeout", "9");
    ACCEPTED("-i", "eth0", "-f", "jsonl");
    ck_assert_str_eq(opt.cfg.interface, "eth0");
    ck_assert_uint_eq(opt.cfg.n_files, 0);
    ck_assert_uint_eq(opt.cfg.idle_timeout, 120);
    ck_assert_int_eq(opt.format, NFC_FORMAT_JSONL);
    ACCEPTED("-vr", "c.pcap"); /* a short-option cluster parsed to its end */
    ck_assert(opt.verbose);
    ck_assert_str_eq(opt.cfg.files[0], "c.pcap");
}
END_TEST

/* A parse that returns in the middle of the cluster "-hv" must not leave the 'v' pending for the next parse. */
START_TEST(parse_after_a_cluster_left_midway)
{
    ck_assert_int_eq(PARSE("-hv"), NFC_CLI_DONE);
    ACCEPTED("-r", "a.pcap");
    ck_assert(!opt.verbose);
    ck_assert_uint_eq(opt.cfg.n_files, 1);
}
END_TEST

/* An unknown short option is named even when it is not the last of its cluster. */
START_TEST(unknown_option_inside_a_cluster)
{
    REFUSED("nfcore: unknown option -x (see nfcore --help)\n", "-xv", "-r", "a.pcap");
}
END_TEST

/* A flag given a value is a known option used wrongly, not an unknown one. */
START_TEST(flag_given_a_value)
{
    ck_assert_int_eq(PARSE("-i", "eth0", "--promiscuous-mode=yes"), NFC_CLI_INVALID);
    ck_assert_ptr_null(strstr(err_text, "unknown option"));
    ck_assert_ptr_nonnull(strstr(err_text, "--promiscuous-mode"));
}
END_TEST

/* ---- the engine's option table, which the command line is built from ---- */

START_TEST(engine_option_table)
{
    const struct nfc_option *table;
    size_t n = nfc_options(&table);
    ck_assert_uint_gt(n, 0);
    const struct nfc_option *o = nfc_option_find("n-dissections");
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->kind, NFC_OPTION_INT);
    ck_assert_uint_eq(o->max, 255);
    ck_assert_ptr_null(nfc_option_find("read")); /* the command's own */

    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    char err[256];
    ck_assert_int_eq(nfc_option_set(&cfg, o, "256", err, sizeof err), -1);
    ck_assert_str_eq(err, "n-dissections: 256 is out of range (valid: 0..255)");
    ck_assert_int_eq(cfg.n_dissections, 20);
    ck_assert_int_eq(nfc_option_set(&cfg, o, "7", err, sizeof err), 0);
    ck_assert_int_eq(cfg.n_dissections, 7);
    o = nfc_option_find("decode-tunnels");
    ck_assert_int_eq(nfc_option_set(&cfg, o, "false", err, sizeof err), 0);
    ck_assert(!cfg.decode_tunnels);
    ck_assert_int_eq(nfc_option_set(&cfg, o, "yes", err, sizeof err), -1);
    ck_assert_str_eq(err, "decode-tunnels: 'yes' is neither true nor false");

    /* nfc_config_validate reads the same ranges */
    cfg.files = (const char *[]){"a.pcap"};
    cfg.n_files = 1;
    ck_assert_int_eq(nfc_config_validate(&cfg, err, sizeof err), 0);
    cfg.splt_analysis = 65536;
    ck_assert_int_eq(nfc_config_validate(&cfg, err, sizeof err), -1);
    ck_assert_str_eq(err, "splt-analysis must be in 0..65535");
    cfg.splt_analysis = 0;
    cfg.snapshot_length = -1;
    ck_assert_int_eq(nfc_config_validate(&cfg, err, sizeof err), -1);
    ck_assert_str_eq(err, "snapshot-length must be in 1..2147483647");
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli_options");
    TCase *invalid = tcase_create("invalid_values");
    tcase_add_checked_fixture(invalid, setup, release);
    tcase_add_test(invalid, negative_values);
    tcase_add_test(invalid, negative_snapshot_length);
    tcase_add_test(invalid, values_out_of_range);
    tcase_add_test(invalid, words_where_numbers_are_due);
    tcase_add_test(invalid, range_ends_are_accepted);
    suite_add_tcase(s, invalid);

    TCase *malformed = tcase_create("malformed");
    tcase_add_checked_fixture(malformed, setup, release);
    tcase_add_test(malformed, unknown_option);
    tcase_add_test(malformed, missing_value);
    tcase_add_test(malformed, unknown_format);
    tcase_add_test(malformed, live_only_options_refused_with_files);
    tcase_add_test(malformed, live_only_options_accepted_live);
    tcase_add_test(malformed, source_is_required_and_single_kind);
    tcase_add_test(malformed, parse_after_a_cluster_left_midway);
    tcase_add_test(malformed, unknown_option_inside_a_cluster);
    tcase_add_test(malformed, flag_given_a_value);
    suite_add_tcase(s, malformed);

    TCase *set = tcase_create("settings");
    tcase_add_checked_fixture(set, setup, release);
    tcase_add_test(set, defaults);
    tcase_add_test(set, values_are_stored);
    tcase_add_test(set, no_forms_clear_flags_and_the_last_one_wins);
    tcase_add_test(set, repeated_read_accumulates_files);
    tcase_add_test(set, help);
    tcase_add_test(set, version);
    tcase_add_test(set, several_parses_in_one_process);
    tcase_add_test(set, engine_option_table);
    suite_add_tcase(s, set);

    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cli_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
