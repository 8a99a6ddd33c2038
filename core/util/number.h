/* Shared machinery: decimal integers read from text (option values, plugin arguments). One grammar everywhere:
 * an optional sign, then digits, nothing else (no blanks, not empty). Knows nothing of the pipeline. */
#ifndef NFC_UTIL_NUMBER_H
#define NFC_UTIL_NUMBER_H

#include <stdint.h>

enum nfc_number {
    NFC_NUMBER_OK,
    NFC_NUMBER_INVALID,      /* not an integer at all */
    NFC_NUMBER_NEGATIVE,     /* below zero where only unsigned values are valid */
    NFC_NUMBER_OUT_OF_RANGE, /* outside [min, max], or beyond 64 bits */
};

/* Reads an integer in [min, max] into *value; *value is left alone unless NFC_NUMBER_OK is returned. */
enum nfc_number nfc_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *value);
enum nfc_number nfc_parse_int(const char *text, int64_t min, int64_t max, int64_t *value);

#endif
