/* clash: a second plugin that names its field hidden_packets, as hidden.so does. */
#include <nfcore/plugin.h>

struct clash_state {
    int64_t packets;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("hidden_packets", NFC_FIELD_INT, struct clash_state, packets, 0),
};

static const struct nfc_plugin plugin = {
    NFC_PLUGIN_ABI,
    .name = "clash",
    .version = "1.0",
    .description = "a field name another plugin already uses",
    .state_size = sizeof(struct clash_state),
    .fields = fields,
    .n_fields = 1,
};

NFC_PLUGIN_EXPORT(plugin)
