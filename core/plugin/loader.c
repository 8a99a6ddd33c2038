/* Loading: a plugin's path and arguments, dlopen and the ABI check, then setup; and unloading. */
#include "plugin/host.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin/internal.h"
#include "util/alloc.h"
#include "util/error.h"

#ifndef NFC_PLUGIN_DIR
#define NFC_PLUGIN_DIR ""
#endif

/* A bare file name is looked for in $NFCORE_PLUGIN_PATH, then in the built-in plugin folders. */
static char *resolve_path(const char *name)
{
    struct stat st;
    if (strchr(name, '/'))
        return nfc_strdup(name);
    if (stat(name, &st) == 0) { /* dlopen would search the library path for a name without a slash */
        char *local = nfc_malloc(strlen(name) + 3);
        if (local) {
            strcpy(local, "./");
            strcat(local, name);
        }
        return local;
    }
    const char *env = getenv("NFCORE_PLUGIN_PATH");
    const char *lists[] = {env ? env : "", NFC_PLUGIN_DIR};
    for (size_t l = 0; l < 2; l++) {
        const char *dirs = lists[l];
        while (*dirs) {
            size_t n = strcspn(dirs, ":");
            char *candidate = nfc_malloc(n + strlen(name) + 2);
            if (!candidate)
                return NULL;
            memcpy(candidate, dirs, n);
            candidate[n] = '/';
            strcpy(candidate + n + 1, name);
            if (n && stat(candidate, &st) == 0)
                return candidate;
            nfc_free(candidate);
            dirs += n + (dirs[n] == ':');
        }
    }
    return nfc_strdup(name);
}

/* "PATH:key=value,key=value" -> path and argument pairs. */
static int parse_spec(struct loaded_plugin *lp, const char *spec, char *err, size_t errlen)
{
    const char *colon = strchr(spec, ':');
    char *name = colon ? nfc_strndup(spec, (size_t)(colon - spec)) : nfc_strdup(spec);
    lp->args = nfc_strdup(colon ? colon + 1 : "");
    if (!name || !lp->args) {
        nfc_free(name);
        return nfc_errorf(err, errlen, "out of memory");
    }
    lp->path = resolve_path(name);
    nfc_free(name);
    size_t max = 1;
    for (const char *p = lp->args; *p; p++)
        max += *p == ',';
    lp->keys = nfc_calloc(max, sizeof *lp->keys);
    lp->values = nfc_calloc(max, sizeof *lp->values);
    lp->asked = nfc_calloc(max, sizeof *lp->asked);
    if (!lp->path || !lp->keys || !lp->values || !lp->asked)
        return nfc_errorf(err, errlen, "out of memory");
    for (char *save = NULL, *tok = strtok_r(lp->args, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok)
            return nfc_errorf(err, errlen, "%s: plugin argument '%s' is not key=value", spec, tok);
        *eq = '\0';
        lp->keys[lp->n_args] = tok;
        lp->values[lp->n_args++] = eq + 1;
    }
    return 0;
}

/* The ABI a descriptor was built for, and its name. */
static int check_descriptor(struct loaded_plugin *lp, char *err, size_t errlen)
{
    if (lp->desc->abi_major != NFC_PLUGIN_ABI_MAJOR || lp->desc->abi_minor > NFC_PLUGIN_ABI_MINOR)
        return nfc_errorf(err, errlen, "plugin %s: built for plugin ABI %u.%u, this nfcore provides %u.%u", lp->path,
                          lp->desc->abi_major, lp->desc->abi_minor, NFC_PLUGIN_ABI_MAJOR, NFC_PLUGIN_ABI_MINOR);
    if (!lp->desc->name || !lp->desc->name[0])
        return nfc_errorf(err, errlen, "plugin %s: its descriptor has no name", lp->path);
    lp->state_size = lp->desc->state_size;
    return 0;
}

static int open_plugin(struct loaded_plugin *lp, char *err, size_t errlen)
{
    struct stat st;
    if (stat(lp->path, &st) < 0)
        return nfc_errorf(err, errlen, "plugin %s: %s", lp->path, strerror(errno));
    lp->dl = dlopen(lp->path, RTLD_NOW | RTLD_LOCAL);
    if (!lp->dl)
        return nfc_errorf(err, errlen, "plugin %s: not a loadable shared object: %s", lp->path, dlerror());
    nfc_plugin_entry_fn entry;
    *(void **)&entry = dlsym(lp->dl, NFC_PLUGIN_ENTRY_SYMBOL);
    if (!entry)
        return nfc_errorf(err, errlen, "plugin %s: no %s() symbol: not an nfcore plugin", lp->path,
                          NFC_PLUGIN_ENTRY_SYMBOL);
    lp->desc = entry();
    if (!lp->desc)
        return nfc_errorf(err, errlen, "plugin %s: %s() returned no descriptor", lp->path, NFC_PLUGIN_ENTRY_SYMBOL);
    return check_descriptor(lp, err, errlen);
}

/* A plugin linked into the caller: its descriptor is given, its name stands for the path, it takes no arguments. */
static int link_plugin(struct loaded_plugin *lp, const char *name, const struct nfc_plugin_link *link, char *err,
                       size_t errlen)
{
    lp->path = nfc_strdup(name ? name : "(linked plugin)");
    lp->args = nfc_strdup("");
    lp->keys = nfc_calloc(1, sizeof *lp->keys);
    lp->values = nfc_calloc(1, sizeof *lp->values);
    lp->asked = nfc_calloc(1, sizeof *lp->asked);
    if (!lp->path || !lp->args || !lp->keys || !lp->values || !lp->asked)
        return nfc_errorf(err, errlen, "out of memory");
    lp->desc = link->plugin;
    lp->data = link->data;
    return check_descriptor(lp, err, errlen);
}

static int load_plugin(struct loaded_plugin *lp, const struct nfc_config *cfg, size_t i, char *err, size_t errlen)
{
    if (cfg->plugin_links && cfg->plugin_links[i].plugin)
        return link_plugin(lp, cfg->plugins[i], &cfg->plugin_links[i], err, errlen);
    return parse_spec(lp, cfg->plugins[i], err, errlen) < 0 ? -1 : open_plugin(lp, err, errlen);
}

int nfc_plugins_load(struct nfc_plugin_host **out, const struct nfc_config *cfg, const struct nfc_schema *schema,
                     char *err, size_t errlen)
{
    *out = NULL;
    if (cfg->n_plugins == 0)
        return 0;
    struct nfc_plugin_host *host = nfc_calloc(1, sizeof *host);
    if (!host)
        return nfc_errorf(err, errlen, "out of memory");
    host->cfg = cfg;
    host->schema = schema;
    host->plugins = nfc_calloc(cfg->n_plugins, sizeof *host->plugins);
    if (!host->plugins) {
        nfc_free(host);
        return nfc_errorf(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < cfg->n_plugins; i++) {
        struct loaded_plugin *lp = &host->plugins[host->n_plugins++];
        lp->parent = host;
        if (load_plugin(lp, cfg, i, err, errlen) < 0 || nfc_plugin_set_up(lp, err, errlen) < 0) {
            nfc_plugins_unload(host);
            return -1;
        }
        lp->state_off = host->state_size;
        host->state_size += (lp->state_size + STATE_ALIGN - 1) & ~(size_t)(STATE_ALIGN - 1);
    }
    if (cfg->plugin_timing && nfc_plugins_time(host) < 0) {
        nfc_plugins_unload(host);
        return nfc_errorf(err, errlen, "out of memory");
    }
    *out = host;
    return 0;
}

void nfc_plugins_unload(struct nfc_plugin_host *host)
{
    if (!host)
        return;
    for (size_t i = 0; i < host->n_plugins; i++) {
        struct loaded_plugin *lp = &host->plugins[i];
        if (lp->set_up && lp->desc->teardown) {
            uint64_t start = hook_enter(lp, HOOK_TEARDOWN);
            lp->desc->teardown(lp->instance);
            hook_leave(lp, HOOK_TEARDOWN, start);
        }
        if (lp->dl)
            dlclose(lp->dl);
        nfc_free(lp->path);
        nfc_free(lp->args);
        nfc_free(lp->keys);
        nfc_free(lp->values);
        nfc_free(lp->asked);
    }
    nfc_plugin_free_computed(host);
    nfc_free(host->times);
    for (size_t i = 0; i < host->n_fields; i++) {
        nfc_free(host->fields[i].name);
        nfc_free(host->fields[i].column);
    }
    nfc_free(host->fields);
    nfc_free(host->plugins);
    nfc_free(host);
}
