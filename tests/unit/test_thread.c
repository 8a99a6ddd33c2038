/* The library's threads (util/thread.h): no asynchronous signal reaches them, faults do, they run on an alternate
 * signal stack, and the caller's own mask is left as it was. */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "util/thread.h"

struct seen {
    sigset_t mask;
    stack_t signal_stack;
};

static void *look(void *arg)
{
    struct seen *seen = arg;
    pthread_sigmask(SIG_BLOCK, NULL, &seen->mask);
    sigaltstack(NULL, &seen->signal_stack);
    return NULL;
}

START_TEST(asynchronous_signals_are_blocked_faults_are_not)
{
    sigset_t before, after;
    pthread_sigmask(SIG_BLOCK, NULL, &before);
    struct seen seen;
    struct nfc_thread t;
    ck_assert_int_eq(nfc_thread_start(&t, look, &seen), 0);
    nfc_thread_join(&t);
    ck_assert_ptr_null(t.signal_stack);
    static const int blocked[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGPIPE};
    for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
        ck_assert_msg(sigismember(&seen.mask, blocked[i]) == 1, "signal %d reaches the thread", blocked[i]);
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        ck_assert_msg(sigismember(&seen.mask, faults[i]) == 0, "fault %d is blocked", faults[i]);
    pthread_sigmask(SIG_BLOCK, NULL, &after);
    for (int sig = 1; sig < SIGRTMIN; sig++)
        ck_assert_int_eq(sigismember(&after, sig), sigismember(&before, sig));
}
END_TEST

START_TEST(the_thread_has_an_alternate_signal_stack)
{
    struct seen seen;
    struct nfc_thread t;
    ck_assert_int_eq(nfc_thread_start(&t, look, &seen), 0);
    void *ours = t.signal_stack;
    nfc_thread_join(&t);
    ck_assert_int_eq(seen.signal_stack.ss_flags & SS_DISABLE, 0);
    /* Ours, unless a sanitizer gave the thread its own first. */
    if (seen.signal_stack.ss_sp == ours)
        ck_assert_uint_eq(seen.signal_stack.ss_size, 64 * 1024);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("thread");
    TCase *tc = tcase_create("start");
    tcase_add_test(tc, asynchronous_signals_are_blocked_faults_are_not);
    tcase_add_test(tc, the_thread_has_an_alternate_signal_stack);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
