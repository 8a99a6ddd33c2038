/* A reader for classic pcap files in this machine's byte order: large read() calls into one buffer and records
 * handed out in place, with libpcap 1.10's rules for damaged records. Other files (pcapng, byte-swapped, old
 * patched formats) stay with libpcap. libpcap's own reader copies each record twice through stdio. */
#ifndef NFC_PCAP_READER_H
#define NFC_PCAP_READER_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct nfc_pcap_reader {
    int fd;
    unsigned char *buf;
    size_t fill;         /* bytes in buf */
    size_t pos;          /* the next record's place in buf */
    uint64_t buf_offset; /* file offset of buf[0] */
    uint32_t snapshot;   /* records are cut to this many bytes */
    uint8_t lengths;     /* how caplen and len are stored (file format version) */
    uint8_t nanoseconds;
    uint8_t eof;
};

enum nfc_pcap_status {
    NFC_PCAP_RECORD,
    NFC_PCAP_END,
    NFC_PCAP_DAMAGED,  /* a record was skipped or cut off (`why` says how); reading goes on after it */
    NFC_PCAP_IO_ERROR, /* `why` says which */
};

/* Opens `path` if it is a classic pcap file in host byte order; `snapshot` is the snapshot length libpcap derived
 * for it (pcap_snapshot). Returns 0, or -1 when the file is left to libpcap. */
int nfc_pcap_reader_open(struct nfc_pcap_reader *r, const char *path, int snapshot);

/* The next record; *data stays valid until the next call. */
enum nfc_pcap_status nfc_pcap_reader_next(struct nfc_pcap_reader *r, struct pcap_pkthdr *hdr, const uint8_t **data,
                                          char *why, size_t whylen);

/* File offset of the next record. */
uint64_t nfc_pcap_reader_offset(const struct nfc_pcap_reader *r);

void nfc_pcap_reader_close(struct nfc_pcap_reader *r);

#endif
