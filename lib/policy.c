/* The dunning decision for one customer: segment, risk, lead invoice, the
 * next stage and every hold of the contract (rules 1-8), with a reason a
 * person can read. Pure: it must never touch the store, the clock or the
 * network — everything arrives in the facts and `today`. */
#include "policy.h"
#include "error.h"
#include "money.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const stage_names[ARD_STAGE_COUNT] = {
    "reminder", "follow_up", "firm", "final_notice", "collector"};
static const char *const segment_names[ARD_SEG_COUNT] = {"strategic", "standard", "small"};

const char *ard_stage_name(ArdStage s)
{
    return s >= 0 && s < ARD_STAGE_COUNT ? stage_names[s] : "none";
}

ArdStage ard_stage_parse(const char *s)
{
    for (int i = 0; s && i < ARD_STAGE_COUNT; i++)
        if (strcmp(s, stage_names[i]) == 0)
            return (ArdStage)i;
    return ARD_STAGE_NONE;
}

const char *ard_segment_name(ArdSegment s)
{
    return s >= 0 && s < ARD_SEG_COUNT ? segment_names[s] : "standard";
}

bool ard_segment_parse(const char *s, ArdSegment *out)
{
    for (int i = 0; s && i < ARD_SEG_COUNT; i++)
        if (strcmp(s, segment_names[i]) == 0) {
            *out = (ArdSegment)i;
            return true;
        }
    return false;
}

const char *ard_action_name(ArdAction a)
{
    switch (a) {
    case ARD_ACT_SEND: return "send";
    case ARD_ACT_HOLD: return "hold";
    case ARD_ACT_ESCALATE: return "escalate";
    default: return "none";
    }
}

ArdPolicy *ard_policy_default(void)
{
    ArdPolicy *p = g_new0(ArdPolicy, 1);
    static const int th[ARD_SEG_COUNT][ARD_STAGE_COUNT] = {
        {3, 14, 28, 45, 60}, {1, 8, 15, 30, 45}, {1, 8, 15, 22, 30}};
    for (int s = 0; s < ARD_SEG_COUNT; s++) {
        memcpy(p->seg[s].thresholds, th[s], sizeof th[s]);
        p->seg[s].gap_days = 7;
        p->seg[s].courtesy = s == ARD_SEG_STRATEGIC;
        p->seg[s].courtesy_days = 3;
        p->seg[s].promise_grace_days = 3;
        p->seg[s].escalation_hours = s == ARD_SEG_STRATEGIC ? 24 : 0;
        p->seg[s].escalation_business_days = 3;
    }
    p->strategic_min_balance = 5000000;
    p->strategic_min_billing = 25000000;
    p->small_max_balance = 100000;
    p->small_max_billing = 1000000;
    p->calendar.name = "default";
    for (int d = 1; d <= 5; d++)
        p->calendar.business_day[d] = true;
    p->calendar.holidays = g_array_new(FALSE, FALSE, sizeof(ArdDay));
    p->unanswered_limit = 3;
    p->business_days_only = true;
    return p;
}

void ard_policy_free(ArdPolicy *p)
{
    if (!p)
        return;
    g_array_free(p->calendar.holidays, TRUE);
    for (int i = 0; i < ARD_CALENDAR_COUNT; i++)
        if (p->country[i]) {
            g_array_free(p->country[i]->holidays, TRUE);
            g_free(p->country[i]);
        }
    g_free(p);
}

static int cmp_day(gconstpointer a, gconstpointer b)
{
    ArdDay x = *(const ArdDay *)a, y = *(const ArdDay *)b;
    return x < y ? -1 : x > y;
}

const char *const ard_calendar_names[ARD_CALENDAR_COUNT] = {
    "de", "at", "ch", "fr", "be", "es", "nl", "gb", "ie", "us"};

/* Time zones name a place, and a place has a country: the simplest rule a
 * finance team can check by reading the customer's record. */
static const struct {
    const char *zone, *country;
} zone_country[] = {
    {"Europe/Berlin", "de"},   {"Europe/Busingen", "de"}, {"Europe/Vienna", "at"},
    {"Europe/Zurich", "ch"},   {"Europe/Paris", "fr"},    {"Europe/Brussels", "be"},
    {"Europe/Madrid", "es"},   {"Atlantic/Canary", "es"}, {"Africa/Ceuta", "es"},
    {"Europe/Amsterdam", "nl"}, {"Europe/London", "gb"},  {"Europe/Belfast", "gb"},
    {"Europe/Dublin", "ie"},   {"Pacific/Honolulu", "us"},
};

const char *ard_calendar_country(const char *timezone)
{
    if (!timezone || !*timezone)
        return NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(zone_country); i++)
        if (strcmp(timezone, zone_country[i].zone) == 0)
            return zone_country[i].country;
    if (g_str_has_prefix(timezone, "America/") || g_str_has_prefix(timezone, "US/"))
        return "us";
    return NULL;
}

const ArdCalendar *ard_policy_calendar(const ArdPolicy *p, const char *timezone)
{
    const char *country = ard_calendar_country(timezone);
    for (int i = 0; country && i < ARD_CALENDAR_COUNT; i++)
        if (strcmp(country, ard_calendar_names[i]) == 0 && p->country[i])
            return p->country[i];
    return &p->calendar;
}

static bool weekdays_key(const ArdConfig *cfg, const char *key, bool out[8], GError **error)
{
    static const char *const days[] = {"monday", "tuesday", "wednesday", "thursday", "friday",
                                       "saturday", "sunday"};
    memset(out, 0, 8 * sizeof out[0]);
    char *const *bd = ard_config_list(cfg, "calendar", key);
    for (int i = 0; bd && bd[i]; i++) {
        int found = 0;
        for (int d = 0; d < 7; d++)
            if (g_ascii_strcasecmp(bd[i], days[d]) == 0)
                found = d + 1;
        if (!found) {
            g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT,
                        "calendar.%s: \"%s\" is not a weekday", key, bd[i]);
            return false;
        }
        out[found] = true;
    }
    return true;
}

static GArray *holidays_key(const ArdConfig *cfg, const char *key)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(ArdDay));
    char *const *hol = ard_config_list(cfg, "calendar", key);
    for (int i = 0; hol && hol[i]; i++) {
        ArdDay d;
        if (ard_day_parse(hol[i], &d))
            g_array_append_val(a, d);
    }
    g_array_sort(a, cmp_day);
    return a;
}

static bool list_empty(const ArdConfig *cfg, const char *key)
{
    char *const *l = ard_config_list(cfg, "calendar", key);
    return !l || !l[0];
}

static bool amount_key(const ArdConfig *cfg, const char *key, int64_t *out, GError **error)
{
    const char *why = NULL;
    if (!ard_money_parse(ard_config_string(cfg, "policy", key), "EUR", out, &why)) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "policy.%s: %s", key, why);
        return false;
    }
    return true;
}

ArdPolicy *ard_policy_from_config(const ArdConfig *cfg, GError **error)
{
    ArdPolicy *p = ard_policy_default();
    char key[64];
    for (int s = 0; s < ARD_SEG_COUNT; s++) {
        ArdSegmentPolicy *sp = &p->seg[s];
        const char *seg = segment_names[s];
        g_snprintf(key, sizeof key, "%s_stages", seg);
        char *const *list = ard_config_list(cfg, "policy", key);
        int n = 0, prev = -1;
        for (; list && list[n]; n++) {
            char *end;
            long v = strtol(list[n], &end, 10);
            if (n >= ARD_STAGE_COUNT || *end || end == list[n] || v < 0 || v <= prev || v > 3650) {
                g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT,
                            "policy.%s: expected %d increasing day counts (reminder;follow_up;"
                            "firm;final_notice;collector)", key, ARD_STAGE_COUNT);
                goto fail;
            }
            sp->thresholds[n] = (int)v;
            prev = (int)v;
        }
        if (n != ARD_STAGE_COUNT) {
            g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT,
                        "policy.%s: expected %d day counts, found %d", key, ARD_STAGE_COUNT, n);
            goto fail;
        }
        g_snprintf(key, sizeof key, "%s_gap_days", seg);
        sp->gap_days = (int)ard_config_int(cfg, "policy", key);
        g_snprintf(key, sizeof key, "%s_courtesy", seg);
        sp->courtesy = ard_config_bool(cfg, "policy", key);
        sp->courtesy_days = (int)ard_config_int(cfg, "policy", "courtesy_days");
        g_snprintf(key, sizeof key, "%s_promise_grace_days", seg);
        sp->promise_grace_days = (int)ard_config_int(cfg, "policy", key);
        g_snprintf(key, sizeof key, "%s_escalation_due", seg);
        const char *due = ard_config_string(cfg, "policy", key);
        char *end;
        long v = strtol(due, &end, 10);
        sp->escalation_hours = 0;
        sp->escalation_business_days = 0;
        if (end != due && v > 0 && v < 10000 && strcmp(end, "h") == 0)
            sp->escalation_hours = (int)v;
        else if (end != due && v > 0 && v < 1000 && strcmp(end, "bd") == 0)
            sp->escalation_business_days = (int)v;
        else {
            g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT,
                        "policy.%s: expected hours (\"24h\") or business days (\"3bd\"), not \"%s\"",
                        key, due);
            goto fail;
        }
    }
    if (!amount_key(cfg, "strategic_min_balance", &p->strategic_min_balance, error) ||
        !amount_key(cfg, "strategic_min_billing", &p->strategic_min_billing, error) ||
        !amount_key(cfg, "small_max_balance", &p->small_max_balance, error) ||
        !amount_key(cfg, "small_max_billing", &p->small_max_billing, error))
        goto fail;
    p->unanswered_limit = (int)ard_config_int(cfg, "policy", "unanswered_limit");

    if (!weekdays_key(cfg, "business_days", p->calendar.business_day, error))
        goto fail;
    g_array_free(p->calendar.holidays, TRUE);
    p->calendar.holidays = holidays_key(cfg, "holidays");
    /* A country calendar exists once either of its keys is set; the part
     * left empty is the default's, so a configuration written before country
     * calendars existed behaves exactly as it did. */
    for (int i = 0; i < ARD_CALENDAR_COUNT; i++) {
        char bkey[64], hkey[64];
        g_snprintf(bkey, sizeof bkey, "business_days_%s", ard_calendar_names[i]);
        g_snprintf(hkey, sizeof hkey, "holidays_%s", ard_calendar_names[i]);
        bool own_days = !list_empty(cfg, bkey), own_hol = !list_empty(cfg, hkey);
        if (!own_days && !own_hol)
            continue;
        ArdCalendar *cal = g_new0(ArdCalendar, 1);
        p->country[i] = cal;
        cal->name = ard_calendar_names[i];
        cal->holidays = g_array_new(FALSE, FALSE, sizeof(ArdDay));
        if (own_days) {
            if (!weekdays_key(cfg, bkey, cal->business_day, error))
                goto fail;
        } else
            memcpy(cal->business_day, p->calendar.business_day, sizeof cal->business_day);
        if (own_hol) {
            g_array_free(cal->holidays, TRUE);
            cal->holidays = holidays_key(cfg, hkey);
        } else
            g_array_append_vals(cal->holidays, p->calendar.holidays->data,
                                p->calendar.holidays->len);
    }
    p->business_days_only = ard_config_bool(cfg, "calendar", "business_days_only");
    return p;
fail:
    ard_policy_free(p);
    return NULL;
}

bool ard_calendar_business_day(const ArdCalendar *cal, ArdDay d)
{
    if (!cal->business_day[ard_day_weekday(d)])
        return false;
    for (guint i = 0; i < cal->holidays->len; i++)
        if (g_array_index(cal->holidays, ArdDay, i) == d)
            return false;
    return true;
}

ArdDay ard_calendar_add_business_days(const ArdCalendar *cal, ArdDay d, int n)
{
    bool any = false;
    for (int w = 1; w <= 7; w++)
        any |= cal->business_day[w];
    if (!any)
        return d + n;
    while (n > 0) {
        d++;
        if (ard_calendar_business_day(cal, d))
            n--;
    }
    return d;
}

ArdRisk ard_policy_risk(const ArdCustomerFacts *c)
{
    ArdRisk r = {0};
    r.paid_count = c->paid_count;
    r.avg_days_late = c->paid_count ? c->avg_days_late : 0;
    r.trend = c->paid_count >= 4 ? c->recent_days_late - c->avg_days_late : 0;
    r.broken_promises = c->broken_promises;
    r.disputes = c->disputes;
    /* Lateness weighs most; a worsening trend, broken word and friction add
     * to it. The scale is a ranking aid for collectors, not a probability. */
    double s = fmin(fmax(r.avg_days_late, 0), 60) + fmin(fmax(r.trend, 0), 20) / 2.0 * 1.0 +
               15.0 * r.broken_promises + 5.0 * r.disputes;
    r.score = (int)fmin(100, fmax(0, lround(s)));
    r.good_history = r.paid_count >= 3 && r.avg_days_late <= 5 && r.broken_promises == 0 &&
                     r.score < 20;
    return r;
}

ArdSegment ard_policy_segment(const ArdPolicy *p, const ArdCustomerFacts *c, int64_t balance,
                              bool *computed)
{
    ArdSegment s;
    if (c->erp_segment && ard_segment_parse(c->erp_segment, &s)) {
        *computed = false;
        return s;
    }
    *computed = true;
    if (balance >= p->strategic_min_balance || c->billing_12m >= p->strategic_min_billing)
        return ARD_SEG_STRATEGIC;
    if (balance <= p->small_max_balance && c->billing_12m <= p->small_max_billing)
        return ARD_SEG_SMALL;
    return ARD_SEG_STANDARD;
}

static int lead_of(const ArdCustomerFacts *c, ArdDay today, bool promise_counts)
{
    int best = -1;
    for (guint i = 0; i < c->invoices->len; i++) {
        const ArdInvoiceFacts *v = &g_array_index(c->invoices, ArdInvoiceFacts, i);
        if (v->open_amount <= 0 || v->due >= today || v->disputed || (v->promised && promise_counts))
            continue;
        if (best < 0) {
            best = (int)i;
            continue;
        }
        const ArdInvoiceFacts *b = &g_array_index(c->invoices, ArdInvoiceFacts, best);
        if (v->open_amount > b->open_amount ||
            (v->open_amount == b->open_amount &&
             (v->due < b->due || (v->due == b->due && strcmp(v->id, b->id) < 0))))
            best = (int)i;
    }
    return best;
}

int ard_policy_lead(const ArdCustomerFacts *c, ArdDay today)
{
    return lead_of(c, today, true);
}

static void day_str(ArdDay d, char buf[11])
{
    ard_day_format(d, buf);
}

static void money_str(int64_t v, const char *cur, char *buf, size_t len)
{
    char num[48];
    ard_money_pretty(v, cur, num, sizeof num);
    g_snprintf(buf, len, "%s %s", num, cur);
}

GDateTime *ard_policy_escalation_due(const ArdPolicy *p, const ArdSegmentPolicy *sp,
                                     const char *timezone, GDateTime *now)
{
    if (sp->escalation_hours > 0)
        return g_date_time_add_hours(now, sp->escalation_hours);
    /* Business days are the customer's: count them on its calendar in its
     * zone, keeping the wall-clock time across a daylight-saving change. */
    GTimeZone *tz = ard_time_zone(timezone);
    GDateTime *local = g_date_time_to_timezone(now, tz);
    ArdDay d;
    ard_day_from_ymd(g_date_time_get_year(local), g_date_time_get_month(local),
                     g_date_time_get_day_of_month(local), &d);
    ArdDay due = ard_calendar_add_business_days(ard_policy_calendar(p, timezone), d,
                                                sp->escalation_business_days);
    int y, m, dd;
    ard_day_to_ymd(due, &y, &m, &dd);
    GDateTime *r = g_date_time_new(tz, y, m, dd, g_date_time_get_hour(local),
                                   g_date_time_get_minute(local), g_date_time_get_seconds(local));
    /* That wall-clock time may not exist on the due day (the hour skipped
     * when clocks go forward): then now's time of day, unmoved. */
    if (r == NULL)
        r = g_date_time_ref(local);
    g_date_time_unref(local);
    g_time_zone_unref(tz);
    return r;
}

static void set_reason(ArdDecision *d, ArdAction a, char *reason)
{
    d->action = a;
    g_free(d->reason);
    d->reason = reason;
}

ArdDecision *ard_policy_decide(const ArdPolicy *p, const ArdCustomerFacts *c, ArdDay today,
                               GDateTime *now)
{
    ArdDecision *d = g_new0(ArdDecision, 1);
    d->action = ARD_ACT_NONE;
    d->lead = -1;
    d->old_stage = c->stage;
    d->stage = c->stage;
    d->listed = g_array_new(FALSE, FALSE, sizeof(int));
    d->balances = g_array_new(FALSE, FALSE, sizeof(ArdMoney));
    char a[11], b[11], m[64];

    /* Net balance per currency: open invoices (credit notes included) less
     * unapplied payments. */
    int64_t overdue_total = 0;
    for (guint i = 0; i < c->invoices->len; i++) {
        const ArdInvoiceFacts *v = &g_array_index(c->invoices, ArdInvoiceFacts, i);
        guint k;
        for (k = 0; k < d->balances->len; k++)
            if (strcmp(g_array_index(d->balances, ArdMoney, k).currency, v->currency) == 0)
                break;
        if (k == d->balances->len) {
            ArdMoney nm = {{0}, 0};
            memcpy(nm.currency, v->currency, 4);
            g_array_append_val(d->balances, nm);
        }
        g_array_index(d->balances, ArdMoney, k).amount += v->open_amount;
        if (v->open_amount > 0 && v->due < today) {
            int idx = (int)i;
            g_array_append_val(d->listed, idx);
            overdue_total += v->open_amount;
        }
    }
    for (guint j = 0; c->credits && j < c->credits->len; j++) {
        const ArdMoney *cr = &g_array_index(c->credits, ArdMoney, j);
        for (guint k = 0; k < d->balances->len; k++)
            if (strcmp(g_array_index(d->balances, ArdMoney, k).currency, cr->currency) == 0)
                g_array_index(d->balances, ArdMoney, k).amount -= cr->amount;
    }
    bool positive = false;
    const ArdMoney *main_bal = NULL;
    for (guint k = 0; k < d->balances->len; k++) {
        const ArdMoney *bm = &g_array_index(d->balances, ArdMoney, k);
        d->balance += bm->amount;
        positive |= bm->amount > 0;
        if (!main_bal || llabs(bm->amount) > llabs(main_bal->amount))
            main_bal = bm;
    }
    /* Only an open balance (some currency's net above zero) gets a line. */
    d->printable = positive;
    d->segment = ard_policy_segment(p, c, d->balance, &d->segment_computed);
    d->risk = ard_policy_risk(c);
    const ArdSegmentPolicy *sp = &p->seg[d->segment];
    int stage_rank = c->stage == ARD_STAGE_NONE ? 0 : c->stage + 1;
    double major = (double)(d->balance > 0 ? d->balance : 0) / 100.0;
    d->priority = stage_rank * 100 + d->risk.score + (int)fmin(300, log10(major + 1) * 50);

    /* A promise whose invoices are paid is kept, whatever else holds. */
    if (c->promise_open && (c->promise_kept || d->listed->len == 0))
        d->promise_kept = true;

    if (!positive) {
        money_str(main_bal ? main_bal->amount : 0, main_bal ? main_bal->currency : "EUR", m,
                  sizeof m);
        set_reason(d, ARD_ACT_NONE,
                   g_strdup_printf("none: net open balance %s, nothing to collect", m));
        d->stage_reset = c->stage != ARD_STAGE_NONE;
        d->stage = ARD_STAGE_NONE;
        g_array_set_size(d->listed, 0);
        return d;
    }
    if (d->listed->len == 0) {
        d->stage_reset = c->stage != ARD_STAGE_NONE;
        d->stage = ARD_STAGE_NONE;
        /* Not yet due is never demanded; a courtesy note may announce it. */
        const ArdInvoiceFacts *next = NULL;
        for (guint i = 0; i < c->invoices->len; i++) {
            const ArdInvoiceFacts *v = &g_array_index(c->invoices, ArdInvoiceFacts, i);
            if (v->open_amount > 0 && v->due >= today && (!next || v->due < next->due))
                next = v;
        }
        if (next && sp->courtesy && next->due - today <= sp->courtesy_days &&
            (!c->last_courtesy_invoice || strcmp(c->last_courtesy_invoice, next->id) != 0) && !c->human_only && c->emails->len > 0 &&
            (!p->business_days_only ||
             ard_calendar_business_day(ard_policy_calendar(p, c->timezone), today))) {
            day_str(next->due, a);
            money_str(next->open_amount, next->currency, m, sizeof m);
            d->courtesy = true;
            d->lead = (int)(next - &g_array_index(c->invoices, ArdInvoiceFacts, 0));
            set_reason(d, ARD_ACT_SEND,
                       g_strdup_printf("send: courtesy note, %s (%s) falls due on %s", next->id,
                                       m, a));
            return d;
        }
        if (next) {
            day_str(next->due, a);
            set_reason(d, ARD_ACT_NONE,
                       g_strdup_printf("none: nothing overdue; next invoice %s falls due on %s",
                                       next->id, a));
        } else {
            set_reason(d, ARD_ACT_NONE, g_strdup("none: nothing overdue"));
        }
        return d;
    }

    /* Rule 4: a promise holds until its date plus grace; past that unpaid,
     * it is broken and dunning resumes one stage up. */
    bool forced_up = false;
    if (c->promise_open && !d->promise_kept) {
        ArdDay until = c->promise_date + sp->promise_grace_days;
        if (today <= until) {
            day_str(c->promise_date, a);
            day_str(until, b);
            set_reason(d, ARD_ACT_HOLD,
                       g_strdup_printf("hold: promise to pay %s, grace until %s", a, b));
            return d;
        } else {
            d->promise_broken = true;
            forced_up = true;
        }
    }
    if (c->last_broken != ARD_DAY_NONE &&
        (c->last_sent == ARD_DAY_NONE || c->last_broken > c->last_sent))
        forced_up = true;

    if (c->human_only) {
        set_reason(d, ARD_ACT_HOLD,
                   g_strdup("hold: human_only account, a person handles all its mail"));
        return d;
    }
    if (c->open_escalations > 0) {
        set_reason(d, ARD_ACT_HOLD,
                   g_strdup_printf("hold: open escalation (%s) owned by %s",
                                   c->escalation_reason ? c->escalation_reason : "escalated",
                                   c->escalation_owner && *c->escalation_owner
                                       ? c->escalation_owner : "the default owner"));
        return d;
    }
    if (c->hold_until != ARD_DAY_NONE && today < c->hold_until) {
        day_str(c->hold_until, a);
        set_reason(d, ARD_ACT_HOLD,
                   g_strdup_printf("hold: %s until %s",
                                   c->hold_reason && *c->hold_reason ? c->hold_reason
                                                                     : "postponed",
                                   a));
        return d;
    }
    /* A broken or kept promise no longer shields its invoices. */
    d->lead = lead_of(c, today, !(d->promise_broken || d->promise_kept));
    if (d->lead < 0) {
        set_reason(d, ARD_ACT_HOLD,
                   g_strdup("hold: every overdue invoice is disputed or promised"));
        return d;
    }
    const ArdInvoiceFacts *lead = &g_array_index(c->invoices, ArdInvoiceFacts, d->lead);
    int late = today - lead->due;
    money_str(lead->open_amount, lead->currency, m, sizeof m);

    /* Rule 5: messages nobody answered or paid after. */
    ArdDay since = MAX(MAX(c->last_reply, c->last_payment), c->last_escalation);
    int unanswered = 0;
    for (guint i = 0; c->sent_days && i < c->sent_days->len; i++)
        if (g_array_index(c->sent_days, ArdDay, i) > since)
            unanswered++;
    /* The customer gets the usual gap to answer the last of them. */
    if (p->unanswered_limit > 0 && unanswered >= p->unanswered_limit &&
        (c->last_sent == ARD_DAY_NONE || today - c->last_sent >= sp->gap_days)) {
        d->escalate = true;
        d->escalation_reason = g_strdup_printf(
            "%d automated messages without a reply or a payment", unanswered);
        d->escalation_due = ard_policy_escalation_due(p, sp, c->timezone, now);
        set_reason(d, ARD_ACT_ESCALATE,
                   g_strdup_printf("escalate: %d messages without reply or payment, lead %s "
                                   "(%s, %d days past due)", unanswered, lead->id, m, late));
        return d;
    }

    /* Rule 2: one stage at a time, never backwards while the debt stands. */
    ArdStage target = ARD_STAGE_NONE;
    for (int s = 0; s < ARD_STAGE_COUNT; s++)
        if (late >= sp->thresholds[s])
            target = (ArdStage)s;
    ArdStage next;
    if (forced_up)
        next = c->stage == ARD_STAGE_NONE ? ARD_STAGE_REMINDER : c->stage + 1;
    else if (target > c->stage)
        next = c->stage + 1;
    else
        next = ARD_STAGE_NONE;
    if (next > ARD_STAGE_COLLECTOR)
        next = ARD_STAGE_COLLECTOR;
    if (next == ARD_STAGE_NONE) {
        ArdStage up = c->stage + 1;
        if (up >= ARD_STAGE_COUNT)
            set_reason(d, ARD_ACT_NONE, g_strdup_printf("none: at stage %s",
                                                        ard_stage_name(c->stage)));
        else
            set_reason(d, ARD_ACT_NONE,
                       g_strdup_printf("none: %s at %s, lead %s (%s) is %d days past due, "
                                       "%s starts at %d", c->stage == ARD_STAGE_NONE ? "not dunned yet" : "stays",
                                       ard_stage_name(c->stage), lead->id, m, late,
                                       ard_stage_name(up), sp->thresholds[up]));
        return d;
    }
    if (next == ARD_STAGE_COLLECTOR) {
        d->stage = next;
        d->escalate = true;
        d->escalation_reason = g_strdup_printf("collector stage reached: lead %s (%s, %d days "
                                               "past due)", lead->id, m, late);
        d->escalation_due = ard_policy_escalation_due(p, sp, c->timezone, now);
        set_reason(d, ARD_ACT_ESCALATE,
                   g_strdup_printf("escalate: collector stage, lead %s (%s, %d days past due)%s",
                                   lead->id, m, late,
                                   forced_up ? ", one stage up after a broken promise" : ""));
        return d;
    }
    if (c->last_sent != ARD_DAY_NONE && today - c->last_sent < sp->gap_days) {
        day_str(c->last_sent + sp->gap_days, a);
        set_reason(d, ARD_ACT_NONE,
                   g_strdup_printf("none: %s due, but the last message was %d days ago "
                                   "(minimum gap %d days; not before %s)", ard_stage_name(next),
                                   today - c->last_sent, sp->gap_days, a));
        return d;
    }
    const ArdCalendar *cal = ard_policy_calendar(p, c->timezone);
    if (p->business_days_only && !ard_calendar_business_day(cal, today)) {
        day_str(today, a);
        set_reason(d, ARD_ACT_NONE,
                   g_strdup_printf("none: %s due, but %s is not a business day (%s calendar); "
                                   "it goes out on the next one", ard_stage_name(next), a,
                                   cal->name));
        return d;
    }
    if (c->emails->len == 0) {
        set_reason(d, ARD_ACT_HOLD,
                   g_strdup_printf("hold: %s due but the account has no working contact address",
                                   ard_stage_name(next)));
        return d;
    }
    d->stage = next;
    GString *r = g_string_new(NULL);
    g_string_printf(r, "send: %s, lead %s (%s, %d days past due)", ard_stage_name(next),
                    lead->id, m, late);
    if (d->listed->len > 1)
        g_string_append_printf(r, ", %u overdue invoices listed", d->listed->len);
    if (forced_up)
        g_string_append(r, ", one stage up after a broken promise");
    if (c->last_sent != ARD_DAY_NONE)
        g_string_append_printf(r, ", last message %d days ago", today - c->last_sent);
    else
        g_string_append(r, ", first message");
    set_reason(d, ARD_ACT_SEND, g_string_free(r, FALSE));
    return d;
}

void ard_decision_free(ArdDecision *d)
{
    if (!d)
        return;
    g_array_free(d->listed, TRUE);
    g_array_free(d->balances, TRUE);
    g_free(d->reason);
    g_free(d->escalation_reason);
    if (d->escalation_due)
        g_date_time_unref(d->escalation_due);
    g_free(d);
}
