/* Packet decoding: one captured frame -> one read-only packet view (spec §2).
 * Never reads past the captured bytes and never allocates. */
#ifndef NFC_DECODE_H
#define NFC_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include <nfcore/plugin.h>

/* Decodes one frame of a capture whose link type is `dlt` (a DLT_* value as pcap_datalink() returns it).
 * caplen: captured bytes at `frame`; wirelen: original length on the wire.
 * Returns true and fills `pkt` (all but time_ms, delta_time_ms and direction) when the packet is kept, false
 * when it is ignored. */
bool nfc_decode(const uint8_t *frame, uint32_t caplen, uint32_t wirelen, int dlt, bool decode_tunnels,
                struct nfc_packet *pkt);

#endif
