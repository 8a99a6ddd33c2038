/* The --ipfix URL parser (core/export/ipfix/url.c): file:PATH, udp://HOST:PORT or tcp://HOST:PORT. */
#include <stdlib.h>
#include <string.h>

#include "export/ipfix/ipfix.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    fuzz_check(text != NULL, "strndup");
    struct nfc_ipfix_url url;
    char err[256] = "";
    if (nfc_ipfix_url_parse(text, &url, err, sizeof err) == 0) {
        fuzz_check(url.transport == NFC_IPFIX_FILE || url.transport == NFC_IPFIX_UDP || url.transport == NFC_IPFIX_TCP,
                   "transport");
        fuzz_check(memchr(url.path, '\0', sizeof url.path) && memchr(url.port, '\0', sizeof url.port),
                   "host, path and port are terminated");
    } else {
        fuzz_check(err[0] != '\0', "a refusal has a message");
    }
    free(text);
    return 0;
}
