/* The encoded record: a flow's values copied on the caller's thread into one self-contained buffer (the internal
 * record libfixbuf transcodes, then its strings' and lists' data, addressed by offset), made libfixbuf's record
 * again on the sink's side. */
#include "export/ipfix/record.h"

#include <stdbool.h>
#include <string.h>

enum { IPV6_HEADER_BYTES = 40 /* what accounting mode 1 leaves out of an IPv6 packet */ };

size_t nfc_ipfix_internal_len(const struct nfc_ipfix_field *f, int version)
{
    switch (f->kind) {
    case NFC_IPFIX_ADDRESS: return version == NFC_IPFIX_V6 ? 16 : 4;
    case NFC_IPFIX_STRING: return sizeof(fbVarfield_t);
    case NFC_IPFIX_LIST:
    case NFC_IPFIX_STRINGS: return sizeof(fbBasicList_t);
    case NFC_IPFIX_INT:
    case NFC_IPFIX_FLOAT: return 8;
    case NFC_IPFIX_UINT:
    case NFC_IPFIX_BYTES: return f->width;
    }
    return 0;
}

static void put_uint(uint8_t *at, uint64_t v, size_t width)
{
    uint8_t u8 = (uint8_t)v;
    uint16_t u16 = (uint16_t)v;
    uint32_t u32 = (uint32_t)v;
    switch (width) {
    case 1: memcpy(at, &u8, 1); break;
    case 2: memcpy(at, &u16, 2); break;
    case 4: memcpy(at, &u32, 4); break;
    default: memcpy(at, &v, 8); break;
    }
}

/* flowEndReason (RFC 5102): idle 1, active 2, end of flow detected (TCP) 3, forced end (a plugin, or the end of
 * the input) 4, lack of resources (capacity) 5. */
static uint64_t end_reason(const struct nfc_flow *flow, int64_t expiration_id)
{
    if (nfc_flow_input_ended(flow))
        return 4;
    switch (expiration_id) {
    case NFC_EXPIRE_IDLE: return 1;
    case NFC_EXPIRE_ACTIVE: return 2;
    case NFC_EXPIRE_TCP_END: return 3;
    case NFC_EXPIRE_CAPACITY: return 5;
    default: return 4;
    }
}

/* Pads the encoded record to 8 bytes and returns the offset of what comes next (a string's or a list's data). */
static size_t align8(struct nfc_text *out)
{
    static const char zeros[8];
    nfc_text_put(out, zeros, (8 - out->len % 8) % 8);
    return out->len;
}

static void put_string(struct nfc_text *out, size_t at, const struct nfc_value *v)
{
    size_t len = v->missing ? 0 : v->as.str.len;
    size_t data = align8(out);
    if (len)
        nfc_text_put(out, v->as.str.ptr, len);
    fbVarfield_t field = {.len = len, .buf = (uint8_t *)(uintptr_t)data};
    if (!out->failed)
        memcpy(out->p + at, &field, sizeof field);
}

/* Whether x fits in a signed integer of `width` bytes. */
static bool fits(int64_t x, size_t width)
{
    if (width >= 8)
        return true;
    int64_t limit = INT64_C(1) << (8 * width - 1);
    return x >= -limit && x < limit;
}

/* Returns false when an item does not fit in the list's item width (the record is then marked, not sent). */
static bool put_list(struct nfc_text *out, size_t at, const struct nfc_value *v, const fbInfoElement_t *item,
                     size_t width)
{
    size_t n = v->missing ? 0 : v->as.list.len;
    if (n > UINT16_MAX / width)
        n = UINT16_MAX / width; /* a basicList's data length is 16 bits */
    size_t data = align8(out);
    bool fit = true;
    for (size_t i = 0; i < n; i++) {
        int64_t x = nfc_list_at(v, i);
        uint8_t bytes[8];
        fit &= fits(x, width);
        put_uint(bytes, (uint64_t)x, width);
        nfc_text_put(out, (const char *)bytes, width);
    }
    fbBasicList_t list = {.infoElement = item,
                          .dataPtr = (uint8_t *)(uintptr_t)data,
                          .numElements = (uint16_t)n,
                          .dataLength = (uint16_t)(n * width),
                          .semantic = FB_LIST_SEM_ORDERED};
    if (!out->failed)
        memcpy(out->p + at, &list, sizeof list);
    return fit;
}

/* A list of strings: its fbVarfield_t items, then their bytes, each addressed by offset. */
static void put_strings(struct nfc_text *out, size_t at, const struct nfc_value *v, const fbInfoElement_t *item)
{
    size_t n = v->missing ? 0 : v->as.strings.len;
    if (n > UINT16_MAX / sizeof(fbVarfield_t))
        n = UINT16_MAX / sizeof(fbVarfield_t); /* a basicList's data length is 16 bits */
    static const char empty[sizeof(fbVarfield_t)];
    size_t items = align8(out);
    for (size_t i = 0; i < n; i++)
        nfc_text_put(out, empty, sizeof empty);
    for (size_t i = 0; i < n && !out->failed; i++) {
        const struct nfc_string *s = &v->as.strings.ptr[i];
        fbVarfield_t field = {.len = s->text ? s->len : 0, .buf = (uint8_t *)(uintptr_t)out->len};
        nfc_text_put(out, s->text, field.len);
        if (!out->failed)
            memcpy(out->p + items + i * sizeof field, &field, sizeof field);
    }
    fbBasicList_t list = {.infoElement = item,
                          .dataPtr = (uint8_t *)(uintptr_t)items,
                          .numElements = (uint16_t)n,
                          .dataLength = (uint16_t)(n * sizeof(fbVarfield_t)),
                          .semantic = FB_LIST_SEM_ORDERED};
    if (!out->failed)
        memcpy(out->p + at, &list, sizeof list);
}

static uint64_t uint_value(const struct nfc_ipfix_records *r, const struct nfc_ipfix_field *f,
                           const struct nfc_flow *flow, const struct nfc_value *v, int version)
{
    if (v->missing)
        return 0;
    if (f->convert == NFC_IPFIX_CONVERT_END_REASON)
        return end_reason(flow, v->as.i);
    if (f->convert == NFC_IPFIX_CONVERT_IP_OCTETS && version == NFC_IPFIX_V6) {
        struct nfc_value packets;
        nfc_flow_value(r->eng, flow, f->packets_column, &packets);
        return v->as.u + IPV6_HEADER_BYTES * packets.as.u;
    }
    return v->as.u;
}

static void put_field(const struct nfc_ipfix_records *r, size_t i, const struct nfc_flow *flow, int version,
                      struct nfc_text *out)
{
    const struct nfc_ipfix_field *f = &r->layout->fields[i];
    size_t at = NFC_IPFIX_HEADER + r->offsets[version][i];
    struct nfc_value v;
    if (f->convert == NFC_IPFIX_CONVERT_COUNTED_OCTETS) {
        uint64_t octets[2];
        v = (struct nfc_value){.type = NFC_TYPE_UINT, .missing = !nfc_flow_ip_octets(r->eng, flow, octets)};
        v.as.u = v.missing ? 0 : octets[f->direction];
    } else {
        nfc_flow_value(r->eng, flow, f->column, &v);
        if (v.type != r->columns[f->column].type)
            v.missing = true; /* a computed column's value of another type than its first: the template's is fixed */
    }
    uint8_t fixed[16] = {0};
    switch (f->kind) {
    case NFC_IPFIX_UINT: put_uint(fixed, uint_value(r, f, flow, &v, version), f->width); break;
    case NFC_IPFIX_INT: put_uint(fixed, v.missing ? 0 : (uint64_t)v.as.i, 8); break;
    case NFC_IPFIX_FLOAT: memcpy(fixed, &(double){v.missing ? 0.0 : v.as.f}, 8); break;
    case NFC_IPFIX_BYTES:
        if (!v.missing)
            memcpy(fixed, v.as.mac.bytes, f->width);
        break;
    case NFC_IPFIX_ADDRESS:
        if (v.missing)
            break;
        if (version == NFC_IPFIX_V6)
            memcpy(fixed, v.as.ip.bytes, 16);
        else
            put_uint(fixed,
                     (uint32_t)v.as.ip.bytes[0] << 24 | (uint32_t)v.as.ip.bytes[1] << 16 |
                         (uint32_t)v.as.ip.bytes[2] << 8 | v.as.ip.bytes[3],
                     4);
        break;
    case NFC_IPFIX_STRING: put_string(out, at, &v); return;
    case NFC_IPFIX_LIST:
        if (!put_list(out, at, &v, r->items[i], f->item_width) && !out->failed && !out->p[1] && !out->p[2]) {
            uint16_t bad = (uint16_t)(i + 1);
            memcpy(out->p + 1, &bad, sizeof bad);
        }
        return;
    case NFC_IPFIX_STRINGS: put_strings(out, at, &v, r->items[i]); return;
    }
    if (!out->failed)
        memcpy(out->p + at, fixed, nfc_ipfix_internal_len(f, version));
}

void nfc_ipfix_encode(const struct nfc_ipfix_records *r, const struct nfc_flow *flow, struct nfc_text *out)
{
    int version = NFC_IPFIX_V4;
    if (r->ip_version_column != SIZE_MAX) {
        struct nfc_value v;
        nfc_flow_value(r->eng, flow, r->ip_version_column, &v);
        version = v.as.u == 6 ? NFC_IPFIX_V6 : NFC_IPFIX_V4;
    }
    static const char zeros[NFC_IPFIX_HEADER + NFC_IPFIX_MAX_RECORD];
    nfc_text_put(out, zeros, NFC_IPFIX_HEADER + r->record_len[version]);
    if (out->failed)
        return;
    out->p[0] = (char)version;
    for (size_t i = 0; i < r->layout->n_fields && !out->failed; i++)
        put_field(r, i, flow, version, out);
}

size_t nfc_ipfix_bad_field(const char *bytes)
{
    uint16_t bad;
    memcpy(&bad, bytes + 1, sizeof bad);
    return bad ? (size_t)bad - 1 : SIZE_MAX;
}

/* libfixbuf only reads what strings and lists point to, on export: the const is cast away for its types. */
int nfc_ipfix_resolve(const struct nfc_ipfix_records *r, const char *bytes, uint8_t *record)
{
    int version = bytes[0];
    size_t len = r->record_len[version];
    memcpy(record, bytes + NFC_IPFIX_HEADER, len);
    size_t spare = (len + 7) / 8 * 8; /* a list of strings' items, resolved, go after the record */
    for (size_t i = 0; i < r->layout->n_fields; i++) {
        enum nfc_ipfix_kind kind = r->layout->fields[i].kind;
        uint8_t *at = record + r->offsets[version][i];
        if (kind == NFC_IPFIX_STRING) {
            fbVarfield_t field;
            memcpy(&field, at, sizeof field);
            field.buf = (uint8_t *)(uintptr_t)(bytes + (uintptr_t)field.buf);
            memcpy(at, &field, sizeof field);
        } else if (kind == NFC_IPFIX_LIST || kind == NFC_IPFIX_STRINGS) {
            fbBasicList_t list;
            memcpy(&list, at, sizeof list);
            const char *data = bytes + (uintptr_t)list.dataPtr;
            list.dataPtr = (uint8_t *)(uintptr_t)data;
            if (kind == NFC_IPFIX_STRINGS) {
                if (spare + list.dataLength > NFC_IPFIX_MAX_RECORD)
                    return -1;
                fbVarfield_t *items = (fbVarfield_t *)(record + spare);
                memcpy(items, data, list.dataLength);
                for (size_t k = 0; k < list.numElements; k++)
                    items[k].buf = (uint8_t *)(uintptr_t)(bytes + (uintptr_t)items[k].buf);
                list.dataPtr = (uint8_t *)items;
                spare += list.dataLength;
            }
            memcpy(at, &list, sizeof list);
        }
    }
    return version;
}
