#include "dpi/dpi.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_api.h>
#include <nfcore/utf8.h>

#include "util/alloc.h"
#include "util/error.h"

struct nfc_dpi {
    struct ndpi_detection_module_struct *module;
    uint8_t n_dissections;
    bool every_packet; /* labels copied after every dissected packet, for hooks that read them as they stand */
    size_t slot;       /* where struct nfc_dpi_flow lies in ext[] */
};

/* Per-flow dissection state. */
struct nfc_dpi_flow {
    void *ndpi; /* nDPI's flow state, freed as soon as the dissection ends */
    uint16_t master_protocol;
    uint16_t app_protocol;
    uint16_t category;
    uint8_t guessed;
    uint8_t completed;
    struct nfc_dpi_result result;
};

/* Longest text nfstream keeps of each label (its fixed buffers, less the NUL). */
static const uint16_t text_limit[NFC_DPI_TEXT_COUNT] = {
    [NFC_DPI_APPLICATION_NAME] = 39,   [NFC_DPI_CATEGORY_NAME] = 24,      [NFC_DPI_SERVER_NAME] = 79,
    [NFC_DPI_CLIENT_FINGERPRINT] = 47, [NFC_DPI_SERVER_FINGERPRINT] = 47, [NFC_DPI_USER_AGENT] = 255,
    [NFC_DPI_CONTENT_TYPE] = 63,
};

/* While this thread sets a module up, nDPI's allocations bypass the engine's: nDPI 4.2 does not check them all
 * there, and a module it could not set up is no failure path of the engine's. */
static _Thread_local bool setting_up;

static void *ndpi_alloc(size_t size)
{
    return setting_up ? malloc(size) : nfc_alloc_malloc(size, "nDPI");
}

static void *ndpi_alloc_flow(size_t size)
{
    return nfc_alloc_malloc(size, "nDPI flow");
}

/* nDPI's allocator is one for the whole process: set once, before the first module. No flow free function is set:
 * nDPI 4.2 frees a flow's own blocks only without one, and then frees the flow with free(), as it does every block
 * when no free function is set, which fits the engine's allocator. */
static void install_allocator(void)
{
    set_ndpi_malloc(ndpi_alloc);
    set_ndpi_flow_malloc(ndpi_alloc_flow);
}

struct nfc_dpi *nfc_dpi_open(uint8_t n_dissections)
{
    static pthread_once_t installed = PTHREAD_ONCE_INIT;
    pthread_once(&installed, install_allocator);
    struct nfc_dpi *dpi = nfc_calloc(1, sizeof *dpi);
    if (!dpi)
        return NULL;
    setting_up = true;
    dpi->module = ndpi_init_detection_module(ndpi_no_prefs);
    if (dpi->module) {
        NDPI_PROTOCOL_BITMASK all;
        NDPI_BITMASK_SET_ALL(all);
        ndpi_set_protocol_detection_bitmask2(dpi->module, &all);
        ndpi_finalize_initialization(dpi->module);
    }
    setting_up = false;
    if (!dpi->module) {
        nfc_free(dpi);
        return NULL;
    }
    dpi->n_dissections = n_dissections;
    return dpi;
}

static void close_module(void *ctx)
{
    struct nfc_dpi *dpi = ctx;
    ndpi_exit_detection_module(dpi->module);
    nfc_free(dpi);
}

size_t nfc_dpi_flow_size(void)
{
    return SIZEOF_FLOW_STRUCT;
}

const char *nfc_dpi_library_version(void)
{
    return ndpi_revision();
}

static ndpi_protocol protocol_of(const struct nfc_dpi_flow *f)
{
    ndpi_protocol p;
    memset(&p, 0, sizeof p);
    p.master_protocol = f->master_protocol;
    p.app_protocol = f->app_protocol;
    p.category = (ndpi_protocol_category_t)f->category;
    return p;
}

static void set_protocol(struct nfc_dpi_flow *f, ndpi_protocol p)
{
    f->master_protocol = p.master_protocol;
    f->app_protocol = p.app_protocol;
    f->category = (uint16_t)p.category;
}

static void process(struct nfc_dpi *dpi, struct nfc_dpi_flow *f, const struct nfc_packet *pkt)
{
    set_protocol(f, ndpi_detection_process_packet(dpi->module, f->ndpi, pkt->ip, pkt->ipsize, pkt->time_ms));
}

static void give_up(struct nfc_dpi *dpi, struct nfc_dpi_flow *f)
{
    set_protocol(f, ndpi_detection_giveup(dpi->module, f->ndpi, 1, &f->guessed));
}

static bool is_protocol(const struct nfc_dpi_flow *f, uint16_t id)
{
    return f->master_protocol == id || f->app_protocol == id;
}

/* Length of the longest prefix of s[0..n) that is valid UTF-8 once invalid bytes are dropped: the text is
 * compacted in place, as a UTF-8 decoder that ignores errors would leave it. */
static size_t drop_invalid_utf8(char *s, size_t n)
{
    size_t w = 0;
    bool valid;
    for (size_t r = 0, len; r < n; r += len) {
        len = nfc_utf8_sequence((const uint8_t *)s + r, n - r, &valid);
        if (valid) {
            memmove(s + w, s + r, len);
            w += len;
        }
    }
    return w;
}

static void drop_text(struct nfc_dpi_result *r)
{
    if (r->text != r->inline_text)
        nfc_free(r->text);
    r->text = NULL;
}

/* Copies what the record needs out of nDPI's view of the flow (spec §6, NDPI_42.md §3). Out of memory, the
 * labels stay empty. */
static void collect(struct nfc_dpi *dpi, struct nfc_dpi_flow *f)
{
    struct ndpi_flow_struct *nf = f->ndpi;
    const char *src[NFC_DPI_TEXT_COUNT] = {0};
    char name[40];

    ndpi_protocol2name(dpi->module, protocol_of(f), name, sizeof name);
    src[NFC_DPI_APPLICATION_NAME] = name;
    src[NFC_DPI_CATEGORY_NAME] = ndpi_category_get_name(dpi->module, (ndpi_protocol_category_t)f->category);
    src[NFC_DPI_SERVER_NAME] = nf->host_server_name;
    if (is_protocol(f, NDPI_PROTOCOL_DHCP)) {
        src[NFC_DPI_CLIENT_FINGERPRINT] = nf->protos.dhcp.fingerprint;
    } else if (is_protocol(f, NDPI_PROTOCOL_HTTP)) {
        src[NFC_DPI_USER_AGENT] = nf->http.user_agent;
        src[NFC_DPI_CONTENT_TYPE] = nf->http.content_type;
    } else if (is_protocol(f, NDPI_PROTOCOL_SSH)) {
        src[NFC_DPI_CLIENT_FINGERPRINT] = nf->protos.ssh.hassh_client;
        src[NFC_DPI_SERVER_FINGERPRINT] = nf->protos.ssh.hassh_server;
    } else if (is_protocol(f, NDPI_PROTOCOL_TLS) || is_protocol(f, NDPI_PROTOCOL_DTLS) ||
               is_protocol(f, NDPI_PROTOCOL_MAIL_SMTPS) || is_protocol(f, NDPI_PROTOCOL_MAIL_IMAPS) ||
               is_protocol(f, NDPI_PROTOCOL_MAIL_POPS) || is_protocol(f, NDPI_PROTOCOL_QUIC)) {
        src[NFC_DPI_USER_AGENT] = nf->http.user_agent;
        src[NFC_DPI_CLIENT_FINGERPRINT] = nf->protos.tls_quic.ja3_client;
        src[NFC_DPI_SERVER_FINGERPRINT] = nf->protos.tls_quic.ja3_server;
    }

    size_t len[NFC_DPI_TEXT_COUNT], total = 0;
    for (int i = 0; i < NFC_DPI_TEXT_COUNT; i++) {
        len[i] = src[i] ? strnlen(src[i], text_limit[i]) : 0;
        total += len[i] + 1;
    }
    drop_text(&f->result);
    char *text = total <= sizeof f->result.inline_text ? f->result.inline_text : nfc_malloc(total);
    if (!text)
        return;
    size_t pos = 0;
    for (int i = 0; i < NFC_DPI_TEXT_COUNT; i++) {
        if (len[i])
            memcpy(text + pos, src[i], len[i]);
        len[i] = drop_invalid_utf8(text + pos, len[i]);
        text[pos + len[i]] = '\0';
        f->result.off[i] = (uint16_t)pos;
        f->result.len[i] = (uint16_t)len[i];
        pos += len[i] + 1;
    }
    f->result.text = text;
    f->result.confidence = (uint8_t)nf->confidence;
    f->result.is_guessed = f->guessed;
}

/* The dissection has ended: nDPI's view no longer changes, so keep the labels and let its state go. */
static void complete(struct nfc_dpi *dpi, struct nfc_dpi_flow *f)
{
    f->completed = 1;
    if (!f->ndpi)
        return;
    collect(dpi, f);
    ndpi_flow_free(f->ndpi);
    f->ndpi = NULL;
}

/* The flow's first packet. Out of memory, the flow goes unlabelled. */
static void first(struct nfc_dpi *dpi, struct nfc_dpi_flow *f, const struct nfc_packet *pkt)
{
    memset(f, 0, sizeof *f);
    f->ndpi = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
    if (!f->ndpi) {
        f->completed = 1;
        return;
    }
    memset(f->ndpi, 0, SIZEOF_FLOW_STRUCT);
    process(dpi, f, pkt);
    if (f->app_protocol == NDPI_PROTOCOL_UNKNOWN && dpi->n_dissections == 1) {
        give_up(dpi, f);
        complete(dpi, f);
    } else if (dpi->every_packet) {
        collect(dpi, f);
    }
}

/* A later packet; `k` is the flow's packet count including it. */
static void next(struct nfc_dpi *dpi, struct nfc_dpi_flow *f, const struct nfc_packet *pkt, uint64_t k)
{
    if (f->completed)
        return;
    if (f->app_protocol == NDPI_PROTOCOL_UNKNOWN || ndpi_extra_dissection_possible(dpi->module, f->ndpi))
        process(dpi, f, pkt);
    else
        f->completed = 1;
    if (k == dpi->n_dissections && f->app_protocol == NDPI_PROTOCOL_UNKNOWN)
        give_up(dpi, f);
    if (f->completed || k == dpi->n_dissections)
        complete(dpi, f);
    else if (dpi->every_packet)
        collect(dpi, f);
}

/* Flow expiry: gives up if still undecided and fixes the result. */
static void expire(struct nfc_dpi *dpi, struct nfc_dpi_flow *f)
{
    if (f->completed)
        return;
    if (f->app_protocol == NDPI_PROTOCOL_UNKNOWN)
        give_up(dpi, f);
    complete(dpi, f);
}

static void release(struct nfc_dpi_flow *f)
{
    if (f->ndpi)
        ndpi_flow_free(f->ndpi);
    f->ndpi = NULL;
    drop_text(&f->result);
}

/* ---- the flow hooks ----------------------------------------------------------------------------------------- */

static struct nfc_dpi_flow *state_of(const struct nfc_dpi *dpi, struct nfc_flow *f)
{
    return (struct nfc_dpi_flow *)(f->ext + dpi->slot);
}

static void hook_init(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    first(ctx, state_of(ctx, f), pkt);
}

static void hook_update(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt, uint64_t k)
{
    next(ctx, state_of(ctx, f), pkt, k);
}

static void hook_expire(void *ctx, struct nfc_flow *f)
{
    expire(ctx, state_of(ctx, f));
}

static void hook_release(void *ctx, struct nfc_flow *f)
{
    release(state_of(ctx, f));
}

static void add_hooks(struct nfc_dpi *dpi, struct nfc_flow_hooks *hooks);

static int clone_module(void *ctx, struct nfc_flow_hooks *into, char *err, size_t errlen)
{
    const struct nfc_dpi *dpi = ctx;
    struct nfc_dpi *copy = nfc_dpi_open(dpi->n_dissections);
    if (!copy)
        return nfc_errorf(err, errlen, "cannot initialise nDPI");
    copy->slot = dpi->slot;
    copy->every_packet = dpi->every_packet;
    add_hooks(copy, into);
    return 0;
}

/* nDPI reads only the packets themselves (its labels are its own), so a worker thread can dissect while the table
 * side counts. It reads a flow's first n_dissections packets, but with n_dissections 1 for as long as it wants
 * more (the give-up at packet n_dissections only ever happens on a later packet, spec §6). */
static void add_hooks(struct nfc_dpi *dpi, struct nfc_flow_hooks *hooks)
{
    nfc_flow_hooks_add(hooks, &(struct nfc_flow_hook){
                                  .init = hook_init,
                                  .update = hook_update,
                                  .expire = hook_expire,
                                  .release = hook_release,
                                  .clone = clone_module,
                                  .close = close_module,
                                  .ctx = dpi,
                                  .packets = dpi->n_dissections == 1 ? 0 : dpi->n_dissections,
                              });
}

void nfc_dpi_register(struct nfc_dpi *dpi, struct nfc_flow_params *p)
{
    /* Lines of its own: a worker thread that only dissects writes them while the table side writes the rest. */
    enum { LINE = 64 };
    dpi->slot = nfc_flow_slot(p, (sizeof(struct nfc_dpi_flow) + LINE - 1) / LINE * LINE, LINE);
    add_hooks(dpi, &p->hooks);
}

void nfc_dpi_label_every_packet(struct nfc_dpi *dpi)
{
    dpi->every_packet = true;
}

size_t nfc_dpi_result_offset(const struct nfc_dpi *dpi)
{
    return dpi->slot + offsetof(struct nfc_dpi_flow, result);
}
