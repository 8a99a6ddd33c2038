#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/float_format.h"

static void expect(double v, const char *want)
{
    char buf[NFC_DOUBLE_BUFSZ];
    size_t n = nfc_format_double(v, buf);
    ck_assert_str_eq(buf, want);
    ck_assert_uint_eq(n, strlen(want));
}

static double from_bits(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/*
 * Shortest digits of finite |v| > 0 into dig, returning the leading digit's exponent. %.*e is correctly
 * rounded, so at each length the nearest string is tried first; when the rounding interval is lopsided
 * (v a power of two) the neighbour on the far side of v may read back instead.
 */
static int reference_digits(double v, char *dig)
{
    uint64_t pow10 = 1;
    for (int prec = 1; prec <= 17; prec++, pow10 *= 10) {
        char e[40];
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        double back = strtod(e, NULL);
        uint64_t m = 0;
        const char *s = e;
        for (; *s != 'e'; s++)
            if (*s != '.')
                m = m * 10 + (uint64_t)(*s - '0');
        int x = atoi(s + 1);
        if (back == v) {
            snprintf(dig, 20, "%" PRIu64, m);
            return x;
        }
        if (back < v && ++m == pow10 * 10) {
            m = pow10;
            x++;
        } else if (back > v && --m < pow10) {
            m = pow10 * 10 - 1;
            x--;
        }
        snprintf(e, sizeof e, "%" PRIu64 "e%d", m, x - prec + 1);
        if (strtod(e, NULL) == v) {
            snprintf(dig, 20, "%" PRIu64, m);
            return x;
        }
    }
    ck_abort_msg("%a: no 17-digit string reads back", v);
    return 0;
}

/* The slow reference: the shortest digits, nearest first, in Python's layout. */
static void reference(double v, char *out)
{
    if (isnan(v)) {
        strcpy(out, "nan");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v < 0 ? "-inf" : "inf");
        return;
    }
    if (v == 0) {
        strcpy(out, signbit(v) ? "-0.0" : "0.0");
        return;
    }

    char *o = out;
    if (v < 0)
        *o++ = '-';
    char dig[20];
    int x = reference_digits(fabs(v), dig);
    int n = (int)strlen(dig);
    while (n > 1 && dig[n - 1] == '0')
        n--;

    if (x >= 16 || x < -4) {
        *o++ = dig[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, (size_t)n - 1);
            o += n - 1;
        }
        sprintf(o, "e%c%02d", x < 0 ? '-' : '+', abs(x));
        return;
    }
    if (x < 0) {
        o += sprintf(o, "0.");
        for (int i = 0; i < -x - 1; i++)
            *o++ = '0';
        memcpy(o, dig, (size_t)n);
        o[n] = '\0';
        return;
    }
    for (int i = 0; i <= x; i++)
        *o++ = i < n ? dig[i] : '0';
    *o++ = '.';
    if (n > x + 1) {
        memcpy(o, dig + x + 1, (size_t)(n - x - 1));
        o += n - x - 1;
    } else {
        *o++ = '0';
    }
    *o = '\0';
}

static void expect_reference(double v)
{
    char want[64];
    char got[NFC_DOUBLE_BUFSZ];
    reference(v, want);
    size_t n = nfc_format_double(v, got);
    ck_assert_msg(strcmp(got, want) == 0, "%a: got %s, want %s", v, got, want);
    ck_assert_uint_eq(n, strlen(want));
}

/* splitmix64: fixed seeds keep failures reproducible. */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

START_TEST(test_fixed)
{
    expect(0.0, "0.0");
    expect(-0.0, "-0.0");
    expect(1.0, "1.0");
    expect(-1.5, "-1.5");
    expect(440.0, "440.0");
    expect(0.1, "0.1");
    expect(0.3, "0.3");
    expect(0.1 + 0.2, "0.30000000000000004");
    expect(325.2857142857144, "325.2857142857144");
    expect(632.9999999999999, "632.9999999999999");
    expect(310.57142857142856, "310.57142857142856");
    expect(1.2345678901234567, "1.2345678901234567");
    expect(123456789012345.67, "123456789012345.67");
    expect(1e15, "1000000000000000.0");
    expect(9500000000000000.0, "9500000000000000.0");
    expect(9999999999999998.0, "9999999999999998.0");
    expect(9007199254740992.0, "9007199254740992.0");
    expect(1e16, "1e+16");
    expect(1e22, "1e+22");
    expect(1e100, "1e+100");
    expect(9223372036854775808.0, "9.223372036854776e+18");
    expect(1152921504606846976.0, "1.152921504606847e+18");
    expect(0.0001, "0.0001");
    expect(0.000123, "0.000123");
    expect(1.5e-4, "0.00015");
    expect(1e-4 * 1.5, "0.00015000000000000001");
    expect(1e-05, "1e-05");
    expect(1.5e-05, "1.5e-05");
    expect(1.234e-05, "1.234e-05");
    expect(1.23456e-08, "1.23456e-08");
    expect(5e-324, "5e-324");
    expect(1.5e-323, "1.5e-323");
    expect(1.1125369292536007e-308, "1.1125369292536007e-308");
    expect(2.2250738585072014e-308, "2.2250738585072014e-308");
    expect(1.7976931348623157e+308, "1.7976931348623157e+308");
    expect(-1.7976931348623157e+308, "-1.7976931348623157e+308");
    /* Exactly halfway between the two nearest 17-digit strings: the even one wins. */
    expect(1125899906842624.25, "1125899906842624.2");
    expect(1125899906842624.75, "1125899906842624.8");
    expect(1125899906842625.25, "1125899906842625.2");
}
END_TEST

START_TEST(test_special)
{
    expect(INFINITY, "inf");
    expect(-INFINITY, "-inf");
    expect(NAN, "nan");
    expect(-NAN, "nan");
    expect(from_bits(UINT64_C(0x7ff0000000000001)), "nan");
}
END_TEST

START_TEST(test_random_bits)
{
    uint64_t state = 1;
    for (int i = 0; i < 200000; i++)
        expect_reference(from_bits(next_rand(&state)));
}
END_TEST

START_TEST(test_random_stats)
{
    uint64_t state = 2;
    for (int i = 0; i < 50000; i++) {
        double a = (double)(next_rand(&state) % 2000000);
        double b = (double)(next_rand(&state) % 10000 + 1);
        expect_reference(a / b);
        expect_reference(sqrt(a / b));
        expect_reference((double)(next_rand(&state) % 100000));
        int shift = (int)(next_rand(&state) % 64);
        expect_reference((double)(next_rand(&state) >> shift));
    }
}
END_TEST

START_TEST(test_edges)
{
    uint64_t state = 3;
    /* Every binary exponent, at its power of two (lower neighbour finer), its ends and a few others. */
    for (uint64_t be = 0; be < 0x7ff; be++) {
        static const uint64_t fracs[] = {0, 1, 2, 3, (UINT64_C(1) << 51) + 1, (UINT64_C(1) << 52) - 1};
        for (size_t i = 0; i < sizeof fracs / sizeof fracs[0]; i++)
            expect_reference(from_bits(be << 52 | fracs[i]));
    }
    /* Powers of ten and their neighbours. */
    for (int e = -323; e <= 308; e++) {
        char text[16];
        snprintf(text, sizeof text, "1e%d", e);
        double v = strtod(text, NULL);
        expect_reference(v);
        expect_reference(nextafter(v, 0));
        expect_reference(nextafter(v, INFINITY));
    }
    /* Small subnormals, where the digits are few. */
    for (uint64_t c = 1; c < 3000; c++)
        expect_reference(from_bits(c));
    /* Odd multiples of 1/4 in [2^50, 2^51): where a double can lie halfway between two shortest candidates. */
    for (int i = 0; i < 20000; i++) {
        uint64_t frac = (next_rand(&state) & ((UINT64_C(1) << 52) - 1)) | 1;
        expect_reference(from_bits(UINT64_C(1073) << 52 | frac));
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("float_format");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fixed);
    tcase_add_test(tc, test_special);
    tcase_add_test(tc, test_random_bits);
    tcase_add_test(tc, test_random_stats);
    tcase_add_test(tc, test_edges);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
