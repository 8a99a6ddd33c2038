/* fourth_src_to_dst_pkt_size: the wire size of the flow's fourth packet from src to dst (the tutorial's second
 * metric), kept once seen; the column stays empty for a flow with fewer src->dst packets.
 *
 *     cc -shared -fPIC $(pkg-config --cflags nfcore) fourth_src_to_dst_pkt_size.c -o fourth_src_to_dst_pkt_size.so
 *     nfcore --plugin ./fourth_src_to_dst_pkt_size.so -r capture.pcap   # adds udps.fourth_src_to_dst_pkt_size
 */
#include <nfcore/plugin.h>

struct fourth_state {
    struct nfc_opt_int size; /* an optional int: empty rather than 0 when there is no fourth packet */
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("fourth_src_to_dst_pkt_size", NFC_FIELD_OPT_INT, struct fourth_state, size, 0),
};

static void record_fourth(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                          const struct nfc_packet *pkt)
{
    (void)host;
    (void)instance;
    /* The engine has already counted this packet, so it is the fourth src->dst one when the count reads 4. */
    if (pkt->direction == 0 && flow->scope[NFC_SRC2DST].packets == 4) {
        struct fourth_state *s = state;
        s->size.value = pkt->raw_size;
        s->size.set = true;
    }
}

static const struct nfc_plugin fourth_src_to_dst_pkt_size = {
    NFC_PLUGIN_ABI,
    .name = "fourth_src_to_dst_pkt_size",
    .version = "1.0",
    .description = "wire size of the fourth src->dst packet",
    .state_size = sizeof(struct fourth_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .on_update = record_fourth,
};

NFC_PLUGIN_EXPORT(fourth_src_to_dst_pkt_size)
