#include "source/pcap_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"

enum {
    BUFFER_SIZE = 1 << 20, /* holds any record (at most 16 + 262144 bytes) */
    FILE_HEADER = 24,
    RECORD_HEADER = 16,
    MAGIC_MICRO = 0xa1b2c3d4,
    MAGIC_NANO = 0xa1b23c4d,
    MAX_SNAPLEN = 262144, /* libpcap's limit for every link type nfcore decodes */
};

/* How a format version stores caplen and len (libpcap's rule). */
enum { LENGTHS_IN_ORDER, LENGTHS_SWAPPED, LENGTHS_MAYBE_SWAPPED };

static uint32_t load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint16_t load16(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Makes at least `need` bytes available from pos, unless the file ends first. Returns -1 on a read error. */
static int fill(struct nfc_pcap_reader *r, size_t need)
{
    if (r->fill - r->pos >= need || r->eof)
        return 0;
    memmove(r->buf, r->buf + r->pos, r->fill - r->pos);
    r->buf_offset += r->pos;
    r->fill -= r->pos;
    r->pos = 0;
    while (r->fill < need && !r->eof) {
        ssize_t n = read(r->fd, r->buf + r->fill, BUFFER_SIZE - r->fill);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            r->eof = 1;
        r->fill += (size_t)n;
    }
    return 0;
}

int nfc_pcap_reader_open(struct nfc_pcap_reader *r, const char *path, int snapshot)
{
    memset(r, 0, sizeof *r);
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return -1;
    r->buf = nfc_malloc(BUFFER_SIZE);
    if (!r->buf)
        nfc_alloc_handled(); /* libpcap reads the file instead */
    if (!r->buf || fill(r, FILE_HEADER) < 0 || r->fill < FILE_HEADER) {
        nfc_pcap_reader_close(r);
        return -1;
    }
    uint32_t magic = load32(r->buf);
    uint16_t major = load16(r->buf + 4), minor = load16(r->buf + 6);
    if ((magic != MAGIC_MICRO && magic != MAGIC_NANO) || major != 2 || snapshot <= 0 || snapshot > MAX_SNAPLEN) {
        nfc_pcap_reader_close(r);
        return -1;
    }
    posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    r->nanoseconds = magic == MAGIC_NANO;
    r->lengths = minor < 3 ? LENGTHS_SWAPPED : minor == 3 ? LENGTHS_MAYBE_SWAPPED : LENGTHS_IN_ORDER;
    r->snapshot = (uint32_t)snapshot;
    r->pos = FILE_HEADER;
    return 0;
}

enum nfc_pcap_status nfc_pcap_reader_next(struct nfc_pcap_reader *r, struct pcap_pkthdr *hdr, const uint8_t **data,
                                          char *why, size_t whylen)
{
    if (fill(r, RECORD_HEADER) < 0) {
        nfc_errorf(why, whylen, "error reading dump file: %s", strerror(errno));
        return NFC_PCAP_IO_ERROR;
    }
    size_t left = r->fill - r->pos;
    if (left == 0)
        return NFC_PCAP_END;
    if (left < RECORD_HEADER) {
        nfc_errorf(why, whylen, "truncated dump file; tried to read %d header bytes, only got %zu", RECORD_HEADER,
                   left);
        r->pos = r->fill;
        return NFC_PCAP_DAMAGED;
    }
    const unsigned char *h = r->buf + r->pos;
    /* Host byte order: the time fields are signed, as libpcap hands them over. */
    hdr->ts.tv_sec = (int32_t)load32(h);
    hdr->ts.tv_usec = (int32_t)load32(h + 4);
    if (r->nanoseconds)
        hdr->ts.tv_usec /= 1000;
    hdr->caplen = load32(h + 8);
    hdr->len = load32(h + 12);
    if (r->lengths == LENGTHS_SWAPPED || (r->lengths == LENGTHS_MAYBE_SWAPPED && hdr->caplen > hdr->len)) {
        uint32_t t = hdr->caplen;
        hdr->caplen = hdr->len;
        hdr->len = t;
    }
    r->pos += RECORD_HEADER;

    /* An insane length: only the header is consumed, and the next 16 bytes are read as a header. */
    if (hdr->caplen > MAX_SNAPLEN) {
        if (hdr->caplen > r->snapshot)
            nfc_errorf(why, whylen, "invalid packet capture length %u, bigger than snaplen of %u", hdr->caplen,
                       r->snapshot);
        else
            nfc_errorf(why, whylen, "invalid packet capture length %u, bigger than maximum of %d", hdr->caplen,
                       MAX_SNAPLEN);
        return NFC_PCAP_DAMAGED;
    }
    if (fill(r, hdr->caplen) < 0) {
        nfc_errorf(why, whylen, "error reading dump file: %s", strerror(errno));
        return NFC_PCAP_IO_ERROR;
    }
    left = r->fill - r->pos;
    if (left < hdr->caplen) {
        /* libpcap first reads up to the snapshot length, then skips the rest: it names what it was reading. */
        uint32_t wanted = hdr->caplen > r->snapshot && left < r->snapshot ? r->snapshot : hdr->caplen;
        nfc_errorf(why, whylen, "truncated dump file; tried to read %u captured bytes, only got %zu", wanted, left);
        r->pos = r->fill;
        return NFC_PCAP_DAMAGED;
    }
    *data = r->buf + r->pos;
    r->pos += hdr->caplen;
    /* Longer than the file's snapshot length: cut, the rest skipped. */
    if (hdr->caplen > r->snapshot)
        hdr->caplen = r->snapshot;
    return NFC_PCAP_RECORD;
}

uint64_t nfc_pcap_reader_offset(const struct nfc_pcap_reader *r)
{
    return r->buf_offset + r->pos;
}

void nfc_pcap_reader_close(struct nfc_pcap_reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    nfc_free(r->buf);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}
