/* The exporter: libfixbuf's session, templates and buffer behind the sink contract (export/sink.h). A flow's values
 * are copied on the caller's thread into one self-contained encoded record (the internal record libfixbuf reads,
 * its strings and lists after it, addressed by offset); libfixbuf transcodes and sends it from the sink's side. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/ipfix/elements.h"
#include "export/ipfix/ipfix.h"
#include "export/sink.h"
#include "util/clock.h"
#include "util/error.h"

enum {
    V4,
    V6,
    N_TEMPLATES,
    HEADER = 8,            /* the encoded record's first byte says which template; the record starts aligned */
    MAX_RECORD = 8192,     /* the internal record's bytes (about 9 per column: 16 for a string, 24 for a list) */
    QUEUE = 4096,          /* records waiting for a collector */
    DRAIN_MS = 5000,       /* what close gives the queue */
    IPV6_HEADER_BYTES = 40 /* what accounting mode 1 leaves out of an IPv6 packet */
};

struct exporter {
    const struct nfc_engine *eng;
    const struct nfc_column *columns;
    size_t ip_version_column; /* picks the template; SIZE_MAX: always IPv4's */
    fbInfoModel_t *model;
    fBuf_t *fbuf; /* owns the session and the exporter */
    fbSession_t *session;
    uint16_t type_tid;     /* the RFC 5610 type records' options template */
    uint64_t refresh_ms;   /* how often the templates are sent again; 0: never */
    uint64_t announced_ms; /* when they were sent last (monotonic) */
    char target[4200];     /* the file, or HOST:PORT, for messages */
    struct nfc_ipfix_layout layout;
    size_t *offsets[N_TEMPLATES]; /* of each field in the internal record */
    uint16_t record_len[N_TEMPLATES];
    uint16_t tid[N_TEMPLATES];
    const fbInfoElement_t **items; /* each field's list item element, NULL for others */
    uint8_t *record;               /* the sender's copy of the internal record, pointers set */
};

struct nfc_ipfix {
    struct nfc_sink *sink;
};

static int fixbuf_error(char *err, size_t errlen, const char *what, GError *gerr)
{
    nfc_errorf(err, errlen, "%s: %s", what, gerr ? gerr->message : "failed");
    g_clear_error(&gerr);
    return -1;
}

static size_t internal_len(const struct nfc_ipfix_field *f, int version)
{
    switch (f->kind) {
    case NFC_IPFIX_ADDRESS: return version == V6 ? 16 : 4;
    case NFC_IPFIX_STRING: return sizeof(fbVarfield_t);
    case NFC_IPFIX_LIST: return sizeof(fbBasicList_t);
    case NFC_IPFIX_INT:
    case NFC_IPFIX_FLOAT: return 8;
    case NFC_IPFIX_UINT:
    case NFC_IPFIX_BYTES: return f->width;
    }
    return 0;
}

/* ---- encoding (the caller's thread) ----------------------------------------------------------------------- */

static void put_uint(uint8_t *at, uint64_t v, size_t width)
{
    uint8_t u8 = (uint8_t)v;
    uint16_t u16 = (uint16_t)v;
    uint32_t u32 = (uint32_t)v;
    switch (width) {
    case 1: memcpy(at, &u8, 1); break;
    case 2: memcpy(at, &u16, 2); break;
    case 4: memcpy(at, &u32, 4); break;
    default: memcpy(at, &v, 8); break;
    }
}

/* flowEndReason (RFC 5102): idle 1, active 2, end of flow detected (TCP) 3, forced end (a plugin) 4, lack of
 * resources (capacity) 5. */
static uint64_t end_reason(int64_t expiration_id)
{
    switch (expiration_id) {
    case NFC_EXPIRE_IDLE: return 1;
    case NFC_EXPIRE_ACTIVE: return 2;
    case NFC_EXPIRE_TCP_END: return 3;
    case NFC_EXPIRE_CAPACITY: return 5;
    default: return 4;
    }
}

/* Pads the encoded record to 8 bytes and returns the offset of what comes next (a string's or a list's data). */
static size_t align8(struct nfc_text *out)
{
    static const char zeros[8];
    nfc_text_put(out, zeros, (8 - out->len % 8) % 8);
    return out->len;
}

static void put_string(struct nfc_text *out, size_t at, const struct nfc_value *v)
{
    size_t len = v->missing ? 0 : v->as.str.len;
    size_t data = align8(out);
    if (len)
        nfc_text_put(out, v->as.str.ptr, len);
    fbVarfield_t field = {.len = len, .buf = (uint8_t *)(uintptr_t)data};
    if (!out->failed)
        memcpy(out->p + at, &field, sizeof field);
}

static void put_list(struct nfc_text *out, size_t at, const struct nfc_value *v, const fbInfoElement_t *item)
{
    size_t n = v->missing ? 0 : v->as.list.len;
    if (n > UINT16_MAX / 8)
        n = UINT16_MAX / 8; /* a basicList's data length is 16 bits */
    size_t data = align8(out);
    for (size_t i = 0; i < n; i++) {
        int64_t x = nfc_list_at(v, i);
        nfc_text_put(out, (const char *)&x, sizeof x);
    }
    fbBasicList_t list = {.infoElement = item,
                          .dataPtr = (uint8_t *)(uintptr_t)data,
                          .numElements = (uint16_t)n,
                          .dataLength = (uint16_t)(n * 8),
                          .semantic = FB_LIST_SEM_ORDERED};
    if (!out->failed)
        memcpy(out->p + at, &list, sizeof list);
}

static uint64_t uint_value(const struct exporter *e, const struct nfc_ipfix_field *f, const struct nfc_flow *flow,
                           const struct nfc_value *v, int version)
{
    if (v->missing)
        return 0;
    if (f->convert == NFC_IPFIX_CONVERT_END_REASON)
        return end_reason(v->as.i);
    if (f->convert == NFC_IPFIX_CONVERT_IP_OCTETS && version == V6) {
        struct nfc_value packets;
        nfc_flow_value(e->eng, flow, f->packets_column, &packets);
        return v->as.u + IPV6_HEADER_BYTES * packets.as.u;
    }
    return v->as.u;
}

static void put_field(const struct exporter *e, size_t i, const struct nfc_flow *flow, int version,
                      struct nfc_text *out)
{
    const struct nfc_ipfix_field *f = &e->layout.fields[i];
    size_t at = HEADER + e->offsets[version][i];
    struct nfc_value v;
    nfc_flow_value(e->eng, flow, f->column, &v);
    if (v.type != e->columns[f->column].type)
        v.missing = true; /* a computed column's value of another type than its first: the template's is fixed */
    uint8_t fixed[16] = {0};
    switch (f->kind) {
    case NFC_IPFIX_UINT: put_uint(fixed, uint_value(e, f, flow, &v, version), f->width); break;
    case NFC_IPFIX_INT: put_uint(fixed, v.missing ? 0 : (uint64_t)v.as.i, 8); break;
    case NFC_IPFIX_FLOAT: memcpy(fixed, &(double){v.missing ? 0.0 : v.as.f}, 8); break;
    case NFC_IPFIX_BYTES:
        if (!v.missing)
            memcpy(fixed, v.as.mac.bytes, f->width);
        break;
    case NFC_IPFIX_ADDRESS:
        if (v.missing)
            break;
        if (version == V6)
            memcpy(fixed, v.as.ip.bytes, 16);
        else
            put_uint(fixed,
                     (uint32_t)v.as.ip.bytes[0] << 24 | (uint32_t)v.as.ip.bytes[1] << 16 |
                         (uint32_t)v.as.ip.bytes[2] << 8 | v.as.ip.bytes[3],
                     4);
        break;
    case NFC_IPFIX_STRING: put_string(out, at, &v); return;
    case NFC_IPFIX_LIST: put_list(out, at, &v, e->items[i]); return;
    }
    if (!out->failed)
        memcpy(out->p + at, fixed, internal_len(f, version));
}

static void encode(void *state, const struct nfc_flow *flow, struct nfc_text *out)
{
    const struct exporter *e = state;
    int version = V4;
    if (e->ip_version_column != SIZE_MAX) {
        struct nfc_value v;
        nfc_flow_value(e->eng, flow, e->ip_version_column, &v);
        version = v.as.u == 6 ? V6 : V4;
    }
    static const char zeros[HEADER + MAX_RECORD];
    nfc_text_put(out, zeros, HEADER + e->record_len[version]);
    if (out->failed)
        return;
    out->p[0] = (char)version;
    for (size_t i = 0; i < e->layout.n_fields && !out->failed; i++)
        put_field(e, i, flow, version, out);
}

static int announce(struct exporter *e, char *err, size_t errlen);

/* ---- sending (the sink's side) ---------------------------------------------------------------------------- */

/* Copies the internal record out of the encoded one and points its strings and lists at their data there.
 * libfixbuf only reads what they point to, on export: the const is cast away for its types. */
static void resolve(struct exporter *e, const char *bytes, int version)
{
    memcpy(e->record, bytes + HEADER, e->record_len[version]);
    for (size_t i = 0; i < e->layout.n_fields; i++) {
        uint8_t *at = e->record + e->offsets[version][i];
        if (e->layout.fields[i].kind == NFC_IPFIX_STRING) {
            fbVarfield_t field;
            memcpy(&field, at, sizeof field);
            field.buf = (uint8_t *)(uintptr_t)(bytes + (uintptr_t)field.buf);
            memcpy(at, &field, sizeof field);
        } else if (e->layout.fields[i].kind == NFC_IPFIX_LIST) {
            fbBasicList_t list;
            memcpy(&list, at, sizeof list);
            list.dataPtr = (uint8_t *)(uintptr_t)(bytes + (uintptr_t)list.dataPtr);
            memcpy(at, &list, sizeof list);
        }
    }
}

static int send_record(void *state, const char *bytes, size_t len, char *err, size_t errlen)
{
    (void)len;
    struct exporter *e = state;
    if (e->refresh_ms && nfc_monotonic_ms() - e->announced_ms >= e->refresh_ms && announce(e, err, errlen) < 0)
        return -1;
    int version = bytes[0];
    resolve(e, bytes, version);
    GError *gerr = NULL;
    if (!fBufSetInternalTemplate(e->fbuf, e->tid[version], &gerr) ||
        !fBufSetExportTemplate(e->fbuf, e->tid[version], &gerr) ||
        !fBufAppend(e->fbuf, e->record, e->record_len[version], &gerr))
        return fixbuf_error(err, errlen, "IPFIX export", gerr);
    return 0;
}

static int flush(void *state, char *err, size_t errlen)
{
    struct exporter *e = state;
    GError *gerr = NULL;
    if (!fBufEmit(e->fbuf, &gerr))
        return fixbuf_error(err, errlen, "IPFIX export", gerr);
    return 0;
}

static void free_exporter(void *state)
{
    struct exporter *e = state;
    if (e->fbuf)
        fBufFree(e->fbuf);
    if (e->model)
        fbInfoModelFree(e->model);
    nfc_ipfix_layout_free(&e->layout);
    for (int v = 0; v < N_TEMPLATES; v++)
        free(e->offsets[v]);
    free(e->items);
    free(e->record);
    free(e);
}

static const struct nfc_sink_ops ops = {.encode = encode, .send = send_record, .flush = flush, .free = free_exporter};

/* ---- opening ---------------------------------------------------------------------------------------------- */

/* Adds `t` as an internal template and as the external one of the same id (the session then owns it). */
static int add_to_session(fbSession_t *session, fbTemplate_t *t, uint16_t *tid, char *err, size_t errlen)
{
    GError *gerr = NULL;
    *tid = fbSessionAddTemplate(session, TRUE, FB_TID_AUTO, t, &gerr);
    if (!*tid || !fbSessionAddTemplate(session, FALSE, *tid, t, &gerr))
        return fixbuf_error(err, errlen, "IPFIX template", gerr);
    return 0;
}

/* One template (IPv4's or IPv6's addresses), used as both the internal and the external one. */
static int add_template(struct exporter *e, int version, char *err, size_t errlen)
{
    GError *gerr = NULL;
    fbTemplate_t *t = fbTemplateAlloc(e->model);
    size_t at = 0;
    for (size_t i = 0; i < e->layout.n_fields; i++) {
        const struct nfc_ipfix_field *f = &e->layout.fields[i];
        size_t len = internal_len(f, version);
        fbInfoElementSpec_t spec = {version == V6 ? (char *)f->name_v6 : (char *)f->name,
                                    (uint16_t)(f->kind == NFC_IPFIX_STRING || f->kind == NFC_IPFIX_LIST ? 0 : len), 0};
        if (!fbTemplateAppendSpec(t, &spec, 0, &gerr)) {
            fbTemplateFreeUnused(t);
            return fixbuf_error(err, errlen, spec.name, gerr);
        }
        e->offsets[version][i] = at;
        at += len;
    }
    if (at != fbTemplateGetIELenOfMemBuffer(t) || at > MAX_RECORD) {
        fbTemplateFreeUnused(t);
        return nfc_errorf(err, errlen, "IPFIX record of %zu bytes: libfixbuf lays out %u", at,
                          (unsigned)fbTemplateGetIELenOfMemBuffer(t));
    }
    e->record_len[version] = (uint16_t)at;
    return add_to_session(e->session, t, &e->tid[version], err, errlen);
}

/* The RFC 5610 options template of the enterprise elements' type records. */
static int add_type_template(struct exporter *e, char *err, size_t errlen)
{
    GError *gerr = NULL;
    fbTemplate_t *t = fbInfoElementAllocTypeTemplate(e->model, &gerr);
    if (!t)
        return fixbuf_error(err, errlen, "RFC 5610 template", gerr);
    return add_to_session(e->session, t, &e->type_tid, err, errlen);
}

/* Sends a message of the type records with their options template, then the data templates, so that a collector
 * that reads RFC 5610 knows the enterprise elements' types when it reads the templates that use them. At the
 * start, and again every refresh_ms over UDP (RFC 7011: a collector may start later, or time templates out). */
static int announce(struct exporter *e, char *err, size_t errlen)
{
    GError *gerr = NULL;
    if (!fBufEmit(e->fbuf, &gerr) || !fbSessionExportTemplate(e->session, e->type_tid, &gerr))
        return fixbuf_error(err, errlen, e->target, gerr);
    for (size_t i = 0; i < e->layout.n_enterprise; i++) {
        const fbInfoElement_t *ie = fbInfoModelGetElementByName(e->model, e->layout.enterprise[i].name);
        if (!fbInfoElementWriteOptionsRecord(e->fbuf, ie, e->type_tid, e->type_tid, &gerr))
            return fixbuf_error(err, errlen, e->target, gerr);
    }
    for (int v = 0; v < N_TEMPLATES; v++)
        if (!fbSessionExportTemplate(e->session, e->tid[v], &gerr))
            return fixbuf_error(err, errlen, e->target, gerr);
    if (!fBufEmit(e->fbuf, &gerr))
        return fixbuf_error(err, errlen, e->target, gerr);
    e->announced_ms = nfc_monotonic_ms();
    return 0;
}

static fbExporter_t *open_exporter(const struct nfc_ipfix_url *url, char *err, size_t errlen)
{
    if (url->transport == NFC_IPFIX_FILE && strcmp(url->path, "-") == 0)
        return fbExporterAllocFile("-"); /* standard output */
    if (url->transport == NFC_IPFIX_FILE) {
        /* libfixbuf creates the file with the first message: a path that cannot be created fails here instead. */
        FILE *f = fopen(url->path, "wb");
        if (!f) {
            nfc_errorf(err, errlen, "%s: %s", url->path, strerror(errno));
            return NULL;
        }
        fclose(f);
        return fbExporterAllocFile(url->path);
    }
    fbConnSpec_t spec = FB_CONNSPEC_INIT;
    spec.transport = FB_UDP;
    spec.host = (char *)url->path;
    spec.svc = (char *)url->port;
    return fbExporterAllocNet(&spec);
}

/* The session with its templates, the exporter, and the first message. */
static int start(struct exporter *e, const struct nfc_ipfix_options *o, char *err, size_t errlen)
{
    e->session = fbSessionAlloc(e->model);
    fbSessionSetDomain(e->session, o->observation_domain);
    if (add_type_template(e, err, errlen) < 0 || add_template(e, V4, err, errlen) < 0 ||
        add_template(e, V6, err, errlen) < 0) {
        fbSessionFree(e->session);
        return -1;
    }
    fbExporter_t *exporter = open_exporter(&o->url, err, errlen);
    if (!exporter) {
        fbSessionFree(e->session);
        return -1;
    }
    e->fbuf = fBufAllocForExport(e->session, exporter);
    bool udp = o->url.transport == NFC_IPFIX_UDP;
    snprintf(e->target, sizeof e->target, udp ? "%s:%s" : "%s", o->url.path, o->url.port);
    e->refresh_ms = udp ? (uint64_t)o->template_refresh_s * 1000 : 0;
    return announce(e, err, errlen);
}

static int prepare(struct exporter *e, const struct nfc_ipfix_options *o, char *err, size_t errlen)
{
    size_t n = nfc_engine_columns(e->eng, &e->columns);
    e->ip_version_column = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (strcmp(e->columns[i].name, "ip_version") == 0)
            e->ip_version_column = i;
    e->model = fbInfoModelAlloc();
    if (nfc_ipfix_layout_build(&e->layout, e->columns, n, o, e->model, err, errlen) < 0)
        return -1;
    size_t nf = e->layout.n_fields;
    e->offsets[V4] = calloc(nf + 1, sizeof *e->offsets[V4]);
    e->offsets[V6] = calloc(nf + 1, sizeof *e->offsets[V6]);
    e->items = calloc(nf + 1, sizeof *e->items);
    e->record = malloc(MAX_RECORD);
    if (!e->offsets[V4] || !e->offsets[V6] || !e->items || !e->record)
        return nfc_errorf(err, errlen, "out of memory");
    for (size_t i = 0; i < nf; i++)
        if (e->layout.fields[i].kind == NFC_IPFIX_LIST)
            e->items[i] = fbInfoModelGetElementByName(e->model, e->layout.fields[i].item);
    return start(e, o, err, errlen);
}

struct nfc_ipfix *nfc_ipfix_open(const struct nfc_engine *eng, const struct nfc_ipfix_options *options, char *err,
                                 size_t errlen)
{
    struct exporter *e = calloc(1, sizeof *e);
    struct nfc_ipfix *x = calloc(1, sizeof *x);
    if (!e || !x) {
        free(e);
        free(x);
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    e->eng = eng;
    if (prepare(e, options, err, errlen) < 0) {
        free_exporter(e);
        free(x);
        return NULL;
    }
    /* A file takes records as they come; a collector is sent to from a thread of its own. */
    bool collector = options->url.transport != NFC_IPFIX_FILE;
    struct nfc_sink_options sink = {.queue = collector ? QUEUE : 0, .drain_ms = DRAIN_MS};
    x->sink = nfc_sink_open(&ops, e, &sink, err, errlen);
    if (!x->sink) {
        free(x);
        return NULL;
    }
    return x;
}

int nfc_ipfix_put(struct nfc_ipfix *x, const struct nfc_flow *flow)
{
    return nfc_sink_put(x->sink, flow);
}

int nfc_ipfix_close(struct nfc_ipfix *x, struct nfc_ipfix_stats *stats, char *err, size_t errlen)
{
    struct nfc_sink_stats st;
    int rc = nfc_sink_close(x->sink, &st, err, errlen);
    if (stats)
        *stats = (struct nfc_ipfix_stats){.sent = st.sent, .dropped = st.dropped, .failed = st.failed};
    free(x);
    return rc;
}
