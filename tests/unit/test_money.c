/* Exact money parsing and formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "money.h"

static void parses_exactly(void **state)
{
    (void)state;
    int64_t v;
    const char *why;
    assert_true(ard_money_parse("1234.5", "EUR", &v, &why));
    assert_int_equal(v, 123450);
    assert_true(ard_money_parse("0.10", "EUR", &v, &why));
    assert_int_equal(v, 10);
    assert_true(ard_money_parse("-20.00", "GBP", &v, &why));
    assert_int_equal(v, -2000);
    assert_true(ard_money_parse("7", "JPY", &v, &why));
    assert_int_equal(v, 7);
    assert_true(ard_money_parse("1.234", "KWD", &v, &why));
    assert_int_equal(v, 1234);
    assert_true(ard_money_parse("12.500", "EUR", &v, &why)); /* trailing zeros are fine */
    assert_int_equal(v, 1250);
    /* 0.1 + 0.2 style values stay exact */
    assert_true(ard_money_parse("9007199254740.99", "USD", &v, &why));
    assert_int_equal(v, 900719925474099LL);
}

static void refuses_what_it_cannot_read(void **state)
{
    (void)state;
    int64_t v;
    const char *why;
    const char *bad[] = {"", "-", ".5", "1.", "1,000.00", "1 000", "12.345", "abc", "1e3",
                         "+5", "--1", "0x10", "99999999999999999999", NULL};
    for (int i = 0; bad[i]; i++) {
        why = NULL;
        assert_false(ard_money_parse(bad[i], "EUR", &v, &why));
        assert_non_null(why);
    }
    assert_false(ard_money_parse("1.5", "JPY", &v, &why));
    assert_false(ard_money_parse("1.00", "XXZ", &v, &why));
    assert_string_equal(why, "unknown currency code");
}

static void currency_table(void **state)
{
    (void)state;
    assert_int_equal(ard_currency_exponent("EUR"), 2);
    assert_int_equal(ard_currency_exponent("JPY"), 0);
    assert_int_equal(ard_currency_exponent("BHD"), 3);
    assert_int_equal(ard_currency_exponent("CHF"), 2);
    assert_int_equal(ard_currency_exponent("eur"), -1);
    assert_int_equal(ard_currency_exponent("EURO"), -1);
    assert_int_equal(ard_currency_exponent(NULL), -1);
}

static void formats(void **state)
{
    (void)state;
    char b[64];
    ard_money_pretty(540000, "EUR", b, sizeof b);
    assert_string_equal(b, "5,400.00");
    ard_money_pretty(-123456789, "USD", b, sizeof b);
    assert_string_equal(b, "-1,234,567.89");
    ard_money_plain(5, "EUR", b, sizeof b);
    assert_string_equal(b, "0.05");
    ard_money_plain(1234567, "JPY", b, sizeof b);
    assert_string_equal(b, "1234567");
    ard_money_pretty(1234567, "JPY", b, sizeof b);
    assert_string_equal(b, "1,234,567");
    ard_money_plain(1005, "KWD", b, sizeof b);
    assert_string_equal(b, "1.005");
    ard_money_plain(INT64_MIN + 1, "EUR", b, sizeof b);
    assert_string_equal(b, "-92233720368547758.07");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_exactly),
        cmocka_unit_test(refuses_what_it_cannot_read),
        cmocka_unit_test(currency_table),
        cmocka_unit_test(formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
