#include "source/capture.h"

#include "source/pcap_reader.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

enum {
    LIVE_READ_TIMEOUT_MS = 250,               /* how often a quiet live capture returns, so idle flows expire on time */
    LIVE_DRAIN_MS = 2 * LIVE_READ_TIMEOUT_MS, /* reading on after a stop: the kernel's last block comes out */
    LIVE_DRAIN_MAX_MS = 10000, /* and what the buffer held at the stop, unless traffic keeps it from emptying */
    /* The capture buffer when none is asked for: libpcap's 2 MiB holds ~10 ms of a busy link, less than a busy
     * machine may keep the reading thread waiting; much larger ones cost the first touches of their pages
     * (bench/live_load.py measures both). */
    LIVE_BUFFER_BYTES = 32 << 20,
    KERNEL_STATS_FRAMES = 16384, /* a busy capture asks for the kernel's drops this often (a system call or more) */
    FILE_BUFFER_SIZE = 1 << 20,
    PCAP_RECORD_HEADER = 16,
};

/* nfstream compiles filters with optimisation and this netmask, for files too (spec §1). */
#define BPF_NETMASK 0xFFFFFF00u

struct nfc_capture {
    pcap_t *pcap;
    const struct nfc_config *cfg;
    size_t next_file; /* index of the file after the open one */
    const char *file_name;
    uint64_t file_size;
    unsigned char *file_buffer;    /* stdio buffer of the open file: large reads, few system calls */
    struct nfc_pcap_reader reader; /* the open file, when nfcore reads it itself rather than through libpcap */
    bool direct;
    struct bpf_program filter; /* the BPF filter, applied here to files read directly */
    bool filtering;
    long record_offset; /* where the next record starts */
    uint64_t damaged;
    int dlt;
    _Atomic int stop;                /* lock-free: set from signal handlers and other threads */
    uint64_t drain_until;            /* live, once stopped: monotonic ms until which packets are still read */
    uint64_t frames;                 /* live: frames read since the kernel's drops were last asked for */
    _Atomic uint64_t kernel_dropped; /* live: written by the reading thread, read from any */
    char error[PCAP_ERRBUF_SIZE + 256];
};

static int apply_filter(pcap_t *p, const char *filter, const char *source, char *err, size_t errlen)
{
    if (!filter)
        return 0;
    struct bpf_program prog;
    if (pcap_compile(p, &prog, filter, 1, BPF_NETMASK) < 0) {
        nfc_errorf(err, errlen, "invalid BPF filter '%s': %s", filter, pcap_geterr(p));
        return -1;
    }
    int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        nfc_errorf(err, errlen, "%s: cannot apply BPF filter: %s", source, pcap_geterr(p));
        return -1;
    }
    return 0;
}

/* `buffer`, when given, is FILE_BUFFER_SIZE bytes of stdio buffer for the file. */
static pcap_t *open_file(const char *path, const char *filter, unsigned char *buffer, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    struct stat st;
    if (stat(path, &st) < 0) {
        nfc_errorf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        nfc_errorf(err, errlen, "%s: is a directory, not a capture file", path);
        return NULL;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        nfc_errorf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (buffer)
        setvbuf(fp, (char *)buffer, _IOFBF, FILE_BUFFER_SIZE);
    /* One thread reads the file: stdio's per-call locking, which libpcap's two freads per packet pay for once
     * the process has threads, is not needed. */
    __fsetlocking(fp, FSETLOCKING_BYCALLER);
    pcap_t *p = pcap_fopen_offline(fp, pcap_err);
    if (!p) {
        fclose(fp);
        nfc_errorf(err, errlen, "%s: not a readable pcap/pcapng capture: %s", path, pcap_err);
        return NULL;
    }
    if (apply_filter(p, filter, path, err, errlen) < 0) {
        pcap_close(p);
        return NULL;
    }
    return p;
}

/* A pipe (a FIFO, /dev/stdin) can be opened only once, so libpcap, which opened it, reads it. */
static bool is_pipe(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* Link types whose records libpcap allows to be longer than 262144 bytes stay with libpcap's reader. */
static bool direct_dlt(int dlt)
{
    return dlt != DLT_DBUS && dlt != DLT_EBHSCR && dlt != DLT_USBPCAP;
}

/* Reads the open file directly when it is a classic pcap file that allows it; libpcap keeps the header it
 * parsed and compiles the filter. */
static void read_directly(struct nfc_capture *c)
{
    if (!direct_dlt(c->dlt) || is_pipe(c->file_name) ||
        nfc_pcap_reader_open(&c->reader, c->file_name, pcap_snapshot(c->pcap)) < 0)
        return;
    if (c->cfg->bpf_filter) {
        if (pcap_compile(c->pcap, &c->filter, c->cfg->bpf_filter, 1, BPF_NETMASK) < 0) {
            nfc_pcap_reader_close(&c->reader);
            return;
        }
        c->filtering = true;
    }
    c->direct = true;
    c->record_offset = (long)nfc_pcap_reader_offset(&c->reader);
}

static void close_file(struct nfc_capture *c)
{
    if (c->direct)
        nfc_pcap_reader_close(&c->reader);
    if (c->filtering)
        pcap_freecode(&c->filter);
    c->direct = c->filtering = false;
    if (c->pcap)
        pcap_close(c->pcap);
    c->pcap = NULL;
}

/* Opens the next file of the list; false when there is none. */
static bool next_file(struct nfc_capture *c)
{
    close_file(c);
    if (c->next_file >= c->cfg->n_files)
        return false;
    c->file_name = c->cfg->files[c->next_file++];
    c->pcap = open_file(c->file_name, c->cfg->bpf_filter, c->file_buffer, c->error, sizeof c->error);
    if (!c->pcap)
        return false;
    c->record_offset = ftell(pcap_file(c->pcap));
    struct stat st;
    c->file_size = stat(c->file_name, &st) == 0 ? (uint64_t)st.st_size : 0;
    c->dlt = pcap_datalink(c->pcap);
    read_directly(c);
    return true;
}

#define CHECK_PCAP(call, what)                                                                      \
    do {                                                                                            \
        if ((call) != 0) {                                                                          \
            nfc_errorf(err, errlen, "%s: cannot set %s: %s", cfg->interface, what, pcap_geterr(p)); \
            pcap_close(p);                                                                          \
            return NULL;                                                                            \
        }                                                                                           \
    } while (0)

static pcap_t *open_live(const struct nfc_config *cfg, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(cfg->interface, pcap_err);
    if (!p) {
        nfc_errorf(err, errlen, "%s: cannot open interface: %s", cfg->interface, pcap_err);
        return NULL;
    }
    CHECK_PCAP(pcap_set_buffer_size(p, cfg->socket_buffer_size > 0 ? (int)cfg->socket_buffer_size : LIVE_BUFFER_BYTES),
               "socket buffer size");
    CHECK_PCAP(pcap_set_timeout(p, LIVE_READ_TIMEOUT_MS), "read timeout");
    CHECK_PCAP(pcap_set_promisc(p, cfg->promiscuous_mode), "promiscuous mode");
    CHECK_PCAP(pcap_set_snaplen(p, (int)cfg->snapshot_length), "snapshot length");
    int rc = pcap_activate(p);
    if (rc < 0) {
        const char *why = rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc);
        nfc_errorf(err, errlen, "%s: cannot capture: %s", cfg->interface, why);
        pcap_close(p);
        return NULL;
    }
    if (apply_filter(p, cfg->bpf_filter, cfg->interface, err, errlen) < 0) {
        pcap_close(p);
        return NULL;
    }
    /* libpcap's TPACKET_V3 reader waits in poll() without a time limit while no packet comes, so the engine
     * waits itself, with a timeout, and reads without blocking. */
    if (pcap_setnonblock(p, 1, pcap_err) < 0) {
        nfc_errorf(err, errlen, "%s: cannot read without blocking: %s", cfg->interface, pcap_err);
        pcap_close(p);
        return NULL;
    }
    return p;
}

struct nfc_capture *nfc_capture_open(const struct nfc_config *cfg, char *err, size_t errlen)
{
    struct nfc_capture *c = nfc_calloc(1, sizeof *c);
    if (!c) {
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = cfg;
    if (cfg->interface) {
        c->pcap = open_live(cfg, err, errlen);
        if (!c->pcap) {
            nfc_free(c);
            return NULL;
        }
        c->file_name = cfg->interface;
        c->dlt = pcap_datalink(c->pcap);
        return c;
    }
    /* A missing third file should fail now, not after the first two were metered; a pipe, read only once, when
     * its turn comes. */
    for (size_t i = 0; i < cfg->n_files; i++) {
        if (is_pipe(cfg->files[i]))
            continue;
        pcap_t *p = open_file(cfg->files[i], cfg->bpf_filter, NULL, err, errlen);
        if (!p) {
            nfc_free(c);
            return NULL;
        }
        pcap_close(p);
    }
    c->file_buffer = nfc_malloc(FILE_BUFFER_SIZE);
    if (!c->file_buffer || !next_file(c)) {
        nfc_errorf(err, errlen, "%s", c->file_buffer ? c->error : "out of memory");
        nfc_capture_close(c);
        return NULL;
    }
    return c;
}

static long file_offset(const struct nfc_capture *c)
{
    return ftell(pcap_file(c->pcap));
}

/* Where the next record starts, without a system call per record: a classic pcap record is its header plus its
 * captured bytes, unless libpcap cut it to the snapshot length (then, and for pcapng, ask the file). */
static void advance_offset(struct nfc_capture *c, uint32_t caplen)
{
    if (pcap_major_version(c->pcap) == 2 && caplen < (uint32_t)pcap_snapshot(c->pcap))
        c->record_offset += PCAP_RECORD_HEADER + (long)caplen;
    else
        c->record_offset = file_offset(c);
}

static void fill_frame(const struct nfc_capture *c, const struct pcap_pkthdr *hdr, const u_char *data,
                       struct nfc_frame *frame)
{
    frame->data = data;
    frame->caplen = hdr->caplen;
    frame->wirelen = hdr->len;
    /* tv_sec and tv_usec keep their sign, as in nfstream: a negative tv_usec lowers the time. */
    frame->time_ms = (uint64_t)hdr->ts.tv_sec * 1000u + (uint64_t)(hdr->ts.tv_usec / 1000);
    frame->dlt = c->dlt;
}

/* The kernel's drops as libpcap counts them since the capture started: whenever the capture is quiet, and every
 * KERNEL_STATS_FRAMES frames. */
static void update_kernel_dropped(struct nfc_capture *c)
{
    struct pcap_stat st;
    c->frames = 0;
    if (pcap_stats(c->pcap, &st) == 0)
        atomic_store_explicit(&c->kernel_dropped, (uint64_t)st.ps_drop + st.ps_ifdrop, memory_order_relaxed);
}

static enum nfc_capture_status end_live(struct nfc_capture *c)
{
    update_kernel_dropped(c);
    return NFC_CAPTURE_END;
}

static enum nfc_capture_status next_live(struct nfc_capture *c, struct nfc_frame *frame)
{
    if (++c->frames >= KERNEL_STATS_FRAMES)
        update_kernel_dropped(c);
    for (;;) {
        bool stopping = atomic_load_explicit(&c->stop, memory_order_relaxed);
        uint64_t now = 0;
        if (stopping) {
            now = nfc_monotonic_ms();
            if (!c->drain_until)
                c->drain_until = now + LIVE_DRAIN_MS;
            if (now >= c->drain_until - LIVE_DRAIN_MS + LIVE_DRAIN_MAX_MS)
                return end_live(c);
        }
        struct pcap_pkthdr *hdr;
        const u_char *data;
        int rc = pcap_next_ex(c->pcap, &hdr, &data);
        if (rc == 1) {
            fill_frame(c, hdr, data, frame);
            return NFC_CAPTURE_FRAME;
        }
        if (rc < 0) {
            nfc_errorf(c->error, sizeof c->error, "%s: capture failed: %s", c->file_name, pcap_geterr(c->pcap));
            return NFC_CAPTURE_ERROR;
        }
        /* Stopped: the end comes once the last block is out and the buffer is read empty. */
        int wait_ms = LIVE_READ_TIMEOUT_MS;
        if (stopping) {
            if (now >= c->drain_until)
                return end_live(c);
            wait_ms = (int)(c->drain_until - now);
        }
        struct pollfd pfd = {.fd = pcap_get_selectable_fd(c->pcap), .events = POLLIN};
        /* A signal (the stop, usually) interrupts the wait: the loop then drains. */
        if (poll(&pfd, 1, wait_ms) == 0 && !atomic_load_explicit(&c->stop, memory_order_relaxed)) {
            update_kernel_dropped(c);
            return NFC_CAPTURE_TIMEOUT;
        }
    }
}

static enum nfc_capture_status next_direct(struct nfc_capture *c, struct nfc_frame *frame)
{
    for (;;) {
        if (atomic_load_explicit(&c->stop, memory_order_relaxed))
            return NFC_CAPTURE_END;
        struct pcap_pkthdr hdr;
        const uint8_t *data;
        char why[PCAP_ERRBUF_SIZE];
        switch (nfc_pcap_reader_next(&c->reader, &hdr, &data, why, sizeof why)) {
        case NFC_PCAP_RECORD:
            c->record_offset = (long)nfc_pcap_reader_offset(&c->reader);
            if (c->filtering && !pcap_offline_filter(&c->filter, &hdr, data))
                continue;
            fill_frame(c, &hdr, data, frame);
            return NFC_CAPTURE_FRAME;
        case NFC_PCAP_DAMAGED:
            c->damaged++;
            nfc_warnf(c->cfg->on_warning, c->cfg->warning_ctx, "%s: damaged record at byte offset %ld: %s",
                      c->file_name, c->record_offset, why);
            c->record_offset = (long)nfc_pcap_reader_offset(&c->reader);
            continue;
        case NFC_PCAP_IO_ERROR:
            nfc_errorf(c->error, sizeof c->error, "%s: %s", c->file_name, why);
            return NFC_CAPTURE_ERROR;
        case NFC_PCAP_END: return NFC_CAPTURE_END;
        }
    }
}

static enum nfc_capture_status next_from_files(struct nfc_capture *c, struct nfc_frame *frame)
{
    for (;;) {
        if (atomic_load_explicit(&c->stop, memory_order_relaxed) || !c->pcap)
            return NFC_CAPTURE_END;
        if (c->direct) {
            enum nfc_capture_status st = next_direct(c, frame);
            if (st != NFC_CAPTURE_END || atomic_load_explicit(&c->stop, memory_order_relaxed))
                return st;
            if (!next_file(c))
                return c->error[0] ? NFC_CAPTURE_ERROR : NFC_CAPTURE_END;
            continue;
        }
        struct pcap_pkthdr *hdr;
        const u_char *data;
        int rc = pcap_next_ex(c->pcap, &hdr, &data);
        if (rc == 1) {
            advance_offset(c, hdr->caplen);
            fill_frame(c, hdr, data, frame);
            return NFC_CAPTURE_FRAME;
        }
        if (rc == PCAP_ERROR_BREAK) {
            if (!next_file(c))
                return c->error[0] ? NFC_CAPTURE_ERROR : NFC_CAPTURE_END;
            continue;
        }
        /* A damaged record: libpcap has skipped what it could, and nfstream reads on from there. */
        c->damaged++;
        nfc_warnf(c->cfg->on_warning, c->cfg->warning_ctx, "%s: damaged record at byte offset %ld: %s", c->file_name,
                  c->record_offset, pcap_geterr(c->pcap));
        long resume = file_offset(c);
        if (resume != c->record_offset)
            c->record_offset = resume;
        else if (!next_file(c)) /* no progress: give up on this file rather than spin */
            return c->error[0] ? NFC_CAPTURE_ERROR : NFC_CAPTURE_END;
    }
}

enum nfc_capture_status nfc_capture_next(struct nfc_capture *c, struct nfc_frame *frame)
{
    return c->cfg->interface ? next_live(c, frame) : next_from_files(c, frame);
}

void nfc_capture_stop(struct nfc_capture *c)
{
    atomic_store_explicit(&c->stop, 1, memory_order_relaxed);
}

const char *nfc_capture_error(const struct nfc_capture *c)
{
    return c->error;
}

uint64_t nfc_capture_damaged(const struct nfc_capture *c)
{
    return c->damaged;
}

uint64_t nfc_capture_kernel_dropped(const struct nfc_capture *c)
{
    return atomic_load_explicit(&c->kernel_dropped, memory_order_relaxed);
}

void nfc_capture_progress(const struct nfc_capture *c, uint64_t *bytes_read, uint64_t *file_size)
{
    *bytes_read = c->record_offset > 0 ? (uint64_t)c->record_offset : 0;
    *file_size = c->cfg->interface ? 0 : c->file_size;
}

void nfc_capture_close(struct nfc_capture *c)
{
    if (!c)
        return;
    close_file(c);
    nfc_free(c->file_buffer);
    nfc_free(c);
}
