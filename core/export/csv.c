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

/* One string as Python's repr() writes it: single quotes unless the text has a ' and no ". */
static void put_python_str(struct nfc_text *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char quote = memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';
    nfc_text_putc(out, quote);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == (unsigned char)quote) {
            nfc_text_putc(out, '\\');
            nfc_text_putc(out, (char)c);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            nfc_text_putc(out, '\\');
            nfc_text_putc(out, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        } else if (c < 0x20 || c == 0x7f) {
            char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            nfc_text_put(out, esc, sizeof esc);
        } else {
            nfc_text_putc(out, (char)c);
        }
    }
    nfc_text_putc(out, quote);
}

/* "['a', \"b's\"]", then CSV-quoted: the list text goes through a scratch buffer so its quotes get doubled. */
static void put_string_list(struct nfc_text *out, const struct nfc_value *v)
{
    struct nfc_text repr = {0};
    nfc_text_putc(&repr, '[');
    for (size_t i = 0; i < v->as.strings.len; i++) {
        if (i)
            nfc_text_put(&repr, ", ", 2);
        put_python_str(&repr, v->as.strings.ptr[i].text, v->as.strings.ptr[i].len);
    }
    nfc_text_putc(&repr, ']');
    if (repr.failed)
        out->failed = true;
    else
        put_quoted(out, repr.p, repr.len);
    nfc_text_free(&repr);
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
    case NFC_TYPE_STRING_LIST: put_string_list(out, v); break;
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
