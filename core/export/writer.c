#include <errno.h>
#include <stdlib.h>

#include <nfcore/nfcore.h>

#include "export/format.h"

struct nfc_writer {
    const struct nfc_engine *eng;
    const struct nfc_format_ops *ops;
    const struct nfc_column *columns;
    size_t n_columns;
    FILE *out;
    struct nfc_text line;
    int failed;
};

static int flush_line(struct nfc_writer *w)
{
    if (w->line.failed) {
        errno = ENOMEM;
        w->failed = 1;
    } else if (w->line.len && fwrite(w->line.p, 1, w->line.len, w->out) != w->line.len) {
        w->failed = 1;
    }
    w->line.len = 0;
    w->line.failed = false;
    return w->failed ? -1 : 0;
}

struct nfc_writer *nfc_writer_open(const struct nfc_engine *eng, enum nfc_format format, FILE *out)
{
    struct nfc_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->eng = eng;
    w->ops = format == NFC_FORMAT_JSONL ? &nfc_jsonl_format : &nfc_csv_format;
    w->out = out;
    w->n_columns = nfc_engine_columns(eng, &w->columns);
    if (w->ops->header) {
        w->ops->header(&w->line, w->columns, w->n_columns);
        flush_line(w);
    }
    return w;
}

int nfc_writer_write(struct nfc_writer *w, const struct nfc_flow *flow)
{
    struct nfc_value v;
    w->ops->record_begin(&w->line);
    for (size_t i = 0; i < w->n_columns; i++) {
        nfc_flow_value(w->eng, flow, i, &v);
        w->ops->field(&w->line, &w->columns[i], i, &v);
    }
    w->ops->record_end(&w->line);
    return flush_line(w);
}

int nfc_writer_close(struct nfc_writer *w)
{
    if (!w)
        return 0;
    int rc = w->failed || fflush(w->out) != 0 ? -1 : 0;
    nfc_text_free(&w->line);
    free(w);
    return rc;
}
