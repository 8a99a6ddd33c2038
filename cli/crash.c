#include "crash.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nfcore/nfcore.h>

static const struct {
    int sig;
    const char *name;
} watched[] = {
    {SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"}, {SIGILL, "SIGILL"}, {SIGABRT, "SIGABRT"},
};

enum { N_WATCHED = sizeof watched / sizeof watched[0] };

static struct sigaction previous[N_WATCHED];

/* Appends s to the line, as far as it fits (strcat is not async-signal-safe by the standard's list). */
static size_t append(char *line, size_t len, size_t size, const char *s)
{
    while (*s && len + 1 < size)
        line[len++] = *s++;
    return len;
}

static void on_crash(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    size_t i = 0;
    while (i < N_WATCHED - 1 && watched[i].sig != sig)
        i++;
    const char *name, *path, *hook;
    /* Meters that crash together (a plugin's instances fed alike) say it once: the first one's line. Another
     * thread's fault waits for that line before it lets the process die (at most a second). */
    enum { NONE, WRITING, WRITTEN };
    static atomic_int line_state = NONE;
    int none = NONE;
    if (nfc_plugin_running(&name, &path, &hook) && atomic_compare_exchange_strong(&line_state, &none, WRITING)) {
        char line[1024];
        size_t len = 0;
        const char *parts[] = {"nfcore: plugin '", name, "' (", path, ") crashed in ", hook, ": ", watched[i].name};
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
            len = append(line, len, sizeof line, parts[p]);
        line[len++] = '\n';
        ssize_t written = write(STDERR_FILENO, line, len);
        (void)written;
        atomic_store(&line_state, WRITTEN);
    }
    const struct timespec ms = {0, 1000000};
    for (int waited = 0; atomic_load(&line_state) == WRITING && waited < 1000; waited++)
        nanosleep(&ms, NULL);
    sigaction(sig, &previous[i], NULL);
    /* A fault comes back when its instruction runs again, with its own context; a signal sent (abort, kill) is
     * sent again. Either way the previous disposition takes it. */
    if (info->si_code <= 0)
        raise(sig);
}

void nfc_cli_crash_report_install(void)
{
    /* With -j 1 plugins run on this thread: a plugin that overflows its stack is reported from this one (the
     * library's threads have theirs). A stack already set (a sanitizer's) is kept. */
    static char signal_stack[64 * 1024];
    stack_t ours = {.ss_sp = signal_stack, .ss_size = sizeof signal_stack}, current;
    if (sigaltstack(NULL, &current) == 0 && (current.ss_flags & SS_DISABLE))
        sigaltstack(&ours, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_WATCHED; i++)
        sigaction(watched[i].sig, &sa, &previous[i]);
}
