#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum value_kind {
    V_FILE,       /* -r: repeatable */
    V_PLUGIN,     /* --plugin: repeatable */
    V_DESCRIBE,
    V_INTERFACE,
    V_OUTPUT,
    V_FORMAT,
    V_STRING,     /* a const char * config field */
    V_BOOL,       /* a flag with a --no- form */
    V_INT,        /* an int config field */
    V_UNSIGNED,   /* an unsigned config field */
    V_INT64,
    V_UINT64,
    V_VERBOSE,
    V_HELP,
    V_VERSION,
};

struct option_def {
    const char *name;
    int short_name;
    enum value_kind kind;
    size_t field;         /* offset in struct nfc_config */
    uint64_t min, max;
    bool live_only;
    const char *metavar;
    const char *help;     /* the default is appended from the config defaults */
};

#define FIELD(f) offsetof(struct nfc_config, f)

static const struct option_def options[] = {
    {"read", 'r', V_FILE, 0, 0, 0, false, "FILE", "capture file (pcap or pcapng); repeat to read several as one stream"},
    {"interface", 'i', V_INTERFACE, 0, 0, 0, false, "IFACE", "capture live from a network interface"},
    {"output", 'o', V_OUTPUT, 0, 0, 0, false, "FILE", "write flows to FILE instead of standard output"},
    {"format", 'f', V_FORMAT, 0, 0, 0, false, "csv|jsonl", "output format (default csv)"},
    {"bpf-filter", 0, V_STRING, FIELD(bpf_filter), 0, 0, false, "FILTER", "BPF filter, for files and interfaces"},
    {"decode-tunnels", 0, V_BOOL, FIELD(decode_tunnels), 0, 0, false, NULL, "decode GTP-U, CAPWAP and TZSP tunnels"},
    {"promiscuous-mode", 0, V_BOOL, FIELD(promiscuous_mode), 0, 0, true, NULL, "put the interface in promiscuous mode"},
    {"snapshot-length", 0, V_INT64, FIELD(snapshot_length), 1, INT32_MAX, true, "BYTES", "bytes captured per packet"},
    {"socket-buffer-size", 0, V_INT64, FIELD(socket_buffer_size), 0, INT32_MAX, true, "BYTES",
     "capture buffer size, 0 for libpcap's default"},
    {"idle-timeout", 0, V_UINT64, FIELD(idle_timeout), 0, UINT64_MAX / 1000, false, "SECONDS",
     "expire a flow idle this long"},
    {"active-timeout", 0, V_UINT64, FIELD(active_timeout), 0, UINT64_MAX / 1000, false, "SECONDS",
     "expire a flow active this long"},
    {"accounting-mode", 0, V_INT, FIELD(accounting_mode), 0, 3, false, "MODE",
     "bytes counted: 0 wire, 1 IP, 2 transport, 3 payload"},
    {"n-dissections", 0, V_INT, FIELD(n_dissections), 0, 255, false, "N",
     "packets per flow given to nDPI, 0 disables application labelling"},
    {"statistical-analysis", 0, V_BOOL, FIELD(statistical_analysis), 0, 0, false, NULL,
     "add the 48 post-mortem statistical columns"},
    {"splt-analysis", 0, V_INT, FIELD(splt_analysis), 0, 65535, false, "N",
     "add direction, size and gap of the first N packets"},
    {"max-nflows", 0, V_UINT64, FIELD(max_nflows), 0, UINT64_MAX, false, "N", "stop after N flows, 0 for no limit"},
    {"expire-on-tcp-end", 0, V_BOOL, FIELD(expire_on_tcp_end), 0, 0, false, NULL,
     "end a TCP flow on RST or after both FINs (expiration_id 2)"},
    {"capacity", 0, V_UINT64, FIELD(capacity), 0, UINT64_MAX, false, "N",
     "keep at most N flows, evicting the least recently seen (expiration_id 3); 0 for no limit"},
    {"plugin", 'p', V_PLUGIN, 0, 0, 0, false, "PATH[:k=v,...]",
     "load a plugin (a .so file, or the name of a built-in one); repeat to run several, in order"},
    {"describe", 0, V_DESCRIBE, 0, 0, 0, false, NULL, "print the plugins' name, version and fields, then exit"},
    {"n-meters", 'j', V_UNSIGNED, FIELD(n_meters), 0, NFC_MAX_METERS, false, "N",
     "threads doing the flows' work; 1 runs everything on one thread, 0 one per available CPU"},
    {"verbose", 'v', V_VERBOSE, 0, 0, 0, false, NULL, "print a summary on standard error"},
    {"help", 'h', V_HELP, 0, 0, 0, false, NULL, "show this help"},
    {"version", 'V', V_VERSION, 0, 0, 0, false, NULL, "show versions of nfcore, nDPI and libpcap"},
};

enum { N_OPTIONS = sizeof options / sizeof options[0], LONG_BASE = 256, NEGATED_BASE = 512 };

static bool *bool_field(struct nfc_config *cfg, const struct option_def *d)
{
    return (bool *)((char *)cfg + d->field);
}

static void print_default(FILE *out, const struct option_def *d, const struct nfc_config *def)
{
    const char *p = (const char *)def + d->field;
    switch (d->kind) {
    case V_BOOL: fprintf(out, " (default %s)", *(const bool *)p ? "on" : "off"); break;
    case V_INT: fprintf(out, " (default %d)", *(const int *)p); break;
    case V_UNSIGNED: fprintf(out, " (default %u)", *(const unsigned *)p); break;
    case V_INT64: fprintf(out, " (default %" PRId64 ")", *(const int64_t *)p); break;
    case V_UINT64: fprintf(out, " (default %" PRIu64 ")", *(const uint64_t *)p); break;
    default: break;
    }
}

static void print_help(FILE *out)
{
    struct nfc_config def;
    nfc_config_defaults(&def);
    fprintf(out, "usage: nfcore (-r FILE [-r FILE ...] | -i IFACE) [options]\n\n"
                 "Meters packets into bidirectional flows, labels them with nDPI and writes one record per flow.\n\n");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct option_def *d = &options[i];
        char left[64];
        int n = d->short_name ? snprintf(left, sizeof left, "-%c, --", d->short_name)
                              : snprintf(left, sizeof left, "    --");
        snprintf(left + n, sizeof left - (size_t)n, d->kind == V_BOOL ? "[no-]%s" : "%s", d->name);
        if (d->metavar)
            snprintf(left + strlen(left), sizeof left - strlen(left), " %s", d->metavar);
        fprintf(out, "  %-36s %s", left, d->help);
        print_default(out, d, &def);
        fprintf(out, "%s\n", d->live_only ? " [live only]" : "");
    }
}

static int parse_number(const char *text, const struct option_def *d, uint64_t *value, FILE *err)
{
    const char *s = text;
    while (*s == ' ' || *s == '\t')
        s++;
    bool negative = *s == '-';
    const char *digits = negative ? s + 1 : s;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(digits, &end, 10);
    if (*digits < '0' || *digits > '9' || *end != '\0') {
        fprintf(err, "nfcore: --%s: '%s' is not a number (valid: %" PRIu64 "..%" PRIu64 ")\n", d->name, text,
                d->min, d->max);
        return -1;
    }
    if (negative || errno == ERANGE || v < d->min || v > d->max) {
        fprintf(err, "nfcore: --%s: %s is %s (valid: %" PRIu64 "..%" PRIu64 ")\n", d->name, text,
                negative && v != 0 ? "negative" : "out of range", d->min, d->max);
        return -1;
    }
    *value = v;
    return 0;
}

static int set_value(struct nfc_cli_options *opt, const struct option_def *d, const char *arg, FILE *err)
{
    struct nfc_config *cfg = &opt->cfg;
    char *field = (char *)cfg + d->field;
    uint64_t v;
    switch (d->kind) {
    case V_FILE: opt->files[cfg->n_files++] = arg; return 0;
    case V_PLUGIN: opt->plugins[cfg->n_plugins++] = arg; return 0;
    case V_DESCRIBE: opt->describe = true; return 0;
    case V_INTERFACE: cfg->interface = arg; return 0;
    case V_OUTPUT: opt->output = arg; return 0;
    case V_FORMAT:
        if (strcmp(arg, "csv") == 0) {
            opt->format = NFC_FORMAT_CSV;
        } else if (strcmp(arg, "jsonl") == 0) {
            opt->format = NFC_FORMAT_JSONL;
        } else {
            fprintf(err, "nfcore: --format: unknown format '%s' (valid: csv, jsonl)\n", arg);
            return -1;
        }
        return 0;
    case V_STRING: *(const char **)field = arg; return 0;
    case V_BOOL: *bool_field(cfg, d) = true; return 0;
    case V_VERBOSE: opt->verbose = true; return 0;
    case V_INT:
    case V_UNSIGNED:
    case V_INT64:
    case V_UINT64:
        if (parse_number(arg, d, &v, err) < 0)
            return -1;
        if (d->kind == V_INT)
            *(int *)field = (int)v;
        else if (d->kind == V_UNSIGNED)
            *(unsigned *)field = (unsigned)v;
        else if (d->kind == V_INT64)
            *(int64_t *)field = (int64_t)v;
        else
            *(uint64_t *)field = v;
        return 0;
    case V_HELP:
    case V_VERSION:
        return 0;
    }
    return 0;
}

/* getopt's complaint, in words: optopt is the short option, or a long option's value, or 0 for an unknown one. */
static void report_bad_option(int c, const char *arg, FILE *err)
{
    char name[64];
    if (optopt >= LONG_BASE && optopt < NEGATED_BASE)
        snprintf(name, sizeof name, "--%s", options[optopt - LONG_BASE].name);
    else if (optopt >= NEGATED_BASE)
        snprintf(name, sizeof name, "--no-%s", options[optopt - NEGATED_BASE].name);
    else if (optopt > 0)
        snprintf(name, sizeof name, "-%c", optopt);
    else
        snprintf(name, sizeof name, "%s", arg);
    if (c == ':')
        fprintf(err, "nfcore: %s needs a value (see nfcore --help)\n", name);
    else if (optopt >= LONG_BASE)
        fprintf(err, "nfcore: %s takes no value (see nfcore --help)\n", name);
    else
        fprintf(err, "nfcore: unknown option %s (see nfcore --help)\n", name);
}

static void print_version(FILE *out)
{
    fprintf(out, "nfcore %s\nnDPI %s\n%s\n", NFC_VERSION, nfc_ndpi_version(), nfc_pcap_version());
}

enum nfc_cli_parse nfc_cli_parse(int argc, char **argv, struct nfc_cli_options *opt, FILE *out, FILE *err)
{
    memset(opt, 0, sizeof *opt);
    nfc_config_defaults(&opt->cfg);
    opt->files = calloc((size_t)argc + 1, sizeof *opt->files);
    opt->plugins = calloc((size_t)argc + 1, sizeof *opt->plugins);
    struct option longopts[2 * N_OPTIONS + 1];
    char shortopts[3 * N_OPTIONS + 2] = ":";
    bool given[N_OPTIONS] = {false};
    if (!opt->files || !opt->plugins) {
        fprintf(err, "nfcore: out of memory\n");
        return NFC_CLI_INVALID;
    }
    opt->cfg.files = opt->files;
    opt->cfg.plugins = opt->plugins;

    size_t nl = 0, ns = 1;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        bool takes_arg = options[i].metavar != NULL;
        longopts[nl++] = (struct option){options[i].name, takes_arg ? required_argument : no_argument, NULL,
                                         (int)(LONG_BASE + i)};
        if (options[i].kind == V_BOOL) {
            static char negated[N_OPTIONS][40];
            snprintf(negated[i], sizeof negated[i], "no-%s", options[i].name);
            longopts[nl++] = (struct option){negated[i], no_argument, NULL, (int)(NEGATED_BASE + i)};
        }
        if (options[i].short_name) {
            shortopts[ns++] = (char)options[i].short_name;
            if (takes_arg)
                shortopts[ns++] = ':';
        }
    }
    longopts[nl] = (struct option){0};
    shortopts[ns] = '\0';

    opterr = 0;
    optind = 0; /* glibc's full restart, which also forgets a half-read cluster of short options */
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        size_t idx = N_OPTIONS;
        if (c >= NEGATED_BASE) {
            idx = (size_t)(c - NEGATED_BASE);
            *bool_field(&opt->cfg, &options[idx]) = false;
            given[idx] = true;
            continue;
        }
        if (c >= LONG_BASE) {
            idx = (size_t)(c - LONG_BASE);
        } else if (c == '?' || c == ':') {
            report_bad_option(c, argv[optind - 1], err);
            return NFC_CLI_INVALID;
        } else {
            for (size_t i = 0; i < N_OPTIONS; i++)
                if (options[i].short_name == c)
                    idx = i;
        }
        const struct option_def *d = &options[idx];
        if (d->kind == V_HELP) {
            print_help(out);
            return NFC_CLI_DONE;
        }
        if (d->kind == V_VERSION) {
            print_version(out);
            return NFC_CLI_DONE;
        }
        if (set_value(opt, d, optarg, err) < 0)
            return NFC_CLI_INVALID;
        given[idx] = true;
    }
    if (optind < argc) {
        fprintf(err, "nfcore: unexpected argument '%s' (capture files are given with -r)\n", argv[optind]);
        return NFC_CLI_INVALID;
    }
    if (!opt->cfg.interface) {
        for (size_t i = 0; i < N_OPTIONS; i++) {
            if (given[i] && options[i].live_only) {
                fprintf(err, "nfcore: --%s applies to live capture (-i) only\n", options[i].name);
                return NFC_CLI_INVALID;
            }
        }
    }
    if (opt->describe)
        return NFC_CLI_RUN;
    char msg[256];
    if (nfc_config_validate(&opt->cfg, msg, sizeof msg) < 0) {
        fprintf(err, "nfcore: %s\n", msg);
        return NFC_CLI_INVALID;
    }
    return NFC_CLI_RUN;
}

void nfc_cli_options_free(struct nfc_cli_options *opt)
{
    free(opt->files);
    free(opt->plugins);
    opt->files = NULL;
    opt->plugins = NULL;
}
