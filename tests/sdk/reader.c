/* reader: copies the integer value of another column (`--plugin reader.so:column=NAME`), as it stands after each
 * packet, into udps.read. Without the argument, or for a column that does not exist, setup fails. */
#include <stdio.h>
#include <stdlib.h>

#include <nfcore/plugin.h>

struct reader_state {
    int64_t read;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("read", NFC_FIELD_INT, struct reader_state, read, 0),
};

static int setup(struct nfc_setup *ctx, void **instance)
{
    const char *name = ctx->arg(ctx, "column");
    if (!name) {
        ctx->error(ctx, "needs an argument column=NAME");
        return -1;
    }
    nfc_field_ref column;
    if (ctx->lookup(ctx, name, &column) < 0) {
        char message[128];
        snprintf(message, sizeof message, "no column named '%s'", name);
        ctx->error(ctx, message);
        return -1;
    }
    nfc_field_ref *self = malloc(sizeof *self);
    if (!self) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *self = column;
    *instance = self;
    return 0;
}

static void read_column(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                        const struct nfc_packet *pkt)
{
    (void)pkt;
    const nfc_field_ref *column = instance;
    struct nfc_value v;
    host->read(host, flow, *column, &v);
    ((struct reader_state *)state)->read = v.type == NFC_TYPE_UINT ? (int64_t)v.as.u : v.as.i;
}

static const struct nfc_plugin plugin = {
    NFC_PLUGIN_ABI,
    .name = "reader",
    .version = "1.0",
    .description = "another column's value, read through the host",
    .state_size = sizeof(struct reader_state),
    .fields = fields,
    .n_fields = 1,
    .setup = setup,
    .on_init = read_column,
    .on_update = read_column,
    .teardown = free,
};

NFC_PLUGIN_EXPORT(plugin)
