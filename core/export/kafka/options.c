/* --kafka's text: the fields nfcore reads (brokers, topic, key) and librdkafka's properties, passed through. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "export/kafka/kafka.h"
#include "util/alloc.h"
#include "util/error.h"

/* Whether the item that starts at `s` (up to the next comma) is NAME=VALUE rather than the previous value's
 * continuation. */
static bool starts_field(const char *s)
{
    size_t n = strcspn(s, ",");
    return memchr(s, '=', n) != NULL;
}

static int set_field(struct nfc_kafka_options *o, char *name, char *value, char *err, size_t errlen)
{
    if (!*value)
        return nfc_errorf(err, errlen, "%s has an empty value", name);
    if (strcmp(name, "brokers") == 0 || strcmp(name, "topic") == 0) {
        const char **field = name[0] == 'b' ? &o->brokers : &o->topic;
        if (*field)
            return nfc_errorf(err, errlen, "%s is given twice", name);
        *field = value;
        return 0;
    }
    if (strcmp(name, "key") == 0) {
        if (strcmp(value, "community_id") == 0)
            o->key = NFC_KAFKA_KEY_COMMUNITY_ID;
        else if (strcmp(value, "none") == 0)
            o->key = NFC_KAFKA_KEY_NONE;
        else
            return nfc_errorf(err, errlen, "key: unknown key '%s' (valid: community_id, none)", value);
        return 0;
    }
    o->properties[o->n_properties++] = (struct nfc_kafka_property){name, value};
    return 0;
}

int nfc_kafka_options_parse(const char *text, struct nfc_kafka_options *o, char *err, size_t errlen)
{
    size_t n_items = 1;
    for (const char *c = text; *c; c++)
        n_items += *c == ',';
    o->text = nfc_strdup(text);
    o->properties = nfc_calloc(n_items, sizeof *o->properties);
    if (!o->text || !o->properties)
        return nfc_errorf(err, errlen, "out of memory");
    if (!starts_field(o->text))
        return nfc_errorf(err, errlen, "'%.*s' is not NAME=VALUE", (int)strcspn(o->text, ","), o->text);
    for (char *item = o->text, *next; item; item = next) {
        next = item;
        /* The item ends at the first comma that starts another field. */
        while ((next = strchr(next, ',')) && !starts_field(next + 1))
            next++;
        if (next)
            *next++ = '\0';
        char *eq = strchr(item, '=');
        *eq = '\0';
        if (!*item)
            return nfc_errorf(err, errlen, "'=%s' has no name", eq + 1);
        if (set_field(o, item, eq + 1, err, errlen) < 0)
            return -1;
    }
    if (!o->brokers || !o->topic)
        return nfc_errorf(err, errlen, "%s is missing (brokers=H:P[,H:P],topic=T[,key=community_id|none][,PROP=VALUE])",
                          o->brokers ? "topic" : "brokers");
    return 0;
}

void nfc_kafka_options_free(struct nfc_kafka_options *o)
{
    nfc_free(o->properties);
    nfc_free(o->text);
    o->properties = NULL;
    o->text = NULL;
    o->n_properties = 0;
    o->brokers = o->topic = NULL;
}
