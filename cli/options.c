#include "options.h"

#include <assert.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/number.h"

/* The command's own options; the engine's come from its table (nfc_options). */
enum own_kind {
    OWN_FILE,   /* -r: repeatable */
    OWN_PLUGIN, /* --plugin: repeatable */
    OWN_DESCRIBE,
    OWN_OUTPUT,
    OWN_FORMAT,
    OWN_FLOWS_PER_FILE,
    OWN_ROTATE_FILES,
    OWN_ANONYMIZE,
    OWN_ANONYMIZE_KEY_FILE,
    OWN_PERFORMANCE_REPORT,
    OWN_VERBOSE,
    OWN_USER,
#ifdef NFC_HAVE_IPFIX
    OWN_IPFIX,
    OWN_IPFIX_PEN,
    OWN_OBSERVATION_DOMAIN,
    OWN_IPFIX_TEMPLATE_REFRESH,
    OWN_IPFIX_MTU,
#endif
#ifdef NFC_HAVE_KAFKA
    OWN_KAFKA,
    OWN_KAFKA_TIMEOUT,
#endif
#if defined NFC_HAVE_IPFIX || defined NFC_HAVE_KAFKA
    OWN_PROBE_ID,
#endif
    OWN_HELP,
    OWN_VERSION,
};

/* One option of the command line: the engine's or the command's own. */
struct entry {
    const char *name;
    char short_name;
    const char *metavar; /* NULL: takes no value */
    const char *help;
    const struct nfc_option *config; /* the engine's option, or NULL */
    enum own_kind kind;              /* the command's own option, when config is NULL */
};

struct own_option {
    struct entry entry;
    const char *before; /* listed before this engine option; NULL: after all of them */
};

static const struct own_option own_options[] = {
    {{"read", 'r', "FILE", "capture file (pcap or pcapng); repeat to read several as one stream", NULL, OWN_FILE},
     "interface"},
    {{"output", 'o', "FILE", "write flows to FILE instead of standard output", NULL, OWN_OUTPUT}, "bpf-filter"},
    {{"format", 'f', "csv|jsonl", "output format (default csv)", NULL, OWN_FORMAT}, "bpf-filter"},
    {{"flows-per-file", 0, "N",
      "with -o: N flows per file, each with the header, in FILE with its .csv (.jsonl) made .0.csv, .1.csv, ...", NULL,
      OWN_FLOWS_PER_FILE},
     "bpf-filter"},
    {{"anonymize", 0, "COL[,COL...]",
      "write these columns as the hex keyed BLAKE2b-512 digest of their text (missing values stay empty); repeatable",
      NULL, OWN_ANONYMIZE},
     "bpf-filter"},
    {{"anonymize-key-file", 0, "FILE",
      "--anonymize's key: 128 hex digits and an optional newline (default: a random key per run)", NULL,
      OWN_ANONYMIZE_KEY_FILE},
     "bpf-filter"},
    {{"rotate-files", 0, "K", "with -o: reuse K file names, chunk k going to .<k mod K>.csv (overwritten)", NULL,
      OWN_ROTATE_FILES},
     "bpf-filter"},
#ifdef NFC_HAVE_IPFIX
    {{"ipfix", 0, "URL",
      "export flows as IPFIX (RFC 5103 biflows) to file:PATH, udp://HOST:PORT or tcp://HOST:PORT; with -o, both "
      "are written",
      NULL, OWN_IPFIX},
     "bpf-filter"},
    {{"ipfix-pen", 0, "N", "with --ipfix: the enterprise number of nfcore's own elements (default 32473)", NULL,
      OWN_IPFIX_PEN},
     "bpf-filter"},
    {{"observation-domain", 0, "N",
      "with --ipfix: the observation domain id of the messages (default: from --probe-id, else 0)", NULL,
      OWN_OBSERVATION_DOMAIN},
     "bpf-filter"},
    {{"ipfix-template-refresh", 0, "SECONDS",
      "with --ipfix udp://: send the templates and type records again every SECONDS, 0 for never (default 600)", NULL,
      OWN_IPFIX_TEMPLATE_REFRESH},
     "bpf-filter"},
    {{"ipfix-mtu", 0, "BYTES",
      "with --ipfix udp://: the path's MTU; messages are kept to it less the IP and UDP headers (default: the "
      "route's MTU)",
      NULL, OWN_IPFIX_MTU},
     "bpf-filter"},
#endif
#ifdef NFC_HAVE_KAFKA
    {{"kafka", 0, "SPEC",
      "produce one message per flow, its JSON line, to Kafka; SPEC is brokers=H:P[,H:P],topic=T"
      "[,key=community_id|none][,PROP=VALUE...] (librdkafka properties passed through; the key defaults to "
      "community_id when that column is on); with -o, both are written",
      NULL, OWN_KAFKA},
     "bpf-filter"},
    {{"kafka-timeout", 0, "S",
      "with --kafka: seconds to wait for the brokers' first answer and, at the end, for "
      "the deliveries (default 30)",
      NULL, OWN_KAFKA_TIMEOUT},
     "bpf-filter"},
#endif
#if defined NFC_HAVE_IPFIX || defined NFC_HAVE_KAFKA
    {{"probe-id", 0, "NAME",
      "this probe's name: Kafka's header probe_id of every message; IPFIX's observation domain unless "
      "--observation-domain is given (a number as it is, another name hashed to 32 bits)",
      NULL, OWN_PROBE_ID},
     "bpf-filter"},
#endif
    {{"plugin", 'p', "PATH[:k=v,...]",
      "load a plugin (a .so file, or the name of a built-in one); repeat to run several, in order", NULL, OWN_PLUGIN},
     "n-meters"},
    {{"describe", 0, NULL, "print the plugins' name, version and fields, then exit", NULL, OWN_DESCRIBE}, "n-meters"},
    {{"user", 'Z', "USER",
      "once the capture is open (the interface, or -r's first file: later ones open as USER), run on as USER: "
      "its groups, then its user id; output files are created after, as USER (needs root)",
      NULL, OWN_USER},
     "n-meters"},
    {{"performance-report", 0, "SECONDS",
      "every SECONDS, nfstream's performance report (flows, packets, ignored, kernel drops, per-worker packets) as a "
      "JSON line on standard error",
      NULL, OWN_PERFORMANCE_REPORT},
     NULL},
    {{"verbose", 'v', NULL, "print a summary on standard error", NULL, OWN_VERBOSE}, NULL},
    {{"help", 'h', NULL, "show this help", NULL, OWN_HELP}, NULL},
    {{"version", 'V', NULL, "show versions of nfcore, nDPI and libpcap", NULL, OWN_VERSION}, NULL},
};

enum { N_OWN = sizeof own_options / sizeof own_options[0], LONG_BASE = 256, NEGATED_BASE = 512 };

/* The command line's options in --help order: the engine's table with the command's own ones slotted in. */
static size_t list_options(struct entry *list)
{
    const struct nfc_option *config;
    size_t n_config = nfc_options(&config), n = 0;
    for (size_t i = 0; i <= n_config; i++) {
        const char *next = i < n_config ? config[i].name : NULL;
        for (size_t j = 0; j < N_OWN; j++) {
            const char *before = own_options[j].before;
            if (next ? before && strcmp(before, next) == 0 : !before)
                list[n++] = own_options[j].entry;
        }
        if (i < n_config) {
            const struct nfc_option *o = &config[i];
            list[n++] = (struct entry){o->name, o->short_name, o->metavar, o->help, o, 0};
        }
    }
    assert(n == N_OWN + n_config); /* every own option's `before` names an engine option */
    return n;
}

static size_t count_options(void)
{
    const struct nfc_option *config;
    return N_OWN + nfc_options(&config);
}

static bool is_flag(const struct entry *e)
{
    return e->config && e->config->kind == NFC_OPTION_BOOL;
}

/* Applies to live capture (-i) only. */
static bool is_live_only(const struct entry *e)
{
    return e->config ? e->config->live_only : e->kind == OWN_PERFORMANCE_REPORT;
}

static void print_help(FILE *out)
{
    size_t n = count_options();
    struct entry list[n];
    list_options(list);
    fprintf(out, "usage: nfcore (-r FILE [-r FILE ...] | -i IFACE) [options]\n\n"
                 "Meters packets into bidirectional flows, labels them with nDPI and writes one record per flow.\n\n");
    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &list[i];
        char left[64];
        int len = e->short_name ? snprintf(left, sizeof left, "-%c, --", e->short_name)
                                : snprintf(left, sizeof left, "    --");
        snprintf(left + len, sizeof left - (size_t)len, is_flag(e) ? "[no-]%s" : "%s", e->name);
        if (e->metavar)
            snprintf(left + strlen(left), sizeof left - strlen(left), " %s", e->metavar);
        fprintf(out, "  %-36s %s", left, e->help);
        if (is_flag(e))
            fprintf(out, " (default %s)", e->config->default_value ? "on" : "off");
        else if (e->config && e->config->kind != NFC_OPTION_STRING)
            fprintf(out, " (default %" PRIu64 ")", e->config->default_value);
        fprintf(out, "%s\n", is_live_only(e) ? " [live only]" : "");
    }
    fprintf(out,
            "\nSignals:\n"
            "  SIGINT, SIGTERM  write every open flow, then exit (status 0)\n"
            "  SIGHUP           with -o, close FILE and open it again (log rotation: rename FILE, then send\n"
            "                   SIGHUP; a FILE still there is appended to); with --flows-per-file, start the next\n"
            "                   file; ignored without -o\n");
}

static int set_config(struct nfc_config *cfg, const struct nfc_option *o, const char *text, FILE *err)
{
    char msg[256];
    if (nfc_option_set(cfg, o, text, msg, sizeof msg) < 0) {
        fprintf(err, "nfcore: --%s\n", msg);
        return -1;
    }
    return 0;
}

/* A count of at least 1 for one of the command's own options. */
static int parse_count(const char *name, const char *arg, uint64_t *value, FILE *err)
{
    if (nfc_parse_uint(arg, 1, UINT64_MAX, value) != NFC_NUMBER_OK) {
        fprintf(err, "nfcore: --%s: '%s' is not a whole number of at least 1\n", name, arg);
        return -1;
    }
    return 0;
}

/* Appends the comma-separated column names of one --anonymize to cfg.anonymize. */
static int add_anonymized(struct nfc_cli_options *opt, const char *arg, FILE *err)
{
    char *names = nfc_strdup(arg);
    size_t n = 1;
    for (const char *c = arg; *c; c++)
        n += *c == ',';
    const char **columns = nfc_realloc(opt->anonymize, (opt->cfg.n_anonymize + n) * sizeof *columns);
    char **texts = nfc_realloc(opt->anonymize_texts, (opt->n_anonymize_texts + 1) * sizeof *texts);
    if (columns)
        opt->anonymize = columns;
    if (texts)
        opt->anonymize_texts = texts;
    if (!names || !columns || !texts) {
        nfc_free(names);
        fprintf(err, "nfcore: out of memory\n");
        return -1;
    }
    opt->anonymize_texts[opt->n_anonymize_texts++] = names;
    for (char *name = names, *next; name; name = next) {
        next = strchr(name, ',');
        if (next)
            *next++ = '\0';
        columns[opt->cfg.n_anonymize++] = name;
    }
    opt->cfg.anonymize = columns;
    return 0;
}

static int read_key(struct nfc_cli_options *opt, const char *path, FILE *err)
{
    char msg[512];
    if (nfc_anonymize_key_read(path, opt->anonymize_key, msg, sizeof msg) < 0) {
        fprintf(err, "nfcore: --anonymize-key-file: %s\n", msg);
        return -1;
    }
    opt->cfg.anonymize_key = opt->anonymize_key;
    return 0;
}

#ifdef NFC_HAVE_IPFIX
static int set_ipfix_url(struct nfc_cli_options *opt, const char *arg, FILE *err)
{
    char msg[512];
    if (nfc_ipfix_url_parse(arg, &opt->ipfix_options.url, msg, sizeof msg) < 0) {
        fprintf(err, "nfcore: --ipfix: %s\n", msg);
        return -1;
    }
    opt->ipfix = true;
    return 0;
}

/* A 32-bit number of at least `min` for --ipfix-pen and --observation-domain. */
static int parse_u32(const char *name, const char *arg, uint64_t min, uint32_t *value, FILE *err)
{
    uint64_t v;
    if (nfc_parse_uint(arg, min, UINT32_MAX, &v) != NFC_NUMBER_OK) {
        fprintf(err, "nfcore: --%s: '%s' is not a whole number in %" PRIu64 "..%" PRIu32 "\n", name, arg, min,
                UINT32_MAX);
        return -1;
    }
    *value = (uint32_t)v;
    return 0;
}

/* --ipfix-mtu: at least IPv4's minimum datagram size, at most a datagram's. */
static int parse_mtu(const char *name, const char *arg, uint32_t *value, FILE *err)
{
    uint64_t v;
    if (nfc_parse_uint(arg, NFC_IPFIX_MIN_MTU, 65535, &v) != NFC_NUMBER_OK) {
        fprintf(err, "nfcore: --%s: '%s' is not a whole number in %u..65535\n", name, arg, NFC_IPFIX_MIN_MTU);
        return -1;
    }
    *value = (uint32_t)v;
    return 0;
}

/* The checks that need every option: what needs --ipfix, what needs UDP, and the observation domain from
 * --probe-id. */
static int finish_ipfix(struct nfc_cli_options *opt, const struct entry *list, size_t n, const bool *given, FILE *err)
{
    bool domain_given = false;
    for (size_t i = 0; i < n; i++) {
        if (!given[i] || list[i].config)
            continue;
        enum own_kind k = list[i].kind;
        bool needs_ipfix =
            k == OWN_IPFIX_PEN || k == OWN_OBSERVATION_DOMAIN || k == OWN_IPFIX_TEMPLATE_REFRESH || k == OWN_IPFIX_MTU;
        if (needs_ipfix && !opt->ipfix) {
            fprintf(err, "nfcore: --%s needs --ipfix URL\n", list[i].name);
            return -1;
        }
        if (k == OWN_IPFIX_MTU && opt->ipfix_options.url.transport != NFC_IPFIX_UDP) {
            fprintf(err, "nfcore: --%s is for --ipfix udp://HOST:PORT\n", list[i].name);
            return -1;
        }
        domain_given |= k == OWN_OBSERVATION_DOMAIN;
    }
    if (opt->probe_id && !domain_given)
        opt->ipfix_options.observation_domain = nfc_ipfix_domain_of(opt->probe_id);
    opt->ipfix_options.accounting_mode = opt->cfg.accounting_mode;
    /* octetDeltaCount is RFC 7012's IP bytes in every accounting mode: the engine counts them too, but only for an
     * export (16 bytes a flow record) and only where mode 1's bytes are not them already. */
    opt->cfg.ip_octets = opt->ipfix && opt->cfg.accounting_mode != NFC_ACCOUNT_IP;
    opt->ipfix_options.ip_octets = opt->cfg.ip_octets;
    return 0;
}
#endif

#ifdef NFC_HAVE_KAFKA
static int set_kafka(struct nfc_cli_options *opt, const char *arg, FILE *err)
{
    char msg[512];
    if (opt->kafka) {
        fprintf(err, "nfcore: --kafka is given twice\n");
        return -1;
    }
    opt->kafka = true;
    if (nfc_kafka_options_parse(arg, &opt->kafka_options, msg, sizeof msg) < 0) {
        fprintf(err, "nfcore: --kafka: %s\n", msg);
        return -1;
    }
    return 0;
}

static int set_kafka_timeout(struct nfc_cli_options *opt, const char *name, const char *arg, FILE *err)
{
    uint64_t seconds;
    if (parse_count(name, arg, &seconds, err) < 0)
        return -1;
    opt->kafka_options.timeout_ms = seconds > UINT64_MAX / 1000 ? UINT64_MAX : seconds * 1000;
    return 0;
}
#endif

static int set_value(struct nfc_cli_options *opt, const struct entry *e, const char *arg, FILE *err)
{
    struct nfc_config *cfg = &opt->cfg;
    if (e->config)
        return set_config(cfg, e->config, is_flag(e) ? "true" : arg, err);
    switch (e->kind) {
    case OWN_FILE: opt->files[cfg->n_files++] = arg; return 0;
    case OWN_PLUGIN: opt->plugins[cfg->n_plugins++] = arg; return 0;
    case OWN_DESCRIBE: opt->describe = true; return 0;
    case OWN_OUTPUT: opt->output = arg; return 0;
    case OWN_FORMAT:
        if (strcmp(arg, "csv") == 0) {
            opt->format = NFC_FORMAT_CSV;
        } else if (strcmp(arg, "jsonl") == 0) {
            opt->format = NFC_FORMAT_JSONL;
        } else {
            fprintf(err, "nfcore: --format: unknown format '%s' (valid: csv, jsonl)\n", arg);
            return -1;
        }
        return 0;
    case OWN_FLOWS_PER_FILE: return parse_count(e->name, arg, &opt->flows_per_file, err);
    case OWN_ROTATE_FILES: return parse_count(e->name, arg, &opt->rotate_files, err);
    case OWN_ANONYMIZE: return add_anonymized(opt, arg, err);
    case OWN_ANONYMIZE_KEY_FILE: return read_key(opt, arg, err);
    case OWN_PERFORMANCE_REPORT: return parse_count(e->name, arg, &opt->performance_report, err);
    case OWN_VERBOSE: opt->verbose = true; return 0;
    case OWN_USER: opt->user = arg; return 0;
#ifdef NFC_HAVE_IPFIX
    case OWN_IPFIX: return set_ipfix_url(opt, arg, err);
    case OWN_IPFIX_PEN: return parse_u32(e->name, arg, 1, &opt->ipfix_options.pen, err);
    case OWN_OBSERVATION_DOMAIN: return parse_u32(e->name, arg, 0, &opt->ipfix_options.observation_domain, err);
    case OWN_IPFIX_TEMPLATE_REFRESH: return parse_u32(e->name, arg, 0, &opt->ipfix_options.template_refresh_s, err);
    case OWN_IPFIX_MTU: return parse_mtu(e->name, arg, &opt->ipfix_options.mtu, err);
#endif
#ifdef NFC_HAVE_KAFKA
    case OWN_KAFKA: return set_kafka(opt, arg, err);
    case OWN_KAFKA_TIMEOUT: return set_kafka_timeout(opt, e->name, arg, err);
#endif
#if defined NFC_HAVE_IPFIX || defined NFC_HAVE_KAFKA
    case OWN_PROBE_ID: opt->probe_id = arg; return 0;
#endif
    case OWN_HELP:
    case OWN_VERSION: return 0;
    }
    return 0;
}

/* getopt's complaint, in words: optopt is the short option, or a long option's value, or 0 for an unknown one. */
static void report_bad_option(int c, const char *arg, const struct entry *list, FILE *err)
{
    char name[64];
    if (optopt >= LONG_BASE && optopt < NEGATED_BASE)
        snprintf(name, sizeof name, "--%s", list[optopt - LONG_BASE].name);
    else if (optopt >= NEGATED_BASE)
        snprintf(name, sizeof name, "--no-%s", list[optopt - NEGATED_BASE].name);
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

enum { NEGATED_NAME = 40 };

/* getopt_long's tables for the options of `list`: a long option each, a --no-X for each flag, the short ones. */
static void getopt_tables(const struct entry *list, size_t n, struct option *longopts, char (*negated)[NEGATED_NAME],
                          char *shortopts)
{
    size_t nl = 0, ns = 0;
    shortopts[ns++] = ':';
    for (size_t i = 0; i < n; i++) {
        bool takes_arg = list[i].metavar != NULL;
        int has_arg = takes_arg ? required_argument : no_argument;
        longopts[nl++] = (struct option){list[i].name, has_arg, NULL, (int)(LONG_BASE + i)};
        if (is_flag(&list[i])) {
            snprintf(negated[i], NEGATED_NAME, "no-%s", list[i].name);
            longopts[nl++] = (struct option){negated[i], no_argument, NULL, (int)(NEGATED_BASE + i)};
        }
        if (list[i].short_name) {
            shortopts[ns++] = list[i].short_name;
            if (takes_arg)
                shortopts[ns++] = ':';
        }
    }
    longopts[nl] = (struct option){0};
    shortopts[ns] = '\0';
}

/* Without -i, an option given that only live capture reads is a mistake worth a refusal. */
static int refuse_live_only(const struct entry *list, size_t n, const bool *given, FILE *err)
{
    for (size_t i = 0; i < n; i++) {
        if (given[i] && is_live_only(&list[i])) {
            fprintf(err, "nfcore: --%s applies to live capture (-i) only\n", list[i].name);
            return -1;
        }
    }
    return 0;
}

static void print_version(FILE *out)
{
    fprintf(out, "nfcore %s\nnDPI %s\n%s\n", NFC_VERSION, nfc_ndpi_version(), nfc_pcap_version());
}

#if defined NFC_HAVE_IPFIX || defined NFC_HAVE_KAFKA
/* --probe-id names the probe to Kafka and IPFIX: meaningless without either. */
static bool probe_id_used(const struct nfc_cli_options *opt)
{
    bool used = false;
#ifdef NFC_HAVE_IPFIX
    used |= opt->ipfix;
#endif
#ifdef NFC_HAVE_KAFKA
    used |= opt->kafka;
#endif
    return used;
}
#endif

enum nfc_cli_parse nfc_cli_parse(int argc, char **argv, struct nfc_cli_options *opt, FILE *out, FILE *err)
{
    memset(opt, 0, sizeof *opt);
    nfc_config_defaults(&opt->cfg);
    opt->files = nfc_calloc((size_t)argc + 1, sizeof *opt->files);
    opt->plugins = nfc_calloc((size_t)argc + 1, sizeof *opt->plugins);
    if (!opt->files || !opt->plugins) {
        fprintf(err, "nfcore: out of memory\n");
        return NFC_CLI_INVALID;
    }
    opt->cfg.files = opt->files;
    opt->cfg.plugins = opt->plugins;
#ifdef NFC_HAVE_IPFIX
    opt->ipfix_options.pen = NFC_IPFIX_DEFAULT_PEN;
    opt->ipfix_options.template_refresh_s = NFC_IPFIX_DEFAULT_TEMPLATE_REFRESH;
#endif
#ifdef NFC_HAVE_KAFKA
    opt->kafka_options.timeout_ms = NFC_KAFKA_DEFAULT_TIMEOUT_S * 1000;
#endif

    size_t n = count_options();
    struct entry list[n];
    struct option longopts[2 * n + 1];
    char negated[n][NEGATED_NAME];
    char shortopts[3 * n + 2];
    bool given[n];
    list_options(list);
    memset(given, 0, sizeof given);
    getopt_tables(list, n, longopts, negated, shortopts);

    opterr = 0;
    optind = 0; /* glibc's full restart, which also forgets a half-read cluster of short options */
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        size_t idx = n;
        if (c >= NEGATED_BASE) {
            idx = (size_t)(c - NEGATED_BASE);
            if (set_config(&opt->cfg, list[idx].config, "false", err) < 0)
                return NFC_CLI_INVALID;
            given[idx] = true;
            continue;
        }
        if (c >= LONG_BASE) {
            idx = (size_t)(c - LONG_BASE);
        } else if (c == '?' || c == ':') {
            report_bad_option(c, argv[optind - 1], list, err);
            return NFC_CLI_INVALID;
        } else {
            for (size_t i = 0; i < n; i++)
                if (list[i].short_name == c)
                    idx = i;
        }
        const struct entry *e = &list[idx];
        if (!e->config && e->kind == OWN_HELP) {
            print_help(out);
            return NFC_CLI_DONE;
        }
        if (!e->config && e->kind == OWN_VERSION) {
            print_version(out);
            return NFC_CLI_DONE;
        }
        if (set_value(opt, e, optarg, err) < 0)
            return NFC_CLI_INVALID;
        given[idx] = true;
    }
    if (optind < argc) {
        fprintf(err, "nfcore: unexpected argument '%s' (capture files are given with -r)\n", argv[optind]);
        return NFC_CLI_INVALID;
    }
    if (!opt->cfg.interface && refuse_live_only(list, n, given, err) < 0)
        return NFC_CLI_INVALID;
    if (!opt->output && (opt->flows_per_file || opt->rotate_files)) {
        fprintf(err, "nfcore: --%s needs -o FILE\n", opt->flows_per_file ? "flows-per-file" : "rotate-files");
        return NFC_CLI_INVALID;
    }
#ifdef NFC_HAVE_IPFIX
    if (finish_ipfix(opt, list, n, given, err) < 0)
        return NFC_CLI_INVALID;
#endif
#ifdef NFC_HAVE_KAFKA
    for (size_t i = 0; i < n; i++) {
        bool needs_kafka = !list[i].config && list[i].kind == OWN_KAFKA_TIMEOUT;
        if (given[i] && needs_kafka && !opt->kafka) {
            fprintf(err, "nfcore: --%s needs --kafka\n", list[i].name);
            return NFC_CLI_INVALID;
        }
    }
    opt->kafka_options.probe_id = opt->probe_id;
#endif
#if defined NFC_HAVE_IPFIX || defined NFC_HAVE_KAFKA
    if (opt->probe_id && !probe_id_used(opt)) {
        fprintf(err, "nfcore: --probe-id needs --kafka or --ipfix\n");
        return NFC_CLI_INVALID;
    }
#endif
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
    nfc_free(opt->files);
    nfc_free(opt->plugins);
    for (size_t i = 0; i < opt->n_anonymize_texts; i++)
        nfc_free(opt->anonymize_texts[i]);
    nfc_free(opt->anonymize_texts);
    nfc_free(opt->anonymize);
#ifdef NFC_HAVE_KAFKA
    nfc_kafka_options_free(&opt->kafka_options);
#endif
    memset(opt->anonymize_key, 0, sizeof opt->anonymize_key);
    opt->files = NULL;
    opt->plugins = NULL;
    opt->anonymize_texts = NULL;
    opt->anonymize = NULL;
    opt->n_anonymize_texts = 0;
}
