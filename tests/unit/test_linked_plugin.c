/* Plugins linked into the caller (nfc_config.plugin_links, SDK 2.1), as a language binding links its bridge: the
 * link's data at setup, the readable columns, computed columns added at setup and once flows are seen, their place
 * among a loaded plugin's columns, the columns fixed by the first flow handed out, and on_release once per flow.
 * The capture is the build's sample.pcap: 8 flows of 2, 9, 2, 12, 2, 2, 1 and 2 packets. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "write_all.h"

static const uint64_t packets[] = {2, 9, 2, 12, 2, 2, 1, 2};

/* What the linked plugin was given and did. */
struct linked {
    const char *late_name; /* the column to add when the first flow ends; NULL: none */
    nfc_field_ref packets_ref;
    bool found_packets;
    size_t readable;
    int late_rc;       /* add_column's result from the first on_expire */
    int too_late_rc;   /* ... and from a later one */
    size_t expired;    /* flows ended */
    size_t released;   /* states released */
    int64_t last_seen; /* the packets of the flow that ended last */
};

struct state {
    int64_t packets;
    char text[16];
};

static void packets_value(void *instance, const void *state, uint32_t arg, struct nfc_value *out)
{
    (void)instance;
    const struct state *st = state;
    if (arg == 1) { /* the text column */
        out->as.str.ptr = st->text;
        out->as.str.len = strlen(st->text);
        return;
    }
    out->type = NFC_TYPE_INT;
    out->as.i = st->packets * (int64_t)arg;
}

static int setup(struct nfc_setup *ctx, void **instance)
{
    struct linked *l = ctx->data;
    *instance = l;
    const char *name;
    nfc_field_ref ref;
    for (size_t i = 0; ctx->column(ctx, i, &name, &ref) == 0; i++) {
        l->readable++;
        if (strcmp(name, "bidirectional_packets") == 0) {
            l->packets_ref = ref;
            l->found_packets = true;
        }
    }
    return ctx->host->add_column(ctx->host, "packets_twice", packets_value, 2);
}

static void on_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                      const struct nfc_packet *pkt)
{
    (void)pkt;
    struct linked *l = instance;
    struct nfc_value v;
    host->read(host, flow, l->packets_ref, &v);
    struct state *st = state;
    st->packets = (int64_t)v.as.u;
    snprintf(st->text, sizeof st->text, "n%lld", (long long)st->packets);
}

static void on_expire(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow)
{
    (void)flow;
    struct linked *l = instance;
    l->last_seen = ((struct state *)state)->packets;
    if (l->late_name) {
        int rc = host->add_column(host, l->late_name, packets_value, 1);
        if (l->expired == 0)
            l->late_rc = rc;
        else
            l->too_late_rc = rc;
    }
    l->expired++;
}

static void on_release(void *instance, void *state)
{
    struct linked *l = instance;
    ck_assert_int_ne(((struct state *)state)->packets, 0);
    l->released++;
}

static const struct nfc_plugin linked_plugin = {
    NFC_PLUGIN_ABI,
    .name = "linked",
    .version = "1",
    .state_size = sizeof(struct state),
    .flags = NFC_PLUGIN_MAY_EXPIRE,
    .setup = setup,
    .on_init = on_packet,
    .on_update = on_packet,
    .on_expire = on_expire,
    .on_release = on_release,
};

static struct nfc_engine *open_engine(struct linked *l, bool with_splt)
{
    static const char *const files[] = {NFC_SAMPLE_PCAP};
    const char *names[] = {"linked", "splt.so:sequence_length=2"};
    struct nfc_plugin_link links[] = {{&linked_plugin, l}, {NULL, NULL}};
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = files;
    cfg.n_files = 1;
    cfg.n_dissections = 0;
    cfg.plugins = names;
    cfg.n_plugins = with_splt ? 2 : 1;
    cfg.plugin_links = links; /* copied at open, as the rest of the configuration */
    char err[256] = "";
    struct nfc_engine *eng = nfc_engine_open(&cfg, err, sizeof err);
    ck_assert_msg(eng != NULL, "nfc_engine_open: %s", err);
    return eng;
}

static const char *column_name(const struct nfc_engine *eng, size_t i)
{
    const struct nfc_column *columns;
    size_t n = nfc_engine_columns(eng, &columns);
    return i < n ? columns[i].name : "";
}

static size_t column_count(const struct nfc_engine *eng)
{
    const struct nfc_column *columns;
    return nfc_engine_columns(eng, &columns);
}

START_TEST(setup_gets_the_data_and_the_readable_columns)
{
    struct linked l = {0};
    struct nfc_engine *eng = open_engine(&l, false);
    ck_assert(l.found_packets);
    /* Every core column, and no plugin field: none comes before it. */
    ck_assert_uint_eq(l.readable, column_count(eng) - 1);
    ck_assert_str_eq(column_name(eng, column_count(eng) - 1), "packets_twice");
    nfc_engine_close(eng);
}
END_TEST

START_TEST(computed_columns_in_every_flow)
{
    struct linked l = {.late_name = "udps.text"};
    struct nfc_engine *eng = open_engine(&l, true);
    size_t n = column_count(eng);
    const struct nfc_flow *flow;
    size_t flows = 0;
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW) {
        ck_assert_uint_lt(flows, 8);
        /* Added when the first flow ended: after the plugin's own column, before the loaded plugin's three. */
        ck_assert_uint_eq(column_count(eng), n + 1);
        ck_assert_str_eq(column_name(eng, n - 4), "packets_twice");
        ck_assert_str_eq(column_name(eng, n - 3), "udps.text");
        ck_assert_str_eq(column_name(eng, n - 2), "udps.splt_direction");
        struct nfc_value twice, text;
        nfc_flow_value(eng, flow, n - 4, &twice);
        nfc_flow_value(eng, flow, n - 3, &text);
        ck_assert_int_eq(twice.type, NFC_TYPE_INT);
        ck_assert_int_eq(twice.as.i, 2 * (int64_t)packets[flows]);
        char expected[16];
        snprintf(expected, sizeof expected, "n%llu", (unsigned long long)packets[flows]);
        ck_assert_int_eq(text.type, NFC_TYPE_STRING);
        ck_assert_uint_eq(text.as.str.len, strlen(expected));
        ck_assert(memcmp(text.as.str.ptr, expected, text.as.str.len) == 0);
        const struct state *st = nfc_flow_plugin_state(eng, flow, 0);
        ck_assert_int_eq(st->packets, (int64_t)packets[flows]);
        ck_assert_ptr_null(nfc_flow_plugin_state(eng, flow, 2));
        flows++;
    }
    ck_assert_uint_eq(flows, 8);
    ck_assert_int_eq(l.late_rc, 0);
    ck_assert_int_eq(l.too_late_rc, -1); /* the columns were fixed by the first flow handed out */
    nfc_engine_close(eng);
    ck_assert_uint_eq(l.released, 8);
}
END_TEST

START_TEST(writers_opened_after_the_first_flow_write_the_late_columns)
{
    struct linked l = {.late_name = "udps.text"};
    struct nfc_engine *eng = open_engine(&l, false);
    char *csv = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&csv, &len);
    const struct nfc_flow *flow;
    ck_assert_int_eq(nfc_engine_next(eng, &flow), NFC_NEXT_FLOW);
    char err[256];
    struct nfc_writer *w = nfc_writer_open(eng, NFC_FORMAT_CSV, out, err, sizeof err);
    ck_assert_ptr_nonnull(w);
    do
        ck_assert_int_eq(nfc_writer_write(w, flow), 0);
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW);
    ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), 0);
    fclose(out);
    ck_assert(strstr(csv, ",packets_twice,udps.text\n") != NULL);
    /* The TLS flow: 12 packets. */
    ck_assert(strstr(csv, ",24,\"n12\"\n") != NULL);
    free(csv);
    nfc_engine_close(eng);
    ck_assert_uint_eq(l.released, 8);
}
END_TEST

START_TEST(released_with_retained_flows)
{
    struct linked l = {0};
    struct nfc_engine *eng = open_engine(&l, false);
    const struct nfc_flow *flow, *kept = NULL;
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW)
        if (!kept && nfc_engine_retain(eng, flow) == 0)
            kept = flow;
    nfc_engine_close(eng);
    ck_assert_uint_eq(l.released, 7);
    struct nfc_value v;
    nfc_flow_value(eng, kept, column_count(eng) - 1, &v);
    ck_assert_int_eq(v.as.i, 4);
    nfc_engine_release(eng, kept);
    ck_assert_uint_eq(l.released, 8);
}
END_TEST

START_TEST(name_taken)
{
    struct linked l = {.late_name = "bidirectional_packets"};
    struct nfc_engine *eng = open_engine(&l, false);
    char *text = NULL;
    ck_assert_uint_eq(write_all(eng, NFC_FORMAT_JSONL, &text), 8);
    ck_assert_int_eq(l.late_rc, -1);
    free(text);
    nfc_engine_close(eng);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linked_plugin");
    TCase *tc = tcase_create("linked");
    tcase_add_test(tc, setup_gets_the_data_and_the_readable_columns);
    tcase_add_test(tc, computed_columns_in_every_flow);
    tcase_add_test(tc, writers_opened_after_the_first_flow_write_the_late_columns);
    tcase_add_test(tc, released_with_retained_flows);
    tcase_add_test(tc, name_taken);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
