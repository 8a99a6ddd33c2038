/* count_pkts_gt_666: how many packets of the flow are larger than 666 bytes on the wire (the tutorial's first
 * metric; its snippet compares with 999, the name says 666 and so does this plugin).
 *
 *     cc -shared -fPIC $(pkg-config --cflags nfcore) count_pkts_gt_666.c -o count_pkts_gt_666.so
 *     nfcore --plugin ./count_pkts_gt_666.so -r capture.pcap        # adds the column udps.count_pkts_gt_666
 */
#include <nfcore/plugin.h>

struct big_state {
    int64_t count_pkts_gt_666;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("count_pkts_gt_666", NFC_FIELD_INT, struct big_state, count_pkts_gt_666, 0),
};

static void count_big(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                      const struct nfc_packet *pkt)
{
    (void)host;
    (void)instance;
    (void)flow;
    if (pkt->raw_size > 666)
        ((struct big_state *)state)->count_pkts_gt_666++;
}

static const struct nfc_plugin count_pkts_gt_666 = {
    NFC_PLUGIN_ABI,
    .name = "count_pkts_gt_666",
    .version = "1.0",
    .description = "packets larger than 666 bytes on the wire",
    .state_size = sizeof(struct big_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .on_init = count_big,
    .on_update = count_big,
};

NFC_PLUGIN_EXPORT(count_pkts_gt_666)
