#include "util/thread.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/alloc.h"

/* Room for a handler that formats a line: a fault's handler runs here when the thread's own stack is spent. */
enum { SIGNAL_STACK_SIZE = 64 * 1024 };

static void *run(void *arg)
{
    struct nfc_thread *t = arg;
    /* A stack already there (a sanitizer's) is left in place: its owner frees it when the thread ends. */
    stack_t ours = {.ss_sp = t->signal_stack, .ss_size = SIGNAL_STACK_SIZE}, previous;
    bool own = sigaltstack(NULL, &previous) == 0 && (previous.ss_flags & SS_DISABLE) && sigaltstack(&ours, NULL) == 0;
    void *result = t->main(t->arg);
    if (own) {
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
    }
    return result;
}

int nfc_thread_start(struct nfc_thread *t, void *(*main)(void *), void *arg)
{
    *t = (struct nfc_thread){.main = main, .arg = arg};
    if (!(t->signal_stack = nfc_malloc(SIGNAL_STACK_SIZE)))
        return ENOMEM;
    sigset_t blocked, previous;
    sigfillset(&blocked);
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        sigdelset(&blocked, faults[i]);
    /* The new thread inherits the mask in force when it is created; the caller's own is put back at once. */
    pthread_sigmask(SIG_SETMASK, &blocked, &previous);
    int rc = pthread_create(&t->id, NULL, run, t);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0) {
        nfc_free(t->signal_stack);
        t->signal_stack = NULL;
    }
    return rc;
}

const char *nfc_thread_error(int rc)
{
    return rc == ENOMEM ? "out of memory" : strerror(rc);
}

void nfc_thread_join(struct nfc_thread *t)
{
    pthread_join(t->id, NULL);
    nfc_free(t->signal_stack);
    t->signal_stack = NULL;
}
