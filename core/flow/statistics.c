#include "flow/statistics.h"

#include <math.h>

#include "decode/decode.h"

/* Flag order of the output columns: syn, cwr, ece, urg, ack, psh, rst, fin. */
static const uint8_t flag_bits[NFC_FLAG_COUNT] = {
    NFC_TCP_SYN, NFC_TCP_CWR, NFC_TCP_ECE, NFC_TCP_URG, NFC_TCP_ACK, NFC_TCP_PSH, NFC_TCP_RST, NFC_TCP_FIN,
};

static void count_flags(struct nfc_scope_statistics *s, uint8_t tcp_flags)
{
    if (!tcp_flags)
        return;
    for (int i = 0; i < NFC_FLAG_COUNT; i++)
        s->flags[i] += (tcp_flags & flag_bits[i]) != 0;
}

void nfc_statistics_first(struct nfc_scope_statistics *s, uint16_t size, uint8_t tcp_flags)
{
    s->ps_min = size;
    s->ps_max = size;
    s->ps_mean = size;
    count_flags(s, tcp_flags);
}

void nfc_statistics_add(struct nfc_scope_statistics *s, uint64_t n, uint16_t size, uint64_t piat, uint8_t tcp_flags)
{
    count_flags(s, tcp_flags);

    if (size > s->ps_max)
        s->ps_max = size;
    if (size < s->ps_min)
        s->ps_min = size;
    /* Welford, operation for operation as nfstream computes it, so the doubles match to the last bit. */
    double old = s->ps_mean;
    s->ps_mean += (size - old) / (double)n;
    s->ps_m2 += (size - old) * (size - s->ps_mean);

    if (n == 2) {
        s->piat_min = piat;
        s->piat_max = piat;
        s->piat_mean = (double)piat;
        return;
    }
    if (piat > s->piat_max)
        s->piat_max = piat;
    if (piat < s->piat_min)
        s->piat_min = piat;
    double dpiat = (double)piat;
    double old_piat = s->piat_mean;
    s->piat_mean += (dpiat - old_piat) / (double)(n - 1);
    s->piat_m2 += (dpiat - old_piat) * (dpiat - s->piat_mean);
}

double nfc_statistics_ps_stddev(const struct nfc_scope_statistics *s, uint64_t n)
{
    return n > 1 ? sqrt(s->ps_m2 / (double)(n - 1)) : 0.0;
}

double nfc_statistics_piat_stddev(const struct nfc_scope_statistics *s, uint64_t n)
{
    return n > 2 ? sqrt(s->piat_m2 / (double)(n - 2)) : 0.0;
}
