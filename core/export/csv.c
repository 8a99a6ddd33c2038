/* CSV as nfstream's to_csv writes it (spec §9.2), with RFC 4180 quoting: an embedded '"' is doubled. */
#include <string.h>

#include "format.h"

static void put_quoted(struct nfc_text *out, const char *s, size_t n)
{
    nfc_text_putc(out, '"');
    const char *end = s + n;
    while (s < end) {
        const char *q = memchr(s, '"', (size_t)(end - s));
        size_t run = q ? (size_t)(q - s) + 1 : (size_t)(end - s);
        nfc_text_put(out, s, run);
        if (q)
            nfc_text_putc(out, '"');
        s += run;
    }
    nfc_text_putc(out, '"');
}

static void csv_header(struct nfc_text *out, const struct nfc_column *columns, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            nfc_text_putc(out, ',');
        nfc_text_put(out, columns[i].name, strlen(columns[i].name));
    }
    nfc_text_putc(out, '\n');
}

static void csv_record_begin(struct nfc_text *out)
{
    (void)out;
}

static void csv_field(struct nfc_text *out, const struct nfc_column *column, size_t index, const struct nfc_value *v)
{
    (void)column;
    if (index)
        nfc_text_putc(out, ',');
    if (v->missing)
        return;
    switch (v->type) {
    case NFC_TYPE_INT: nfc_text_put_i64(out, v->as.i); break;
    case NFC_TYPE_UINT: nfc_text_put_u64(out, v->as.u); break;
    case NFC_TYPE_FLOAT: nfc_text_put_double(out, v->as.f); break;
    case NFC_TYPE_STRING: put_quoted(out, v->as.str.ptr, v->as.str.len); break;
    case NFC_TYPE_INT_LIST:
        nfc_text_putc(out, '"');
        nfc_format_python_list(out, v, ", ");
        nfc_text_putc(out, '"');
        break;
    }
}

static void csv_record_end(struct nfc_text *out)
{
    nfc_text_putc(out, '\n');
}

void nfc_format_python_list(struct nfc_text *out, const struct nfc_value *v, const char *separator)
{
    size_t sep_len = strlen(separator);
    nfc_text_putc(out, '[');
    for (size_t i = 0; i < v->as.list.len; i++) {
        if (i)
            nfc_text_put(out, separator, sep_len);
        nfc_text_put_i64(out, nfc_list_at(v, i));
    }
    nfc_text_putc(out, ']');
}

const struct nfc_format_ops nfc_csv_format = {
    .header = csv_header,
    .record_begin = csv_record_begin,
    .field = csv_field,
    .record_end = csv_record_end,
};
