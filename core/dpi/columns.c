#include "dpi/columns.h"

#include <assert.h>

#include "dpi/dpi.h"

enum {
    GUESSED = NFC_DPI_TEXT_COUNT, /* the kinds of label: the texts, then these two */
    CONFIDENCE,
    KIND_BITS = 4, /* a getter's argument: the state's offset, shifted, then the kind */
};

static void get(const void *ctx, uint32_t arg, const struct nfc_flow *flow, struct nfc_value *v)
{
    (void)ctx;
    const struct nfc_dpi_result *r = nfc_dpi_result(flow, arg >> KIND_BITS);
    unsigned kind = arg & ((1u << KIND_BITS) - 1);
    switch (kind) {
    case GUESSED: v->as.u = r->is_guessed; break;
    case CONFIDENCE: v->as.u = r->confidence; break;
    default:
        v->as.str.ptr = r->text ? r->text + r->off[kind] : "";
        v->as.str.len = r->text ? r->len[kind] : 0;
        break;
    }
}

int nfc_dpi_register_columns(struct nfc_schema *s, size_t result_off)
{
    static const struct {
        unsigned kind;
        struct nfc_column column;
    } columns[] = {
        /* in nfstream's order */
        {NFC_DPI_APPLICATION_NAME, {.name = "application_name", .type = NFC_TYPE_STRING, .ipfix_id = 96}},
        {NFC_DPI_CATEGORY_NAME, {.name = "application_category_name", .type = NFC_TYPE_STRING}},
        {GUESSED, {.name = "application_is_guessed", .type = NFC_TYPE_UINT}},
        {CONFIDENCE, {.name = "application_confidence", .type = NFC_TYPE_UINT}},
        {NFC_DPI_SERVER_NAME, {.name = "requested_server_name", .type = NFC_TYPE_STRING}},
        {NFC_DPI_CLIENT_FINGERPRINT, {.name = "client_fingerprint", .type = NFC_TYPE_STRING}},
        {NFC_DPI_SERVER_FINGERPRINT, {.name = "server_fingerprint", .type = NFC_TYPE_STRING}},
        {NFC_DPI_USER_AGENT, {.name = "user_agent", .type = NFC_TYPE_STRING}},
        {NFC_DPI_CONTENT_TYPE, {.name = "content_type", .type = NFC_TYPE_STRING}},
    };
    static_assert(CONFIDENCE < 1u << KIND_BITS, "a label's kind fits its bits");
    assert(result_off < UINT32_MAX >> KIND_BITS);
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        if (nfc_schema_add(s, &columns[i].column, get, NULL, (uint32_t)result_off << KIND_BITS | columns[i].kind) < 0)
            return -1;
    return 0;
}
