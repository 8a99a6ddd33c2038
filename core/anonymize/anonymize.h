/* Anonymisation: columns whose values every reader sees as the keyed BLAKE2b-512 hex digest of their text. */
#ifndef NFC_ANONYMIZE_H
#define NFC_ANONYMIZE_H

#include <stddef.h>
#include <stdint.h>

#include <nfcore/nfcore.h>

#include "flow/flow.h"
#include "schema/schema.h"

/* Anonymises the n columns named in `columns` (a name given twice counts once): asks `params` for a state slot
 * and registers a hook whose expire writes the digests there, after every hook registered before it, and makes
 * the columns' getters in `schema` read them. `key` is NFC_ANONYMIZE_KEY_BYTES bytes, copied; NULL draws a random
 * one. Call before the layout. Returns 0, or -1 with a one-line message ("anonymize: no column 'x'"). */
int nfc_anonymize_register(struct nfc_schema *schema, struct nfc_flow_params *params, const char *const *columns,
                           size_t n, const uint8_t *key, char *err, size_t errlen);

#endif
