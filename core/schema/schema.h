/* The column registry (as nginx's variables): an append-only list of output columns, each a name, a type, what a
 * sink needs to know of it (nfc_column) and a getter. The flow layer, nDPI and the plugin host register their
 * columns, in nfstream's order (spec §4.1); the writers, nfc_flow_value and the plugins' look-ups only read it.
 * It knows nothing of what a flow holds: a flow is an opaque pointer handed to the getters. */
#ifndef NFC_SCHEMA_H
#define NFC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nfcore/nfcore.h>

/* Fills in `v`'s value for `flow`; v->type is the column's and v->missing false on entry. ctx and arg are what
 * the column was registered with. */
typedef void (*nfc_column_get)(const void *ctx, uint32_t arg, const struct nfc_flow *flow, struct nfc_value *v);

struct nfc_column_getter {
    nfc_column_get get;
    const void *ctx;
    uint32_t arg;
};

struct nfc_schema {
    size_t count, cap;
    bool final;                        /* columns are no longer added: the first flow has been handed out */
    struct nfc_column *columns;        /* what nfc_engine_columns hands out */
    struct nfc_column_getter *getters; /* parallel to columns */
};

void nfc_schema_init(struct nfc_schema *s);
void nfc_schema_free(struct nfc_schema *s);

/* Appends `column`: its name is copied, its unit must outlive the registry. Returns 0, or -1 when memory runs
 * out. */
int nfc_schema_add(struct nfc_schema *s, const struct nfc_column *column, nfc_column_get get, const void *ctx,
                   uint32_t arg);

/* Inserts `column` before column `index` (count: appends), as nfc_schema_add does; the columns from `index` on
 * move one place. Returns 0, or -1 when memory runs out. */
int nfc_schema_insert(struct nfc_schema *s, size_t index, const struct nfc_column *column, nfc_column_get get,
                      const void *ctx, uint32_t arg);

/* Makes column `index` read through `getter`, its values now of `type` (a column replaced by a derived value, as
 * anonymisation's digests). The name and may_be_missing stay; the unit and IPFIX elements, which described the old
 * values, are cleared. Returns the getter it replaces. */
struct nfc_column_getter nfc_schema_replace_getter(struct nfc_schema *s, size_t index, enum nfc_type type,
                                                   struct nfc_column_getter getter);

/* The column named `name` into *index. Returns 0, or -1 when there is none. */
int nfc_schema_find(const struct nfc_schema *s, const char *name, size_t *index);

static inline void nfc_schema_value(const struct nfc_schema *s, const struct nfc_flow *flow, size_t column,
                                    struct nfc_value *v)
{
    const struct nfc_column_getter *g = &s->getters[column];
    v->type = s->columns[column].type;
    v->missing = false;
    g->get(g->ctx, g->arg, flow, v);
}

#endif
