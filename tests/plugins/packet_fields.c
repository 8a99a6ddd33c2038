/* packet_fields: one text line per packet of a flow, in udps.packets, holding every field a Python plugin's packet
 * has, in the order of nfstream's packet and as tests/python/test_nfplugin_packet.py writes them:
 * `name=value` separated by spaces. Addresses and MACs are the flow's, swapped when the packet goes from the flow's
 * destination to its source (nfstream's rule); ports, protocol, VLAN, IP version and tunnel are the packet's own;
 * ip_packet is the hex of the ipsize bytes at ip. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <nfcore/plugin.h>

struct fields_state {
    struct nfc_string_list packets;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("packets", NFC_FIELD_STRING_LIST, struct fields_state, packets, 0),
};

/* One meter thread's line: the hex of up to 65535 bytes and the other fields. */
struct line {
    size_t len;
    char text[2 * 65535 + 1024];
};

static int setup(struct nfc_setup *ctx, void **instance)
{
    struct line *line = malloc(sizeof *line);
    if (!line) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *instance = line;
    return 0;
}

static void put(struct line *line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line->text + line->len, sizeof line->text - line->len, format, args);
    va_end(args);
    if (n > 0)
        line->len += (size_t)n;
}

static void put_ip(struct line *line, const char *name, const uint8_t *ip, uint8_t version)
{
    char text[INET6_ADDRSTRLEN];
    put(line, " %s=%s", name, inet_ntop(version == 4 ? AF_INET : AF_INET6, ip, text, sizeof text));
}

static void put_mac(struct line *line, const char *name, const uint8_t *mac, size_t bytes)
{
    put(line, " %s=", name);
    for (size_t i = 0; i < bytes; i++)
        put(line, i ? ":%02x" : "%02x", mac[i]);
}

static void put_flag(struct line *line, const char *name, const struct nfc_packet *pkt, uint8_t bit)
{
    put(line, " %s=%d", name, (pkt->tcp_flags & bit) ? 1 : 0);
}

static void record(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                   const struct nfc_packet *pkt)
{
    struct line *line = instance;
    const uint8_t *src_ip = pkt->direction ? flow->dst_ip : flow->src_ip;
    const uint8_t *dst_ip = pkt->direction ? flow->src_ip : flow->dst_ip;
    const uint8_t *src_mac = pkt->direction ? flow->dst_mac : flow->src_mac;
    const uint8_t *dst_mac = pkt->direction ? flow->src_mac : flow->dst_mac;

    line->len = 0;
    put(line, "time=%llu delta_time=%llu direction=%u", (unsigned long long)pkt->time_ms,
        (unsigned long long)pkt->delta_time_ms, pkt->direction);
    put(line, " raw_size=%u ip_size=%u transport_size=%u payload_size=%u", pkt->raw_size, pkt->ip_size,
        pkt->transport_size, pkt->payload_size);
    put_ip(line, "src_ip", src_ip, flow->ip_version);
    put_mac(line, "src_mac", src_mac, 6);
    put_mac(line, "src_oui", src_mac, 3);
    put_ip(line, "dst_ip", dst_ip, flow->ip_version);
    put_mac(line, "dst_mac", dst_mac, 6);
    put_mac(line, "dst_oui", dst_mac, 3);
    put(line, " src_port=%u dst_port=%u protocol=%u vlan_id=%u ip_version=%u ip_packet=", pkt->src_port, pkt->dst_port,
        pkt->protocol, pkt->vlan_id, pkt->ip_version);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < pkt->ipsize; i++) {
        line->text[line->len++] = hex[pkt->ip[i] >> 4];
        line->text[line->len++] = hex[pkt->ip[i] & 15];
    }
    put_flag(line, "syn", pkt, NFC_TCP_SYN);
    put_flag(line, "cwr", pkt, NFC_TCP_CWR);
    put_flag(line, "ece", pkt, NFC_TCP_ECE);
    put_flag(line, "urg", pkt, NFC_TCP_URG);
    put_flag(line, "ack", pkt, NFC_TCP_ACK);
    put_flag(line, "psh", pkt, NFC_TCP_PSH);
    put_flag(line, "rst", pkt, NFC_TCP_RST);
    put_flag(line, "fin", pkt, NFC_TCP_FIN);
    put(line, " tunnel_id=%u", pkt->tunnel_id);
    /* A failed append leaves the flow a line short, which the comparison reports. */
    (void)host->string_list_append(host, &((struct fields_state *)state)->packets, line->text, line->len);
}

static const struct nfc_plugin plugin = {
    NFC_PLUGIN_ABI,
    .name = "packet_fields",
    .version = "1.0",
    .description = "every packet field a plugin sees, one line per packet",
    .state_size = sizeof(struct fields_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .setup = setup,
    .on_init = record,
    .on_update = record,
    .teardown = free,
};

NFC_PLUGIN_EXPORT(plugin)
