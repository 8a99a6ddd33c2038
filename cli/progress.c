#include "progress.h"

#include "util/clock.h"

enum { CHECK_EVERY = 256 };

static double now_s(void)
{
    return (double)nfc_monotonic_ms() / 1e3;
}

void nfc_progress_init(struct nfc_progress *p, FILE *out, bool enabled)
{
    p->out = out;
    p->enabled = enabled;
    p->start = now_s();
    p->last_draw = p->start;
    p->calls = 0;
}

double nfc_progress_elapsed(const struct nfc_progress *p)
{
    return now_s() - p->start;
}

void nfc_progress_update(struct nfc_progress *p, const struct nfc_engine *eng)
{
    if (!p->enabled || ++p->calls % CHECK_EVERY)
        return;
    double t = now_s();
    if (t - p->last_draw < 0.25)
        return;
    p->last_draw = t;
    struct nfc_stats st;
    nfc_engine_stats(eng, &st);
    double elapsed = t - p->start;
    double pct = st.file_size ? 100.0 * (double)st.bytes_read / (double)st.file_size : 0.0;
    fprintf(p->out, "\r%.1f of %.1f MB (%.0f%%), %.2f M packets/s, %llu flows ", (double)st.bytes_read / 1e6,
            (double)st.file_size / 1e6, pct, elapsed > 0 ? (double)st.packets / elapsed / 1e6 : 0.0,
            (unsigned long long)st.flows);
    fflush(p->out);
}

void nfc_progress_end(struct nfc_progress *p)
{
    if (p->enabled && p->last_draw > p->start) {
        fprintf(p->out, "\r\033[K");
        fflush(p->out);
    }
}
