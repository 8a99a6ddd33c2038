#include "export/ipfix/elements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

#define REVERSE_PEN 29305u /* RFC 5103's reverse elements */
/* Plugin columns are numbered from here, in the order the plugins load, leaving room for new core columns. */
#define FIRST_PLUGIN_ID 1000u
/* A list column's items are elements of their own: the column's id with this bit. */
#define LIST_ITEM_BIT 0x4000u

/* How a core column's standard element relates to the column's value. */
enum standard_rule {
    STANDARD_NONE,           /* no standard element: an enterprise one */
    STANDARD_AS_IS,          /* the value as it is */
    STANDARD_END_REASON,     /* expiration_id as flowEndReason's codes */
    STANDARD_OCTETS,         /* src2dst_bytes: as the accounting mode says (element_for_octets) */
    STANDARD_REVERSE_OCTETS, /* dst2src_bytes: the same, reverse */
};

/* Every core column's enterprise element id (fixed: new columns take new ids, never an old one) and, where IANA
 * has one, its standard element (IPv4's and IPv6's for an address). docs/IPFIX.md is this table in words. */
static const struct core_element {
    const char *column;
    uint16_t id;
    const char *standard;
    const char *standard_v6;
    enum standard_rule rule;
} core_elements[] = {
    {"id", 1, "flowId", NULL, STANDARD_AS_IS},
    {"expiration_id", 2, "flowEndReason", NULL, STANDARD_END_REASON},
    {"src_ip", 3, "sourceIPv4Address", "sourceIPv6Address", STANDARD_AS_IS},
    {"src_mac", 4, "sourceMacAddress", NULL, STANDARD_AS_IS},
    {"src_oui", 5, NULL, NULL, STANDARD_NONE},
    {"src_port", 6, "sourceTransportPort", NULL, STANDARD_AS_IS},
    {"dst_ip", 7, "destinationIPv4Address", "destinationIPv6Address", STANDARD_AS_IS},
    {"dst_mac", 8, "destinationMacAddress", NULL, STANDARD_AS_IS},
    {"dst_oui", 9, NULL, NULL, STANDARD_NONE},
    {"dst_port", 10, "destinationTransportPort", NULL, STANDARD_AS_IS},
    {"protocol", 11, "protocolIdentifier", NULL, STANDARD_AS_IS},
    {"ip_version", 12, "ipVersion", NULL, STANDARD_AS_IS},
    {"vlan_id", 13, "vlanId", NULL, STANDARD_AS_IS},
    {"tunnel_id", 14, NULL, NULL, STANDARD_NONE},
    {"bidirectional_first_seen_ms", 15, "flowStartMilliseconds", NULL, STANDARD_AS_IS},
    {"bidirectional_last_seen_ms", 16, "flowEndMilliseconds", NULL, STANDARD_AS_IS},
    {"bidirectional_duration_ms", 17, "flowDurationMilliseconds", NULL, STANDARD_AS_IS},
    {"bidirectional_packets", 18, NULL, NULL, STANDARD_NONE},
    {"bidirectional_bytes", 19, NULL, NULL, STANDARD_NONE},
    {"src2dst_first_seen_ms", 20, NULL, NULL, STANDARD_NONE},
    {"src2dst_last_seen_ms", 21, NULL, NULL, STANDARD_NONE},
    {"src2dst_duration_ms", 22, NULL, NULL, STANDARD_NONE},
    {"src2dst_packets", 23, "packetDeltaCount", NULL, STANDARD_AS_IS},
    {"src2dst_bytes", 24, NULL, NULL, STANDARD_OCTETS},
    {"dst2src_first_seen_ms", 25, "reverseFlowStartMilliseconds", NULL, STANDARD_AS_IS},
    {"dst2src_last_seen_ms", 26, "reverseFlowEndMilliseconds", NULL, STANDARD_AS_IS},
    {"dst2src_duration_ms", 27, "reverseFlowDurationMilliseconds", NULL, STANDARD_AS_IS},
    {"dst2src_packets", 28, "reversePacketDeltaCount", NULL, STANDARD_AS_IS},
    {"dst2src_bytes", 29, NULL, NULL, STANDARD_REVERSE_OCTETS},
    {"bidirectional_min_ps", 30, NULL, NULL, STANDARD_NONE},
    {"bidirectional_mean_ps", 31, NULL, NULL, STANDARD_NONE},
    {"bidirectional_stddev_ps", 32, NULL, NULL, STANDARD_NONE},
    {"bidirectional_max_ps", 33, NULL, NULL, STANDARD_NONE},
    {"src2dst_min_ps", 34, NULL, NULL, STANDARD_NONE},
    {"src2dst_mean_ps", 35, NULL, NULL, STANDARD_NONE},
    {"src2dst_stddev_ps", 36, NULL, NULL, STANDARD_NONE},
    {"src2dst_max_ps", 37, NULL, NULL, STANDARD_NONE},
    {"dst2src_min_ps", 38, NULL, NULL, STANDARD_NONE},
    {"dst2src_mean_ps", 39, NULL, NULL, STANDARD_NONE},
    {"dst2src_stddev_ps", 40, NULL, NULL, STANDARD_NONE},
    {"dst2src_max_ps", 41, NULL, NULL, STANDARD_NONE},
    {"bidirectional_min_piat_ms", 42, NULL, NULL, STANDARD_NONE},
    {"bidirectional_mean_piat_ms", 43, NULL, NULL, STANDARD_NONE},
    {"bidirectional_stddev_piat_ms", 44, NULL, NULL, STANDARD_NONE},
    {"bidirectional_max_piat_ms", 45, NULL, NULL, STANDARD_NONE},
    {"src2dst_min_piat_ms", 46, NULL, NULL, STANDARD_NONE},
    {"src2dst_mean_piat_ms", 47, NULL, NULL, STANDARD_NONE},
    {"src2dst_stddev_piat_ms", 48, NULL, NULL, STANDARD_NONE},
    {"src2dst_max_piat_ms", 49, NULL, NULL, STANDARD_NONE},
    {"dst2src_min_piat_ms", 50, NULL, NULL, STANDARD_NONE},
    {"dst2src_mean_piat_ms", 51, NULL, NULL, STANDARD_NONE},
    {"dst2src_stddev_piat_ms", 52, NULL, NULL, STANDARD_NONE},
    {"dst2src_max_piat_ms", 53, NULL, NULL, STANDARD_NONE},
    {"bidirectional_syn_packets", 54, NULL, NULL, STANDARD_NONE},
    {"bidirectional_cwr_packets", 55, NULL, NULL, STANDARD_NONE},
    {"bidirectional_ece_packets", 56, NULL, NULL, STANDARD_NONE},
    {"bidirectional_urg_packets", 57, NULL, NULL, STANDARD_NONE},
    {"bidirectional_ack_packets", 58, NULL, NULL, STANDARD_NONE},
    {"bidirectional_psh_packets", 59, NULL, NULL, STANDARD_NONE},
    {"bidirectional_rst_packets", 60, NULL, NULL, STANDARD_NONE},
    {"bidirectional_fin_packets", 61, NULL, NULL, STANDARD_NONE},
    {"src2dst_syn_packets", 62, "tcpSynTotalCount", NULL, STANDARD_AS_IS},
    {"src2dst_cwr_packets", 63, NULL, NULL, STANDARD_NONE},
    {"src2dst_ece_packets", 64, NULL, NULL, STANDARD_NONE},
    {"src2dst_urg_packets", 65, "tcpUrgTotalCount", NULL, STANDARD_AS_IS},
    {"src2dst_ack_packets", 66, "tcpAckTotalCount", NULL, STANDARD_AS_IS},
    {"src2dst_psh_packets", 67, "tcpPshTotalCount", NULL, STANDARD_AS_IS},
    {"src2dst_rst_packets", 68, "tcpRstTotalCount", NULL, STANDARD_AS_IS},
    {"src2dst_fin_packets", 69, "tcpFinTotalCount", NULL, STANDARD_AS_IS},
    {"dst2src_syn_packets", 70, "reverseTcpSynTotalCount", NULL, STANDARD_AS_IS},
    {"dst2src_cwr_packets", 71, NULL, NULL, STANDARD_NONE},
    {"dst2src_ece_packets", 72, NULL, NULL, STANDARD_NONE},
    {"dst2src_urg_packets", 73, "reverseTcpUrgTotalCount", NULL, STANDARD_AS_IS},
    {"dst2src_ack_packets", 74, "reverseTcpAckTotalCount", NULL, STANDARD_AS_IS},
    {"dst2src_psh_packets", 75, "reverseTcpPshTotalCount", NULL, STANDARD_AS_IS},
    {"dst2src_rst_packets", 76, "reverseTcpRstTotalCount", NULL, STANDARD_AS_IS},
    {"dst2src_fin_packets", 77, "reverseTcpFinTotalCount", NULL, STANDARD_AS_IS},
    {"splt_direction", 78, NULL, NULL, STANDARD_NONE},
    {"splt_ps", 79, NULL, NULL, STANDARD_NONE},
    {"splt_piat_ms", 80, NULL, NULL, STANDARD_NONE},
    {"application_name", 81, "applicationName", NULL, STANDARD_AS_IS},
    {"application_category_name", 82, NULL, NULL, STANDARD_NONE},
    {"application_is_guessed", 83, NULL, NULL, STANDARD_NONE},
    {"application_confidence", 84, NULL, NULL, STANDARD_NONE},
    {"requested_server_name", 85, NULL, NULL, STANDARD_NONE},
    {"client_fingerprint", 86, NULL, NULL, STANDARD_NONE},
    {"server_fingerprint", 87, NULL, NULL, STANDARD_NONE},
    {"user_agent", 88, NULL, NULL, STANDARD_NONE},
    {"content_type", 89, NULL, NULL, STANDARD_NONE},
    {"community_id", 90, NULL, NULL, STANDARD_NONE},
};

enum { N_CORE = sizeof core_elements / sizeof core_elements[0] };

static const struct core_element *core_element(const char *column)
{
    for (size_t i = 0; i < N_CORE; i++)
        if (strcmp(core_elements[i].column, column) == 0)
            return &core_elements[i];
    return NULL;
}

/* The type a standard element expects of a column: an anonymised column (a string) takes its enterprise one. */
static enum nfc_type standard_type(const struct core_element *e, const char *standard)
{
    if (e->standard_v6)
        return NFC_TYPE_IP;
    if (e->rule == STANDARD_END_REASON)
        return NFC_TYPE_INT;
    if (strstr(standard, "MacAddress"))
        return NFC_TYPE_MAC;
    return strcmp(standard, "applicationName") == 0 ? NFC_TYPE_STRING : NFC_TYPE_UINT;
}

/* RFC 7012's octetDeltaCount counts whole IP packets: accounting mode 1 (IPv4 total length, IPv6 payload length)
 * plus IPv6's 40-byte header per packet; mode 0 counts wire bytes, layer2OctetDeltaCount. Modes 2 and 3 have no
 * standard element. */
static const char *element_for_octets(const struct core_element *e, int accounting_mode, enum nfc_ipfix_convert *conv)
{
    bool reverse = e->rule == STANDARD_REVERSE_OCTETS;
    if (accounting_mode == NFC_ACCOUNT_RAW)
        return reverse ? "reverseLayer2OctetDeltaCount" : "layer2OctetDeltaCount";
    if (accounting_mode == NFC_ACCOUNT_IP) {
        *conv = NFC_IPFIX_CONVERT_IP_OCTETS;
        return reverse ? "reverseOctetDeltaCount" : "octetDeltaCount";
    }
    return NULL;
}

static uint32_t units(const char *unit)
{
    if (!unit)
        return 0;
    if (strcmp(unit, "ms") == 0)
        return FB_UNITS_MILLISECONDS;
    if (strcmp(unit, "bytes") == 0)
        return FB_UNITS_OCTETS;
    return strcmp(unit, "packets") == 0 ? FB_UNITS_PACKETS : 0;
}

/* An enterprise element for a value of this type: its IPFIX type, length and internal kind. Returns false for the
 * type left out: an address without a standard element (no core column is one). */
static bool enterprise_type(enum nfc_type type, uint8_t *ipfix_type, uint16_t *len, enum nfc_ipfix_kind *kind)
{
    switch (type) {
    case NFC_TYPE_UINT: *ipfix_type = FB_UINT_64, *len = 8, *kind = NFC_IPFIX_UINT; return true;
    case NFC_TYPE_INT: *ipfix_type = FB_INT_64, *len = 8, *kind = NFC_IPFIX_INT; return true;
    case NFC_TYPE_FLOAT: *ipfix_type = FB_FLOAT_64, *len = 8, *kind = NFC_IPFIX_FLOAT; return true;
    case NFC_TYPE_STRING: *ipfix_type = FB_STRING, *len = FB_IE_VARLEN, *kind = NFC_IPFIX_STRING; return true;
    case NFC_TYPE_INT_LIST: *ipfix_type = FB_BASIC_LIST, *len = FB_IE_VARLEN, *kind = NFC_IPFIX_LIST; return true;
    case NFC_TYPE_STRING_LIST: *ipfix_type = FB_BASIC_LIST, *len = FB_IE_VARLEN, *kind = NFC_IPFIX_STRINGS; return true;
    case NFC_TYPE_MAC: *ipfix_type = FB_OCTET_ARRAY, *len = 6, *kind = NFC_IPFIX_BYTES; return true;
    case NFC_TYPE_IP: return false;
    }
    return false;
}

static bool is_integer(uint8_t ipfix_type)
{
    return ipfix_type >= FB_UINT_8 && ipfix_type <= FB_FLOAT_64;
}

static void add_enterprise(struct nfc_ipfix_layout *l, uint32_t pen, uint16_t id, const char *name, uint16_t len,
                           uint8_t type, uint32_t flags)
{
    struct nfc_ipfix_enterprise *e = &l->enterprise[l->n_enterprise++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->element = (fbInfoElement_t)FB_IE_INIT_FULL(e->name, pen, id, len,
                                                  flags | (is_integer(type) ? FB_IE_F_ENDIAN : 0), 0, 0, type, NULL);
}

/* A standard element from libfixbuf's model, its length there, and the internal kind of its values. */
static int standard_field(struct nfc_ipfix_field *f, fbInfoModel_t *model, const char *name, const char *name_v6,
                          enum nfc_type type, char *err, size_t errlen)
{
    const fbInfoElement_t *ie = fbInfoModelGetElementByName(model, name);
    if (!ie)
        return nfc_errorf(err, errlen, "libfixbuf's information model has no element %s", name);
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->name_v6, sizeof f->name_v6, "%s", name_v6 ? name_v6 : name);
    f->width = ie->len;
    if (type == NFC_TYPE_IP)
        f->kind = NFC_IPFIX_ADDRESS;
    else if (type == NFC_TYPE_MAC)
        f->kind = NFC_IPFIX_BYTES;
    else if (type == NFC_TYPE_STRING)
        f->kind = NFC_IPFIX_STRING;
    else
        f->kind = NFC_IPFIX_UINT;
    return 0;
}

/* A list's items' bytes: SPLT's in fewer (RFC 7011's reduced-size encoding), so that long SPLTs fit in a datagram:
 * a direction is 0, 1 or -1, a size at most 65535 and headers, a gap shorter than the idle timeout (a value beyond
 * fails its record, counted). Other lists (plugins') keep 8. */
static uint16_t item_width(const char *column)
{
    if (strcmp(column, "splt_direction") == 0)
        return 1;
    return strcmp(column, "splt_ps") == 0 || strcmp(column, "splt_piat_ms") == 0 ? 4 : 8;
}

/* A list item's signed type of `width` bytes. */
static uint8_t item_type(uint16_t width)
{
    return width == 1 ? FB_INT_8 : width == 4 ? FB_INT_32 : FB_INT_64;
}

static int add_field(struct nfc_ipfix_layout *l, const struct nfc_column *c, size_t index, uint16_t id,
                     const struct nfc_ipfix_options *o, fbInfoModel_t *model, char *err, size_t errlen)
{
    struct nfc_ipfix_field *f = &l->fields[l->n_fields];
    memset(f, 0, sizeof *f);
    f->column = index;
    const struct core_element *core = core_element(c->name);
    const char *standard = core ? core->standard : NULL;
    if (core && (core->rule == STANDARD_OCTETS || core->rule == STANDARD_REVERSE_OCTETS))
        standard = element_for_octets(core, o->accounting_mode, &f->convert);
    if (standard && c->type == standard_type(core, standard)) {
        if (core->rule == STANDARD_END_REASON)
            f->convert = NFC_IPFIX_CONVERT_END_REASON;
        l->n_fields++;
        return standard_field(f, model, standard, core->standard_v6, c->type, err, errlen);
    }
    f->convert = NFC_IPFIX_CONVERT_NONE;
    uint8_t type;
    uint16_t len;
    if (!enterprise_type(c->type, &type, &len, &f->kind))
        return 0; /* left out: docs/IPFIX.md */
    if (c->type == NFC_TYPE_MAC && strstr(c->name, "_oui"))
        len = 3;
    f->width = len;
    snprintf(f->name, sizeof f->name, "%s", c->name);
    snprintf(f->name_v6, sizeof f->name_v6, "%s", c->name);
    add_enterprise(l, o->pen, id, c->name, len, type, units(c->unit));
    if (f->kind == NFC_IPFIX_LIST) {
        snprintf(f->item, sizeof f->item, "%s_item", c->name);
        f->item_width = item_width(c->name);
        add_enterprise(l, o->pen, (uint16_t)(id | LIST_ITEM_BIT), f->item, f->item_width, item_type(f->item_width),
                       units(c->unit));
    } else if (f->kind == NFC_IPFIX_STRINGS) {
        snprintf(f->item, sizeof f->item, "%s_item", c->name);
        add_enterprise(l, o->pen, (uint16_t)(id | LIST_ITEM_BIT), f->item, FB_IE_VARLEN, FB_STRING, 0);
    }
    l->n_fields++;
    return 0;
}

/* Moves the RFC 5103 reverse elements to the front, each group in column order. A collector that reads only some
 * reverse elements as such (nfdump 1.7 reads the reverse counters as its out counters, and every other reverse
 * element as its forward one, the last in a record winning) then keeps the forward values. */
static int reverse_first(struct nfc_ipfix_layout *l)
{
    struct nfc_ipfix_field *sorted = nfc_malloc((l->n_fields ? l->n_fields : 1) * sizeof *sorted);
    if (!sorted)
        return -1;
    size_t n = 0;
    for (int reverse = 1; reverse >= 0; reverse--)
        for (size_t i = 0; i < l->n_fields; i++)
            if ((strncmp(l->fields[i].name, "reverse", 7) == 0) == reverse)
                sorted[n++] = l->fields[i];
    nfc_free(l->fields);
    l->fields = sorted;
    return 0;
}

/* "src2dst_bytes" -> the index of "src2dst_packets". */
static int find_packets(const struct nfc_column *columns, size_t n, const char *bytes_column, size_t *index)
{
    char name[64];
    size_t scope = strcspn(bytes_column, "_");
    snprintf(name, sizeof name, "%.*s_packets", (int)scope, bytes_column);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(columns[i].name, name) == 0) {
            *index = i;
            return 0;
        }
    }
    return -1;
}

/* octetDeltaCount and its reverse from the engine's IP bytes, beside the bytes columns' own elements, when the
 * accounting mode's bytes are not IP bytes already. */
static int add_counted_octets(struct nfc_ipfix_layout *l, const struct nfc_column *columns, size_t n,
                              const struct nfc_ipfix_options *o, fbInfoModel_t *model, char *err, size_t errlen)
{
    static const char *const elements[2] = {"octetDeltaCount", "reverseOctetDeltaCount"};
    static const char *const bytes[2] = {"src2dst_bytes", "dst2src_bytes"};
    if (!o->ip_octets || o->accounting_mode == NFC_ACCOUNT_IP)
        return 0;
    for (int d = 0; d < 2; d++) {
        for (size_t i = 0; i < n; i++) {
            if (strcmp(columns[i].name, bytes[d]) != 0)
                continue;
            struct nfc_ipfix_field *f = &l->fields[l->n_fields++];
            memset(f, 0, sizeof *f);
            f->column = i;
            f->convert = NFC_IPFIX_CONVERT_COUNTED_OCTETS;
            f->direction = d;
            if (standard_field(f, model, elements[d], NULL, NFC_TYPE_UINT, err, errlen) < 0)
                return -1;
        }
    }
    return 0;
}

int nfc_ipfix_layout_build(struct nfc_ipfix_layout *l, const struct nfc_column *columns, size_t n,
                           const struct nfc_ipfix_options *o, fbInfoModel_t *model, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->fields = nfc_calloc(n + 2, sizeof *l->fields);
    l->enterprise = nfc_calloc(2 * n + 1, sizeof *l->enterprise);
    if (!l->fields || !l->enterprise)
        return nfc_errorf(err, errlen, "out of memory");
    uint16_t next_plugin_id = FIRST_PLUGIN_ID;
    for (size_t i = 0; i < n; i++) {
        const struct core_element *core = core_element(columns[i].name);
        uint16_t id = core ? core->id : next_plugin_id++;
        if (id >= LIST_ITEM_BIT)
            return nfc_errorf(err, errlen, "too many columns for IPFIX elements (%zu)", n);
        if (add_field(l, &columns[i], i, id, o, model, err, errlen) < 0)
            return -1;
    }
    if (add_counted_octets(l, columns, n, o, model, err, errlen) < 0)
        return -1;
    if (reverse_first(l) < 0)
        return nfc_errorf(err, errlen, "out of memory");
    for (size_t i = 0; i < l->n_fields; i++) {
        struct nfc_ipfix_field *f = &l->fields[i];
        if (f->convert == NFC_IPFIX_CONVERT_IP_OCTETS &&
            find_packets(columns, n, columns[f->column].name, &f->packets_column) < 0)
            return nfc_errorf(err, errlen, "%s: no packet count beside it", columns[f->column].name);
    }
    for (size_t i = 0; i < l->n_enterprise; i++)
        fbInfoModelAddElement(model, &l->enterprise[i].element);
    return 0;
}

void nfc_ipfix_layout_free(struct nfc_ipfix_layout *l)
{
    nfc_free(l->fields);
    nfc_free(l->enterprise);
    memset(l, 0, sizeof *l);
}
