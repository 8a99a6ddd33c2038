#include "util/alloc.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/number.h"

/* Off, an allocation costs one load and a branch more than the C library's: the hook is for tests. */
static atomic_bool armed;
static _Atomic uint64_t calls;
static _Atomic uint64_t failures;
static uint64_t fail_at;
static int trace_fd = -1;

/* Whether this allocation is the one to fail; numbers and traces it. */
static bool injected(const char *site)
{
    if (!atomic_load_explicit(&armed, memory_order_relaxed))
        return false;
    uint64_t n = atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed) + 1;
    if (trace_fd >= 0) {
        char line[256];
        int len = snprintf(line, sizeof line, "%llu %s\n", (unsigned long long)n, site);
        /* One write per line: lines of several threads never interleave. A line lost shows as a gap in the
         * numbers, which the reader of the trace checks. */
        ssize_t written = write(trace_fd, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
        (void)written;
    }
    return n == fail_at;
}

/* Counts a failed allocation, injected or not. */
static void *counted(void *p)
{
    if (!p)
        atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed);
    return p;
}

void *nfc_alloc_malloc(size_t size, const char *site)
{
    return counted(injected(site) ? NULL : malloc(size));
}

void *nfc_alloc_calloc(size_t n, size_t size, const char *site)
{
    return counted(injected(site) ? NULL : calloc(n, size));
}

void *nfc_alloc_realloc(void *p, size_t size, const char *site)
{
    return counted(injected(site) ? NULL : realloc(p, size));
}

void *nfc_alloc_aligned(size_t alignment, size_t size, const char *site)
{
    return counted(injected(site) ? NULL : aligned_alloc(alignment, size));
}

char *nfc_alloc_strndup(const char *s, size_t n, const char *site)
{
    return counted(injected(site) ? NULL : strndup(s, n));
}

void nfc_alloc_handled(void)
{
    atomic_fetch_sub_explicit(&failures, 1, memory_order_relaxed);
}

uint64_t nfc_alloc_failures(void)
{
    return atomic_load_explicit(&failures, memory_order_relaxed);
}

void nfc_alloc_hook(uint64_t fail, int fd)
{
    fail_at = fail;
    trace_fd = fd;
    atomic_store(&calls, 0);
    atomic_store(&armed, fail != 0 || fd >= 0);
}

int nfc_alloc_hook_from_env(char *err, size_t errlen)
{
    const char *fail = getenv("NFC_FAIL_ALLOC");
    const char *trace = getenv("NFC_ALLOC_TRACE");
    uint64_t n = 0;
    if (fail && *fail && nfc_parse_uint(fail, 0, UINT64_MAX, &n) != NFC_NUMBER_OK)
        return nfc_errorf(err, errlen, "NFC_FAIL_ALLOC: '%s' is not an allocation number", fail);
    int fd = -1;
    if (trace && *trace && (fd = open(trace, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644)) < 0)
        return nfc_errorf(err, errlen, "NFC_ALLOC_TRACE: cannot create %s", trace);
    nfc_alloc_hook(n, fd);
    return 0;
}
