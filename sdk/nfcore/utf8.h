/* nfcore plugin SDK: UTF-8 as Python's decoder reads it, for turning packet bytes into text the way nfstream does:
 * well-formed sequences per Unicode table 3-7 (no overlong forms, no surrogates, nothing above U+10FFFF). Header
 * only; nfcore's own text handling uses it too. */
#ifndef NFCORE_UTF8_H
#define NFCORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The bytes of the sequence at p (n > 0): one character when *valid, otherwise the maximal ill-formed part, which
 * Python's errors="replace" turns into one U+FFFD and errors="ignore" drops (at least one byte). */
static inline size_t nfc_utf8_sequence(const uint8_t *p, size_t n, bool *valid)
{
    uint8_t c = p[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80) {
        *valid = true;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
    } else {
        *valid = false;
        return 1;
    }
    size_t i = 1;
    while (i <= need && i < n && p[i] >= (i == 1 ? lo : 0x80) && p[i] <= (i == 1 ? hi : 0xBF))
        i++;
    *valid = i == need + 1;
    return i;
}

/* Whether Python's strict decoder takes the n bytes at p. */
static inline bool nfc_utf8_valid(const uint8_t *p, size_t n)
{
    bool valid = true;
    for (size_t i = 0; i < n && valid; i += nfc_utf8_sequence(p + i, n - i, &valid))
        ;
    return valid;
}

/* Python's bytes.decode("utf-8", errors="replace") into out, which holds 3 bytes per input byte; returns the
 * length written. */
static inline size_t nfc_utf8_replace(const uint8_t *p, size_t n, char *out)
{
    size_t len = 0;
    bool valid;
    for (size_t i = 0, k; i < n; i += k) {
        k = nfc_utf8_sequence(p + i, n - i, &valid);
        if (valid) {
            memcpy(out + len, p + i, k);
            len += k;
        } else {
            memcpy(out + len, "\xEF\xBF\xBD", 3);
            len += 3;
        }
    }
    return len;
}

#endif
