/* The --kafka option parser (core/export/kafka/options.c): brokers, topic, key and librdkafka properties. An
 * accepted list names brokers and a topic, and every property a name. */
#include <stdlib.h>
#include <string.h>

#include "export/kafka/kafka.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    fuzz_check(text != NULL, "strndup");
    struct nfc_kafka_options o;
    memset(&o, 0, sizeof o);
    char err[256] = "";
    if (nfc_kafka_options_parse(text, &o, err, sizeof err) == 0) {
        fuzz_check(o.brokers && o.brokers[0] && o.topic && o.topic[0], "brokers and topic");
        for (size_t i = 0; i < o.n_properties; i++)
            fuzz_check(o.properties[i].name[0] != '\0' && o.properties[i].value != NULL, "a property has a name");
    } else {
        fuzz_check(err[0] != '\0', "a refusal has a message");
    }
    nfc_kafka_options_free(&o);
    free(text);
    return 0;
}
