/* Shared machinery: the threads of the library (meters, the sink's). Such a thread takes no asynchronous signal,
 * so that a process's handler of SIGINT, SIGTERM or SIGHUP runs on a thread of the caller's and never on one of
 * these while the engine it reads is closing; and it has an alternate signal stack, so that a handler installed
 * with SA_ONSTACK (the command's crash report) still runs after a plugin overflowed the thread's stack. Faults
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS) and SIGABRT reach the thread that caused them. */
#ifndef NFC_UTIL_THREAD_H
#define NFC_UTIL_THREAD_H

#include <pthread.h>

struct nfc_thread {
    pthread_t id;
    void *(*main)(void *);
    void *arg;
    void *signal_stack;
};

/* Starts main(arg) on a new thread; t must stay where it is until nfc_thread_join. Returns 0, or an error number:
 * ENOMEM when the signal stack could not be had, else pthread_create's. */
int nfc_thread_start(struct nfc_thread *t, void *(*main)(void *), void *arg);

/* What nfc_thread_start's error number means, for a one-line message. */
const char *nfc_thread_error(int rc);

/* Waits for the thread to end and frees what nfc_thread_start took. */
void nfc_thread_join(struct nfc_thread *t);

#endif
