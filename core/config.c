#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "util/error.h"

void nfc_config_defaults(struct nfc_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->decode_tunnels = true;
    cfg->promiscuous_mode = true;
    cfg->snapshot_length = 1536;
    cfg->idle_timeout = 120;
    cfg->active_timeout = 1800;
    cfg->n_dissections = 20;
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
    if (cfg->snapshot_length <= 0 || cfg->snapshot_length > INT32_MAX)
        return nfc_errorf(err, errlen, "snapshot-length must be in 1..%d", INT32_MAX);
    if (cfg->socket_buffer_size < 0 || cfg->socket_buffer_size > INT32_MAX)
        return nfc_errorf(err, errlen, "socket-buffer-size must be in 0..%d", INT32_MAX);
    if (cfg->idle_timeout > UINT64_MAX / 1000)
        return nfc_errorf(err, errlen, "idle-timeout must be in 0..%llu", (unsigned long long)(UINT64_MAX / 1000));
    if (cfg->active_timeout > UINT64_MAX / 1000)
        return nfc_errorf(err, errlen, "active-timeout must be in 0..%llu", (unsigned long long)(UINT64_MAX / 1000));
    if (cfg->accounting_mode < 0 || cfg->accounting_mode > 3)
        return nfc_errorf(err, errlen, "accounting-mode must be in 0..3");
    if (cfg->n_dissections < 0 || cfg->n_dissections > 255)
        return nfc_errorf(err, errlen, "n-dissections must be in 0..255");
    if (cfg->splt_analysis < 0 || cfg->splt_analysis > 65535)
        return nfc_errorf(err, errlen, "splt-analysis must be in 0..65535");
    if (cfg->n_meters > NFC_MAX_METERS)
        return nfc_errorf(err, errlen, "n-meters must be in 0..%d", NFC_MAX_METERS);
    return 0;
}
