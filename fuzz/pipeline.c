/* The whole pipeline over a capture held in memory: the engine opens it by path, so a classic pcap file goes
 * through nfcore's own reader (core/source/pcap_reader.c) and pcapng or a byte-swapped file through libpcap. Flow
 * statistics, SPLT, the Community ID, nDPI and the built-in plugins are on; every flow is written as CSV and as
 * JSON lines. */
#include <stdbool.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "harness.h"

enum { MAX_FLOWS = 4096 };

static const char *plugin_specs[8];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_keep_plugins_loaded();
    static char specs[8][64];
    for (size_t i = 0; i < fuzz_n_plugins; i++) {
        /* flow_slicer ends a flow after `limit` packets: a few, so that custom expiry happens */
        snprintf(specs[i], sizeof specs[i], "%s.so%s", fuzz_plugins[i],
                 strcmp(fuzz_plugins[i], "flow_slicer") == 0 ? ":limit=7" : "");
        plugin_specs[i] = specs[i];
    }
    return 0;
}

static void write_flow(struct nfc_engine *eng, struct nfc_writer **writers, const struct nfc_flow *flow)
{
    static const enum nfc_format formats[2] = {NFC_FORMAT_CSV, NFC_FORMAT_JSONL};
    char err[256];
    for (size_t i = 0; i < 2; i++) {
        /* opened with the first flow, once the plugins' columns are final */
        if (!writers[i])
            writers[i] = nfc_writer_open(eng, formats[i], fuzz_null_stream(), err, sizeof err);
        fuzz_check(writers[i] != NULL, "writer opens");
        fuzz_check(nfc_writer_write(writers[i], flow) == 0, "flow written");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_memory_file(data, size);
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = &path;
    cfg.n_files = 1;
    cfg.n_meters = 1;
    cfg.statistical_analysis = true;
    cfg.splt_analysis = 8;
    cfg.community_id = true;
    cfg.plugins = plugin_specs;
    cfg.n_plugins = fuzz_n_plugins;
    cfg.max_nflows = MAX_FLOWS;
    char err[256];
    struct nfc_engine *eng = nfc_engine_open(&cfg, err, sizeof err);
    if (!eng) {
        fuzz_check(err[0] != '\0' && !strchr(err, '\n'), "one-line error from nfc_engine_open");
        return 0;
    }
    struct nfc_writer *writers[2] = {NULL, NULL};
    const struct nfc_flow *flow;
    enum nfc_next next;
    uint64_t flows = 0;
    while ((next = nfc_engine_next(eng, &flow)) == NFC_NEXT_FLOW) {
        write_flow(eng, writers, flow);
        flows++;
    }
    struct nfc_stats stats;
    nfc_engine_stats(eng, &stats);
    fuzz_check(stats.flows == flows, "every flow emitted is counted");
    if (next == NFC_NEXT_ERROR)
        fuzz_check(nfc_engine_error(eng)[0] != '\0', "an error has a message");
    for (size_t i = 0; i < 2; i++)
        fuzz_check(nfc_writer_close(writers[i], err, sizeof err) == 0, "writer closes");
    nfc_engine_close(eng);
    return 0;
}
