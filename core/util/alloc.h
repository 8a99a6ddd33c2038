/* Shared machinery: the engine's and the command's allocations, all through one place so that a test can make
 * the Nth of them fail and see every failure path run. Each call names its site (file:line) for the trace.
 * Underneath it is the C library's allocator: a block from here is freed with nfc_free (or free). Knows nothing of
 * the pipeline. */
#ifndef NFC_UTIL_ALLOC_H
#define NFC_UTIL_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define NFC_ALLOC_STR_(x) #x
#define NFC_ALLOC_STR(x) NFC_ALLOC_STR_(x)
#define NFC_ALLOC_SITE __FILE__ ":" NFC_ALLOC_STR(__LINE__)

#define nfc_malloc(size) nfc_alloc_malloc((size), NFC_ALLOC_SITE)
#define nfc_calloc(n, size) nfc_alloc_calloc((n), (size), NFC_ALLOC_SITE)
#define nfc_realloc(p, size) nfc_alloc_realloc((p), (size), NFC_ALLOC_SITE)
#define nfc_aligned_alloc(alignment, size) nfc_alloc_aligned((alignment), (size), NFC_ALLOC_SITE)
#define nfc_strdup(s) nfc_alloc_strndup((s), (size_t)-1, NFC_ALLOC_SITE)
#define nfc_strndup(s, n) nfc_alloc_strndup((s), (n), NFC_ALLOC_SITE)

void *nfc_alloc_malloc(size_t size, const char *site);
void *nfc_alloc_calloc(size_t n, size_t size, const char *site);
void *nfc_alloc_realloc(void *p, size_t size, const char *site);
void *nfc_alloc_aligned(size_t alignment, size_t size, const char *site);
char *nfc_alloc_strndup(const char *s, size_t n, const char *site);
/* Frees a block from any of the above. */
static inline void nfc_free(void *p)
{
    free(p);
}

/* Allocations above (and nDPI's once set up) that have failed so far in the process, injected or not, less those
 * handled: a part that carries on without the memory (a flow left unlabelled, a plugin's value left out) is
 * accounted for here. */
uint64_t nfc_alloc_failures(void);

/* The allocation that just failed is not to be counted: it cost nothing (a faster path not taken), or its caller
 * counts and reports it itself (a sink's failed record). Once per failure seen, so that the count never wraps. */
void nfc_alloc_handled(void);

/* The test hook, off unless set. With it on, every allocation above (and nDPI's, once its module is set up) is
 * numbered from 1 in call order across threads; the one numbered `fail_at` fails (0: none), and with trace_fd >= 0
 * each writes "N SITE\n" there. Call before any engine is opened. */
void nfc_alloc_hook(uint64_t fail_at, int trace_fd);

/* The hook as the environment asks: NFC_FAIL_ALLOC=N fails the Nth allocation, NFC_ALLOC_TRACE=FILE writes the
 * trace to FILE. Returns 0, or -1 with a one-line message (a bad number, a file that cannot be created). */
int nfc_alloc_hook_from_env(char *err, size_t errlen);

#endif
