/* ack_count: how many packets of the flow carry the TCP ACK flag (the notebook's first plugin).
 *
 *     cc -shared -fPIC $(pkg-config --cflags nfcore) ack_count.c -o ack_count.so
 *     nfcore --plugin ./ack_count.so -r capture.pcap        # adds the column udps.ack_count
 */
#include <nfcore/plugin.h>

struct ack_state {
    int64_t ack_count;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("ack_count", NFC_FIELD_INT, struct ack_state, ack_count, 0),
};

static void count_ack(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                      const struct nfc_packet *pkt)
{
    (void)host;
    (void)instance;
    (void)flow;
    if (pkt->tcp_flags & NFC_TCP_ACK)
        ((struct ack_state *)state)->ack_count++;
}

static const struct nfc_plugin ack_count = {
    NFC_PLUGIN_ABI,
    .name = "ack_count",
    .version = "1.0",
    .description = "packets with the TCP ACK flag",
    .state_size = sizeof(struct ack_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .on_init = count_ack,
    .on_update = count_ack,
};

NFC_PLUGIN_EXPORT(ack_count)
