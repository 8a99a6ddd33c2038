/* The CSV and JSON-lines writers (spec §9.2), end to end: the test writes a tiny classic pcap, opens an engine on
 * it with nDPI off (n_dissections = 0), pulls the flows and compares the writers' output line for line. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfcore/nfcore.h>

#include "export/format.h"
#include "write_all.h"

/* ---- a classic pcap, written by hand ---- */

enum { TCP = 6, UDP = 17 };

struct frame {
    uint32_t sec, usec;
    uint32_t len;
    uint8_t bytes[128];
};

/* Ethernet 02:00:00:00:00:<src> -> 02:00:00:00:00:<dst>, IPv4 10.0.0.<src> -> 10.0.0.<dst>; returns the L4
 * offset. */
static size_t eth_ipv4(struct frame *f, int src, int dst, uint8_t proto, uint16_t l4_len)
{
    uint8_t *b = f->bytes;
    memset(b, 0, sizeof f->bytes);
    b[0] = 0x02, b[5] = (uint8_t)dst;
    b[6] = 0x02, b[11] = (uint8_t)src;
    b[12] = 0x08, b[13] = 0x00;
    uint8_t *ip = b + 14;
    uint16_t total = (uint16_t)(20 + l4_len);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(total >> 8), ip[3] = (uint8_t)total;
    ip[8] = 64;
    ip[9] = proto;
    ip[12] = 10, ip[15] = (uint8_t)src;
    ip[16] = 10, ip[19] = (uint8_t)dst;
    f->len = 14 + total;
    return 34;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static struct frame udp(uint32_t usec, int src, uint16_t sport, int dst, uint16_t dport, uint16_t payload)
{
    struct frame f = {.sec = 1600000000, .usec = usec};
    size_t l4 = eth_ipv4(&f, src, dst, UDP, (uint16_t)(8 + payload));
    put16(f.bytes + l4, sport);
    put16(f.bytes + l4 + 2, dport);
    put16(f.bytes + l4 + 4, (uint16_t)(8 + payload));
    return f;
}

static struct frame tcp(uint32_t usec, int src, uint16_t sport, int dst, uint16_t dport, uint8_t flags)
{
    struct frame f = {.sec = 1600000000, .usec = usec};
    size_t l4 = eth_ipv4(&f, src, dst, TCP, 20);
    put16(f.bytes + l4, sport);
    put16(f.bytes + l4 + 2, dport);
    f.bytes[l4 + 12] = 0x50; /* 20-byte header */
    f.bytes[l4 + 13] = flags;
    put16(f.bytes + l4 + 14, 65535);
    return f;
}

static struct frame arp(uint32_t usec)
{
    struct frame f = {.sec = 1600000000, .usec = usec, .len = 42};
    memset(f.bytes, 0xff, 6);
    f.bytes[6] = 0x02, f.bytes[11] = 1;
    f.bytes[12] = 0x08, f.bytes[13] = 0x06;
    f.bytes[15] = 1; /* hardware type 1: the "IP version" nibble is 0, so the packet is ignored */
    return f;
}

static char path[64];

static void write_pcap(const struct frame *frames, size_t n)
{
    snprintf(path, sizeof path, "/tmp/nfc_test_export_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    /* magic in host order, version 2.4, zone 0, sigfigs 0, snaplen 65535, Ethernet */
    const uint32_t magic = 0xa1b2c3d4, snaplen = 65535, linktype = 1;
    const uint16_t major = 2, minor = 4;
    const int32_t zone = 0;
    const uint32_t sigfigs = 0;
    fwrite(&magic, 4, 1, f), fwrite(&major, 2, 1, f), fwrite(&minor, 2, 1, f);
    fwrite(&zone, 4, 1, f), fwrite(&sigfigs, 4, 1, f), fwrite(&snaplen, 4, 1, f), fwrite(&linktype, 4, 1, f);
    for (size_t i = 0; i < n; i++) {
        const uint32_t rec[4] = {frames[i].sec, frames[i].usec, frames[i].len, frames[i].len};
        fwrite(rec, 4, 4, f);
        fwrite(frames[i].bytes, 1, frames[i].len, f);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static void remove_pcap(void)
{
    if (path[0])
        unlink(path);
    path[0] = '\0';
}

/* The capture of most tests:
 *   t = 1600000000000 ms  UDP 10.0.0.1:5000 -> 10.0.0.2:53, no payload: 14 + 20 + 8 = 42 bytes
 *   t = ...250            UDP 10.0.0.2:53 -> 10.0.0.1:5000, 3 bytes of payload: 45 bytes
 *   t = ...500            TCP SYN 10.0.0.1:40000 -> 10.0.0.3:80: 14 + 20 + 20 = 54 bytes */
static void write_two_flows(void)
{
    const struct frame frames[] = {
        udp(0, 1, 5000, 2, 53, 0),
        udp(250000, 2, 53, 1, 5000, 3),
        tcp(500000, 1, 40000, 3, 80, 0x02),
    };
    write_pcap(frames, 3);
}

static void config(struct nfc_config *cfg)
{
    static const char *files[1];
    files[0] = path;
    nfc_config_defaults(cfg);
    cfg->files = files;
    cfg->n_files = 1;
    cfg->n_dissections = 0;
}

static char *output; /* what the writer wrote */

/* Runs the engine over the capture and returns the number of flows written. */
static size_t export(const struct nfc_config *cfg, enum nfc_format format)
{
    char err[256] = "";
    struct nfc_engine *eng = nfc_engine_open(cfg, err, sizeof err);
    ck_assert_msg(eng != NULL, "nfc_engine_open: %s", err);
    free(output);
    output = NULL;
    size_t n = write_all(eng, format, &output);
    nfc_engine_close(eng);
    return n;
}

static void teardown(void)
{
    remove_pcap();
    free(output);
    output = NULL;
}

#define CSV_HEADER                                                                                                  \
    "id,expiration_id,src_ip,src_mac,src_oui,src_port,dst_ip,dst_mac,dst_oui,dst_port,protocol,ip_version,vlan_id," \
    "tunnel_id,"                                                                                                    \
    "bidirectional_first_seen_ms,bidirectional_last_seen_ms,bidirectional_duration_ms,bidirectional_packets,"       \
    "bidirectional_bytes,"                                                                                          \
    "src2dst_first_seen_ms,src2dst_last_seen_ms,src2dst_duration_ms,src2dst_packets,src2dst_bytes,"                 \
    "dst2src_first_seen_ms,dst2src_last_seen_ms,dst2src_duration_ms,dst2src_packets,dst2src_bytes"

/* The UDP flow: 2 packets over 250 ms, 42 + 45 = 87 bytes; the reply is its dst2src half. */
#define CSV_UDP_FLOW                                               \
    "0,0,\"10.0.0.1\",\"02:00:00:00:00:01\",\"02:00:00\",5000,"    \
    "\"10.0.0.2\",\"02:00:00:00:00:02\",\"02:00:00\",53,17,4,0,0," \
    "1600000000000,1600000000250,250,2,87,"                        \
    "1600000000000,1600000000000,0,1,42,"                          \
    "1600000000250,1600000000250,0,1,45"

/* The TCP flow: a lone SYN; its dst2src half is all zeros (spec §4.2). */
#define CSV_TCP_FLOW                                              \
    "1,0,\"10.0.0.1\",\"02:00:00:00:00:01\",\"02:00:00\",40000,"  \
    "\"10.0.0.3\",\"02:00:00:00:00:03\",\"02:00:00\",80,6,4,0,0," \
    "1600000000500,1600000000500,0,1,54,"                         \
    "1600000000500,1600000000500,0,1,54,"                         \
    "0,0,0,0,0"

/* ---- CSV ---- */

START_TEST(csv_two_flows)
{
    write_two_flows();
    struct nfc_config cfg;
    config(&cfg);
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_CSV), 2);
    ck_assert_str_eq(output, CSV_HEADER "\n" CSV_UDP_FLOW "\n" CSV_TCP_FLOW "\n");
}
END_TEST

START_TEST(csv_without_tunnel_decoding_has_no_tunnel_id)
{
    write_two_flows();
    struct nfc_config cfg;
    config(&cfg);
    cfg.decode_tunnels = false;
    cfg.max_nflows = 1;
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_CSV), 1);
    ck_assert_str_eq(output,
                     "id,expiration_id,src_ip,src_mac,src_oui,src_port,dst_ip,dst_mac,dst_oui,dst_port,protocol,"
                     "ip_version,vlan_id,"
                     "bidirectional_first_seen_ms,bidirectional_last_seen_ms,bidirectional_duration_ms,"
                     "bidirectional_packets,bidirectional_bytes,"
                     "src2dst_first_seen_ms,src2dst_last_seen_ms,src2dst_duration_ms,src2dst_packets,src2dst_bytes,"
                     "dst2src_first_seen_ms,dst2src_last_seen_ms,dst2src_duration_ms,dst2src_packets,dst2src_bytes\n"
                     "0,0,\"10.0.0.1\",\"02:00:00:00:00:01\",\"02:00:00\",5000,"
                     "\"10.0.0.2\",\"02:00:00:00:00:02\",\"02:00:00\",53,17,4,0,"
                     "1600000000000,1600000000250,250,2,87,"
                     "1600000000000,1600000000000,0,1,42,"
                     "1600000000250,1600000000250,0,1,45\n");
}
END_TEST

START_TEST(csv_accounting_mode_ip)
{
    write_two_flows();
    struct nfc_config cfg;
    config(&cfg);
    cfg.accounting_mode = NFC_ACCOUNT_IP;
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_CSV), 2);
    /* IPv4 total lengths: 28 and 31 for the UDP flow, 40 for the SYN */
    ck_assert_str_eq(output, CSV_HEADER "\n"
                                        "0,0,\"10.0.0.1\",\"02:00:00:00:00:01\",\"02:00:00\",5000,"
                                        "\"10.0.0.2\",\"02:00:00:00:00:02\",\"02:00:00\",53,17,4,0,0,"
                                        "1600000000000,1600000000250,250,2,59,"
                                        "1600000000000,1600000000000,0,1,28,"
                                        "1600000000250,1600000000250,0,1,31\n"
                                        "1,0,\"10.0.0.1\",\"02:00:00:00:00:01\",\"02:00:00\",40000,"
                                        "\"10.0.0.3\",\"02:00:00:00:00:03\",\"02:00:00\",80,6,4,0,0,"
                                        "1600000000500,1600000000500,0,1,40,"
                                        "1600000000500,1600000000500,0,1,40,"
                                        "0,0,0,0,0\n");
}
END_TEST

START_TEST(csv_no_parsable_packet_is_the_header_alone)
{
    const struct frame frames[] = {arp(0)};
    write_pcap(frames, 1);
    struct nfc_config cfg;
    config(&cfg);
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_CSV), 0);
    ck_assert_str_eq(output, CSV_HEADER "\n");
}
END_TEST

START_TEST(csv_empty_capture_is_the_header_alone)
{
    write_pcap(NULL, 0);
    struct nfc_config cfg;
    config(&cfg);
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_CSV), 0);
    ck_assert_str_eq(output, CSV_HEADER "\n");
}
END_TEST

/* ---- JSON lines ---- */

START_TEST(jsonl_two_flows)
{
    write_two_flows();
    struct nfc_config cfg;
    config(&cfg);
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_JSONL), 2);
    ck_assert_str_eq(output,
                     "{\"id\":0,\"expiration_id\":0,\"src_ip\":\"10.0.0.1\",\"src_mac\":\"02:00:00:00:00:01\","
                     "\"src_oui\":\"02:00:00\",\"src_port\":5000,\"dst_ip\":\"10.0.0.2\","
                     "\"dst_mac\":\"02:00:00:00:00:02\",\"dst_oui\":\"02:00:00\",\"dst_port\":53,\"protocol\":17,"
                     "\"ip_version\":4,\"vlan_id\":0,\"tunnel_id\":0,"
                     "\"bidirectional_first_seen_ms\":1600000000000,\"bidirectional_last_seen_ms\":1600000000250,"
                     "\"bidirectional_duration_ms\":250,\"bidirectional_packets\":2,\"bidirectional_bytes\":87,"
                     "\"src2dst_first_seen_ms\":1600000000000,\"src2dst_last_seen_ms\":1600000000000,"
                     "\"src2dst_duration_ms\":0,\"src2dst_packets\":1,\"src2dst_bytes\":42,"
                     "\"dst2src_first_seen_ms\":1600000000250,\"dst2src_last_seen_ms\":1600000000250,"
                     "\"dst2src_duration_ms\":0,\"dst2src_packets\":1,\"dst2src_bytes\":45}\n"
                     "{\"id\":1,\"expiration_id\":0,\"src_ip\":\"10.0.0.1\",\"src_mac\":\"02:00:00:00:00:01\","
                     "\"src_oui\":\"02:00:00\",\"src_port\":40000,\"dst_ip\":\"10.0.0.3\","
                     "\"dst_mac\":\"02:00:00:00:00:03\",\"dst_oui\":\"02:00:00\",\"dst_port\":80,\"protocol\":6,"
                     "\"ip_version\":4,\"vlan_id\":0,\"tunnel_id\":0,"
                     "\"bidirectional_first_seen_ms\":1600000000500,\"bidirectional_last_seen_ms\":1600000000500,"
                     "\"bidirectional_duration_ms\":0,\"bidirectional_packets\":1,\"bidirectional_bytes\":54,"
                     "\"src2dst_first_seen_ms\":1600000000500,\"src2dst_last_seen_ms\":1600000000500,"
                     "\"src2dst_duration_ms\":0,\"src2dst_packets\":1,\"src2dst_bytes\":54,"
                     "\"dst2src_first_seen_ms\":0,\"dst2src_last_seen_ms\":0,"
                     "\"dst2src_duration_ms\":0,\"dst2src_packets\":0,\"dst2src_bytes\":0}\n");
}
END_TEST

START_TEST(jsonl_no_parsable_packet_is_empty)
{
    const struct frame frames[] = {arp(0), arp(1000)};
    write_pcap(frames, 2);
    struct nfc_config cfg;
    config(&cfg);
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_JSONL), 0);
    ck_assert_str_eq(output, "");
}
END_TEST

/* ---- statistics and SPLT: float and list rendering ---- */

/* 24 flag counters: syn, cwr, ece, urg, ack, psh, rst, fin for each scope */
#define NO_FLAGS "0,0,0,0,0,0,0,0"

START_TEST(csv_statistics_and_splt)
{
    write_two_flows();
    struct nfc_config cfg;
    config(&cfg);
    cfg.statistical_analysis = true;
    cfg.splt_analysis = 3;
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_CSV), 2);

    const char *stats_header =
        "bidirectional_min_ps,bidirectional_mean_ps,bidirectional_stddev_ps,bidirectional_max_ps,"
        "src2dst_min_ps,src2dst_mean_ps,src2dst_stddev_ps,src2dst_max_ps,"
        "dst2src_min_ps,dst2src_mean_ps,dst2src_stddev_ps,dst2src_max_ps,"
        "bidirectional_min_piat_ms,bidirectional_mean_piat_ms,bidirectional_stddev_piat_ms,bidirectional_max_piat_ms,"
        "src2dst_min_piat_ms,src2dst_mean_piat_ms,src2dst_stddev_piat_ms,src2dst_max_piat_ms,"
        "dst2src_min_piat_ms,dst2src_mean_piat_ms,dst2src_stddev_piat_ms,dst2src_max_piat_ms,"
        "bidirectional_syn_packets,bidirectional_cwr_packets,bidirectional_ece_packets,bidirectional_urg_packets,"
        "bidirectional_ack_packets,bidirectional_psh_packets,bidirectional_rst_packets,bidirectional_fin_packets,"
        "src2dst_syn_packets,src2dst_cwr_packets,src2dst_ece_packets,src2dst_urg_packets,"
        "src2dst_ack_packets,src2dst_psh_packets,src2dst_rst_packets,src2dst_fin_packets,"
        "dst2src_syn_packets,dst2src_cwr_packets,dst2src_ece_packets,dst2src_urg_packets,"
        "dst2src_ack_packets,dst2src_psh_packets,dst2src_rst_packets,dst2src_fin_packets,"
        "splt_direction,splt_ps,splt_piat_ms\n";
    char expected[8192];
    snprintf(expected, sizeof expected,
             "%s,%s"
             /* UDP: sizes 42 and 45 -> mean 43.5, sample stddev sqrt(4.5 / 1) = 2.1213203435596424; one gap of
              * 250 ms; each direction holds one packet, so its piat is all zeros */
             "%s,42,43.5,2.1213203435596424,45,42,42.0,0.0,42,45,45.0,0.0,45,"
             "250,250.0,0.0,250,0,0.0,0.0,0,0,0.0,0.0,0," NO_FLAGS "," NO_FLAGS "," NO_FLAGS ","
             "\"[0, 1, -1]\",\"[42, 45, -1]\",\"[0, 250, -1]\"\n"
             /* TCP: one SYN of 54 bytes, counted in bidirectional and src2dst */
             "%s,54,54.0,0.0,54,54,54.0,0.0,54,0,0.0,0.0,0,"
             "0,0.0,0.0,0,0,0.0,0.0,0,0,0.0,0.0,0,"
             "1,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0," NO_FLAGS ","
             "\"[0, -1, -1]\",\"[54, -1, -1]\",\"[0, -1, -1]\"\n",
             CSV_HEADER, stats_header, CSV_UDP_FLOW, CSV_TCP_FLOW);
    ck_assert_str_eq(output, expected);
}
END_TEST

START_TEST(jsonl_statistics_and_splt)
{
    write_two_flows();
    struct nfc_config cfg;
    config(&cfg);
    cfg.statistical_analysis = true;
    cfg.splt_analysis = 3;
    ck_assert_uint_eq(export(&cfg, NFC_FORMAT_JSONL), 2);
    char *second = strchr(output, '\n');
    ck_assert_ptr_nonnull(second);
    *second++ = '\0';
    /* floats as Python prints them, lists without spaces */
    ck_assert_ptr_nonnull(strstr(output, ",\"bidirectional_min_ps\":42,\"bidirectional_mean_ps\":43.5,"
                                         "\"bidirectional_stddev_ps\":2.1213203435596424,\"bidirectional_max_ps\":45,"
                                         "\"src2dst_min_ps\":42,\"src2dst_mean_ps\":42.0,\"src2dst_stddev_ps\":0.0,"));
    ck_assert_ptr_nonnull(strstr(output, ",\"bidirectional_mean_piat_ms\":250.0,"));
    ck_assert_ptr_nonnull(strstr(output, ",\"dst2src_fin_packets\":0,\"splt_direction\":[0,1,-1],"
                                         "\"splt_ps\":[42,45,-1],\"splt_piat_ms\":[0,250,-1]}"));
    ck_assert_ptr_nonnull(strstr(second, ",\"bidirectional_syn_packets\":1,"));
    ck_assert_ptr_nonnull(
        strstr(second, ",\"splt_direction\":[0,-1,-1],\"splt_ps\":[54,-1,-1],\"splt_piat_ms\":[0,-1,-1]}\n"));
    ck_assert_ptr_eq(strchr(second, '\n'), second + strlen(second) - 1); /* two lines in all */
}
END_TEST

/* ---- the column list ---- */

START_TEST(column_counts)
{
    write_two_flows();
    struct nfc_config cfg;
    config(&cfg);
    char err[256];
    struct nfc_engine *eng = nfc_engine_open(&cfg, err, sizeof err);
    ck_assert_ptr_nonnull(eng);
    const struct nfc_column *cols;
    ck_assert_uint_eq(nfc_engine_columns(eng, &cols), 29); /* the default 38 less the 9 nDPI columns */
    ck_assert_str_eq(cols[0].name, "id");
    ck_assert_int_eq(cols[2].type, NFC_TYPE_IP);
    ck_assert_int_eq(cols[3].type, NFC_TYPE_MAC);
    ck_assert_str_eq(cols[28].name, "dst2src_bytes");
    /* what a sink needs: a unit where one applies, IPFIX elements where standard ones do */
    ck_assert_uint_eq(cols[2].ipfix_id, 8);       /* sourceIPv4Address */
    ck_assert_uint_eq(cols[2].ipfix_id_ipv6, 27); /* sourceIPv6Address */
    ck_assert_uint_eq(cols[9].ipfix_id, 11);      /* dst_port: destinationTransportPort */
    ck_assert_str_eq(cols[14].name, "bidirectional_first_seen_ms");
    ck_assert_str_eq(cols[14].unit, "ms");
    ck_assert_uint_eq(cols[14].ipfix_id, 152); /* flowStartMilliseconds */
    ck_assert_str_eq(cols[22].name, "src2dst_packets");
    ck_assert_str_eq(cols[22].unit, "packets");
    ck_assert_uint_eq(cols[22].ipfix_id, 2); /* packetDeltaCount, forward direction */
    ck_assert_uint_eq(cols[27].ipfix_id, 0); /* dst2src_packets: no standard element */
    ck_assert_ptr_null(cols[0].unit);
    for (size_t i = 0; i < 29; i++)
        ck_assert(!cols[i].may_be_missing);
    nfc_engine_close(eng);

    cfg.statistical_analysis = true;
    cfg.splt_analysis = 3;
    eng = nfc_engine_open(&cfg, err, sizeof err);
    ck_assert_ptr_nonnull(eng);
    ck_assert_uint_eq(nfc_engine_columns(eng, &cols), 80); /* + 48 statistics + 3 SPLT */
    ck_assert_str_eq(cols[30].name, "bidirectional_mean_ps");
    ck_assert_int_eq(cols[30].type, NFC_TYPE_FLOAT);
    ck_assert_str_eq(cols[77].name, "splt_direction");
    ck_assert_int_eq(cols[77].type, NFC_TYPE_INT_LIST);
    nfc_engine_close(eng);
}
END_TEST

/* ---- Python's repr() of a str, as string lists are written in CSV ---- */

START_TEST(python_str_repr)
{
    /* Each expected text is what python3 -c "print(repr(...))" prints; the bytes are UTF-8, in octal. */
    static const struct {
        const char *text;
        size_t len;
        const char *repr;
    } cases[] = {
#define CASE(text, repr) {text, sizeof text - 1, repr}
        CASE("a\302\240b", "'a\\xa0b'"),                /* U+00A0, a space (Zs) other than ' ' */
        CASE("\302\205", "'\\x85'"),                    /* U+0085, a C1 control (Cc) */
        CASE("\302\255", "'\\xad'"),                    /* U+00AD, a format character (Cf) */
        CASE("\342\200\250", "'\\u2028'"),              /* the line separator (Zl) */
        CASE("\342\200\213", "'\\u200b'"),              /* the zero width space (Cf) */
        CASE("\343\200\200", "'\\u3000'"),              /* the ideographic space (Zs) */
        CASE("\357\273\277", "'\\ufeff'"),              /* the byte order mark (Cf) */
        CASE("\357\267\220", "'\\ufdd0'"),              /* a noncharacter (Cn) */
        CASE("\357\277\277", "'\\uffff'"),              /* the last noncharacter of plane 0 */
        CASE("\356\200\200", "'\\ue000'"),              /* private use (Co) */
        CASE("\363\240\200\201", "'\\U000e0001'"),      /* the language tag (Cf) */
        CASE("\364\217\277\277", "'\\U0010ffff'"),      /* the last code point, a noncharacter */
        CASE("\303\251", "'\303\251'"),                 /* e acute: printable, as it is */
        CASE("\302\241", "'\302\241'"),                 /* inverted exclamation mark, just after U+00A0 */
        CASE("\360\237\230\200", "'\360\237\230\200'"), /* an emoji */
        CASE("it's", "\"it's\""),                       /* double quotes around a ' */
        CASE("'\"both\"'", "'\\'\"both\"\\''"),         /* both quotes: single ones, escaped */
        CASE("tab\011\177\000", "'tab\\t\\x7f\\x00'"),  /* ASCII controls */
        CASE("x\\y", "'x\\\\y'"),                       /* the backslash */
        CASE("a\377\342\200", "'a\377\342\200'"),       /* not UTF-8 (no str holds it): bytes as they are */
#undef CASE
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct nfc_text out = {0};
        nfc_format_python_str(&out, cases[i].text, cases[i].len);
        ck_assert(!out.failed);
        ck_assert_msg(out.len == strlen(cases[i].repr) && memcmp(out.p, cases[i].repr, out.len) == 0,
                      "case %zu: %.*s instead of %s", i, (int)out.len, out.p, cases[i].repr);
        nfc_text_free(&out);
    }

    /* a string list's CSV field: each item so, inside one CSV-quoted text */
    struct nfc_string items[] = {{.text = "a\302\240b", .len = 4}, {.text = "c", .len = 1}};
    struct nfc_value v = {.type = NFC_TYPE_STRING_LIST, .as.strings = {items, 2}};
    struct nfc_text out = {0};
    nfc_csv_format.field(&out, NULL, 0, &v);
    ck_assert(!out.failed);
    ck_assert_uint_eq(out.len, strlen("\"['a\\xa0b', 'c']\""));
    ck_assert(memcmp(out.p, "\"['a\\xa0b', 'c']\"", out.len) == 0);
    nfc_text_free(&out);
}
END_TEST

/* JSON strings: exactly '"', '\\' and the bytes below 0x20 escaped, at a string's start, its end and side by side;
 * every other byte (DEL, UTF-8) as it is. */
START_TEST(jsonl_string_escapes)
{
    static const char text[] = "\"a\\b\x01\x1f \x7f\xc3\xa9\\";
    static const char json[] = "\"a\":\"\\\"a\\\\b\\u0001\\u001f \x7f\xc3\xa9\\\\\"";
    struct nfc_value v = {.type = NFC_TYPE_STRING, .as.str = {text, sizeof text - 1}};
    struct nfc_column column = {.name = "a", .type = NFC_TYPE_STRING};
    struct nfc_text out = {0};
    nfc_jsonl_format.field(&out, &column, 0, &v);
    ck_assert_msg(out.len == strlen(json) && memcmp(out.p, json, out.len) == 0, "%.*s", (int)out.len, out.p);
    out.len = 0;
    v.as.str.len = 0;
    nfc_jsonl_format.field(&out, &column, 0, &v);
    ck_assert_msg(out.len == 6 && memcmp(out.p, "\"a\":\"\"", 6) == 0, "%.*s", (int)out.len, out.p);
    nfc_text_free(&out);
}
END_TEST

/* ---- addresses: typed values pointing to the flow's bytes, made text by the writers ---- */

static void assert_address(const struct nfc_value *v, const char *csv, const char *json)
{
    struct nfc_text out = {0};
    nfc_csv_format.field(&out, NULL, 0, v);
    ck_assert_msg(out.len == strlen(csv) && memcmp(out.p, csv, out.len) == 0, "%.*s", (int)out.len, out.p);
    out.len = 0;
    struct nfc_column column = {.name = "a", .type = v->type};
    nfc_jsonl_format.field(&out, &column, 0, v);
    ck_assert_msg(out.len == strlen(json) && memcmp(out.p, json, out.len) == 0, "%.*s", (int)out.len, out.p);
    nfc_text_free(&out);
}

START_TEST(address_text)
{
    static const uint8_t v4[16] = {10, 0, 200, 1};
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t mac[6] = {0x02, 0xab, 0x00, 0x0f, 0xff, 0x10};
    struct nfc_value v = {.type = NFC_TYPE_IP, .as.ip = {v4, 4}};
    struct nfc_value copy = v; /* a value holds no text of its own: its copy reads the same */
    assert_address(&copy, "\"10.0.200.1\"", "\"a\":\"10.0.200.1\"");
    v.as.ip.bytes = v6;
    v.as.ip.version = 6;
    assert_address(&v, "\"2001:db8::1\"", "\"a\":\"2001:db8::1\"");
    v = (struct nfc_value){.type = NFC_TYPE_MAC, .as.mac = {mac, 6}};
    assert_address(&v, "\"02:ab:00:0f:ff:10\"", "\"a\":\"02:ab:00:0f:ff:10\"");
    v.as.mac.len = 3; /* an OUI */
    assert_address(&v, "\"02:ab:00\"", "\"a\":\"02:ab:00\"");
}
END_TEST

static Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *csv = tcase_create("csv");
    tcase_add_checked_fixture(csv, NULL, teardown);
    tcase_add_test(csv, csv_two_flows);
    tcase_add_test(csv, csv_without_tunnel_decoding_has_no_tunnel_id);
    tcase_add_test(csv, csv_accounting_mode_ip);
    tcase_add_test(csv, csv_no_parsable_packet_is_the_header_alone);
    tcase_add_test(csv, csv_empty_capture_is_the_header_alone);
    tcase_add_test(csv, csv_statistics_and_splt);
    suite_add_tcase(s, csv);

    TCase *jsonl = tcase_create("jsonl");
    tcase_add_checked_fixture(jsonl, NULL, teardown);
    tcase_add_test(jsonl, jsonl_two_flows);
    tcase_add_test(jsonl, jsonl_no_parsable_packet_is_empty);
    tcase_add_test(jsonl, jsonl_statistics_and_splt);
    tcase_add_test(jsonl, jsonl_string_escapes);
    suite_add_tcase(s, jsonl);

    TCase *python = tcase_create("python_repr");
    tcase_add_test(python, python_str_repr);
    suite_add_tcase(s, python);

    TCase *addresses = tcase_create("addresses");
    tcase_add_test(addresses, address_text);
    suite_add_tcase(s, addresses);

    TCase *columns = tcase_create("columns");
    tcase_add_checked_fixture(columns, NULL, teardown);
    tcase_add_test(columns, column_counts);
    suite_add_tcase(s, columns);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(export_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
