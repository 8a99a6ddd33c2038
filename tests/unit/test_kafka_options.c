/* --kafka's text (core/export/kafka/options.c): nfcore's fields, librdkafka's properties in order, a comma before
 * text without '=' continuing the value before it, and the one-line refusals. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "export/kafka/kafka.h"

static struct nfc_kafka_options o;
static char err[256];

static int parse(const char *text)
{
    nfc_kafka_options_free(&o);
    memset(&o, 0, sizeof o);
    err[0] = '\0';
    return nfc_kafka_options_parse(text, &o, err, sizeof err);
}

static void teardown(void)
{
    nfc_kafka_options_free(&o);
}

START_TEST(fields_and_properties)
{
    ck_assert_int_eq(parse("brokers=k1:9092,[::1]:9093,topic=flows,linger.ms=50,debug=broker,msg,key=none"), 0);
    ck_assert_str_eq(o.brokers, "k1:9092,[::1]:9093");
    ck_assert_str_eq(o.topic, "flows");
    ck_assert_int_eq(o.key, NFC_KAFKA_KEY_NONE);
    ck_assert_uint_eq(o.n_properties, 2);
    ck_assert_str_eq(o.properties[0].name, "linger.ms");
    ck_assert_str_eq(o.properties[0].value, "50");
    ck_assert_str_eq(o.properties[1].name, "debug");
    ck_assert_str_eq(o.properties[1].value, "broker,msg");
}
END_TEST

START_TEST(key_defaults_and_community_id)
{
    ck_assert_int_eq(parse("topic=t,brokers=h:1"), 0);
    ck_assert_int_eq(o.key, NFC_KAFKA_KEY_DEFAULT);
    ck_assert_uint_eq(o.n_properties, 0);
    ck_assert_int_eq(parse("brokers=h:1,topic=t,key=community_id"), 0);
    ck_assert_int_eq(o.key, NFC_KAFKA_KEY_COMMUNITY_ID);
}
END_TEST

START_TEST(refusals)
{
    static const char *const cases[][2] = {
        {"", "'' is not NAME=VALUE"},
        {"h:1,topic=t", "'h:1' is not NAME=VALUE"},
        {"brokers=h:1", "topic is missing (brokers=H:P[,H:P],topic=T[,key=community_id|none][,PROP=VALUE])"},
        {"topic=t", "brokers is missing (brokers=H:P[,H:P],topic=T[,key=community_id|none][,PROP=VALUE])"},
        {"brokers=h:1,topic=t,=x", "'=x' has no name"},
        {"brokers=,topic=t", "brokers has an empty value"},
        {"brokers=h:1,topic=t,brokers=h:2", "brokers is given twice"},
        {"brokers=h:1,topic=t,key=src_ip", "key: unknown key 'src_ip' (valid: community_id, none)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(parse(cases[i][0]), -1);
        ck_assert_str_eq(err, cases[i][1]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kafka_options");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, fields_and_properties);
    tcase_add_test(tc, key_defaults_and_community_id);
    tcase_add_test(tc, refusals);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
