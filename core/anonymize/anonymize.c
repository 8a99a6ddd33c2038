#include "anonymize/anonymize.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "export/format.h"
#include "util/alloc.h"
#include "util/error.h"

enum { DIGEST_BYTES = 64, HEX_SIZE = 2 * DIGEST_BYTES + 1 };

struct column {
    struct nfc_column_getter original; /* the getter the digest replaced: the value in clear */
    enum nfc_type type;                /* the value's type in clear */
};

/* What every instance shares, read-only once registered. */
struct anonymizer {
    uint8_t key[NFC_ANONYMIZE_KEY_BYTES];
    size_t slot; /* offset of the digests in ext[]: HEX_SIZE bytes per column, "" for a missing value */
    size_t n;
    struct column *columns;
};

/* One thread's instance: the shared part, and a scratch text for the values, reused from flow to flow. */
struct instance {
    const struct anonymizer *shared;
    struct anonymizer *owned; /* the first instance's: freed with it, once the clones are gone */
    struct nfc_text text;
};

static void get_digest(const void *ctx, uint32_t arg, const struct nfc_flow *flow, struct nfc_value *v)
{
    const struct anonymizer *a = ctx;
    const char *hex = (const char *)flow->ext + a->slot + (size_t)arg * HEX_SIZE;
    v->missing = hex[0] == '\0';
    v->as.str.ptr = hex;
    v->as.str.len = v->missing ? 0 : HEX_SIZE - 1;
}

/* The digest of one column's value into `hex`; "" when the value is missing. */
static void anonymize_value(struct instance *in, const struct column *c, const struct nfc_flow *f, char *hex)
{
    struct nfc_value v = {.type = c->type};
    c->original.get(c->original.ctx, c->original.arg, f, &v);
    hex[0] = '\0';
    if (v.missing)
        return;
    const char *text = v.as.str.ptr;
    size_t len = v.as.str.len;
    if (v.type != NFC_TYPE_STRING) { /* a string is its own text */
        in->text.len = 0;
        nfc_format_value_text(&in->text, &v);
        if (in->text.failed) { /* out of memory: the value is left out rather than written in clear */
            in->text.failed = false;
            return;
        }
        text = in->text.p;
        len = in->text.len;
    }
    unsigned char digest[DIGEST_BYTES];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)(len ? text : ""), len, in->shared->key,
                       sizeof in->shared->key);
    sodium_bin2hex(hex, HEX_SIZE, digest, sizeof digest);
}

/* Runs after every other hook's expire: the values are final, the plugins' included. */
static void hook_expire(void *ctx, struct nfc_flow *f)
{
    struct instance *in = ctx;
    const struct anonymizer *a = in->shared;
    for (size_t j = 0; j < a->n; j++)
        anonymize_value(in, &a->columns[j], f, (char *)f->ext + a->slot + j * HEX_SIZE);
}

/* The digests are computed at the end alone: the packets are not read. */
static void hook_init(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    (void)ctx, (void)f, (void)pkt;
}

static void hook_update(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt, uint64_t k)
{
    (void)ctx, (void)f, (void)pkt, (void)k;
}

static void hook_release(void *ctx, struct nfc_flow *f)
{
    (void)ctx, (void)f;
}

static void hook_close(void *ctx)
{
    struct instance *in = ctx;
    nfc_text_free(&in->text);
    if (in->owned) {
        sodium_memzero(in->owned->key, sizeof in->owned->key);
        nfc_free(in->owned->columns);
        nfc_free(in->owned);
    }
    nfc_free(in);
}

static void add_hook(struct instance *in, struct nfc_flow_hooks *hooks);

/* Another worker's instance: the same key, columns and slot. */
static int hook_clone(void *ctx, struct nfc_flow_hooks *into, char *err, size_t errlen)
{
    const struct instance *in = ctx;
    struct instance *copy = nfc_calloc(1, sizeof *copy);
    if (!copy)
        return nfc_errorf(err, errlen, "out of memory");
    copy->shared = in->shared;
    add_hook(copy, into);
    return 0;
}

static void add_hook(struct instance *in, struct nfc_flow_hooks *hooks)
{
    /* One packet (the least a hook can read) and no flag: the workers go on splitting the work as before. */
    nfc_flow_hooks_add(hooks, &(struct nfc_flow_hook){.init = hook_init,
                                                      .update = hook_update,
                                                      .expire = hook_expire,
                                                      .release = hook_release,
                                                      .clone = hook_clone,
                                                      .close = hook_close,
                                                      .ctx = in,
                                                      .packets = 1});
}

/* The distinct columns named in `columns` into indexes[0..*m). Returns 0, or -1 with a message. */
static int find_columns(const struct nfc_schema *schema, const char *const *columns, size_t n, size_t *indexes,
                        size_t *m, char *err, size_t errlen)
{
    *m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t index;
        if (nfc_schema_find(schema, columns[i], &index) < 0)
            return nfc_errorf(err, errlen, "anonymize: no column '%s'", columns[i]);
        /* The id is given as the flow is handed out, after its end, when the digests are made. */
        if (strcmp(columns[i], "id") == 0)
            return nfc_errorf(err, errlen, "anonymize: the column 'id' cannot be anonymised");
        bool seen = false;
        for (size_t j = 0; j < *m; j++)
            seen |= indexes[j] == index;
        if (!seen)
            indexes[(*m)++] = index;
    }
    return 0;
}

int nfc_anonymize_register(struct nfc_schema *schema, struct nfc_flow_params *params, const char *const *columns,
                           size_t n, const uint8_t *key, char *err, size_t errlen)
{
    if (n == 0)
        return 0;
    if (sodium_init() < 0)
        return nfc_errorf(err, errlen, "anonymize: cannot initialise libsodium");
    size_t *indexes = nfc_calloc(n, sizeof *indexes);
    struct anonymizer *a = nfc_calloc(1, sizeof *a);
    struct instance *in = nfc_calloc(1, sizeof *in);
    int rc = indexes && a && in && (a->columns = nfc_calloc(n, sizeof *a->columns))
                 ? 0
                 : nfc_errorf(err, errlen, "out of memory");
    if (rc == 0)
        rc = find_columns(schema, columns, n, indexes, &a->n, err, errlen);
    if (rc < 0) {
        nfc_free(indexes);
        nfc_free(in);
        if (a)
            nfc_free(a->columns);
        nfc_free(a);
        return -1;
    }
    if (key)
        memcpy(a->key, key, sizeof a->key);
    else
        randombytes_buf(a->key, sizeof a->key);
    a->slot = nfc_flow_slot(params, a->n * HEX_SIZE, 1);
    for (size_t j = 0; j < a->n; j++) {
        struct nfc_column_getter digest = {.get = get_digest, .ctx = a, .arg = (uint32_t)j};
        a->columns[j].type = schema->columns[indexes[j]].type;
        a->columns[j].original = nfc_schema_replace_getter(schema, indexes[j], NFC_TYPE_STRING, digest);
    }
    nfc_free(indexes);
    in->shared = in->owned = a;
    add_hook(in, &params->hooks);
    return 0;
}
