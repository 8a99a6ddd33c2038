/* Anonymisation keys from files: 128 hex digits (64 bytes), optionally followed by a newline. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include <nfcore/nfcore.h>

#include "util/error.h"

enum { HEX_DIGITS = 2 * NFC_ANONYMIZE_KEY_BYTES };

/* The hex digits alone, or followed by "\n" or "\r\n". */
static bool well_formed(const char *text, size_t len)
{
    const char *end = text + HEX_DIGITS;
    return len == HEX_DIGITS || (len == HEX_DIGITS + 1 && end[0] == '\n') ||
           (len == HEX_DIGITS + 2 && end[0] == '\r' && end[1] == '\n');
}

int nfc_anonymize_key_read(const char *path, uint8_t key[NFC_ANONYMIZE_KEY_BYTES], char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return nfc_errorf(err, errlen, "%s: %s", path, strerror(errno));
    char text[HEX_DIGITS + 3]; /* one byte more than a well-formed key file holds */
    size_t len = fread(text, 1, sizeof text, f);
    int read_error = ferror(f) ? errno : 0;
    fclose(f);
    size_t bytes = 0;
    const char *end = NULL;
    int rc = 0;
    if (read_error)
        rc = nfc_errorf(err, errlen, "%s: %s", path, strerror(read_error));
    else if (!well_formed(text, len) ||
             sodium_hex2bin(key, NFC_ANONYMIZE_KEY_BYTES, text, HEX_DIGITS, NULL, &bytes, &end) < 0 ||
             bytes != NFC_ANONYMIZE_KEY_BYTES || end != text + HEX_DIGITS)
        rc = nfc_errorf(err, errlen, "%s: a key is 128 hex digits (64 bytes), optionally followed by a newline", path);
    sodium_memzero(text, sizeof text);
    if (rc < 0)
        sodium_memzero(key, NFC_ANONYMIZE_KEY_BYTES);
    return rc;
}
