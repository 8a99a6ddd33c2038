/* CSV as nfstream's to_csv writes it (spec §9.2), with RFC 4180 quoting: an embedded '"' is doubled. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <nfcore/utf8.h>

#include "export/format.h"

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

/* The code points above ASCII that Python's str.isprintable() rejects, and repr() therefore escapes: the
 * categories Cc, Cf, Cs, Co, Zs, Zl and Zp of Unicode 14 (Python 3.11), in sorted, merged ranges. Of Cn
 * (unassigned), only the noncharacters are caught, by rule in printable(): other unassigned code points, which
 * Python escapes too, are written as they are, since they change with each Unicode version. */
static const struct {
    uint32_t first, last;
} non_printable[] = {
    {0x80, 0xA0},       {0xAD, 0xAD},         {0x600, 0x605},     {0x61C, 0x61C},     {0x6DD, 0x6DD},
    {0x70F, 0x70F},     {0x890, 0x891},       {0x8E2, 0x8E2},     {0x1680, 0x1680},   {0x180E, 0x180E},
    {0x2000, 0x200F},   {0x2028, 0x202F},     {0x205F, 0x2064},   {0x2066, 0x206F},   {0x3000, 0x3000},
    {0xD800, 0xF8FF},   {0xFEFF, 0xFEFF},     {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x13438}, {0x1BCA0, 0x1BCA3},   {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    {0xF0000, 0xFFFFD}, {0x100000, 0x10FFFD},
};

static bool printable(uint32_t c)
{
    if ((c & 0xFFFE) == 0xFFFE || (c >= 0xFDD0 && c <= 0xFDEF))
        return false; /* the noncharacters */
    size_t lo = 0, hi = sizeof non_printable / sizeof non_printable[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c < non_printable[mid].first)
            hi = mid;
        else if (c > non_printable[mid].last)
            lo = mid + 1;
        else
            return false;
    }
    return true;
}

/* The code point of the well-formed UTF-8 sequence of two to four bytes at s (n bytes left) into *c; returns its
 * length, or 0 when s does not start one. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *c)
{
    bool valid;
    size_t len = nfc_utf8_sequence(s, n, &valid);
    if (!valid)
        return 0;
    uint32_t v = s[0] & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++)
        v = v << 6 | (s[i] & 0x3Fu);
    *c = v;
    return len;
}

/* \xNN, \uNNNN or \UNNNNNNNN: the shortest of Python's escapes that holds c. */
static void put_escape(struct nfc_text *out, uint32_t c)
{
    static const char hex[] = "0123456789abcdef";
    size_t digits = c < 0x100 ? 2 : c < 0x10000 ? 4 : 8;
    char esc[10] = {'\\', c < 0x100 ? 'x' : c < 0x10000 ? 'u' : 'U'};
    for (size_t i = 0; i < digits; i++)
        esc[2 + i] = hex[(c >> (4 * (digits - 1 - i))) & 15];
    nfc_text_put(out, esc, 2 + digits);
}

void nfc_format_python_str(struct nfc_text *out, const char *s, size_t n)
{
    char quote = memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';
    nfc_text_putc(out, quote);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t code = c;
        size_t len = c < 0x80 ? 1 : utf8_decode((const unsigned char *)s + i, n - i, &code);
        if (c == '\\' || c == (unsigned char)quote) {
            nfc_text_putc(out, '\\');
            nfc_text_putc(out, (char)c);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            nfc_text_putc(out, '\\');
            nfc_text_putc(out, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        } else if (c < 0x20 || c == 0x7f || (len > 1 && !printable(code))) {
            put_escape(out, code);
        } else {
            /* a printable character; or a byte that starts no UTF-8 sequence, which no Python str holds: as it is */
            if (!len)
                len = 1;
            nfc_text_put(out, s + i, len);
        }
        i += len;
    }
    nfc_text_putc(out, quote);
}

void nfc_format_python_str_list(struct nfc_text *out, const struct nfc_value *v)
{
    nfc_text_putc(out, '[');
    for (size_t i = 0; i < v->as.strings.len; i++) {
        if (i)
            nfc_text_put(out, ", ", 2);
        nfc_format_python_str(out, v->as.strings.ptr[i].text, v->as.strings.ptr[i].len);
    }
    nfc_text_putc(out, ']');
}

/* The list's text goes through a scratch buffer so that its quotes get doubled. */
static void put_string_list(struct nfc_text *out, const struct nfc_value *v)
{
    struct nfc_text repr = {0};
    nfc_format_python_str_list(&repr, v);
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
    case NFC_TYPE_IP:
    case NFC_TYPE_MAC:
        nfc_text_putc(out, '"');
        nfc_format_address(out, v);
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
