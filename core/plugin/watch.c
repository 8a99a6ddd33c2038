/* What the plugins' calls are watched for: which one is running on each thread (named when a plugin crashes) and,
 * with plugin_timing, the calls and time of each hook. */
#include <stdlib.h>

#include "plugin/internal.h"
#include "util/alloc.h"

_Thread_local struct running_hook nfc_plugin_now __attribute__((tls_model("initial-exec")));

static const char *const hook_names[] = {
    [HOOK_ON_INIT] = "on_init",        [HOOK_ON_UPDATE] = "on_update", [HOOK_ON_EXPIRE] = "on_expire",
    [HOOK_ON_RELEASE] = "on_release",  [HOOK_SETUP] = "setup",         [HOOK_TEARDOWN] = "teardown",
    [HOOK_COLUMN] = "a column's read",
};

bool nfc_plugin_running(const char **name, const char **path, const char **hook)
{
    const struct loaded_plugin *lp = nfc_plugin_now.lp;
    if (!lp)
        return false;
    *name = lp->desc->name;
    *path = lp->path;
    *hook = hook_names[nfc_plugin_now.hook];
    return true;
}

int nfc_plugins_time(struct nfc_plugin_host *host)
{
    host->times = nfc_calloc(host->n_plugins * TIMED_HOOKS, sizeof *host->times);
    if (!host->times)
        return -1;
    for (size_t i = 0; i < host->n_plugins; i++)
        host->plugins[i].times = host->times + i * TIMED_HOOKS;
    return 0;
}

static struct nfc_plugin_hook_time hook_time(const struct loaded_plugin *lp, enum plugin_hook hook)
{
    return (struct nfc_plugin_hook_time){
        .calls = atomic_load_explicit(&lp->times[hook].calls, memory_order_relaxed),
        .ns = atomic_load_explicit(&lp->times[hook].ns, memory_order_relaxed),
    };
}

size_t nfc_plugins_times(const struct nfc_plugin_host *host, struct nfc_plugin_times *times, size_t n)
{
    if (!host || !host->times)
        return 0;
    for (size_t i = 0; i < host->n_plugins && i < n; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        times[i] = (struct nfc_plugin_times){
            .plugin = lp->desc->name,
            .on_init = hook_time(lp, HOOK_ON_INIT),
            .on_update = hook_time(lp, HOOK_ON_UPDATE),
            .on_expire = hook_time(lp, HOOK_ON_EXPIRE),
            .on_release = hook_time(lp, HOOK_ON_RELEASE),
        };
    }
    return host->n_plugins;
}
