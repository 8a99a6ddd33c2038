#include <stdint.h>

#include "export/ipfix/ipfix.h"
#include "util/number.h"

uint32_t nfc_ipfix_domain_of(const char *probe_id)
{
    uint64_t number;
    if (nfc_parse_uint(probe_id, 0, UINT32_MAX, &number) == NFC_NUMBER_OK)
        return (uint32_t)number;
    /* FNV-1a: short, stable across versions and machines, and spreads similar names apart. */
    uint32_t hash = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)probe_id; *c; c++)
        hash = (hash ^ *c) * 16777619u;
    return hash;
}
