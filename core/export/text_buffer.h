/* A growable output line: the exporters build one record here, then write it in one call. */
#ifndef NFC_TEXT_BUFFER_H
#define NFC_TEXT_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nfc_text {
    char *p;
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed: the text is incomplete */
};

void nfc_text_free(struct nfc_text *t);
void nfc_text_put(struct nfc_text *t, const char *s, size_t n);
/* The buffer grown by at least one byte; false when memory ran out (failed is then set). */
bool nfc_text_grow(struct nfc_text *t);

/* Inline: the writers put single characters between most fields. */
static inline void nfc_text_putc(struct nfc_text *t, char c)
{
    if (t->len < t->cap || nfc_text_grow(t))
        t->p[t->len++] = c;
}
void nfc_text_put_u64(struct nfc_text *t, uint64_t v);
void nfc_text_put_i64(struct nfc_text *t, int64_t v);
void nfc_text_put_double(struct nfc_text *t, double v);

#endif
