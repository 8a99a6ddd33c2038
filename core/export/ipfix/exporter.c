/* The exporter: libfixbuf's session, templates and buffer behind the sink contract (export/sink.h). Records are
 * encoded on the caller's thread (record.c); libfixbuf transcodes them into messages on the sink's side, which a
 * file exporter writes, or which go to a collector over the sink's own socket (link.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/ipfix/elements.h"
#include "export/ipfix/ipfix.h"
#include "export/ipfix/link.h"
#include "export/ipfix/record.h"
#include "export/sink.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"

enum {
    QUEUE = 4096,    /* records waiting for a collector */
    DRAIN_MS = 5000, /* what close gives the queue */
    IPFIX_VERSION = 10,
};

struct exporter {
    struct nfc_ipfix_records rec; /* how a record is laid out */
    fbInfoModel_t *model;
    fBuf_t *fbuf; /* owns the session and the exporter */
    fbSession_t *session;
    uint16_t type_tid;     /* the RFC 5610 type records' options template */
    uint64_t refresh_ms;   /* how often the templates are sent again; 0: never */
    uint64_t announced_ms; /* when they were sent last (monotonic) */
    char target[4200];     /* the file, or HOST:PORT, for messages */
    struct nfc_ipfix_layout layout;
    uint16_t tid[NFC_IPFIX_TEMPLATES];
    uint8_t *record; /* the sender's copy of the internal record, pointers set */
    /* A collector: libfixbuf writes each message it completes into `message` (its buffer exporter, whose size is
     * the message size), which then goes out over the link. */
    struct nfc_ipfix_link link;
    uint8_t *message;
    uint64_t in_message;  /* flow records in the message libfixbuf is filling */
    uint64_t lost;        /* flow records in messages the collector did not get */
    bool announce_needed; /* a new TCP connection: templates before data, the message filled meanwhile lost */
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

static void encode(void *state, const struct nfc_flow *flow, struct nfc_text *out)
{
    const struct exporter *e = state;
    nfc_ipfix_encode(&e->rec, flow, out);
}

/* Sends the message libfixbuf completed during the last call, if it did (its version field is set then; cleared
 * once sent). `records`: the flow records it holds. Returns whether there was one. */
static bool put_out(struct exporter *e, uint64_t records)
{
    if (!e->message || e->message[1] != IPFIX_VERSION)
        return false;
    if (e->announce_needed) /* filled while the collector was away: the new connection starts with templates */
        e->lost += records;
    else
        e->lost += nfc_ipfix_link_send(&e->link, e->message, fbExporterGetMsgLen(fBufGetExporter(e->fbuf)), records);
    e->message[1] = 0;
    return true;
}

/* Ends the message being filled and puts it out. */
static int emit(struct exporter *e, GError **gerr)
{
    if (!fBufEmit(e->fbuf, gerr))
        return -1;
    put_out(e, e->in_message);
    e->in_message = 0;
    return 0;
}

static int announce(struct exporter *e, char *err, size_t errlen);

/* " of N bytes" for a collector's messages (a file's are libfixbuf's own size). */
static void message_size(const struct exporter *e, char *text, size_t len)
{
    if (e->message)
        snprintf(text, len, " of %zu bytes", e->link.max_message);
    else
        text[0] = '\0';
}

/* A TCP collector that went away is tried again before records are added, so that a new connection's first
 * message holds the templates, and only records meanwhile are lost. */
static bool reconnected(struct exporter *e)
{
    if (e->message && nfc_ipfix_link_reconnect(&e->link))
        e->announce_needed = true;
    return e->announce_needed;
}

static int send_record(void *state, const char *bytes, size_t len, char *err, size_t errlen)
{
    (void)len;
    struct exporter *e = state;
    if (reconnected(e) && announce(e, err, errlen) < 0)
        return -1;
    size_t bad = nfc_ipfix_bad_field(bytes);
    if (bad != SIZE_MAX) {
        const struct nfc_ipfix_field *f = &e->layout.fields[bad];
        return nfc_errorf(err, errlen, "%s: a value of %s beyond its items' %u bytes", e->target,
                          e->rec.columns[f->column].name, (unsigned)f->item_width);
    }
    int version = nfc_ipfix_resolve(&e->rec, bytes, e->record);
    if (version < 0)
        return nfc_errorf(err, errlen, "%s: a record whose lists of strings hold more than %d bytes", e->target,
                          NFC_IPFIX_MAX_RECORD);
    GError *gerr = NULL;
    bool appended = fBufSetInternalTemplate(e->fbuf, e->tid[version], &gerr) &&
                    fBufSetExportTemplate(e->fbuf, e->tid[version], &gerr) &&
                    fBufAppend(e->fbuf, e->record, e->rec.record_len[version], &gerr);
    /* A full message went out before the record, which starts the next one. */
    if (put_out(e, e->in_message))
        e->in_message = 0;
    e->in_message += appended;
    if (appended)
        return 0;
    if (g_error_matches(gerr, FB_ERROR_DOMAIN, FB_ERROR_EOM)) {
        char size[32];
        message_size(e, size, sizeof size);
        nfc_errorf(err, errlen, "%s: a record larger than an IPFIX message%s: %s", e->target, size, gerr->message);
        g_clear_error(&gerr);
        return -1;
    }
    return fixbuf_error(err, errlen, "IPFIX export", gerr);
}

/* After each batch, and at the end: what libfixbuf holds goes out, before the templates when they are due again
 * (checked per batch, not per record: it costs a clock read). */
static int flush(void *state, char *err, size_t errlen)
{
    struct exporter *e = state;
    bool refresh = e->refresh_ms && nfc_monotonic_ms() - e->announced_ms >= e->refresh_ms;
    if (refresh || reconnected(e))
        return announce(e, err, errlen);
    GError *gerr = NULL;
    if (emit(e, &gerr) < 0)
        return fixbuf_error(err, errlen, "IPFIX export", gerr);
    return 0;
}

static uint64_t lost(void *state, char *why, size_t whylen)
{
    struct exporter *e = state;
    if (!e->message)
        return 0;
    e->lost += nfc_ipfix_link_close(&e->link);
    if (e->lost)
        snprintf(why, whylen, "%s: %llu records lost: %s%s", e->target, (unsigned long long)e->lost, e->link.why,
                 e->link.reconnects ? " (connected again)" : "");
    return e->lost;
}

static void free_exporter(void *state)
{
    struct exporter *e = state;
    if (e->fbuf)
        fBufFree(e->fbuf);
    if (e->model)
        fbInfoModelFree(e->model);
    if (e->message)
        nfc_ipfix_link_close(&e->link);
    nfc_free(e->message);
    nfc_ipfix_layout_free(&e->layout);
    for (int v = 0; v < NFC_IPFIX_TEMPLATES; v++)
        nfc_free(e->rec.offsets[v]);
    nfc_free(e->rec.items);
    nfc_free(e->record);
    nfc_free(e);
}

static const struct nfc_sink_ops ops = {
    .encode = encode, .send = send_record, .flush = flush, .lost = lost, .free = free_exporter};

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
        size_t len = nfc_ipfix_internal_len(f, version);
        fbInfoElementSpec_t spec = {
            version == NFC_IPFIX_V6 ? (char *)f->name_v6 : (char *)f->name,
            (uint16_t)(f->kind == NFC_IPFIX_STRING || f->kind == NFC_IPFIX_LIST || f->kind == NFC_IPFIX_STRINGS ? 0
                                                                                                                : len),
            0};
        if (!fbTemplateAppendSpec(t, &spec, 0, &gerr)) {
            fbTemplateFreeUnused(t);
            return fixbuf_error(err, errlen, spec.name, gerr);
        }
        e->rec.offsets[version][i] = at;
        at += len;
    }
    if (at != fbTemplateGetIELenOfMemBuffer(t) || at > NFC_IPFIX_MAX_RECORD) {
        fbTemplateFreeUnused(t);
        return nfc_errorf(err, errlen, "IPFIX record of %zu bytes: libfixbuf lays out %u", at,
                          (unsigned)fbTemplateGetIELenOfMemBuffer(t));
    }
    e->rec.record_len[version] = (uint16_t)at;
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

/* A template or type record that does not fit in an empty message. */
static int announce_error(struct exporter *e, char *err, size_t errlen, GError *gerr)
{
    if (!g_error_matches(gerr, FB_ERROR_DOMAIN, FB_ERROR_EOM))
        return fixbuf_error(err, errlen, e->target, gerr);
    g_clear_error(&gerr);
    char size[32];
    message_size(e, size, sizeof size);
    return nfc_errorf(err, errlen, "%s: the templates do not fit in an IPFIX message%s", e->target, size);
}

/* Sends the type records with their options template, then the data templates, so that a collector that reads
 * RFC 5610 knows the enterprise elements' types when it reads the templates that use them. At the start, on every
 * new TCP connection, and again every refresh_ms over UDP (RFC 7011: a collector may start later, or time
 * templates out). libfixbuf starts new messages as they fill; each goes out as it completes. */
static int announce(struct exporter *e, char *err, size_t errlen)
{
    GError *gerr = NULL;
    if (emit(e, &gerr) < 0)
        return fixbuf_error(err, errlen, e->target, gerr);
    e->announce_needed = false;
    if (!fbSessionExportTemplate(e->session, e->type_tid, &gerr))
        return announce_error(e, err, errlen, gerr);
    put_out(e, 0);
    for (size_t i = 0; i < e->layout.n_enterprise; i++) {
        const fbInfoElement_t *ie = fbInfoModelGetElementByName(e->model, e->layout.enterprise[i].name);
        if (!fbInfoElementWriteOptionsRecord(e->fbuf, ie, e->type_tid, e->type_tid, &gerr))
            return announce_error(e, err, errlen, gerr);
        put_out(e, 0);
    }
    for (int v = 0; v < NFC_IPFIX_TEMPLATES; v++) {
        if (!fbSessionExportTemplate(e->session, e->tid[v], &gerr))
            return announce_error(e, err, errlen, gerr);
        put_out(e, 0);
    }
    if (emit(e, &gerr) < 0)
        return fixbuf_error(err, errlen, e->target, gerr);
    e->announced_ms = nfc_monotonic_ms();
    return 0;
}

static fbExporter_t *open_exporter(struct exporter *e, const struct nfc_ipfix_options *o, char *err, size_t errlen)
{
    const struct nfc_ipfix_url *url = &o->url;
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
    if (nfc_ipfix_link_open(&e->link, url, o->mtu, err, errlen) < 0) {
        nfc_ipfix_link_close(&e->link);
        return NULL;
    }
    e->message = nfc_calloc(1, e->link.max_message);
    if (!e->message) {
        nfc_ipfix_link_close(&e->link);
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    return fbExporterAllocBuffer(e->message, (uint16_t)e->link.max_message);
}

/* The session with its templates, the exporter, and the first message. */
static int start(struct exporter *e, const struct nfc_ipfix_options *o, char *err, size_t errlen)
{
    e->session = fbSessionAlloc(e->model);
    fbSessionSetDomain(e->session, o->observation_domain);
    if (add_type_template(e, err, errlen) < 0 || add_template(e, NFC_IPFIX_V4, err, errlen) < 0 ||
        add_template(e, NFC_IPFIX_V6, err, errlen) < 0) {
        fbSessionFree(e->session);
        return -1;
    }
    fbExporter_t *exporter = open_exporter(e, o, err, errlen);
    if (!exporter) {
        fbSessionFree(e->session);
        return -1;
    }
    e->fbuf = fBufAllocForExport(e->session, exporter);
    bool udp = o->url.transport == NFC_IPFIX_UDP;
    if (o->url.transport == NFC_IPFIX_FILE)
        snprintf(e->target, sizeof e->target, "%s", o->url.path);
    else
        snprintf(e->target, sizeof e->target, "%s://%s:%s", udp ? "udp" : "tcp", o->url.path, o->url.port);
    e->refresh_ms = udp ? (uint64_t)o->template_refresh_s * 1000 : 0;
    return announce(e, err, errlen);
}

static int prepare(struct exporter *e, const struct nfc_ipfix_options *o, char *err, size_t errlen)
{
    size_t n = nfc_engine_columns(e->rec.eng, &e->rec.columns);
    e->rec.ip_version_column = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (strcmp(e->rec.columns[i].name, "ip_version") == 0)
            e->rec.ip_version_column = i;
    e->model = fbInfoModelAlloc();
    if (nfc_ipfix_layout_build(&e->layout, e->rec.columns, n, o, e->model, err, errlen) < 0)
        return -1;
    e->rec.layout = &e->layout;
    size_t nf = e->layout.n_fields;
    e->rec.offsets[NFC_IPFIX_V4] = nfc_calloc(nf + 1, sizeof *e->rec.offsets[NFC_IPFIX_V4]);
    e->rec.offsets[NFC_IPFIX_V6] = nfc_calloc(nf + 1, sizeof *e->rec.offsets[NFC_IPFIX_V6]);
    e->rec.items = nfc_calloc(nf + 1, sizeof *e->rec.items);
    e->record = nfc_malloc(NFC_IPFIX_MAX_RECORD);
    if (!e->rec.offsets[NFC_IPFIX_V4] || !e->rec.offsets[NFC_IPFIX_V6] || !e->rec.items || !e->record)
        return nfc_errorf(err, errlen, "out of memory");
    for (size_t i = 0; i < nf; i++)
        if (e->layout.fields[i].kind == NFC_IPFIX_LIST || e->layout.fields[i].kind == NFC_IPFIX_STRINGS)
            e->rec.items[i] = fbInfoModelGetElementByName(e->model, e->layout.fields[i].item);
    return start(e, o, err, errlen);
}

struct nfc_ipfix *nfc_ipfix_open(const struct nfc_engine *eng, const struct nfc_ipfix_options *options, char *err,
                                 size_t errlen)
{
    struct exporter *e = nfc_calloc(1, sizeof *e);
    struct nfc_ipfix *x = nfc_calloc(1, sizeof *x);
    if (!e || !x) {
        nfc_free(e);
        nfc_free(x);
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    e->rec.eng = eng;
    if (prepare(e, options, err, errlen) < 0) {
        free_exporter(e);
        nfc_free(x);
        return NULL;
    }
    /* A file takes records as they come; a collector is sent to from a thread of its own. */
    bool collector = options->url.transport != NFC_IPFIX_FILE;
    struct nfc_sink_options sink = {.queue = collector ? QUEUE : 0, .drain_ms = DRAIN_MS};
    x->sink = nfc_sink_open(&ops, e, &sink, err, errlen);
    if (!x->sink) {
        nfc_free(x);
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
    nfc_free(x);
    return rc;
}
