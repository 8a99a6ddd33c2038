/* nfcore plugin SDK.
 *
 * A plugin is a shared object that adds flow features (columns) to nfcore, or acts on flows (ends them early,
 * classifies them). It exports one function, nfc_plugin_entry(), returning a constant descriptor; nfcore loads it
 * with `nfcore --plugin ./my.so[:key=value,...]`. Build one with:
 *
 *     cc -shared -fPIC $(pkg-config --cflags nfcore) my_feature.c -o my_feature.so
 *
 * A complete plugin that counts the packets of a flow with the TCP ACK flag:
 *
 *     #include <nfcore/plugin.h>
 *
 *     struct ack_state { int64_t ack_count; };
 *
 *     static const struct nfc_plugin_field fields[] = {
 *         NFC_FIELD("ack_count", NFC_FIELD_INT, struct ack_state, ack_count, 0),
 *     };
 *
 *     static void count(const struct nfc_host *host, void *instance, void *state,
 *                       const struct nfc_flow_view *flow, const struct nfc_packet *pkt)
 *     {
 *         if (pkt->tcp_flags & NFC_TCP_ACK)
 *             ((struct ack_state *)state)->ack_count++;
 *     }
 *
 *     static const struct nfc_plugin plugin = {
 *         NFC_PLUGIN_ABI,
 *         .name = "ack_count", .version = "1.0", .description = "packets with the ACK flag",
 *         .state_size = sizeof(struct ack_state),
 *         .fields = fields, .n_fields = 1,
 *         .on_init = count, .on_update = count,
 *     };
 *     NFC_PLUGIN_EXPORT(plugin)
 *
 * Versioning: NFC_PLUGIN_ABI_MAJOR changes when anything here changes incompatibly; nfcore refuses a plugin of
 * another major version. A minor version only adds (new members at the end of a struct, new field types, new host
 * functions); nfcore accepts a plugin built for its own or an older minor version.
 *
 * 2.0, from 1.x (rebuild, and adapt as follows):
 *   - One value type, struct nfc_value with enum nfc_type, for nfc_host.read and for libnfcore's public API
 *     (nfc_flow_value); it replaces struct nfc_field_value, whose type was an enum nfc_field_type and whose
 *     `set` is now `missing` (negated). nfc_field_list_at() is nfc_list_at().
 *   - Addresses and MACs are no longer text held inside the value: they read as NFC_TYPE_IP and NFC_TYPE_MAC,
 *     pointing to the flow's bytes, so a copied value never points into its own storage.
 *   - string_set, int_list_append and string_list_append return 0, or -1 when memory runs out or the text is
 *     too long; a failed string_set leaves the string unset instead of keeping its old text.
 *
 * 2.1 adds, for plugins linked into the program that runs the engine (a language binding's bridge) as much as for
 * loaded ones: computed columns (nfc_host.add_column), the columns a plugin can read (nfc_setup.column), the
 * caller's data for a linked plugin (nfc_setup.data), a hook freeing what a state holds (on_release), and the ICMP
 * type and code of a packet (nfc_packet.icmp_type, icmp_code).
 */
#ifndef NFCORE_PLUGIN_H
#define NFCORE_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NFC_PLUGIN_ABI_MAJOR 2
#define NFC_PLUGIN_ABI_MINOR 1

/* The name of the function every plugin exports. */
#define NFC_PLUGIN_ENTRY_SYMBOL "nfc_plugin_entry"

/* ---------------------------------------------------------------------------------------------------------------
 * The packet: decoded once, read by the engine and by every plugin (nfstream's packet fields).
 */

/* Bits of nfc_packet.tcp_flags, as in the TCP header. */
enum {
    NFC_TCP_FIN = 0x01,
    NFC_TCP_SYN = 0x02,
    NFC_TCP_RST = 0x04,
    NFC_TCP_PSH = 0x08,
    NFC_TCP_ACK = 0x10,
    NFC_TCP_URG = 0x20,
    NFC_TCP_ECE = 0x40,
    NFC_TCP_CWR = 0x80,
};

/* nfc_packet.tunnel_id and nfc_flow_view.tunnel_id. */
enum nfc_tunnel {
    NFC_TUNNEL_NONE = 0,
    NFC_TUNNEL_GTP = 1,
    NFC_TUNNEL_CAPWAP = 2,
    NFC_TUNNEL_TZSP = 3,
};

/* One packet, pointing into the captured bytes (valid only during the hook that receives it). Addresses are
 * 16 bytes: an IPv4 address is its 4 bytes followed by 12 zero bytes. Sizes are taken from the headers, not from
 * what was captured, and wrap at 2^16. */
struct nfc_packet {
    uint64_t time_ms;        /* capture time in ms, never earlier than the previous packet's */
    uint64_t delta_time_ms;  /* ms since the flow's previous packet (0 for its first) */
    const uint8_t *ip;       /* the (innermost) IP header */
    const uint8_t *payload;  /* the L4 payload's captured bytes, NULL when none were captured */
    uint16_t ipsize;         /* captured bytes from `ip` to the end of the frame (link padding included) */
    uint16_t payload_caplen; /* captured bytes at `payload` (at most payload_size) */
    uint16_t raw_size;       /* frame length on the wire */
    uint16_t ip_size;        /* IPv4 total length; IPv6 payload length (without the 40-byte header) */
    uint16_t transport_size; /* TCP/UDP/ICMP/ICMPv6 header + data; 0 for other protocols */
    uint16_t payload_size;   /* L4 data; 0 for other protocols */
    uint16_t src_port;       /* this packet's source port (0 unless TCP or UDP) */
    uint16_t dst_port;
    uint16_t vlan_id;   /* innermost 802.1Q VLAN id, 0 when untagged */
    uint8_t protocol;   /* IP protocol number */
    uint8_t ip_version; /* 4 or 6 */
    uint8_t tunnel_id;  /* enum nfc_tunnel */
    uint8_t tcp_flags;  /* NFC_TCP_* bits; 0 unless TCP */
    uint8_t direction;  /* 0: from the flow's src to its dst; 1: the other way */
    uint8_t src_ip[16]; /* this packet's source address */
    uint8_t dst_ip[16];
    uint8_t src_mac[6]; /* this packet's MACs (all zero on link types without them) */
    uint8_t dst_mac[6];
    uint8_t icmp_type; /* 2.1: ICMP and ICMPv6: the message's type and code (0 otherwise) */
    uint8_t icmp_code;
};

/* ---------------------------------------------------------------------------------------------------------------
 * The flow: the engine's own features, read-only. Everything else (statistics, SPLT, application labels, other
 * plugins' fields) is read by name, see nfc_setup.lookup and nfc_host.read.
 */

enum nfc_scope {
    NFC_BIDIRECTIONAL = 0,
    NFC_SRC2DST = 1,
    NFC_DST2SRC = 2,
};

struct nfc_flow_counters {
    uint64_t first_seen_ms; /* all four are 0 for a dst2src scope that has seen no packet */
    uint64_t last_seen_ms;
    uint64_t packets;
    uint64_t bytes; /* in the configured accounting mode */
};

struct nfc_flow_view {
    uint8_t src_ip[16]; /* the sender of the flow's first packet */
    uint8_t dst_ip[16];
    uint8_t src_mac[6];
    uint8_t dst_mac[6];
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t vlan_id;
    uint8_t protocol;
    uint8_t ip_version;
    uint8_t tunnel_id;
    int8_t expiration_id; /* set when the flow ends: 0 idle, 1 active, 2 TCP end, 3 capacity, -1 plugin */
    /* Indexed by enum nfc_scope. On a cache line of their own: they change with every packet, the identity
     * above does not. */
    _Alignas(64) struct nfc_flow_counters scope[3];
};

/* ---------------------------------------------------------------------------------------------------------------
 * Fields: a plugin's output columns (`udps.<name>`) live in its per-flow state, which the engine allocates inside
 * the flow record, zeroed and 16-byte aligned, and frees with the flow. Strings and lists are grown through the
 * host functions, never with malloc in the plugin: the engine frees what they allocated when the flow goes.
 */

enum nfc_field_type {
    NFC_FIELD_INT = 1,         /* int64_t */
    NFC_FIELD_UINT = 2,        /* uint64_t */
    NFC_FIELD_FLOAT = 3,       /* double */
    NFC_FIELD_OPT_INT = 4,     /* struct nfc_opt_int: written empty until .set */
    NFC_FIELD_OPT_FLOAT = 5,   /* struct nfc_opt_float */
    NFC_FIELD_STRING = 6,      /* struct nfc_string: written empty until a text is set */
    NFC_FIELD_INT_LIST = 7,    /* struct nfc_int_list: "[]" until items are appended */
    NFC_FIELD_STRING_LIST = 8, /* struct nfc_string_list */
};

enum nfc_field_flag {
    NFC_FIELD_VOLATILE = 1u << 0, /* readable by later plugins, never exported */
};

struct nfc_opt_int {
    int64_t value;
    bool set;
};

struct nfc_opt_float {
    double value;
    bool set;
};

/* A string field, or one item of a string list. Plugins read text and len; they change a string only through
 * string_set. buf and cap are the host's: the allocation stays while the string is unset, for the next text. */
struct nfc_string {
    char *text;   /* NUL-terminated, pointing to buf; NULL while unset */
    uint32_t len; /* bytes before the NUL */
    uint32_t cap; /* bytes allocated at buf */
    char *buf;
};

/* items[0..len) may be read and written in place, and len may be lowered to shorten the list; it grows only
 * through int_list_append. cap is the host's. */
struct nfc_int_list {
    int64_t *items;
    uint32_t len;
    uint32_t cap;
};

/* items[0..len) may be read; the list changes only through string_list_append and string_list_clear. Lowering
 * len is not allowed: the host frees the texts of items[0..len) alone, so a text beyond len would leak. */
struct nfc_string_list {
    struct nfc_string *items;
    uint32_t len;
    uint32_t cap;
};

struct nfc_plugin_field {
    const char *name; /* exported as udps.<name>; unique across the loaded plugins */
    uint32_t type;    /* enum nfc_field_type */
    uint32_t flags;   /* enum nfc_field_flag bits */
    size_t offset;    /* of the value in the plugin's per-flow state */
};

#define NFC_FIELD(name, type, state_struct, member, flags)      \
    {                                                           \
        (name), (type), (flags), offsetof(state_struct, member) \
    }

/* A handle on a readable value: a core column, or a field of a plugin loaded before this one. */
typedef struct {
    uint32_t id;
} nfc_field_ref;

/* ---------------------------------------------------------------------------------------------------------------
 * Values: a column of one flow as it stands, read by plugins (nfc_host.read) and by libnfcore's users
 * (nfc_flow_value). Whatever a value points to belongs to the flow (its record, a plugin's state, or what they
 * hold), never to the value: it stays valid while the flow does, and a copy of the value reads the same.
 */

enum nfc_type {
    NFC_TYPE_INT,         /* as.i */
    NFC_TYPE_UINT,        /* as.u */
    NFC_TYPE_FLOAT,       /* as.f */
    NFC_TYPE_STRING,      /* as.str: len bytes, not NUL-terminated */
    NFC_TYPE_INT_LIST,    /* as.list: signed integers, read with nfc_list_at() */
    NFC_TYPE_STRING_LIST, /* as.strings */
    NFC_TYPE_IP,          /* as.ip: written as text, a dotted quad or RFC 5952 IPv6 */
    NFC_TYPE_MAC,         /* as.mac: written as text, "aa:bb:cc:dd:ee:ff" (an OUI: its first 3 bytes) */
};

struct nfc_value {
    enum nfc_type type;
    bool missing; /* no value: written as an empty field, null in JSON */
    union {
        int64_t i;
        uint64_t u;
        double f;
        struct {
            const char *ptr;
            size_t len;
        } str;
        struct {
            const void *ptr;
            size_t len;
            uint8_t width; /* bytes per signed element: 1, 4 or 8 */
        } list;
        struct {
            const struct nfc_string *ptr;
            size_t len;
        } strings;
        struct {
            const uint8_t *bytes; /* 16 bytes: an IPv4 address is its 4 bytes followed by 12 zero bytes */
            uint8_t version;      /* 4 or 6 */
        } ip;
        struct {
            const uint8_t *bytes;
            uint8_t len; /* 6, or 3 for an OUI */
        } mac;
    } as;
};

/* Element i of a list of signed integers `width` bytes wide (1, 4 or 8). */
static inline int64_t nfc_int_at(const void *items, uint8_t width, size_t i)
{
    switch (width) {
    case 1: return ((const int8_t *)items)[i];
    case 4: return ((const int32_t *)items)[i];
    default: return ((const int64_t *)items)[i];
    }
}

/* Element i of an NFC_TYPE_INT_LIST value. */
static inline int64_t nfc_list_at(const struct nfc_value *v, size_t i)
{
    return nfc_int_at(v->as.list.ptr, v->as.list.width, i);
}

/* A computed column's value for one flow: `state` is the flow's state of the plugin that added the column, `arg`
 * what it was added with. The value may be of any type (out->type is NFC_TYPE_STRING on entry; set it otherwise)
 * and may be missing; what it points to must stay valid while the flow does (in the state, or in what the state
 * holds and on_release frees). */
typedef void (*nfc_column_read)(void *instance, const void *state, uint32_t arg, struct nfc_value *out);

/* ---------------------------------------------------------------------------------------------------------------
 * What the engine offers a plugin. Valid from setup until teardown; the functions are safe to call from the
 * hooks of the instance that received them.
 */
struct nfc_host {
    uint32_t abi_major;
    uint32_t abi_minor;
    /* Replaces the text of a string field with the len bytes at text; text NULL makes the field unset again
     * (written empty, null in JSON), keeping its allocation for a later text. Returns 0, or -1 when memory runs
     * out or len is 2^32 - 1 or more: the field is then unset, never left with its old text. */
    int (*string_set)(const struct nfc_host *host, struct nfc_string *s, const char *text, size_t len);
    /* Return 0, or -1 (the list unchanged) when memory runs out or, for a text, it is NULL or len is 2^32 - 1 or
     * more. */
    int (*int_list_append)(const struct nfc_host *host, struct nfc_int_list *list, int64_t value);
    int (*string_list_append)(const struct nfc_host *host, struct nfc_string_list *list, const char *text, size_t len);
    /* Empties a string list: frees its texts and keeps the items array for the next appends. */
    void (*string_list_clear)(const struct nfc_host *host, struct nfc_string_list *list);
    /* Ends the flow once every plugin has seen the current packet (expiration_id -1); from on_init, the flow
     * ends at its first packet. The next packet with the same key starts a new flow. Only for plugins whose
     * descriptor has NFC_PLUGIN_MAY_EXPIRE or whose setup called allow_expiry; ignored for others. */
    void (*request_expiry)(const struct nfc_host *host, const struct nfc_flow_view *flow);
    /* Reads a referenced value of this flow, as it stands after the current packet. */
    void (*read)(const struct nfc_host *host, const struct nfc_flow_view *flow, nfc_field_ref ref,
                 struct nfc_value *out);
    /* 2.1: adds a column named `name` (the whole name: a plugin's columns are udps.<name> by convention) whose
     * values `read` computes, among this plugin's columns (after those added before). For columns only known
     * once flows are seen (a binding's plugins whose fields are made as they run): callable from setup, and from
     * the hooks of a plugin that may end flows (they run on the thread that hands flows out) until the engine
     * hands out its first flow, which fixes the columns. Returns 0, or -1 (too late, a name taken, no memory). */
    int (*add_column)(const struct nfc_host *host, const char *name, nfc_column_read read, uint32_t arg);
};

/* What setup() gets: the host, the plugin's arguments, and the means to look up and declare fields. Once setup
 * has succeeded, nfcore refuses any argument whose key the plugin never asked for through arg or arg_int, so
 * that a misspelt key fails rather than leaving a default in place. */
struct nfc_setup {
    const struct nfc_host *host;
    /* The value of `key` in `--plugin PATH:key=value,...`, or NULL. */
    const char *(*arg)(const struct nfc_setup *ctx, const char *key);
    /* The decimal integer value of `key` into *out: `fallback` when the key is absent (it need not lie in
     * [min, max], so an absent key can be told apart). Returns 0, or -1 after setting the error ("argument
     * limit: 'abc' is not an integer in 1..100") when the value is not an integer in [min, max]. */
    int (*arg_int)(struct nfc_setup *ctx, const char *key, int64_t min, int64_t max, int64_t fallback, int64_t *out);
    /* A core column (bidirectional_packets, bidirectional_mean_ps, splt_ps, application_name, ...) or a field of
     * an earlier plugin, by name (without `udps.`). Returns 0, or -1 when there is no such column. */
    int (*lookup)(const struct nfc_setup *ctx, const char *name, nfc_field_ref *ref);
    /* For plugins whose columns depend on their arguments: adds a field (after the descriptor's) and sets the
     * per-flow state size. Returns 0, or -1 (name taken, offset outside the state). */
    int (*declare_field)(struct nfc_setup *ctx, const struct nfc_plugin_field *field);
    void (*set_state_size)(struct nfc_setup *ctx, size_t size);
    /* Reports why setup failed; nfcore prints it and exits with status 2. */
    void (*error)(struct nfc_setup *ctx, const char *message);
    /* The same as NFC_PLUGIN_MAY_EXPIRE in the descriptor, for a plugin whose arguments decide whether it may
     * end flows. nfcore runs such plugins where the flow table is decided, which costs the other meter threads'
     * parallelism: a plugin should ask only when it will use request_expiry. */
    void (*allow_expiry)(struct nfc_setup *ctx);
    /* 2.1: the i-th column this plugin may read (core columns, then earlier plugins' fields): its name (valid
     * until teardown) and a reference for nfc_host.read. Returns -1 past the last. */
    int (*column)(const struct nfc_setup *ctx, size_t i, const char **name, nfc_field_ref *ref);
    /* 2.1: for a plugin linked into the caller (struct nfc_plugin_link in nfcore.h), the data it was linked
     * with; NULL for a plugin loaded from a file. */
    void *data;
};

/* ---------------------------------------------------------------------------------------------------------------
 * The descriptor.
 */

enum nfc_plugin_flag {
    NFC_PLUGIN_MAY_EXPIRE = 1u << 0, /* may call request_expiry */
};

/* Frees what a flow's state holds (nfc_plugin.on_release). */
typedef void (*nfc_state_release)(void *instance, void *state);

/* The hooks get this plugin's host (the one setup got), the instance setup made, and the flow's state. */
typedef void (*nfc_packet_hook)(const struct nfc_host *host, void *instance, void *state,
                                const struct nfc_flow_view *flow, const struct nfc_packet *pkt);

struct nfc_plugin {
    uint32_t abi_major; /* NFC_PLUGIN_ABI_MAJOR, set by NFC_PLUGIN_ABI */
    uint32_t abi_minor;
    const char *name;
    const char *version;
    const char *description;
    size_t state_size; /* bytes of per-flow state (0: none) */
    const struct nfc_plugin_field *fields;
    size_t n_fields;
    uint32_t flags; /* enum nfc_plugin_flag bits */
    /* Once per meter, before any packet: returns 0 and sets *instance (may stay NULL), or non-zero after
     * ctx->error() (a failed arg_int has set the error already). May be NULL. */
    int (*setup)(struct nfc_setup *ctx, void **instance);
    /* A flow's first packet, after the engine has counted it. May be NULL. */
    nfc_packet_hook on_init;
    /* Each later packet, after the engine has counted it (its statistics, SPLT and labels included). */
    nfc_packet_hook on_update;
    /* The flow ends: the engine's features are final. Last chance to fill fields. */
    void (*on_expire)(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow);
    /* Once per meter, after the last flow. May be NULL. */
    void (*teardown)(void *instance);
    /* 2.1 (read only from descriptors of minor version 1 or more): frees what the flow's state holds beyond its
     * fields (which the engine frees), when the flow's record goes: after on_expire and the flow's export, on the
     * thread that hands flows out, with the first meter's instance. May be NULL. */
    nfc_state_release on_release;
};

#define NFC_PLUGIN_ABI .abi_major = NFC_PLUGIN_ABI_MAJOR, .abi_minor = NFC_PLUGIN_ABI_MINOR

typedef const struct nfc_plugin *(*nfc_plugin_entry_fn)(void);

#define NFC_PLUGIN_EXPORT(descriptor)                                                       \
    __attribute__((visibility("default"))) const struct nfc_plugin *nfc_plugin_entry(void); \
    const struct nfc_plugin *nfc_plugin_entry(void)                                         \
    {                                                                                       \
        return &(descriptor);                                                               \
    }

#ifdef __cplusplus
}
#endif

#endif
