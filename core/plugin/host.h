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
 * `schema`, which must outlive the host. Returns -1 with a one-line message on any refusal. */
int nfc_plugins_load(struct nfc_plugin_host **out, const struct nfc_config *cfg, const struct nfc_schema *schema,
                     char *err, size_t errlen);
void nfc_plugins_unload(struct nfc_plugin_host *host);

/* Bytes of plugin state per flow; `params` (whose plugin_off is where the states start in ext[]) must be the
 * engine's final ones, as the host finds the states through them. */
size_t nfc_plugins_state_size(const struct nfc_plugin_host *host);
void nfc_plugins_bind(struct nfc_plugin_host *host, const struct nfc_flow_params *params);

void nfc_plugins_on_init(struct nfc_plugin_host *host, struct nfc_flow *f, const struct nfc_packet *pkt);
void nfc_plugins_on_update(struct nfc_plugin_host *host, struct nfc_flow *f, const struct nfc_packet *pkt);
void nfc_plugins_on_expire(struct nfc_plugin_host *host, struct nfc_flow *f);
/* Frees the strings and lists the flow's plugin fields hold. */
void nfc_plugins_release(const struct nfc_plugin_host *host, struct nfc_flow *f);

/* Registers the exported fields (volatile ones excluded) as columns udps.<name>, in plugin order then field order;
 * their getters read through `host` (NULL: none). Returns 0, or -1 when memory runs out. */
int nfc_plugins_register_columns(const struct nfc_plugin_host *host, struct nfc_schema *schema);

void nfc_plugins_describe(const struct nfc_plugin_host *host, FILE *out);

/* Whether any plugin may end flows early (NULL host: no). */
bool nfc_plugins_may_expire(const struct nfc_plugin_host *host);

#endif
