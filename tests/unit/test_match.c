/* lib/match against a real SQLite store: the precedence token > contact >
 * invoice > domain, and tokens that do not verify never counting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "match.h"
#include "import.h"
#include "store_dunning.h"
#include "token.h"
#include <glib/gstdio.h>
#include <string.h>

#define SECRET "unit-test-secret-0123456789"

static const char *const receivables[] = {"ar@collect.example.com", NULL};

typedef struct {
    char *dir;
    ArdStore *s;
    char *token_c1;   /* a real token for C1's outbound message */
} Fx;

static void write_file(const char *dir, const char *name, const char *text, char **path)
{
    *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(*path, text, -1, NULL));
}

static void import(Fx *f, ArdImportKind kind, const char *name, const char *csv)
{
    char *p;
    write_file(f->dir, name, csv, &p);
    GError *err = NULL;
    ArdImportStats st;
    if (!ard_import_file(f->s, kind, p, "en", &st, NULL, NULL, &err))
        fail_msg("import %s: %s", name, err->message);
    g_free(p);
}

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    f->dir = g_dir_make_tmp("ardent-match-XXXXXX", NULL);
    char *db = g_build_filename(f->dir, "a.db", NULL);
    GError *err = NULL;
    f->s = ard_store_open(db, 5000, &err);
    g_free(db);
    assert_non_null(f->s);
    import(f, ARD_IMPORT_CUSTOMERS, "c.csv",
           "customer_id,name,email,owner,segment\n"
           "C1,One,pay@one.example;boss@one.example,alice@collect.example.com,standard\n"
           "C2,Two,pay@two.example,bob@collect.example.com,strategic\n"
           "C3,Three,shared@both.example,bob@collect.example.com,small\n"
           "C4,Four,shared@both.example,bob@collect.example.com,small\n");
    import(f, ARD_IMPORT_INVOICES, "i.csv",
           "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
           "INV-100,C1,2026-01-01,2026-01-31,100.00,EUR\n"
           "INV-200,C2,2026-01-01,2026-01-31,200.00,EUR\n");
    f->token_c1 = ard_token_make(SECRET, "C1", 1);
    ArdOutbound o = {.customer = "C1", .message_id = "ardent.x@collect.example.com",
                     .token = f->token_c1, .stage = "reminder", .serial = 1};
    ard_day_parse("2026-02-10", &o.run_date);
    int64_t row;
    if (!ard_store_dunning_queue(f->s, &o, &row, &err))
        fail_msg("queue: %s", err->message);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    ard_store_close(f->s);
    char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
    g_assert_true(system(cmd) == 0);
    g_free(cmd);
    g_free(f->dir);
    g_free(f->token_c1);
    g_free(f);
    return 0;
}

static ArdMatchKind run(Fx *f, const ArdMatchInput *in, const char *want_customer)
{
    ArdMatch m;
    GError *err = NULL;
    if (!ard_match_reply(f->s, in, &m, &err))
        fail_msg("match: %s", err->message);
    ArdMatchKind k = m.kind;
    if (want_customer)
        assert_string_equal(m.customer, want_customer);
    else
        assert_null(m.customer);
    ard_match_clear(&m);
    return k;
}

static void token_in_recipient_beats_everything(void **state)
{
    Fx *f = *state;
    char *rcpt = g_strdup_printf("ar+%s@collect.example.com", f->token_c1);
    const char *rcpts[] = {rcpt, NULL};
    const char *inv[] = {"INV-200", NULL};
    /* The sender is C2's contact and the text names C2's invoice: the token wins. */
    ArdMatchInput in = {.secret = SECRET, .receivables = receivables, .recipients = rcpts,
                        .sender = "pay@two.example", .invoices = inv};
    assert_int_equal(run(f, &in, "C1"), ARD_MATCH_TOKEN);
    g_free(rcpt);
}

static void token_in_references(void **state)
{
    Fx *f = *state;
    char *mid = g_strdup_printf("ardent.%s@collect.example.com", f->token_c1);
    const char *refs[] = {"unrelated@x", mid, NULL};
    ArdMatchInput in = {.secret = SECRET, .receivables = receivables, .references = refs,
                        .sender = "stranger@nowhere.example"};
    assert_int_equal(run(f, &in, "C1"), ARD_MATCH_TOKEN);
    ArdMatchInput in2 = {.secret = SECRET, .receivables = receivables, .in_reply_to = mid};
    assert_int_equal(run(f, &in2, "C1"), ARD_MATCH_TOKEN);
    g_free(mid);
}

static void forged_tokens_never_count(void **state)
{
    Fx *f = *state;
    /* Well-formed but made with another secret, for a real customer. */
    char *forged = ard_token_make("another-secret", "C1", 1);
    char *rcpt = g_strdup_printf("ar+%s@collect.example.com", forged);
    const char *rcpts[] = {rcpt, "ar+aaaaaaaaaaaaaaaa@collect.example.com", NULL};
    ArdMatchInput in = {.secret = SECRET, .receivables = receivables, .recipients = rcpts,
                        .sender = "stranger@nowhere.example"};
    assert_int_equal(run(f, &in, NULL), ARD_MATCH_NONE);
    /* The real token under a wrong secret does not verify either. */
    char *real = g_strdup_printf("ar+%s@collect.example.com", f->token_c1);
    const char *rcpts2[] = {real, NULL};
    ArdMatchInput in2 = {.secret = "wrong", .receivables = receivables, .recipients = rcpts2};
    assert_int_equal(run(f, &in2, NULL), ARD_MATCH_NONE);
    /* Nor with no secret configured at all. */
    ArdMatchInput in3 = {.secret = "", .receivables = receivables, .recipients = rcpts2};
    assert_int_equal(run(f, &in3, NULL), ARD_MATCH_NONE);
    /* A token to an address that is not a receivables address is not a token. */
    char *other = g_strdup_printf("sales+%s@collect.example.com", f->token_c1);
    const char *rcpts3[] = {other, NULL};
    ArdMatchInput in4 = {.secret = SECRET, .receivables = receivables, .recipients = rcpts3};
    assert_int_equal(run(f, &in4, NULL), ARD_MATCH_NONE);
    /* A forged token falls through to the contact. */
    ArdMatchInput in5 = {.secret = SECRET, .receivables = receivables, .recipients = rcpts,
                         .sender = "Boss@One.example"};
    assert_int_equal(run(f, &in5, "C1"), ARD_MATCH_CONTACT);
    g_free(other);
    g_free(real);
    g_free(rcpt);
    g_free(forged);
}

static void contact_beats_invoice_and_domain(void **state)
{
    Fx *f = *state;
    const char *inv[] = {"INV-100", NULL};
    ArdMatchInput in = {.secret = SECRET, .receivables = receivables,
                        .sender = "pay@two.example", .invoices = inv};
    assert_int_equal(run(f, &in, "C2"), ARD_MATCH_CONTACT);
}

static void shared_contact_is_not_a_match(void **state)
{
    Fx *f = *state;
    ArdMatchInput in = {.secret = SECRET, .receivables = receivables,
                        .sender = "shared@both.example"};
    /* Two customers share the address and the domain: nobody is picked. */
    assert_int_equal(run(f, &in, NULL), ARD_MATCH_NONE);
}

static void invoice_then_domain(void **state)
{
    Fx *f = *state;
    const char *inv[] = {"INV-404", "INV-200", NULL};
    ArdMatchInput in = {.secret = SECRET, .receivables = receivables,
                        .sender = "someone@one.example", .invoices = inv};
    assert_int_equal(run(f, &in, "C2"), ARD_MATCH_INVOICE);
    /* Invoices of two customers: no invoice match; the domain decides. */
    const char *both[] = {"INV-100", "INV-200", NULL};
    ArdMatchInput in2 = {.secret = SECRET, .receivables = receivables,
                         .sender = "someone@one.example", .invoices = both};
    assert_int_equal(run(f, &in2, "C1"), ARD_MATCH_DOMAIN);
    /* A mail provider's domain says nothing. */
    ArdMatchInput in3 = {.secret = SECRET, .receivables = receivables,
                         .sender = "someone@gmail.com"};
    assert_int_equal(run(f, &in3, NULL), ARD_MATCH_NONE);
}

static void receivable_addresses(void **state)
{
    (void)state;
    char *tag = NULL;
    assert_true(ard_match_receivable("AR@Collect.Example.com", receivables, &tag));
    assert_null(tag);
    assert_true(ard_match_receivable("ar+abc@collect.example.com", receivables, &tag));
    assert_string_equal(tag, "abc");
    g_free(tag);
    assert_false(ard_match_receivable("ar@other.example", receivables, NULL));
    assert_false(ard_match_receivable("arx@collect.example.com", receivables, NULL));
    assert_false(ard_match_receivable("nobody", receivables, NULL));
    char *t = ard_match_message_id_token("<ardent.abcdefgh234567ab@x>");
    assert_string_equal(t, "abcdefgh234567ab");
    g_free(t);
    assert_null(ard_match_message_id_token("ardent.short@x"));
    assert_null(ard_match_message_id_token("abcdefgh234567ab@x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(token_in_recipient_beats_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(token_in_references, setup, teardown),
        cmocka_unit_test_setup_teardown(forged_tokens_never_count, setup, teardown),
        cmocka_unit_test_setup_teardown(contact_beats_invoice_and_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(shared_contact_is_not_a_match, setup, teardown),
        cmocka_unit_test_setup_teardown(invoice_then_domain, setup, teardown),
        cmocka_unit_test(receivable_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
