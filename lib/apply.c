/* The contract's behaviour rules for a reply, applied to one account. Only a
 * token or contact match may change an account; weaker matches become review
 * items. Must never commit (the caller owns the transaction), never route
 * mail to an owner outside the collector domains, and never change state
 * without an event saying why. */
#include "apply.h"
#include "email.h"
#include "store_reply.h"
#include <string.h>

typedef struct {
    ArdStore *s;
    const ArdApplyCtx *ctx;
    const ArdMatch *m;
    const ArdReply *r;
    ArdApplyResult *out;
    ArdReplyCustomer cust;
    ArdSegment segment;
    const char *owner;     /* the customer's owner, else the default owner, else NULL */
    bool escalated;
} Apply;

void ard_apply_result_clear(ArdApplyResult *r)
{
    if (r->actions)
        g_ptr_array_unref(r->actions);
    g_free(r->route);
    memset(r, 0, sizeof *r);
}

bool ard_apply_routable(const char *addr, const char *const *domains)
{
    const char *d = addr && ard_email_valid(addr) ? ard_email_domain(addr) : NULL;
    for (int i = 0; d && domains && domains[i]; i++)
        if (g_ascii_strcasecmp(d, domains[i]) == 0)
            return true;
    return false;
}

static void action(Apply *a, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void action(Apply *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(a->out->actions, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static bool event(Apply *a, const char *kind, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static bool event(Apply *a, const char *kind, GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *reason = g_strdup_printf("%s (reply <%s>, %s match, intent %s %.2f)", what,
                                   a->r->message_id, ard_match_kind_name(a->m->kind),
                                   a->r->intent, a->r->intent_confidence);
    bool ok = ard_store_event(a->s, a->m->customer, "reply", kind, reason, error);
    g_free(reason);
    g_free(what);
    return ok;
}

/* The segment's due time: hours from now, or business days on the
 * customer's calendar at the same wall-clock time. */
static char *segment_due(Apply *a)
{
    GDateTime *t = ard_policy_escalation_due(a->ctx->policy, &a->ctx->policy->seg[a->segment],
                                             a->cust.timezone, a->ctx->now);
    char *s = ard_time_iso(t);
    g_date_time_unref(t);
    return s;
}

static char *hours_due(Apply *a, int hours)
{
    GDateTime *t = g_date_time_add_hours(a->ctx->now, hours);
    char *s = ard_time_iso(t);
    g_date_time_unref(t);
    return s;
}

/* Opens an item for the owner; escalations and tasks are routed to the owner
 * by mail when the owner's domain allows it. due is taken. */
static bool escalate(Apply *a, const char *kind, const char *reason, char *due, int priority,
                     GError **error)
{
    int64_t id = 0;
    bool ok = ard_store_reply_escalate(a->s, a->m->customer, kind, reason, a->owner, due,
                                       priority, a->out->message_row, &id, error) &&
              event(a, strcmp(kind, "review") == 0 ? "review_opened" : "escalated", error,
                    "%s %" G_GINT64_FORMAT " for %s due %s: %s", kind, id,
                    a->owner ? a->owner : "nobody", due ? due : "-", reason);
    g_free(due);
    if (!ok)
        return false;
    action(a, "%s:%s", kind, a->owner ? a->owner : "unowned");
    a->escalated = true;
    if (a->owner && !a->out->route) {
        if (ard_apply_routable(a->owner, a->ctx->collector_domains)) {
            a->out->route = g_strdup(a->owner);
            action(a, "route:%s", a->owner);
        } else {
            action(a, "not_routed:%s", a->owner);
        }
    }
    return true;
}

static bool hold(Apply *a, ArdDay until, const char *why, bool extend_only, GError **error)
{
    bool changed = false;
    if (!ard_store_reply_hold(a->s, a->m->customer, until, why, extend_only, &changed, error))
        return false;
    char d[11];
    ard_day_format(until, d);
    if (!changed)
        return true;
    action(a, "hold:%s", d);
    return event(a, "hold", error, "dunning held until %s: %s", d, why);
}

static char *joined_invoices(const char *const *ids)
{
    return ids && ids[0] ? g_strjoinv(";", (char **)ids) : NULL;
}

static bool do_dispute(Apply *a, GError **error)
{
    GPtrArray *inv = g_ptr_array_new_with_free_func(g_free);
    bool ok = ard_store_reply_own_invoices(a->s, a->m->customer, a->r->invoices, inv, error);
    if (ok && inv->len == 0) {
        char *lead = NULL;
        ok = ard_store_reply_lead_invoice(a->s, a->m->customer, a->ctx->today, &lead, error);
        if (lead)
            g_ptr_array_add(inv, lead);
    }
    for (guint i = 0; ok && i < inv->len; i++) {
        bool opened = false;
        ok = ard_store_reply_dispute(a->s, a->m->customer, inv->pdata[i], "reply",
                                     a->out->message_row, &opened, error);
        if (ok && opened) {
            action(a, "dispute:%s", (char *)inv->pdata[i]);
            ok = event(a, "dispute_opened", error, "dispute opened on %s", (char *)inv->pdata[i]);
        }
    }
    if (ok) {
        g_ptr_array_add(inv, NULL);
        char *list = inv->len > 1 ? g_strjoinv(", ", (char **)inv->pdata) : g_strdup("the account");
        char *reason = g_strdup_printf("dispute on %s", list);
        ok = escalate(a, "escalation", reason, ard_time_iso(a->ctx->now), 2, error);
        g_free(reason);
        g_free(list);
    }
    g_ptr_array_unref(inv);
    return ok;
}

static bool do_promise(Apply *a, GError **error)
{
    if (a->r->promise_date == ARD_DAY_NONE)
        return escalate(a, "task", "promise to pay without a date: ask for one",
                        hours_due(a, a->ctx->task_due_hours), 0, error);
    char *inv = joined_invoices(a->r->invoices);
    int64_t id = 0;
    char d[11];
    ard_day_format(a->r->promise_date, d);
    bool ok = ard_store_reply_promise(a->s, a->m->customer, a->r->promise_date, inv,
                                      a->out->message_row, &id, error) &&
              event(a, "promise", error, "promise to pay by %s%s%s", d, inv ? " for " : "",
                    inv ? inv : "");
    g_free(inv);
    if (!ok)
        return false;
    action(a, "promise:%s", d);
    int grace = a->ctx->policy->seg[a->segment].promise_grace_days;
    char why[64];
    g_snprintf(why, sizeof why, "promise to pay by %s", d);
    return hold(a, a->r->promise_date + grace, why, false, error);
}

static bool do_paid(Apply *a, GError **error)
{
    if (!hold(a, a->ctx->today + a->ctx->paid_hold_days, "customer says it is paid", true, error))
        return false;
    return escalate(a, "task", "customer says it is paid: check the remittance",
                    hours_due(a, a->ctx->task_due_hours), 0, error);
}

static bool do_wrong_contact(Apply *a, GError **error)
{
    const char *addr = a->r->sender;
    if (addr && *addr) {
        char *norm = ard_email_normalize(addr);
        bool changed = false;
        bool ok = ard_store_reply_contact_status(a->s, a->m->customer, norm, "wrong_contact",
                                                 &changed, error);
        if (ok && changed) {
            action(a, "contact:%s:wrong_contact", norm);
            ok = event(a, "contact", error, "%s says it is the wrong contact", norm);
        }
        g_free(norm);
        if (!ok)
            return false;
    }
    return escalate(a, "escalation", "wrong contact: find the right one", segment_due(a), 1, error);
}

/* A person answered: state moves by intent. */
static bool apply_answer(Apply *a, GError **error)
{
    char day[11];
    ard_day_format(a->ctx->today, day);
    if (!ard_store_reply_answered(a->s, a->m->customer, a->ctx->today, error) ||
        !event(a, "answered", error, "customer answered on %s", day))
        return false;
    action(a, "answered");
    const char *i = a->r->intent;
    bool ok = true;
    if (strcmp(i, "dispute") == 0)
        ok = do_dispute(a, error);
    else if (strcmp(i, "payment_plan") == 0)
        ok = escalate(a, "escalation", "payment plan requested", ard_time_iso(a->ctx->now), 1, error);
    else if (strcmp(i, "promise_to_pay") == 0)
        ok = do_promise(a, error);
    else if (strcmp(i, "paid") == 0)
        ok = do_paid(a, error);
    else if (strcmp(i, "invoice_request") == 0)
        ok = escalate(a, "task", "invoice copy requested", hours_due(a, a->ctx->task_due_hours),
                      0, error);
    else if (strcmp(i, "wrong_contact") == 0)
        ok = do_wrong_contact(a, error);
    if (ok && !a->escalated && a->r->sentiment && strcmp(a->r->sentiment, "negative") == 0)
        ok = escalate(a, "escalation", "negative reply", segment_due(a), 1, error);
    return ok;
}

static bool apply_strong(Apply *a, GError **error)
{
    if (a->r->kind == ARD_KIND_BOUNCE) {
        const char *addr = a->r->bounce_recipient ? a->r->bounce_recipient : a->m->evidence;
        if (!addr)
            return true;
        char *norm = ard_email_normalize(addr);
        bool changed = false;
        bool ok = ard_store_reply_contact_status(a->s, a->m->customer, norm, "undeliverable",
                                                 &changed, error);
        if (ok && changed) {
            action(a, "contact:%s:undeliverable", norm);
            ok = event(a, "contact", error, "mail to %s bounced", norm);
        }
        g_free(norm);
        return ok;
    }
    bool automatic = a->r->kind == ARD_KIND_AUTO_REPLY || a->r->kind == ARD_KIND_BULK ||
                     strcmp(a->r->intent, "auto_reply") == 0;
    if (automatic) {
        if (a->r->kind != ARD_KIND_BULK && a->r->return_date != ARD_DAY_NONE &&
            a->r->return_date > a->ctx->today)
            return hold(a, a->r->return_date, "out of office", true, error);
        return true;
    }
    return apply_answer(a, error);
}

static const char *status_of(const ArdMatch *m, const ArdReply *r)
{
    if (ard_match_strong(m))
        return "applied";
    if (m->kind != ARD_MATCH_NONE)
        return "review";
    return r->kind == ARD_KIND_REPLY ? "unmatched" : "ignored";
}

bool ard_apply(ArdStore *s, const ArdApplyCtx *ctx, const ArdMatch *m, const ArdReply *r,
               ArdApplyResult *out, GError **error)
{
    memset(out, 0, sizeof *out);
    out->actions = g_ptr_array_new_with_free_func(g_free);
    Apply a = {.s = s, .ctx = ctx, .m = m, .r = r, .out = out, .segment = ARD_SEG_STANDARD};

    ArdInbound in = {
        .customer = m->customer, .message_id = r->message_id, .in_reply_to = r->in_reply_to,
        .token = m->token, .subject = r->subject, .sender = r->sender,
        .recipients = r->recipients, .intent = r->intent, .sentiment = r->sentiment,
        .match = ard_match_kind_name(m->kind), .status = status_of(m, r),
        .intent_confidence = r->intent_confidence,
        .sentiment_confidence = r->sentiment_confidence,
        .auto_reply = r->kind != ARD_KIND_REPLY,
    };
    bool inserted = false;
    if (!ard_store_reply_record(s, &in, &inserted, &out->message_row, error))
        return false;
    if (!inserted) {
        out->duplicate = true;
        action(&a, "duplicate");
        return true;
    }

    if (m->customer) {
        bool found = false;
        if (!ard_store_reply_customer(s, m->customer, ctx->today, &found, &a.cust, error))
            return false;
        ArdCustomerFacts f = {.erp_segment = a.cust.segment, .billing_12m = a.cust.billing_12m};
        bool computed;
        a.segment = ard_policy_segment(ctx->policy, &f, a.cust.balance, &computed);
    }
    a.owner = a.cust.owner && *a.cust.owner ? a.cust.owner
              : ctx->default_owner && *ctx->default_owner ? ctx->default_owner : NULL;

    bool ok = true;
    if (ard_match_strong(m)) {
        ok = apply_strong(&a, error);
    } else if (r->kind == ARD_KIND_REPLY) {
        /* A weak match or none: a person decides; the account is untouched. */
        char *reason = m->conflict
            ? g_strdup_printf("reply carries the token of %s but comes from %s, a contact of %s:"
                              " check which account it is for", m->customer,
                              r->sender ? r->sender : "unknown", m->conflict)
            : m->customer
            ? g_strdup_printf("reply matched only by %s %s: check it belongs to %s",
                              ard_match_kind_name(m->kind), m->evidence, m->customer)
            : g_strdup_printf("reply from %s matched no account", r->sender ? r->sender : "unknown");
        if (m->conflict)
            action(&a, "conflict:%s", m->conflict);
        ok = escalate(&a, "review", reason, segment_due(&a), 0, error);
        g_free(reason);
    }
    ard_reply_customer_clear(&a.cust);
    return ok;
}
