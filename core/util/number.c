#include "util/number.h"

#include <stdbool.h>

/* Splits text into a sign and a magnitude; *overflow when the magnitude does not fit in 64 bits. */
static bool scan(const char *text, bool *negative, uint64_t *magnitude, bool *overflow)
{
    *negative = *text == '-';
    const char *s = text + (*text == '-' || *text == '+');
    if (*s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    *overflow = false;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned digit = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - digit) / 10)
            *overflow = true;
        else
            v = v * 10 + digit;
    }
    *magnitude = v;
    return *s == '\0';
}

enum nfc_number nfc_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
    bool negative, overflow;
    uint64_t v;
    if (!scan(text, &negative, &v, &overflow))
        return NFC_NUMBER_INVALID;
    if (negative && (v != 0 || overflow))
        return NFC_NUMBER_NEGATIVE;
    if (overflow || v < min || v > max)
        return NFC_NUMBER_OUT_OF_RANGE;
    *value = v;
    return NFC_NUMBER_OK;
}

enum nfc_number nfc_parse_int(const char *text, int64_t min, int64_t max, int64_t *value)
{
    bool negative, overflow;
    uint64_t v;
    if (!scan(text, &negative, &v, &overflow))
        return NFC_NUMBER_INVALID;
    if (overflow || v > (uint64_t)INT64_MAX + negative)
        return NFC_NUMBER_OUT_OF_RANGE;
    /* -(v - 1) - 1 reaches INT64_MIN without overflowing */
    int64_t s = negative && v > 0 ? -(int64_t)(v - 1) - 1 : (int64_t)v;
    if (s < min || s > max)
        return NFC_NUMBER_OUT_OF_RANGE;
    *value = s;
    return NFC_NUMBER_OK;
}
