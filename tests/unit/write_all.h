/* For the unit tests: every flow of an engine through a writer into memory. */
#ifndef NFC_TEST_WRITE_ALL_H
#define NFC_TEST_WRITE_ALL_H

#include <check.h>
#include <stdio.h>

#include <nfcore/nfcore.h>

/* Writes every flow of `eng` in `format` as each comes; *text (to free) receives the output. Returns the number of
 * flows written. */
static inline size_t write_all(struct nfc_engine *eng, enum nfc_format format, char **text)
{
    char err[256] = "";
    size_t len = 0;
    FILE *out = open_memstream(text, &len);
    ck_assert_ptr_nonnull(out);
    struct nfc_writer *w = nfc_writer_open(eng, format, out, err, sizeof err);
    ck_assert_msg(w != NULL, "nfc_writer_open: %s", err);
    const struct nfc_flow *flow;
    size_t n = 0;
    while (nfc_engine_next(eng, &flow) == NFC_NEXT_FLOW) {
        ck_assert_int_eq(nfc_writer_write(w, flow), 0);
        n++;
    }
    ck_assert_msg(nfc_writer_close(w, err, sizeof err) == 0, "nfc_writer_close: %s", err);
    ck_assert_int_eq(fclose(out), 0);
    return n;
}

#endif
