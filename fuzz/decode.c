/* The packet decoder (core/decode) on one frame: the input's first byte picks the link type (its low four bits)
 * and whether tunnels are decoded (bit 4); the rest is the frame. What a kept packet points to must lie inside the
 * frame. */
#include <pcap/dlt.h>
#include <stdbool.h>

#include "decode/decode.h"
#include "harness.h"

/* The link types nfcore decodes, then some it ignores. */
static const int link_types[16] = {
    DLT_EN10MB, DLT_NULL, DLT_RAW,    DLT_PPP, DLT_C_HDLC, DLT_PPP_SERIAL, DLT_LINUX_SLL,  DLT_IEEE802_11_RADIO,
    DLT_IPV4,   DLT_IPV6, DLT_EN10MB, DLT_RAW, DLT_LOOP,   DLT_LINUX_SLL2, DLT_IEEE802_11, DLT_USBPCAP,
};

static bool inside(const uint8_t *p, size_t n, const uint8_t *frame, size_t caplen)
{
    return p >= frame && n <= caplen && (size_t)(p - frame) <= caplen - n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > UINT16_MAX)
        return 0;
    const uint8_t *frame = data + 1;
    uint32_t caplen = (uint32_t)(size - 1);
    struct nfc_packet pkt = {0};
    if (!nfc_decode(frame, caplen, caplen, link_types[data[0] & 15], !(data[0] & 16), &pkt))
        return 0;
    fuzz_check(pkt.ip_version == 4 || pkt.ip_version == 6, "IP version");
    fuzz_check(inside(pkt.ip, pkt.ipsize, frame, caplen), "IP header inside the frame");
    fuzz_check(pkt.payload_caplen <= pkt.payload_size, "payload caplen <= payload size");
    if (pkt.payload)
        fuzz_check(inside(pkt.payload, pkt.payload_caplen, frame, caplen), "payload inside the frame");
    else
        fuzz_check(pkt.payload_caplen == 0, "no payload, no payload caplen");
    return 0;
}
