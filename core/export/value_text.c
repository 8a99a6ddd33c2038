/* A value as Python's str() writes it: what nfstream's CSV holds between its quotes and what its anonymisation
 * hashes. Built from the formats' own pieces (numbers, floats, addresses, lists), so the text is the CSV's. */
#include <string.h>

#include <nfcore/nfcore.h>

#include "export/format.h"

void nfc_format_value_text(struct nfc_text *out, const struct nfc_value *v)
{
    switch (v->type) {
    case NFC_TYPE_INT: nfc_text_put_i64(out, v->as.i); break;
    case NFC_TYPE_UINT: nfc_text_put_u64(out, v->as.u); break;
    case NFC_TYPE_FLOAT: nfc_text_put_double(out, v->as.f); break;
    case NFC_TYPE_STRING: nfc_text_put(out, v->as.str.ptr, v->as.str.len); break;
    case NFC_TYPE_INT_LIST: nfc_format_python_list(out, v, ", "); break;
    case NFC_TYPE_STRING_LIST: nfc_format_python_str_list(out, v); break;
    case NFC_TYPE_IP:
    case NFC_TYPE_MAC: nfc_format_address(out, v); break;
    }
}

size_t nfc_value_text(const struct nfc_value *v, char *buf, size_t size)
{
    size_t len = 0;
    const char *text = "";
    struct nfc_text t = {0};
    if (!v->missing && v->type == NFC_TYPE_STRING) { /* as it is: no scratch copy */
        text = v->as.str.ptr;
        len = v->as.str.len;
    } else if (!v->missing) {
        nfc_format_value_text(&t, v);
        text = t.p;
        len = t.failed ? 0 : t.len;
    }
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        if (n)
            memcpy(buf, text, n);
        buf[n] = '\0';
    }
    nfc_text_free(&t);
    return len;
}
