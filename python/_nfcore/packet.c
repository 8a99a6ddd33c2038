/* nfcore._nfcore.Packet: the packet a Python plugin's hook gets, with nfstream's fields. One object serves every
 * hook, rebound to each packet; its fields are made when read, so a plugin pays only for what it reads. */
#include <stdlib.h>
#include <string.h>

#include "bridge.h"

typedef struct {
    PyObject ob_base;
    struct nfc_packet pkt;
    const uint8_t *ip; /* pkt.ip while bound; the object's own copy once kept */
    bool owns_ip;
    /* The flow's endpoints, which nfstream gives for the packet's (swapped when it goes dst -> src). */
    uint8_t flow_src_ip[16], flow_dst_ip[16];
    uint8_t flow_src_mac[6], flow_dst_mac[6];
} NfcPacketObject;

enum field {
    TIME,
    DELTA_TIME,
    DIRECTION,
    RAW_SIZE,
    IP_SIZE,
    TRANSPORT_SIZE,
    PAYLOAD_SIZE,
    SRC_IP,
    SRC_MAC,
    SRC_OUI,
    DST_IP,
    DST_MAC,
    DST_OUI,
    SRC_PORT,
    DST_PORT,
    PROTOCOL,
    VLAN_ID,
    IP_VERSION,
    IP_PACKET,
    SYN,
    CWR,
    ECE,
    URG,
    ACK,
    PSH,
    RST,
    FIN,
    TUNNEL_ID,
};

PyObject *nfcpy_packet_new(void)
{
    NfcPacketObject *self = PyObject_New(NfcPacketObject, &NfcPacket_Type);
    if (!self)
        return NULL;
    self->ip = NULL;
    self->owns_ip = false;
    memset(&self->pkt, 0, sizeof self->pkt);
    return (PyObject *)self;
}

void nfcpy_packet_bind(PyObject *packet, const struct nfc_packet *pkt, const struct nfc_flow_view *view)
{
    NfcPacketObject *self = (NfcPacketObject *)packet;
    self->pkt = *pkt;
    self->ip = pkt->ip;
    memcpy(self->flow_src_ip, view->src_ip, 16);
    memcpy(self->flow_dst_ip, view->dst_ip, 16);
    memcpy(self->flow_src_mac, view->src_mac, 6);
    memcpy(self->flow_dst_mac, view->dst_mac, 6);
}

PyObject *nfcpy_packet_unbind(PyObject *packet)
{
    if (Py_REFCNT(packet) == 1)
        return packet;
    /* The plugin kept it: it keeps what it showed, and the next hook gets another object. */
    NfcPacketObject *self = (NfcPacketObject *)packet;
    uint8_t *copy = malloc(self->pkt.ipsize ? self->pkt.ipsize : 1);
    if (copy) {
        memcpy(copy, self->ip, self->pkt.ipsize);
        self->ip = copy;
        self->owns_ip = true;
    }
    self->pkt.ip = NULL;
    self->pkt.payload = NULL;
    Py_DECREF(packet);
    if (!copy)
        return PyErr_NoMemory();
    return nfcpy_packet_new();
}

static void packet_dealloc(NfcPacketObject *self)
{
    if (self->owns_ip)
        free((void *)(uintptr_t)self->ip);
    PyObject_Free(self);
}

static PyObject *address(const uint8_t *bytes, uint8_t version)
{
    struct nfc_value v = {.type = NFC_TYPE_IP, .as.ip = {bytes, version}};
    return nfcpy_value(&v);
}

static PyObject *mac(const uint8_t *bytes, uint8_t len)
{
    struct nfc_value v = {.type = NFC_TYPE_MAC, .as.mac = {bytes, len}};
    return nfcpy_value(&v);
}

static PyObject *flag(const NfcPacketObject *self, uint8_t bit)
{
    return PyLong_FromLong((self->pkt.tcp_flags & bit) != 0);
}

static PyObject *packet_field(NfcPacketObject *self, void *closure)
{
    const struct nfc_packet *p = &self->pkt;
    bool reverse = p->direction == 1;
    const uint8_t *src_ip = reverse ? self->flow_dst_ip : self->flow_src_ip;
    const uint8_t *dst_ip = reverse ? self->flow_src_ip : self->flow_dst_ip;
    const uint8_t *src_mac = reverse ? self->flow_dst_mac : self->flow_src_mac;
    const uint8_t *dst_mac = reverse ? self->flow_src_mac : self->flow_dst_mac;
    switch ((enum field)(uintptr_t)closure) {
    case TIME: return PyLong_FromUnsignedLongLong(p->time_ms);
    case DELTA_TIME: return PyLong_FromUnsignedLongLong(p->delta_time_ms);
    case DIRECTION: return PyLong_FromLong(p->direction);
    case RAW_SIZE: return PyLong_FromLong(p->raw_size);
    case IP_SIZE: return PyLong_FromLong(p->ip_size);
    case TRANSPORT_SIZE: return PyLong_FromLong(p->transport_size);
    case PAYLOAD_SIZE: return PyLong_FromLong(p->payload_size);
    case SRC_IP: return address(src_ip, p->ip_version);
    case SRC_MAC: return mac(src_mac, 6);
    case SRC_OUI: return mac(src_mac, 3);
    case DST_IP: return address(dst_ip, p->ip_version);
    case DST_MAC: return mac(dst_mac, 6);
    case DST_OUI: return mac(dst_mac, 3);
    case SRC_PORT: return PyLong_FromLong(p->src_port);
    case DST_PORT: return PyLong_FromLong(p->dst_port);
    case PROTOCOL: return PyLong_FromLong(p->protocol);
    case VLAN_ID: return PyLong_FromLong(p->vlan_id);
    case IP_VERSION: return PyLong_FromLong(p->ip_version);
    case IP_PACKET: return PyBytes_FromStringAndSize((const char *)self->ip, self->ip ? p->ipsize : 0);
    case SYN: return flag(self, NFC_TCP_SYN);
    case CWR: return flag(self, NFC_TCP_CWR);
    case ECE: return flag(self, NFC_TCP_ECE);
    case URG: return flag(self, NFC_TCP_URG);
    case ACK: return flag(self, NFC_TCP_ACK);
    case PSH: return flag(self, NFC_TCP_PSH);
    case RST: return flag(self, NFC_TCP_RST);
    case FIN: return flag(self, NFC_TCP_FIN);
    case TUNNEL_ID: return PyLong_FromLong(p->tunnel_id);
    }
    Py_RETURN_NONE;
}

/* The older plugin style reads pkt.tcpflags.ack: the flags are the packet's own attributes. */
static PyObject *packet_tcpflags(NfcPacketObject *self, void *closure)
{
    (void)closure;
    return Py_NewRef(self);
}

#define FIELD(name, id, doc)                                           \
    {                                                                  \
        name, (getter)packet_field, NULL, doc, (void *)(uintptr_t)(id) \
    }

static PyGetSetDef packet_getset[] = {
    FIELD("time", TIME, "Capture time in ms (never earlier than the previous packet's)."),
    FIELD("delta_time", DELTA_TIME, "ms since the flow's previous packet (0 for its first)."),
    FIELD("direction", DIRECTION, "0: from the flow's src to its dst; 1: the other way."),
    FIELD("raw_size", RAW_SIZE, "Frame length on the wire."),
    FIELD("ip_size", IP_SIZE, "IP size."),
    FIELD("transport_size", TRANSPORT_SIZE, "Transport header and data."),
    FIELD("payload_size", PAYLOAD_SIZE, "Transport data."),
    FIELD("src_ip", SRC_IP, "The flow's src (its dst when direction is 1)."),
    FIELD("src_mac", SRC_MAC, "The flow's src MAC (its dst MAC when direction is 1)."),
    FIELD("src_oui", SRC_OUI, "The first 3 bytes of src_mac."),
    FIELD("dst_ip", DST_IP, "The flow's dst (its src when direction is 1)."),
    FIELD("dst_mac", DST_MAC, "The flow's dst MAC (its src MAC when direction is 1)."),
    FIELD("dst_oui", DST_OUI, "The first 3 bytes of dst_mac."),
    FIELD("src_port", SRC_PORT, "This packet's source port."),
    FIELD("dst_port", DST_PORT, "This packet's destination port."),
    FIELD("protocol", PROTOCOL, "IP protocol number."),
    FIELD("vlan_id", VLAN_ID, "Innermost VLAN id (0: untagged)."),
    FIELD("ip_version", IP_VERSION, "4 or 6."),
    FIELD("ip_packet", IP_PACKET, "The captured bytes from the (inner) IP header on."),
    FIELD("syn", SYN, "TCP flag, 0 or 1."),
    FIELD("cwr", CWR, "TCP flag, 0 or 1."),
    FIELD("ece", ECE, "TCP flag, 0 or 1."),
    FIELD("urg", URG, "TCP flag, 0 or 1."),
    FIELD("ack", ACK, "TCP flag, 0 or 1."),
    FIELD("psh", PSH, "TCP flag, 0 or 1."),
    FIELD("rst", RST, "TCP flag, 0 or 1."),
    FIELD("fin", FIN, "TCP flag, 0 or 1."),
    FIELD("tunnel_id", TUNNEL_ID, "0 none, 1 GTP, 2 CAPWAP, 3 TZSP."),
    {"tcpflags", (getter)packet_tcpflags, NULL, "The packet itself: pkt.tcpflags.ack, as older plugins read it.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject NfcPacket_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "nfcore._nfcore.Packet",
    .tp_basicsize = sizeof(NfcPacketObject),
    .tp_dealloc = (destructor)packet_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The packet a plugin's on_init and on_update get: nfstream's packet fields.",
    .tp_getset = packet_getset,
};
