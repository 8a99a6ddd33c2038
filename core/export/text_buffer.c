#include "text_buffer.h"

#include <stdlib.h>
#include <string.h>

#include "float_format.h"

void nfc_text_free(struct nfc_text *t)
{
    free(t->p);
    t->p = NULL;
    t->len = t->cap = 0;
}

static bool reserve(struct nfc_text *t, size_t extra)
{
    if (t->len + extra <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < t->len + extra)
        cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) {
        t->failed = true;
        return false;
    }
    t->p = p;
    t->cap = cap;
    return true;
}

void nfc_text_put(struct nfc_text *t, const char *s, size_t n)
{
    if (!reserve(t, n))
        return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
}

void nfc_text_putc(struct nfc_text *t, char c)
{
    if (!reserve(t, 1))
        return;
    t->p[t->len++] = c;
}

void nfc_text_put_u64(struct nfc_text *t, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[sizeof digits - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    nfc_text_put(t, digits + sizeof digits - n, n);
}

void nfc_text_put_i64(struct nfc_text *t, int64_t v)
{
    if (v < 0) {
        nfc_text_putc(t, '-');
        nfc_text_put_u64(t, (uint64_t)0 - (uint64_t)v);
        return;
    }
    nfc_text_put_u64(t, (uint64_t)v);
}

void nfc_text_put_double(struct nfc_text *t, double v)
{
    char buf[NFC_DOUBLE_BUFSZ];
    nfc_text_put(t, buf, nfc_format_double(v, buf));
}
