/* pcap_writer: what the capture generators share: a classic pcap file written through a temporary file,
 * bounded byte buffers, the Internet checksum, and builders for Ethernet/IP packets carrying TCP, UDP, ICMP,
 * DNS, TLS and ping messages. Every field is written in a fixed byte order, so the files are byte-identical
 * on any host. One capture per process: the state is the global `capture`. */

#ifndef NFC_TOOLS_PCAP_WRITER_H
#define NFC_TOOLS_PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <string.h>

enum {
    MAX_FRAME = 1518, /* Ethernet + 802.1Q tag + 1500-byte IP packet */
    MAX_L4 = 1480,    /* largest L4 segment inside an IPv4 packet of 1500 bytes */
};

enum { PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMPV6 = 58 };

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };

enum { DNS_TYPE_A = 1, DNS_TYPE_PTR = 12, DNS_TYPE_AAAA = 28, DNS_CLASS_IN = 1 };

/* The capture being written. It goes to a temporary file that is renamed into place once complete, so a
 * failed run leaves no partial capture behind. */
struct capture {
    const char *prog; /* program name, for messages */
    const char *path;
    char *tmp_path; /* set once the temporary file exists */
    FILE *file;
    uint64_t now_us;    /* timestamp of the next packet, microseconds since the epoch */
    uint32_t gap_us;    /* added to now_us after each packet; 0 when the caller sets now_us itself */
    uint16_t ip_id;     /* next IPv4 identification value */
    uint16_t min_frame; /* shorter frames are padded with zeros to this length, as on the wire */
};

extern struct capture capture;

/* Reports the failure, removes the temporary file and exits. */
noreturn void capture_fail(const char *reason);

/* Creates the temporary file and writes the file header; capture.prog must be set. */
void capture_open(const char *path);

/* Writes one frame with timestamp capture.now_us. */
void capture_packet(const uint8_t *frame, size_t len);

/* Flushes the file and renames it into place. */
void capture_close(void);

/* ---- Byte buffers ---- */

/* A bounded buffer that builders append to; multi-byte fields go in network (big-endian) order. */
struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

#define BUF(array) ((struct buf){(array), 0, sizeof(array)})

static inline void store_be(uint8_t *p, uint64_t v, size_t width)
{
    for (size_t i = width; i-- > 0; v >>= 8)
        p[i] = (uint8_t)v;
}

static inline void store_le(uint8_t *p, uint64_t v, size_t width)
{
    for (size_t i = 0; i < width; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static inline uint8_t *reserve(struct buf *b, size_t n)
{
    if (n > b->cap - b->len)
        capture_fail("internal error: packet buffer too small");
    uint8_t *p = b->data + b->len;
    b->len += n;
    return p;
}

static inline void put_u8(struct buf *b, uint8_t v)
{
    *reserve(b, 1) = v;
}
static inline void put_u16(struct buf *b, uint16_t v)
{
    store_be(reserve(b, 2), v, 2);
}
static inline void put_u32(struct buf *b, uint32_t v)
{
    store_be(reserve(b, 4), v, 4);
}
static inline void put_le(struct buf *b, uint64_t v, size_t width)
{
    store_le(reserve(b, width), v, width);
}
static inline void put_zeros(struct buf *b, size_t n)
{
    memset(reserve(b, n), 0, n);
}

static inline void put_bytes(struct buf *b, const void *src, size_t n)
{
    if (n > 0) /* src is NULL for an empty payload, which memcpy does not allow */
        memcpy(reserve(b, n), src, n);
}

static inline void put_str(struct buf *b, const char *s)
{
    put_bytes(b, s, strlen(s));
}

/* Deterministic stand-in for random values and ciphertext (xorshift32). */
void put_noise(struct buf *b, size_t n, uint32_t seed);

/* Length-prefixed fields (TLS vectors, extensions): reserve the prefix now, fill it in once the body is
 * written. */
static inline size_t open_len(struct buf *b, size_t width)
{
    size_t at = b->len;
    reserve(b, width);
    return at;
}

static inline void close_len(struct buf *b, size_t at, size_t width)
{
    store_be(b->data + at, b->len - at - width, width);
}

/* ---- Flows and packet builders ---- */

enum dir { FROM_CLIENT = 0, FROM_SERVER = 1 };

struct flow {
    uint8_t ip_version; /* 4 or 6 */
    uint8_t proto;      /* PROTO_* */
    uint16_t vlan;      /* 802.1Q VLAN id, 0 when untagged */
    uint8_t cli_mac[6];
    uint8_t srv_mac[6]; /* the router's MAC for off-link servers */
    uint8_t cli_ip[16]; /* IPv4 uses the first 4 bytes */
    uint8_t srv_ip[16];
    uint16_t cli_port;
    uint16_t srv_port;
    uint32_t next_seq[2]; /* TCP: next sequence number each side sends, indexed by enum dir */
};

/* Wraps an L4 segment (UDP, TCP or ICMP header included) in Ethernet, an optional 802.1Q tag and IPv4 or
 * IPv6, fills in the L4 and IPv4 checksums and writes the packet. */
void send_l4(const struct flow *f, enum dir d, uint8_t *l4, size_t l4_len);

void send_udp(const struct flow *f, enum dir d, const struct buf *payload);

/* Sends one TCP segment and advances the sender's sequence number. */
void send_tcp(struct flow *f, enum dir d, uint8_t flags, const void *payload, size_t len);

/* ---- Messages ---- */

/* A DNS message with one question and, when rdata is given, one answer record for that question. */
void dns_message(struct buf *b, uint16_t id, uint16_t flags, const char *name, uint16_t qtype, const uint8_t *rdata,
                 size_t rdlen);

/* A TLS 1.3 ClientHello record as a current browser sends it, asking for `sni`. */
void tls_client_hello(struct buf *b, const char *sni);

/* The ServerHello record answering tls_client_hello. */
void tls_server_hello(struct buf *b);

void tls_change_cipher_spec(struct buf *b);

/* An encrypted record of len bytes. */
void tls_app_data(struct buf *b, size_t len, uint32_t seed);

/* An ICMP echo message with the payload layout of Linux ping: the request's send time, then bytes
 * 0x10..0x37. */
void icmp_echo_message(struct buf *b, uint8_t type, uint16_t ident, uint16_t seq, uint64_t sent_us);

#endif
