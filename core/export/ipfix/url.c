#include <stdio.h>
#include <string.h>

#include "export/ipfix/ipfix.h"
#include "util/error.h"
#include "util/number.h"

/* "HOST:PORT" or "[IPV6]:PORT" after a scheme. */
static int parse_host_port(const char *text, const char *rest, struct nfc_ipfix_url *url, char *err, size_t errlen)
{
    const char *host = rest, *host_end, *colon;
    if (*rest == '[') {
        host = rest + 1;
        host_end = strchr(host, ']');
        if (!host_end || host_end[1] != ':')
            return nfc_errorf(err, errlen, "%s: expected [ADDRESS]:PORT", text);
        colon = host_end + 1;
    } else {
        colon = strrchr(rest, ':');
        host_end = colon;
        if (!colon || memchr(rest, ':', (size_t)(colon - rest)))
            return nfc_errorf(err, errlen, "%s: expected HOST:PORT", text);
    }
    size_t host_len = (size_t)(host_end - host);
    uint64_t port;
    if (host_len == 0 || host_len >= sizeof url->path)
        return nfc_errorf(err, errlen, "%s: no host", text);
    if (nfc_parse_uint(colon + 1, 1, 65535, &port) != NFC_NUMBER_OK)
        return nfc_errorf(err, errlen, "%s: '%s' is not a port (1..65535)", text, colon + 1);
    memcpy(url->path, host, host_len);
    url->path[host_len] = '\0';
    snprintf(url->port, sizeof url->port, "%u", (unsigned)port);
    return 0;
}

int nfc_ipfix_url_parse(const char *text, struct nfc_ipfix_url *url, char *err, size_t errlen)
{
    memset(url, 0, sizeof *url);
    if (strncmp(text, "file:", 5) == 0) {
        const char *path = text + 5;
        if (!*path || strlen(path) >= sizeof url->path)
            return nfc_errorf(err, errlen, "%s: expected file:PATH", text);
        url->transport = NFC_IPFIX_FILE;
        strcpy(url->path, path);
        return 0;
    }
    if (strncmp(text, "udp://", 6) == 0) {
        url->transport = NFC_IPFIX_UDP;
        return parse_host_port(text, text + 6, url, err, errlen);
    }
    if (strncmp(text, "tcp://", 6) == 0) {
        url->transport = NFC_IPFIX_TCP;
        return parse_host_port(text, text + 6, url, err, errlen);
    }
    return nfc_errorf(err, errlen, "%s: expected file:PATH, udp://HOST:PORT or tcp://HOST:PORT", text);
}
