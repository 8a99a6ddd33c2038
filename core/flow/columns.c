#include "flow/columns.h"

#include <stdarg.h>
#include <stdio.h>

enum column_kind {
    COL_ID,
    COL_EXPIRATION_ID,
    COL_SRC_IP,
    COL_SRC_MAC,
    COL_SRC_OUI,
    COL_SRC_PORT,
    COL_DST_IP,
    COL_DST_MAC,
    COL_DST_OUI,
    COL_DST_PORT,
    COL_PROTOCOL,
    COL_IP_VERSION,
    COL_VLAN_ID,
    COL_TUNNEL_ID,
    COL_COMMUNITY_ID,
    COL_FIRST_SEEN,
    COL_LAST_SEEN,
    COL_DURATION,
    COL_PACKETS,
    COL_BYTES,
    COL_MIN_PS,
    COL_MEAN_PS,
    COL_STDDEV_PS,
    COL_MAX_PS,
    COL_MIN_PIAT,
    COL_MEAN_PIAT,
    COL_STDDEV_PIAT,
    COL_MAX_PIAT,
    COL_FLAG,
    COL_SPLT_DIRECTION,
    COL_SPLT_PS,
    COL_SPLT_PIAT,
};

/* A getter's argument: the kind in the low byte, then the scope, then the flag. */
static uint32_t pack(enum column_kind kind, int scope, int flag)
{
    return (uint32_t)kind | (uint32_t)scope << 8 | (uint32_t)flag << 16;
}

static double mean_piat(const struct nfc_scope_statistics *st, uint64_t n)
{
    return n > 1 ? st->piat_mean : 0.0;
}

static void list_value(struct nfc_value *v, const void *ptr, size_t len, uint8_t width)
{
    v->as.list.ptr = ptr;
    v->as.list.len = len;
    v->as.list.width = width;
}

static void ip_value(const struct nfc_flow *f, const uint8_t ip[16], struct nfc_value *v)
{
    v->as.ip.bytes = ip;
    v->as.ip.version = f->view.ip_version;
}

static void mac_value(const uint8_t mac[6], uint8_t len, struct nfc_value *v)
{
    v->as.mac.bytes = mac;
    v->as.mac.len = len;
}

static void get(const void *ctx, uint32_t arg, const struct nfc_flow *f, struct nfc_value *v)
{
    const struct nfc_flow_params *p = ctx;
    unsigned scope = arg >> 8 & 0xff, flag = arg >> 16;
    const struct nfc_flow_counters *c = &f->view.scope[scope];
    const struct nfc_scope_statistics *st = p->statistics ? &nfc_flow_statistics_c(p, f)[scope] : NULL;

    switch ((enum column_kind)(arg & 0xff)) {
    case COL_ID: v->as.u = f->id; break;
    case COL_EXPIRATION_ID: v->as.i = f->view.expiration_id; break;
    case COL_SRC_IP: ip_value(f, f->view.src_ip, v); break;
    case COL_SRC_MAC: mac_value(f->view.src_mac, 6, v); break;
    case COL_SRC_OUI: mac_value(f->view.src_mac, 3, v); break;
    case COL_SRC_PORT: v->as.u = f->view.src_port; break;
    case COL_DST_IP: ip_value(f, f->view.dst_ip, v); break;
    case COL_DST_MAC: mac_value(f->view.dst_mac, 6, v); break;
    case COL_DST_OUI: mac_value(f->view.dst_mac, 3, v); break;
    case COL_DST_PORT: v->as.u = f->view.dst_port; break;
    case COL_PROTOCOL: v->as.u = f->view.protocol; break;
    case COL_IP_VERSION: v->as.u = f->view.ip_version; break;
    case COL_VLAN_ID: v->as.u = f->view.vlan_id; break;
    case COL_TUNNEL_ID: v->as.u = f->view.tunnel_id; break;
    case COL_COMMUNITY_ID:
        v->as.str.ptr = f->community_id;
        v->as.str.len = NFC_COMMUNITY_ID_LEN;
        break;
    case COL_FIRST_SEEN: v->as.u = c->first_seen_ms; break;
    case COL_LAST_SEEN: v->as.u = c->last_seen_ms; break;
    case COL_DURATION: v->as.u = c->last_seen_ms - c->first_seen_ms; break;
    case COL_PACKETS: v->as.u = c->packets; break;
    case COL_BYTES: v->as.u = c->bytes; break;
    case COL_MIN_PS: v->as.u = st->ps_min; break;
    case COL_MEAN_PS: v->as.f = st->ps_mean; break;
    case COL_STDDEV_PS: v->as.f = nfc_statistics_ps_stddev(st, c->packets); break;
    case COL_MAX_PS: v->as.u = st->ps_max; break;
    case COL_MIN_PIAT: v->as.u = st->piat_min; break;
    case COL_MEAN_PIAT: v->as.f = mean_piat(st, c->packets); break;
    case COL_STDDEV_PIAT: v->as.f = nfc_statistics_piat_stddev(st, c->packets); break;
    case COL_MAX_PIAT: v->as.u = st->piat_max; break;
    case COL_FLAG: v->as.u = st->flags[flag]; break;
    case COL_SPLT_DIRECTION: list_value(v, f->ext + p->splt_direction_off, p->splt, 1); break;
    case COL_SPLT_PS: list_value(v, f->ext + p->splt_ps_off, p->splt, 4); break;
    case COL_SPLT_PIAT: list_value(v, f->ext + p->splt_piat_off, p->splt, 8); break;
    }
}

/* ---- registration ------------------------------------------------------------------------------------------ */

static const char *const scope_name[NFC_SCOPE_COUNT] = {"bidirectional", "src2dst", "dst2src"};
static const char *const flag_name[NFC_FLAG_COUNT] = {"syn", "cwr", "ece", "urg", "ack", "psh", "rst", "fin"};

/* IPFIX elements (IANA): flowStartMilliseconds, flowEndMilliseconds, flowDurationMilliseconds for the flow's span;
 * packetDeltaCount, octetDeltaCount and tcp<Flag>TotalCount for the forward direction (RFC 5103). */
enum {
    IPFIX_OCTETS = 1,
    IPFIX_PACKETS = 2,
    IPFIX_PROTOCOL = 4,
    IPFIX_SRC_PORT = 7,
    IPFIX_SRC_IPV4 = 8,
    IPFIX_DST_PORT = 11,
    IPFIX_DST_IPV4 = 12,
    IPFIX_SRC_IPV6 = 27,
    IPFIX_DST_IPV6 = 28,
    IPFIX_SRC_MAC = 56,
    IPFIX_VLAN_ID = 58,
    IPFIX_IP_VERSION = 60,
    IPFIX_DST_MAC = 80,
    IPFIX_FLOW_START_MS = 152,
    IPFIX_FLOW_END_MS = 153,
    IPFIX_FLOW_DURATION_MS = 161,
};
static const uint16_t ipfix_flag[NFC_FLAG_COUNT] = {218, 0, 0, 223, 222, 221, 220, 219}; /* by flag_name */

struct builder {
    struct nfc_schema *s;
    const struct nfc_flow_params *params;
    int failed;
};

/* One column whose name is printf-formatted; `ipfix` packs the IPv4 element in its low 16 bits and an IP
 * column's IPv6 one above. */
__attribute__((format(printf, 6, 7))) static void add(struct builder *b, uint32_t arg, enum nfc_type type,
                                                      const char *unit, uint32_t ipfix, const char *fmt, ...)
{
    char name[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    struct nfc_column column = {.name = name,
                                .type = type,
                                .unit = unit,
                                .ipfix_id = (uint16_t)ipfix,
                                .ipfix_id_ipv6 = (uint16_t)(ipfix >> 16)};
    if (nfc_schema_add(b->s, &column, get, b->params, arg) < 0)
        b->failed = -1;
}

static void add_identity(struct builder *b, const struct nfc_config *cfg)
{
    add(b, pack(COL_ID, 0, 0), NFC_TYPE_UINT, NULL, 0, "id");
    add(b, pack(COL_EXPIRATION_ID, 0, 0), NFC_TYPE_INT, NULL, 0, "expiration_id");
    add(b, pack(COL_SRC_IP, 0, 0), NFC_TYPE_IP, NULL, IPFIX_SRC_IPV4 | IPFIX_SRC_IPV6 << 16, "src_ip");
    add(b, pack(COL_SRC_MAC, 0, 0), NFC_TYPE_MAC, NULL, IPFIX_SRC_MAC, "src_mac");
    add(b, pack(COL_SRC_OUI, 0, 0), NFC_TYPE_MAC, NULL, 0, "src_oui");
    add(b, pack(COL_SRC_PORT, 0, 0), NFC_TYPE_UINT, NULL, IPFIX_SRC_PORT, "src_port");
    add(b, pack(COL_DST_IP, 0, 0), NFC_TYPE_IP, NULL, IPFIX_DST_IPV4 | IPFIX_DST_IPV6 << 16, "dst_ip");
    add(b, pack(COL_DST_MAC, 0, 0), NFC_TYPE_MAC, NULL, IPFIX_DST_MAC, "dst_mac");
    add(b, pack(COL_DST_OUI, 0, 0), NFC_TYPE_MAC, NULL, 0, "dst_oui");
    add(b, pack(COL_DST_PORT, 0, 0), NFC_TYPE_UINT, NULL, IPFIX_DST_PORT, "dst_port");
    add(b, pack(COL_PROTOCOL, 0, 0), NFC_TYPE_UINT, NULL, IPFIX_PROTOCOL, "protocol");
    add(b, pack(COL_IP_VERSION, 0, 0), NFC_TYPE_UINT, NULL, IPFIX_IP_VERSION, "ip_version");
    add(b, pack(COL_VLAN_ID, 0, 0), NFC_TYPE_UINT, NULL, IPFIX_VLAN_ID, "vlan_id");
    if (cfg->decode_tunnels)
        add(b, pack(COL_TUNNEL_ID, 0, 0), NFC_TYPE_UINT, NULL, 0, "tunnel_id");
    if (cfg->community_id)
        add(b, pack(COL_COMMUNITY_ID, 0, 0), NFC_TYPE_STRING, NULL, 0, "community_id");
}

static void add_counters(struct builder *b)
{
    for (int sc = 0; sc < NFC_SCOPE_COUNT; sc++) {
        bool flow = sc == NFC_BIDIRECTIONAL, forward = sc == NFC_SRC2DST;
        const char *name = scope_name[sc];
        add(b, pack(COL_FIRST_SEEN, sc, 0), NFC_TYPE_UINT, "ms", flow ? IPFIX_FLOW_START_MS : 0, "%s_first_seen_ms",
            name);
        add(b, pack(COL_LAST_SEEN, sc, 0), NFC_TYPE_UINT, "ms", flow ? IPFIX_FLOW_END_MS : 0, "%s_last_seen_ms", name);
        add(b, pack(COL_DURATION, sc, 0), NFC_TYPE_UINT, "ms", flow ? IPFIX_FLOW_DURATION_MS : 0, "%s_duration_ms",
            name);
        add(b, pack(COL_PACKETS, sc, 0), NFC_TYPE_UINT, "packets", forward ? IPFIX_PACKETS : 0, "%s_packets", name);
        add(b, pack(COL_BYTES, sc, 0), NFC_TYPE_UINT, "bytes", forward ? IPFIX_OCTETS : 0, "%s_bytes", name);
    }
}

static void add_statistics(struct builder *b)
{
    for (int sc = 0; sc < NFC_SCOPE_COUNT; sc++) {
        add(b, pack(COL_MIN_PS, sc, 0), NFC_TYPE_UINT, "bytes", 0, "%s_min_ps", scope_name[sc]);
        add(b, pack(COL_MEAN_PS, sc, 0), NFC_TYPE_FLOAT, "bytes", 0, "%s_mean_ps", scope_name[sc]);
        add(b, pack(COL_STDDEV_PS, sc, 0), NFC_TYPE_FLOAT, "bytes", 0, "%s_stddev_ps", scope_name[sc]);
        add(b, pack(COL_MAX_PS, sc, 0), NFC_TYPE_UINT, "bytes", 0, "%s_max_ps", scope_name[sc]);
    }
    for (int sc = 0; sc < NFC_SCOPE_COUNT; sc++) {
        add(b, pack(COL_MIN_PIAT, sc, 0), NFC_TYPE_UINT, "ms", 0, "%s_min_piat_ms", scope_name[sc]);
        add(b, pack(COL_MEAN_PIAT, sc, 0), NFC_TYPE_FLOAT, "ms", 0, "%s_mean_piat_ms", scope_name[sc]);
        add(b, pack(COL_STDDEV_PIAT, sc, 0), NFC_TYPE_FLOAT, "ms", 0, "%s_stddev_piat_ms", scope_name[sc]);
        add(b, pack(COL_MAX_PIAT, sc, 0), NFC_TYPE_UINT, "ms", 0, "%s_max_piat_ms", scope_name[sc]);
    }
    for (int sc = 0; sc < NFC_SCOPE_COUNT; sc++)
        for (int fl = 0; fl < NFC_FLAG_COUNT; fl++)
            add(b, pack(COL_FLAG, sc, fl), NFC_TYPE_UINT, "packets", sc == NFC_SRC2DST ? ipfix_flag[fl] : 0,
                "%s_%s_packets", scope_name[sc], flag_name[fl]);
}

int nfc_flow_register_columns(struct nfc_schema *s, const struct nfc_config *cfg, const struct nfc_flow_params *params)
{
    struct builder b = {.s = s, .params = params};
    add_identity(&b, cfg);
    add_counters(&b);
    if (cfg->statistical_analysis)
        add_statistics(&b);
    if (cfg->splt_analysis > 0) {
        add(&b, pack(COL_SPLT_DIRECTION, 0, 0), NFC_TYPE_INT_LIST, NULL, 0, "splt_direction");
        add(&b, pack(COL_SPLT_PS, 0, 0), NFC_TYPE_INT_LIST, "bytes", 0, "splt_ps");
        add(&b, pack(COL_SPLT_PIAT, 0, 0), NFC_TYPE_INT_LIST, "ms", 0, "splt_piat_ms");
    }
    return b.failed;
}
