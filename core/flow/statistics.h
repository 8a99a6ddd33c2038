/* Post-mortem statistics of one flow scope (bidirectional, src2dst or dst2src): packet sizes, inter-arrival
 * times and TCP flag counts, with nfstream's running formulas (spec §4.3). */
#ifndef NFC_FLOW_STATISTICS_H
#define NFC_FLOW_STATISTICS_H

#include <stdint.h>

enum nfc_flag_index {
    NFC_FLAG_SYN,
    NFC_FLAG_CWR,
    NFC_FLAG_ECE,
    NFC_FLAG_URG,
    NFC_FLAG_ACK,
    NFC_FLAG_PSH,
    NFC_FLAG_RST,
    NFC_FLAG_FIN,
    NFC_FLAG_COUNT
};

struct nfc_scope_statistics {
    double ps_mean;
    double ps_m2;
    double piat_mean;
    double piat_m2;
    uint64_t piat_min;
    uint64_t piat_max;
    uint64_t flags[NFC_FLAG_COUNT];
    uint16_t ps_min;
    uint16_t ps_max;
};

/* The scope's first packet. */
void nfc_statistics_first(struct nfc_scope_statistics *s, uint16_t size, uint8_t tcp_flags);

/* A later packet: `n` is the scope's packet count including this one (>= 2), `piat` the gap to the scope's
 * previous packet. */
void nfc_statistics_add(struct nfc_scope_statistics *s, uint64_t n, uint16_t size, uint64_t piat, uint8_t tcp_flags);

/* Final values for a scope of `n` packets (0.0 where the formula has no sample). */
double nfc_statistics_ps_stddev(const struct nfc_scope_statistics *s, uint64_t n);
double nfc_statistics_piat_stddev(const struct nfc_scope_statistics *s, uint64_t n);

#endif
