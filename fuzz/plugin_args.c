/* A built-in plugin's argument list (PATH:key=value,...), as --plugin gives it: the input's first byte picks the
 * plugin, the rest (up to a NUL) is what follows the colon. The engine parses the list (core/plugin/loader.c) and
 * the plugin's setup reads it (arg, arg_int); the plugin is described to a discarded stream. */
#include <stdlib.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_keep_plugins_loaded();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *name = fuzz_plugins[data[0] % fuzz_n_plugins];
    size_t args = strnlen((const char *)data + 1, size - 1);
    char *spec = malloc(strlen(name) + 4 + args + 1);
    fuzz_check(spec != NULL, "malloc");
    /* a bare name with no colon, when the first byte's high bit is set */
    int n = sprintf(spec, "%s.so%s", name, data[0] & 0x80 ? "" : ":");
    if (!(data[0] & 0x80)) {
        memcpy(spec + n, data + 1, args);
        spec[n + args] = '\0';
    }
    const char *specs[1] = {spec};
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.plugins = specs;
    cfg.n_plugins = 1;
    char err[256] = "";
    if (nfc_describe_plugins(&cfg, fuzz_null_stream(), err, sizeof err) < 0)
        fuzz_check(err[0] != '\0', "a refusal has a message");
    free(spec);
    return 0;
}
