/* Reads one customer's account for display: balance per currency, open
 * invoices, dunning state, disputes, promises, escalations, recent messages
 * and the event log. Must never write to the store. */
#include "store_int.h"
#include "store_account.h"
#include "money.h"
#include "policy.h"
#include "store_dunning.h"
#include <string.h>

static const ArdPolicy *account_policy;

void ard_store_account_set_policy(const ArdPolicy *policy)
{
    account_policy = policy;
}

/* Segment and risk as the agent computes them, with their inputs, so a
 * collector can see why an account is treated as it is. */
static bool add_segment_and_risk(ArdStore *s, JsonObject *a, const char *id, ArdDay today,
                                 GError **error)
{
    ArdDunningSet *set = ard_store_dunning_load(s, today, id, error);
    if (!set)
        return false;
    if (set->customers->len == 1) {
        ArdPolicy *def = account_policy ? NULL : ard_policy_default();
        const ArdPolicy *p = account_policy ? account_policy : def;
        const ArdDunningCustomer *c = set->customers->pdata[0];
        GDateTime *now = g_date_time_new_now_utc();
        ArdDecision *d = ard_policy_decide(p, &c->f, today, now);
        g_date_time_unref(now);
        json_object_set_string_member(a, "segment", ard_segment_name(d->segment));
        json_object_set_string_member(a, "segment_source", d->segment_computed ? "computed" : "erp");
        JsonObject *in = json_object_new();
        json_object_set_double_member(in, "open_balance", ard_money_to_json(d->balance, "EUR"));
        json_object_set_double_member(in, "billing_12m", ard_money_to_json(c->f.billing_12m, "EUR"));
        json_object_set_double_member(in, "strategic_min_balance",
                                      ard_money_to_json(p->strategic_min_balance, "EUR"));
        json_object_set_double_member(in, "strategic_min_billing",
                                      ard_money_to_json(p->strategic_min_billing, "EUR"));
        json_object_set_double_member(in, "small_max_balance",
                                      ard_money_to_json(p->small_max_balance, "EUR"));
        json_object_set_double_member(in, "small_max_billing",
                                      ard_money_to_json(p->small_max_billing, "EUR"));
        json_object_set_object_member(a, "segment_inputs", in);
        JsonObject *r = json_object_new();
        json_object_set_int_member(r, "score", d->risk.score);
        json_object_set_int_member(r, "paid_invoices", d->risk.paid_count);
        json_object_set_double_member(r, "avg_days_late", d->risk.avg_days_late);
        json_object_set_double_member(r, "trend_days", d->risk.trend);
        json_object_set_int_member(r, "broken_promises", d->risk.broken_promises);
        json_object_set_int_member(r, "disputes", d->risk.disputes);
        json_object_set_boolean_member(r, "good_history", d->risk.good_history);
        json_object_set_object_member(a, "risk", r);
        json_object_set_int_member(a, "priority", d->priority);
        json_object_set_string_member(a, "next_action", d->reason);
        ard_decision_free(d);
        ard_policy_free(def);
    }
    ard_dunning_set_free(set);
    return true;
}

double ard_money_to_json(int64_t minor, const char *currency)
{
    int exp = ard_currency_exponent(currency);
    double scale = 1;
    for (int i = 0; i < (exp < 0 ? 2 : exp); i++)
        scale *= 10;
    return (double)minor / scale;
}

typedef void (*RowFn)(sqlite3_stmt *st, JsonObject *o, ArdDay today);

/* Runs a query bound to (id) and appends one object per row to array. */
static bool rows(ArdStore *s, const char *sql, const char *id, ArdDay today, RowFn fn,
                 JsonArray *array, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s, sql, error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        JsonObject *o = json_object_new();
        fn(st, o, today);
        json_array_add_object_element(array, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading the account");
        return false;
    }
    return true;
}

static void set_text_or_null(JsonObject *o, const char *key, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        json_object_set_null_member(o, key);
    else
        json_object_set_string_member(o, key, ard_col_text(st, col));
}

static void invoice_row(sqlite3_stmt *st, JsonObject *o, ArdDay today)
{
    const char *cur = ard_col_text(st, 5);
    json_object_set_string_member(o, "invoice", ard_col_text(st, 0));
    json_object_set_string_member(o, "issue_date", ard_col_text(st, 1));
    json_object_set_string_member(o, "due_date", ard_col_text(st, 2));
    json_object_set_double_member(o, "amount", ard_money_to_json(sqlite3_column_int64(st, 3), cur));
    json_object_set_double_member(o, "open_amount", ard_money_to_json(sqlite3_column_int64(st, 4), cur));
    json_object_set_string_member(o, "currency", cur);
    set_text_or_null(o, "po_number", st, 6);
    ArdDay due;
    long overdue = 0;
    if (ard_day_parse(ard_col_text(st, 2), &due) && today > due)
        overdue = today - due;
    json_object_set_int_member(o, "days_overdue", overdue);
    json_object_set_boolean_member(o, "disputed", sqlite3_column_int(st, 7) != 0);
}

static void escalation_row(sqlite3_stmt *st, JsonObject *o, ArdDay today)
{
    (void)today;
    json_object_set_int_member(o, "id", sqlite3_column_int64(st, 0));
    json_object_set_string_member(o, "kind", ard_col_text(st, 1));
    json_object_set_string_member(o, "reason", ard_col_text(st, 2));
    set_text_or_null(o, "owner", st, 3);
    set_text_or_null(o, "due", st, 4);
    json_object_set_string_member(o, "status", ard_col_text(st, 5));
    json_object_set_string_member(o, "created", ard_col_text(st, 6));
    set_text_or_null(o, "resolution", st, 7);
}

static void dispute_row(sqlite3_stmt *st, JsonObject *o, ArdDay today)
{
    (void)today;
    set_text_or_null(o, "invoice", st, 0);
    json_object_set_string_member(o, "status", ard_col_text(st, 1));
    set_text_or_null(o, "reason", st, 2);
    json_object_set_string_member(o, "opened", ard_col_text(st, 3));
}

static void promise_row(sqlite3_stmt *st, JsonObject *o, ArdDay today)
{
    (void)today;
    json_object_set_string_member(o, "date", ard_col_text(st, 0));
    json_object_set_string_member(o, "status", ard_col_text(st, 1));
    json_object_set_string_member(o, "created", ard_col_text(st, 2));
}

static void message_row(sqlite3_stmt *st, JsonObject *o, ArdDay today)
{
    (void)today;
    json_object_set_string_member(o, "direction", ard_col_text(st, 0));
    json_object_set_string_member(o, "at", ard_col_text(st, 1));
    set_text_or_null(o, "subject", st, 2);
    set_text_or_null(o, "stage", st, 3);
    set_text_or_null(o, "intent", st, 4);
    set_text_or_null(o, "sentiment", st, 5);
    json_object_set_string_member(o, "status", ard_col_text(st, 6));
    set_text_or_null(o, "message_id", st, 7);
}

static void event_row(sqlite3_stmt *st, JsonObject *o, ArdDay today)
{
    (void)today;
    json_object_set_string_member(o, "at", ard_col_text(st, 0));
    json_object_set_string_member(o, "cause", ard_col_text(st, 1));
    json_object_set_string_member(o, "kind", ard_col_text(st, 2));
    json_object_set_string_member(o, "reason", ard_col_text(st, 3));
}

static void contact_row(sqlite3_stmt *st, JsonObject *o, ArdDay today)
{
    (void)today;
    json_object_set_string_member(o, "email", ard_col_text(st, 0));
    json_object_set_string_member(o, "status", ard_col_text(st, 1));
}

JsonObject *ard_store_account(ArdStore *s, const char *id, ArdDay today, bool *exists,
                              GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT c.id, c.name, c.owner, c.locale, c.timezone, c.segment, c.human_only,"
        " d.stage, d.last_sent, d.unanswered, d.hold_until, d.hold_reason, d.messages_sent"
        " FROM customers c LEFT JOIN dunning d ON d.customer_id = c.id WHERE c.id = ?", error);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            ard_store_set_error(s, error, "reading the account");
        *exists = false;
        return NULL;
    }
    *exists = true;
    JsonObject *a = json_object_new();
    json_object_set_string_member(a, "customer", ard_col_text(st, 0));
    json_object_set_string_member(a, "name", ard_col_text(st, 1));
    set_text_or_null(a, "owner", st, 2);
    json_object_set_string_member(a, "locale", ard_col_text(st, 3));
    set_text_or_null(a, "timezone", st, 4);
    set_text_or_null(a, "segment", st, 5);
    json_object_set_boolean_member(a, "human_only", sqlite3_column_int(st, 6) != 0);
    json_object_set_string_member(a, "stage",
                                  sqlite3_column_type(st, 7) == SQLITE_NULL ? "none"
                                                                            : ard_col_text(st, 7));
    set_text_or_null(a, "last_sent", st, 8);
    json_object_set_int_member(a, "unanswered", sqlite3_column_int(st, 9));
    set_text_or_null(a, "hold_until", st, 10);
    set_text_or_null(a, "hold_reason", st, 11);
    json_object_set_int_member(a, "messages_sent", sqlite3_column_int(st, 12));
    sqlite3_reset(st);

    /* Balance per currency: open invoices (credit notes included) less
     * unapplied payments. The headline balance is the largest currency's. */
    st = ard_store_stmt(s,
        "SELECT currency, sum(v) FROM ("
        " SELECT currency, open_amount AS v FROM invoices WHERE customer_id = ?1 AND status = 'open'"
        " UNION ALL SELECT currency, -unapplied FROM payments WHERE customer_id = ?1)"
        " GROUP BY currency ORDER BY abs(sum(v)) DESC, currency", error);
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    JsonObject *balances = json_object_new();
    const char *main_cur = NULL;
    int64_t main_bal = 0;
    char first_cur[4] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cur = ard_col_text(st, 0);
        int64_t v = sqlite3_column_int64(st, 1);
        json_object_set_double_member(balances, cur, ard_money_to_json(v, cur));
        if (main_cur == NULL) {
            g_strlcpy(first_cur, cur, sizeof first_cur);
            main_cur = first_cur;
            main_bal = v;
        }
    }
    sqlite3_reset(st);
    json_object_set_double_member(a, "balance", main_cur ? ard_money_to_json(main_bal, main_cur) : 0);
    if (main_cur)
        json_object_set_string_member(a, "currency", main_cur);
    else
        json_object_set_null_member(a, "currency");
    json_object_set_object_member(a, "balances", balances);
    if (rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading the balance");
        goto fail;
    }

    struct {
        const char *key, *sql;
        RowFn fn;
    } lists[] = {
        {"contacts", "SELECT email, status FROM contacts WHERE customer_id = ? ORDER BY position, email",
         contact_row},
        {"open_invoices",
         "SELECT i.id, i.issue_date, i.due_date, i.amount, i.open_amount, i.currency, i.po_number,"
         " EXISTS (SELECT 1 FROM disputes d WHERE d.invoice_id = i.id AND d.status = 'open')"
         " FROM invoices i WHERE i.customer_id = ? AND i.status = 'open' AND i.open_amount <> 0"
         " ORDER BY i.due_date, i.id", invoice_row},
        {"escalations",
         "SELECT id, kind, reason, owner, due, status, created_at, resolution FROM escalations"
         " WHERE customer_id = ? ORDER BY status = 'open' DESC, id DESC LIMIT 50", escalation_row},
        {"disputes",
         "SELECT invoice_id, status, reason, opened_at FROM disputes WHERE customer_id = ?"
         " ORDER BY id DESC LIMIT 50", dispute_row},
        {"promises",
         "SELECT promised_date, status, created_at FROM promises WHERE customer_id = ?"
         " ORDER BY id DESC LIMIT 50", promise_row},
        {"messages",
         "SELECT direction, coalesce(sent_at, created_at), subject, stage, intent, sentiment,"
         " status, message_id FROM messages WHERE customer_id = ? ORDER BY id DESC LIMIT 10",
         message_row},
        {"events",
         "SELECT at, cause, kind, reason FROM events WHERE customer_id = ? ORDER BY id DESC LIMIT 20",
         event_row},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
        JsonArray *arr = json_array_new();
        json_object_set_array_member(a, lists[i].key, arr);
        if (!rows(s, lists[i].sql, id, today, lists[i].fn, arr, error))
            goto fail;
    }
    if (!add_segment_and_risk(s, a, id, today, error))
        goto fail;
    return a;
fail:
    json_object_unref(a);
    return NULL;
}
