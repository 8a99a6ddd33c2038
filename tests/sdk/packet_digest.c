/* packet_digest: a 64-bit FNV-1a digest of every packet a flow's plugins were shown — every field of
 * struct nfc_packet, and the bytes behind ip and payload — as udps.packet_digest. Equal digests at -j 1 and -j N
 * mean that the meter threads show plugins the very packets the table saw. */
#include <stddef.h>

#include <nfcore/plugin.h>

struct digest_state {
    uint64_t digest;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("packet_digest", NFC_FIELD_UINT, struct digest_state, digest, 0),
};

static uint64_t fold(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

#define FOLD(h, field) fold(h, &(field), sizeof(field))

static void digest_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                          const struct nfc_packet *pkt)
{
    (void)host;
    (void)instance;
    (void)flow;
    struct digest_state *s = state;
    uint64_t h = s->digest ? s->digest : 0xcbf29ce484222325ULL;
    h = FOLD(h, pkt->time_ms);
    h = FOLD(h, pkt->delta_time_ms);
    h = FOLD(h, pkt->ipsize);
    h = FOLD(h, pkt->payload_caplen);
    h = FOLD(h, pkt->raw_size);
    h = FOLD(h, pkt->ip_size);
    h = FOLD(h, pkt->transport_size);
    h = FOLD(h, pkt->payload_size);
    h = FOLD(h, pkt->src_port);
    h = FOLD(h, pkt->dst_port);
    h = FOLD(h, pkt->vlan_id);
    h = FOLD(h, pkt->protocol);
    h = FOLD(h, pkt->ip_version);
    h = FOLD(h, pkt->tunnel_id);
    h = FOLD(h, pkt->tcp_flags);
    h = FOLD(h, pkt->direction);
    h = FOLD(h, pkt->src_ip);
    h = FOLD(h, pkt->dst_ip);
    h = FOLD(h, pkt->src_mac);
    h = FOLD(h, pkt->dst_mac);
    h = fold(h, pkt->ip, pkt->ipsize);
    if (pkt->payload)
        h = fold(h, pkt->payload, pkt->payload_caplen);
    s->digest = h;
}

static const struct nfc_plugin packet_digest = {
    NFC_PLUGIN_ABI,
    .name = "packet_digest",
    .version = "1.0",
    .description = "a digest of every packet shown to plugins",
    .state_size = sizeof(struct digest_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .on_init = digest_packet,
    .on_update = digest_packet,
};

NFC_PLUGIN_EXPORT(packet_digest)
