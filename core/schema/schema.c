#include "schema/schema.h"

#include "plugin/host.h"
#include "util/invariant.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_CORE_COLUMNS = 100,
    NAME_SPACE = MAX_CORE_COLUMNS * 40,
};

static const char *const scope_name[NFC_SCOPE_COUNT] = {"bidirectional", "src2dst", "dst2src"};
static const char *const flag_name[NFC_FLAG_COUNT] = {"syn", "cwr", "ece", "urg", "ack", "psh", "rst", "fin"};
static const char *const dpi_text_name[NFC_DPI_TEXT_COUNT] = {
    [NFC_DPI_APPLICATION_NAME] = "application_name",
    [NFC_DPI_CATEGORY_NAME] = "application_category_name",
    [NFC_DPI_SERVER_NAME] = "requested_server_name",
    [NFC_DPI_CLIENT_FINGERPRINT] = "client_fingerprint",
    [NFC_DPI_SERVER_FINGERPRINT] = "server_fingerprint",
    [NFC_DPI_USER_AGENT] = "user_agent",
    [NFC_DPI_CONTENT_TYPE] = "content_type",
};

struct builder {
    struct nfc_schema *s;
    size_t name_used;
};

static void add(struct builder *b, enum nfc_column_kind kind, int arg, enum nfc_type type, const char *fmt, ...)
{
    struct nfc_schema *s = b->s;
    nfc_invariant(s->count < MAX_CORE_COLUMNS);
    char *name = s->names + b->name_used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(name, NAME_SPACE - b->name_used, fmt, ap);
    va_end(ap);
    nfc_invariant(n >= 0 && (size_t)n < NAME_SPACE - b->name_used); /* the name was not cut */
    b->name_used += (size_t)n + 1;
    s->columns[s->count] = (struct nfc_column){.name = name, .type = type};
    /* Per-scope kinds pass their scope as `arg`; flags pass scope * NFC_FLAG_COUNT + flag. */
    bool scoped = kind >= NFC_COL_FIRST_SEEN && kind <= NFC_COL_FLAG;
    int scope = kind == NFC_COL_FLAG ? arg / NFC_FLAG_COUNT : scoped ? arg : 0;
    if (kind == NFC_COL_FLAG)
        arg %= NFC_FLAG_COUNT;
    s->specs[s->count] = (struct nfc_column_spec){.kind = (uint16_t)kind, .arg = (uint16_t)arg,
                                                  .scope = (uint8_t)scope};
    s->count++;
}

static void add_plain(struct builder *b, enum nfc_column_kind kind, enum nfc_type type, const char *name)
{
    add(b, kind, 0, type, "%s", name);
}

static void add_identity(struct builder *b, const struct nfc_config *cfg)
{
    add_plain(b, NFC_COL_ID, NFC_TYPE_UINT, "id");
    add_plain(b, NFC_COL_EXPIRATION_ID, NFC_TYPE_INT, "expiration_id");
    add_plain(b, NFC_COL_SRC_IP, NFC_TYPE_STRING, "src_ip");
    add_plain(b, NFC_COL_SRC_MAC, NFC_TYPE_STRING, "src_mac");
    add_plain(b, NFC_COL_SRC_OUI, NFC_TYPE_STRING, "src_oui");
    add_plain(b, NFC_COL_SRC_PORT, NFC_TYPE_UINT, "src_port");
    add_plain(b, NFC_COL_DST_IP, NFC_TYPE_STRING, "dst_ip");
    add_plain(b, NFC_COL_DST_MAC, NFC_TYPE_STRING, "dst_mac");
    add_plain(b, NFC_COL_DST_OUI, NFC_TYPE_STRING, "dst_oui");
    add_plain(b, NFC_COL_DST_PORT, NFC_TYPE_UINT, "dst_port");
    add_plain(b, NFC_COL_PROTOCOL, NFC_TYPE_UINT, "protocol");
    add_plain(b, NFC_COL_IP_VERSION, NFC_TYPE_UINT, "ip_version");
    add_plain(b, NFC_COL_VLAN_ID, NFC_TYPE_UINT, "vlan_id");
    if (cfg->decode_tunnels)
        add_plain(b, NFC_COL_TUNNEL_ID, NFC_TYPE_UINT, "tunnel_id");
}

static void add_counters(struct builder *b)
{
    for (int sc = 0; sc < NFC_SCOPE_COUNT; sc++) {
        add(b, NFC_COL_FIRST_SEEN, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "first_seen_ms");
        add(b, NFC_COL_LAST_SEEN, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "last_seen_ms");
        add(b, NFC_COL_DURATION, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "duration_ms");
        add(b, NFC_COL_PACKETS, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "packets");
        add(b, NFC_COL_BYTES, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "bytes");
    }
}

static void add_statistics(struct builder *b)
{
    for (int sc = 0; sc < NFC_SCOPE_COUNT; sc++) {
        add(b, NFC_COL_MIN_PS, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "min_ps");
        add(b, NFC_COL_MEAN_PS, sc, NFC_TYPE_FLOAT, "%s_%s", scope_name[sc], "mean_ps");
        add(b, NFC_COL_STDDEV_PS, sc, NFC_TYPE_FLOAT, "%s_%s", scope_name[sc], "stddev_ps");
        add(b, NFC_COL_MAX_PS, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "max_ps");
    }
    for (int sc = 0; sc < NFC_SCOPE_COUNT; sc++) {
        add(b, NFC_COL_MIN_PIAT, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "min_piat_ms");
        add(b, NFC_COL_MEAN_PIAT, sc, NFC_TYPE_FLOAT, "%s_%s", scope_name[sc], "mean_piat_ms");
        add(b, NFC_COL_STDDEV_PIAT, sc, NFC_TYPE_FLOAT, "%s_%s", scope_name[sc], "stddev_piat_ms");
        add(b, NFC_COL_MAX_PIAT, sc, NFC_TYPE_UINT, "%s_%s", scope_name[sc], "max_piat_ms");
    }
    for (int sc = 0; sc < NFC_SCOPE_COUNT; sc++)
        for (int fl = 0; fl < NFC_FLAG_COUNT; fl++)
            add(b, NFC_COL_FLAG, sc * NFC_FLAG_COUNT + fl, NFC_TYPE_UINT, "%s_%s_packets", scope_name[sc],
                flag_name[fl]);
}

static void add_dpi(struct builder *b)
{
    add(b, NFC_COL_DPI_TEXT, NFC_DPI_APPLICATION_NAME, NFC_TYPE_STRING, "%s", dpi_text_name[NFC_DPI_APPLICATION_NAME]);
    add(b, NFC_COL_DPI_TEXT, NFC_DPI_CATEGORY_NAME, NFC_TYPE_STRING, "%s", dpi_text_name[NFC_DPI_CATEGORY_NAME]);
    add_plain(b, NFC_COL_DPI_GUESSED, NFC_TYPE_UINT, "application_is_guessed");
    add_plain(b, NFC_COL_DPI_CONFIDENCE, NFC_TYPE_UINT, "application_confidence");
    for (int i = NFC_DPI_SERVER_NAME; i < NFC_DPI_TEXT_COUNT; i++)
        add(b, NFC_COL_DPI_TEXT, i, NFC_TYPE_STRING, "%s", dpi_text_name[i]);
}

int nfc_schema_build(struct nfc_schema *s, const struct nfc_config *cfg)
{
    memset(s, 0, sizeof *s);
    s->columns = calloc(MAX_CORE_COLUMNS, sizeof *s->columns);
    s->specs = calloc(MAX_CORE_COLUMNS, sizeof *s->specs);
    s->names = calloc(1, NAME_SPACE);
    if (!s->columns || !s->specs || !s->names) {
        nfc_schema_free(s);
        return -1;
    }
    struct builder b = {.s = s};
    add_identity(&b, cfg);
    add_counters(&b);
    if (cfg->statistical_analysis)
        add_statistics(&b);
    if (cfg->splt_analysis > 0) {
        add_plain(&b, NFC_COL_SPLT_DIRECTION, NFC_TYPE_INT_LIST, "splt_direction");
        add_plain(&b, NFC_COL_SPLT_PS, NFC_TYPE_INT_LIST, "splt_ps");
        add_plain(&b, NFC_COL_SPLT_PIAT, NFC_TYPE_INT_LIST, "splt_piat_ms");
    }
    if (cfg->n_dissections > 0)
        add_dpi(&b);
    return 0;
}

int nfc_schema_add_plugins(struct nfc_schema *s, const struct nfc_plugin_host *plugins)
{
    size_t n = nfc_plugins_column_count(plugins);
    if (!n)
        return 0;
    struct nfc_column *columns = realloc(s->columns, (s->count + n) * sizeof *columns);
    if (!columns)
        return -1;
    s->columns = columns;
    struct nfc_column_spec *specs = realloc(s->specs, (s->count + n) * sizeof *specs);
    if (!specs)
        return -1;
    s->specs = specs;
    nfc_invariant(n <= UINT16_MAX); /* a spec's arg holds the field's index */
    for (size_t i = 0; i < n; i++) {
        nfc_plugins_column(plugins, i, &s->columns[s->count].name, &s->columns[s->count].type);
        s->specs[s->count] = (struct nfc_column_spec){.kind = NFC_COL_PLUGIN, .arg = (uint16_t)i};
        s->count++;
    }
    s->plugins = plugins;
    return 0;
}

void nfc_schema_free(struct nfc_schema *s)
{
    free(s->columns);
    free(s->specs);
    free(s->names);
    memset(s, 0, sizeof *s);
}

static void set_text(struct nfc_value *v, size_t len)
{
    v->as.str.ptr = v->text;
    v->as.str.len = len;
}

/* Dotted quad written by hand: inet_ntop formats IPv4 through sprintf, at several times the cost. */
static size_t ipv4_text(const uint8_t ip[4], char *out)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        unsigned b = ip[i];
        if (i)
            out[n++] = '.';
        if (b >= 100)
            out[n++] = (char)('0' + b / 100);
        if (b >= 10)
            out[n++] = (char)('0' + b / 10 % 10);
        out[n++] = (char)('0' + b % 10);
    }
    out[n] = '\0';
    return n;
}

static void ip_text(const struct nfc_flow *f, const uint8_t ip[16], struct nfc_value *v)
{
    if (f->view.ip_version == 4) {
        set_text(v, ipv4_text(ip, v->text));
        return;
    }
    inet_ntop(AF_INET6, ip, v->text, sizeof v->text);
    set_text(v, strlen(v->text));
}

static void mac_text(const uint8_t mac[6], size_t bytes, struct nfc_value *v)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++) {
        if (i)
            v->text[n++] = ':';
        v->text[n++] = hex[mac[i] >> 4];
        v->text[n++] = hex[mac[i] & 15];
    }
    v->text[n] = '\0';
    set_text(v, n);
}

static void list_value(struct nfc_value *v, const void *ptr, size_t len, uint8_t width)
{
    v->as.list.ptr = ptr;
    v->as.list.len = len;
    v->as.list.width = width;
}

static void dpi_text(const struct nfc_flow *f, int which, struct nfc_value *v)
{
    const struct nfc_dpi_result *r = &f->dpi.result;
    v->as.str.ptr = r->text ? r->text + r->off[which] : "";
    v->as.str.len = r->text ? r->len[which] : 0;
}

static double mean_piat(const struct nfc_scope_statistics *st, uint64_t n)
{
    return n > 1 ? st->piat_mean : 0.0;
}

void nfc_schema_value(const struct nfc_schema *s, const struct nfc_flow_params *p, const struct nfc_flow *f,
                      size_t column, struct nfc_value *v)
{
    const struct nfc_column_spec *spec = &s->specs[column];
    const struct nfc_flow_counters *c = &f->view.scope[spec->scope];
    const struct nfc_scope_statistics *st = p->statistics ? &nfc_flow_statistics_c(p, f)[spec->scope] : NULL;
    v->type = s->columns[column].type;
    v->missing = false;

    switch ((enum nfc_column_kind)spec->kind) {
    case NFC_COL_ID: v->as.u = f->id; break;
    case NFC_COL_EXPIRATION_ID: v->as.i = f->view.expiration_id; break;
    case NFC_COL_SRC_IP: ip_text(f, f->view.src_ip, v); break;
    case NFC_COL_SRC_MAC: mac_text(f->view.src_mac, 6, v); break;
    case NFC_COL_SRC_OUI: mac_text(f->view.src_mac, 3, v); break;
    case NFC_COL_SRC_PORT: v->as.u = f->view.src_port; break;
    case NFC_COL_DST_IP: ip_text(f, f->view.dst_ip, v); break;
    case NFC_COL_DST_MAC: mac_text(f->view.dst_mac, 6, v); break;
    case NFC_COL_DST_OUI: mac_text(f->view.dst_mac, 3, v); break;
    case NFC_COL_DST_PORT: v->as.u = f->view.dst_port; break;
    case NFC_COL_PROTOCOL: v->as.u = f->view.protocol; break;
    case NFC_COL_IP_VERSION: v->as.u = f->view.ip_version; break;
    case NFC_COL_VLAN_ID: v->as.u = f->view.vlan_id; break;
    case NFC_COL_TUNNEL_ID: v->as.u = f->view.tunnel_id; break;
    case NFC_COL_FIRST_SEEN: v->as.u = c->first_seen_ms; break;
    case NFC_COL_LAST_SEEN: v->as.u = c->last_seen_ms; break;
    case NFC_COL_DURATION: v->as.u = c->last_seen_ms - c->first_seen_ms; break;
    case NFC_COL_PACKETS: v->as.u = c->packets; break;
    case NFC_COL_BYTES: v->as.u = c->bytes; break;
    case NFC_COL_MIN_PS: v->as.u = st->ps_min; break;
    case NFC_COL_MEAN_PS: v->as.f = st->ps_mean; break;
    case NFC_COL_STDDEV_PS: v->as.f = nfc_statistics_ps_stddev(st, c->packets); break;
    case NFC_COL_MAX_PS: v->as.u = st->ps_max; break;
    case NFC_COL_MIN_PIAT: v->as.u = st->piat_min; break;
    case NFC_COL_MEAN_PIAT: v->as.f = mean_piat(st, c->packets); break;
    case NFC_COL_STDDEV_PIAT: v->as.f = nfc_statistics_piat_stddev(st, c->packets); break;
    case NFC_COL_MAX_PIAT: v->as.u = st->piat_max; break;
    case NFC_COL_FLAG:
        v->as.u = st->flags[spec->arg];
        break;
    case NFC_COL_SPLT_DIRECTION: list_value(v, f->ext + p->splt_direction_off, p->splt, 1); break;
    case NFC_COL_SPLT_PS: list_value(v, f->ext + p->splt_ps_off, p->splt, 4); break;
    case NFC_COL_SPLT_PIAT: list_value(v, f->ext + p->splt_piat_off, p->splt, 8); break;
    case NFC_COL_DPI_TEXT: dpi_text(f, spec->arg, v); break;
    case NFC_COL_DPI_GUESSED: v->as.u = f->dpi.result.is_guessed; break;
    case NFC_COL_DPI_CONFIDENCE: v->as.u = f->dpi.result.confidence; break;
    case NFC_COL_PLUGIN: nfc_plugins_value(s->plugins, f, spec->arg, v); break;
    }
}
