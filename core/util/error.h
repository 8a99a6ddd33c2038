/* Shared machinery: one-line messages. Every part reports a failure the same way, into a caller's buffer, and
 * passes non-fatal problems to the configured warning callback. Knows nothing of the pipeline. */
#ifndef NFC_UTIL_ERROR_H
#define NFC_UTIL_ERROR_H

#include <stddef.h>

#include <nfcore/nfcore.h>

/* Formats a message into err (errlen bytes, always NUL-terminated when errlen > 0). Returns -1, so that a
 * failing function can `return nfc_errorf(...)`. */
int nfc_errorf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formats a warning and hands it to `fn` (nothing when fn is NULL). */
void nfc_warnf(nfc_warning_fn fn, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
