/* The CSV and JSON lines writers: synchronous sinks that encode a flow in one format and write it to a FILE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "export/format.h"
#include "export/sink.h"
#include "export/writer.h"
#include "schema/schema.h"
#include "util/error.h"

struct nfc_writer {
    const struct nfc_schema *schema;
    const struct nfc_format_ops *format;
    const struct nfc_column *columns;
    size_t n_columns;
    FILE *out;
    struct nfc_sink *sink;
};

static void encode_flow(void *state, const struct nfc_flow *flow, struct nfc_text *out)
{
    const struct nfc_writer *w = state;
    struct nfc_value v;
    w->format->record_begin(out);
    for (size_t i = 0; i < w->n_columns; i++) {
        nfc_schema_value(w->schema, flow, i, &v);
        w->format->field(out, &w->columns[i], i, &v);
    }
    w->format->record_end(out);
}

static int write_bytes(void *state, const char *bytes, size_t len, char *err, size_t errlen)
{
    const struct nfc_writer *w = state;
    if (len && fwrite(bytes, 1, len, w->out) != len)
        return nfc_errorf(err, errlen, "write failed: %s", strerror(errno));
    return 0;
}

static int flush_file(void *state, char *err, size_t errlen)
{
    const struct nfc_writer *w = state;
    if (fflush(w->out) != 0)
        return nfc_errorf(err, errlen, "write failed: %s", strerror(errno));
    return 0;
}

/* The state is the writer itself, freed by nfc_writer_close. */
static const struct nfc_sink_ops file_sink = {.encode = encode_flow, .send = write_bytes, .flush = flush_file};

static const struct nfc_format_ops *format_ops(enum nfc_format format)
{
    switch (format) {
    case NFC_FORMAT_CSV: return &nfc_csv_format;
    case NFC_FORMAT_JSONL: return &nfc_jsonl_format;
    }
    return NULL;
}

static int write_header(struct nfc_writer *w, char *err, size_t errlen)
{
    if (!w->format->header)
        return 0;
    struct nfc_text header = {0};
    w->format->header(&header, w->columns, w->n_columns);
    int rc =
        header.failed ? nfc_errorf(err, errlen, "out of memory") : write_bytes(w, header.p, header.len, err, errlen);
    nfc_text_free(&header);
    return rc;
}

struct nfc_writer *nfc_writer_open_schema(const struct nfc_schema *schema, enum nfc_format format, FILE *out, char *err,
                                          size_t errlen)
{
    const struct nfc_format_ops *ops = format_ops(format);
    if (!ops) {
        nfc_errorf(err, errlen, "unknown output format %d", (int)format);
        return NULL;
    }
    struct nfc_writer *w = calloc(1, sizeof *w);
    if (!w) {
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    *w = (struct nfc_writer){
        .schema = schema, .format = ops, .out = out, .columns = schema->columns, .n_columns = schema->count};
    static const struct nfc_sink_options synchronous = {.queue = 0};
    if (write_header(w, err, errlen) < 0 || !(w->sink = nfc_sink_open(&file_sink, w, &synchronous, err, errlen))) {
        free(w);
        return NULL;
    }
    return w;
}

int nfc_writer_write(struct nfc_writer *w, const struct nfc_flow *flow)
{
    return nfc_sink_put(w->sink, flow);
}

const char *nfc_writer_error(const struct nfc_writer *w)
{
    return nfc_sink_error(w->sink);
}

int nfc_writer_close(struct nfc_writer *w, char *err, size_t errlen)
{
    if (!w)
        return 0;
    int rc = nfc_sink_close(w->sink, NULL, err, errlen);
    free(w);
    return rc;
}
