/* lib/apply against a real SQLite store: each intent's effect on the
 * account, the event log, weak matches changing nothing, exactly-once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "apply.h"
#include "import.h"
#include "store_dunning.h"
#include "query.h"
#include <sqlite3.h>
#include <string.h>

static const char *const collector_domains[] = {"collect.example.com", NULL};

typedef struct {
    char *dir, *db;
    ArdStore *s;
    ArdPolicy *policy;
    ArdApplyCtx ctx;
    int seq;
} Fx;

static void import(Fx *f, ArdImportKind kind, const char *csv)
{
    char *p = g_build_filename(f->dir, "in.csv", NULL);
    g_assert_true(g_file_set_contents(p, csv, -1, NULL));
    GError *err = NULL;
    ArdImportStats st;
    if (!ard_import_file(f->s, kind, p, "en", &st, NULL, NULL, &err))
        fail_msg("import: %s", err->message);
    g_free(p);
}

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    f->dir = g_dir_make_tmp("ardent-apply-XXXXXX", NULL);
    f->db = g_build_filename(f->dir, "a.db", NULL);
    GError *err = NULL;
    f->s = ard_store_open(f->db, 5000, &err);
    assert_non_null(f->s);
    import(f, ARD_IMPORT_CUSTOMERS,
           "customer_id,name,email,owner,segment,timezone\n"
           "C1,One,pay@one.example;boss@one.example,alice@collect.example.com,standard,Europe/Berlin\n"
           "C2,Two,pay@two.example,bob@collect.example.com,strategic,\n"
           "C3,Three,pay@three.example,carol@elsewhere.example,small,\n");
    import(f, ARD_IMPORT_INVOICES,
           "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
           "INV-100,C1,2026-01-01,2026-01-31,100.00,EUR\n"
           "INV-101,C1,2026-01-05,2026-02-04,900.00,EUR\n"
           "INV-102,C1,2026-03-01,2026-03-31,5000.00,EUR\n"
           "INV-200,C2,2026-01-01,2026-01-31,200.00,EUR\n"
           "INV-300,C3,2026-01-01,2026-01-31,300.00,EUR\n");
    f->policy = ard_policy_default();
    ard_day_parse("2026-02-16", &f->ctx.today); /* a Monday */
    f->ctx.now = g_date_time_new_utc(2026, 2, 16, 10, 0, 0);
    f->ctx.policy = f->policy;
    f->ctx.default_owner = "desk@collect.example.com";
    f->ctx.collector_domains = collector_domains;
    f->ctx.paid_hold_days = 5;
    f->ctx.task_due_hours = 8;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    ard_store_close(f->s);
    ard_policy_free(f->policy);
    g_date_time_unref(f->ctx.now);
    char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
    g_assert_true(system(cmd) == 0);
    g_free(cmd);
    g_free(f->db);
    g_free(f->dir);
    g_free(f);
    return 0;
}

typedef struct {
    ArdMatchKind kind;
    const char *customer, *sender, *intent, *sentiment;
    ArdMailKind mail;
    const char *promise, *ret;
    const char *const *invoices;
    const char *message_id, *bounce;
} Case;

/* Applies one reply in a transaction; returns its actions joined by ' '. */
static char *apply(Fx *f, const Case *c, char **route)
{
    ArdMatch m = {.kind = c->kind, .customer = (char *)c->customer,
                  .evidence = (char *)(c->sender ? c->sender : "x")};
    char mid[64];
    g_snprintf(mid, sizeof mid, "m%d@one.example", ++f->seq);
    ArdReply r = {.message_id = c->message_id ? c->message_id : mid, .subject = "Re: invoices",
                  .sender = c->sender, .intent = c->intent ? c->intent : "other",
                  .intent_confidence = 0.9, .sentiment = c->sentiment ? c->sentiment : "neutral",
                  .sentiment_confidence = 0.8, .kind = c->mail, .promise_date = ARD_DAY_NONE,
                  .return_date = ARD_DAY_NONE, .invoices = c->invoices,
                  .bounce_recipient = c->bounce};
    if (c->promise)
        ard_day_parse(c->promise, &r.promise_date);
    if (c->ret)
        ard_day_parse(c->ret, &r.return_date);
    GError *err = NULL;
    ArdApplyResult res;
    assert_true(ard_store_begin(f->s, &err));
    if (!ard_apply(f->s, &f->ctx, &m, &r, &res, &err))
        fail_msg("apply: %s", err->message);
    assert_true(ard_store_commit(f->s, &err));
    g_ptr_array_add(res.actions, NULL);
    char *joined = g_strjoinv(" ", (char **)res.actions->pdata);
    if (route)
        *route = g_strdup(res.route);
    ard_apply_result_clear(&res);
    return joined;
}

static void expect_actions(Fx *f, const Case *c, const char *want, const char *want_route)
{
    char *route = NULL;
    char *got = apply(f, c, &route);
    if (strcmp(got, want) != 0)
        fail_msg("actions: got '%s', wanted '%s'", got, want);
    if (want_route)
        assert_string_equal(route ? route : "(null)", want_route);
    g_free(got);
    g_free(route);
}

static void dispute_opens_and_escalates_at_once(void **state)
{
    Fx *f = *state;
    const char *inv[] = {"INV-100", "INV-999", NULL};
    Case c = {ARD_MATCH_TOKEN, "C1", "pay@one.example", "dispute", "negative", ARD_KIND_REPLY,
              .invoices = inv};
    expect_actions(f, &c, "answered dispute:INV-100 escalation:alice@collect.example.com "
                          "route:alice@collect.example.com", "alice@collect.example.com");
    assert_q(f, "SELECT group_concat(invoice_id) FROM disputes WHERE status='open'", "INV-100");
    assert_q(f, "SELECT kind||'|'||owner||'|'||due||'|'||reason FROM escalations",
             "escalation|alice@collect.example.com|2026-02-16T10:00:00Z|dispute on INV-100");
    assert_q(f, "SELECT unanswered||'|'||last_reply FROM dunning WHERE customer_id='C1'",
             "0|2026-02-16");
    assert_q(f, "SELECT count(*) FROM events WHERE cause='reply' AND customer_id='C1'", "3");
    assert_q(f, "SELECT count(*) FROM events WHERE kind='dispute_opened' AND reason LIKE "
                "'dispute opened on INV-100 (reply <m1@one.example>, token match%'", "1");
    /* Naming no invoice disputes the lead: the largest overdue not yet disputed. */
    Case c2 = {ARD_MATCH_CONTACT, "C1", "pay@one.example", "dispute", "neutral", ARD_KIND_REPLY};
    expect_actions(f, &c2, "answered dispute:INV-101 escalation:alice@collect.example.com "
                           "route:alice@collect.example.com", NULL);
}

static void payment_plan_escalates(void **state)
{
    Fx *f = *state;
    Case c = {ARD_MATCH_CONTACT, "C2", "pay@two.example", "payment_plan", "neutral", ARD_KIND_REPLY};
    expect_actions(f, &c, "answered escalation:bob@collect.example.com "
                          "route:bob@collect.example.com", "bob@collect.example.com");
    assert_q(f, "SELECT reason||'|'||due FROM escalations", "payment plan requested|2026-02-16T10:00:00Z");
}

static void promise_holds_until_date_plus_grace(void **state)
{
    Fx *f = *state;
    Case c = {ARD_MATCH_TOKEN, "C1", "pay@one.example", "promise_to_pay", "positive",
              ARD_KIND_REPLY, .promise = "2026-02-27"};
    expect_actions(f, &c, "answered promise:2026-02-27 hold:2026-03-02", "(null)");
    assert_q(f, "SELECT promised_date||'|'||status FROM promises", "2026-02-27|open");
    assert_q(f, "SELECT hold_until||'|'||hold_reason FROM dunning",
             "2026-03-02|promise to pay by 2026-02-27");
    assert_q(f, "SELECT count(*) FROM escalations", "0");
    /* A new promise replaces the old one. */
    Case c2 = c;
    c2.promise = "2026-03-10";
    expect_actions(f, &c2, "answered promise:2026-03-10 hold:2026-03-13", NULL);
    assert_q(f, "SELECT group_concat(status) FROM promises", "cancelled,open");
    /* Without a date: a task to ask for one, no hold change. */
    Case c3 = c;
    c3.promise = NULL;
    expect_actions(f, &c3, "answered task:alice@collect.example.com "
                           "route:alice@collect.example.com", NULL);
    assert_q(f, "SELECT hold_until FROM dunning", "2026-03-13");
}

static void paid_holds_and_asks_for_a_check(void **state)
{
    Fx *f = *state;
    Case c = {ARD_MATCH_CONTACT, "C1", "pay@one.example", "paid", "neutral", ARD_KIND_REPLY};
    expect_actions(f, &c, "answered hold:2026-02-21 task:alice@collect.example.com "
                          "route:alice@collect.example.com", NULL);
    assert_q(f, "SELECT kind||'|'||due FROM escalations", "task|2026-02-16T18:00:00Z");
}

static void invoice_request_is_a_short_task(void **state)
{
    Fx *f = *state;
    Case c = {ARD_MATCH_CONTACT, "C1", "pay@one.example", "invoice_request", "neutral",
              ARD_KIND_REPLY};
    expect_actions(f, &c, "answered task:alice@collect.example.com "
                          "route:alice@collect.example.com", NULL);
    assert_q(f, "SELECT kind||'|'||reason||'|'||due FROM escalations",
             "task|invoice copy requested|2026-02-16T18:00:00Z");
    assert_q(f, "SELECT count(*) FROM dunning WHERE hold_until IS NOT NULL", "0");
}

static void wrong_contact_marks_and_escalates(void **state)
{
    Fx *f = *state;
    Case c = {ARD_MATCH_CONTACT, "C1", "Boss@One.example", "wrong_contact", "neutral",
              ARD_KIND_REPLY};
    expect_actions(f, &c, "answered contact:boss@one.example:wrong_contact "
                          "escalation:alice@collect.example.com route:alice@collect.example.com",
                   NULL);
    assert_q(f, "SELECT status FROM contacts WHERE email='boss@one.example'", "wrong_contact");
    assert_q(f, "SELECT status FROM contacts WHERE email='pay@one.example'", "ok");
    /* standard: 3 business days, same wall-clock time in Berlin (11:00 CET). */
    assert_q(f, "SELECT due FROM escalations", "2026-02-19T10:00:00Z");
}

static void negative_reply_due_by_segment(void **state)
{
    Fx *f = *state;
    Case strategic = {ARD_MATCH_CONTACT, "C2", "pay@two.example", "other", "negative",
                      ARD_KIND_REPLY};
    expect_actions(f, &strategic, "answered escalation:bob@collect.example.com "
                                  "route:bob@collect.example.com", NULL);
    assert_q(f, "SELECT due FROM escalations WHERE customer_id='C2'", "2026-02-17T10:00:00Z");
    /* The owner's domain is not a collector domain: escalated, never routed. */
    Case small = {ARD_MATCH_CONTACT, "C3", "pay@three.example", "other", "negative",
                  ARD_KIND_REPLY};
    expect_actions(f, &small, "answered escalation:carol@elsewhere.example "
                              "not_routed:carol@elsewhere.example", "(null)");
    assert_q(f, "SELECT due FROM escalations WHERE customer_id='C3'", "2026-02-19T10:00:00Z");
    /* Neutral "other": only the answer is recorded. */
    Case plain = {ARD_MATCH_CONTACT, "C3", "pay@three.example", "other", "neutral", ARD_KIND_REPLY};
    expect_actions(f, &plain, "answered", "(null)");
}

static void auto_replies_change_nothing_but_return_dates(void **state)
{
    Fx *f = *state;
    Case ooo = {ARD_MATCH_TOKEN, "C1", "pay@one.example", "auto_reply", "neutral",
                ARD_KIND_AUTO_REPLY};
    expect_actions(f, &ooo, "", "(null)");
    assert_q(f, "SELECT count(*) FROM dunning", "0");
    assert_q(f, "SELECT count(*) FROM events WHERE cause='reply'", "0");
    assert_q(f, "SELECT count(*) FROM messages WHERE direction='in' AND auto_reply=1", "1");
    ooo.ret = "2026-03-02";
    expect_actions(f, &ooo, "hold:2026-03-02", NULL);
    assert_q(f, "SELECT hold_until||'|'||hold_reason||'|'||unanswered||'|'||coalesce(last_reply,'-')"
                " FROM dunning", "2026-03-02|out of office|0|-");
    /* A return date in the past does nothing. */
    ooo.ret = "2026-02-01";
    expect_actions(f, &ooo, "", NULL);
}

static void bounce_marks_undeliverable(void **state)
{
    Fx *f = *state;
    Case b = {ARD_MATCH_CONTACT, "C1", "mailer-daemon@mx.one.example", "other", "neutral",
              ARD_KIND_BOUNCE, .bounce = "boss@one.example"};
    expect_actions(f, &b, "contact:boss@one.example:undeliverable", "(null)");
    assert_q(f, "SELECT status FROM contacts WHERE email='boss@one.example'", "undeliverable");
    assert_q(f, "SELECT count(*) FROM dunning", "0");
}

static void weak_matches_only_open_a_review(void **state)
{
    Fx *f = *state;
    const char *inv[] = {"INV-100", NULL};
    Case c = {ARD_MATCH_INVOICE, "C1", "someone@unknown.example", "dispute", "negative",
              ARD_KIND_REPLY, .invoices = inv};
    expect_actions(f, &c, "review:alice@collect.example.com route:alice@collect.example.com", NULL);
    assert_q(f, "SELECT count(*) FROM disputes", "0");
    assert_q(f, "SELECT count(*) FROM dunning", "0");
    assert_q(f, "SELECT kind||'|'||customer_id FROM escalations", "review|C1");
    assert_q(f, "SELECT status||'|'||match FROM messages WHERE direction='in'", "review|invoice");
    Case d = {ARD_MATCH_DOMAIN, "C1", "x@one.example", "paid", "neutral", ARD_KIND_REPLY};
    expect_actions(f, &d, "review:alice@collect.example.com route:alice@collect.example.com", NULL);
    assert_q(f, "SELECT count(*) FROM escalations WHERE kind='review'", "2");
    assert_q(f, "SELECT count(*) FROM dunning", "0");
    /* Unmatched: a review for the default owner, no customer. */
    Case n = {ARD_MATCH_NONE, NULL, "x@nowhere.example", "other", "neutral", ARD_KIND_REPLY};
    expect_actions(f, &n, "review:desk@collect.example.com route:desk@collect.example.com", NULL);
    assert_q(f, "SELECT count(*) FROM escalations WHERE customer_id IS NULL", "1");
}

static void recorded_exactly_once(void **state)
{
    Fx *f = *state;
    Case c = {ARD_MATCH_CONTACT, "C2", "pay@two.example", "payment_plan", "neutral",
              ARD_KIND_REPLY, .message_id = "same@two.example"};
    expect_actions(f, &c, "answered escalation:bob@collect.example.com "
                          "route:bob@collect.example.com", NULL);
    expect_actions(f, &c, "duplicate", "(null)");
    assert_q(f, "SELECT count(*) FROM messages WHERE message_id='same@two.example'", "1");
    assert_q(f, "SELECT count(*) FROM escalations", "1");
}

/* The digest's "last reply" comes from the dunning load: a reply matched by
 * contact or token, whose day apply has just written to dunning.last_reply,
 * must show there as well as a domain-matched one. */
static void last_reply_is_loaded_for_strong_matches(void **state)
{
    Fx *f = *state;
    ard_store_set_today(f->s, f->ctx.today);
    Case c = {ARD_MATCH_CONTACT, "C2", "pay@two.example", "other", "neutral", ARD_KIND_REPLY};
    g_free(apply(f, &c, NULL));
    Case t = {ARD_MATCH_TOKEN, "C1", "pay@one.example", "other", "neutral", ARD_KIND_REPLY};
    g_free(apply(f, &t, NULL));
    assert_q(f, "SELECT group_concat(last_reply) FROM dunning", "2026-02-16,2026-02-16");
    GError *err = NULL;
    ArdDunningSet *set = ard_store_dunning_load(f->s, f->ctx.today, NULL, &err);
    assert_non_null(set);
    assert_int_equal(set->customers->len, 3);
    for (guint i = 0; i < 2; i++) {
        ArdDunningCustomer *d = set->customers->pdata[i];
        if (!d->last_row_reply)
            fail_msg("%s: no last reply loaded", d->f.id);
        assert_true(g_str_has_prefix(d->last_row_reply, "2026-02-16"));
        ArdDay want;
        ard_day_parse("2026-02-16", &want);
        assert_int_equal(d->f.last_reply, want);
    }
    assert_null(((ArdDunningCustomer *)set->customers->pdata[2])->last_row_reply);
    ard_dunning_set_free(set);
}

/* A reply matched only by domain shows in the digest, but it is no answer
 * from the customer (rule 6: it changes nothing on the account), so it must
 * not reset the count of unanswered automated messages. */
static void weak_match_is_shown_but_no_answer(void **state)
{
    Fx *f = *state;
    ard_store_set_today(f->s, f->ctx.today);
    Case d = {ARD_MATCH_DOMAIN, "C1", "x@one.example", "other", "neutral", ARD_KIND_REPLY};
    g_free(apply(f, &d, NULL));
    GError *err = NULL;
    ArdDunningSet *set = ard_store_dunning_load(f->s, f->ctx.today, "C1", &err);
    assert_non_null(set);
    assert_int_equal(set->customers->len, 1);
    ArdDunningCustomer *c = set->customers->pdata[0];
    assert_non_null(c->last_row_reply);
    assert_true(g_str_has_prefix(c->last_row_reply, "2026-02-16"));
    assert_int_equal(c->f.last_reply, ARD_DAY_NONE);
    ard_dunning_set_free(set);
}

/* A command that only reads opens the store without creating it: a missing
 * file is an error naming it, and neither it nor its folder is left behind. */
static void open_existing_never_creates(void **state)
{
    Fx *f = *state;
    char *missing = g_build_filename(f->dir, "typo", "ardnet.db", NULL);
    GError *err = NULL;
    assert_null(ard_store_open_existing(missing, 1000, &err));
    assert_non_null(err);
    assert_non_null(strstr(err->message, missing));
    assert_non_null(strstr(err->message, "no such store"));
    g_clear_error(&err);
    char *folder = g_path_get_dirname(missing);
    assert_false(g_file_test(folder, G_FILE_TEST_EXISTS));
    g_free(folder);
    g_free(missing);
    ArdStore *s = ard_store_open_existing(f->db, 1000, &err);
    assert_non_null(s);
    ard_store_close(s);
}

int main(void)
{
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(dispute_opens_and_escalates_at_once), T(payment_plan_escalates),
        T(promise_holds_until_date_plus_grace), T(paid_holds_and_asks_for_a_check),
        T(invoice_request_is_a_short_task), T(wrong_contact_marks_and_escalates),
        T(negative_reply_due_by_segment), T(auto_replies_change_nothing_but_return_dates),
        T(bounce_marks_undeliverable), T(weak_matches_only_open_a_review),
        T(recorded_exactly_once), T(last_reply_is_loaded_for_strong_matches),
        T(open_existing_never_creates), T(weak_match_is_shown_but_no_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
