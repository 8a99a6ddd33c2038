/* make_sample_pcap: writes nfcore's sample capture, a small deterministic classic pcap file holding a
 * realistic mix of flows that nDPI labels: DNS over IPv4 and IPv6, HTTP, TLS with SNI, NTP on an 802.1Q
 * VLAN, mDNS and an ICMP echo. It is the default input of nfcore and a test fixture, so every byte is
 * fixed: timestamps, addresses, sequence numbers and the stand-ins for random and encrypted data.
 *
 * Usage: make_sample_pcap OUT.pcap */

#include "pcap_writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum {
    START_SEC = 1700000000, /* 2023-11-14 22:13:20 UTC */
    PACKET_GAP_US = 3000,   /* time between consecutive packets */
};

/* Hosts. Client and router MACs are locally administered; addresses are from the documentation ranges. */
/* Initialisers on one line each. */
/* clang-format off */
#define CLIENT_MAC {0x02, 0x00, 0x00, 0x00, 0x00, 0x10}
#define ROUTER_MAC {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
#define CLIENT_IP4 {192, 0, 2, 10}
#define CLIENT_IP6 {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10}
#define RESOLVER_IP4 {198, 51, 100, 53}
#define RESOLVER_IP6 {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53}
#define WEB_COM_IP4 {203, 0, 113, 80} /* www.example.com */
#define WEB_ORG_IP4 {203, 0, 113, 43} /* www.example.org */
/* clang-format on */

/* ---- TCP and DNS exchanges ---- */

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

static void dns_exchange(const struct flow *f, uint16_t id, const char *name, uint16_t qtype, const uint8_t *addr,
                         size_t addr_len)
{
    uint8_t msg[512];
    struct buf b = BUF(msg);
    dns_message(&b, id, 0x0100, name, qtype, NULL, 0); /* standard query, recursion desired */
    send_udp(f, FROM_CLIENT, &b);

    b = BUF(msg);
    dns_message(&b, id, 0x8180, name, qtype, addr, addr_len); /* response, recursion available */
    send_udp(f, FROM_SERVER, &b);
}

/* ---- NTP (RFC 5905) ---- */

#define NTP_UNIX_OFFSET 2208988800u /* seconds from 1900-01-01 to 1970-01-01 */

static void put_ntp_time(struct buf *b, uint64_t unix_us)
{
    put_u32(b, (uint32_t)(unix_us / 1000000 + NTP_UNIX_OFFSET));
    put_u32(b, (uint32_t)((((unix_us % 1000000) << 32) + 500000) / 1000000)); /* 2^-32 s, rounded */
}

/* ---- The flows, in capture order ---- */

static void dns_a_example_com(void)
{
    static const uint8_t addr[] = WEB_COM_IP4;
    struct flow f = {
        .ip_version = 4,
        .proto = PROTO_UDP,
        .cli_mac = CLIENT_MAC,
        .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4,
        .srv_ip = RESOLVER_IP4,
        .cli_port = 45001,
        .srv_port = 53,
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
        capture_fail("internal error: HTTP response buffer too small");

    struct flow f = {
        .ip_version = 4,
        .proto = PROTO_TCP,
        .cli_mac = CLIENT_MAC,
        .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4,
        .srv_ip = WEB_COM_IP4,
        .cli_port = 45002,
        .srv_port = 80,
        .next_seq = {0x1b2c3d4e, 0x8a9b0c1d},
    };
    tcp_handshake(&f);
    send_tcp(&f, FROM_CLIENT, TCP_PSH | TCP_ACK, request, strlen(request));
    send_tcp(&f, FROM_SERVER, TCP_PSH | TCP_ACK, response, (size_t)n);
    send_tcp(&f, FROM_CLIENT, TCP_ACK, NULL, 0);
    tcp_close(&f, FROM_SERVER); /* "Connection: close": the server closes first */
}

static void dns_a_example_org(void)
{
    static const uint8_t addr[] = WEB_ORG_IP4;
    struct flow f = {
        .ip_version = 4,
        .proto = PROTO_UDP,
        .cli_mac = CLIENT_MAC,
        .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4,
        .srv_ip = RESOLVER_IP4,
        .cli_port = 45003,
        .srv_port = 53,
    };
    dns_exchange(&f, 0x1a02, "www.example.org", DNS_TYPE_A, addr, sizeof addr);
}

static void tls_example_org(void)
{
    struct flow f = {
        .ip_version = 4,
        .proto = PROTO_TCP,
        .cli_mac = CLIENT_MAC,
        .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4,
        .srv_ip = WEB_ORG_IP4,
        .cli_port = 45004,
        .srv_port = 443,
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
        .ip_version = 6,
        .proto = PROTO_UDP,
        .cli_mac = CLIENT_MAC,
        .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP6,
        .srv_ip = RESOLVER_IP6,
        .cli_port = 45005,
        .srv_port = 53,
    };
    dns_exchange(&f, 0x1a03, "www.example.com", DNS_TYPE_AAAA, addr, sizeof addr);
}

/* NTPv4 client request and server reply, on VLAN 100. */
static void ntp_vlan(void)
{
    struct flow f = {
        .ip_version = 4,
        .proto = PROTO_UDP,
        .vlan = 100,
        .cli_mac = CLIENT_MAC,
        .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4,
        .srv_ip = {198, 51, 100, 123},
        .cli_port = 45006,
        .srv_port = 123,
    };
    uint8_t msg[48];
    struct buf b = BUF(msg);

    uint64_t sent_us = capture.now_us;
    put_u8(&b, 0 << 6 | 4 << 3 | 3); /* leap indicator 0, version 4, mode 3 (client) */
    put_u8(&b, 0);                   /* stratum: unspecified */
    put_u8(&b, 6);                   /* poll: 64 s */
    put_u8(&b, 0xe9);                /* precision: 2^-23 s */
    put_u32(&b, 0);                  /* root delay */
    put_u32(&b, 0);                  /* root dispersion */
    put_u32(&b, 0);                  /* reference id */
    put_zeros(&b, 24);               /* reference, origin and receive timestamps: unset */
    put_ntp_time(&b, sent_us);       /* transmit timestamp */
    send_udp(&f, FROM_CLIENT, &b);

    b = BUF(msg);
    put_u8(&b, 0 << 6 | 4 << 3 | 4); /* leap indicator 0, version 4, mode 4 (server) */
    put_u8(&b, 2);                   /* stratum 2: synchronised to a stratum-1 server */
    put_u8(&b, 6);
    put_u8(&b, 0xe9);
    put_u32(&b, 0x00000150);                                   /* root delay: about 5 ms, 16.16 fixed point */
    put_u32(&b, 0x00000290);                                   /* root dispersion: about 10 ms */
    put_bytes(&b, (const uint8_t[]){203, 0, 113, 123}, 4);     /* reference id: the upstream server */
    put_ntp_time(&b, capture.now_us - 64 * 1000000);           /* last synchronised a poll ago */
    put_ntp_time(&b, sent_us);                                 /* origin: the client's transmit time */
    put_ntp_time(&b, capture.now_us - PACKET_GAP_US / 2);      /* receive, half a round trip ago */
    put_ntp_time(&b, capture.now_us - PACKET_GAP_US / 2 + 40); /* transmit */
    send_udp(&f, FROM_SERVER, &b);
}

/* A multicast DNS query for HTTP services on the local link (RFC 6762). */
static void mdns_query(void)
{
    struct flow f = {
        .ip_version = 4,
        .proto = PROTO_UDP,
        .cli_mac = CLIENT_MAC,
        .srv_mac = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}, /* 224.0.0.251 */
        .cli_ip = CLIENT_IP4,
        .srv_ip = {224, 0, 0, 251},
        .cli_port = 5353,
        .srv_port = 5353,
    };
    uint8_t msg[512];
    struct buf b = BUF(msg);
    dns_message(&b, 0, 0, "_http._tcp.local", DNS_TYPE_PTR, NULL, 0);
    send_udp(&f, FROM_CLIENT, &b);
}

static void icmp_echo(void)
{
    struct flow f = {
        .ip_version = 4,
        .proto = PROTO_ICMP,
        .cli_mac = CLIENT_MAC,
        .srv_mac = ROUTER_MAC,
        .cli_ip = CLIENT_IP4,
        .srv_ip = {198, 51, 100, 1},
    };
    uint8_t msg[64];
    uint64_t sent_us = capture.now_us;

    struct buf b = BUF(msg);
    icmp_echo_message(&b, 8, 0x4e43, 1, sent_us); /* echo request */
    send_l4(&f, FROM_CLIENT, msg, b.len);

    b = BUF(msg);
    icmp_echo_message(&b, 0, 0x4e43, 1, sent_us); /* echo reply: the request's data, echoed */
    send_l4(&f, FROM_SERVER, msg, b.len);
}

static void (*const flows[])(void) = {
    dns_a_example_com,         http_example_com, dns_a_example_org, tls_example_org,
    dns_aaaa_example_com_ipv6, ntp_vlan,         mdns_query,        icmp_echo,
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_sample_pcap OUT.pcap\n");
        return EXIT_FAILURE;
    }
    capture.prog = "make_sample_pcap";
    capture.now_us = (uint64_t)START_SEC * 1000000;
    capture.gap_us = PACKET_GAP_US;
    capture.ip_id = 0x2a00;
    capture_open(argv[1]);
    for (size_t i = 0; i < sizeof flows / sizeof flows[0]; i++)
        flows[i]();
    capture_close();
    return EXIT_SUCCESS;
}
