#include "schema/schema.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void nfc_schema_init(struct nfc_schema *s)
{
    memset(s, 0, sizeof *s);
}

void nfc_schema_free(struct nfc_schema *s)
{
    for (size_t i = 0; i < s->count; i++)
        nfc_free((char *)(uintptr_t)s->columns[i].name);
    nfc_free(s->columns);
    nfc_free(s->getters);
    memset(s, 0, sizeof *s);
}

static int grow(struct nfc_schema *s)
{
    size_t cap = s->cap ? s->cap * 2 : 128;
    struct nfc_column *columns = nfc_realloc(s->columns, cap * sizeof *columns);
    if (!columns)
        return -1;
    s->columns = columns;
    struct nfc_column_getter *getters = nfc_realloc(s->getters, cap * sizeof *getters);
    if (!getters)
        return -1;
    s->getters = getters;
    s->cap = cap;
    return 0;
}

int nfc_schema_insert(struct nfc_schema *s, size_t index, const struct nfc_column *column, nfc_column_get get,
                      const void *ctx, uint32_t arg)
{
    if (s->count == s->cap && grow(s) < 0)
        return -1;
    char *name = nfc_strdup(column->name);
    if (!name)
        return -1;
    size_t after = s->count - index;
    memmove(&s->columns[index + 1], &s->columns[index], after * sizeof *s->columns);
    memmove(&s->getters[index + 1], &s->getters[index], after * sizeof *s->getters);
    s->columns[index] = *column;
    s->columns[index].name = name;
    s->getters[index] = (struct nfc_column_getter){.get = get, .ctx = ctx, .arg = arg};
    s->count++;
    return 0;
}

int nfc_schema_add(struct nfc_schema *s, const struct nfc_column *column, nfc_column_get get, const void *ctx,
                   uint32_t arg)
{
    return nfc_schema_insert(s, s->count, column, get, ctx, arg);
}

struct nfc_column_getter nfc_schema_replace_getter(struct nfc_schema *s, size_t index, enum nfc_type type,
                                                   struct nfc_column_getter getter)
{
    struct nfc_column *column = &s->columns[index];
    column->type = type;
    column->unit = NULL;
    column->ipfix_id = column->ipfix_id_ipv6 = 0;
    struct nfc_column_getter previous = s->getters[index];
    s->getters[index] = getter;
    return previous;
}

int nfc_schema_find(const struct nfc_schema *s, const char *name, size_t *index)
{
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->columns[i].name, name) == 0) {
            *index = i;
            return 0;
        }
    }
    return -1;
}
