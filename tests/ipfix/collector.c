/* A TCP IPFIX collector for the tests, on libfixbuf's listener: every data record it receives becomes a line
 * "FLOW_ID FLOW_END_REASON" in OUTPUT (written at once, so that a test that kills it keeps what it received).
 * Option records (the RFC 5610 type records) are read and left out.
 *
 * usage: ipfix_collector PORT OUTPUT    (prints "ready" once it listens on 127.0.0.1:PORT; runs until killed) */
#include <arpa/inet.h>
#include <fixbuf/public.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

struct flow {
    uint64_t id;
    uint8_t end_reason;
    uint8_t pad[7];
};

static fbInfoElementSpec_t flow_spec[] = {
    {"flowId", 8, 0},
    {"flowEndReason", 1, 0},
    {"paddingOctets", 7, 0},
    FB_IESPEC_NULL,
};

static int fail(const char *what, GError *err)
{
    fprintf(stderr, "ipfix_collector: %s: %s\n", what, err ? err->message : "failed");
    return 1;
}

/* Reads one connection's records until it ends. */
static void read_records(fBuf_t *buf, uint16_t tid, FILE *out)
{
    GError *err = NULL;
    for (;;) {
        uint16_t ext_tid;
        fbTemplate_t *ext = fBufNextCollectionTemplate(buf, &ext_tid, &err);
        struct flow flow;
        size_t len = sizeof flow;
        if (!ext || !fBufSetInternalTemplate(buf, tid, &err) || !fBufNext(buf, (uint8_t *)&flow, &len, &err))
            break;
        if (fbTemplateGetOptionsScope(ext) == 0) {
            fprintf(out, "%" PRIu64 " %u\n", flow.id, flow.end_reason);
            fflush(out);
        }
    }
    g_clear_error(&err);
    fBufFree(buf);
}

/* The listening socket, with SO_REUSEADDR (which libfixbuf's own lacks) so that the collector can be started again
 * on its port at once, while the connection it was killed with waits in TIME_WAIT. */
static int listen_on(const char *port)
{
    struct sockaddr_in addr = {
        .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 4) < 0) {
        perror(port);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ipfix_collector PORT OUTPUT\n");
        return 2;
    }
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    GError *err = NULL;
    fbInfoModel_t *model = fbInfoModelAlloc();
    fbSession_t *session = fbSessionAlloc(model);
    fbTemplate_t *t = fbTemplateAlloc(model);
    if (!fbTemplateAppendSpecArray(t, flow_spec, 0, &err))
        return fail("template", err);
    uint16_t tid = fbSessionAddTemplate(session, TRUE, FB_TID_AUTO, t, &err);
    if (!tid)
        return fail("template", err);
    /* Without a connection specifier, the listener takes the connections the collector accepts itself. */
    fbListener_t *listener = fbListenerAlloc(NULL, session, NULL, NULL, &err);
    int fd = listen_on(argv[1]);
    if (!listener || fd < 0)
        return fail("listener", err);
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int conn = accept(fd, NULL, NULL);
        fBuf_t *buf = conn < 0 ? NULL : fbListenerOwnSocketCollectorTCP(listener, conn, &err);
        if (!buf) {
            g_clear_error(&err);
            continue;
        }
        fBufSetAutomaticMode(buf, TRUE);
        read_records(buf, tid, out);
    }
}
