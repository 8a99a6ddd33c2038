/* Community ID v1 (corelight/community-id-spec, as Zeek and Suricata compute it): a flow's endpoints, protocol
 * and ports, in an order that both directions share, hashed with SHA-1 under a 16-bit seed; "1:" and the hash's
 * base64. */
#ifndef NFC_FLOW_COMMUNITY_ID_H
#define NFC_FLOW_COMMUNITY_ID_H

#include <stdint.h>

enum { NFC_COMMUNITY_ID_LEN = 30 }; /* "1:" and 28 base64 characters; no NUL */

struct nfc_community_key {
    const uint8_t *src_ip, *dst_ip; /* 16 bytes: an IPv4 address is its 4 bytes, then zeros */
    uint8_t ip_version;
    uint8_t protocol;
    uint16_t src_port, dst_port;  /* ICMP and ICMPv6: unused */
    uint8_t icmp_type, icmp_code; /* of the flow's first packet */
};

/* Prepares the hash library once per process; before the first nfc_community_id, on any thread. */
void nfc_community_id_init(void);

/* Writes the key's Community ID (NFC_COMMUNITY_ID_LEN characters, no NUL) into out. */
void nfc_community_id(uint16_t seed, const struct nfc_community_key *key, char out[NFC_COMMUNITY_ID_LEN]);

#endif
