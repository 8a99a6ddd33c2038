/* pcap_writer: the shared part of the capture generators; see pcap_writer.h. */

#include "pcap_writer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

enum {
    SNAPLEN = 65535,
    LINKTYPE_ETHERNET = 1,
    OUT_BUFFER = 1 << 20, /* large writes: generated captures run to gigabytes */
};

struct capture capture;

noreturn void capture_fail(const char *reason)
{
    fprintf(stderr, "%s: %s: %s\n", capture.prog, capture.path, reason);
    if (capture.file != NULL)
        fclose(capture.file);
    if (capture.tmp_path != NULL)
        remove(capture.tmp_path);
    exit(EXIT_FAILURE);
}

/* ---- pcap file ---- */

static void write_bytes(const void *p, size_t n)
{
    if (fwrite(p, 1, n, capture.file) != n)
        capture_fail(strerror(errno));
}

/* Fields are written little-endian explicitly so the file is byte-identical on any host. */
static void write_pcap_header(void)
{
    uint8_t h[24];
    store_le(h + 0, 0xa1b2c3d4, 4); /* microsecond timestamps */
    store_le(h + 4, 2, 2);          /* version 2.4 */
    store_le(h + 6, 4, 2);
    store_le(h + 8, 0, 4);  /* thiszone: UTC */
    store_le(h + 12, 0, 4); /* sigfigs */
    store_le(h + 16, SNAPLEN, 4);
    store_le(h + 20, LINKTYPE_ETHERNET, 4);
    write_bytes(h, sizeof h);
}

void capture_open(const char *path)
{
    capture.path = path;
    size_t len = strlen(path);
    char *tmp_path = malloc(len + sizeof ".tmp");
    if (tmp_path == NULL)
        capture_fail("out of memory");
    memcpy(tmp_path, path, len);
    memcpy(tmp_path + len, ".tmp", sizeof ".tmp");
    capture.file = fopen(tmp_path, "wb");
    if (capture.file == NULL) {
        free(tmp_path);
        capture_fail(strerror(errno));
    }
    capture.tmp_path = tmp_path;
    if (setvbuf(capture.file, NULL, _IOFBF, OUT_BUFFER) != 0)
        capture_fail("cannot set the output buffer");
    write_pcap_header();
}

void capture_packet(const uint8_t *frame, size_t len)
{
    static const uint8_t padding[64];
    size_t pad = len < capture.min_frame ? capture.min_frame - len : 0;
    uint8_t h[16];
    store_le(h + 0, capture.now_us / 1000000, 4);
    store_le(h + 4, capture.now_us % 1000000, 4);
    store_le(h + 8, len + pad, 4);  /* captured length */
    store_le(h + 12, len + pad, 4); /* original length: nothing is truncated */
    write_bytes(h, sizeof h);
    write_bytes(frame, len);
    if (pad > sizeof padding)
        capture_fail("internal error: minimum frame length too large");
    write_bytes(padding, pad);
    capture.now_us += capture.gap_us;
}

void capture_close(void)
{
    FILE *file = capture.file;
    capture.file = NULL;
    if (fclose(file) != 0 || rename(capture.tmp_path, capture.path) != 0)
        capture_fail(strerror(errno));
    free(capture.tmp_path);
    capture.tmp_path = NULL;
}

/* ---- Byte buffers ---- */

void put_noise(struct buf *b, size_t n, uint32_t seed)
{
    uint32_t x = seed | 1;
    uint8_t *p = reserve(b, n);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)(x >> 24);
    }
}

/* ---- Internet checksum (RFC 1071) ---- */

/* Adds n bytes as big-endian 16-bit words; an odd trailing byte is padded with zero, so only the last
 * chunk summed may have odd length. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n % 2 != 0)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16 != 0)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ---- Flows and packet builders ---- */

void send_l4(const struct flow *f, enum dir d, uint8_t *l4, size_t l4_len)
{
    const uint8_t *src_ip = d == FROM_CLIENT ? f->cli_ip : f->srv_ip;
    const uint8_t *dst_ip = d == FROM_CLIENT ? f->srv_ip : f->cli_ip;
    uint8_t frame[MAX_FRAME];
    struct buf b = BUF(frame);

    put_bytes(&b, d == FROM_CLIENT ? f->srv_mac : f->cli_mac, 6);
    put_bytes(&b, d == FROM_CLIENT ? f->cli_mac : f->srv_mac, 6);
    if (f->vlan != 0) {
        put_u16(&b, 0x8100);
        put_u16(&b, f->vlan); /* priority 0 */
    }

    /* Link-local multicast (224.0.0.0/24, mDNS for one) goes out with TTL 255, as RFC 6762 section 11 asks. */
    uint8_t ttl = f->ip_version == 4 && dst_ip[0] == 224 && dst_ip[1] == 0 && dst_ip[2] == 0 ? 255 : 64;
    size_t csum_at = f->proto == PROTO_TCP ? 16 : f->proto == PROTO_UDP ? 6 : 2;
    l4[csum_at] = l4[csum_at + 1] = 0;
    uint32_t sum = 0;
    if (f->ip_version == 4) {
        put_u16(&b, 0x0800);
        size_t ip = b.len;
        put_u8(&b, 0x45); /* version 4, 20-byte header */
        put_u8(&b, 0);
        put_u16(&b, (uint16_t)(20 + l4_len));
        put_u16(&b, capture.ip_id++);
        put_u16(&b, 0x4000); /* don't fragment */
        put_u8(&b, ttl);
        put_u8(&b, f->proto);
        put_u16(&b, 0);
        put_bytes(&b, src_ip, 4);
        put_bytes(&b, dst_ip, 4);
        store_be(frame + ip + 10, fold(sum16(0, frame + ip, 20)), 2);
        /* ICMPv4 is the one L4 checksum without a pseudo-header. */
        if (f->proto != PROTO_ICMP)
            sum = sum16(sum16(f->proto + (uint32_t)l4_len, src_ip, 4), dst_ip, 4);
    } else {
        put_u16(&b, 0x86dd);
        put_u32(&b, 0x60000000); /* version 6, traffic class 0, flow label 0 */
        put_u16(&b, (uint16_t)l4_len);
        put_u8(&b, f->proto);
        put_u8(&b, ttl);
        put_bytes(&b, src_ip, 16);
        put_bytes(&b, dst_ip, 16);
        sum = sum16(sum16(f->proto + (uint32_t)l4_len, src_ip, 16), dst_ip, 16);
    }
    uint16_t csum = fold(sum16(sum, l4, l4_len));
    if (f->proto == PROTO_UDP && csum == 0)
        csum = 0xffff; /* a UDP checksum of 0 means "none" */
    store_be(l4 + csum_at, csum, 2);
    put_bytes(&b, l4, l4_len);
    capture_packet(frame, b.len);
}

void send_udp(const struct flow *f, enum dir d, const struct buf *payload)
{
    uint8_t seg[MAX_L4];
    struct buf b = BUF(seg);
    put_u16(&b, d == FROM_CLIENT ? f->cli_port : f->srv_port);
    put_u16(&b, d == FROM_CLIENT ? f->srv_port : f->cli_port);
    put_u16(&b, (uint16_t)(8 + payload->len));
    put_u16(&b, 0); /* checksum, filled in by send_l4 */
    put_bytes(&b, payload->data, payload->len);
    send_l4(f, d, seg, b.len);
}

/* The ACK number is everything the other side has sent so far, since packets are written in the order they
 * arrive. */
void send_tcp(struct flow *f, enum dir d, uint8_t flags, const void *payload, size_t len)
{
    bool syn = (flags & TCP_SYN) != 0;
    uint8_t seg[MAX_L4];
    struct buf b = BUF(seg);
    put_u16(&b, d == FROM_CLIENT ? f->cli_port : f->srv_port);
    put_u16(&b, d == FROM_CLIENT ? f->srv_port : f->cli_port);
    put_u32(&b, f->next_seq[d]);
    put_u32(&b, (flags & TCP_ACK) != 0 ? f->next_seq[!d] : 0);
    put_u8(&b, (uint8_t)((syn ? 24 : 20) / 4 << 4)); /* header length in 32-bit words */
    put_u8(&b, flags);
    put_u16(&b, d == FROM_CLIENT ? 64240 : 65160); /* window */
    put_u16(&b, 0);                                /* checksum, filled in by send_l4 */
    put_u16(&b, 0);                                /* urgent pointer */
    if (syn) {
        put_u8(&b, 2); /* MSS option */
        put_u8(&b, 4);
        put_u16(&b, 1460);
    }
    put_bytes(&b, payload, len);
    f->next_seq[d] += (uint32_t)len + syn + ((flags & TCP_FIN) != 0);
    send_l4(f, d, seg, b.len);
}

/* ---- DNS (RFC 1035) ---- */

static void put_dns_name(struct buf *b, const char *name)
{
    while (*name != '\0') {
        size_t label = strcspn(name, ".");
        put_u8(b, (uint8_t)label);
        put_bytes(b, name, label);
        name += label + (name[label] == '.');
    }
    put_u8(b, 0);
}

void dns_message(struct buf *b, uint16_t id, uint16_t flags, const char *name, uint16_t qtype, const uint8_t *rdata,
                 size_t rdlen)
{
    put_u16(b, id);
    put_u16(b, flags);
    put_u16(b, 1);             /* questions */
    put_u16(b, rdata != NULL); /* answers */
    put_u16(b, 0);             /* authority records */
    put_u16(b, 0);             /* additional records */
    put_dns_name(b, name);
    put_u16(b, qtype);
    put_u16(b, DNS_CLASS_IN);
    if (rdata != NULL) {
        put_u16(b, 0xc00c); /* compressed name: the question's, at offset 12 */
        put_u16(b, qtype);
        put_u16(b, DNS_CLASS_IN);
        put_u32(b, 3600); /* TTL */
        put_u16(b, (uint16_t)rdlen);
        put_bytes(b, rdata, rdlen);
    }
}

/* ---- TLS (RFC 8446) ---- */

enum {
    TLS_CHANGE_CIPHER_SPEC = 20,
    TLS_HANDSHAKE = 22,
    TLS_APPLICATION_DATA = 23,
    TLS_CLIENT_HELLO = 1,
    TLS_SERVER_HELLO = 2,
    SEED_SESSION_ID = 0x5e55104e, /* the server echoes the client's session id, so both use this seed */
};

static size_t open_extension(struct buf *b, uint16_t type)
{
    put_u16(b, type);
    return open_len(b, 2);
}

/* An extension holding one list of 16-bit values (supported_groups, signature_algorithms). */
static void put_u16_list_extension(struct buf *b, uint16_t type, const uint16_t *values, size_t n)
{
    size_t ext = open_extension(b, type);
    size_t list = open_len(b, 2);
    for (size_t i = 0; i < n; i++)
        put_u16(b, values[i]);
    close_len(b, list, 2);
    close_len(b, ext, 2);
}

void tls_client_hello(struct buf *b, const char *sni)
{
    static const uint16_t suites[] = {
        0x1301, 0x1303, 0x1302,         /* TLS 1.3: AES-128-GCM, ChaCha20-Poly1305, AES-256-GCM */
        0xc02b, 0xc02f, 0xcca9, 0xcca8, /* ECDHE with AES-128-GCM and ChaCha20-Poly1305 */
        0xc02c, 0xc030,                 /* ECDHE with AES-256-GCM */
    };
    static const uint16_t groups[] = {0x001d, 0x0017, 0x0018}; /* x25519, secp256r1, secp384r1 */
    static const uint16_t sig_algs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    static const char *const alpn[] = {"h2", "http/1.1"};

    put_u8(b, TLS_HANDSHAKE);
    put_u16(b, 0x0301); /* record version: what clients send for compatibility */
    size_t record = open_len(b, 2);
    put_u8(b, TLS_CLIENT_HELLO);
    size_t hello = open_len(b, 3);
    put_u16(b, 0x0303);         /* legacy_version: TLS 1.2; 1.3 is offered in supported_versions */
    put_noise(b, 32, 0xc11e47); /* random */
    put_u8(b, 32);
    put_noise(b, 32, SEED_SESSION_ID);

    size_t list = open_len(b, 2);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        put_u16(b, suites[i]);
    close_len(b, list, 2);
    put_u8(b, 1); /* compression methods: null only */
    put_u8(b, 0);

    size_t exts = open_len(b, 2);
    size_t ext = open_extension(b, 0); /* server_name */
    list = open_len(b, 2);
    put_u8(b, 0); /* host_name */
    size_t name = open_len(b, 2);
    put_str(b, sni);
    close_len(b, name, 2);
    close_len(b, list, 2);
    close_len(b, ext, 2);

    close_len(b, open_extension(b, 23), 2); /* extended_master_secret: empty */

    ext = open_extension(b, 0xff01); /* renegotiation_info: initial handshake */
    put_u8(b, 0);
    close_len(b, ext, 2);

    put_u16_list_extension(b, 10, groups, sizeof groups / sizeof groups[0]); /* supported_groups */

    ext = open_extension(b, 11); /* ec_point_formats: uncompressed */
    put_u8(b, 1);
    put_u8(b, 0);
    close_len(b, ext, 2);

    close_len(b, open_extension(b, 35), 2); /* session_ticket: empty, none held */

    ext = open_extension(b, 16); /* application_layer_protocol_negotiation */
    list = open_len(b, 2);
    for (size_t i = 0; i < sizeof alpn / sizeof alpn[0]; i++) {
        put_u8(b, (uint8_t)strlen(alpn[i]));
        put_str(b, alpn[i]);
    }
    close_len(b, list, 2);
    close_len(b, ext, 2);

    ext = open_extension(b, 51); /* key_share: one x25519 key */
    list = open_len(b, 2);
    put_u16(b, 0x001d);
    put_u16(b, 32);
    put_noise(b, 32, 0xc11e4e);
    close_len(b, list, 2);
    close_len(b, ext, 2);

    ext = open_extension(b, 43); /* supported_versions: TLS 1.3, TLS 1.2 */
    put_u8(b, 4);
    put_u16(b, 0x0304);
    put_u16(b, 0x0303);
    close_len(b, ext, 2);

    put_u16_list_extension(b, 13, sig_algs, sizeof sig_algs / sizeof sig_algs[0]); /* signature_algorithms */

    ext = open_extension(b, 45); /* psk_key_exchange_modes: psk_dhe_ke */
    put_u8(b, 1);
    put_u8(b, 1);
    close_len(b, ext, 2);

    close_len(b, exts, 2);
    close_len(b, hello, 3);
    close_len(b, record, 2);
}

void tls_server_hello(struct buf *b)
{
    put_u8(b, TLS_HANDSHAKE);
    put_u16(b, 0x0303);
    size_t record = open_len(b, 2);
    put_u8(b, TLS_SERVER_HELLO);
    size_t hello = open_len(b, 3);
    put_u16(b, 0x0303);
    put_noise(b, 32, 0x5e1247); /* random */
    put_u8(b, 32);
    put_noise(b, 32, SEED_SESSION_ID);
    put_u16(b, 0x1301); /* TLS_AES_128_GCM_SHA256 */
    put_u8(b, 0);       /* null compression */

    size_t exts = open_len(b, 2);
    size_t ext = open_extension(b, 43); /* supported_versions: TLS 1.3 chosen */
    put_u16(b, 0x0304);
    close_len(b, ext, 2);
    ext = open_extension(b, 51); /* key_share: the server's x25519 key */
    put_u16(b, 0x001d);
    put_u16(b, 32);
    put_noise(b, 32, 0x5e124e);
    close_len(b, ext, 2);
    close_len(b, exts, 2);

    close_len(b, hello, 3);
    close_len(b, record, 2);
}

/* Sent by both sides in TLS 1.3 for middlebox compatibility. */
void tls_change_cipher_spec(struct buf *b)
{
    put_u8(b, TLS_CHANGE_CIPHER_SPEC);
    put_u16(b, 0x0303);
    put_u16(b, 1);
    put_u8(b, 1);
}

/* In TLS 1.3 everything after the ServerHello looks like application data. */
void tls_app_data(struct buf *b, size_t len, uint32_t seed)
{
    put_u8(b, TLS_APPLICATION_DATA);
    put_u16(b, 0x0303);
    put_u16(b, (uint16_t)len);
    put_noise(b, len, seed);
}

/* ---- ICMP echo ---- */

void icmp_echo_message(struct buf *b, uint8_t type, uint16_t ident, uint16_t seq, uint64_t sent_us)
{
    put_u8(b, type);
    put_u8(b, 0);  /* code */
    put_u16(b, 0); /* checksum, filled in by send_l4 */
    put_u16(b, ident);
    put_u16(b, seq);
    put_le(b, sent_us / 1000000, 8);
    put_le(b, sent_us % 1000000, 8);
    for (uint8_t i = 0x10; i < 0x38; i++)
        put_u8(b, i);
}
