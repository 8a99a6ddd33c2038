/* Ctrl+C during a live capture. Python's SIGINT handler only notes the signal, and a thread waiting in
 * nfc_engine_next for packets would not return until a flow expired. While live engines wait, SIGINT first stops
 * them (nfc_engine_stop is async-signal-safe), then reaches Python's handler as before; the engine object turns
 * the KeyboardInterrupt into the end of the capture once its open flows are out. */
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>

#include "nfcore_py.h"

enum { MAX_WATCHED = 64 };

/* Written under the GIL, read by the handler on any thread. */
static struct nfc_engine *_Atomic watched[MAX_WATCHED];
static size_t n_watched;
/* Handlers between loading an engine and stopping it: an engine is closed only once none is, so that a handler on
 * another thread never stops an engine already freed. */
static atomic_int in_handler;
static struct sigaction previous;
static bool installed;

static void on_interrupt(int sig, siginfo_t *info, void *context)
{
    atomic_fetch_add(&in_handler, 1);
    for (size_t i = 0; i < MAX_WATCHED; i++) {
        struct nfc_engine *eng = atomic_load(&watched[i]);
        if (eng)
            nfc_engine_stop(eng);
    }
    atomic_fetch_sub(&in_handler, 1);
    if (previous.sa_flags & SA_SIGINFO)
        previous.sa_sigaction(sig, info, context);
    else
        previous.sa_handler(sig);
}

/* Only over a handler of Python's (or the embedder's): a default or ignored SIGINT is left as it is. */
static void install(void)
{
    struct sigaction current;
    if (sigaction(SIGINT, NULL, &current) < 0)
        return;
    if (!(current.sa_flags & SA_SIGINFO) && (current.sa_handler == SIG_DFL || current.sa_handler == SIG_IGN))
        return;
    previous = current;
    struct sigaction sa = {0};
    sa.sa_sigaction = on_interrupt;
    sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: the capture's wait returns at once */
    sigemptyset(&sa.sa_mask);
    installed = sigaction(SIGINT, &sa, NULL) == 0;
}

static void uninstall(void)
{
    struct sigaction current;
    /* Put Python's handler back unless someone replaced ours meanwhile. */
    if (sigaction(SIGINT, NULL, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
        current.sa_sigaction == on_interrupt)
        sigaction(SIGINT, &previous, NULL);
    installed = false;
}

void nfcpy_interrupt_watch(struct nfc_engine *eng)
{
    for (size_t i = 0; i < MAX_WATCHED; i++) {
        if (!atomic_load(&watched[i])) {
            atomic_store(&watched[i], eng);
            if (n_watched++ == 0)
                install();
            return;
        }
    }
}

void nfcpy_interrupt_unwatch(struct nfc_engine *eng)
{
    for (size_t i = 0; i < MAX_WATCHED; i++) {
        if (atomic_load(&watched[i]) == eng) {
            atomic_store(&watched[i], NULL);
            if (--n_watched == 0 && installed)
                uninstall();
            /* A handler running on another thread may still hold the engine: it is a few stores away from done. */
            while (atomic_load(&in_handler))
                sched_yield();
            return;
        }
    }
}
