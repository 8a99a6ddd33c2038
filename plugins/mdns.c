/* mdns: nfstream's MDNS plugin, the names announced in a flow's multicast DNS answers.
 *
 *     nfcore -r capture.pcap --plugin mdns.so
 *
 * udps.mdns_ptr lists, in first-seen order and once each, the target names of the PTR records in the answer
 * section of every IPv4 packet of a flow whose destination port is 5353, with "," replaced by " ". As in
 * nfstream, a message is used only when it parses whole (every question and record, of a supported type).
 * A name or TXT string that is not UTF-8 fails it too (nfstream's parser stops there with an error).
 */
#include <nfcore/plugin.h>
#include <nfcore/utf8.h>

#include <string.h>

enum {
    MDNS_PORT = 5353,
    DNS_HEADER = 12,
    DNS_QUESTION_TAIL = 4, /* type, class */
    DNS_RECORD_TAIL = 10,  /* type, class, ttl, rdata length */
    MAX_NAME = 255,        /* label bytes plus one per label */
    TYPE_A = 1,
    TYPE_NS = 2,
    TYPE_CNAME = 5,
    TYPE_SOA = 6,
    TYPE_NULL = 10,
    TYPE_PTR = 12,
    TYPE_HINFO = 13,
    TYPE_MX = 15,
    TYPE_TXT = 16,
    TYPE_AAAA = 28,
    TYPE_SRV = 33,
    TYPE_OPT = 41,
    SOA_NUMBERS = 20, /* serial, refresh, retry, expire, minimum */
};

struct mdns_state {
    struct nfc_string_list ptr;
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("mdns_ptr", NFC_FIELD_STRING_LIST, struct mdns_state, ptr, 0),
};

struct message {
    const uint8_t *p;
    size_t len;
};

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* TXT and HINFO data: length-prefixed strings, each decoded on its own (a cut-off last one as far as it goes). */
static bool strings_valid(const uint8_t *p, size_t n)
{
    while (n) {
        size_t len = p[0] < n - 1 ? p[0] : n - 1;
        if (!nfc_utf8_valid(p + 1, len))
            return false;
        p += 1 + len;
        n -= 1 + len;
    }
    return true;
}

/* Reads the name at *off into text (labels joined by "."; at most MAX_NAME bytes) and moves *off past it. As
 * nfstream's parser: a compression pointer must point before the labels that led to it, so every jump goes back
 * and the walk ends. */
static bool read_name(const struct message *m, size_t *off, char *text, size_t *text_len)
{
    size_t at = *off, start = at, next = 0, length = 0;
    *text_len = 0;
    for (;;) {
        if (at >= m->len)
            return false;
        uint8_t n = m->p[at];
        if (n == 0) {
            at++;
            break;
        }
        if ((n & 0xC0) == 0xC0) {
            if (at + 2 > m->len)
                return false;
            size_t target = be16(m->p + at) & 0x3FFF;
            if (target >= start)
                return false;
            if (!next)
                next = at + 2;
            start = at = target;
        } else if ((n & 0xC0) == 0) {
            length += (size_t)n + 1;
            if (length > MAX_NAME || at + 1 + n > m->len)
                return false;
            if (*text_len)
                text[(*text_len)++] = '.';
            memcpy(text + *text_len, m->p + at + 1, n);
            *text_len += n;
            at += 1 + (size_t)n;
        } else {
            return false; /* 0x40 and 0x80 label types */
        }
    }
    *off = next ? next : at;
    return nfc_utf8_valid((const uint8_t *)text, *text_len);
}

/* One resource record at *off; when it is a PTR record, *is_ptr is set and its target is read into ptr. */
static bool read_record(const struct message *m, size_t *off, bool *is_ptr, char *ptr, size_t *ptr_len)
{
    char name[MAX_NAME];
    size_t name_len;
    if (!read_name(m, off, name, &name_len) || *off + DNS_RECORD_TAIL > m->len)
        return false;
    uint16_t type = be16(m->p + *off);
    size_t rdata = *off + DNS_RECORD_TAIL, rdlen = be16(m->p + *off + 8);
    size_t captured = m->len - rdata < rdlen ? m->len - rdata : rdlen;
    size_t at = rdata;
    *off = rdata + rdlen;
    *is_ptr = type == TYPE_PTR;
    switch (type) {
    case TYPE_A:
    case TYPE_NULL:
    case TYPE_AAAA:
    case TYPE_OPT: return true;
    case TYPE_HINFO:
    case TYPE_TXT: return strings_valid(m->p + rdata, captured);
    case TYPE_PTR: return read_name(m, &at, ptr, ptr_len);
    case TYPE_NS:
    case TYPE_CNAME: return read_name(m, &at, name, &name_len);
    case TYPE_SOA:
        return read_name(m, &at, name, &name_len) && read_name(m, &at, name, &name_len) && at + SOA_NUMBERS <= m->len;
    case TYPE_MX: at += 2; return captured >= 2 && read_name(m, &at, name, &name_len);
    case TYPE_SRV: at += 6; return captured >= 6 && read_name(m, &at, name, &name_len);
    default: return false; /* a type nfstream's parser does not know fails the whole message */
    }
}

/* Walks the whole message; with `answers` (else only checking), adds the answers' PTR targets to the list. */
static bool walk(const struct message *m, const struct nfc_host *host, struct nfc_string_list *answers)
{
    if (m->len < DNS_HEADER)
        return false;
    size_t off = DNS_HEADER;
    char text[MAX_NAME];
    size_t text_len;
    for (unsigned i = 0; i < be16(m->p + 4); i++) {
        if (!read_name(m, &off, text, &text_len) || off + DNS_QUESTION_TAIL > m->len)
            return false;
        off += DNS_QUESTION_TAIL;
    }
    unsigned an = be16(m->p + 6), records = an + be16(m->p + 8) + be16(m->p + 10);
    for (unsigned i = 0; i < records; i++) {
        bool is_ptr;
        if (!read_record(m, &off, &is_ptr, text, &text_len))
            return false;
        if (!answers || i >= an || !is_ptr)
            continue;
        for (size_t k = 0; k < text_len; k++)
            if (text[k] == ',')
                text[k] = ' ';
        bool known = false;
        for (uint32_t k = 0; k < answers->len && !known; k++)
            known = answers->items[k].len == text_len && memcmp(answers->items[k].text, text, text_len) == 0;
        if (!known)
            host->string_list_append(host, answers, text, text_len);
    }
    return true;
}

static void mdns_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                        const struct nfc_packet *pkt)
{
    (void)instance;
    struct mdns_state *s = state;
    /* nfstream's parser starts at the IP header: IPv4 with a header length of at least 20 bytes */
    if (flow->dst_port != MDNS_PORT || pkt->ip_version != 4 || (pkt->ip[0] & 0x0F) < 5 || !pkt->payload)
        return;
    struct message m = {pkt->payload, pkt->payload_caplen};
    if (walk(&m, host, NULL))
        walk(&m, host, &s->ptr);
}

static const struct nfc_plugin mdns = {
    NFC_PLUGIN_ABI,
    .name = "mdns",
    .version = "1.0",
    .description = "PTR names of multicast DNS answers (nfstream's MDNS)",
    .state_size = sizeof(struct mdns_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .on_init = mdns_packet,
    .on_update = mdns_packet,
};

NFC_PLUGIN_EXPORT(mdns)
