/* The output schema: which columns a configuration has, in nfstream's order (spec §4.1), and each column's value
 * for a flow. Every exporter is driven by it. */
#ifndef NFC_SCHEMA_H
#define NFC_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <nfcore/nfcore.h>

#include "flow/flow.h"

enum nfc_column_kind {
    NFC_COL_ID, NFC_COL_EXPIRATION_ID,
    NFC_COL_SRC_IP, NFC_COL_SRC_MAC, NFC_COL_SRC_OUI, NFC_COL_SRC_PORT,
    NFC_COL_DST_IP, NFC_COL_DST_MAC, NFC_COL_DST_OUI, NFC_COL_DST_PORT,
    NFC_COL_PROTOCOL, NFC_COL_IP_VERSION, NFC_COL_VLAN_ID, NFC_COL_TUNNEL_ID,
    NFC_COL_FIRST_SEEN, NFC_COL_LAST_SEEN, NFC_COL_DURATION, NFC_COL_PACKETS, NFC_COL_BYTES,
    NFC_COL_MIN_PS, NFC_COL_MEAN_PS, NFC_COL_STDDEV_PS, NFC_COL_MAX_PS,
    NFC_COL_MIN_PIAT, NFC_COL_MEAN_PIAT, NFC_COL_STDDEV_PIAT, NFC_COL_MAX_PIAT,
    NFC_COL_FLAG,
    NFC_COL_SPLT_DIRECTION, NFC_COL_SPLT_PS, NFC_COL_SPLT_PIAT,
    NFC_COL_DPI_TEXT, NFC_COL_DPI_GUESSED, NFC_COL_DPI_CONFIDENCE,
    NFC_COL_PLUGIN,
};

struct nfc_column_spec {
    uint16_t kind;    /* enum nfc_column_kind */
    uint16_t arg;     /* flag index, DPI text index or exported plugin field */
    uint8_t scope;    /* enum nfc_scope, for the per-scope kinds */
};

struct nfc_plugin_host;

struct nfc_schema {
    size_t count;
    struct nfc_column *columns;
    struct nfc_column_spec *specs;
    char *names;
    const struct nfc_plugin_host *plugins;
    size_t dpi_result;            /* where the label columns read a flow's labels (nfc_dpi_result_offset) */
};

/* The engine's own columns. Returns -1 when memory runs out. */
int nfc_schema_build(struct nfc_schema *s, const struct nfc_config *cfg);
/* Appends the plugins' exported fields (udps.<name>). Returns -1 when memory runs out. */
int nfc_schema_add_plugins(struct nfc_schema *s, const struct nfc_plugin_host *plugins);
void nfc_schema_free(struct nfc_schema *s);

void nfc_schema_value(const struct nfc_schema *s, const struct nfc_flow_params *p, const struct nfc_flow *f,
                      size_t column, struct nfc_value *v);

#endif
