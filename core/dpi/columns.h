/* nDPI's columns in the column registry: the application labels (spec §4.1, §6). */
#ifndef NFC_DPI_COLUMNS_H
#define NFC_DPI_COLUMNS_H

#include <stddef.h>

#include "schema/schema.h"

/* Registers the labels; `result_off` is where a record's labels lie in its ext[] (nfc_dpi_result_offset).
 * Returns 0, or -1 when memory runs out. */
int nfc_dpi_register_columns(struct nfc_schema *s, size_t result_off);

#endif
