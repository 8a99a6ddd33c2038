/* crash: dies in the hook its argument names, of the signal it names, at the Nth call (`--plugin
 * crash.so:hook=on_update,signal=segv,at=1`): hook one of setup, on_init, on_update, on_expire, teardown; signal
 * one of segv, bus, fpe, ill, abrt, or stack (SIGSEGV from overflowing the thread's stack). A test plugin for the
 * command's crash report. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <nfcore/plugin.h>

enum hook { SETUP, ON_INIT, ON_UPDATE, ON_EXPIRE, TEARDOWN };

struct crash {
    enum hook hook;
    int sig;
    int64_t at;
    int64_t calls;
};

static const char *const hooks[] = {"setup", "on_init", "on_update", "on_expire", "teardown"};
static const struct {
    const char *name;
    int sig;
} signals[] = {{"segv", SIGSEGV}, {"bus", SIGBUS}, {"fpe", SIGFPE}, {"ill", SIGILL}, {"abrt", SIGABRT}, {"stack", 0}};

/* Recurses until the stack's guard page faults: each frame, smaller than a page so that none steps over the guard,
 * is written and used after the call, so that the recursion cannot become a loop; the bound, read at run time, is
 * never reached. */
static int overflow(int depth)
{
    static volatile int bound = INT_MAX;
    volatile char frame[1024];
    frame[0] = frame[sizeof frame - 1] = (char)depth;
    if (depth >= bound)
        return 0;
    return overflow(depth + 1) + frame[0];
}

/* Each signal as the fault that brings it, not a raise(): the handler sees what a real crash gives. */
static void crash_now(int sig)
{
    if (sig == 0)
        overflow(0);
    static volatile int zero, one = 1; /* both read at run time: 1 / x compiles to a comparison, not a division */
    switch (sig) {
    case SIGSEGV: *(volatile int *)(uintptr_t)zero = 1; break;
    case SIGFPE: zero = one / zero; break;
    case SIGILL: __builtin_trap();
    case SIGABRT: abort();
    case SIGBUS: {
        /* a page of an empty file: mapped, but no byte behind it */
        FILE *f = tmpfile();
        volatile const char *page = f ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fileno(f), 0) : MAP_FAILED;
        if (page != MAP_FAILED)
            zero = page[0];
        break;
    }
    }
}

static void maybe_crash(struct crash *self, enum hook hook)
{
    if (self->hook == hook && ++self->calls == self->at)
        crash_now(self->sig);
}

static int hook_index(const char *name)
{
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++)
        if (strcmp(name, hooks[i]) == 0)
            return (int)i;
    return -1;
}

static int signal_number(const char *name)
{
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (strcmp(name, signals[i].name) == 0)
            return signals[i].sig;
    return -1;
}

static int setup(struct nfc_setup *ctx, void **instance)
{
    const char *hook = ctx->arg(ctx, "hook"), *sig = ctx->arg(ctx, "signal");
    int h = hook_index(hook ? hook : "on_update"), s = signal_number(sig ? sig : "segv");
    struct crash *self = calloc(1, sizeof *self);
    if (h < 0 || s < 0 || !self) {
        free(self);
        ctx->error(ctx, h < 0 ? "hook: not a hook of this plugin" : s < 0 ? "signal: unknown" : "out of memory");
        return -1;
    }
    *self = (struct crash){.hook = (enum hook)h, .sig = s};
    if (ctx->arg_int(ctx, "at", 1, 1000000, 1, &self->at) < 0) {
        free(self);
        return -1;
    }
    *instance = self;
    maybe_crash(self, SETUP);
    return 0;
}

static void on_init(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                    const struct nfc_packet *pkt)
{
    (void)host, (void)state, (void)flow, (void)pkt;
    maybe_crash(instance, ON_INIT);
}

static void on_update(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                      const struct nfc_packet *pkt)
{
    (void)host, (void)state, (void)flow, (void)pkt;
    maybe_crash(instance, ON_UPDATE);
}

static void on_expire(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow)
{
    (void)host, (void)state, (void)flow;
    maybe_crash(instance, ON_EXPIRE);
}

static void teardown(void *instance)
{
    maybe_crash(instance, TEARDOWN);
    free(instance);
}

static const struct nfc_plugin plugin = {
    NFC_PLUGIN_ABI,         .name = "crash",
    .version = "1.0",       .description = "crashes on demand, for the crash report's test",
    .setup = setup,         .on_init = on_init,
    .on_update = on_update, .on_expire = on_expire,
    .teardown = teardown,
};

NFC_PLUGIN_EXPORT(plugin)
