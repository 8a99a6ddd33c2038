#include "export/ipfix/link.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"

enum {
    CONNECT_MS = 2000, /* a TCP connection attempt; the sink's thread waits, metering does not */
    SEND_MS = 2000,    /* a TCP collector that takes no more of a message for this long is dropped: the sink's
                          thread, and so the end of the run, never waits on it for ever */
    RETRY_MS = 1000,   /* between attempts while a TCP collector is away: messages meanwhile are lost */
    UDP_HEADER = 8,
    MAX_MESSAGE = 65535, /* IPFIX's 16-bit message length */
};

static void note(struct nfc_ipfix_link *l, const char *why)
{
    if (!l->why[0])
        snprintf(l->why, sizeof l->why, "%s", why);
}

/* Connects `fd`, waiting at most CONNECT_MS. Returns 0, or -1 with errno set. */
static int connect_within(int fd, const struct sockaddr *addr, socklen_t len)
{
    int flags = fcntl(fd, F_GETFL);
    if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -1;
    if (connect(fd, addr, len) < 0) {
        if (errno != EINPROGRESS)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int error = 0;
        socklen_t error_len = sizeof error;
        int ready = poll(&p, 1, CONNECT_MS);
        if (ready <= 0) {
            errno = ready == 0 ? ETIMEDOUT : errno;
            return -1;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) < 0 || error) {
            errno = error ? error : errno;
            return -1;
        }
    }
    return fcntl(fd, F_SETFL, flags);
}

static int connect_tcp(struct nfc_ipfix_link *l)
{
    int fd = socket(l->peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval send_timeout = {.tv_sec = SEND_MS / 1000, .tv_usec = SEND_MS % 1000 * 1000};
    if (connect_within(fd, (const struct sockaddr *)&l->peer, l->peer_len) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    l->fd = fd;
    return 0;
}

/* The largest message a datagram carries over this path: the MTU given, or the route's (IP_MTU of the connected
 * socket: 65536 on loopback, the interface's otherwise), less the IP and UDP headers. */
static size_t udp_max_message(const struct nfc_ipfix_link *l, uint32_t mtu)
{
    bool v6 = l->peer.ss_family == AF_INET6;
    size_t headers = (v6 ? 40 : 20) + UDP_HEADER;
    if (!mtu) {
        int route = 0;
        socklen_t len = sizeof route;
        if (getsockopt(l->fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &route, &len) < 0 || route <= 0)
            route = 1500;
        mtu = (uint32_t)route;
    }
    size_t max = mtu > headers ? mtu - headers : 0;
    size_t limit = v6 ? MAX_MESSAGE - UDP_HEADER : MAX_MESSAGE - UDP_HEADER - 20; /* a datagram's 16-bit length */
    return max < limit ? max : limit;
}

int nfc_ipfix_link_open(struct nfc_ipfix_link *l, const struct nfc_ipfix_url *url, uint32_t mtu, char *err,
                        size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    l->tcp = url->transport == NFC_IPFIX_TCP;
    const char *scheme = l->tcp ? "tcp" : "udp";
    struct addrinfo hints = {.ai_socktype = l->tcp ? SOCK_STREAM : SOCK_DGRAM}, *ai;
    int rc = getaddrinfo(url->path, url->port, &hints, &ai);
    if (rc != 0)
        return nfc_errorf(err, errlen, "%s://%s:%s: %s", scheme, url->path, url->port, gai_strerror(rc));
    if (l->tcp) {
        /* Each address in turn (a name's IPv6 address may come first where the collector listens on IPv4 only);
         * the one that answered is where a reconnection goes. */
        int connected = -1;
        for (const struct addrinfo *a = ai; a && connected < 0; a = a->ai_next) {
            memcpy(&l->peer, a->ai_addr, a->ai_addrlen);
            l->peer_len = a->ai_addrlen;
            connected = connect_tcp(l);
        }
        int saved = errno;
        freeaddrinfo(ai);
        if (connected < 0)
            return nfc_errorf(err, errlen, "tcp://%s:%s: %s", url->path, url->port, strerror(saved));
        l->max_message = MAX_MESSAGE;
        return 0;
    }
    memcpy(&l->peer, ai->ai_addr, ai->ai_addrlen);
    l->peer_len = ai->ai_addrlen;
    freeaddrinfo(ai);
    /* Connected, so that the collector's port unreachable comes back as ECONNREFUSED on a later send. */
    l->fd = socket(l->peer.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0 || connect(l->fd, (const struct sockaddr *)&l->peer, l->peer_len) < 0)
        return nfc_errorf(err, errlen, "udp://%s:%s: %s", url->path, url->port, strerror(errno));
    l->max_message = udp_max_message(l, mtu);
    return 0;
}

/* A collector sends nothing over IPFIX's TCP: a readable socket is one it closed (or reset). */
static bool peer_gone(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
    return poll(&p, 1, 0) > 0;
}

static void drop_connection(struct nfc_ipfix_link *l, const char *why)
{
    note(l, why);
    close(l->fd);
    l->fd = -1;
    l->retry_ms = 0;
}

bool nfc_ipfix_link_reconnect(struct nfc_ipfix_link *l)
{
    if (!l->tcp || l->fd >= 0)
        return false;
    uint64_t now = nfc_monotonic_ms();
    if (now < l->retry_ms)
        return false;
    l->retry_ms = now + RETRY_MS;
    if (connect_tcp(l) < 0)
        return false;
    l->reconnects++;
    return true;
}

static uint64_t send_tcp(struct nfc_ipfix_link *l, const uint8_t *msg, size_t len, uint64_t records)
{
    if (l->fd >= 0 && peer_gone(l->fd))
        drop_connection(l, "the collector closed the connection");
    if (l->fd < 0)
        return records;
    while (len) {
        ssize_t n = send(l->fd, msg, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            drop_connection(l, n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "the collector takes no more"
                                                                                  : strerror(errno));
            return records;
        }
        msg += n;
        len -= (size_t)n;
    }
    return 0;
}

static uint64_t send_udp(struct nfc_ipfix_link *l, const uint8_t *msg, size_t len, uint64_t records)
{
    uint64_t lost = 0;
    ssize_t n = send(l->fd, msg, len, 0);
    if (n < 0 && errno == ECONNREFUSED) {
        /* The port answered the last datagram unreachable; this one was not sent. */
        note(l, "the collector's port is unreachable");
        lost = l->last_records;
        n = send(l->fd, msg, len, 0);
    }
    if (n != (ssize_t)len) {
        note(l, n < 0 ? strerror(errno) : "short UDP send");
        l->last_records = 0;
        return lost + records;
    }
    l->last_records = records;
    return lost;
}

uint64_t nfc_ipfix_link_send(struct nfc_ipfix_link *l, const uint8_t *msg, size_t len, uint64_t records)
{
    return l->tcp ? send_tcp(l, msg, len, records) : send_udp(l, msg, len, records);
}

uint64_t nfc_ipfix_link_close(struct nfc_ipfix_link *l)
{
    uint64_t lost = 0;
    if (l->fd < 0)
        return 0;
    int error = 0;
    socklen_t len = sizeof error;
    if (!l->tcp && getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == ECONNREFUSED) {
        note(l, "the collector's port is unreachable");
        lost = l->last_records;
    }
    close(l->fd);
    l->fd = -1;
    return lost;
}
