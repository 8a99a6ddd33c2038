/* What the plugin part's files share (loader.c, setup.c, hooks.c, fields.c, watch.c); nothing outside core/plugin/
 * includes it. */
#ifndef NFC_PLUGIN_INTERNAL_H
#define NFC_PLUGIN_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/host.h"
#include "util/clock.h"

enum {
    PLUGIN_REF = 0x80000000u, /* nfc_field_ref ids at and above this name plugin fields, below it core columns */
    STATE_ALIGN = 16,         /* plugin states are 16-byte aligned, as malloc'd memory is */
};

/* The plugin code a crash report names; the first TIMED_HOOKS are timed with plugin_timing. */
enum plugin_hook {
    HOOK_ON_INIT,
    HOOK_ON_UPDATE,
    HOOK_ON_EXPIRE,
    HOOK_ON_RELEASE,
    TIMED_HOOKS,
    HOOK_SETUP = TIMED_HOOKS,
    HOOK_TEARDOWN,
    HOOK_COLUMN, /* a computed column's read */
};

/* A hook's calls and time, added to by every meter's instance of the plugin. */
struct hook_time {
    _Atomic uint64_t calls;
    _Atomic uint64_t ns;
};

struct field_entry {
    struct nfc_plugin_field field;
    char *name;   /* owned copy of field.name */
    char *column; /* "udps.<name>" */
    struct loaded_plugin *owner;
};

struct loaded_plugin {
    struct nfc_host host; /* first: a plugin's host pointer leads back here */
    struct nfc_plugin_host *parent;
    void *dl; /* NULL for a linked plugin */
    const struct nfc_plugin *desc;
    void *data; /* a linked plugin's nfc_plugin_link.data */
    char *path;
    char *args; /* "k=v,k2=v2", split in place into keys and values */
    char **keys, **values;
    bool *asked; /* per argument: setup asked for its key */
    size_t n_args;
    char known[160]; /* the keys setup asked for, "a, b", for the message refusing any other */
    void *instance;
    bool set_up;
    bool may_expire; /* NFC_PLUGIN_MAY_EXPIRE, or allow_expiry at setup */
    size_t state_size;
    size_t state_off; /* from the start of the plugin area of ext[] */
    size_t first_field, n_fields;
    struct hook_time *times; /* TIMED_HOOKS entries, shared with the other meters' instances; NULL: not timed */
};

/* A column a plugin computes (nfc_host.add_column). */
struct computed_column {
    struct loaded_plugin *owner;
    nfc_column_read read;
    uint32_t arg;
    char *name;
    bool registered; /* in the schema (those added at setup wait for nfc_plugins_register_columns) */
};

struct nfc_plugin_host {
    struct loaded_plugin *plugins;
    size_t n_plugins;
    struct field_entry *fields;
    size_t n_fields, cap_fields;
    size_t state_size;
    size_t slot;                  /* where the states start in ext[] */
    const struct nfc_config *cfg; /* read again to set up another worker's instances */
    const struct nfc_schema *schema;
    struct nfc_schema *columns;        /* where the columns went (nfc_plugins_register_columns); NULL before */
    struct computed_column **computed; /* each its own allocation: the schema's getters point to them */
    size_t n_computed, cap_computed;
    struct hook_time *times; /* with plugin_timing, n_plugins * TIMED_HOOKS (the first host's; clones share it) */
};

/* The plugin code running on this thread (lp NULL: none), for nfc_plugin_running (watch.c). Initial-exec, so that
 * marking a hook call is a store, not a lookup. */
struct running_hook {
    const struct loaded_plugin *lp;
    enum plugin_hook hook;
};
extern _Thread_local struct running_hook nfc_plugin_now __attribute__((tls_model("initial-exec")));

/* Around every call into a plugin: marks it as running and, when timed, reads the clock. Returns the start time. */
static inline uint64_t hook_enter(const struct loaded_plugin *lp, enum plugin_hook hook)
{
    nfc_plugin_now = (struct running_hook){lp, hook};
    return lp->times && hook < TIMED_HOOKS ? nfc_monotonic_ns() : 0;
}

static inline void hook_leave(const struct loaded_plugin *lp, enum plugin_hook hook, uint64_t start)
{
    nfc_plugin_now.lp = NULL;
    if (lp->times && hook < TIMED_HOOKS) {
        struct hook_time *t = &lp->times[hook];
        atomic_fetch_add_explicit(&t->calls, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&t->ns, nfc_monotonic_ns() - start, memory_order_relaxed);
    }
}

/* The descriptor's on_release, which only descriptors of ABI 2.1 or later have. */
static inline nfc_state_release release_hook(const struct nfc_plugin *desc)
{
    return desc->abi_minor >= 1 ? desc->on_release : NULL;
}

/* Where the plugin's state lies in the flow record. */
static inline void *state_of(const struct loaded_plugin *lp, const struct nfc_flow *f)
{
    return (char *)(uintptr_t)f->ext + lp->parent->slot + lp->state_off;
}

/* setup.c: registers the descriptor's fields, runs the plugin's setup and refuses what it left wrong. Returns -1
 * with a one-line message. */
int nfc_plugin_set_up(struct loaded_plugin *lp, char *err, size_t errlen);

/* watch.c: with cfg->plugin_timing, the host's timing counters, each plugin's pointing into them. Returns -1 when
 * memory runs out. */
int nfc_plugins_time(struct nfc_plugin_host *host);

/* fields.c: the host functions a plugin calls. */
void nfc_plugin_host_functions(struct nfc_host *host);

/* fields.c: the plugin's columns that are not fields (nfc_host.add_column), as the schema gets them. */
int nfc_plugin_add_column(struct loaded_plugin *lp, const char *name, nfc_column_read read, uint32_t arg);
void nfc_plugin_free_computed(struct nfc_plugin_host *host);

/* fields.c: frees the strings and lists the flow's plugin fields hold. */
void nfc_plugin_release_fields(const struct nfc_plugin_host *host, struct nfc_flow *f);

#endif
