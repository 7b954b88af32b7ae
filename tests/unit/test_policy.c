/* The dunning policy on plain facts: lead invoice, stage steps and gap,
 * every hold, segments, risk, business days and daylight saving. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "policy.h"

static ArdDay D(const char *s)
{
    ArdDay d;
    assert_true(ard_day_parse(s, &d));
    return d;
}

typedef struct {
    ArdCustomerFacts f;
    ArdPolicy *p;
    GDateTime *now;
} Fx;

static int setup(void **state)
{
    Fx *x = g_new0(Fx, 1);
    x->p = ard_policy_default();
    x->f.id = "C1";
    x->f.name = "C";
    x->f.timezone = "Europe/Berlin";
    x->f.stage = ARD_STAGE_NONE;
    x->f.last_sent = x->f.last_reply = x->f.last_payment = x->f.last_escalation =
        x->f.hold_until = x->f.last_broken = x->f.promise_date = ARD_DAY_NONE;
    x->f.emails = g_ptr_array_new();
    g_ptr_array_add(x->f.emails, "ap@c.example");
    x->f.invoices = g_array_new(FALSE, FALSE, sizeof(ArdInvoiceFacts));
    x->f.credits = g_array_new(FALSE, FALSE, sizeof(ArdMoney));
    x->f.sent_days = g_array_new(FALSE, FALSE, sizeof(ArdDay));
    x->f.erp_segment = "standard";
    x->now = g_date_time_new_utc(2026, 3, 20, 9, 0, 0);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    Fx *x = *state;
    g_ptr_array_free(x->f.emails, TRUE);
    g_array_free(x->f.invoices, TRUE);
    g_array_free(x->f.credits, TRUE);
    g_array_free(x->f.sent_days, TRUE);
    g_date_time_unref(x->now);
    ard_policy_free(x->p);
    g_free(x);
    return 0;
}

static void inv(Fx *x, const char *id, const char *due, int64_t open, bool disputed)
{
    ArdInvoiceFacts v = {0};
    v.id = (char *)id;
    strcpy(v.currency, "EUR");
    v.due = D(due);
    v.issue = v.due - 30;
    v.amount = v.open_amount = open;
    v.disputed = disputed;
    g_array_append_val(x->f.invoices, v);
}

static ArdDecision *decide(Fx *x, const char *today)
{
    return ard_policy_decide(x->p, &x->f, D(today), x->now);
}

static const char *lead_id(Fx *x, ArdDecision *d)
{
    return d->lead < 0 ? NULL : g_array_index(x->f.invoices, ArdInvoiceFacts, d->lead).id;
}

static void lead_choice(void **state)
{
    Fx *x = *state;
    inv(x, "I-1", "2026-03-01", 5000, false);
    inv(x, "I-2", "2026-02-20", 5000, false);   /* tie: older due wins */
    inv(x, "I-3", "2026-02-01", 9000, true);    /* disputed: never lead */
    inv(x, "I-4", "2026-04-01", 99999, false);  /* not yet due: never lead nor listed */
    ArdDecision *d = decide(x, "2026-03-16");
    assert_int_equal(d->action, ARD_ACT_SEND);
    assert_string_equal(lead_id(x, d), "I-2");
    assert_int_equal(d->listed->len, 3);
    assert_int_equal(d->stage, ARD_STAGE_REMINDER);
    ard_decision_free(d);
}

static void one_step_and_gap(void **state)
{
    Fx *x = *state;
    inv(x, "I-1", "2026-01-01", 100, false);     /* 74 days late: would be collector */
    x->f.stage = ARD_STAGE_REMINDER;
    x->f.last_sent = D("2026-03-10");
    ArdDecision *d = decide(x, "2026-03-16");    /* 6 days: gap not reached */
    assert_int_equal(d->action, ARD_ACT_NONE);
    assert_non_null(strstr(d->reason, "minimum gap 7 days"));
    ard_decision_free(d);
    d = decide(x, "2026-03-17");
    assert_int_equal(d->action, ARD_ACT_SEND);
    assert_int_equal(d->stage, ARD_STAGE_FOLLOW_UP);   /* one step, not four */
    ard_decision_free(d);
}

static void never_backwards(void **state)
{
    Fx *x = *state;
    inv(x, "I-9", "2026-03-14", 100, false);     /* a new small debt, 2 days late */
    x->f.stage = ARD_STAGE_FIRM;
    x->f.last_sent = D("2026-03-01");
    ArdDecision *d = decide(x, "2026-03-16");
    assert_int_equal(d->action, ARD_ACT_NONE);
    assert_int_equal(d->stage, ARD_STAGE_FIRM);
    ard_decision_free(d);
}

static void holds(void **state)
{
    Fx *x = *state;
    inv(x, "I-1", "2026-02-01", 100, false);
    x->f.human_only = true;
    ArdDecision *d = decide(x, "2026-03-16");
    assert_int_equal(d->action, ARD_ACT_HOLD);
    ard_decision_free(d);
    x->f.human_only = false;
    x->f.open_escalations = 1;
    x->f.escalation_reason = "dispute";
    d = decide(x, "2026-03-16");
    assert_int_equal(d->action, ARD_ACT_HOLD);
    assert_non_null(strstr(d->reason, "open escalation"));
    ard_decision_free(d);
    x->f.open_escalations = 0;
    x->f.hold_until = D("2026-03-20");
    d = decide(x, "2026-03-19");
    assert_int_equal(d->action, ARD_ACT_HOLD);
    ard_decision_free(d);
    d = decide(x, "2026-03-20");                 /* the return date itself: mail resumes */
    assert_int_equal(d->action, ARD_ACT_SEND);
    ard_decision_free(d);
}

static void promise_and_broken(void **state)
{
    Fx *x = *state;
    inv(x, "I-1", "2026-02-01", 100, false);
    g_array_index(x->f.invoices, ArdInvoiceFacts, 0).promised = true;
    x->f.promise_open = true;
    x->f.promise_date = D("2026-03-20");
    x->f.stage = ARD_STAGE_REMINDER;
    x->f.last_sent = D("2026-03-01");
    ArdDecision *d = decide(x, "2026-03-23");
    assert_int_equal(d->action, ARD_ACT_HOLD);
    assert_string_equal(d->reason, "hold: promise to pay 2026-03-20, grace until 2026-03-23");
    ard_decision_free(d);
    d = decide(x, "2026-03-24");
    assert_true(d->promise_broken);
    assert_int_equal(d->action, ARD_ACT_SEND);
    assert_int_equal(d->stage, ARD_STAGE_FOLLOW_UP);
    assert_string_equal(lead_id(x, d), "I-1");
    ard_decision_free(d);
}

static void net_balance_and_not_due(void **state)
{
    Fx *x = *state;
    inv(x, "I-1", "2026-02-01", 300, false);
    inv(x, "CN-1", "2026-02-01", -300, false);
    ArdDecision *d = decide(x, "2026-03-16");
    assert_int_equal(d->action, ARD_ACT_NONE);
    assert_int_equal(d->listed->len, 0);
    ard_decision_free(d);
    g_array_set_size(x->f.invoices, 0);
    inv(x, "I-2", "2026-03-20", 300, false);
    d = decide(x, "2026-03-16");
    assert_int_equal(d->action, ARD_ACT_NONE);
    assert_int_equal(d->listed->len, 0);
    ard_decision_free(d);
}

static void unanswered_escalates(void **state)
{
    Fx *x = *state;
    inv(x, "I-1", "2026-02-01", 100, false);
    x->f.stage = ARD_STAGE_FIRM;
    ArdDay s[] = {D("2026-02-02"), D("2026-02-09"), D("2026-02-16")};
    g_array_append_vals(x->f.sent_days, s, 3);
    x->f.last_sent = s[2];
    ArdDecision *d = decide(x, "2026-03-16");
    assert_int_equal(d->action, ARD_ACT_ESCALATE);
    assert_non_null(d->escalation_due);
    ard_decision_free(d);
    x->f.last_reply = D("2026-02-10");         /* answered after the second */
    d = decide(x, "2026-03-16");
    assert_int_equal(d->action, ARD_ACT_SEND);
    ard_decision_free(d);
}

static void escalation_due_business_days_dst(void **state)
{
    Fx *x = *state;
    inv(x, "I-1", "2026-02-01", 100, false);
    ArdDay s[] = {D("2026-02-02"), D("2026-02-09"), D("2026-02-16")};
    g_array_append_vals(x->f.sent_days, s, 3);
    x->f.last_sent = s[2];
    /* Friday 27 March 2026, 10:00 in Berlin (09:00 UTC); Europe moves to
     * summer time on Sunday 29 March. Three business days: Wednesday 1 April,
     * still 10:00 local, which is 08:00 UTC. */
    g_date_time_unref(x->now);
    x->now = g_date_time_new_utc(2026, 3, 27, 9, 0, 0);
    ArdDecision *d = decide(x, "2026-03-27");
    assert_int_equal(d->action, ARD_ACT_ESCALATE);
    GDateTime *u = g_date_time_to_utc(d->escalation_due);
    char *s1 = g_date_time_format(u, "%Y-%m-%dT%H:%M");
    assert_string_equal(s1, "2026-04-01T08:00");
    g_free(s1);
    g_date_time_unref(u);
    ard_decision_free(d);
    x->f.erp_segment = "strategic";              /* strategic: 24 hours */
    d = decide(x, "2026-03-27");
    u = g_date_time_to_utc(d->escalation_due);
    s1 = g_date_time_format(u, "%Y-%m-%dT%H:%M");
    assert_string_equal(s1, "2026-03-28T09:00");
    g_free(s1);
    g_date_time_unref(u);
    ard_decision_free(d);
}

static void segments_and_risk(void **state)
{
    Fx *x = *state;
    bool computed;
    x->f.erp_segment = NULL;
    assert_int_equal(ard_policy_segment(x->p, &x->f, 60000 * 100, &computed), ARD_SEG_STRATEGIC);
    assert_true(computed);
    assert_int_equal(ard_policy_segment(x->p, &x->f, 500 * 100, &computed), ARD_SEG_SMALL);
    x->f.billing_12m = 20000 * 100;
    assert_int_equal(ard_policy_segment(x->p, &x->f, 500 * 100, &computed), ARD_SEG_STANDARD);
    x->f.erp_segment = "small";
    assert_int_equal(ard_policy_segment(x->p, &x->f, 60000 * 100, &computed), ARD_SEG_SMALL);
    assert_false(computed);
    x->f.paid_count = 10;
    x->f.avg_days_late = 1;
    x->f.recent_days_late = 1;
    ArdRisk r = ard_policy_risk(&x->f);
    assert_true(r.good_history);
    x->f.avg_days_late = 20;
    x->f.recent_days_late = 40;
    x->f.broken_promises = 1;
    r = ard_policy_risk(&x->f);
    assert_false(r.good_history);
    assert_true(r.score > 40);
}

static void business_days(void **state)
{
    Fx *x = *state;
    ArdDay h = D("2026-04-03");
    g_array_append_val(x->p->calendar.holidays, h);
    const ArdCalendar *cal = ard_policy_calendar(x->p, x->f.timezone);
    assert_ptr_equal(cal, &x->p->calendar);      /* no country calendar configured */
    assert_false(ard_calendar_business_day(cal, D("2026-03-28")));   /* Saturday */
    assert_false(ard_calendar_business_day(cal, h));
    assert_int_equal(ard_calendar_add_business_days(cal, D("2026-04-02"), 1), D("2026-04-06"));
    inv(x, "I-1", "2026-02-01", 100, false);
    ArdDecision *d = decide(x, "2026-03-28");
    assert_int_equal(d->action, ARD_ACT_NONE);
    assert_non_null(strstr(d->reason, "not a business day"));
    ard_decision_free(d);
}

/* Replaces the fixture's policy with one read from the given file (NULL:
 * built-in defaults) and overrides. */
static void use_config(Fx *x, const char *path, const char *const *over)
{
    GError *err = NULL;
    ArdConfig *cfg = ard_config_load(path, over, &err);
    if (!cfg)
        fail_msg("%s", err->message);
    ArdPolicy *p = ard_policy_from_config(cfg, &err);
    if (!p)
        fail_msg("%s", err->message);
    ard_config_free(cfg);
    ard_policy_free(x->p);
    x->p = p;
}

static void calendar_follows_time_zone(void **state)
{
    (void)state;
    assert_string_equal(ard_calendar_country("Europe/Berlin"), "de");
    assert_string_equal(ard_calendar_country("Europe/London"), "gb");
    assert_string_equal(ard_calendar_country("Europe/Zurich"), "ch");
    assert_string_equal(ard_calendar_country("America/Chicago"), "us");
    assert_null(ard_calendar_country("Asia/Tokyo"));
    assert_null(ard_calendar_country(NULL));
    assert_null(ard_calendar_country(""));
}

static void pentecost_monday_germany_not_england(void **state)
{
    Fx *x = *state;
    const char *over[] = {"calendar.holidays_de=2026-05-14;2026-05-25",
                          "calendar.holidays_gb=2026-05-04", NULL};
    use_config(x, NULL, over);
    inv(x, "I-1", "2026-05-01", 100, false);
    x->f.timezone = "Europe/Berlin";
    ArdDecision *d = decide(x, "2026-05-25");    /* Pfingstmontag */
    assert_int_equal(d->action, ARD_ACT_NONE);
    assert_non_null(strstr(d->reason, "not a business day (de calendar)"));
    ard_decision_free(d);
    x->f.timezone = "Europe/London";
    d = decide(x, "2026-05-25");
    assert_int_equal(d->action, ARD_ACT_SEND);
    ard_decision_free(d);
    /* A zone without a country calendar keeps the default one, which has no
     * holidays here. */
    x->f.timezone = "Asia/Tokyo";
    d = decide(x, "2026-05-25");
    assert_int_equal(d->action, ARD_ACT_SEND);
    ard_decision_free(d);
}

static void default_calendar_still_applies(void **state)
{
    Fx *x = *state;
    /* Configurations that list holidays only in [calendar] holidays keep them
     * for every customer; a country calendar that sets only its business
     * days inherits them too. */
    const char *over[] = {"calendar.holidays=2026-05-25",
                          "calendar.business_days_de=monday;tuesday;wednesday;thursday;friday;saturday",
                          NULL};
    use_config(x, NULL, over);
    const char *zones[] = {"Europe/Berlin", "Europe/London", "America/New_York", NULL};
    for (int i = 0; zones[i]; i++)
        assert_false(ard_calendar_business_day(ard_policy_calendar(x->p, zones[i]),
                                               D("2026-05-25")));
    assert_true(ard_calendar_business_day(ard_policy_calendar(x->p, "Europe/Berlin"),
                                          D("2026-05-30")));          /* a Saturday */
    assert_false(ard_calendar_business_day(ard_policy_calendar(x->p, "Europe/London"),
                                           D("2026-05-30")));
}

static void escalation_due_skips_customer_holidays(void **state)
{
    Fx *x = *state;
    const char *over[] = {"calendar.holidays_de=2026-05-25", NULL};
    use_config(x, NULL, over);
    inv(x, "I-1", "2026-02-01", 100, false);
    ArdDay s[] = {D("2026-04-02"), D("2026-04-09"), D("2026-04-16")};
    g_array_append_vals(x->f.sent_days, s, 3);
    x->f.last_sent = s[2];
    /* Thursday 21 May 2026, 10:00 in Berlin and 09:00 in London (08:00 UTC).
     * Three business days: Friday 22, then Tuesday 26 and Wednesday 27 in
     * Germany, where Monday 25 is Pfingstmontag; Friday, Monday and Tuesday
     * in England. The wall-clock time is kept. */
    g_date_time_unref(x->now);
    x->now = g_date_time_new_utc(2026, 5, 21, 8, 0, 0);
    const char *zones[] = {"Europe/Berlin", "Europe/London"};
    const char *want[] = {"2026-05-27T08:00", "2026-05-26T08:00"};
    for (int i = 0; i < 2; i++) {
        x->f.timezone = zones[i];
        ArdDecision *d = decide(x, "2026-05-21");
        assert_int_equal(d->action, ARD_ACT_ESCALATE);
        GDateTime *u = g_date_time_to_utc(d->escalation_due);
        char *got = g_date_time_format(u, "%Y-%m-%dT%H:%M");
        assert_string_equal(got, want[i]);
        g_free(got);
        g_date_time_unref(u);
        ard_decision_free(d);
    }
    assert_int_equal(ard_calendar_add_business_days(ard_policy_calendar(x->p, "Europe/Berlin"),
                                                    D("2026-05-21"), 3), D("2026-05-27"));
}

/* The holidays conf/ardent.conf ships: a few dates a finance team would
 * check first, and a normal working day in each country. */
static void shipped_holidays(void **state)
{
    Fx *x = *state;
    use_config(x, "conf/ardent.conf", NULL);
    static const struct {
        const char *zone, *day;
        bool business;
    } cases[] = {
        {"Europe/Berlin", "2026-05-25", false},    {"Europe/London", "2026-05-25", false},
        {"Europe/Paris", "2026-05-25", false},     {"Europe/Madrid", "2026-05-25", true},
        {"Europe/Berlin", "2026-10-03", false},    {"Europe/Berlin", "2027-05-17", false},
        {"Europe/London", "2026-12-28", false},    {"Europe/Dublin", "2026-03-17", false},
        {"Europe/Paris", "2026-07-14", false},     {"Europe/Brussels", "2026-07-21", false},
        {"Europe/Amsterdam", "2026-04-27", false}, {"Europe/Vienna", "2026-12-08", false},
        {"Europe/Zurich", "2027-05-06", false},    {"Europe/Madrid", "2026-10-12", false},
        {"America/New_York", "2026-11-26", false}, {"America/New_York", "2026-07-03", false},
        {"America/New_York", "2026-05-25", false}, {"America/New_York", "2026-12-28", true},
        {"Europe/Berlin", "2026-06-04", true},     {"Europe/Vienna", "2026-06-04", false},
        {"Asia/Tokyo", "2026-05-25", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = ard_calendar_business_day(ard_policy_calendar(x->p, cases[i].zone),
                                             D(cases[i].day));
        if (got != cases[i].business)
            fail_msg("%s on %s: expected %s", cases[i].zone, cases[i].day,
                     cases[i].business ? "a business day" : "a holiday");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lead_choice, setup, teardown),
        cmocka_unit_test_setup_teardown(one_step_and_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(never_backwards, setup, teardown),
        cmocka_unit_test_setup_teardown(holds, setup, teardown),
        cmocka_unit_test_setup_teardown(promise_and_broken, setup, teardown),
        cmocka_unit_test_setup_teardown(net_balance_and_not_due, setup, teardown),
        cmocka_unit_test_setup_teardown(unanswered_escalates, setup, teardown),
        cmocka_unit_test_setup_teardown(escalation_due_business_days_dst, setup, teardown),
        cmocka_unit_test_setup_teardown(segments_and_risk, setup, teardown),
        cmocka_unit_test_setup_teardown(business_days, setup, teardown),
        cmocka_unit_test(calendar_follows_time_zone),
        cmocka_unit_test_setup_teardown(pentecost_monday_germany_not_england, setup, teardown),
        cmocka_unit_test_setup_teardown(default_calendar_still_applies, setup, teardown),
        cmocka_unit_test_setup_teardown(escalation_due_skips_customer_holidays, setup, teardown),
        cmocka_unit_test_setup_teardown(shipped_holidays, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
