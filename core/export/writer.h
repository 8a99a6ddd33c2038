/* The writers' side that the engine's wiring opens: a writer over a column registry. The public nfc_writer_*
 * calls (nfcore.h) take an engine; the wiring hands its registry here, so that export never calls back up. */
#ifndef NFC_EXPORT_WRITER_H
#define NFC_EXPORT_WRITER_H

#include <stdbool.h>
#include <stdio.h>

#include <nfcore/nfcore.h>

struct nfc_schema;

/* nfc_writer_open's work, over `schema`, which must outlive the writer. */
struct nfc_writer *nfc_writer_open_schema(const struct nfc_schema *schema, enum nfc_format format, FILE *out, char *err,
                                          size_t errlen);

/* nfc_writer_open_path's work, over `schema`; a file's stdio buffer is line-buffered when asked (live capture). */
struct nfc_writer *nfc_writer_open_files(const struct nfc_schema *schema, const struct nfc_file_output *output,
                                         bool line_buffered, char *err, size_t errlen);

#endif
