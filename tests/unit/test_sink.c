/* Sinks (export/sink.h): a synchronous sink returns what its send returned; an asynchronous one never makes the
 * caller wait for a slow send, and every record put is counted exactly once, as sent, dropped or failed. The test
 * sinks encode a sequence number and never read the flow, so records are put without one (NULL). */
#include <check.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export/sink.h"
#include "util/error.h"

enum { MAX_RECORDS = 512 };

struct test_sink {
    uint64_t next_id; /* the caller's thread: the next record's number */
    unsigned send_ms; /* the sink's thread: how long each send takes */
    bool fail_odd;    /* refuse records with an odd number */
    bool fail_encode;
    uint64_t lost; /* what its lost operation says, at close */
    uint64_t received[MAX_RECORDS];
    size_t n_received;
    atomic_bool flushed; /* read by the test while the sink's thread runs */
};

static void sleep_ms(unsigned ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void encode_id(void *state, const struct nfc_flow *flow, struct nfc_text *out)
{
    struct test_sink *t = state;
    ck_assert_ptr_null(flow);
    nfc_text_put_u64(out, t->next_id++);
    out->failed |= t->fail_encode;
}

static int send_id(void *state, const char *bytes, size_t len, char *err, size_t errlen)
{
    struct test_sink *t = state;
    sleep_ms(t->send_ms);
    char text[32];
    ck_assert_uint_lt(len, sizeof text);
    memcpy(text, bytes, len);
    text[len] = '\0';
    uint64_t id = strtoull(text, NULL, 10);
    if (t->fail_odd && id % 2)
        return nfc_errorf(err, errlen, "collector refused record %llu", (unsigned long long)id);
    ck_assert_uint_lt(t->n_received, MAX_RECORDS);
    t->received[t->n_received++] = id;
    return 0;
}

static int flush_ids(void *state, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    atomic_store(&((struct test_sink *)state)->flushed, true);
    return 0;
}

static uint64_t lost_ids(void *state, char *why, size_t whylen)
{
    const struct test_sink *t = state;
    snprintf(why, whylen, "%llu records lost: the collector went away", (unsigned long long)t->lost);
    return t->lost;
}

static const struct nfc_sink_ops test_ops = {
    .encode = encode_id, .send = send_id, .flush = flush_ids, .lost = lost_ids};

static struct nfc_sink *open_sink(struct test_sink *t, size_t queue, uint64_t drain_ms)
{
    struct nfc_sink_options options = {.queue = queue, .drain_ms = drain_ms};
    char err[256] = "";
    struct nfc_sink *s = nfc_sink_open(&test_ops, t, &options, err, sizeof err);
    ck_assert_msg(s != NULL, "nfc_sink_open: %s", err);
    return s;
}

/* Records arrive in the order they were put, each once. */
static void assert_in_order(const struct test_sink *t)
{
    for (size_t i = 1; i < t->n_received; i++)
        ck_assert_uint_lt(t->received[i - 1], t->received[i]);
}

START_TEST(synchronous_sink_returns_the_send_result)
{
    struct test_sink t = {.fail_odd = true};
    struct nfc_sink *s = open_sink(&t, 0, 0);
    ck_assert_int_eq(nfc_sink_put(s, NULL), 0);
    ck_assert_str_eq(nfc_sink_error(s), "");
    ck_assert_int_eq(nfc_sink_put(s, NULL), -1);
    ck_assert_int_eq(nfc_sink_put(s, NULL), 0);
    ck_assert_int_eq(nfc_sink_put(s, NULL), -1);
    ck_assert_str_eq(nfc_sink_error(s), "collector refused record 1"); /* the first failure */
    struct nfc_sink_stats st;
    char err[256] = "";
    ck_assert_int_eq(nfc_sink_close(s, &st, err, sizeof err), -1);
    ck_assert_str_eq(err, "collector refused record 1");
    ck_assert_uint_eq(st.sent, 2);
    ck_assert_uint_eq(st.failed, 2);
    ck_assert_uint_eq(st.dropped, 0);
    ck_assert_uint_eq(t.n_received, 2);
    ck_assert(t.flushed);
}
END_TEST

/* A sink ten times slower than the records come, with a queue of 4: every put returns at once, the records that
 * found the queue full are dropped, the others are all sent once close has drained the queue. */
START_TEST(slow_sink_drops_and_never_blocks)
{
    enum { N = 200, SEND_MS = 2 };
    struct test_sink t = {.send_ms = SEND_MS};
    struct nfc_sink *s = open_sink(&t, 4, 10000);
    uint64_t queued = 0, refused = 0, slowest = 0;
    uint64_t start = now_ms();
    for (int i = 0; i < N; i++) {
        uint64_t before = now_ms();
        if (nfc_sink_put(s, NULL) == 0)
            queued++;
        else
            refused++;
        uint64_t took = now_ms() - before;
        slowest = took > slowest ? took : slowest;
        if (i % 10 == 9)
            sleep_ms(SEND_MS); /* one record in ten finds room */
    }
    uint64_t putting = now_ms() - start;
    struct nfc_sink_stats st;
    char err[256] = "";
    ck_assert_msg(nfc_sink_close(s, &st, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_gt(refused, 0);
    ck_assert_uint_gt(queued, 4);
    ck_assert_uint_eq(st.sent, queued);
    ck_assert_uint_eq(st.dropped, refused);
    ck_assert_uint_eq(st.failed, 0);
    ck_assert_uint_eq(st.sent + st.dropped, N);
    ck_assert_uint_eq(t.n_received, st.sent);
    assert_in_order(&t);
    /* Sending every record would take N * SEND_MS; waiting for the sink at all would show in the slowest put. */
    ck_assert_uint_lt(putting, N * SEND_MS);
    ck_assert_uint_lt(slowest, 50 * SEND_MS);
    ck_assert(t.flushed);
}
END_TEST

/* Close waits for the queue for at most drain_ms (plus the send in progress); what is left is counted dropped. */
START_TEST(close_drains_within_its_bound)
{
    enum { N = 8, SEND_MS = 100, DRAIN_MS = 50 };
    struct test_sink t = {.send_ms = SEND_MS};
    struct nfc_sink *s = open_sink(&t, N, DRAIN_MS);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(nfc_sink_put(s, NULL), 0);
    uint64_t start = now_ms();
    struct nfc_sink_stats st;
    char err[256] = "";
    ck_assert_int_eq(nfc_sink_close(s, &st, err, sizeof err), 0);
    uint64_t closing = now_ms() - start;
    ck_assert_uint_lt(closing, (N - 2) * SEND_MS);
    ck_assert_uint_gt(st.sent, 0);
    ck_assert_uint_gt(st.dropped, 0);
    ck_assert_uint_eq(st.failed, 0);
    ck_assert_uint_eq(st.sent + st.dropped, N);
    ck_assert_uint_eq(t.n_received, st.sent);
    assert_in_order(&t);
}
END_TEST

/* Failed sends are counted, and close gives the first failure's message. */
START_TEST(async_failures_are_counted)
{
    enum { N = 20 };
    struct test_sink t = {.fail_odd = true};
    struct nfc_sink *s = open_sink(&t, N, 10000);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(nfc_sink_put(s, NULL), 0);
    struct nfc_sink_stats st;
    char err[256] = "";
    ck_assert_int_eq(nfc_sink_close(s, &st, err, sizeof err), -1);
    ck_assert_str_eq(err, "collector refused record 1");
    ck_assert_uint_eq(st.sent, N / 2);
    ck_assert_uint_eq(st.failed, N / 2);
    ck_assert_uint_eq(st.dropped, 0);
}
END_TEST

/* A record that cannot be encoded never reaches the queue: it counts as failed, for either kind of sink. */
START_TEST(encode_failure_is_counted)
{
    struct test_sink t = {.fail_encode = true};
    struct nfc_sink *s = open_sink(&t, (size_t)_i, 1000);
    ck_assert_int_eq(nfc_sink_put(s, NULL), -1);
    ck_assert_int_eq(nfc_sink_put(s, NULL), -1);
    struct nfc_sink_stats st;
    char err[256] = "";
    ck_assert_int_eq(nfc_sink_close(s, &st, err, sizeof err), -1);
    ck_assert_str_eq(err, "out of memory");
    ck_assert_uint_eq(st.failed, 2);
    ck_assert_uint_eq(st.sent + st.dropped, 0);
    ck_assert_uint_eq(t.n_received, 0);
}
END_TEST

/* Records that send took but that were lost later count as failed, not sent, with the sink's reason. */
START_TEST(lost_records_count_as_failed)
{
    enum { N = 10 };
    struct test_sink t = {.lost = 3};
    struct nfc_sink *s = open_sink(&t, 16, 10000);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(nfc_sink_put(s, NULL), 0);
    struct nfc_sink_stats st;
    char err[256] = "";
    ck_assert_int_eq(nfc_sink_close(s, &st, err, sizeof err), -1);
    ck_assert_str_eq(err, "3 records lost: the collector went away");
    ck_assert_uint_eq(st.sent, N - 3);
    ck_assert_uint_eq(st.failed, 3);
    ck_assert_uint_eq(t.n_received, N);
}
END_TEST

/* Fewer records than a batch still go out, and are flushed, within the batch wait (50 ms), not at close. */
START_TEST(a_partial_batch_is_sent_and_flushed)
{
    struct test_sink t = {0};
    struct nfc_sink *s = open_sink(&t, 4096, 10000);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(nfc_sink_put(s, NULL), 0);
    uint64_t start = now_ms();
    while (!atomic_load(&t.flushed) && now_ms() - start < 2000)
        sleep_ms(5);
    ck_assert(atomic_load(&t.flushed));
    ck_assert_uint_eq(t.n_received, 5);
    struct nfc_sink_stats st;
    char err[256] = "";
    ck_assert_int_eq(nfc_sink_close(s, &st, err, sizeof err), 0);
    ck_assert_uint_eq(st.sent, 5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sink");
    TCase *sync = tcase_create("synchronous");
    tcase_add_test(sync, synchronous_sink_returns_the_send_result);
    suite_add_tcase(s, sync);
    TCase *async = tcase_create("asynchronous");
    tcase_set_timeout(async, 30);
    tcase_add_test(async, slow_sink_drops_and_never_blocks);
    tcase_add_test(async, close_drains_within_its_bound);
    tcase_add_test(async, async_failures_are_counted);
    tcase_add_loop_test(async, encode_failure_is_counted, 0, 2); /* queue 0 (synchronous) and 1 */
    tcase_add_test(async, lost_records_count_as_failed);
    tcase_add_test(async, a_partial_batch_is_sent_and_flushed);
    suite_add_tcase(s, async);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
