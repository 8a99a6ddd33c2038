/* Shared machinery: invariants, which hold unless the code itself is wrong. nfc_invariant() stays on in release
 * builds, so it is for set-up paths only, where its cost is nothing; on a per-packet path use assert(), which
 * NDEBUG compiles out. Knows nothing of the pipeline. */
#ifndef NFC_UTIL_INVARIANT_H
#define NFC_UTIL_INVARIANT_H

#include <stdio.h>
#include <stdlib.h>

#define nfc_invariant(cond) ((cond) ? (void)0 : nfc_invariant_broken(#cond, __FILE__, __LINE__))

_Noreturn static inline void nfc_invariant_broken(const char *cond, const char *file, int line)
{
    fprintf(stderr, "nfcore: %s:%d: invariant broken: %s\n", file, line, cond);
    abort();
}

#endif
