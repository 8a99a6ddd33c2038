/* make_sample_pcap: writes nfcore's sample capture, a small deterministic classic pcap file holding a
 * realistic mix of flows that nDPI labels: DNS over IPv4 and IPv6, HTTP, TLS with SNI, NTP on an 802.1Q
 * VLAN, mDNS and an ICMP echo. It is the default input of nfcore and a test fixture, so every byte is
 * fixed: timestamps, addresses, sequence numbers and the stand-ins for random and encrypted data.
 *
 * Usage: make_sample_pcap OUT.pcap */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>

enum {
    START_SEC = 1700000000,  /* 2023-11-14 22:13:20 UTC */
    PACKET_GAP_US = 3000,    /* time between consecutive packets */
    SNAPLEN = 65535,
    LINKTYPE_ETHERNET = 1,
    MAX_FRAME = 1518,        /* Ethernet + 802.1Q tag + 1500-byte IP packet */
    MAX_L4 = 1480,           /* largest L4 segment inside an IPv4 packet of 1500 bytes */
};

enum { PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17 };

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_PSH = 0x08, TCP_ACK = 0x10 };

enum { DNS_TYPE_A = 1, DNS_TYPE_PTR = 12, DNS_TYPE_AAAA = 28, DNS_CLASS_IN = 1 };

/* The capture being written. It goes to a temporary file that is renamed into place once complete, so a
 * failed run leaves no partial capture behind; file-scope so that any failure can remove it. */
static struct {
    const char *path;
    char *tmp_path;   /* set once the temporary file exists */
    FILE *file;
    uint64_t now_us;  /* timestamp of the next packet, microseconds since the epoch */
    uint16_t ip_id;   /* next IPv4 identification value */
} out;

noreturn static void fail(const char *reason)
{
    fprintf(stderr, "make_sample_pcap: %s: %s\n", out.path, reason);
    if (out.file != NULL)
        fclose(out.file);
    if (out.tmp_path != NULL)
        remove(out.tmp_path);
    exit(EXIT_FAILURE);
}

/* ---- Byte buffers ---- */

/* A bounded buffer that builders append to; multi-byte fields go in network (big-endian) order. */
struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

#define BUF(array) ((struct buf){(array), 0, sizeof(array)})

static void store_be(uint8_t *p, uint64_t v, size_t width)
{
    for (size_t i = width; i-- > 0; v >>= 8)
        p[i] = (uint8_t)v;
}

static void store_le(uint8_t *p, uint64_t v, size_t width)
{
    for (size_t i = 0; i < width; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint8_t *reserve(struct buf *b, size_t n)
{
    if (n > b->cap - b->len)
        fail("internal error: packet buffer too small");
    uint8_t *p = b->data + b->len;
    b->len += n;
    return p;
}

static void put_u8(struct buf *b, uint8_t v) { *reserve(b, 1) = v; }
static void put_u16(struct buf *b, uint16_t v) { store_be(reserve(b, 2), v, 2); }
static void put_u32(struct buf *b, uint32_t v) { store_be(reserve(b, 4), v, 4); }
static void put_le(struct buf *b, uint64_t v, size_t width) { store_le(reserve(b, width), v, width); }
static void put_zeros(struct buf *b, size_t n) { memset(reserve(b, n), 0, n); }

static void put_bytes(struct buf *b, const void *src, size_t n)
{
    if (n > 0)  /* src is NULL for an empty payload, which memcpy does not allow */
        memcpy(reserve(b, n), src, n);
}

static void put_str(struct buf *b, const char *s) { put_bytes(b, s, strlen(s)); }

/* Deterministic stand-in for random values and ciphertext (xorshift32). */
static void put_noise(struct buf *b, size_t n, uint32_t seed)
{
    uint32_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        put_u8(b, (uint8_t)(x >> 24));
    }
}

/* Length-prefixed fields (TLS vectors, extensions): reserve the prefix now, fill it in once the body is
 * written. */
static size_t open_len(struct buf *b, size_t width)
{
    size_t at = b->len;
    reserve(b, width);
    return at;
}

static void close_len(struct buf *b, size_t at, size_t width)
{
    store_be(b->data + at, b->len - at - width, width);
}

/* ---- pcap file ---- */

static void write_bytes(const void *p, size_t n)
{
    if (fwrite(p, 1, n, out.file) != n)
        fail(strerror(errno));
}

/* Fields are written little-endian explicitly so the file is byte-identical on any host. */
static void write_pcap_header(void)
{
    uint8_t h[24];
    store_le(h + 0, 0xa1b2c3d4, 4);  /* microsecond timestamps */
    store_le(h + 4, 2, 2);           /* version 2.4 */
    store_le(h + 6, 4, 2);
    store_le(h + 8, 0, 4);           /* thiszone: UTC */
    store_le(h + 12, 0, 4);          /* sigfigs */
    store_le(h + 16, SNAPLEN, 4);
    store_le(h + 20, LINKTYPE_ETHERNET, 4);
    write_bytes(h, sizeof h);
}

static void write_packet(const uint8_t *frame, size_t len)
{
    uint8_t h[16];
    store_le(h + 0, out.now_us / 1000000, 4);
    store_le(h + 4, out.now_us % 1000000, 4);
    store_le(h + 8, len, 4);   /* captured length */
    store_le(h + 12, len, 4);  /* original length: nothing is truncated */
    write_bytes(h, sizeof h);
    write_bytes(frame, len);
    out.now_us += PACKET_GAP_US;
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

enum dir { FROM_CLIENT = 0, FROM_SERVER = 1 };

struct flow {
    uint8_t ip_version;         /* 4 or 6 */
    uint8_t proto;              /* PROTO_* */
    uint16_t vlan;              /* 802.1Q VLAN id, 0 when untagged */
    uint8_t cli_mac[6];
    uint8_t srv_mac[6];         /* the router's MAC for off-link servers */
    uint8_t cli_ip[16];         /* IPv4 uses the first 4 bytes */
    uint8_t srv_ip[16];
    uint16_t cli_port;
    uint16_t srv_port;
    uint32_t next_seq[2];       /* TCP: next sequence number each side sends, indexed by enum dir */
};

/* Hosts. Client and router MACs are locally administered; addresses are from the documentation ranges. */
#define CLIENT_MAC {0x02, 0x00, 0x00, 0x00, 0x00, 0x10}
#define ROUTER_MAC {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
#define CLIENT_IP4 {192, 0, 2, 10}
#define CLIENT_IP6 {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10}
#define RESOLVER_IP4 {198, 51, 100, 53}
#define RESOLVER_IP6 {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53}
#define WEB_COM_IP4 {203, 0, 113, 80}   /* www.example.com */
#define WEB_ORG_IP4 {203, 0, 113, 43}   /* www.example.org */

/* Wraps an L4 segment (UDP, TCP or ICMP header included) in Ethernet, an optional 802.1Q tag and IPv4 or
 * IPv6, fills in the L4 and IPv4 checksums and writes the packet. */
static void send_l4(const struct flow *f, enum dir d, uint8_t *l4, size_t l4_len)
{
    const uint8_t *src_ip = d == FROM_CLIENT ? f->cli_ip : f->srv_ip;
    const uint8_t *dst_ip = d == FROM_CLIENT ? f->srv_ip : f->cli_ip;
    uint8_t frame[MAX_FRAME];
    struct buf b = BUF(frame);

    put_bytes(&b, d == FROM_CLIENT ? f->srv_mac : f->cli_mac, 6);
    put_bytes(&b, d == FROM_CLIENT ? f->cli_mac : f->srv_mac, 6);
    if (f->vlan != 0) {
        put_u16(&b, 0x8100);
        put_u16(&b, f->vlan);  /* priority 0 */
    }

    /* Link-local multicast (224.0.0.0/24: mDNS here) goes out with TTL 255, as RFC 6762 section 11 asks. */
    uint8_t ttl = f->ip_version == 4 && dst_ip[0] == 224 && dst_ip[1] == 0 && dst_ip[2] == 0 ? 255 : 64;
    size_t csum_at = f->proto == PROTO_TCP ? 16 : f->proto == PROTO_UDP ? 6 : 2;
    l4[csum_at] = l4[csum_at + 1] = 0;
    uint32_t sum = 0;
    if (f->ip_version == 4) {
        put_u16(&b, 0x0800);
        size_t ip = b.len;
        put_u8(&b, 0x45);  /* version 4, 20-byte header */
        put_u8(&b, 0);
        put_u16(&b, (uint16_t)(20 + l4_len));
        put_u16(&b, out.ip_id++);
        put_u16(&b, 0x4000);  /* don't fragment */
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
        put_u32(&b, 0x60000000);  /* version 6, traffic class 0, flow label 0 */
        put_u16(&b, (uint16_t)l4_len);
        put_u8(&b, f->proto);
        put_u8(&b, ttl);
        put_bytes(&b, src_ip, 16);
        put_bytes(&b, dst_ip, 16);
        sum = sum16(sum16(f->proto + (uint32_t)l4_len, src_ip, 16), dst_ip, 16);
    }
    uint16_t csum = fold(sum16(sum, l4, l4_len));
    if (f->proto == PROTO_UDP && csum == 0)
        csum = 0xffff;  /* a UDP checksum of 0 means "none" */
    store_be(l4 + csum_at, csum, 2);
    put_bytes(&b, l4, l4_len);
    write_packet(frame, b.len);
}

static void send_udp(const struct flow *f, enum dir d, const struct buf *payload)
{
    uint8_t seg[MAX_L4];
    struct buf b = BUF(seg);
    put_u16(&b, d == FROM_CLIENT ? f->cli_port : f->srv_port);
    put_u16(&b, d == FROM_CLIENT ? f->srv_port : f->cli_port);
    put_u16(&b, (uint16_t)(8 + payload->len));
    put_u16(&b, 0);  /* checksum, filled in by send_l4 */
    put_bytes(&b, payload->data, payload->len);
    send_l4(f, d, seg, b.len);
}

/* Sends one TCP segment and advances the sender's sequence number; the ACK number is everything the other
 * side has sent so far, since packets are written in the order they arrive. */
static void send_tcp(struct flow *f, enum dir d, uint8_t flags, const void *payload, size_t len)
{
    bool syn = (flags & TCP_SYN) != 0;
    uint8_t seg[MAX_L4];
    struct buf b = BUF(seg);
    put_u16(&b, d == FROM_CLIENT ? f->cli_port : f->srv_port);
    put_u16(&b, d == FROM_CLIENT ? f->srv_port : f->cli_port);
    put_u32(&b, f->next_seq[d]);
    put_u32(&b, (flags & TCP_ACK) != 0 ? f->next_seq[!d] : 0);
    put_u8(&b, (uint8_t)((syn ? 24 : 20) / 4 << 4));  /* header length in 32-bit words */
    put_u8(&b, flags);
    put_u16(&b, d == FROM_CLIENT ? 64240 : 65160);  /* window */
    put_u16(&b, 0);                                 /* checksum, filled in by send_l4 */
    put_u16(&b, 0);                                 /* urgent pointer */
    if (syn) {
        put_u8(&b, 2);  /* MSS option */
        put_u8(&b, 4);
        put_u16(&b, 1460);
    }
    put_bytes(&b, payload, len);
    f->next_seq[d] += (uint32_t)len + syn + ((flags & TCP_FIN) != 0);
    send_l4(f, d, seg, b.len);
}

static void tcp_handshake(struct flow *f)
{
    send_tcp(f, FROM_CLIENT, TCP_SYN, NULL, 0);
    send_tcp(f, FROM_SERVER, TCP_SYN | TCP_ACK, NULL, 0);
    send_tcp(f, FROM_CLIENT, TCP_ACK, NULL, 0);
}

/* The side that closes first sends FIN, the other answers with its own FIN, and the closer ACKs it. */
static void tcp_close(struct flow *f, enum dir closer)
{
    send_tcp(f, closer, TCP_FIN | TCP_ACK, NULL, 0);
    send_tcp(f, !closer, TCP_FIN | TCP_ACK, NULL, 0);
    send_tcp(f, closer, TCP_ACK, NULL, 0);
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

/* A message with one question and, when rdata is given, one answer record for that question. */
static void dns_message(struct buf *b, uint16_t id, uint16_t flags, const char *name, uint16_t qtype,
                        const uint8_t *rdata, size_t rdlen)
{
    put_u16(b, id);
    put_u16(b, flags);
    put_u16(b, 1);                   /* questions */
    put_u16(b, rdata != NULL);       /* answers */
    put_u16(b, 0);                   /* authority records */
    put_u16(b, 0);                   /* additional records */
    put_dns_name(b, name);
    put_u16(b, qtype);
    put_u16(b, DNS_CLASS_IN);
    if (rdata != NULL) {
        put_u16(b, 0xc00c);          /* compressed name: the question's, at offset 12 */
        put_u16(b, qtype);
        put_u16(b, DNS_CLASS_IN);
        put_u32(b, 3600);            /* TTL */
        put_u16(b, (uint16_t)rdlen);
        put_bytes(b, rdata, rdlen);
    }
}

static void dns_exchange(const struct flow *f, uint16_t id, const char *name, uint16_t qtype,
                         const uint8_t *addr, size_t addr_len)
{
    uint8_t msg[512];
    struct buf b = BUF(msg);
    dns_message(&b, id, 0x0100, name, qtype, NULL, 0);  /* standard query, recursion desired */
    send_udp(f, FROM_CLIENT, &b);

    b = BUF(msg);
    dns_message(&b, id, 0x8180, name, qtype, addr, addr_len);  /* response, recursion available */
    send_udp(f, FROM_SERVER, &b);
}

/* ---- TLS (RFC 8446) ---- */

enum {
    TLS_CHANGE_CIPHER_SPEC = 20,
    TLS_HANDSHAKE = 22,
    TLS_APPLICATION_DATA = 23,
    TLS_CLIENT_HELLO = 1,
    TLS_SERVER_HELLO = 2,
    SEED_SESSION_ID = 0x5e55104e,  /* the server echoes the client's session id, so both use this seed */
};

static size_t open_extension(struct buf *b, uint16_t type)
{
    put_u16(b, type);
    return open_len(b, 2);
}

static void tls_client_hello(struct buf *b, const char *sni)
{
    static const uint16_t suites[] = {
        0x1301, 0x1303, 0x1302,          /* TLS 1.3: AES-128-GCM, ChaCha20-Poly1305, AES-256-GCM */
        0xc02b, 0xc02f, 0xcca9, 0xcca8,  /* ECDHE with AES-128-GCM and ChaCha20-Poly1305 */
        0xc02c, 0xc030,                  /* ECDHE with AES-256-GCM */
    };
    static const uint16_t groups[] = {0x001d, 0x0017, 0x0018};  /* x25519, secp256r1, secp384r1 */
    static const uint16_t sig_algs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    static const char *const alpn[] = {"h2", "http/1.1"};

    put_u8(b, TLS_HANDSHAKE);
    put_u16(b, 0x0301);  /* record version: what clients send for compatibility */
    size_t record = open_len(b, 2);
    put_u8(b, TLS_CLIENT_HELLO);
    size_t hello = open_len(b, 3);
    put_u16(b, 0x0303);  /* legacy_version: TLS 1.2; 1.3 is offered in supported_versions */
    put_noise(b, 32, 0xc11e47);  /* random */
    put_u8(b, 32);
    put_noise(b, 32, SEED_SESSION_ID);

    size_t list = open_len(b, 2);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        put_u16(b, suites[i]);
    close_len(b, list, 2);
    put_u8(b, 1);  /* compression methods: null only */
    put_u8(b, 0);

    size_t exts = open_len(b, 2);
    size_t ext = open_extension(b, 0);  /* server_name */
    list = open_len(b, 2);
    put_u8(b, 0);  /* host_name */
    size_t name = open_len(b, 2);
    put_str(b, sni);
    close_len(b, name, 2);
    close_len(b, list, 2);
    close_len(b, ext, 2);

    close_len(b, open_extension(b, 23), 2);  /* extended_master_secret: empty */

    ext = open_extension(b, 0xff01);  /* renegotiation_info: initial handshake */
    put_u8(b, 0);
    close_len(b, ext, 2);

    ext = open_extension(b, 10);  /* supported_groups */
    list = open_len(b, 2);
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        put_u16(b, groups[i]);
    close_len(b, list, 2);
    close_len(b, ext, 2);

    ext = open_extension(b, 11);  /* ec_point_formats: uncompressed */
    put_u8(b, 1);
    put_u8(b, 0);
    close_len(b, ext, 2);

    close_len(b, open_extension(b, 35), 2);  /* session_ticket: empty, none held */

    ext = open_extension(b, 16);  /* application_layer_protocol_negotiation */
    list = open_len(b, 2);
    for (size_t i = 0; i < sizeof alpn / sizeof alpn[0]; i++) {
        put_u8(b, (uint8_t)strlen(alpn[i]));
        put_str(b, alpn[i]);
    }
    close_len(b, list, 2);
    close_len(b, ext, 2);

    ext = open_extension(b, 51);  /* key_share: one x25519 key */
    list = open_len(b, 2);
    put_u16(b, 0x001d);
    put_u16(b, 32);
    put_noise(b, 32, 0xc11e4e);
    close_len(b, list, 2);
    close_len(b, ext, 2);

    ext = open_extension(b, 43);  /* supported_versions: TLS 1.3, TLS 1.2 */
    put_u8(b, 4);
    put_u16(b, 0x0304);
    put_u16(b, 0x0303);
    close_len(b, ext, 2);

    ext = open_extension(b, 13);  /* signature_algorithms */
    list = open_len(b, 2);
    for (size_t i = 0; i < sizeof sig_algs / sizeof sig_algs[0]; i++)
        put_u16(b, sig_algs[i]);
    close_len(b, list, 2);
    close_len(b, ext, 2);

    ext = open_extension(b, 45);  /* psk_key_exchange_modes: psk_dhe_ke */
    put_u8(b, 1);
    put_u8(b, 1);
    close_len(b, ext, 2);

    close_len(b, exts, 2);
    close_len(b, hello, 3);
    close_len(b, record, 2);
}

static void tls_server_hello(struct buf *b)
{
    put_u8(b, TLS_HANDSHAKE);
    put_u16(b, 0x0303);
    size_t record = open_len(b, 2);
    put_u8(b, TLS_SERVER_HELLO);
    size_t hello = open_len(b, 3);
    put_u16(b, 0x0303);
    put_noise(b, 32, 0x5e1247);  /* random */
    put_u8(b, 32);
    put_noise(b, 32, SEED_SESSION_ID);
    put_u16(b, 0x1301);  /* TLS_AES_128_GCM_SHA256 */
    put_u8(b, 0);        /* null compression */

    size_t exts = open_len(b, 2);
    size_t ext = open_extension(b, 43);  /* supported_versions: TLS 1.3 chosen */
    put_u16(b, 0x0304);
    close_len(b, ext, 2);
    ext = open_extension(b, 51);  /* key_share: the server's x25519 key */
    put_u16(b, 0x001d);
    put_u16(b, 32);
    put_noise(b, 32, 0x5e124e);
    close_len(b, ext, 2);
    close_len(b, exts, 2);

    close_len(b, hello, 3);
    close_len(b, record, 2);
}

/* Sent by both sides in TLS 1.3 for middlebox compatibility. */
static void tls_change_cipher_spec(struct buf *b)
{
    put_u8(b, TLS_CHANGE_CIPHER_SPEC);
    put_u16(b, 0x0303);
    put_u16(b, 1);
    put_u8(b, 1);
}

/* An encrypted record: in TLS 1.3 everything after the ServerHello looks like application data. */
static void tls_app_data(struct buf *b, size_t len, uint32_t seed)
{
    put_u8(b, TLS_APPLICATION_DATA);
    put_u16(b, 0x0303);
    put_u16(b, (uint16_t)len);
    put_noise(b, len, seed);
}

/* ---- NTP (RFC 5905) ---- */

#define NTP_UNIX_OFFSET 2208988800u  /* seconds from 1900-01-01 to 1970-01-01 */

static void put_ntp_time(struct buf *b, uint64_t unix_us)
{
    put_u32(b, (uint32_t)(unix_us / 1000000 + NTP_UNIX_OFFSET));
    put_u32(b, (uint32_t)((((unix_us % 1000000) << 32) + 500000) / 1000000));  /* 2^-32 s, rounded */
}

/* ---- The flows, in capture order ---- */

static void dns_a_example_com(void)
{
    static const uint8_t addr[] = WEB_COM_IP4;
    struct flow f = {
        .ip_version = 4, .proto = PROTO_UDP,
        .cli_mac = CLIENT_MAC, .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4, .srv_ip = RESOLVER_IP4,
        .cli_port = 45001, .srv_port = 53,
    };
    dns_exchange(&f, 0x1a01, "www.example.com", DNS_TYPE_A, addr, sizeof addr);
}

static void http_example_com(void)
{
    static const char request[] =
        "GET / HTTP/1.1\r\n"
        "Host: www.example.com\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
        "Accept-Language: en-US,en;q=0.5\r\n"
        "Connection: close\r\n"
        "\r\n";
    static const char body[] =
        "<!doctype html>\n"
        "<html><head><title>Example Domain</title></head>\n"
        "<body><h1>Example Domain</h1><p>This domain is for use in examples.</p></body></html>\n";
    char response[512];
    int n = snprintf(response, sizeof response,
                     "HTTP/1.1 200 OK\r\n"
                     "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
                     "Server: nginx\r\n"
                     "Content-Type: text/html\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: close\r\n"
                     "\r\n"
                     "%s",
                     strlen(body), body);
    if (n < 0 || (size_t)n >= sizeof response)
        fail("internal error: HTTP response buffer too small");

    struct flow f = {
        .ip_version = 4, .proto = PROTO_TCP,
        .cli_mac = CLIENT_MAC, .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4, .srv_ip = WEB_COM_IP4,
        .cli_port = 45002, .srv_port = 80,
        .next_seq = {0x1b2c3d4e, 0x8a9b0c1d},
    };
    tcp_handshake(&f);
    send_tcp(&f, FROM_CLIENT, TCP_PSH | TCP_ACK, request, strlen(request));
    send_tcp(&f, FROM_SERVER, TCP_PSH | TCP_ACK, response, (size_t)n);
    send_tcp(&f, FROM_CLIENT, TCP_ACK, NULL, 0);
    tcp_close(&f, FROM_SERVER);  /* "Connection: close": the server closes first */
}

static void dns_a_example_org(void)
{
    static const uint8_t addr[] = WEB_ORG_IP4;
    struct flow f = {
        .ip_version = 4, .proto = PROTO_UDP,
        .cli_mac = CLIENT_MAC, .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4, .srv_ip = RESOLVER_IP4,
        .cli_port = 45003, .srv_port = 53,
    };
    dns_exchange(&f, 0x1a02, "www.example.org", DNS_TYPE_A, addr, sizeof addr);
}

static void tls_example_org(void)
{
    struct flow f = {
        .ip_version = 4, .proto = PROTO_TCP,
        .cli_mac = CLIENT_MAC, .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4, .srv_ip = WEB_ORG_IP4,
        .cli_port = 45004, .srv_port = 443,
        .next_seq = {0x2c3d4e5f, 0x9bac1d2e},
    };
    uint8_t data[MAX_L4 - 20];
    struct buf b;

    tcp_handshake(&f);

    b = BUF(data);
    tls_client_hello(&b, "www.example.org");
    send_tcp(&f, FROM_CLIENT, TCP_PSH | TCP_ACK, b.data, b.len);

    /* ServerHello, then the encrypted rest of the server's handshake flight. */
    b = BUF(data);
    tls_server_hello(&b);
    tls_change_cipher_spec(&b);
    tls_app_data(&b, 1024, 0x5e17);
    send_tcp(&f, FROM_SERVER, TCP_PSH | TCP_ACK, b.data, b.len);

    /* Client Finished, then the HTTP/2 request. */
    b = BUF(data);
    tls_change_cipher_spec(&b);
    tls_app_data(&b, 53, 0xc1f1);
    send_tcp(&f, FROM_CLIENT, TCP_PSH | TCP_ACK, b.data, b.len);
    b = BUF(data);
    tls_app_data(&b, 112, 0xc1da);
    send_tcp(&f, FROM_CLIENT, TCP_PSH | TCP_ACK, b.data, b.len);

    b = BUF(data);
    tls_app_data(&b, 640, 0x5eda);
    send_tcp(&f, FROM_SERVER, TCP_PSH | TCP_ACK, b.data, b.len);
    send_tcp(&f, FROM_CLIENT, TCP_ACK, NULL, 0);

    tcp_close(&f, FROM_CLIENT);
}

static void dns_aaaa_example_com_ipv6(void)
{
    static const uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x80};
    struct flow f = {
        .ip_version = 6, .proto = PROTO_UDP,
        .cli_mac = CLIENT_MAC, .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP6, .srv_ip = RESOLVER_IP6,
        .cli_port = 45005, .srv_port = 53,
    };
    dns_exchange(&f, 0x1a03, "www.example.com", DNS_TYPE_AAAA, addr, sizeof addr);
}

/* NTPv4 client request and server reply, on VLAN 100. */
static void ntp_vlan(void)
{
    struct flow f = {
        .ip_version = 4, .proto = PROTO_UDP, .vlan = 100,
        .cli_mac = CLIENT_MAC, .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4, .srv_ip = {198, 51, 100, 123},
        .cli_port = 45006, .srv_port = 123,
    };
    uint8_t msg[48];
    struct buf b = BUF(msg);

    uint64_t sent_us = out.now_us;
    put_u8(&b, 0 << 6 | 4 << 3 | 3);  /* leap indicator 0, version 4, mode 3 (client) */
    put_u8(&b, 0);                    /* stratum: unspecified */
    put_u8(&b, 6);                    /* poll: 64 s */
    put_u8(&b, 0xe9);                 /* precision: 2^-23 s */
    put_u32(&b, 0);                   /* root delay */
    put_u32(&b, 0);                   /* root dispersion */
    put_u32(&b, 0);                   /* reference id */
    put_zeros(&b, 24);                /* reference, origin and receive timestamps: unset */
    put_ntp_time(&b, sent_us);        /* transmit timestamp */
    send_udp(&f, FROM_CLIENT, &b);

    b = BUF(msg);
    put_u8(&b, 0 << 6 | 4 << 3 | 4);  /* leap indicator 0, version 4, mode 4 (server) */
    put_u8(&b, 2);                    /* stratum 2: synchronised to a stratum-1 server */
    put_u8(&b, 6);
    put_u8(&b, 0xe9);
    put_u32(&b, 0x00000150);          /* root delay: about 5 ms, 16.16 fixed point */
    put_u32(&b, 0x00000290);          /* root dispersion: about 10 ms */
    put_bytes(&b, (const uint8_t[]){203, 0, 113, 123}, 4);  /* reference id: the upstream server */
    put_ntp_time(&b, out.now_us - 64 * 1000000);             /* last synchronised a poll ago */
    put_ntp_time(&b, sent_us);                               /* origin: the client's transmit time */
    put_ntp_time(&b, out.now_us - PACKET_GAP_US / 2);        /* receive, half a round trip ago */
    put_ntp_time(&b, out.now_us - PACKET_GAP_US / 2 + 40);   /* transmit */
    send_udp(&f, FROM_SERVER, &b);
}

/* A multicast DNS query for HTTP services on the local link (RFC 6762). */
static void mdns_query(void)
{
    struct flow f = {
        .ip_version = 4, .proto = PROTO_UDP,
        .cli_mac = CLIENT_MAC, .srv_mac = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb},  /* 224.0.0.251 */
        .cli_ip = CLIENT_IP4, .srv_ip = {224, 0, 0, 251},
        .cli_port = 5353, .srv_port = 5353,
    };
    uint8_t msg[512];
    struct buf b = BUF(msg);
    dns_message(&b, 0, 0, "_http._tcp.local", DNS_TYPE_PTR, NULL, 0);
    send_udp(&f, FROM_CLIENT, &b);
}

/* An echo message with the payload layout of Linux ping: the request's send time, then bytes 0x10..0x37. */
static void icmp_echo_message(struct buf *b, uint8_t type, uint64_t sent_us)
{
    put_u8(b, type);
    put_u8(b, 0);        /* code */
    put_u16(b, 0);       /* checksum, filled in by send_l4 */
    put_u16(b, 0x4e43);  /* identifier */
    put_u16(b, 1);       /* sequence number */
    put_le(b, sent_us / 1000000, 8);
    put_le(b, sent_us % 1000000, 8);
    for (uint8_t i = 0x10; i < 0x38; i++)
        put_u8(b, i);
}

static void icmp_echo(void)
{
    struct flow f = {
        .ip_version = 4, .proto = PROTO_ICMP,
        .cli_mac = CLIENT_MAC, .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4, .srv_ip = {198, 51, 100, 1},
    };
    uint8_t msg[64];
    uint64_t sent_us = out.now_us;

    struct buf b = BUF(msg);
    icmp_echo_message(&b, 8, sent_us);  /* echo request */
    send_l4(&f, FROM_CLIENT, msg, b.len);

    b = BUF(msg);
    icmp_echo_message(&b, 0, sent_us);  /* echo reply: the request's data, echoed */
    send_l4(&f, FROM_SERVER, msg, b.len);
}

static void (*const flows[])(void) = {
    dns_a_example_com,
    http_example_com,
    dns_a_example_org,
    tls_example_org,
    dns_aaaa_example_com_ipv6,
    ntp_vlan,
    mdns_query,
    icmp_echo,
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_sample_pcap OUT.pcap\n");
        return EXIT_FAILURE;
    }
    out.path = argv[1];
    out.now_us = (uint64_t)START_SEC * 1000000;
    out.ip_id = 0x2a00;

    size_t len = strlen(out.path);
    char *tmp_path = malloc(len + sizeof ".tmp");
    if (tmp_path == NULL)
        fail("out of memory");
    memcpy(tmp_path, out.path, len);
    memcpy(tmp_path + len, ".tmp", sizeof ".tmp");
    out.file = fopen(tmp_path, "wb");
    if (out.file == NULL)
        fail(strerror(errno));
    out.tmp_path = tmp_path;

    write_pcap_header();
    for (size_t i = 0; i < sizeof flows / sizeof flows[0]; i++)
        flows[i]();

    FILE *file = out.file;
    out.file = NULL;
    if (fclose(file) != 0 || rename(out.tmp_path, out.path) != 0)
        fail(strerror(errno));
    free(tmp_path);
    return EXIT_SUCCESS;
}
