/* The CSV and JSON lines writers (core/export) over records whose values come from the input: strings with
 * invalid UTF-8, quotes, backslashes and control bytes (as a server name or user agent a packet sets), lists,
 * floats, addresses, missing values. The output must keep its structure: as many CSV records and fields as written
 * (RFC 4180), one JSON object per line. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "export/writer.h"
#include "harness.h"
#include "schema/schema.h"

enum { MAX_FLOWS = 8, MAX_STRINGS = 4, MAX_LIST = 16 };

static const struct nfc_column columns[] = {
    {.name = "id", .type = NFC_TYPE_UINT},
    {.name = "src_ip", .type = NFC_TYPE_IP},
    {.name = "src_mac", .type = NFC_TYPE_MAC, .may_be_missing = true},
    {.name = "src2dst_packets", .type = NFC_TYPE_INT},
    {.name = "bidirectional_mean_ps", .type = NFC_TYPE_FLOAT},
    {.name = "requested_server_name", .type = NFC_TYPE_STRING, .may_be_missing = true},
    {.name = "user_agent", .type = NFC_TYPE_STRING, .may_be_missing = true},
    {.name = "splt_ps", .type = NFC_TYPE_INT_LIST, .may_be_missing = true},
    {.name = "udps.names", .type = NFC_TYPE_STRING_LIST, .may_be_missing = true},
    {.name = "content_type", .type = NFC_TYPE_STRING, .may_be_missing = true},
};
enum { N_COLUMNS = sizeof columns / sizeof columns[0] };

/* A record: its values, pointing into the input or into its own storage. */
struct record {
    struct nfc_value values[N_COLUMNS];
    struct nfc_string strings[MAX_STRINGS];
    int64_t list[MAX_LIST]; /* aligned, as the engine's lists are */
    uint8_t ip[16];
    uint8_t mac[6];
};

struct input {
    const uint8_t *p;
    size_t left;
};

static struct nfc_schema schema;

static void get_value(const void *ctx, uint32_t arg, const struct nfc_flow *flow, struct nfc_value *v)
{
    (void)ctx;
    *v = ((const struct record *)(const void *)flow)->values[arg];
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    nfc_schema_init(&schema);
    for (uint32_t i = 0; i < N_COLUMNS; i++)
        fuzz_check(nfc_schema_add(&schema, &columns[i], get_value, NULL, i) == 0, "schema");
    schema.final = true;
    return 0;
}

static uint8_t take_byte(struct input *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

/* Up to n bytes of the input, in place; *len says how many. */
static const uint8_t *take(struct input *in, size_t n, size_t *len)
{
    const uint8_t *p = in->p;
    *len = n < in->left ? n : in->left;
    in->p += *len;
    in->left -= *len;
    return p;
}

static uint64_t take_u64(struct input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | take_byte(in);
    return v;
}

/* A length byte, then that many bytes. */
static void take_string(struct input *in, const char **ptr, size_t *len)
{
    *ptr = (const char *)take(in, take_byte(in), len);
}

static void fill_value(struct record *r, size_t i, struct input *in)
{
    struct nfc_value *v = &r->values[i];
    v->type = columns[i].type;
    uint8_t tag = take_byte(in);
    v->missing = columns[i].may_be_missing && tag == 0xff;
    size_t len;
    switch (v->type) {
    case NFC_TYPE_INT: v->as.i = (int64_t)take_u64(in); break;
    case NFC_TYPE_UINT: v->as.u = take_u64(in); break;
    case NFC_TYPE_FLOAT: {
        uint64_t bits = take_u64(in);
        memcpy(&v->as.f, &bits, sizeof v->as.f);
        break;
    }
    case NFC_TYPE_STRING: take_string(in, &v->as.str.ptr, &v->as.str.len); break;
    case NFC_TYPE_INT_LIST: {
        static const uint8_t widths[3] = {1, 4, 8};
        v->as.list.width = widths[tag % 3];
        size_t count = take_byte(in) % (MAX_LIST + 1);
        const uint8_t *items = take(in, count * v->as.list.width, &len);
        memcpy(r->list, items, len);
        v->as.list.ptr = r->list;
        v->as.list.len = len / v->as.list.width;
        break;
    }
    case NFC_TYPE_STRING_LIST:
        v->as.strings.len = tag % (MAX_STRINGS + 1);
        v->as.strings.ptr = r->strings;
        for (size_t s = 0; s < v->as.strings.len; s++) {
            /* nfc_string's text is NUL-terminated: a copy */
            const char *text;
            take_string(in, &text, &len);
            r->strings[s].buf = r->strings[s].text = malloc(len + 1);
            fuzz_check(r->strings[s].text != NULL, "malloc");
            memcpy(r->strings[s].text, text, len);
            r->strings[s].text[len] = '\0';
            r->strings[s].len = r->strings[s].cap = (uint32_t)len;
        }
        break;
    case NFC_TYPE_IP: {
        v->as.ip.version = tag & 1 ? 6 : 4;
        const uint8_t *bytes = take(in, sizeof r->ip, &len);
        memcpy(r->ip, bytes, len);
        if (v->as.ip.version == 4)
            memset(r->ip + 4, 0, 12);
        v->as.ip.bytes = r->ip;
        break;
    }
    case NFC_TYPE_MAC: {
        v->as.mac.len = tag & 1 ? 3 : 6;
        const uint8_t *bytes = take(in, sizeof r->mac, &len);
        memcpy(r->mac, bytes, len);
        v->as.mac.bytes = r->mac;
        break;
    }
    }
}

/* RFC 4180: the number of records after the header, each with N_COLUMNS fields and ending in a newline; -1 when
 * the text is not that. */
static int csv_records(const char *s, size_t n)
{
    int records = -1; /* the header is the first */
    size_t fields = 1;
    bool quoted = false, field_start = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (quoted) {
            if (c == '"' && i + 1 < n && s[i + 1] == '"')
                i++;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            if (!field_start)
                return -1;
            quoted = true;
        } else if (c == ',') {
            fields++;
            field_start = true;
            continue;
        } else if (c == '\n') {
            if (fields != N_COLUMNS)
                return -1;
            records++;
            fields = 1;
        } else if (c == '\r') {
            return -1;
        }
        field_start = false;
    }
    return quoted || fields != 1 || (n && s[n - 1] != '\n') ? -1 : records;
}

/* A JSON string at *s; false when it is not one (a raw control byte, a bad escape, no end). */
static bool json_string(const char **s, const char *end)
{
    if (*s >= end || **s != '"')
        return false;
    for (const char *p = *s + 1; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20)
            return false;
        if (c == '"') {
            *s = p + 1;
            return true;
        }
        if (c == '\\') {
            if (++p >= end)
                return false;
            if (*p == 'u') {
                if (end - p < 5 || strspn(p + 1, "0123456789abcdef") < 4)
                    return false;
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p)) {
                return false;
            }
        }
    }
    return false;
}

static bool json_scalar(const char **s, const char *end)
{
    if (*s < end && **s == '"')
        return json_string(s, end);
    size_t n = strspn(*s, "-+.0123456789eEnul");
    *s += n;
    return n > 0 && *s <= end;
}

static bool json_value(const char **s, const char *end)
{
    if (*s >= end || **s != '[')
        return json_scalar(s, end);
    ++*s;
    if (*s < end && **s == ']') {
        ++*s;
        return true;
    }
    for (;;) {
        if (!json_scalar(s, end) || *s >= end)
            return false;
        if (**s == ']') {
            ++*s;
            return true;
        }
        if (**s != ',')
            return false;
        ++*s;
    }
}

/* One JSON object of N_COLUMNS members per line; -1 when the text is not that. */
static int json_lines(const char *s, size_t n)
{
    const char *end = s + n;
    int lines = 0;
    while (s < end) {
        if (*s++ != '{')
            return -1;
        for (size_t i = 0; i < N_COLUMNS; i++) {
            if ((i && *s++ != ',') || !json_string(&s, end) || s >= end || *s++ != ':' || !json_value(&s, end))
                return -1;
        }
        if (end - s < 2 || s[0] != '}' || s[1] != '\n')
            return -1;
        s += 2;
        lines++;
    }
    return lines;
}

static void write_records(enum nfc_format format, const struct record *records, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fuzz_check(out != NULL, "open_memstream");
    char err[256];
    struct nfc_writer *w = nfc_writer_open_schema(&schema, format, out, err, sizeof err);
    fuzz_check(w != NULL, "writer opens");
    for (size_t i = 0; i < n; i++)
        fuzz_check(nfc_writer_write(w, (const struct nfc_flow *)(const void *)&records[i]) == 0, "record written");
    fuzz_check(nfc_writer_close(w, err, sizeof err) == 0, "writer closes");
    fuzz_check(fclose(out) == 0, "fclose");
    /* the checks read up to a NUL, which a string may hold: they stop at the text's end all the same */
    if (format == NFC_FORMAT_CSV)
        fuzz_check(csv_records(text, len) == (int)n, "CSV: one record of every field per flow");
    else
        fuzz_check(json_lines(text, len) == (int)n, "JSON lines: one object of every field per flow");
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct record records[MAX_FLOWS];
    struct input in = {data, size};
    size_t n = 0;
    memset(records, 0, sizeof records);
    while (in.left && n < MAX_FLOWS) {
        for (size_t i = 0; i < N_COLUMNS; i++)
            fill_value(&records[n], i, &in);
        n++;
    }
    write_records(NFC_FORMAT_CSV, records, n);
    write_records(NFC_FORMAT_JSONL, records, n);
    for (size_t i = 0; i < n; i++)
        for (size_t s = 0; s < MAX_STRINGS; s++)
            free(records[i].strings[s].buf);
    return 0;
}
