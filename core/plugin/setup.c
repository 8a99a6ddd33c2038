/* The setup context a plugin's setup() gets: its arguments, look-ups, declared fields and errors. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/internal.h"
#include "schema/schema.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/number.h"

struct setup_ctx {
    struct nfc_setup pub; /* first: the plugin's ctx pointer leads back here */
    struct loaded_plugin *lp;
    char error[1024];
};

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

static int ctx_arg_int(struct nfc_setup *pub, const char *key, int64_t min, int64_t max, int64_t fallback, int64_t *out)
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
    size_t column;
    if (nfc_schema_find(host->schema, name, &column) < 0)
        return -1;
    ref->id = (uint32_t)column;
    return 0;
}

/* Core columns first, then the fields of earlier plugins (what ctx_lookup finds). */
static int ctx_column(const struct nfc_setup *pub, size_t i, const char **name, nfc_field_ref *ref)
{
    const struct loaded_plugin *lp = ((const struct setup_ctx *)pub)->lp;
    const struct nfc_plugin_host *host = lp->parent;
    if (i < host->schema->count) {
        *name = host->schema->columns[i].name;
        ref->id = (uint32_t)i;
        return 0;
    }
    i -= host->schema->count;
    if (i >= lp->first_field)
        return -1;
    *name = host->fields[i].column;
    ref->id = PLUGIN_REF | (uint32_t)i;
    return 0;
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
        struct field_entry *p = nfc_realloc(host->fields, cap * sizeof *p);
        if (!p)
            return nfc_errorf(err, errlen, "out of memory");
        host->fields = p;
        host->cap_fields = cap;
    }
    struct field_entry *e = &host->fields[host->n_fields];
    memset(e, 0, sizeof *e);
    e->field = *field;
    e->name = nfc_strdup(field->name);
    e->column = nfc_malloc(strlen(field->name) + 6);
    e->owner = lp;
    if (!e->name || !e->column) {
        nfc_free(e->name);
        nfc_free(e->column);
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

int nfc_plugin_set_up(struct loaded_plugin *lp, char *err, size_t errlen)
{
    lp->first_field = lp->parent->n_fields;
    for (size_t i = 0; i < lp->desc->n_fields; i++)
        if (add_field(lp, &lp->desc->fields[i], err, errlen) < 0)
            return -1;
    nfc_plugin_host_functions(&lp->host);
    lp->may_expire = (lp->desc->flags & NFC_PLUGIN_MAY_EXPIRE) != 0;
    struct setup_ctx ctx = {
        .pub = {.host = &lp->host,
                .arg = ctx_arg,
                .arg_int = ctx_arg_int,
                .lookup = ctx_lookup,
                .declare_field = ctx_declare_field,
                .set_state_size = ctx_set_state_size,
                .error = ctx_error,
                .allow_expiry = ctx_allow_expiry,
                .column = ctx_column,
                .data = lp->data},
        .lp = lp,
    };
    int rc = 0;
    if (lp->desc->setup) {
        uint64_t start = hook_enter(lp, HOOK_SETUP);
        rc = lp->desc->setup(&ctx.pub, &lp->instance);
        hook_leave(lp, HOOK_SETUP, start);
    }
    if (rc != 0)
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
