#include "export/text_buffer.h"

#include <stdlib.h>
#include <string.h>

#include "export/float_format.h"
#include "util/alloc.h"

void nfc_text_free(struct nfc_text *t)
{
    nfc_free(t->p);
    t->p = NULL;
    t->len = t->cap = 0;
}

static bool reserve(struct nfc_text *t, size_t extra)
{
    if (t->len + extra <= t->cap)
        return true;
    if (t->failed)
        return false; /* the text is lost already: one failed allocation is enough */
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < t->len + extra)
        cap *= 2;
    char *p = nfc_realloc(t->p, cap);
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
    /* nothing to copy: a buffer that never had storage has none to copy into */
    if (!n || !reserve(t, n))
        return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
}

bool nfc_text_grow(struct nfc_text *t)
{
    return reserve(t, 1);
}

/* "00" to "99": two digits per division halve the work of the most frequent output. */
static const char digit_pairs[201] =
    "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
    "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

void nfc_text_put_u64(struct nfc_text *t, uint64_t v)
{
    char digits[20];
    char *p = digits + sizeof digits;
    while (v >= 100) {
        unsigned pair = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = digit_pairs[pair + 1];
        *--p = digit_pairs[pair];
    }
    if (v >= 10) {
        *--p = digit_pairs[v * 2 + 1];
        *--p = digit_pairs[v * 2];
    } else {
        *--p = (char)('0' + v);
    }
    nfc_text_put(t, p, (size_t)(digits + sizeof digits - p));
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
