/* dhcp: nfstream's DHCP plugin, client details from the DHCP messages of a flow, which it ends once the
 * exchange is over.
 *
 *     nfcore -r capture.pcap --plugin dhcp.so
 *
 * Every packet of a flow whose destination port is 67 is read as IPv4 BOOTP/DHCP; one too short for the BOOTP
 * header is skipped. From its options:
 *   udps.dhcp_12       host name (option 12), invalid UTF-8 replaced by U+FFFD
 *   udps.dhcp_57       maximum message size (option 57)
 *   udps.dhcp_60/_77   vendor class (60) and user class (77), kept only when valid UTF-8
 *   udps.dhcp_msg_type the first message's type, "MsgType.DISCOVER" ... "MsgType.INFORM", "0" without option 53
 * and from a REQUEST (the latest one):
 *   udps.dhcp_oui      first three bytes of the client hardware address, "xx:xx:xx"
 *   udps.dhcp_options  its option codes in order
 *   udps.dhcp_55       the requested parameters (option 55) as comma-separated decimals; unset again by a
 *                      REQUEST without the option
 *   udps.dhcp_50       the requested address (option 50); likewise
 *   udps.dhcp_addr     the client address (ciaddr) when not 0.0.0.0
 * The flow ends (expiration_id -1) at an ACK, NACK, INFORM or DECLINE, and at any message when its source
 * address is 0.0.0.0.
 */
#include <nfcore/plugin.h>
#include <nfcore/utf8.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

enum {
    DHCP_SERVER_PORT = 67,
    BOOTP_CIADDR = 12,
    BOOTP_CHADDR = 28,
    BOOTP_OPTIONS = 240, /* after the fixed header and the magic cookie (not checked, as nfstream) */
    OPT_PAD = 0,
    OPT_HOST_NAME = 12,
    OPT_REQUESTED_IP = 50,
    OPT_MSG_TYPE = 53,
    OPT_PARAMS = 55,
    OPT_MAX_SIZE = 57,
    OPT_VENDOR_CLASS = 60,
    OPT_USER_CLASS = 77,
    OPT_END = 255,
    MAX_OPTION = 255, /* an option's length is one byte */
};

enum msg_type {
    MSG_INVALID = -1, /* option 53 outside 1..8 */
    MSG_NONE = 0,     /* no option 53 */
    MSG_DISCOVER = 1,
    MSG_OFFER,
    MSG_REQUEST,
    MSG_DECLINE,
    MSG_ACK,
    MSG_NACK,
    MSG_RELEASE,
    MSG_INFORM,
};

static const char *const msg_type_names[] = {
    [MSG_NONE] = "0", /* nfstream writes the int 0 */
    [MSG_DISCOVER] = "MsgType.DISCOVER",
    [MSG_OFFER] = "MsgType.OFFER",
    [MSG_REQUEST] = "MsgType.REQUEST",
    [MSG_DECLINE] = "MsgType.DECLINE",
    [MSG_ACK] = "MsgType.ACK",
    [MSG_NACK] = "MsgType.NACK",
    [MSG_RELEASE] = "MsgType.RELEASE",
    [MSG_INFORM] = "MsgType.INFORM",
};

struct dhcp_state {
    struct nfc_string host_name;
    struct nfc_string requested_ip;
    struct nfc_string params;
    struct nfc_opt_int max_size;
    struct nfc_string vendor_class;
    struct nfc_string user_class;
    struct nfc_int_list options;
    struct nfc_string addr;
    struct nfc_string msg_type;
    struct nfc_string oui;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("dhcp_12", NFC_FIELD_STRING, struct dhcp_state, host_name, 0),
    NFC_FIELD("dhcp_50", NFC_FIELD_STRING, struct dhcp_state, requested_ip, 0),
    NFC_FIELD("dhcp_55", NFC_FIELD_STRING, struct dhcp_state, params, 0),
    NFC_FIELD("dhcp_57", NFC_FIELD_OPT_INT, struct dhcp_state, max_size, 0),
    NFC_FIELD("dhcp_60", NFC_FIELD_STRING, struct dhcp_state, vendor_class, 0),
    NFC_FIELD("dhcp_77", NFC_FIELD_STRING, struct dhcp_state, user_class, 0),
    NFC_FIELD("dhcp_options", NFC_FIELD_INT_LIST, struct dhcp_state, options, 0),
    NFC_FIELD("dhcp_addr", NFC_FIELD_STRING, struct dhcp_state, addr, 0),
    NFC_FIELD("dhcp_msg_type", NFC_FIELD_STRING, struct dhcp_state, msg_type, 0),
    NFC_FIELD("dhcp_oui", NFC_FIELD_STRING, struct dhcp_state, oui, 0),
};

struct option {
    uint8_t code;
    const uint8_t *data;
    size_t len;
};

/* The options area as nfstream's parser reads it: pads skipped, the end option or the end of the data stops,
 * and a value cut short by the capture is kept short. A lone code byte at the very end (which makes nfstream's
 * parser fail) stops too. */
static bool next_option(const uint8_t **p, const uint8_t *end, struct option *opt)
{
    while (*p < end && **p == OPT_PAD)
        (*p)++;
    if (end - *p < 2 || **p == OPT_END)
        return false;
    size_t avail = (size_t)(end - *p) - 2;
    opt->code = (*p)[0];
    opt->data = *p + 2;
    opt->len = (*p)[1] < avail ? (*p)[1] : avail;
    *p += 2 + opt->len;
    return true;
}

/* int.from_bytes(data, "big") into 16 bytes, right-aligned; false when it does not fit. */
static bool big_endian(const uint8_t *p, size_t n, uint8_t out[16])
{
    while (n && !*p) {
        p++;
        n--;
    }
    if (n > 16)
        return false;
    memset(out, 0, 16);
    memcpy(out + 16 - n, p, n);
    return true;
}

static void set_text(const struct nfc_host *host, struct nfc_string *s, const char *text)
{
    host->string_set(host, s, text, strlen(text));
}

/* As Python's ipaddress.ip_address(int) prints it: IPv4 below 2^32, IPv6 above. */
static bool format_address(const uint8_t *p, size_t n, char text[INET6_ADDRSTRLEN])
{
    static const uint8_t zero[12];
    uint8_t v[16];
    if (!big_endian(p, n, v))
        return false;
    if (memcmp(v, zero, sizeof zero) == 0)
        snprintf(text, INET6_ADDRSTRLEN, "%u.%u.%u.%u", v[12], v[13], v[14], v[15]);
    else
        inet_ntop(AF_INET6, v, text, INET6_ADDRSTRLEN);
    return true;
}

static void set_max_size(struct nfc_opt_int *field, const struct option *opt)
{
    static const uint8_t zero[8];
    uint8_t v[16];
    if (!big_endian(opt->data, opt->len, v) || memcmp(v, zero, sizeof zero) != 0 || v[8] >= 0x80)
        return; /* beyond int64 (Python's int has no limit): left as it was */
    field->value = 0;
    for (size_t i = 8; i < 16; i++)
        field->value = field->value << 8 | v[i];
    field->set = true;
}

static enum msg_type read_msg_type(const struct option *opt)
{
    unsigned value = 0;
    for (size_t i = 0; i < opt->len && value <= MSG_INFORM; i++)
        value = value << 8 | opt->data[i];
    return value >= MSG_DISCOVER && value <= MSG_INFORM ? (enum msg_type)value : MSG_INVALID;
}

/* What one message holds besides the fields stored while its options are read. */
struct message {
    enum msg_type type;
    struct option params;       /* option 55, data NULL when absent */
    struct option requested_ip; /* option 50 */
};

static void read_options(const struct nfc_host *host, struct dhcp_state *s, const uint8_t *p, const uint8_t *end,
                         struct message *msg)
{
    struct option opt;
    memset(msg, 0, sizeof *msg);
    while (next_option(&p, end, &opt)) {
        switch (opt.code) {
        case OPT_HOST_NAME:
            if (opt.len) {
                char text[3 * MAX_OPTION];
                host->string_set(host, &s->host_name, text, nfc_utf8_replace(opt.data, opt.len, text));
            }
            break;
        case OPT_MSG_TYPE: msg->type = read_msg_type(&opt); break;
        case OPT_VENDOR_CLASS:
        case OPT_USER_CLASS:
            /* nfstream fails on invalid UTF-8 here; the field is then left as it was */
            if (nfc_utf8_valid(opt.data, opt.len))
                host->string_set(host, opt.code == OPT_VENDOR_CLASS ? &s->vendor_class : &s->user_class,
                                 (const char *)opt.data, opt.len);
            break;
        case OPT_MAX_SIZE: set_max_size(&s->max_size, &opt); break;
        case OPT_PARAMS: msg->params = opt; break;
        case OPT_REQUESTED_IP: msg->requested_ip = opt; break;
        }
    }
}

static void read_request(const struct nfc_host *host, struct dhcp_state *s, const uint8_t *bootp, const uint8_t *end,
                         const struct message *msg)
{
    char text[4 * MAX_OPTION];
    /* chaddr's first bytes whatever its length field says (nfstream fails unless it is 6) */
    const uint8_t *mac = bootp + BOOTP_CHADDR;
    snprintf(text, sizeof text, "%02x:%02x:%02x", mac[0], mac[1], mac[2]);
    set_text(host, &s->oui, text);

    s->options.len = 0;
    struct option opt;
    for (const uint8_t *p = bootp + BOOTP_OPTIONS; next_option(&p, end, &opt);)
        host->int_list_append(host, &s->options, opt.code);

    size_t len = 0;
    for (size_t i = 0; i < msg->params.len; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, i ? ",%u" : "%u", msg->params.data[i]);
    /* A REQUEST replaces these two; one without the option sets them back to unset (nfstream's None). */
    host->string_set(host, &s->params, msg->params.data ? text : NULL, len);

    char address[INET6_ADDRSTRLEN];
    const struct option *ip = &msg->requested_ip;
    bool requested = ip->data && format_address(ip->data, ip->len, address); /* over 128 bits: as absent */
    host->string_set(host, &s->requested_ip, requested ? address : NULL, requested ? strlen(address) : 0);

    const uint8_t *ciaddr = bootp + BOOTP_CIADDR;
    if (ciaddr[0] | ciaddr[1] | ciaddr[2] | ciaddr[3]) {
        format_address(ciaddr, 4, address);
        set_text(host, &s->addr, address);
    }
}

static void dhcp_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                        const struct nfc_packet *pkt)
{
    static const uint8_t unspecified[4];
    (void)instance;
    struct dhcp_state *s = state;
    /* nfstream's parser starts at the IP header: IPv4 with a header length of at least 20 bytes */
    if (flow->dst_port != DHCP_SERVER_PORT || pkt->ip_version != 4 || (pkt->ip[0] & 0x0F) < 5 || !pkt->payload ||
        pkt->payload_caplen < BOOTP_OPTIONS)
        return;
    const uint8_t *bootp = pkt->payload, *end = pkt->payload + pkt->payload_caplen;
    struct message msg;
    read_options(host, s, bootp + BOOTP_OPTIONS, end, &msg);
    if (msg.type == MSG_REQUEST)
        read_request(host, s, bootp, end, &msg);
    if (msg.type == MSG_ACK || msg.type == MSG_NACK || msg.type == MSG_INFORM || msg.type == MSG_DECLINE ||
        memcmp(flow->src_ip, unspecified, sizeof unspecified) == 0)
        host->request_expiry(host, flow);
    /* the first message's type; an invalid one leaves it to the next message */
    if (!s->msg_type.text && msg.type != MSG_INVALID)
        set_text(host, &s->msg_type, msg_type_names[msg.type]);
}

static const struct nfc_plugin dhcp = {
    NFC_PLUGIN_ABI,
    .name = "dhcp",
    .version = "1.0",
    .description = "DHCP client details; ends each DHCP exchange's flow (nfstream's DHCP)",
    .state_size = sizeof(struct dhcp_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .flags = NFC_PLUGIN_MAY_EXPIRE,
    .on_init = dhcp_packet,
    .on_update = dhcp_packet,
};

NFC_PLUGIN_EXPORT(dhcp)
