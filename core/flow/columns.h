/* The flow layer's columns in the column registry: identity, counters, statistics and SPLT (spec §4.1). */
#ifndef NFC_FLOW_COLUMNS_H
#define NFC_FLOW_COLUMNS_H

#include <nfcore/nfcore.h>

#include "flow/flow.h"
#include "schema/schema.h"

/* Registers the columns `cfg` has; their getters read records laid out by `params` (read only when a value is,
 * so it may be filled in later). Returns 0, or -1 when memory runs out. */
int nfc_flow_register_columns(struct nfc_schema *s, const struct nfc_config *cfg, const struct nfc_flow_params *params);

#endif
