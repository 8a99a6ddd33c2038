/* The engine's configuration: one table of options (names, ranges, defaults, help) that defaults, validation and
 * every front end read, so that a range is written once. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "util/error.h"
#include "util/number.h"

#define FIELD(f) offsetof(struct nfc_config, f)

static const struct nfc_option options[] = {
    {"interface", 'i', NFC_OPTION_STRING, FIELD(interface), 0, 0, 0, false, "IFACE",
     "capture live from a network interface"},
    {"bpf-filter", 0, NFC_OPTION_STRING, FIELD(bpf_filter), 0, 0, 0, false, "FILTER",
     "BPF filter, for files and interfaces"},
    {"decode-tunnels", 0, NFC_OPTION_BOOL, FIELD(decode_tunnels), 0, 1, true, false, NULL,
     "decode GTP-U, CAPWAP and TZSP tunnels"},
    {"promiscuous-mode", 0, NFC_OPTION_BOOL, FIELD(promiscuous_mode), 0, 1, true, true, NULL,
     "put the interface in promiscuous mode"},
    {"snapshot-length", 0, NFC_OPTION_INT64, FIELD(snapshot_length), 1, INT32_MAX, 1536, true, "BYTES",
     "bytes captured per packet"},
    {"socket-buffer-size", 0, NFC_OPTION_INT64, FIELD(socket_buffer_size), 0, INT32_MAX, 0, true, "BYTES",
     "capture buffer size, 0 for 32 MiB"},
    /* seconds that still fit in milliseconds */
    {"idle-timeout", 0, NFC_OPTION_UINT64, FIELD(idle_timeout), 0, UINT64_MAX / 1000, 120, false, "SECONDS",
     "expire a flow idle this long"},
    {"active-timeout", 0, NFC_OPTION_UINT64, FIELD(active_timeout), 0, UINT64_MAX / 1000, 1800, false, "SECONDS",
     "expire a flow active this long"},
    {"accounting-mode", 0, NFC_OPTION_INT, FIELD(accounting_mode), 0, 3, NFC_ACCOUNT_RAW, false, "MODE",
     "bytes counted: 0 wire, 1 IP, 2 transport, 3 payload"},
    {"n-dissections", 0, NFC_OPTION_INT, FIELD(n_dissections), 0, 255, 20, false, "N",
     "packets per flow given to nDPI, 0 disables application labelling"},
    {"statistical-analysis", 0, NFC_OPTION_BOOL, FIELD(statistical_analysis), 0, 1, false, false, NULL,
     "add the 48 post-mortem statistical columns"},
    {"splt-analysis", 0, NFC_OPTION_INT, FIELD(splt_analysis), 0, 65535, 0, false, "N",
     "add direction, size and gap of the first N packets"},
    {"max-nflows", 0, NFC_OPTION_UINT64, FIELD(max_nflows), 0, UINT64_MAX, 0, false, "N",
     "stop after N flows, 0 for no limit"},
    {"expire-on-tcp-end", 0, NFC_OPTION_BOOL, FIELD(expire_on_tcp_end), 0, 1, false, false, NULL,
     "end a TCP flow on RST or after both FINs (expiration_id 2)"},
    {"capacity", 0, NFC_OPTION_UINT64, FIELD(capacity), 0, UINT64_MAX, 0, false, "N",
     "keep at most N flows, evicting the least recently seen (expiration_id 3); 0 for no limit"},
    {"community-id", 0, NFC_OPTION_BOOL, FIELD(community_id), 0, 1, false, false, NULL,
     "add community_id, the flow's Community ID v1 (as Zeek and Suricata compute it)"},
    {"community-id-seed", 0, NFC_OPTION_INT, FIELD(community_id_seed), 0, 65535, 0, false, "N",
     "the Community ID's seed"},
    {"n-meters", 'j', NFC_OPTION_UNSIGNED, FIELD(n_meters), 0, NFC_MAX_METERS, 0, false, "N",
     "threads doing the flows' work; 1 runs everything on one thread, 0 one per available CPU"},
};

enum { N_OPTIONS = sizeof options / sizeof options[0] };

size_t nfc_options(const struct nfc_option **table)
{
    *table = options;
    return N_OPTIONS;
}

const struct nfc_option *nfc_option_find(const char *name)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

static void *field(struct nfc_config *cfg, const struct nfc_option *o)
{
    return (char *)cfg + o->offset;
}

/* Stores a number already known to be in the option's range. */
static void store_number(struct nfc_config *cfg, const struct nfc_option *o, uint64_t v)
{
    void *p = field(cfg, o);
    switch (o->kind) {
    case NFC_OPTION_BOOL: *(bool *)p = v != 0; break;
    case NFC_OPTION_INT: *(int *)p = (int)v; break;
    case NFC_OPTION_UNSIGNED: *(unsigned *)p = (unsigned)v; break;
    case NFC_OPTION_INT64: *(int64_t *)p = (int64_t)v; break;
    case NFC_OPTION_UINT64: *(uint64_t *)p = v; break;
    case NFC_OPTION_STRING: break;
    }
}

/* A number's value; false when it is negative (no option admits one). */
static bool load_number(const struct nfc_config *cfg, const struct nfc_option *o, uint64_t *v)
{
    const void *p = (const char *)cfg + o->offset;
    int64_t s = 0;
    switch (o->kind) {
    case NFC_OPTION_BOOL: *v = *(const bool *)p; return true;
    case NFC_OPTION_INT: s = *(const int *)p; break;
    case NFC_OPTION_UNSIGNED: *v = *(const unsigned *)p; return true;
    case NFC_OPTION_INT64: s = *(const int64_t *)p; break;
    case NFC_OPTION_UINT64: *v = *(const uint64_t *)p; return true;
    case NFC_OPTION_STRING: *v = 0; return true;
    }
    *v = (uint64_t)s;
    return s >= 0;
}

void nfc_config_defaults(struct nfc_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_OPTIONS; i++)
        store_number(cfg, &options[i], options[i].default_value);
}

int nfc_option_set(struct nfc_config *cfg, const struct nfc_option *o, const char *text, char *err, size_t errlen)
{
    if (o->kind == NFC_OPTION_STRING) {
        *(const char **)field(cfg, o) = text;
        return 0;
    }
    if (o->kind == NFC_OPTION_BOOL) {
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
            return nfc_errorf(err, errlen, "%s: '%s' is neither true nor false", o->name, text);
        store_number(cfg, o, text[0] == 't');
        return 0;
    }
    uint64_t v;
    switch (nfc_parse_uint(text, o->min, o->max, &v)) {
    case NFC_NUMBER_OK: store_number(cfg, o, v); return 0;
    case NFC_NUMBER_INVALID:
        return nfc_errorf(err, errlen, "%s: '%s' is not a number (valid: %" PRIu64 "..%" PRIu64 ")", o->name, text,
                          o->min, o->max);
    case NFC_NUMBER_NEGATIVE:
        return nfc_errorf(err, errlen, "%s: %s is negative (valid: %" PRIu64 "..%" PRIu64 ")", o->name, text, o->min,
                          o->max);
    case NFC_NUMBER_OUT_OF_RANGE: break;
    }
    return nfc_errorf(err, errlen, "%s: %s is out of range (valid: %" PRIu64 "..%" PRIu64 ")", o->name, text, o->min,
                      o->max);
}

int nfc_config_validate(const struct nfc_config *cfg, char *err, size_t errlen)
{
    if (!cfg->interface && cfg->n_files == 0)
        return nfc_errorf(err, errlen, "no source: give a capture file or an interface");
    if (cfg->interface && cfg->n_files > 0)
        return nfc_errorf(err, errlen, "give capture files or an interface, not both");
    for (size_t i = 0; i < cfg->n_files; i++)
        if (!cfg->files[i] || !cfg->files[i][0])
            return nfc_errorf(err, errlen, "empty capture file name");
    for (size_t i = 0; i < cfg->n_anonymize; i++)
        if (!cfg->anonymize || !cfg->anonymize[i])
            return nfc_errorf(err, errlen, "anonymize: a column name is missing");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct nfc_option *o = &options[i];
        uint64_t v;
        if (o->kind == NFC_OPTION_STRING || o->kind == NFC_OPTION_BOOL)
            continue;
        if (!load_number(cfg, o, &v) || v < o->min || v > o->max)
            return nfc_errorf(err, errlen, "%s must be in %" PRIu64 "..%" PRIu64, o->name, o->min, o->max);
    }
    return 0;
}
