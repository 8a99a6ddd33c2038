/* Packet decoding: one captured frame -> one read-only packet view (spec §2).
 * Never reads past the captured bytes and never allocates. */
#ifndef NFC_DECODE_H
#define NFC_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* TCP flag bits as they sit in the TCP header's flags byte. */
enum {
    NFC_TCP_FIN = 0x01,
    NFC_TCP_SYN = 0x02,
    NFC_TCP_RST = 0x04,
    NFC_TCP_PSH = 0x08,
    NFC_TCP_ACK = 0x10,
    NFC_TCP_URG = 0x20,
    NFC_TCP_ECE = 0x40,
    NFC_TCP_CWR = 0x80,
};

enum nfc_tunnel {
    NFC_TUNNEL_NONE = 0,
    NFC_TUNNEL_GTP = 1,
    NFC_TUNNEL_CAPWAP = 2,
    NFC_TUNNEL_TZSP = 3,
};

/* What one packet contributes to a flow. Addresses are 16 bytes: IPv4 is its 4 bytes then 12 zero bytes
 * (spec §3: the IP version is not part of the key). */
struct nfc_packet {
    uint64_t time_ms;          /* set by the meter (after the monotonic clamp), not by the decoder */
    const uint8_t *ip;         /* the (inner) IP header, inside the captured frame */
    const uint8_t *payload;    /* L4 payload (NULL when none is captured) */
    uint16_t ipsize;           /* captured bytes from the IP header to the end of the frame, mod 2^16 */
    uint16_t payload_caplen;   /* captured bytes of L4 payload (<= payload_size) */
    uint16_t raw_size;         /* wire length mod 2^16 */
    uint16_t ip_size;          /* IPv4 total length; IPv6 payload length */
    uint16_t transport_size;   /* L4 length for TCP/UDP/ICMP/ICMPv6, else 0 */
    uint16_t payload_size;     /* L4 payload length, else 0 */
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t vlan_id;
    uint8_t protocol;
    uint8_t ip_version;        /* 4 or 6 */
    uint8_t tunnel_id;         /* enum nfc_tunnel */
    uint8_t tcp_flags;         /* NFC_TCP_* bits, 0 for non-TCP */
    uint8_t src_ip[16];
    uint8_t dst_ip[16];
    uint8_t src_mac[6];
    uint8_t dst_mac[6];
};

/* Decodes one frame of a capture whose link type is `dlt` (a DLT_* value as pcap_datalink() returns it).
 * caplen: captured bytes at `frame`; wirelen: original length on the wire.
 * Returns true and fills `pkt` (all but time_ms) when the packet is kept, false when it is ignored. */
bool nfc_decode(const uint8_t *frame, uint32_t caplen, uint32_t wirelen, int dlt, bool decode_tunnels,
                struct nfc_packet *pkt);

#endif
