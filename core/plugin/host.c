#include "plugin/host.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema/schema.h"
#include "util/error.h"
#include "util/number.h"

#ifndef NFC_PLUGIN_DIR
#define NFC_PLUGIN_DIR ""
#endif

enum {
    PLUGIN_REF = 0x80000000u, /* nfc_field_ref ids at and above this name plugin fields, below it core columns */
    STATE_ALIGN = 16,
};

struct field_entry {
    struct nfc_plugin_field field;
    char *name;                   /* owned copy of field.name */
    char *column;                 /* "udps.<name>" */
    struct loaded_plugin *owner;
};

struct loaded_plugin {
    struct nfc_host host;         /* first: a plugin's host pointer leads back here */
    struct nfc_plugin_host *parent;
    void *dl;
    const struct nfc_plugin *desc;
    char *path;
    char *args;                   /* "k=v,k2=v2", split in place into keys and values */
    char **keys, **values;
    bool *asked;                  /* per argument: setup asked for its key */
    size_t n_args;
    char known[160];              /* the keys setup asked for, "a, b", for the message refusing any other */
    void *instance;
    bool set_up;
    bool may_expire;              /* NFC_PLUGIN_MAY_EXPIRE, or allow_expiry at setup */
    size_t state_size;
    size_t state_off;             /* from the start of the plugin area of ext[] */
    size_t first_field, n_fields;
};

struct nfc_plugin_host {
    struct loaded_plugin *plugins;
    size_t n_plugins;
    struct field_entry *fields;
    size_t n_fields, cap_fields;
    size_t *exported;             /* indices into fields */
    size_t n_exported;
    size_t state_size;
    const struct nfc_schema *schema;
    const struct nfc_flow_params *params;
};

struct setup_ctx {
    struct nfc_setup pub;         /* first: the plugin's ctx pointer leads back here */
    struct loaded_plugin *lp;
    char error[1024];
};

static struct nfc_flow *flow_of(const struct nfc_flow_view *view)
{
    return (struct nfc_flow *)((char *)(uintptr_t)view - offsetof(struct nfc_flow, view));
}

static void *state_of(const struct loaded_plugin *lp, const struct nfc_flow *f)
{
    return (char *)(uintptr_t)f->ext + lp->parent->params->plugin_off + lp->state_off;
}

/* ---- host functions -------------------------------------------------------------------------------------- */

/* s->buf is the one allocation, freed with the flow (nfc_plugins_release); text NULL marks the string unset. */
static void host_string_set(const struct nfc_host *h, struct nfc_string *s, const char *text, size_t len)
{
    (void)h;
    if (!text) {
        s->text = NULL;
        s->len = 0;
        return;
    }
    if (len >= UINT32_MAX)
        return;
    if (s->cap < len + 1) {
        char *p = realloc(s->buf, len + 1);
        if (!p)
            return;
        s->buf = p;
        s->cap = (uint32_t)len + 1;
    }
    memcpy(s->buf, text, len);
    s->buf[len] = '\0';
    s->text = s->buf;
    s->len = (uint32_t)len;
}

/* Grows an array of `size`-byte items so that one more fits. */
static bool grow_items(void **items, uint32_t len, uint32_t *cap, size_t size)
{
    if (len < *cap)
        return true;
    uint32_t n = *cap ? *cap * 2 : 4;
    void *p = realloc(*items, (size_t)n * size);
    if (!p)
        return false;
    *items = p;
    *cap = n;
    return true;
}

static void host_int_list_append(const struct nfc_host *h, struct nfc_int_list *list, int64_t value)
{
    (void)h;
    if (grow_items((void **)&list->items, list->len, &list->cap, sizeof *list->items))
        list->items[list->len++] = value;
}

static void host_string_list_append(const struct nfc_host *h, struct nfc_string_list *list, const char *text,
                                    size_t len)
{
    if (!grow_items((void **)&list->items, list->len, &list->cap, sizeof *list->items))
        return;
    struct nfc_string *s = &list->items[list->len];
    memset(s, 0, sizeof *s);
    host_string_set(h, s, text, len);
    if (s->text)
        list->len++;
}

/* Only items[0..len) ever hold a text, so release frees every text by freeing those. */
static void host_string_list_clear(const struct nfc_host *h, struct nfc_string_list *list)
{
    (void)h;
    for (uint32_t i = 0; i < list->len; i++)
        free(list->items[i].buf);
    list->len = 0;
}

static void host_request_expiry(const struct nfc_host *h, const struct nfc_flow_view *flow)
{
    const struct loaded_plugin *lp = (const struct loaded_plugin *)h;
    if (lp->may_expire)
        flow_of(flow)->expire_requested = NFC_EXPIRE_CUSTOM;
}

static void field_value(const struct field_entry *e, const void *state, struct nfc_value *v)
{
    const char *p = (const char *)state + e->field.offset;
    v->missing = false;
    switch (e->field.type) {
    case NFC_FIELD_INT: v->type = NFC_TYPE_INT; memcpy(&v->as.i, p, sizeof v->as.i); break;
    case NFC_FIELD_UINT: v->type = NFC_TYPE_UINT; memcpy(&v->as.u, p, sizeof v->as.u); break;
    case NFC_FIELD_FLOAT: v->type = NFC_TYPE_FLOAT; memcpy(&v->as.f, p, sizeof v->as.f); break;
    case NFC_FIELD_OPT_INT: {
        const struct nfc_opt_int *o = (const struct nfc_opt_int *)p;
        v->type = NFC_TYPE_INT;
        v->as.i = o->value;
        v->missing = !o->set;
        break;
    }
    case NFC_FIELD_OPT_FLOAT: {
        const struct nfc_opt_float *o = (const struct nfc_opt_float *)p;
        v->type = NFC_TYPE_FLOAT;
        v->as.f = o->value;
        v->missing = !o->set;
        break;
    }
    case NFC_FIELD_STRING: {
        const struct nfc_string *s = (const struct nfc_string *)p;
        v->type = NFC_TYPE_STRING;
        v->as.str.ptr = s->text;
        v->as.str.len = s->len;
        v->missing = s->text == NULL;
        break;
    }
    case NFC_FIELD_INT_LIST: {
        const struct nfc_int_list *l = (const struct nfc_int_list *)p;
        v->type = NFC_TYPE_INT_LIST;
        v->as.list.ptr = l->items;
        v->as.list.len = l->len;
        v->as.list.width = 8;
        break;
    }
    case NFC_FIELD_STRING_LIST: {
        const struct nfc_string_list *l = (const struct nfc_string_list *)p;
        v->type = NFC_TYPE_STRING_LIST;
        v->as.strings.ptr = l->items;
        v->as.strings.len = l->len;
        break;
    }
    }
}

static const uint32_t sdk_type[] = {
    [NFC_TYPE_INT] = NFC_FIELD_INT,
    [NFC_TYPE_UINT] = NFC_FIELD_UINT,
    [NFC_TYPE_FLOAT] = NFC_FIELD_FLOAT,
    [NFC_TYPE_STRING] = NFC_FIELD_STRING,
    [NFC_TYPE_INT_LIST] = NFC_FIELD_INT_LIST,
    [NFC_TYPE_STRING_LIST] = NFC_FIELD_STRING_LIST,
};

static void host_read(const struct nfc_host *h, const struct nfc_flow_view *view, nfc_field_ref ref,
                      struct nfc_field_value *out)
{
    const struct nfc_plugin_host *host = ((const struct loaded_plugin *)h)->parent;
    const struct nfc_flow *f = flow_of(view);
    struct nfc_value v;
    if (ref.id & PLUGIN_REF) {
        const struct field_entry *e = &host->fields[ref.id & ~PLUGIN_REF];
        field_value(e, state_of(e->owner, f), &v);
    } else {
        nfc_schema_value(host->schema, host->params, f, ref.id, &v);
    }
    out->type = sdk_type[v.type];
    out->set = !v.missing;
    switch (v.type) {
    case NFC_TYPE_INT: out->as.i = v.as.i; break;
    case NFC_TYPE_UINT: out->as.u = v.as.u; break;
    case NFC_TYPE_FLOAT: out->as.f = v.as.f; break;
    case NFC_TYPE_STRING:
        out->as.str.len = v.as.str.len;
        out->as.str.ptr = v.as.str.ptr;
        if (v.as.str.ptr == v.text) { /* address and MAC text is formatted into `v`, which ends here */
            memcpy(out->text, v.text, sizeof out->text);
            out->as.str.ptr = out->text;
        }
        break;
    case NFC_TYPE_INT_LIST:
        out->as.list.ptr = v.as.list.ptr;
        out->as.list.len = v.as.list.len;
        out->as.list.width = v.as.list.width;
        break;
    case NFC_TYPE_STRING_LIST:
        out->as.strings.ptr = v.as.strings.ptr;
        out->as.strings.len = v.as.strings.len;
        break;
    }
}

/* ---- setup context ------------------------------------------------------------------------------------------ */

/* Adds `key` to the ", "-separated `list` unless it is there (cut short when the list is full). */
static void add_known(char *list, size_t size, const char *key)
{
    size_t n = strlen(key), used = strlen(list);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && memcmp(p, key, n) == 0)
            return;
        p += k + (p[k] ? 2 : 0);
    }
    snprintf(list + used, size - used, "%s%s", used ? ", " : "", key);
}

static const char *ctx_arg(const struct nfc_setup *pub, const char *key)
{
    struct loaded_plugin *lp = ((const struct setup_ctx *)pub)->lp;
    const char *value = NULL;
    add_known(lp->known, sizeof lp->known, key);
    for (size_t i = 0; i < lp->n_args; i++) {
        if (strcmp(lp->keys[i], key) == 0) {
            lp->asked[i] = true;
            if (!value)
                value = lp->values[i];
        }
    }
    return value;
}

static int ctx_arg_int(struct nfc_setup *pub, const char *key, int64_t min, int64_t max, int64_t fallback,
                       int64_t *out)
{
    struct setup_ctx *ctx = (struct setup_ctx *)pub;
    const char *text = ctx_arg(pub, key);
    if (!text) {
        *out = fallback;
        return 0;
    }
    if (nfc_parse_int(text, min, max, out) != NFC_NUMBER_OK) {
        nfc_errorf(ctx->error, sizeof ctx->error, "argument %s: '%s' is not an integer in %" PRId64 "..%" PRId64, key,
                   text, min, max);
        return -1;
    }
    return 0;
}

static int ctx_lookup(const struct nfc_setup *pub, const char *name, nfc_field_ref *ref)
{
    const struct loaded_plugin *lp = ((const struct setup_ctx *)pub)->lp;
    const struct nfc_plugin_host *host = lp->parent;
    const char *bare = strncmp(name, "udps.", 5) == 0 ? name + 5 : name;
    /* Only fields of earlier plugins: theirs are up to date when this plugin's hooks run. */
    for (size_t i = 0; i < lp->first_field; i++) {
        if (strcmp(host->fields[i].name, bare) == 0) {
            ref->id = PLUGIN_REF | (uint32_t)i;
            return 0;
        }
    }
    for (size_t i = 0; i < host->schema->count; i++) {
        if (strcmp(host->schema->columns[i].name, name) == 0) {
            ref->id = (uint32_t)i;
            return 0;
        }
    }
    return -1;
}

static size_t field_size(uint32_t type)
{
    switch (type) {
    case NFC_FIELD_INT:
    case NFC_FIELD_UINT:
    case NFC_FIELD_FLOAT: return 8;
    case NFC_FIELD_OPT_INT: return sizeof(struct nfc_opt_int);
    case NFC_FIELD_OPT_FLOAT: return sizeof(struct nfc_opt_float);
    case NFC_FIELD_STRING: return sizeof(struct nfc_string);
    case NFC_FIELD_INT_LIST: return sizeof(struct nfc_int_list);
    case NFC_FIELD_STRING_LIST: return sizeof(struct nfc_string_list);
    default: return 0;
    }
}

static int check_placement(const struct loaded_plugin *lp, const struct nfc_plugin_field *field, char *err,
                           size_t errlen)
{
    if (field->offset + field_size(field->type) > lp->state_size)
        return nfc_errorf(err, errlen, "%s: field '%s' lies outside the plugin's %zu-byte state", lp->path, field->name,
                    lp->state_size);
    return 0;
}

/* Registers one field of `lp`; checks its type, its place in the state and its name. */
static int add_field(struct loaded_plugin *lp, const struct nfc_plugin_field *field, char *err, size_t errlen)
{
    struct nfc_plugin_host *host = lp->parent;
    if (!field->name || !field->name[0])
        return nfc_errorf(err, errlen, "%s: a field has no name", lp->path);
    if (!field_size(field->type))
        return nfc_errorf(err, errlen, "%s: field '%s' has an unknown type %u", lp->path, field->name, field->type);
    if (check_placement(lp, field, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < host->n_fields; i++) {
        if (strcmp(host->fields[i].name, field->name) == 0)
            return nfc_errorf(err, errlen, "%s: field '%s' clashes with the field of the same name of plugin %s",
                        lp->path, field->name, host->fields[i].owner->desc->name);
    }
    if (host->n_fields == host->cap_fields) {
        size_t cap = host->cap_fields ? host->cap_fields * 2 : 16;
        struct field_entry *p = realloc(host->fields, cap * sizeof *p);
        if (!p)
            return nfc_errorf(err, errlen, "out of memory");
        host->fields = p;
        host->cap_fields = cap;
    }
    struct field_entry *e = &host->fields[host->n_fields];
    memset(e, 0, sizeof *e);
    e->field = *field;
    e->name = strdup(field->name);
    e->column = malloc(strlen(field->name) + 6);
    e->owner = lp;
    if (!e->name || !e->column) {
        free(e->name);
        free(e->column);
        return nfc_errorf(err, errlen, "out of memory");
    }
    strcpy(e->column, "udps.");
    strcat(e->column, field->name);
    e->field.name = e->name;
    host->n_fields++;
    lp->n_fields++;
    return 0;
}

static int ctx_declare_field(struct nfc_setup *pub, const struct nfc_plugin_field *field)
{
    struct setup_ctx *ctx = (struct setup_ctx *)pub;
    return add_field(ctx->lp, field, ctx->error, sizeof ctx->error);
}

static void ctx_set_state_size(struct nfc_setup *pub, size_t size)
{
    ((struct setup_ctx *)pub)->lp->state_size = size;
}

static void ctx_allow_expiry(struct nfc_setup *pub)
{
    ((struct setup_ctx *)pub)->lp->may_expire = true;
}

static void ctx_error(struct nfc_setup *pub, const char *message)
{
    struct setup_ctx *ctx = (struct setup_ctx *)pub;
    nfc_errorf(ctx->error, sizeof ctx->error, "%s", message ? message : "setup failed");
}

/* ---- loading ------------------------------------------------------------------------------------------------ */

/* A bare file name is looked for in $NFCORE_PLUGIN_PATH, then in the built-in plugin folders. */
static char *resolve_path(const char *name)
{
    struct stat st;
    if (strchr(name, '/'))
        return strdup(name);
    if (stat(name, &st) == 0) { /* dlopen would search the library path for a name without a slash */
        char *local = malloc(strlen(name) + 3);
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
            char *candidate = malloc(n + strlen(name) + 2);
            if (!candidate)
                return NULL;
            memcpy(candidate, dirs, n);
            candidate[n] = '/';
            strcpy(candidate + n + 1, name);
            if (n && stat(candidate, &st) == 0)
                return candidate;
            free(candidate);
            dirs += n + (dirs[n] == ':');
        }
    }
    return strdup(name);
}

/* "PATH:key=value,key=value" -> path and argument pairs. */
static int parse_spec(struct loaded_plugin *lp, const char *spec, char *err, size_t errlen)
{
    const char *colon = strchr(spec, ':');
    char *name = colon ? strndup(spec, (size_t)(colon - spec)) : strdup(spec);
    lp->args = strdup(colon ? colon + 1 : "");
    if (!name || !lp->args) {
        free(name);
        return nfc_errorf(err, errlen, "out of memory");
    }
    lp->path = resolve_path(name);
    free(name);
    size_t max = 1;
    for (const char *p = lp->args; *p; p++)
        max += *p == ',';
    lp->keys = calloc(max, sizeof *lp->keys);
    lp->values = calloc(max, sizeof *lp->values);
    lp->asked = calloc(max, sizeof *lp->asked);
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
        return nfc_errorf(err, errlen, "plugin %s: no %s() symbol: not an nfcore plugin", lp->path, NFC_PLUGIN_ENTRY_SYMBOL);
    lp->desc = entry();
    if (!lp->desc)
        return nfc_errorf(err, errlen, "plugin %s: %s() returned no descriptor", lp->path, NFC_PLUGIN_ENTRY_SYMBOL);
    if (lp->desc->abi_major != NFC_PLUGIN_ABI_MAJOR || lp->desc->abi_minor > NFC_PLUGIN_ABI_MINOR)
        return nfc_errorf(err, errlen, "plugin %s: built for plugin ABI %u.%u, this nfcore provides %u.%u", lp->path,
                    lp->desc->abi_major, lp->desc->abi_minor, NFC_PLUGIN_ABI_MAJOR, NFC_PLUGIN_ABI_MINOR);
    if (!lp->desc->name || !lp->desc->name[0])
        return nfc_errorf(err, errlen, "plugin %s: its descriptor has no name", lp->path);
    lp->state_size = lp->desc->state_size;
    return 0;
}

static int set_up(struct loaded_plugin *lp, char *err, size_t errlen)
{
    lp->first_field = lp->parent->n_fields;
    for (size_t i = 0; i < lp->desc->n_fields; i++)
        if (add_field(lp, &lp->desc->fields[i], err, errlen) < 0)
            return -1;
    lp->host = (struct nfc_host){
        .abi_major = NFC_PLUGIN_ABI_MAJOR,
        .abi_minor = NFC_PLUGIN_ABI_MINOR,
        .string_set = host_string_set,
        .int_list_append = host_int_list_append,
        .string_list_append = host_string_list_append,
        .string_list_clear = host_string_list_clear,
        .request_expiry = host_request_expiry,
        .read = host_read,
    };
    lp->may_expire = (lp->desc->flags & NFC_PLUGIN_MAY_EXPIRE) != 0;
    struct setup_ctx ctx = {
        .pub = {.host = &lp->host, .arg = ctx_arg, .arg_int = ctx_arg_int, .lookup = ctx_lookup,
                .declare_field = ctx_declare_field, .set_state_size = ctx_set_state_size, .error = ctx_error,
                .allow_expiry = ctx_allow_expiry},
        .lp = lp,
    };
    if (lp->desc->setup && lp->desc->setup(&ctx.pub, &lp->instance) != 0)
        return nfc_errorf(err, errlen, "plugin %s: %s", lp->desc->name, ctx.error[0] ? ctx.error : "setup failed");
    lp->set_up = true; /* whatever is refused next, unload tears the instance down */
    /* An argument read or a field declared at setup may have failed without the plugin noticing. */
    if (ctx.error[0])
        return nfc_errorf(err, errlen, "plugin %s: %s", lp->desc->name, ctx.error);
    /* setup may have changed the state size under the fields already placed. */
    for (size_t i = lp->first_field; i < lp->first_field + lp->n_fields; i++)
        if (check_placement(lp, &lp->parent->fields[i].field, err, errlen) < 0)
            return -1;
    /* An argument setup never asked for is most likely a misspelt key, whose value would silently go unused. */
    for (size_t i = 0; i < lp->n_args; i++)
        if (!lp->asked[i])
            return nfc_errorf(err, errlen, "plugin %s: unknown argument '%s' (%s%s)", lp->desc->name, lp->keys[i],
                        lp->known[0] ? "known: " : "takes no arguments", lp->known);
    return 0;
}

int nfc_plugins_load(struct nfc_plugin_host **out, const struct nfc_config *cfg, const struct nfc_schema *schema,
                     char *err, size_t errlen)
{
    *out = NULL;
    if (cfg->n_plugins == 0)
        return 0;
    struct nfc_plugin_host *host = calloc(1, sizeof *host);
    if (!host)
        return nfc_errorf(err, errlen, "out of memory");
    host->schema = schema;
    host->plugins = calloc(cfg->n_plugins, sizeof *host->plugins);
    if (!host->plugins) {
        free(host);
        return nfc_errorf(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < cfg->n_plugins; i++) {
        struct loaded_plugin *lp = &host->plugins[host->n_plugins++];
        lp->parent = host;
        if (parse_spec(lp, cfg->plugins[i], err, errlen) < 0 || open_plugin(lp, err, errlen) < 0 ||
            set_up(lp, err, errlen) < 0) {
            nfc_plugins_unload(host);
            return -1;
        }
        lp->state_off = host->state_size;
        host->state_size += (lp->state_size + STATE_ALIGN - 1) & ~(size_t)(STATE_ALIGN - 1);
    }
    host->exported = calloc(host->n_fields + 1, sizeof *host->exported);
    if (!host->exported) {
        nfc_plugins_unload(host);
        return nfc_errorf(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < host->n_fields; i++)
        if (!(host->fields[i].field.flags & NFC_FIELD_VOLATILE))
            host->exported[host->n_exported++] = i;
    *out = host;
    return 0;
}

void nfc_plugins_unload(struct nfc_plugin_host *host)
{
    if (!host)
        return;
    for (size_t i = 0; i < host->n_plugins; i++) {
        struct loaded_plugin *lp = &host->plugins[i];
        if (lp->set_up && lp->desc->teardown)
            lp->desc->teardown(lp->instance);
        if (lp->dl)
            dlclose(lp->dl);
        free(lp->path);
        free(lp->args);
        free(lp->keys);
        free(lp->values);
        free(lp->asked);
    }
    for (size_t i = 0; i < host->n_fields; i++) {
        free(host->fields[i].name);
        free(host->fields[i].column);
    }
    free(host->fields);
    free(host->exported);
    free(host->plugins);
    free(host);
}

size_t nfc_plugins_state_size(const struct nfc_plugin_host *host)
{
    return host ? host->state_size : 0;
}

void nfc_plugins_bind(struct nfc_plugin_host *host, const struct nfc_flow_params *params)
{
    host->params = params;
}

/* ---- hooks ------------------------------------------------------------------------------------------------ */

void nfc_plugins_on_init(struct nfc_plugin_host *host, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_init)
            lp->desc->on_init(&lp->host, lp->instance, state_of(lp, f), &f->view, pkt);
    }
}

void nfc_plugins_on_update(struct nfc_plugin_host *host, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_update)
            lp->desc->on_update(&lp->host, lp->instance, state_of(lp, f), &f->view, pkt);
    }
}

void nfc_plugins_on_expire(struct nfc_plugin_host *host, struct nfc_flow *f)
{
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        if (lp->desc->on_expire)
            lp->desc->on_expire(&lp->host, lp->instance, state_of(lp, f), &f->view);
    }
}

void nfc_plugins_release(const struct nfc_plugin_host *host, struct nfc_flow *f)
{
    for (size_t i = 0; i < host->n_fields; i++) {
        const struct field_entry *e = &host->fields[i];
        char *p = (char *)state_of(e->owner, f) + e->field.offset;
        switch (e->field.type) {
        case NFC_FIELD_STRING: free(((struct nfc_string *)p)->buf); break;
        case NFC_FIELD_INT_LIST: free(((struct nfc_int_list *)p)->items); break;
        case NFC_FIELD_STRING_LIST: {
            struct nfc_string_list *l = (struct nfc_string_list *)p;
            for (uint32_t k = 0; k < l->len; k++)
                free(l->items[k].buf);
            free(l->items);
            break;
        }
        default: break;
        }
    }
}

/* ---- columns ------------------------------------------------------------------------------------------------ */

size_t nfc_plugins_column_count(const struct nfc_plugin_host *host)
{
    return host ? host->n_exported : 0;
}

static const enum nfc_type column_type[] = {
    [NFC_FIELD_INT] = NFC_TYPE_INT,
    [NFC_FIELD_UINT] = NFC_TYPE_UINT,
    [NFC_FIELD_FLOAT] = NFC_TYPE_FLOAT,
    [NFC_FIELD_OPT_INT] = NFC_TYPE_INT,
    [NFC_FIELD_OPT_FLOAT] = NFC_TYPE_FLOAT,
    [NFC_FIELD_STRING] = NFC_TYPE_STRING,
    [NFC_FIELD_INT_LIST] = NFC_TYPE_INT_LIST,
    [NFC_FIELD_STRING_LIST] = NFC_TYPE_STRING_LIST,
};

void nfc_plugins_column(const struct nfc_plugin_host *host, size_t i, const char **name, enum nfc_type *type)
{
    const struct field_entry *e = &host->fields[host->exported[i]];
    *name = e->column;
    *type = column_type[e->field.type];
}

void nfc_plugins_value(const struct nfc_plugin_host *host, const struct nfc_flow *f, size_t i, struct nfc_value *v)
{
    const struct field_entry *e = &host->fields[host->exported[i]];
    field_value(e, state_of(e->owner, f), v);
}

static const char *const type_name[] = {
    [NFC_FIELD_INT] = "int",
    [NFC_FIELD_UINT] = "uint",
    [NFC_FIELD_FLOAT] = "float",
    [NFC_FIELD_OPT_INT] = "int (optional)",
    [NFC_FIELD_OPT_FLOAT] = "float (optional)",
    [NFC_FIELD_STRING] = "string",
    [NFC_FIELD_INT_LIST] = "int list",
    [NFC_FIELD_STRING_LIST] = "string list",
};

void nfc_plugins_describe(const struct nfc_plugin_host *host, FILE *out)
{
    for (size_t i = 0; i < host->n_plugins; i++) {
        const struct loaded_plugin *lp = &host->plugins[i];
        fprintf(out, "%s %s (plugin ABI %u.%u)\n  %s\n  %s\n", lp->desc->name,
                lp->desc->version ? lp->desc->version : "", lp->desc->abi_major, lp->desc->abi_minor,
                lp->desc->description ? lp->desc->description : "", lp->path);
        if (lp->may_expire)
            fprintf(out, "  may end flows early (expiration_id -1)\n");
        for (size_t k = lp->first_field; k < lp->first_field + lp->n_fields; k++) {
            const struct field_entry *e = &host->fields[k];
            fprintf(out, "  %-32s %s%s\n", e->column, type_name[e->field.type],
                    e->field.flags & NFC_FIELD_VOLATILE ? ", volatile (not exported)" : "");
        }
    }
}

bool nfc_plugins_may_expire(const struct nfc_plugin_host *host)
{
    for (size_t i = 0; host && i < host->n_plugins; i++)
        if (host->plugins[i].may_expire)
            return true;
    return false;
}
