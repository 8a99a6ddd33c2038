/* dummy_classifier: the tutorial's DummyClassifier, with a hand-written rule in place of a trained model. It keeps
 * the wire sizes of the flow's first three packets; at the third it predicts a label into udps.label and ends the
 * flow there (expiration_id -1), so a longer conversation continues as a new flow that is classified in turn.
 * The rule: a mean size over 100 bytes is "bulk", anything else "interactive". A flow that ends before its third
 * packet keeps an empty label.
 *
 *     cc -shared -fPIC $(pkg-config --cflags nfcore) dummy_classifier.c -o dummy_classifier.so
 *     nfcore --plugin ./dummy_classifier.so -r capture.pcap        # adds the column udps.label
 */
#include <nfcore/plugin.h>

#include <string.h>

struct classifier_state {
    struct nfc_string label;
    uint16_t sizes[3]; /* the model's features; not a field, so never written out */
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("label", NFC_FIELD_STRING, struct classifier_state, label, 0),
};

/* Stands in for model.predict(): replace it with a real model's inference. */
static const char *predict(const uint16_t sizes[3])
{
    unsigned sum = (unsigned)sizes[0] + sizes[1] + sizes[2];
    return sum > 3 * 100 ? "bulk" : "interactive";
}

static void classify(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                     const struct nfc_packet *pkt)
{
    (void)instance;
    struct classifier_state *s = state;
    /* The engine has already counted this packet: the count is its position in the flow. */
    uint64_t n = flow->scope[NFC_BIDIRECTIONAL].packets;
    if (n > 3)
        return;
    s->sizes[n - 1] = pkt->raw_size;
    if (n == 3) {
        const char *label = predict(s->sizes);
        host->string_set(host, &s->label, label, strlen(label));
        host->request_expiry(host, flow);
    }
}

static const struct nfc_plugin dummy_classifier = {
    NFC_PLUGIN_ABI,
    .name = "dummy_classifier",
    .version = "1.0",
    .description = "labels a flow bulk or interactive from its first three packet sizes, then ends it",
    .state_size = sizeof(struct classifier_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .flags = NFC_PLUGIN_MAY_EXPIRE,
    .on_init = classify,
    .on_update = classify,
};

NFC_PLUGIN_EXPORT(dummy_classifier)
