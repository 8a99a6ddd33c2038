/* Flow hooks and per-flow state slots (flow/hooks.h, flow/flow.h), with recording hooks driven through the flow
 * cache: registration order, the packets each hook reads, what it sees of the features, clones and teardown. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nfcore/nfcore.h>

#include "decode/decode.h"
#include "flow/cache.h"
#include "flow/flow.h"
#include "flow/hooks.h"

/* What every recording hook did, in the order it happened: "<name><event><k>" entries, event i(nit), u(pdate),
 * e(xpire), r(elease), c(lose). */
static char trace[512];

struct recorder {
    char name;
    size_t slot;
    uint64_t packets_seen; /* the flow's bidirectional packet count when its update ran */
};

static struct recorder recorders[4];
static size_t n_recorders;

static void note(const struct recorder *r, char event, uint64_t k)
{
    size_t len = strlen(trace);
    snprintf(trace + len, sizeof trace - len, "%c%c%llu ", r->name, event, (unsigned long long)k);
}

static uint64_t *state(const struct recorder *r, struct nfc_flow *f)
{
    return (uint64_t *)(f->ext + r->slot);
}

static void rec_init(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt)
{
    (void)pkt;
    ck_assert_uint_eq(*state(ctx, f), 0); /* a slot starts zeroed */
    *state(ctx, f) = 1;
    note(ctx, 'i', 1);
}

static void rec_update(void *ctx, struct nfc_flow *f, const struct nfc_packet *pkt, uint64_t k)
{
    (void)pkt;
    struct recorder *r = ctx;
    (*state(r, f))++;
    r->packets_seen = f->view.scope[NFC_BIDIRECTIONAL].packets;
    note(r, 'u', k);
}

static void rec_expire(void *ctx, struct nfc_flow *f)
{
    note(ctx, 'e', *state(ctx, f));
}

static void rec_release(void *ctx, struct nfc_flow *f)
{
    note(ctx, 'r', *state(ctx, f));
}

static void rec_close(void *ctx)
{
    note(ctx, 'c', 0);
}

static void add_recorder(struct recorder *r, struct nfc_flow_hooks *into, uint32_t packets, uint32_t flags);

static int rec_clone(void *ctx, struct nfc_flow_hooks *into, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const struct recorder *r = ctx;
    struct recorder *copy = &recorders[n_recorders++];
    *copy = (struct recorder){.name = (char)(r->name + 'a' - 'A'), .slot = r->slot};
    add_recorder(copy, into, 0, 0);
    return 0;
}

static void add_recorder(struct recorder *r, struct nfc_flow_hooks *into, uint32_t packets, uint32_t flags)
{
    nfc_flow_hooks_add(into, &(struct nfc_flow_hook){
                                 .init = rec_init,
                                 .update = rec_update,
                                 .expire = rec_expire,
                                 .release = rec_release,
                                 .clone = rec_clone,
                                 .close = rec_close,
                                 .ctx = r,
                                 .packets = packets,
                                 .flags = flags,
                             });
}

/* Two recorders: A reads a flow's first 2 packets, B every packet and the features. */
static void set_up(struct nfc_flow_params *p)
{
    memset(trace, 0, sizeof trace);
    n_recorders = 2;
    recorders[0] = (struct recorder){.name = 'A'};
    recorders[1] = (struct recorder){.name = 'B'};
    *p = (struct nfc_flow_params){.statistics = true, .splt = 3};
    recorders[0].slot = nfc_flow_slot(p, 8, 8);
    add_recorder(&recorders[0], &p->hooks, 2, 0);
    recorders[1].slot = nfc_flow_slot(p, 8, 64);
    add_recorder(&recorders[1], &p->hooks, 0, NFC_HOOK_READS_FEATURES);
    nfc_flow_params_layout(p);
}

START_TEST(slots_lead_ext_in_order_and_the_features_follow)
{
    struct nfc_flow_params p;
    set_up(&p);
    ck_assert_uint_eq(recorders[0].slot, 0);
    ck_assert_uint_eq(recorders[1].slot, 64);
    ck_assert_uint_eq(p.slots_size, 72);
    ck_assert_uint_eq(p.stats_off, 72);
    ck_assert_uint_ge(p.splt_piat_off, p.stats_off + NFC_SCOPE_COUNT * sizeof(struct nfc_scope_statistics));
    ck_assert_uint_eq(p.record_size % 8, 0);
    ck_assert_uint_ge(p.record_size, sizeof(struct nfc_flow) + p.splt_direction_off + p.splt);
    ck_assert_uint_eq(offsetof(struct nfc_flow, ext) % 64, 0);
    nfc_flow_hooks_close(&p.hooks);
}
END_TEST

START_TEST(no_slot_no_feature_no_ext)
{
    struct nfc_flow_params p = {0};
    nfc_flow_params_layout(&p);
    ck_assert_uint_eq(p.record_size, sizeof(struct nfc_flow));
}
END_TEST

START_TEST(what_the_list_says_the_hooks_read)
{
    struct nfc_flow_params p;
    set_up(&p);
    ck_assert_uint_eq(p.hooks.n, 2);
    ck_assert_uint_eq(p.hooks.packets, 0); /* B reads every packet */
    ck_assert_uint_eq(p.hooks.flags, NFC_HOOK_READS_FEATURES);
    ck_assert(nfc_flow_hooks_read(&p.hooks, 1000000));

    struct nfc_flow_hooks bounded = {0};
    add_recorder(&recorders[0], &bounded, 2, 0);
    add_recorder(&recorders[1], &bounded, 5, NFC_HOOK_MAY_EXPIRE);
    ck_assert_uint_eq(bounded.packets, 5);
    ck_assert_uint_eq(bounded.flags, NFC_HOOK_MAY_EXPIRE);
    ck_assert(nfc_flow_hooks_read(&bounded, 5));
    ck_assert(!nfc_flow_hooks_read(&bounded, 6));

    struct nfc_flow_hooks none = {0};
    ck_assert(!nfc_flow_hooks_read(&none, 1));
    nfc_flow_hooks_close(&p.hooks);
}
END_TEST

static struct nfc_packet udp(uint64_t t, bool reply)
{
    struct nfc_packet pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.time_ms = t;
    pkt.protocol = 17;
    pkt.ip_version = 4;
    pkt.src_ip[0] = pkt.dst_ip[0] = 10;
    pkt.src_ip[3] = reply ? 2 : 1;
    pkt.dst_ip[3] = reply ? 1 : 2;
    pkt.src_port = reply ? 53 : 1000;
    pkt.dst_port = reply ? 1000 : 53;
    pkt.raw_size = 100;
    return pkt;
}

START_TEST(hooks_run_in_order_on_the_packets_they_read_after_the_features)
{
    struct nfc_flow_params p;
    set_up(&p);
    struct nfc_flow_cache cache;
    struct nfc_cache_limits limits = {.idle_ms = 1000, .active_ms = 100000};
    ck_assert_int_eq(nfc_cache_init(&cache, &p, &limits, NULL), 0);
    for (uint64_t t = 0; t < 4; t++) {
        struct nfc_packet pkt = udp(t, t % 2);
        nfc_cache_packet(&cache, &pkt);
    }
    ck_assert_uint_eq(recorders[1].packets_seen, 4);
    nfc_cache_flush(&cache);
    nfc_cache_recycle(&cache, nfc_cache_pop(&cache));
    /* The next flow gets the recycled record, whose slots rec_init checks are zeroed again. */
    struct nfc_packet pkt = udp(10, false);
    nfc_cache_packet(&cache, &pkt);
    nfc_cache_flush(&cache);
    nfc_cache_recycle(&cache, nfc_cache_pop(&cache));
    ck_assert_ptr_null(nfc_cache_pop(&cache));
    nfc_cache_free(&cache);
    nfc_flow_hooks_close(&p.hooks);
    ck_assert_str_eq(trace, "Ai1 Bi1 Au2 Bu2 Bu3 Bu4 Ae2 Be4 Ar2 Br4 Ai1 Bi1 Ae1 Be1 Ar1 Br1 Bc0 Ac0 ");
}
END_TEST

START_TEST(clones_register_into_another_list_and_close_with_it)
{
    struct nfc_flow_params p;
    set_up(&p);
    struct nfc_flow_hooks clones;
    char err[64];
    ck_assert_int_eq(nfc_flow_hooks_clone(&p.hooks, &clones, err, sizeof err), 0);
    ck_assert_uint_eq(clones.n, 2);
    ck_assert_ptr_eq(clones.hook[0].ctx, &recorders[2]);
    ck_assert_ptr_eq(clones.hook[1].ctx, &recorders[3]);
    ck_assert_uint_eq(recorders[3].slot, recorders[1].slot);
    nfc_flow_hooks_close(&clones);
    ck_assert_uint_eq(clones.n, 0);
    nfc_flow_hooks_close(&p.hooks);
    ck_assert_str_eq(trace, "bc0 ac0 Bc0 Ac0 ");
}
END_TEST

static Suite *hooks_suite(void)
{
    Suite *s = suite_create("flow_hooks");
    TCase *slots = tcase_create("slots");
    tcase_add_test(slots, slots_lead_ext_in_order_and_the_features_follow);
    tcase_add_test(slots, no_slot_no_feature_no_ext);
    suite_add_tcase(s, slots);

    TCase *hooks = tcase_create("hooks");
    tcase_add_test(hooks, what_the_list_says_the_hooks_read);
    tcase_add_test(hooks, hooks_run_in_order_on_the_packets_they_read_after_the_features);
    tcase_add_test(hooks, clones_register_into_another_list_and_close_with_it);
    suite_add_tcase(s, hooks);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(hooks_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
