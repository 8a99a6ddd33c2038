/* Shared machinery: the clocks, in milliseconds (nanoseconds for the plugins' timing). Wall-clock time drives live
 * expiry (packets carry wall-clock times); monotonic time measures intervals that a clock change must not distort. */
#ifndef NFC_UTIL_CLOCK_H
#define NFC_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t nfc_clock_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline uint64_t nfc_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t nfc_wall_clock_ms(void)
{
    return nfc_clock_ms(CLOCK_REALTIME);
}

static inline uint64_t nfc_monotonic_ms(void)
{
    return nfc_clock_ms(CLOCK_MONOTONIC);
}

#endif
