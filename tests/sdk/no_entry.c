/* A shared object that is not an nfcore plugin: it exports a function, but not nfc_plugin_entry(). */
#include <nfcore/plugin.h>

__attribute__((visibility("default"))) int not_a_plugin(void);

int not_a_plugin(void)
{
    return 0;
}
