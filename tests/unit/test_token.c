/* Reply tokens: the published construction, verification, tampering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include "token.h"
#include <string.h>

static void known_value(void **state)
{
    (void)state;
    /* python3: base64.b32encode(hmac.new(b'secret', b'C1\n7', sha256).digest()[:10]).lower() */
    char *t = ard_token_make("secret", "C1", 7);
    assert_string_equal(t, "sdk4uam644gagme5");
    g_free(t);
}

static void verify(void **state)
{
    (void)state;
    char *t = ard_token_make("k", "CUST-9", 42);
    assert_int_equal(strlen(t), 16);
    assert_true(ard_token_verify("k", t, "CUST-9", 42));
    assert_false(ard_token_verify("k", t, "CUST-9", 43));
    assert_false(ard_token_verify("k", t, "CUST-8", 42));
    assert_false(ard_token_verify("other", t, "CUST-9", 42));
    t[15] = t[15] == 'a' ? 'b' : 'a';
    assert_false(ard_token_verify("k", t, "CUST-9", 42));
    assert_false(ard_token_verify("k", "short", "CUST-9", 42));
    assert_false(ard_token_verify("k", NULL, "CUST-9", 42));
    assert_null(ard_token_make("", "C", 1));
    g_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_value),
        cmocka_unit_test(verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
