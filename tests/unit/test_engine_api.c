/* The public API's contract (nfcore.h): errors with a message, the configuration copied at open, flows retained
 * beyond nfc_engine_next and nfc_engine_close, and the run counters. The capture is the build's sample.pcap
 * (tools/make_sample_pcap, NFC_SAMPLE_PCAP), labelled by nDPI; the built-in splt.so adds list columns, so a
 * retained flow holds both nDPI labels and plugin memory. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "write_all.h"

enum { MAX_FLOWS = 256 };

static char *output;

static void free_output(void)
{
    free(output);
    output = NULL;
}

#define SPLT_PLUGIN "splt.so:sequence_length=5"
#define FILTER "udp or tcp"

static struct nfc_engine *open_config(const struct nfc_config *cfg)
{
    char err[256] = "";
    struct nfc_engine *eng = nfc_engine_open(cfg, err, sizeof err);
    ck_assert_msg(eng != NULL, "nfc_engine_open: %s", err);
    return eng;
}

static void sample_config(struct nfc_config *cfg, unsigned n_meters, bool with_plugin)
{
    static const char *const files[] = {NFC_SAMPLE_PCAP};
    static const char *const plugins[] = {SPLT_PLUGIN};
    nfc_config_defaults(cfg);
    cfg->files = files;
    cfg->n_files = 1;
    cfg->plugins = with_plugin ? plugins : NULL;
    cfg->n_plugins = with_plugin;
    cfg->n_meters = n_meters;
}

static struct nfc_engine *open_sample(unsigned n_meters, bool with_plugin)
{
    struct nfc_config cfg;
    sample_config(&cfg, n_meters, with_plugin);
    return open_config(&cfg);
}

static void assert_same_output(const char *got, const char *expected)
{
    ck_assert_msg(strcmp(got, expected) == 0, "outputs differ:\n%.300s\n---\n%.300s", got, expected);
}

/* Every flow of the engine as CSV, written as each comes. */
static char *export_all(struct nfc_engine *eng)
{
    char *text = NULL;
    ck_assert_uint_gt(write_all(eng, NFC_FORMAT_CSV, &text), 3); /* a comparison of empty outputs would prove nothing */
    return text;
}

/* ---- errors ---- */

START_TEST(writer_refuses_an_unknown_format)
{
    struct nfc_engine *eng = open_sample(1, false);
    char err[256] = "";
    ck_assert_ptr_null(nfc_writer_open(eng, (enum nfc_format)7, stdout, err, sizeof err));
    ck_assert_str_eq(err, "unknown output format 7");
    nfc_engine_close(eng);
}
END_TEST

START_TEST(writer_reports_a_failed_header_write)
{
    struct nfc_engine *eng = open_sample(1, false);
    FILE *out = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(out);
    setvbuf(out, NULL, _IONBF, 0);
    char err[256] = "";
    ck_assert_ptr_null(nfc_writer_open(eng, NFC_FORMAT_CSV, out, err, sizeof err));
    ck_assert_str_eq(err, "write failed: No space left on device");
    fclose(out);
    nfc_engine_close(eng);
}
END_TEST

/* A buffered write fails at the flush: the writer keeps the first message, and close gives it. */
START_TEST(writer_reports_a_failed_write)
{
    struct nfc_engine *eng = open_sample(1, false);
    FILE *out = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(out);
    char buffer[64];
    setvbuf(out, buffer, _IOFBF, sizeof buffer);
    char err[256] = "";
    struct nfc_writer *w = nfc_writer_open(eng, NFC_FORMAT_JSONL, out, err, sizeof err);
    ck_assert_msg(w != NULL, "nfc_writer_open: %s", err);
    ck_assert_str_eq(nfc_writer_error(w), "");
    const struct nfc_flow *flow;
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
    ck_assert_int_eq(nfc_writer_write(w, flow), -1);
    ck_assert_str_eq(nfc_writer_error(w), "write failed: No space left on device");
    /* nothing more goes out after a failure: a later row would follow a partial one */
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
    ck_assert_int_eq(nfc_writer_write(w, flow), -1);
    ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), -1);
    ck_assert_str_eq(err, "write failed: No space left on device");
    fclose(out);
    nfc_engine_close(eng);
}
END_TEST

START_TEST(config_refuses_an_unknown_accounting_mode)
{
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = (const char *[]){NFC_SAMPLE_PCAP};
    cfg.n_files = 1;
    cfg.accounting_mode = 4;
    char err[256] = "";
    ck_assert_int_eq(nfc_config_validate(&cfg, err, sizeof err), -1);
    ck_assert_str_eq(err, "accounting-mode must be in 0..3");
    err[0] = '\0';
    ck_assert_ptr_null(nfc_engine_open(&cfg, err, sizeof err));
    ck_assert_str_eq(err, "accounting-mode must be in 0..3");
}
END_TEST

/* ---- ownership ---- */

/* The configuration's arrays and strings are freed (and scribbled over first) right after open: the run reads the
 * engine's copies, which ASan would catch otherwise, and yields what a configuration kept alive yields. Two files,
 * so that the second is opened (name and filter read) in the middle of the run. */
START_TEST(config_strings_may_go_after_open)
{
    struct nfc_config kept_cfg;
    sample_config(&kept_cfg, (unsigned)_i, true);
    kept_cfg.files = (const char *[]){NFC_SAMPLE_PCAP, NFC_SAMPLE_PCAP};
    kept_cfg.n_files = 2;
    kept_cfg.bpf_filter = FILTER;
    struct nfc_engine *kept = open_config(&kept_cfg);
    char *expected = export_all(kept);
    nfc_engine_close(kept);

    char **files = calloc(2, sizeof *files);
    char **plugins = calloc(1, sizeof *plugins);
    ck_assert(files && plugins);
    files[0] = strdup(NFC_SAMPLE_PCAP);
    files[1] = strdup(NFC_SAMPLE_PCAP);
    plugins[0] = strdup(SPLT_PLUGIN);
    char *filter = strdup(FILTER);
    ck_assert(files[0] && files[1] && plugins[0] && filter);
    struct nfc_config *cfg = malloc(sizeof *cfg);
    ck_assert_ptr_nonnull(cfg);
    nfc_config_defaults(cfg);
    cfg->files = (const char *const *)files;
    cfg->n_files = 2;
    cfg->plugins = (const char *const *)plugins;
    cfg->n_plugins = 1;
    cfg->bpf_filter = filter;
    cfg->n_meters = (unsigned)_i;
    struct nfc_engine *eng = open_config(cfg);
    for (size_t i = 0; i < 2; i++) {
        memset(files[i], 'x', strlen(files[i]));
        free(files[i]);
    }
    memset(plugins[0], 'x', strlen(plugins[0]));
    memset(filter, 'x', strlen(filter));
    free(plugins[0]);
    free(filter);
    free(files);
    free(plugins);
    free(cfg);

    output = export_all(eng);
    nfc_engine_close(eng);
    assert_same_output(output, expected);
    free(expected);
}
END_TEST

/* ---- flow lifetime ---- */

START_TEST(retain_refuses_any_other_flow)
{
    struct nfc_engine *eng = open_sample(1, false);
    const struct nfc_flow *first, *second;
    ck_assert_int_eq(nfc_engine_next(eng, &first), NFC_NEXT_FLOW);
    ck_assert_int_eq(nfc_engine_retain(eng, first), 0);
    ck_assert_int_eq(nfc_engine_retain(eng, first), -1);
    ck_assert_str_eq(nfc_engine_error(eng), "cannot retain a flow other than the one nfc_engine_next returned last");
    ck_assert_int_eq(nfc_engine_next(eng, &second), NFC_NEXT_FLOW);
    ck_assert_int_eq(nfc_engine_next(eng, &second), NFC_NEXT_FLOW);
    nfc_engine_release(eng, first);
    nfc_engine_close(eng);
}
END_TEST

/* Every flow retained, none read until later: the first half after the run's last nfc_engine_next, the rest after
 * nfc_engine_close. Written out, they are what a run writing each flow as it comes writes. Released in an order
 * of their own; the last release frees the engine (ASan: nothing leaks, nothing is read after it is freed). */
START_TEST(retained_flows_outlive_next_and_close)
{
    struct nfc_engine *reference = open_sample((unsigned)_i, true);
    char *expected = export_all(reference);
    nfc_engine_close(reference);

    struct nfc_engine *eng = open_sample((unsigned)_i, true);
    const struct nfc_flow *flows[MAX_FLOWS];
    size_t n = 0;
    const struct nfc_flow *flow;
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW) {
        ck_assert_uint_lt(n, MAX_FLOWS);
        ck_assert_int_eq(nfc_engine_retain(eng, flow), 0);
        flows[n++] = flow;
    }
    ck_assert_uint_gt(n, 3);

    char err[256] = "";
    size_t len;
    FILE *out = open_memstream(&output, &len);
    ck_assert_ptr_nonnull(out);
    struct nfc_writer *w = nfc_writer_open(eng, NFC_FORMAT_CSV, out, err, sizeof err);
    ck_assert_msg(w != NULL, "nfc_writer_open: %s", err);
    for (size_t i = 0; i < n / 2; i++)
        ck_assert_int_eq(nfc_writer_write(w, flows[i]), 0);
    nfc_engine_close(eng);
    for (size_t i = n / 2; i < n; i++)
        ck_assert_int_eq(nfc_writer_write(w, flows[i]), 0);
    ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), 0);
    ck_assert_int_eq(fclose(out), 0);
    assert_same_output(output, expected);
    free(expected);

    for (size_t i = 1; i < n; i += 2)
        nfc_engine_release(eng, flows[i]);
    for (size_t i = 0; i < n; i += 2)
        nfc_engine_release(eng, flows[i]);
}
END_TEST

/* Flows retained and released while the run goes on come back to the engine's pool. */
START_TEST(released_flows_are_reused)
{
    struct nfc_engine *eng = open_sample(1, true);
    const struct nfc_flow *flow, *held = NULL;
    size_t n = 0;
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW) {
        if (held)
            nfc_engine_release(eng, held);
        ck_assert_int_eq(nfc_engine_retain(eng, flow), 0);
        held = flow;
        n++;
    }
    ck_assert_uint_gt(n, 3);
    nfc_engine_release(eng, held);
    nfc_engine_close(eng);
}
END_TEST

/* ---- counters ---- */

START_TEST(stats_report_dropped_packets)
{
    struct nfc_engine *eng = open_sample(1, false);
    free(export_all(eng));
    struct nfc_stats st;
    memset(&st, 0xff, sizeof st);
    nfc_engine_stats(eng, &st);
    ck_assert_uint_gt(st.packets, 0);
    ck_assert_uint_gt(st.flows, 3);
    ck_assert_uint_eq(st.dropped, 0); /* memory did not run out */
    nfc_engine_close(eng);
}
END_TEST

/* Column 0, "id": the flow's place in the emission order. */
static uint64_t flow_id(const struct nfc_engine *eng, const struct nfc_flow *flow)
{
    struct nfc_value v;
    nfc_flow_value(eng, flow, 0, &v);
    return v.as.u;
}

/* A wake before a call and one after the first flow each give NFC_NEXT_WOKEN once; every flow still comes out. */
START_TEST(wake_returns_once_between_flows)
{
    struct nfc_engine *eng = open_sample((unsigned)_i, false);
    const struct nfc_flow *flow;
    nfc_engine_wake(eng);
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_WOKEN);
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
    ck_assert_uint_eq(flow_id(eng, flow), 0);
    /* flows already finished come first */
    nfc_engine_wake(eng);
    uint64_t flows = 1, woken = 0;
    enum nfc_next next;
    while ((next = nfc_engine_next(eng, &flow)) != NFC_NEXT_END) {
        if (next == NFC_NEXT_WOKEN) {
            woken++;
            continue;
        }
        ck_assert_int_eq(next, NFC_NEXT_FLOW);
        ck_assert_uint_eq(flow_id(eng, flow), flows++);
    }
    ck_assert_uint_eq(woken, 1);
    struct nfc_stats st;
    nfc_engine_stats(eng, &st);
    ck_assert_uint_eq(flows, st.flows);
    ck_assert_uint_gt(flows, 3);
    nfc_engine_close(eng);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("engine_api");
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, writer_refuses_an_unknown_format);
    tcase_add_test(errors, writer_reports_a_failed_header_write);
    tcase_add_test(errors, writer_reports_a_failed_write);
    tcase_add_test(errors, config_refuses_an_unknown_accounting_mode);
    suite_add_tcase(s, errors);

    TCase *ownership = tcase_create("ownership");
    tcase_add_checked_fixture(ownership, NULL, free_output);
    tcase_add_loop_test(ownership, config_strings_may_go_after_open, 1, 3); /* -j 1 and -j 2 */
    suite_add_tcase(s, ownership);

    TCase *lifetime = tcase_create("lifetime");
    tcase_add_checked_fixture(lifetime, NULL, free_output);
    tcase_add_test(lifetime, retain_refuses_any_other_flow);
    tcase_add_loop_test(lifetime, retained_flows_outlive_next_and_close, 1, 3);
    tcase_add_test(lifetime, released_flows_are_reused);
    tcase_add_loop_test(lifetime, wake_returns_once_between_flows, 1, 3);
    suite_add_tcase(s, lifetime);

    TCase *counters = tcase_create("counters");
    tcase_add_test(counters, stats_report_dropped_packets);
    suite_add_tcase(s, counters);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
