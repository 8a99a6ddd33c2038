/* The nfcore command line: options to an engine configuration, with nfstream's valid ranges (spec §1). */
#ifndef NFC_CLI_OPTIONS_H
#define NFC_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <nfcore/nfcore.h>

#ifdef NFC_HAVE_IPFIX
#include "export/ipfix/ipfix.h"
#endif
#ifdef NFC_HAVE_KAFKA
#include "export/kafka/kafka.h"
#endif

struct nfc_cli_options {
    struct nfc_config cfg;
    const char **files;     /* storage behind cfg.files */
    const char **plugins;   /* storage behind cfg.plugins */
    const char **anonymize; /* storage behind cfg.anonymize: names in anonymize_texts */
    char **anonymize_texts; /* each --anonymize's copy, cut at its commas */
    size_t n_anonymize_texts;
    uint8_t anonymize_key[NFC_ANONYMIZE_KEY_BYTES]; /* storage behind cfg.anonymize_key */
    bool describe;                                  /* print the plugins' fields instead of metering */
    const char *output;                             /* NULL: stdout */
    enum nfc_format format;
    uint64_t flows_per_file;     /* with output: flows per file, 0 for one file */
    uint64_t rotate_files;       /* with flows_per_file: file names reused, 0 for a new one per chunk */
    uint64_t performance_report; /* live: seconds between two reports, 0 for none */
    bool verbose;
    const char *user; /* -Z: run as this user once the capture is open; NULL: as started */
#ifdef NFC_HAVE_IPFIX
    bool ipfix; /* --ipfix given: export to ipfix_options.url */
    struct nfc_ipfix_options ipfix_options;
#endif
#ifdef NFC_HAVE_KAFKA
    bool kafka; /* --kafka given: produce to kafka_options' brokers */
    struct nfc_kafka_options kafka_options;
#endif
    const char *probe_id; /* --probe-id: Kafka's probe_id header, IPFIX's observation domain; NULL for none */
};

enum nfc_cli_parse {
    NFC_CLI_RUN,     /* meter with the options */
    NFC_CLI_DONE,    /* --help or --version answered */
    NFC_CLI_INVALID, /* a one-line error was written to `err` */
};

enum nfc_cli_parse nfc_cli_parse(int argc, char **argv, struct nfc_cli_options *opt, FILE *out, FILE *err);
void nfc_cli_options_free(struct nfc_cli_options *opt);

#endif
