/* Doubles printed as Python's repr() prints them: the shortest decimal that reads back to the same double. */
#ifndef NFC_FLOAT_FORMAT_H
#define NFC_FLOAT_FORMAT_H

#include <stddef.h>

/* Longest text nfc_format_double writes, terminating NUL included ("-2.2250738585072014e-308"). */
#define NFC_DOUBLE_BUFSZ 32

/* Writes `v` into `buf` (at least NFC_DOUBLE_BUFSZ bytes) as Python's repr(float) does: "0.0", "440.0",
 * "310.57142857142856", "1e+16", "1.5e-05", "-0.0", "inf", "-inf", "nan". Returns the length written
 * (without the NUL, which is written too). */
size_t nfc_format_double(double v, char *buf);

#endif
