/* Plugins: loading (dlopen, ABI check, setup), their per-flow state inside the flow record, their hooks in
 * nfstream's order around the engine's own update (spec §7), and their exported fields as columns of the column
 * registry. Plugins look up core columns in the registry and read them through it. */
#ifndef NFC_PLUGIN_HOST_H
#define NFC_PLUGIN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <nfcore/nfcore.h>

#include "flow/flow.h"

struct nfc_plugin_host;
struct nfc_schema;

/* Loads and sets up every plugin of cfg->plugins (none: *out = NULL). Plugins may look up the columns of
 * `schema`; both it and `cfg` (read again for clones) must outlive the host. Returns -1 with a one-line message on
 * any refusal. */
int nfc_plugins_load(struct nfc_plugin_host **out, const struct nfc_config *cfg, const struct nfc_schema *schema,
                     char *err, size_t errlen);
void nfc_plugins_unload(struct nfc_plugin_host *host);

/* Takes the plugins' state slot in the records `params` lays out and registers their hooks into params->hooks,
 * which owns the host from then on (worker threads get theirs as clones). The host reads core columns through
 * `params`, which must stay where it is. Register it after every other hook: plugins see the labels. */
void nfc_plugins_register(struct nfc_plugin_host *host, struct nfc_flow_params *params);

/* Registers the exported fields (volatile ones excluded) as columns udps.<name> and the columns the plugins added
 * at setup, in plugin order; their getters read through `host` (NULL: none). Columns the plugins add later go into
 * `schema` among their own, until schema->final. Returns 0, or -1 when memory runs out. */
int nfc_plugins_register_columns(struct nfc_plugin_host *host, struct nfc_schema *schema);

/* A plugin's state in a flow (plugin: its index in cfg->plugins); NULL for a plugin without state. */
void *nfc_plugins_state(const struct nfc_plugin_host *host, const struct nfc_flow *f, size_t plugin);

/* With cfg->plugin_timing, each plugin's hook calls and time (nfc_engine_plugin_times); returns the number of
 * plugins, 0 when not timed. */
size_t nfc_plugins_times(const struct nfc_plugin_host *host, struct nfc_plugin_times *times, size_t n);

void nfc_plugins_describe(const struct nfc_plugin_host *host, FILE *out);

#endif
