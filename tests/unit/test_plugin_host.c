/* The plugin host (sdk/nfcore/plugin.h), through the engine's public API and the nfcore command: every refusal, then
 * what loaded plugins see and produce. The plugins are small shared objects built from tests/sdk/ into
 * NFC_TEST_PLUGINS, and the built-in splt.so; the capture is written by the test. nDPI is off (n_dissections = 0). */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nfcore/nfcore.h>

#define PLUGIN(name) NFC_TEST_PLUGINS "/" name

/* ---- the capture ---- */

enum { TCP = 6, UDP = 17 };

struct frame {
    uint32_t usec;
    uint32_t len;
    uint8_t bytes[64];
};

/* Ethernet, IPv4 10.0.0.<src> -> 10.0.0.<dst>, then the ports of a UDP header or a TCP SYN without payload. */
static struct frame packet(uint32_t usec, uint8_t proto, int src, uint16_t sport, int dst, uint16_t dport)
{
    struct frame f = {.usec = usec};
    uint8_t *b = f.bytes;
    uint16_t l4_len = proto == TCP ? 20 : 8;
    uint16_t total = (uint16_t)(20 + l4_len);
    b[0] = 0x02, b[5] = (uint8_t)dst;
    b[6] = 0x02, b[11] = (uint8_t)src;
    b[12] = 0x08;
    uint8_t *ip = b + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(total >> 8), ip[3] = (uint8_t)total;
    ip[8] = 64;
    ip[9] = proto;
    ip[12] = 10, ip[15] = (uint8_t)src;
    ip[16] = 10, ip[19] = (uint8_t)dst;
    uint8_t *l4 = ip + 20;
    l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport;
    l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
    if (proto == TCP) {
        l4[12] = 0x50; /* 20-byte header */
        l4[13] = 0x02; /* SYN */
    } else {
        l4[5] = (uint8_t)l4_len;
    }
    f.len = 14u + total;
    return f;
}

static char capture[64];

/* Every test's capture, at 1600000000 s plus:
 *   0 ms    UDP 10.0.0.1:5000 -> 10.0.0.2:53
 *   250 ms  UDP 10.0.0.2:53 -> 10.0.0.1:5000
 *   500 ms  UDP 10.0.0.2:53 -> 10.0.0.1:5000
 *   750 ms  TCP SYN 10.0.0.1:40000 -> 10.0.0.3:80
 * Two flows unless a plugin ends one early: the UDP one (3 packets), then the TCP one (1). */
static void write_capture(void)
{
    const struct frame frames[] = {
        packet(0, UDP, 1, 5000, 2, 53),
        packet(250000, UDP, 2, 53, 1, 5000),
        packet(500000, UDP, 2, 53, 1, 5000),
        packet(750000, TCP, 1, 40000, 3, 80),
    };
    snprintf(capture, sizeof capture, "/tmp/nfc_test_plugin_host_XXXXXX");
    int fd = mkstemp(capture);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    /* magic in host order, version 2.4, zone 0, sigfigs 0, snaplen 65535, Ethernet */
    const uint32_t magic = 0xa1b2c3d4, zone = 0, sigfigs = 0, snaplen = 65535, linktype = 1;
    const uint16_t version[2] = {2, 4};
    fwrite(&magic, 4, 1, f), fwrite(version, 2, 2, f);
    fwrite(&zone, 4, 1, f), fwrite(&sigfigs, 4, 1, f), fwrite(&snaplen, 4, 1, f), fwrite(&linktype, 4, 1, f);
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        const uint32_t rec[4] = {1600000000, frames[i].usec, frames[i].len, frames[i].len};
        fwrite(rec, 4, 4, f);
        fwrite(frames[i].bytes, 1, frames[i].len, f);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static void remove_capture(void)
{
    unlink(capture);
}

/* ---- running the engine ---- */

static struct nfc_engine *open_with(const char *const *plugins, size_t n, char *err, size_t errlen)
{
    static const char *files[1];
    files[0] = capture;
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = files;
    cfg.n_files = 1;
    cfg.n_dissections = 0;
    cfg.plugins = plugins;
    cfg.n_plugins = n;
    return nfc_engine_open(&cfg, err, errlen);
}

static size_t column_index(const struct nfc_engine *eng, const char *name)
{
    const struct nfc_column *columns;
    size_t n = nfc_engine_columns(eng, &columns);
    for (size_t i = 0; i < n; i++)
        if (strcmp(columns[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static int64_t int_value(const struct nfc_engine *eng, const struct nfc_flow *flow, const char *name)
{
    size_t i = column_index(eng, name);
    ck_assert_msg(i != SIZE_MAX, "no column %s", name);
    struct nfc_value v;
    nfc_flow_value(eng, flow, i, &v);
    ck_assert(!v.missing);
    return v.type == NFC_TYPE_UINT ? (int64_t)v.as.u : v.as.i;
}

/* What a test checks of one emitted flow; `read` is udps.read, or -1 without the reader plugin. */
struct row {
    int64_t expiration_id;
    int64_t src_port;
    int64_t packets;
    int64_t read;
    uint64_t packets_read; /* packets the engine had read from the capture when it emitted the flow */
};

static size_t run(const char *const *plugins, size_t n, struct row *rows, size_t max)
{
    char err[256] = "";
    struct nfc_engine *eng = open_with(plugins, n, err, sizeof err);
    ck_assert_msg(eng != NULL, "nfc_engine_open: %s", err);
    bool has_read = column_index(eng, "udps.read") != SIZE_MAX;
    const struct nfc_flow *flow;
    size_t count = 0;
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW) {
        ck_assert_uint_lt(count, max);
        struct nfc_stats stats;
        nfc_engine_stats(eng, &stats);
        rows[count++] = (struct row){
            .expiration_id = int_value(eng, flow, "expiration_id"),
            .src_port = int_value(eng, flow, "src_port"),
            .packets = int_value(eng, flow, "bidirectional_packets"),
            .read = has_read ? int_value(eng, flow, "udps.read") : -1,
            .packets_read = stats.packets,
        };
    }
    nfc_engine_close(eng);
    return count;
}

/* ---- refusals: NULL from nfc_engine_open and one line naming the problem ---- */

static void assert_refused(const char *const *plugins, size_t n, const char *expected)
{
    char err[512] = "";
    ck_assert_ptr_null(open_with(plugins, n, err, sizeof err));
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_str_eq(err, expected);
}

START_TEST(missing_file)
{
    const char *plugins[] = {PLUGIN("missing.so")};
    assert_refused(plugins, 1, "plugin " PLUGIN("missing.so") ": No such file or directory");
}
END_TEST

START_TEST(text_file)
{
    char path[] = "/tmp/nfc_test_plugin_text_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "not a shared object\n", 20), 20);
    close(fd);
    const char *plugins[] = {path};
    char err[512] = "", prefix[128];
    ck_assert_ptr_null(open_with(plugins, 1, err, sizeof err));
    unlink(path);
    /* then dlerror()'s reason, which varies with the C library */
    snprintf(prefix, sizeof prefix, "plugin %s: not a loadable shared object: ", path);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
    ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(no_entry_symbol)
{
    const char *plugins[] = {PLUGIN("no_entry.so")};
    assert_refused(plugins, 1, "plugin " PLUGIN("no_entry.so") ": no nfc_plugin_entry() symbol: not an nfcore plugin");
}
END_TEST

START_TEST(older_abi_major)
{
    const char *plugins[] = {PLUGIN("abi_1_0.so")};
    assert_refused(plugins, 1, "plugin " PLUGIN("abi_1_0.so") ": built for plugin ABI 1.0, this nfcore provides 2.1");
}
END_TEST

START_TEST(newer_abi_major)
{
    const char *plugins[] = {PLUGIN("abi_next_major.so")};
    char expected[256];
    snprintf(expected, sizeof expected, "plugin %s: built for plugin ABI %d.0, this nfcore provides %d.%d", plugins[0],
             NFC_PLUGIN_ABI_MAJOR + 1, NFC_PLUGIN_ABI_MAJOR, NFC_PLUGIN_ABI_MINOR);
    assert_refused(plugins, 1, expected);
}
END_TEST

START_TEST(newer_abi_minor)
{
    const char *plugins[] = {PLUGIN("abi_newer_minor.so")};
    char expected[256];
    snprintf(expected, sizeof expected, "plugin %s: built for plugin ABI %d.%d, this nfcore provides %d.%d", plugins[0],
             NFC_PLUGIN_ABI_MAJOR, NFC_PLUGIN_ABI_MINOR + 1, NFC_PLUGIN_ABI_MAJOR, NFC_PLUGIN_ABI_MINOR);
    assert_refused(plugins, 1, expected);
}
END_TEST

START_TEST(field_name_clash)
{
    const char *plugins[] = {PLUGIN("hidden.so"), PLUGIN("clash.so")};
    assert_refused(
        plugins, 2,
        PLUGIN("clash.so") ": field 'hidden_packets' clashes with the field of the same name of plugin hidden");
}
END_TEST

START_TEST(setup_failure)
{
    const char *plugins[] = {PLUGIN("reader.so")};
    assert_refused(plugins, 1, "plugin reader: needs an argument column=NAME");
}
END_TEST

START_TEST(argument_without_value)
{
    const char *plugins[] = {"x.so:novalue"};
    assert_refused(plugins, 1, "x.so:novalue: plugin argument 'novalue' is not key=value");
}
END_TEST

START_TEST(lookup_of_unknown_column)
{
    const char *plugins[] = {PLUGIN("reader.so:column=no_such_column")};
    assert_refused(plugins, 1, "plugin reader: no column named 'no_such_column'");
}
END_TEST

START_TEST(lookup_of_a_later_plugins_field)
{
    const char *plugins[] = {PLUGIN("reader.so:column=hidden_packets"), PLUGIN("hidden.so")};
    assert_refused(plugins, 2, "plugin reader: no column named 'hidden_packets'");
}
END_TEST

START_TEST(integer_argument_out_of_range)
{
    const char *plugins[] = {PLUGIN("expire.so:at=0")};
    assert_refused(plugins, 1, "plugin expire: argument at: '0' is not an integer in 1..1000");
    plugins[0] = PLUGIN("expire.so:at=1001");
    assert_refused(plugins, 1, "plugin expire: argument at: '1001' is not an integer in 1..1000");
    plugins[0] = PLUGIN("expire.so:at=99999999999999999999"); /* beyond int64 */
    assert_refused(plugins, 1, "plugin expire: argument at: '99999999999999999999' is not an integer in 1..1000");
}
END_TEST

START_TEST(integer_argument_not_a_number)
{
    const char *texts[] = {"abc", "", "2x", " 2", "-", "0x10"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char spec[128], expected[128];
        snprintf(spec, sizeof spec, "%s:at=%s", PLUGIN("expire.so"), texts[i]);
        snprintf(expected, sizeof expected, "plugin expire: argument at: '%s' is not an integer in 1..1000", texts[i]);
        const char *plugins[] = {spec};
        assert_refused(plugins, 1, expected);
    }
}
END_TEST

START_TEST(unknown_argument)
{
    const char *plugins[] = {PLUGIN("expire.so:at=2,at_packet=3")};
    assert_refused(plugins, 1, "plugin expire: unknown argument 'at_packet' (known: at)");
}
END_TEST

START_TEST(unknown_argument_of_a_built_in_plugin)
{
    const char *plugins[] = {"splt.so:sequence_lenght=10"}; /* found by its bare name in the build tree */
    assert_refused(plugins, 1,
                   "plugin splt: unknown argument 'sequence_lenght' (known: sequence_length, accounting_mode)");
}
END_TEST

START_TEST(argument_to_a_plugin_without_arguments)
{
    const char *plugins[] = {PLUGIN("hidden.so:packets=1")};
    assert_refused(plugins, 1, "plugin hidden: unknown argument 'packets' (takes no arguments)");
}
END_TEST

/* The command: exit status 2 and the message alone on standard error. */
static void assert_command_refuses(const char *plugin, const char *expected_stderr)
{
    char command[1024], stderr_text[1024] = "";
    snprintf(command, sizeof command, "'%s' --plugin '%s' -r '%s' 2>&1 >/dev/null", NFCORE_COMMAND, plugin, capture);
    FILE *p = popen(command, "r");
    ck_assert_ptr_nonnull(p);
    size_t len = fread(stderr_text, 1, sizeof stderr_text - 1, p);
    stderr_text[len] = '\0';
    int status = pclose(p);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 2);
    ck_assert_str_eq(stderr_text, expected_stderr);
}

START_TEST(command_refuses_bad_arguments)
{
    assert_command_refuses("x.so:novalue", "nfcore: x.so:novalue: plugin argument 'novalue' is not key=value\n");
}
END_TEST

START_TEST(command_refuses_other_abi)
{
    assert_command_refuses(
        PLUGIN("abi_1_0.so"),
        "nfcore: plugin " PLUGIN("abi_1_0.so") ": built for plugin ABI 1.0, this nfcore provides 2.1\n");
}
END_TEST

START_TEST(command_refuses_failed_setup)
{
    assert_command_refuses(PLUGIN("reader.so"), "nfcore: plugin reader: needs an argument column=NAME\n");
}
END_TEST

START_TEST(command_refuses_unknown_argument)
{
    assert_command_refuses(PLUGIN("expire.so:at=2,limit=3"),
                           "nfcore: plugin expire: unknown argument 'limit' (known: at)\n");
}
END_TEST

/* ---- reading columns ---- */

START_TEST(volatile_field_is_read_but_not_exported)
{
    const char *plugins[] = {PLUGIN("hidden.so"), PLUGIN("reader.so:column=hidden_packets")};
    char err[256];
    struct nfc_engine *eng = open_with(plugins, 2, err, sizeof err);
    ck_assert_ptr_nonnull(eng);
    ck_assert_uint_eq(column_index(eng, "udps.hidden_packets"), SIZE_MAX);
    const struct nfc_column *columns;
    size_t n = nfc_engine_columns(eng, &columns);
    ck_assert_str_eq(columns[n - 1].name, "udps.read"); /* the one plugin column */
    ck_assert_str_eq(columns[n - 2].name, "dst2src_bytes");
    nfc_engine_close(eng);

    struct row rows[4];
    ck_assert_uint_eq(run(plugins, 2, rows, 4), 2);
    ck_assert_int_eq(rows[0].read, 3); /* hidden counted the UDP flow's 3 packets */
    ck_assert_int_eq(rows[1].read, 1);
}
END_TEST

START_TEST(core_column_is_read_per_flow)
{
    const char *plugins[] = {PLUGIN("reader.so:column=bidirectional_packets")};
    struct row rows[4];
    ck_assert_uint_eq(run(plugins, 1, rows, 4), 2);
    ck_assert_int_eq(rows[0].read, 3);
    ck_assert_int_eq(rows[1].read, 1);

    const char *bytes[] = {PLUGIN("reader.so:column=src2dst_bytes")};
    ck_assert_uint_eq(run(bytes, 1, rows, 4), 2);
    ck_assert_int_eq(rows[0].read, 42); /* the one packet 10.0.0.1 sent: 14 + 20 + 8 bytes */
    ck_assert_int_eq(rows[1].read, 54); /* the SYN: 14 + 20 + 20 */
}
END_TEST

/* ---- ending flows ---- */

START_TEST(expiry_needs_the_flag)
{
    const char *plugins[] = {PLUGIN("expire_unflagged.so:at=1")};
    struct row rows[4];
    ck_assert_uint_eq(run(plugins, 1, rows, 4), 2);
    ck_assert_int_eq(rows[0].expiration_id, NFC_EXPIRE_IDLE); /* both flows end with the capture */
    ck_assert_int_eq(rows[0].packets, 3);
    ck_assert_int_eq(rows[1].expiration_id, NFC_EXPIRE_IDLE);
}
END_TEST

START_TEST(expiry_from_on_update)
{
    const char *plugins[] = {PLUGIN("expire.so:at=+2")}; /* a sign is part of an integer */
    struct row rows[4];
    ck_assert_uint_eq(run(plugins, 1, rows, 4), 3);
    /* the UDP flow ends at its second packet, before the third is read */
    ck_assert_int_eq(rows[0].expiration_id, -1);
    ck_assert_int_eq(rows[0].src_port, 5000);
    ck_assert_int_eq(rows[0].packets, 2);
    ck_assert_uint_eq(rows[0].packets_read, 2);
    /* the third packet starts a new flow, from its own sender: 10.0.0.2:53 */
    ck_assert_int_eq(rows[1].expiration_id, NFC_EXPIRE_IDLE);
    ck_assert_int_eq(rows[1].src_port, 53);
    ck_assert_int_eq(rows[1].packets, 1);
    ck_assert_int_eq(rows[2].src_port, 40000);
    ck_assert_int_eq(rows[2].packets, 1);
}
END_TEST

START_TEST(expiry_from_on_init)
{
    const char *plugins[] = {PLUGIN("expire.so")}; /* at defaults to 1 */
    struct row rows[5];
    ck_assert_uint_eq(run(plugins, 1, rows, 5), 4);
    const int64_t src_ports[] = {5000, 53, 53, 40000};
    for (size_t i = 0; i < 4; i++) {
        /* each packet is a flow of its own, emitted before the next packet is read */
        ck_assert_int_eq(rows[i].expiration_id, -1);
        ck_assert_int_eq(rows[i].src_port, src_ports[i]);
        ck_assert_int_eq(rows[i].packets, 1);
        ck_assert_uint_eq(rows[i].packets_read, i + 1);
    }
}
END_TEST

/* ---- writing fields ---- */

static char *output;

static void write_flows(enum nfc_format format)
{
    const char *plugins[] = {PLUGIN("render.so")};
    char err[256];
    struct nfc_engine *eng = open_with(plugins, 1, err, sizeof err);
    ck_assert_msg(eng != NULL, "%s", err);
    size_t len;
    FILE *out = open_memstream(&output, &len);
    ck_assert_ptr_nonnull(out);
    struct nfc_writer *w = nfc_writer_open(eng, format, out, err, sizeof err);
    ck_assert_ptr_nonnull(w);
    const struct nfc_flow *flow;
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW)
        ck_assert_int_eq(nfc_writer_write(w, flow), 0);
    ck_assert_int_eq(nfc_writer_close(w, err, sizeof err), 0);
    ck_assert_int_eq(fclose(out), 0);
    nfc_engine_close(eng);
}

static void free_output(void)
{
    free(output);
    output = NULL;
}

/* Whether the line starting at `line` ends with `tail`; returns the next line. */
static const char *assert_line_ends(const char *line, const char *tail)
{
    const char *end = strchr(line, '\n');
    ck_assert_ptr_nonnull(end);
    size_t n = strlen(tail);
    ck_assert_msg((size_t)(end - line) >= n && strncmp(end - n, tail, n) == 0, "%.*s\ndoes not end with\n%s",
                  (int)(end - line), line, tail);
    return end + 1;
}

START_TEST(csv_rendering)
{
    write_flows(NFC_FORMAT_CSV);
    const char *line =
        assert_line_ends(output, ",udps.quote,udps.cleared,udps.sizes,udps.labels,udps.unset,udps.ratio,udps.refused");
    /* render filled the UDP flow: the string and the list texts are quoted, their '"' doubled (RFC 4180); the
     * string list is written as Python's repr() writes it, ['a', "b's"]; the string refused a text too long (its
     * old one dropped) and the unset optional int are empty; both refusals were reported to the plugin */
    line = assert_line_ends(line, ",84,\"say \"\"hi\"\"\",,\"[1, 2]\",\"['a', \"\"b's\"\"]\",,0.5,2");
    /* and left the TCP flow alone: empty lists, and nothing at all for the unset strings and optionals */
    line = assert_line_ends(line, ",0,,,\"[]\",\"[]\",,,0");
    ck_assert_str_eq(line, "");
}
END_TEST

START_TEST(jsonl_rendering)
{
    write_flows(NFC_FORMAT_JSONL);
    const char *line =
        assert_line_ends(output, "\"dst2src_bytes\":84,\"udps.quote\":\"say \\\"hi\\\"\","
                                 "\"udps.cleared\":null,\"udps.sizes\":[1,2],\"udps.labels\":[\"a\",\"b's\"],"
                                 "\"udps.unset\":null,\"udps.ratio\":0.5,\"udps.refused\":2}");
    line = assert_line_ends(line, "\"dst2src_bytes\":0,\"udps.quote\":null,\"udps.cleared\":null,\"udps.sizes\":[],"
                                  "\"udps.labels\":[],\"udps.unset\":null,\"udps.ratio\":null,\"udps.refused\":0}");
    ck_assert_str_eq(line, "");
}
END_TEST

/* A plugin field's column says whether its value may be missing: optional values and strings may. */
START_TEST(column_metadata)
{
    const char *plugins[] = {PLUGIN("render.so")};
    char err[256];
    struct nfc_engine *eng = open_with(plugins, 1, err, sizeof err);
    ck_assert_msg(eng != NULL, "%s", err);
    const struct nfc_column *columns;
    nfc_engine_columns(eng, &columns);
    static const struct {
        const char *name;
        enum nfc_type type;
        bool may_be_missing;
    } expected[] = {
        {"udps.quote", NFC_TYPE_STRING, true},        {"udps.sizes", NFC_TYPE_INT_LIST, false},
        {"udps.labels", NFC_TYPE_STRING_LIST, false}, {"udps.unset", NFC_TYPE_INT, true},
        {"udps.ratio", NFC_TYPE_FLOAT, true},         {"udps.refused", NFC_TYPE_INT, false},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        size_t k = column_index(eng, expected[i].name);
        ck_assert_msg(k != SIZE_MAX, "no column %s", expected[i].name);
        ck_assert_int_eq(columns[k].type, expected[i].type);
        ck_assert_int_eq(columns[k].may_be_missing, expected[i].may_be_missing);
        ck_assert_ptr_null(columns[k].unit);
        ck_assert_uint_eq(columns[k].ipfix_id, 0);
    }
    nfc_engine_close(eng);
}
END_TEST

static Suite *plugin_host_suite(void)
{
    Suite *s = suite_create("plugin_host");
    TCase *refusals = tcase_create("refusals");
    tcase_add_checked_fixture(refusals, write_capture, remove_capture);
    tcase_add_test(refusals, missing_file);
    tcase_add_test(refusals, text_file);
    tcase_add_test(refusals, no_entry_symbol);
    tcase_add_test(refusals, older_abi_major);
    tcase_add_test(refusals, newer_abi_major);
    tcase_add_test(refusals, newer_abi_minor);
    tcase_add_test(refusals, field_name_clash);
    tcase_add_test(refusals, setup_failure);
    tcase_add_test(refusals, argument_without_value);
    tcase_add_test(refusals, lookup_of_unknown_column);
    tcase_add_test(refusals, lookup_of_a_later_plugins_field);
    tcase_add_test(refusals, integer_argument_out_of_range);
    tcase_add_test(refusals, integer_argument_not_a_number);
    tcase_add_test(refusals, unknown_argument);
    tcase_add_test(refusals, unknown_argument_of_a_built_in_plugin);
    tcase_add_test(refusals, argument_to_a_plugin_without_arguments);
    tcase_add_test(refusals, command_refuses_bad_arguments);
    tcase_add_test(refusals, command_refuses_other_abi);
    tcase_add_test(refusals, command_refuses_failed_setup);
    tcase_add_test(refusals, command_refuses_unknown_argument);
    suite_add_tcase(s, refusals);

    TCase *reading = tcase_create("reading");
    tcase_add_checked_fixture(reading, write_capture, remove_capture);
    tcase_add_test(reading, volatile_field_is_read_but_not_exported);
    tcase_add_test(reading, core_column_is_read_per_flow);
    suite_add_tcase(s, reading);

    TCase *expiry = tcase_create("expiry");
    tcase_add_checked_fixture(expiry, write_capture, remove_capture);
    tcase_add_test(expiry, expiry_needs_the_flag);
    tcase_add_test(expiry, expiry_from_on_update);
    tcase_add_test(expiry, expiry_from_on_init);
    suite_add_tcase(s, expiry);

    TCase *writing = tcase_create("writing");
    tcase_add_checked_fixture(writing, write_capture, remove_capture);
    tcase_add_checked_fixture(writing, NULL, free_output);
    tcase_add_test(writing, csv_rendering);
    tcase_add_test(writing, jsonl_rendering);
    tcase_add_test(writing, column_metadata);
    suite_add_tcase(s, writing);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(plugin_host_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
