/* The collector's socket: messages handed over whole, and what the socket says of their fate. libfixbuf's own network
 * exporter is not used for it: its UDP writer reports a failed send only as one GLib warning per process and says
 * the message went out, and its TCP writer cannot see a collector that went away before the next write, so records
 * would be lost uncounted; neither lets the message size be set. */
#ifndef NFC_EXPORT_IPFIX_LINK_H
#define NFC_EXPORT_IPFIX_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "export/ipfix/ipfix.h"

struct nfc_ipfix_link {
    bool tcp;
    int fd; /* -1: a TCP collector is not connected */
    struct sockaddr_storage peer;
    socklen_t peer_len;
    size_t max_message;    /* the largest message: UDP, the path's MTU less the IP and UDP headers */
    uint64_t retry_ms;     /* TCP: when a connection may be tried again (monotonic) */
    uint64_t last_records; /* UDP: the records of the last message sent, lost if its port answers unreachable */
    uint64_t reconnects;   /* TCP: connections made again */
    char why[256];         /* the first loss's cause */
};

/* Resolves the URL's collector and connects (a refused TCP connection fails here). mtu: --ipfix-mtu, or 0 for the
 * path's. Returns 0, or -1 with a message. */
int nfc_ipfix_link_open(struct nfc_ipfix_link *l, const struct nfc_ipfix_url *url, uint32_t mtu, char *err,
                        size_t errlen);

/* Sends one message holding `records` flow records. Returns the flow records this call knows lost: the message's
 * own (a TCP collector that went away), and over UDP those of the one before when the collector's port was
 * unreachable. */
uint64_t nfc_ipfix_link_send(struct nfc_ipfix_link *l, const uint8_t *msg, size_t len, uint64_t records);

/* TCP, once the collector went away: connects again, at most once per second. Returns true when it did: the new
 * connection needs the templates before any data. */
bool nfc_ipfix_link_reconnect(struct nfc_ipfix_link *l);

/* Closes the socket; returns the records of the last UDP message when its port turned out unreachable. */
uint64_t nfc_ipfix_link_close(struct nfc_ipfix_link *l);

#endif
