/* Community ID v1: the hash input is the seed, the two addresses, the protocol, a zero byte, then (TCP, UDP, SCTP,
 * ICMP, ICMPv6) the two ports, all in network order, with the endpoints ordered so that both directions give the
 * same input. ICMP's "ports" are its type and the type answering it (a one-way type: its type and code, never
 * reordered). SHA-1 comes from libgcrypt (what nDPI already links), base64 from libsodium. */
#include "flow/community_id.h"

#include <gcrypt.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

enum { ICMP = 1, TCP = 6, UDP = 17, ICMPV6 = 58, SCTP = 132 };

/* The message type answering `type`, or -1 for a one-way type. */
static int answer_type(uint8_t protocol, uint8_t type)
{
    static const uint8_t icmp[][2] = {{8, 0}, {13, 14}, {15, 16}, {10, 9}, {17, 18}};
    static const uint8_t icmpv6[][2] = {{128, 129}, {130, 131}, {133, 134}, {135, 136}, {139, 140}, {144, 145}};
    const uint8_t(*pairs)[2] = protocol == ICMP ? icmp : icmpv6;
    size_t n = protocol == ICMP ? sizeof icmp / sizeof *icmp : sizeof icmpv6 / sizeof *icmpv6;
    for (size_t i = 0; i < n; i++) {
        if (pairs[i][0] == type)
            return pairs[i][1];
        if (pairs[i][1] == type)
            return pairs[i][0];
    }
    return -1;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void init_once(void)
{
    gcry_check_version(NULL);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

void nfc_community_id_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_once);
}

void nfc_community_id(uint16_t seed, const struct nfc_community_key *key, char out[NFC_COMMUNITY_ID_LEN])
{
    size_t alen = key->ip_version == 4 ? 4 : 16;
    bool icmp = key->protocol == ICMP || key->protocol == ICMPV6;
    bool ports = icmp || key->protocol == TCP || key->protocol == UDP || key->protocol == SCTP;
    uint16_t sport = key->src_port, dport = key->dst_port;
    bool one_way = false;
    if (icmp) {
        int answer = answer_type(key->protocol, key->icmp_type);
        sport = key->icmp_type;
        dport = answer < 0 ? key->icmp_code : (uint16_t)answer;
        one_way = answer < 0;
    }
    const uint8_t *a = key->src_ip, *b = key->dst_ip;
    int order = memcmp(a, b, alen);
    if (!one_way && (order > 0 || (order == 0 && sport > dport))) {
        const uint8_t *t = a;
        a = b, b = t;
        uint16_t p = sport;
        sport = dport, dport = p;
    }
    uint8_t input[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    put16(input, seed);
    n += 2;
    memcpy(input + n, a, alen);
    n += alen;
    memcpy(input + n, b, alen);
    n += alen;
    input[n++] = key->protocol;
    input[n++] = 0;
    if (ports) {
        put16(input + n, sport);
        put16(input + n + 2, dport);
        n += 4;
    }
    uint8_t digest[20];
    gcry_md_hash_buffer(GCRY_MD_SHA1, digest, input, n);
    char text[NFC_COMMUNITY_ID_LEN];
    sodium_bin2base64(text, sizeof text - 1, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    memcpy(out, "1:", 2);
    memcpy(out + 2, text, NFC_COMMUNITY_ID_LEN - 2);
}
