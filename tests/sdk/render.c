/* render: one field of each kind that needs quoting or may stay empty, filled at the first packet of UDP flows.
 * Each value is reached through a detour that the host must undo: a string set then unset, a text replaced after
 * an unset, a string given a text too long to hold (which must fail and leave it unset, not stale), a string list
 * cleared and refused a text too long, an int list written in place and shortened. udps.refused counts the
 * mutators that failed as they should. */
#include <stdint.h>

#include <nfcore/plugin.h>

struct render_state {
    struct nfc_string quote;
    struct nfc_string cleared;
    struct nfc_int_list sizes;
    struct nfc_string_list labels;
    struct nfc_opt_int unset;
    struct nfc_opt_float ratio;
    int64_t refused;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("quote", NFC_FIELD_STRING, struct render_state, quote, 0),
    NFC_FIELD("cleared", NFC_FIELD_STRING, struct render_state, cleared, 0),
    NFC_FIELD("sizes", NFC_FIELD_INT_LIST, struct render_state, sizes, 0),
    NFC_FIELD("labels", NFC_FIELD_STRING_LIST, struct render_state, labels, 0),
    NFC_FIELD("unset", NFC_FIELD_OPT_INT, struct render_state, unset, 0),
    NFC_FIELD("ratio", NFC_FIELD_OPT_FLOAT, struct render_state, ratio, 0),
    NFC_FIELD("refused", NFC_FIELD_INT, struct render_state, refused, 0),
};

static void fill(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                 const struct nfc_packet *pkt)
{
    (void)instance;
    (void)flow;
    if (pkt->protocol != 17)
        return; /* other flows keep every field unset */
    struct render_state *s = state;
    host->string_set(host, &s->quote, "a longer text than the final one", 32);
    host->string_set(host, &s->quote, NULL, 0);
    host->string_set(host, &s->quote, "say \"hi\"", 8);
    host->string_set(host, &s->cleared, "gone", 4);
    s->refused += host->string_set(host, &s->cleared, "gone", UINT32_MAX) == -1;
    host->int_list_append(host, &s->sizes, 9);
    host->int_list_append(host, &s->sizes, 2);
    host->int_list_append(host, &s->sizes, 3);
    s->sizes.items[0] = 1;
    s->sizes.len = 2;
    host->string_list_append(host, &s->labels, "stale", 5);
    host->string_list_clear(host, &s->labels);
    host->string_list_append(host, &s->labels, "a", 1);
    host->string_list_append(host, &s->labels, "b's", 3);
    s->refused += host->string_list_append(host, &s->labels, "b's", UINT32_MAX) == -1;
    s->ratio = (struct nfc_opt_float){0.5, true};
}

static const struct nfc_plugin plugin = {
    NFC_PLUGIN_ABI,
    .name = "render",
    .version = "1.0",
    .description = "strings, an int list, a string list, an unset and a set optional value",
    .state_size = sizeof(struct render_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .on_init = fill,
};

NFC_PLUGIN_EXPORT(plugin)
