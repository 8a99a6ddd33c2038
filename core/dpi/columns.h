/* nDPI's columns in the column registry: the application labels (spec §4.1, §6). */
#ifndef NFC_DPI_COLUMNS_H
#define NFC_DPI_COLUMNS_H

#include <stddef.h>

#include "schema/schema.h"

/* Registers the labels; `state_off` is where a record's struct nfc_dpi_flow lies from the record's start.
 * Returns 0, or -1 when memory runs out. */
int nfc_dpi_register_columns(struct nfc_schema *s, size_t state_off);

#endif
