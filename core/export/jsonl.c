/* JSON lines: one object per flow, the CSV's fields with native JSON types; a missing value is null. */
#include <math.h>
#include <string.h>

#include "export/format.h"

static void put_json_string(struct nfc_text *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    nfc_text_putc(out, '"');
    const char *end = s + n;
    while (s < end) {
        /* the longest run that needs no escape, in one copy (a column's name always) */
        const char *run = s;
        while (s < end && (unsigned char)*s >= 0x20 && *s != '"' && *s != '\\')
            s++;
        nfc_text_put(out, run, (size_t)(s - run));
        if (s == end)
            break;
        unsigned char c = (unsigned char)*s++;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            nfc_text_put(out, esc, sizeof esc);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            nfc_text_put(out, esc, sizeof esc);
        }
    }
    nfc_text_putc(out, '"');
}

static void jsonl_record_begin(struct nfc_text *out)
{
    nfc_text_putc(out, '{');
}

static void jsonl_field(struct nfc_text *out, const struct nfc_column *column, size_t index, const struct nfc_value *v)
{
    if (index)
        nfc_text_putc(out, ',');
    put_json_string(out, column->name, strlen(column->name));
    nfc_text_putc(out, ':');
    if (v->missing) {
        nfc_text_put(out, "null", 4);
        return;
    }
    switch (v->type) {
    case NFC_TYPE_INT: nfc_text_put_i64(out, v->as.i); break;
    case NFC_TYPE_UINT: nfc_text_put_u64(out, v->as.u); break;
    case NFC_TYPE_FLOAT:
        /* JSON has no NaN or infinity. */
        if (isfinite(v->as.f))
            nfc_text_put_double(out, v->as.f);
        else
            nfc_text_put(out, "null", 4);
        break;
    case NFC_TYPE_STRING: put_json_string(out, v->as.str.ptr, v->as.str.len); break;
    case NFC_TYPE_INT_LIST: nfc_format_python_list(out, v, ","); break;
    case NFC_TYPE_STRING_LIST:
        nfc_text_putc(out, '[');
        for (size_t i = 0; i < v->as.strings.len; i++) {
            if (i)
                nfc_text_putc(out, ',');
            put_json_string(out, v->as.strings.ptr[i].text, v->as.strings.ptr[i].len);
        }
        nfc_text_putc(out, ']');
        break;
    case NFC_TYPE_IP:
    case NFC_TYPE_MAC: /* no character of theirs needs an escape */
        nfc_text_putc(out, '"');
        nfc_format_address(out, v);
        nfc_text_putc(out, '"');
        break;
    }
}

static void jsonl_record_end(struct nfc_text *out)
{
    nfc_text_put(out, "}\n", 2);
}

const struct nfc_format_ops nfc_jsonl_format = {
    .header = NULL,
    .record_begin = jsonl_record_begin,
    .field = jsonl_field,
    .record_end = jsonl_record_end,
};
