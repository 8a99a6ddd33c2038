/* ja4: FoxIO's JA4 (TLS client) and JA4S (TLS server) fingerprints of TCP flows, over IPv4 and IPv6.
 *
 *     nfcore -r capture.pcap --plugin ja4.so        # adds the columns udps.ja4 and udps.ja4s
 *
 * In each direction, the first TCP payload that begins a TLS handshake record (after any whole alert or
 * change_cipher_spec records) is examined, wherever it falls in the flow (after a STARTTLS exchange, say): a
 * ClientHello there gives udps.ja4, a ServerHello udps.ja4s. There is no reassembly: a hello split over several TCP
 * segments or TLS records gives no fingerprint, and neither does a malformed one. QUIC and DTLS are not handled.
 * Both columns stay empty until computed.
 *
 * JA4  = t, version, d|i (SNI or not), cipher count, extension count, ALPN _ sorted ciphers _ sorted extensions
 *        without SNI and ALPN, then "_" and the signature algorithms in their order (the last two parts hashed);
 * JA4S = t, version, extension count, ALPN _ chosen cipher _ extensions in their order (hashed).
 * GREASE values are ignored in the client hello. A hashed part is "000000000000" when its list is empty.
 */
#include <nfcore/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    IPPROTO_TCP_NUMBER = 6,
    TLS_CONTENT_CHANGE_CIPHER_SPEC = 20,
    TLS_CONTENT_ALERT = 21,
    TLS_CONTENT_HANDSHAKE = 22,
    HANDSHAKE_CLIENT_HELLO = 1,
    HANDSHAKE_SERVER_HELLO = 2,
    EXT_SERVER_NAME = 0x0000,
    EXT_SIGNATURE_ALGORITHMS = 0x000d,
    EXT_ALPN = 0x0010,
    EXT_SUPPORTED_VERSIONS = 0x002b,
    HASH_HEX = 12,
    /* A hello lies within one captured payload (at most 65535 bytes), so it holds fewer 2-byte cipher suites
     * and fewer 4-byte extension headers than this. */
    MAX_LIST = 32768,
};

struct ja4_state {
    struct nfc_string ja4;
    struct nfc_string ja4s;
    uint8_t examined; /* bit per direction: its first handshake record has been looked at */
};

struct ja4_instance {
    uint16_t list[MAX_LIST]; /* values being sorted, reused for each hello */
};

static const struct nfc_plugin_field fields[] = {
    NFC_FIELD("ja4", NFC_FIELD_STRING, struct ja4_state, ja4, 0),
    NFC_FIELD("ja4s", NFC_FIELD_STRING, struct ja4_state, ja4s, 0),
};

static const char hex_digits[] = "0123456789abcdef";

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------------------------------------------- */

struct sha256 {
    uint32_t h[8];
    uint8_t block[64];
    uint64_t length; /* bytes hashed so far */
};

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror32(uint32_t x, unsigned n)
{
    return x >> n | x << (32 - n);
}

static void sha256_init(struct sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->length = 0;
}

static void sha256_compress(struct sha256 *s)
{
    uint32_t w[64];
    for (unsigned i = 0; i < 16; i++)
        w[i] = (uint32_t)s->block[4 * i] << 24 | (uint32_t)s->block[4 * i + 1] << 16 |
               (uint32_t)s->block[4 * i + 2] << 8 | s->block[4 * i + 3];
    for (unsigned i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ w[i - 15] >> 3;
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ w[i - 2] >> 10;
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
    uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (unsigned i = 0; i < 64; i++) {
        uint32_t t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
        uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}

static void sha256_update(struct sha256 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n > 0) {
        size_t used = s->length % 64;
        size_t k = 64 - used < n ? 64 - used : n;
        memcpy(s->block + used, p, k);
        s->length += k;
        p += k;
        n -= k;
        if (s->length % 64 == 0)
            sha256_compress(s);
    }
}

/* Writes the first HASH_HEX hex digits of the digest. */
static void sha256_final_hex12(struct sha256 *s, char out[HASH_HEX + 1])
{
    uint64_t bits = s->length * 8;
    uint8_t pad[72] = {0x80};
    size_t used = s->length % 64;
    size_t n = (used < 56 ? 56 : 120) - used;
    for (unsigned i = 0; i < 8; i++)
        pad[n + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(s, pad, n + 8);
    for (unsigned i = 0; i < HASH_HEX; i++)
        out[i] = hex_digits[s->h[i / 8] >> (28 - 4 * (i % 8)) & 0xf];
    out[HASH_HEX] = '\0';
}

/* Hashes a value as 4 lowercase hex digits, after `sep` unless it is 0. */
static void sha256_hex16(struct sha256 *s, unsigned v, char sep)
{
    char text[5];
    size_t n = 0;
    if (sep)
        text[n++] = sep;
    for (int shift = 12; shift >= 0; shift -= 4)
        text[n++] = hex_digits[v >> shift & 0xf];
    sha256_update(s, text, n);
}

/* ---- bounded reading ---------------------------------------------------------------------------------------- */

/* The unread part of a length-checked region of the payload. */
struct span {
    const uint8_t *p;
    size_t n;
};

static bool take(struct span *s, size_t n, struct span *out)
{
    if (s->n < n)
        return false;
    if (out)
        *out = (struct span){s->p, n};
    s->p += n;
    s->n -= n;
    return true;
}

static bool get8(struct span *s, unsigned *v)
{
    if (s->n < 1)
        return false;
    *v = s->p[0];
    take(s, 1, NULL);
    return true;
}

static bool get16(struct span *s, unsigned *v)
{
    if (s->n < 2)
        return false;
    *v = (unsigned)s->p[0] << 8 | s->p[1];
    take(s, 2, NULL);
    return true;
}

/* A vector with a 1- or 2-byte length prefix. */
static bool vec8(struct span *s, struct span *out)
{
    unsigned n;
    return get8(s, &n) && take(s, n, out);
}

static bool vec16(struct span *s, struct span *out)
{
    unsigned n;
    return get16(s, &n) && take(s, n, out);
}

/* A vector of 16-bit values that fills `data` exactly. */
static bool u16_list(struct span data, struct span *list, bool (*prefix)(struct span *, struct span *))
{
    return prefix(&data, list) && data.n == 0 && list->n % 2 == 0;
}

/* ---- the fingerprints --------------------------------------------------------------------------------------- */

static bool is_grease(unsigned v)
{
    return (v & 0x0f0f) == 0x0a0a && v >> 8 == (v & 0xff);
}

static const char *version_code(unsigned v)
{
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    default: return "00";
    }
}

static unsigned count2(size_t n)
{
    return n > 99 ? 99 : (unsigned)n;
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The first value of an ALPN extension's protocol list; empty when the list is. */
static bool first_alpn(struct span data, struct span *value)
{
    struct span list;
    if (!vec16(&data, &list) || data.n)
        return false;
    *value = (struct span){NULL, 0};
    return list.n == 0 || vec8(&list, value);
}

/* Its first and last characters; when either is not ASCII alphanumeric, the first and last hex digits of the
 * value instead; "00" when there is none. */
static void alpn_code(struct span v, char out[2])
{
    if (v.n == 0) {
        out[0] = out[1] = '0';
    } else if (is_alnum(v.p[0]) && is_alnum(v.p[v.n - 1])) {
        out[0] = (char)v.p[0];
        out[1] = (char)v.p[v.n - 1];
    } else {
        out[0] = hex_digits[v.p[0] >> 4];
        out[1] = hex_digits[v.p[v.n - 1] & 0xf];
    }
}

/* The fields both hellos start with: legacy version, random and session id. */
static bool hello_start(struct span *h, unsigned *legacy_version)
{
    return get16(h, legacy_version) && take(h, 32, NULL) && vec8(h, NULL);
}

/* The extensions block that ends both hellos, empty when absent. */
static bool hello_extensions(struct span h, struct span *exts)
{
    *exts = (struct span){NULL, 0};
    return h.n == 0 || (vec16(&h, exts) && h.n == 0);
}

static int compare_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Hashes the values as sorted, comma-joined 4-hex-digit text. */
static void hash_sorted(struct sha256 *s, uint16_t *list, size_t n)
{
    qsort(list, n, sizeof *list, compare_u16);
    for (size_t i = 0; i < n; i++)
        sha256_hex16(s, list[i], i ? ',' : 0);
}

static bool client_hello(struct ja4_instance *in, struct span h, char *out, size_t outlen)
{
    unsigned version;
    struct span ciphers, exts;
    if (!hello_start(&h, &version) || !vec16(&h, &ciphers) || ciphers.n % 2 || !vec8(&h, NULL) ||
        !hello_extensions(h, &exts))
        return false;

    /* Extensions first: their sorted list goes through in->list before the ciphers do. */
    size_t n_ext = 0, n_sorted = 0;
    bool sni = false;
    struct span alpn = {NULL, 0}, sigalgs = {NULL, 0};
    while (exts.n) {
        unsigned type;
        struct span data, list;
        if (!get16(&exts, &type) || !vec16(&exts, &data))
            return false;
        if (is_grease(type))
            continue;
        n_ext++;
        switch (type) {
        case EXT_SERVER_NAME: sni = true; continue;
        case EXT_ALPN:
            if (!first_alpn(data, &alpn))
                return false;
            continue;
        case EXT_SUPPORTED_VERSIONS:
            if (!u16_list(data, &list, vec8))
                return false;
            version = 0;
            for (unsigned v; get16(&list, &v);)
                if (!is_grease(v) && v > version)
                    version = v;
            break;
        case EXT_SIGNATURE_ALGORITHMS:
            if (!u16_list(data, &sigalgs, vec16))
                return false;
            break;
        }
        in->list[n_sorted++] = (uint16_t)type;
    }
    char ext_hash[HASH_HEX + 1] = "000000000000";
    if (n_sorted) {
        struct sha256 s;
        sha256_init(&s);
        hash_sorted(&s, in->list, n_sorted);
        char sep = '_';
        for (unsigned v; get16(&sigalgs, &v);) {
            if (!is_grease(v)) {
                sha256_hex16(&s, v, sep);
                sep = ',';
            }
        }
        sha256_final_hex12(&s, ext_hash);
    }

    size_t n_ciphers = 0;
    for (unsigned v; get16(&ciphers, &v);)
        if (!is_grease(v))
            in->list[n_ciphers++] = (uint16_t)v;
    char cipher_hash[HASH_HEX + 1] = "000000000000";
    if (n_ciphers) {
        struct sha256 s;
        sha256_init(&s);
        hash_sorted(&s, in->list, n_ciphers);
        sha256_final_hex12(&s, cipher_hash);
    }

    char alpn_chars[2];
    alpn_code(alpn, alpn_chars);
    snprintf(out, outlen, "t%s%c%02u%02u%c%c_%s_%s", version_code(version), sni ? 'd' : 'i', count2(n_ciphers),
             count2(n_ext), alpn_chars[0], alpn_chars[1], cipher_hash, ext_hash);
    return true;
}

static bool server_hello(struct span h, char *out, size_t outlen)
{
    unsigned version, cipher;
    struct span exts;
    if (!hello_start(&h, &version) || !get16(&h, &cipher) || !take(&h, 1, NULL) || !hello_extensions(h, &exts))
        return false;

    size_t n_ext = 0;
    struct span alpn = {NULL, 0};
    struct sha256 s;
    sha256_init(&s);
    while (exts.n) {
        unsigned type;
        struct span data;
        if (!get16(&exts, &type) || !vec16(&exts, &data))
            return false;
        sha256_hex16(&s, type, n_ext++ ? ',' : 0);
        if (type == EXT_ALPN && !first_alpn(data, &alpn))
            return false;
        /* The server's supported_versions holds the one version it selected. */
        if (type == EXT_SUPPORTED_VERSIONS && (!get16(&data, &version) || data.n))
            return false;
    }
    char ext_hash[HASH_HEX + 1] = "000000000000";
    if (n_ext)
        sha256_final_hex12(&s, ext_hash);

    char alpn_chars[2];
    alpn_code(alpn, alpn_chars);
    snprintf(out, outlen, "t%s%02u%c%c_%04x_%s", version_code(version), count2(n_ext), alpn_chars[0], alpn_chars[1],
             cipher, ext_hash);
    return true;
}

/* ---- the plugin --------------------------------------------------------------------------------------------- */

/* Reads a TLS record header: content type, a 3.x version, length. */
static bool record_header(struct span *s, unsigned *type, unsigned *length)
{
    unsigned version;
    return get8(s, type) && get16(s, &version) && version >> 8 == 3 && get16(s, length);
}

static void on_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                      const struct nfc_packet *pkt)
{
    (void)flow;
    struct ja4_instance *in = instance;
    struct ja4_state *st = state;
    uint8_t direction = (uint8_t)(1u << (pkt->direction & 1));
    if (pkt->protocol != IPPROTO_TCP_NUMBER || (st->examined & direction) || !pkt->payload)
        return;

    /* Whole alert and change_cipher_spec records may come first: some servers send an unrecognized_name warning
     * just before their ServerHello. */
    struct span payload = {pkt->payload, pkt->payload_caplen};
    unsigned content, length;
    do {
        if (!record_header(&payload, &content, &length))
            return;
    } while ((content == TLS_CONTENT_ALERT || content == TLS_CONTENT_CHANGE_CIPHER_SPEC) &&
             take(&payload, length, NULL));
    if (content != TLS_CONTENT_HANDSHAKE)
        return;
    st->examined |= direction;

    /* The hello must lie whole within this record and this segment. */
    struct span record = {payload.p, length < payload.n ? length : payload.n};
    unsigned type, len_hi, len_lo;
    struct span hello;
    if (!get8(&record, &type) || !get8(&record, &len_hi) || !get16(&record, &len_lo) ||
        !take(&record, (size_t)len_hi << 16 | len_lo, &hello))
        return;

    char text[64];
    if (type == HANDSHAKE_CLIENT_HELLO && !st->ja4.text && client_hello(in, hello, text, sizeof text))
        host->string_set(host, &st->ja4, text, strlen(text));
    else if (type == HANDSHAKE_SERVER_HELLO && !st->ja4s.text && server_hello(hello, text, sizeof text))
        host->string_set(host, &st->ja4s, text, strlen(text));
}

static int setup(struct nfc_setup *ctx, void **instance)
{
    struct ja4_instance *in = malloc(sizeof *in);
    if (!in) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    *instance = in;
    return 0;
}

static void teardown(void *instance)
{
    free(instance);
}

static const struct nfc_plugin ja4 = {
    NFC_PLUGIN_ABI,
    .name = "ja4",
    .version = "1.0",
    .description = "JA4 and JA4S TLS fingerprints of TCP flows",
    .state_size = sizeof(struct ja4_state),
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .setup = setup,
    .on_init = on_packet,
    .on_update = on_packet,
    .teardown = teardown,
};

NFC_PLUGIN_EXPORT(ja4)
