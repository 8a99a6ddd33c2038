/* Addresses and MACs as text, the one way every format writes them: a dotted quad, RFC 5952 IPv6 (inet_ntop), and
 * lower-case hex bytes separated by colons. */
#include <arpa/inet.h>
#include <string.h>

#include "export/format.h"

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
    return n;
}

static size_t mac_text(const uint8_t *mac, size_t bytes, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++) {
        if (i)
            out[n++] = ':';
        out[n++] = hex[mac[i] >> 4];
        out[n++] = hex[mac[i] & 15];
    }
    return n;
}

void nfc_format_address(struct nfc_text *out, const struct nfc_value *v)
{
    char text[INET6_ADDRSTRLEN];
    size_t n;
    if (v->type == NFC_TYPE_MAC)
        n = mac_text(v->as.mac.bytes, v->as.mac.len, text);
    else if (v->as.ip.version == 4)
        n = ipv4_text(v->as.ip.bytes, text);
    else
        n = strlen(inet_ntop(AF_INET6, v->as.ip.bytes, text, sizeof text));
    nfc_text_put(out, text, n);
}
