/* One serialisation format: how a header and a flow record become text (CSV, JSON lines). */
#ifndef NFC_FORMAT_H
#define NFC_FORMAT_H

#include <nfcore/nfcore.h>

#include "export/text_buffer.h"

struct nfc_format_ops {
    /* Text written once when the writer opens (may be NULL). */
    void (*header)(struct nfc_text *out, const struct nfc_column *columns, size_t n);
    void (*record_begin)(struct nfc_text *out);
    void (*field)(struct nfc_text *out, const struct nfc_column *column, size_t index, const struct nfc_value *v);
    void (*record_end)(struct nfc_text *out);
};

extern const struct nfc_format_ops nfc_csv_format;
extern const struct nfc_format_ops nfc_jsonl_format;

/* "[1, -1, 3]": a list as Python prints it, shared by the formats that write lists as text. */
void nfc_format_python_list(struct nfc_text *out, const struct nfc_value *v, const char *separator);
/* An NFC_TYPE_IP or NFC_TYPE_MAC value as text, without quotes. */
void nfc_format_address(struct nfc_text *out, const struct nfc_value *v);
/* The n bytes at s as Python's repr() writes a str: single quotes unless the text has a ' and no ", and escapes
 * for the backslash, the quote and every character that str.isprintable() rejects. */
void nfc_format_python_str(struct nfc_text *out, const char *s, size_t n);
/* "['a', \"b's\"]": an NFC_TYPE_STRING_LIST value as Python prints the list. */
void nfc_format_python_str_list(struct nfc_text *out, const struct nfc_value *v);
/* A present value as Python's str() writes it (nfc_value_text): what the CSV holds between its quotes. */
void nfc_format_value_text(struct nfc_text *out, const struct nfc_value *v);

#endif
