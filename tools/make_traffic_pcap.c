/* make_traffic_pcap: writes a large deterministic capture of synthetic traffic, for testing nfcore under load
 * and across meter thread counts. Many hosts talk to a pool of servers over IPv4 and IPv6, some on 802.1Q
 * VLANs: TCP flows (handshake, HTTP, TLS, SSH or opaque data both ways, then FIN or RST; some refused or left
 * half open), DNS queries and answers, other UDP, and ICMP echo. A fixed number of flows are open at once, so
 * their packets interleave; a few flows fall silent for longer than nfcore's idle timeout (120 s) and a few
 * last longer than its active timeout (1800 s). With --one-packet every flow is a single small packet from a
 * source of its own, as in a flood or a scan. The same options give the same bytes.
 *
 * The capture is streamed to disk: memory holds the open flows, never the packets written.
 *
 * Usage: make_traffic_pcap [--flows N] [--concurrency C] [--packets K] [--one-packet] [--seed S] OUT.pcap */

#include "pcap_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>

#define COUNT(array) (sizeof(array) / sizeof(array)[0])

enum {
    START_SEC = 1710000000, /* 2024-03-09 16:00:00 UTC */
    MIN_FRAME = 60,         /* Ethernet minimum without the FCS */
    CLIENT_HOSTS = 16384,
    SERVERS = 1024,
    RESOLVERS = 4,           /* DNS servers, numbered after the others */
    EPHEMERAL_FIRST = 32768, /* Linux's ephemeral port range */
    EPHEMERAL_COUNT = 28232,
    NOISE_POOL = 1 << 16,  /* random bytes that payloads are cut from */
    FLOOD_MAX_GAP_US = 40, /* --one-packet: a new flow every 20 us on average */
    MAX_PACKETS = 10000,   /* the largest --packets: flows count their packets in 16 bits */
};

/* ---- Options ---- */

static const char usage[] =
    "usage: make_traffic_pcap [--flows N] [--concurrency C] [--packets K] [--one-packet] [--seed S] OUT.pcap\n"
    "  --flows N         flows to write (default 20000)\n"
    "  --concurrency C   flows open at once (default 2000)\n"
    "  --packets K       mean packets per flow (default 20)\n"
    "  --one-packet      every flow a single packet (a flood); --concurrency and --packets do not apply\n"
    "  --seed S          seed of the random choices (default 1)\n";

struct options {
    uint64_t flows;
    uint64_t concurrency;
    uint64_t packets;
    uint64_t seed;
    bool one_packet;
    const char *path;
};

noreturn static void usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "make_traffic_pcap: %s%s%s\n%s", what, arg != NULL ? ": " : "", arg != NULL ? arg : "", usage);
    exit(2);
}

static uint64_t parse_count(const char *option, const char *text, uint64_t min, uint64_t max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
        fprintf(stderr, "make_traffic_pcap: %s takes a whole number from %" PRIu64 " to %" PRIu64 ", not %s\n", option,
                min, max, text);
        exit(2);
    }
    return v;
}

static struct options parse_options(int argc, char **argv)
{
    struct options o = {.flows = 20000, .concurrency = 2000, .packets = 20, .seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--one-packet") == 0) {
            o.one_packet = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            exit(EXIT_SUCCESS);
        } else if (a[0] == '-' && a[1] != '\0') {
            if (i + 1 == argc)
                usage_error("missing value for", a);
            const char *v = argv[++i];
            if (strcmp(a, "--flows") == 0)
                o.flows = parse_count(a, v, 0, UINT64_MAX);
            else if (strcmp(a, "--concurrency") == 0)
                o.concurrency = parse_count(a, v, 1, 1000000);
            else if (strcmp(a, "--packets") == 0)
                o.packets = parse_count(a, v, 1, MAX_PACKETS);
            else if (strcmp(a, "--seed") == 0)
                o.seed = parse_count(a, v, 0, UINT64_MAX);
            else
                usage_error("unknown option", a);
        } else if (o.path == NULL) {
            o.path = a;
        } else {
            usage_error("more than one output file", a);
        }
    }
    if (o.path == NULL)
        usage_error("no output file", NULL);
    return o;
}

/* ---- Random choices (splitmix64) ----
 *
 * The order of the draws fixes the output, so no expression makes two of them: C leaves the order of function
 * arguments and initializers unspecified. */

static uint64_t rng;

/* splitmix64's output function: a bijection on 64 bits that scatters nearby inputs. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t random64(void)
{
    return mix64(rng += 0x9e3779b97f4a7c15u);
}

/* A number in [0, n); the multiply-shift bias is far below anything a test could notice. */
static uint32_t below(uint32_t n)
{
    return (uint32_t)(((random64() >> 32) * n) >> 32);
}

static bool per_mille(uint32_t p)
{
    return below(1000) < p;
}

static uint8_t noise[NOISE_POOL];

static void fill_noise(void)
{
    for (size_t i = 0; i < sizeof noise; i += 8)
        store_le(noise + i, random64(), 8);
}

/* n random-looking bytes: a slice of the pool at a random place, cheaper than fresh random bytes. */
static void put_random(struct buf *b, size_t n)
{
    put_bytes(b, noise + below((uint32_t)(NOISE_POOL - n)), n);
}

/* ---- Hosts ---- */

/* An initialiser on one line. */
/* clang-format off */
#define ROUTER_MAC {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
/* clang-format on */

/* Server names: DNS questions, HTTP Host headers and TLS SNIs name a server by its index. */
static const char *const server_names[] = {
    "www.example.com",  "www.example.org",    "api.example.net",           "cdn.example.com",
    "mail.example.org", "www.google.com",     "www.youtube.com",           "www.netflix.com",
    "github.com",       "www.wikipedia.org",  "login.microsoftonline.com", "www.amazon.com",
    "www.facebook.com", "update.example.net",
};

static const char *server_name(uint32_t server)
{
    return server_names[server % COUNT(server_names)];
}

/* Clients: 10.1.0.0/18 and 2001:db8:c1::/48, with locally administered MACs. */
static void client_address(struct flow *f, uint32_t host)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x0a, 0x01};
    memcpy(f->cli_mac, mac, 4);
    store_be(f->cli_mac + 4, host, 2);
    if (f->ip_version == 4) {
        memcpy(f->cli_ip, (const uint8_t[]){10, 1}, 2);
        store_be(f->cli_ip + 2, host, 2);
    } else {
        memcpy(f->cli_ip, (const uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0x00, 0xc1}, 6);
        store_be(f->cli_ip + 6, host, 10);
    }
}

/* Servers: 198.18.0.0/15 (the benchmarking range) and 2001:db8:5e::/48, all behind the router. */
static void server_address(uint8_t ip_version, uint32_t server, uint8_t *ip)
{
    if (ip_version == 4) {
        memcpy(ip, (const uint8_t[]){198, 18}, 2);
        store_be(ip + 2, server + 1, 2);
    } else {
        memcpy(ip, (const uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0x00, 0x5e}, 6);
        store_be(ip + 6, server + 1, 10);
    }
}

/* Popular servers get most flows, as in real traffic: low indices are the likeliest. */
static uint32_t pick_server(void)
{
    return below(1 + below(SERVERS));
}

/* Each client hands out ports from the ephemeral range in turn, so no two open flows share a 5-tuple. */
static uint16_t next_port[CLIENT_HOSTS];

static uint16_t ephemeral_port(uint32_t host)
{
    uint16_t port = next_port[host];
    next_port[host] = port + 1 == EPHEMERAL_FIRST + EPHEMERAL_COUNT ? EPHEMERAL_FIRST : port + 1;
    return port;
}

static void init_ports(void)
{
    for (size_t h = 0; h < CLIENT_HOSTS; h++)
        next_port[h] = (uint16_t)(EPHEMERAL_FIRST + below(EPHEMERAL_COUNT));
}

/* The largest L4 payload in a 1500-byte IP packet. */
static size_t max_payload(const struct flow *f)
{
    return 1500 - (f->ip_version == 4 ? 20 : 40) - (f->proto == PROTO_TCP ? 20 : 8);
}

/* ---- Flows of the mixed capture ---- */

enum kind { KIND_TCP, KIND_DNS, KIND_UDP, KIND_ICMP };

/* What a TCP flow sends next. */
enum tcp_phase {
    SEND_SYN,
    SEND_REFUSAL,
    SEND_SYN_ACK,
    SEND_ACK,
    SEND_DATA,
    SEND_FIN,
    SEND_FIN_REPLY,
    SEND_LAST_ACK,
    SEND_RST,
    TCP_DONE,
};

/* How a TCP flow ends. */
enum tcp_end {
    END_UNANSWERED, /* a SYN alone */
    END_REFUSED,    /* a SYN and the server's RST */
    END_OPEN,       /* the flow stops without closing */
    END_FIN,
    END_RST,
};

struct open_flow {
    struct flow f;
    uint64_t next_us; /* when its next packet is due */
    uint32_t pace_us; /* mean gap between its packets */
    uint32_t server;
    uint16_t packets;     /* UDP, DNS, ICMP: packets in all; TCP: data segments */
    uint16_t sent;        /* of those, sent so far */
    uint16_t steps;       /* packets sent so far, of any kind */
    uint16_t sleep_after; /* goes silent past the idle timeout after this many packets; 0: never */
    uint16_t tag;         /* DNS id, ICMP echo identifier */
    uint8_t kind;         /* enum kind */
    uint8_t phase;        /* TCP: enum tcp_phase */
    uint8_t end;          /* TCP: enum tcp_end */
    uint8_t closer;       /* TCP: enum dir of the side that sends the first FIN or the RST */
};

static const char *const user_agents[] = {
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "curl/8.4.0",
};

static const char *const content_types[] = {"text/html", "application/json", "image/png", "video/mp4"};

static void http_request(struct buf *b, const struct open_flow *o)
{
    char head[512];
    int n = snprintf(head, sizeof head, "GET /%u HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n",
                     below(100000), server_name(o->server), user_agents[o->server % COUNT(user_agents)]);
    if (n < 0 || (size_t)n >= sizeof head)
        capture_fail("internal error: HTTP request buffer too small");
    put_bytes(b, head, (size_t)n);
}

/* A response head, then random body bytes filling the rest of the segment. */
static void http_response(struct buf *b, const struct open_flow *o)
{
    size_t body = 1 + below((uint32_t)max_payload(&o->f) - 200);
    char head[200];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                     content_types[o->server % COUNT(content_types)], body);
    if (n < 0 || (size_t)n >= sizeof head)
        capture_fail("internal error: HTTP response buffer too small");
    put_bytes(b, head, (size_t)n);
    put_random(b, body);
}

/* Bulk transfers fill whole segments; the rest is any size, from 6 bytes: room for a TLS record. */
static size_t tcp_payload_len(const struct flow *f)
{
    size_t max = max_payload(f);
    return per_mille(350) ? max : 6 + below((uint32_t)max - 5);
}

/* The client speaks first and the server answers; after that either side sends, the server more often. The
 * first segment of each side speaks the server port's protocol; later ones are TLS records on port 443 and
 * opaque elsewhere. */
static void tcp_data(struct open_flow *o)
{
    uint8_t data[MAX_L4];
    struct buf b = BUF(data);
    enum dir d = o->sent == 0 ? FROM_CLIENT : o->sent == 1 || per_mille(600) ? FROM_SERVER : FROM_CLIENT;
    bool first = o->sent < 2;
    uint16_t port = o->f.srv_port;
    if (first && port == 443 && d == FROM_CLIENT) {
        tls_client_hello(&b, server_name(o->server));
    } else if (first && port == 443) {
        tls_server_hello(&b);
        tls_change_cipher_spec(&b);
        size_t len = 1 + below(1000);
        tls_app_data(&b, len, (uint32_t)random64());
    } else if (first && port == 80) {
        if (d == FROM_CLIENT)
            http_request(&b, o);
        else
            http_response(&b, o);
    } else if (first && port == 22) {
        put_str(&b, d == FROM_CLIENT ? "SSH-2.0-OpenSSH_9.6\r\n" : "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    } else if (port == 443) {
        size_t len = tcp_payload_len(&o->f) - 5;
        tls_app_data(&b, len, (uint32_t)random64());
    } else {
        put_random(&b, tcp_payload_len(&o->f));
    }
    send_tcp(&o->f, d, TCP_PSH | TCP_ACK, b.data, b.len);
    o->sent++;
}

/* The phase after the data, or after the handshake when there is none. */
static enum tcp_phase tcp_ending(const struct open_flow *o)
{
    return o->end == END_FIN ? SEND_FIN : o->end == END_RST ? SEND_RST : TCP_DONE;
}

static bool tcp_step(struct open_flow *o)
{
    struct flow *f = &o->f;
    switch ((enum tcp_phase)o->phase) {
    case SEND_SYN:
        send_tcp(f, FROM_CLIENT, TCP_SYN, NULL, 0);
        o->phase = o->end == END_UNANSWERED ? TCP_DONE : o->end == END_REFUSED ? SEND_REFUSAL : SEND_SYN_ACK;
        break;
    case SEND_REFUSAL:
        send_tcp(f, FROM_SERVER, TCP_RST | TCP_ACK, NULL, 0);
        o->phase = TCP_DONE;
        break;
    case SEND_SYN_ACK:
        send_tcp(f, FROM_SERVER, TCP_SYN | TCP_ACK, NULL, 0);
        o->phase = SEND_ACK;
        break;
    case SEND_ACK:
        send_tcp(f, FROM_CLIENT, TCP_ACK, NULL, 0);
        o->phase = o->packets > 0 ? SEND_DATA : tcp_ending(o);
        break;
    case SEND_DATA:
        tcp_data(o);
        if (o->sent == o->packets)
            o->phase = tcp_ending(o);
        break;
    case SEND_FIN:
        send_tcp(f, o->closer, TCP_FIN | TCP_ACK, NULL, 0);
        o->phase = SEND_FIN_REPLY;
        break;
    case SEND_FIN_REPLY:
        send_tcp(f, !o->closer, TCP_FIN | TCP_ACK, NULL, 0);
        o->phase = SEND_LAST_ACK;
        break;
    case SEND_LAST_ACK:
        send_tcp(f, o->closer, TCP_ACK, NULL, 0);
        o->phase = TCP_DONE;
        break;
    case SEND_RST:
        send_tcp(f, o->closer, TCP_RST | TCP_ACK, NULL, 0);
        o->phase = TCP_DONE;
        break;
    case TCP_DONE: break;
    }
    return o->phase != TCP_DONE;
}

/* Splits n packets into handshake, data and end. */
static void plan_tcp(struct open_flow *o, uint32_t n)
{
    o->f.next_seq[FROM_CLIENT] = (uint32_t)random64();
    o->f.next_seq[FROM_SERVER] = (uint32_t)random64();
    o->closer = per_mille(500) ? FROM_CLIENT : FROM_SERVER;
    o->phase = SEND_SYN;
    if (n <= 3) {
        o->end = n == 1 ? END_UNANSWERED : n == 2 ? END_REFUSED : END_OPEN;
        return;
    }
    n -= 3;
    if (n >= 4 && per_mille(800)) {
        o->end = END_FIN;
        n -= 3;
    } else {
        o->end = END_RST;
        n -= 1;
    }
    o->packets = (uint16_t)n;
}

static bool dns_step(struct open_flow *o)
{
    uint8_t msg[512];
    struct buf b = BUF(msg);
    uint16_t qtype = o->tag % 4 == 0 ? DNS_TYPE_AAAA : DNS_TYPE_A;
    const char *name = server_name(o->server);
    if (o->sent == 0) {
        dns_message(&b, o->tag, 0x0100, name, qtype, NULL, 0); /* standard query, recursion desired */
        send_udp(&o->f, FROM_CLIENT, &b);
    } else {
        uint8_t addr[16];
        size_t addr_len = qtype == DNS_TYPE_A ? 4 : 16;
        server_address(addr_len == 4 ? 4 : 6, o->server, addr);
        dns_message(&b, o->tag, 0x8180, name, qtype, addr, addr_len); /* response, recursion available */
        send_udp(&o->f, FROM_SERVER, &b);
    }
    return ++o->sent < o->packets;
}

static bool udp_step(struct open_flow *o)
{
    uint8_t data[MAX_L4];
    struct buf b = BUF(data);
    put_random(&b, 1 + below((uint32_t)max_payload(&o->f)));
    send_udp(&o->f, o->sent == 0 || per_mille(500) ? FROM_CLIENT : FROM_SERVER, &b);
    return ++o->sent < o->packets;
}

/* Echo requests and their replies, in turn. */
static bool icmp_step(struct open_flow *o)
{
    uint8_t msg[64];
    struct buf b = BUF(msg);
    bool request = o->sent % 2 == 0;
    uint8_t type = o->f.ip_version == 4 ? (request ? 8 : 0) : (request ? 128 : 129);
    icmp_echo_message(&b, type, o->tag, (uint16_t)(o->sent / 2 + 1), capture.now_us);
    send_l4(&o->f, request ? FROM_CLIENT : FROM_SERVER, msg, b.len);
    return ++o->sent < o->packets;
}

/* Sends the flow's next packet; false once it has sent its last. */
static bool flow_step(struct open_flow *o)
{
    o->steps++;
    switch ((enum kind)o->kind) {
    case KIND_TCP: return tcp_step(o);
    case KIND_DNS: return dns_step(o);
    case KIND_UDP: return udp_step(o);
    case KIND_ICMP: return icmp_step(o);
    }
    return false;
}

static uint16_t tcp_port(void)
{
    uint32_t r = below(100);
    return r < 45 ? 443 : r < 70 ? 80 : r < 75 ? 22 : (uint16_t)(1024 + below(64000));
}

static uint16_t udp_port(void)
{
    static const uint16_t ports[] = {443, 123, 500, 1194};
    uint32_t r = below(2 * COUNT(ports));
    return r < COUNT(ports) ? ports[r] : (uint16_t)(1024 + below(64000));
}

enum {
    SECOND_US = 1000000,
    SLEEP_MIN_US = 125 * SECOND_US, /* past nfcore's default idle timeout of 120 s */
    SLEEP_SPAN_US = 275 * SECOND_US,
    LONG_PACE_US = 50 * SECOND_US, /* gaps below 100 s, and 40 or more of them: past the active timeout */
};

/* Starts a new flow in o, its first packet due at start_us. Half the flows are brisk, the rest slow; one in
 * 200 goes silent past the idle timeout once, and one in 1000 outlives the active timeout. */
static void start_flow(struct open_flow *o, uint64_t start_us, uint32_t mean_packets)
{
    *o = (struct open_flow){.next_us = start_us};
    o->server = pick_server();
    o->tag = (uint16_t)random64();
    struct flow *f = &o->f;
    f->ip_version = per_mille(250) ? 6 : 4;
    f->vlan = per_mille(50) ? (uint16_t)(100 + below(8)) : 0;
    memcpy(f->srv_mac, (const uint8_t[])ROUTER_MAC, 6);
    uint32_t host = below(CLIENT_HOSTS);
    client_address(f, host);

    uint32_t r = below(1000);
    o->kind = r < 550 ? KIND_TCP : r < 750 ? KIND_DNS : r < 920 ? KIND_UDP : KIND_ICMP;
    /* A DNS flow goes to a resolver and asks for the address of its server. */
    server_address(f->ip_version, o->kind == KIND_DNS ? SERVERS + below(RESOLVERS) : o->server, f->srv_ip);
    if (o->kind == KIND_ICMP) {
        f->proto = f->ip_version == 4 ? PROTO_ICMP : PROTO_ICMPV6;
    } else {
        f->proto = o->kind == KIND_TCP ? PROTO_TCP : PROTO_UDP;
        f->cli_port = ephemeral_port(host);
        f->srv_port = o->kind == KIND_TCP ? tcp_port() : o->kind == KIND_DNS ? 53 : udp_port();
    }

    uint32_t n = 1 + below(2 * mean_packets - 1); /* 1 to 2K-1: K on average */
    r = below(100);
    o->pace_us = r < 50 ? SECOND_US / 20 : r < 85 ? 2 * SECOND_US : 15 * SECOND_US;
    if (o->kind != KIND_DNS && per_mille(1)) {
        n = 40 + below(20);
        o->pace_us = LONG_PACE_US;
    } else if (n >= 2 && per_mille(5)) {
        o->sleep_after = (uint16_t)(1 + below(n - 1));
    }
    switch ((enum kind)o->kind) {
    case KIND_TCP: plan_tcp(o, n); break;
    case KIND_DNS: o->packets = per_mille(900) ? 2 : 1; break;
    case KIND_UDP:
    case KIND_ICMP: o->packets = (uint16_t)n; break;
    }
}

/* The time to the flow's next packet: uniform around its pace, or a long silence. */
static uint64_t next_gap(const struct open_flow *o)
{
    if (o->steps == o->sleep_after)
        return SLEEP_MIN_US + below(SLEEP_SPAN_US);
    return below(2 * o->pace_us + 1);
}

/* ---- The mixed capture: open flows in a min-heap on the time of their next packet ---- */

static struct open_flow *slots;
static uint32_t *heap; /* indices into slots */
static size_t heap_len;

static bool due_before(uint32_t a, uint32_t b)
{
    return slots[a].next_us < slots[b].next_us || (slots[a].next_us == slots[b].next_us && a < b);
}

static void sift_down(size_t i)
{
    for (;;) {
        size_t least = i;
        size_t l = 2 * i + 1, r = l + 1;
        if (l < heap_len && due_before(heap[l], heap[least]))
            least = l;
        if (r < heap_len && due_before(heap[r], heap[least]))
            least = r;
        if (least == i)
            return;
        uint32_t t = heap[i];
        heap[i] = heap[least];
        heap[least] = t;
        i = least;
    }
}

static void write_mixed(const struct options *opt)
{
    size_t open = opt->flows < opt->concurrency ? (size_t)opt->flows : (size_t)opt->concurrency;
    slots = calloc(open + 1, sizeof *slots);
    heap = calloc(open + 1, sizeof *heap);
    if (slots == NULL || heap == NULL)
        capture_fail("out of memory");

    /* The first flows start over one millisecond per open flow, then each ending flow makes room for a new
     * one shortly after. */
    uint64_t t0 = (uint64_t)START_SEC * SECOND_US;
    for (heap_len = 0; heap_len < open; heap_len++) {
        start_flow(&slots[heap_len], t0 + below((uint32_t)open * 1000), (uint32_t)opt->packets);
        heap[heap_len] = (uint32_t)heap_len;
    }
    for (size_t i = heap_len / 2; i-- > 0;)
        sift_down(i);

    uint64_t started = open;
    while (heap_len > 0) {
        struct open_flow *o = &slots[heap[0]];
        capture.now_us = o->next_us;
        if (flow_step(o)) {
            o->next_us += next_gap(o);
        } else if (started < opt->flows) {
            start_flow(o, capture.now_us + below(1000), (uint32_t)opt->packets);
            started++;
        } else {
            heap[0] = heap[--heap_len];
        }
        sift_down(0);
    }
    free(heap);
    free(slots);
}

/* ---- The flood: one packet per flow ---- */

/* A bijection on 24 bits, so that flow i < 2^24 gets a source address of its own. */
static uint32_t scramble24(uint32_t x)
{
    x = (x * 0x9e3779u) & 0xffffff;
    x ^= x >> 12;
    x = (x * 0x5bd1e5u) & 0xffffff;
    return x ^ (x >> 11);
}

/* A SYN, a small UDP datagram (most of them DNS queries) or an echo request from 10.0.0.0/8 or
 * 2001:db8:f100::/48, to a server of the pool. */
static void flood_packet(uint64_t i)
{
    uint32_t src = scramble24((uint32_t)(i & 0xffffff));
    struct flow f = {.ip_version = per_mille(250) ? 6 : 4, .srv_mac = ROUTER_MAC};
    f.cli_mac[0] = 0x02;
    store_be(f.cli_mac + 2, src, 4);
    if (f.ip_version == 4) {
        f.cli_ip[0] = 10;
        store_be(f.cli_ip + 1, src, 3);
    } else {
        memcpy(f.cli_ip, (const uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0xf1}, 5);
        store_be(f.cli_ip + 8, mix64(i), 8);
    }
    uint32_t server = pick_server();
    server_address(f.ip_version, server, f.srv_ip);
    /* Past 2^24 flows the source addresses repeat; the high bits of i then pick the port. */
    f.cli_port = (uint16_t)(1024 + (i >> 24) % 251 * 256 + below(256));

    uint32_t r = below(100);
    uint8_t msg[512];
    struct buf b = BUF(msg);
    if (r < 60) {
        f.proto = PROTO_TCP;
        f.srv_port = tcp_port();
        f.next_seq[FROM_CLIENT] = (uint32_t)random64();
        send_tcp(&f, FROM_CLIENT, TCP_SYN, NULL, 0);
    } else if (r < 90) {
        f.proto = PROTO_UDP;
        f.srv_port = r < 80 ? 53 : udp_port();
        if (f.srv_port == 53)
            dns_message(&b, (uint16_t)random64(), 0x0100, server_name(server), DNS_TYPE_A, NULL, 0);
        else
            put_random(&b, below(65));
        send_udp(&f, FROM_CLIENT, &b);
    } else {
        f.proto = f.ip_version == 4 ? PROTO_ICMP : PROTO_ICMPV6;
        icmp_echo_message(&b, f.ip_version == 4 ? 8 : 128, (uint16_t)random64(), 1, capture.now_us);
        send_l4(&f, FROM_CLIENT, msg, b.len);
    }
}

static void write_flood(const struct options *opt)
{
    capture.now_us = (uint64_t)START_SEC * SECOND_US;
    for (uint64_t i = 0; i < opt->flows; i++) {
        flood_packet(i);
        capture.now_us += below(FLOOD_MAX_GAP_US);
    }
}

int main(int argc, char **argv)
{
    struct options opt = parse_options(argc, argv);
    capture.prog = "make_traffic_pcap";
    capture.min_frame = MIN_FRAME;
    rng = opt.seed;
    fill_noise();
    init_ports();

    capture_open(opt.path);
    if (opt.one_packet)
        write_flood(&opt);
    else
        write_mixed(&opt);
    capture_close();
    return EXIT_SUCCESS;
}
