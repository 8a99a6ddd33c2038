/* A plugin built against another version of the SDK: ABI_MAJOR and ABI_MINOR are set by the build. */
#include <nfcore/plugin.h>

static const struct nfc_plugin plugin = {
    .abi_major = ABI_MAJOR,
    .abi_minor = ABI_MINOR,
    .name = "abi",
    .version = "1.0",
    .description = "a descriptor of another plugin ABI",
};

NFC_PLUGIN_EXPORT(plugin)
