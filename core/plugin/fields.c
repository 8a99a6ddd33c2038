/* The host functions plugins call (mutators, read), their fields' values, and the fields as exported columns. */
#include <stdlib.h>
#include <string.h>

#include "plugin/internal.h"
#include "schema/schema.h"
#include "util/alloc.h"

static struct nfc_flow *flow_of(const struct nfc_flow_view *view)
{
    return (struct nfc_flow *)((char *)(uintptr_t)view - offsetof(struct nfc_flow, view));
}

/* s->buf is the one allocation, freed with the flow (nfc_plugin_release_fields); text NULL marks the string unset. */
static int host_string_set(const struct nfc_host *h, struct nfc_string *s, const char *text, size_t len)
{
    (void)h;
    s->text = NULL;
    s->len = 0;
    if (!text)
        return 0;
    if (len >= UINT32_MAX)
        return -1;
    if (s->cap < len + 1) {
        char *p = nfc_realloc(s->buf, len + 1);
        if (!p)
            return -1;
        s->buf = p;
        s->cap = (uint32_t)len + 1;
    }
    memcpy(s->buf, text, len);
    s->buf[len] = '\0';
    s->text = s->buf;
    s->len = (uint32_t)len;
    return 0;
}

/* Grows an array of `size`-byte items so that one more fits. */
static bool grow_items(void **items, uint32_t len, uint32_t *cap, size_t size)
{
    if (len < *cap)
        return true;
    uint32_t n = *cap ? *cap * 2 : 4;
    void *p = nfc_realloc(*items, (size_t)n * size);
    if (!p)
        return false;
    *items = p;
    *cap = n;
    return true;
}

static int host_int_list_append(const struct nfc_host *h, struct nfc_int_list *list, int64_t value)
{
    (void)h;
    if (!grow_items((void **)&list->items, list->len, &list->cap, sizeof *list->items))
        return -1;
    list->items[list->len++] = value;
    return 0;
}

/* An item that got no text is not counted, so the list stays as it was. */
static int host_string_list_append(const struct nfc_host *h, struct nfc_string_list *list, const char *text, size_t len)
{
    if (!text || !grow_items((void **)&list->items, list->len, &list->cap, sizeof *list->items))
        return -1;
    struct nfc_string *s = &list->items[list->len];
    memset(s, 0, sizeof *s);
    if (host_string_set(h, s, text, len) < 0)
        return -1;
    list->len++;
    return 0;
}

/* Only items[0..len) ever hold a text, so release frees every text by freeing those. */
static void host_string_list_clear(const struct nfc_host *h, struct nfc_string_list *list)
{
    (void)h;
    for (uint32_t i = 0; i < list->len; i++)
        nfc_free(list->items[i].buf);
    list->len = 0;
}

static void host_request_expiry(const struct nfc_host *h, const struct nfc_flow_view *flow)
{
    const struct loaded_plugin *lp = (const struct loaded_plugin *)h;
    if (lp->may_expire)
        flow_of(flow)->expire_requested = NFC_EXPIRE_CUSTOM;
}

/* A field's value: the field declaration types reduced to value types, optional ones read as missing until set. */
static void field_value(const struct field_entry *e, const void *state, struct nfc_value *v)
{
    const char *p = (const char *)state + e->field.offset;
    v->missing = false;
    switch (e->field.type) {
    case NFC_FIELD_INT:
        v->type = NFC_TYPE_INT;
        memcpy(&v->as.i, p, sizeof v->as.i);
        break;
    case NFC_FIELD_UINT:
        v->type = NFC_TYPE_UINT;
        memcpy(&v->as.u, p, sizeof v->as.u);
        break;
    case NFC_FIELD_FLOAT:
        v->type = NFC_TYPE_FLOAT;
        memcpy(&v->as.f, p, sizeof v->as.f);
        break;
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

static void host_read(const struct nfc_host *h, const struct nfc_flow_view *view, nfc_field_ref ref,
                      struct nfc_value *out)
{
    const struct nfc_plugin_host *host = ((const struct loaded_plugin *)h)->parent;
    const struct nfc_flow *f = flow_of(view);
    if (ref.id & PLUGIN_REF) {
        const struct field_entry *e = &host->fields[ref.id & ~PLUGIN_REF];
        field_value(e, state_of(e->owner, f), out);
    } else {
        nfc_schema_value(host->schema, f, ref.id, out);
    }
}

static int host_add_column(const struct nfc_host *h, const char *name, nfc_column_read read, uint32_t arg)
{
    return nfc_plugin_add_column((struct loaded_plugin *)(uintptr_t)h, name, read, arg);
}

void nfc_plugin_host_functions(struct nfc_host *host)
{
    *host = (struct nfc_host){
        .abi_major = NFC_PLUGIN_ABI_MAJOR,
        .abi_minor = NFC_PLUGIN_ABI_MINOR,
        .string_set = host_string_set,
        .int_list_append = host_int_list_append,
        .string_list_append = host_string_list_append,
        .string_list_clear = host_string_list_clear,
        .request_expiry = host_request_expiry,
        .read = host_read,
        .add_column = host_add_column,
    };
}

void nfc_plugin_release_fields(const struct nfc_plugin_host *host, struct nfc_flow *f)
{
    for (size_t i = 0; i < host->n_fields; i++) {
        const struct field_entry *e = &host->fields[i];
        char *p = (char *)state_of(e->owner, f) + e->field.offset;
        switch (e->field.type) {
        case NFC_FIELD_STRING: nfc_free(((struct nfc_string *)p)->buf); break;
        case NFC_FIELD_INT_LIST: nfc_free(((struct nfc_int_list *)p)->items); break;
        case NFC_FIELD_STRING_LIST: {
            struct nfc_string_list *l = (struct nfc_string_list *)p;
            for (uint32_t k = 0; k < l->len; k++)
                nfc_free(l->items[k].buf);
            nfc_free(l->items);
            break;
        }
        default: break;
        }
    }
}

/* ---- columns ------------------------------------------------------------------------------------------------ */

static const struct {
    enum nfc_type type;
    bool may_be_missing;
} column_type[] = {
    [NFC_FIELD_INT] = {NFC_TYPE_INT, false},           [NFC_FIELD_UINT] = {NFC_TYPE_UINT, false},
    [NFC_FIELD_FLOAT] = {NFC_TYPE_FLOAT, false},       [NFC_FIELD_OPT_INT] = {NFC_TYPE_INT, true},
    [NFC_FIELD_OPT_FLOAT] = {NFC_TYPE_FLOAT, true},    [NFC_FIELD_STRING] = {NFC_TYPE_STRING, true},
    [NFC_FIELD_INT_LIST] = {NFC_TYPE_INT_LIST, false}, [NFC_FIELD_STRING_LIST] = {NFC_TYPE_STRING_LIST, false},
};

static void column_value(const void *ctx, uint32_t arg, const struct nfc_flow *f, struct nfc_value *v)
{
    const struct field_entry *e = &((const struct nfc_plugin_host *)ctx)->fields[arg];
    field_value(e, state_of(e->owner, f), v);
}

static void computed_value(const void *ctx, uint32_t arg, const struct nfc_flow *f, struct nfc_value *v)
{
    const struct computed_column *c = ctx;
    (void)arg;
    uint64_t start = hook_enter(c->owner, HOOK_COLUMN);
    c->read(c->owner->instance, state_of(c->owner, f), c->arg, v);
    hook_leave(c->owner, HOOK_COLUMN, start);
}

static int register_computed(struct nfc_schema *schema, size_t index, struct computed_column *c)
{
    struct nfc_column column = {.name = c->name, .type = NFC_TYPE_STRING, .may_be_missing = true};
    if (nfc_schema_insert(schema, index, &column, computed_value, c, 0) < 0)
        return -1;
    c->registered = true;
    return 0;
}

/* The plugin whose column `i` is; NULL for the engine's own (and for a column anonymisation took over). */
static const struct loaded_plugin *column_owner(const struct nfc_plugin_host *host, const struct nfc_schema *schema,
                                                size_t i)
{
    const struct nfc_column_getter *g = &schema->getters[i];
    if (g->get == column_value && g->ctx == host)
        return host->fields[g->arg].owner;
    if (g->get == computed_value && ((const struct computed_column *)g->ctx)->owner->parent == host)
        return ((const struct computed_column *)g->ctx)->owner;
    return NULL;
}

int nfc_plugins_register_columns(struct nfc_plugin_host *host, struct nfc_schema *schema)
{
    if (!host)
        return 0;
    host->columns = schema;
    size_t next_computed = 0;
    for (size_t p = 0; p < host->n_plugins; p++) {
        const struct loaded_plugin *lp = &host->plugins[p];
        for (size_t i = lp->first_field; i < lp->first_field + lp->n_fields; i++) {
            const struct field_entry *e = &host->fields[i];
            if (e->field.flags & NFC_FIELD_VOLATILE)
                continue;
            struct nfc_column column = {.name = e->column,
                                        .type = column_type[e->field.type].type,
                                        .may_be_missing = column_type[e->field.type].may_be_missing};
            if (nfc_schema_add(schema, &column, column_value, host, (uint32_t)i) < 0)
                return -1;
        }
        /* The columns it added at setup, in the order it added them. */
        for (; next_computed < host->n_computed && host->computed[next_computed]->owner == lp; next_computed++)
            if (register_computed(schema, schema->count, host->computed[next_computed]) < 0)
                return -1;
    }
    return 0;
}

/* After set-up, a column goes after the plugin's others, before the first of a later plugin's. */
static size_t insertion_point(const struct loaded_plugin *lp, const struct nfc_schema *schema)
{
    for (size_t i = 0; i < schema->count; i++) {
        const struct loaded_plugin *owner = column_owner(lp->parent, schema, i);
        if (owner && owner > lp)
            return i;
    }
    return schema->count;
}

static bool name_taken(const struct nfc_plugin_host *host, const char *name)
{
    size_t index;
    if (host->columns)
        return nfc_schema_find(host->columns, name, &index) == 0;
    if (nfc_schema_find(host->schema, name, &index) == 0)
        return true;
    for (size_t i = 0; i < host->n_fields; i++)
        if (strcmp(host->fields[i].column, name) == 0)
            return true;
    for (size_t i = 0; i < host->n_computed; i++)
        if (strcmp(host->computed[i]->name, name) == 0)
            return true;
    return false;
}

int nfc_plugin_add_column(struct loaded_plugin *lp, const char *name, nfc_column_read read, uint32_t arg)
{
    struct nfc_plugin_host *host = lp->parent;
    /* Once set up, only a plugin that runs where flows are handed out may add one: the schema is read there. */
    bool running = host->columns != NULL;
    if (!name || !name[0] || !read || (running && (host->columns->final || !lp->may_expire)) || name_taken(host, name))
        return -1;
    if (host->n_computed == host->cap_computed) {
        size_t cap = host->cap_computed ? host->cap_computed * 2 : 8;
        struct computed_column **p = nfc_realloc(host->computed, cap * sizeof *p);
        if (!p)
            return -1;
        host->computed = p;
        host->cap_computed = cap;
    }
    struct computed_column *c = nfc_calloc(1, sizeof *c);
    if (!c || !(c->name = nfc_strdup(name))) {
        nfc_free(c);
        return -1;
    }
    c->owner = lp;
    c->read = read;
    c->arg = arg;
    if (running && register_computed(host->columns, insertion_point(lp, host->columns), c) < 0) {
        nfc_free(c->name);
        nfc_free(c);
        return -1;
    }
    host->computed[host->n_computed++] = c;
    return 0;
}

void nfc_plugin_free_computed(struct nfc_plugin_host *host)
{
    for (size_t i = 0; i < host->n_computed; i++) {
        nfc_free(host->computed[i]->name);
        nfc_free(host->computed[i]);
    }
    nfc_free(host->computed);
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
        for (size_t k = 0; k < host->n_computed; k++)
            if (host->computed[k]->owner == lp)
                fprintf(out, "  %-32s computed\n", host->computed[k]->name);
    }
}
