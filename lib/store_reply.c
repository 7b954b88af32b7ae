/* The SQL behind an inbound reply: matching lookups, the inbound record,
 * the account changes lib/apply decides, and the collectors' queue. Must
 * never decide anything itself, and never build SQL from values. */
#include "store_reply.h"
#include "store_int.h"
#include "error.h"
#include <string.h>

static bool step_done(ArdStore *s, sqlite3_stmt *st, int rc, const char *what, GError **error)
{
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        ard_store_set_error(s, error, what);
        sqlite3_reset(st);
        return false;
    }
    return true;
}

bool ard_store_reply_token(ArdStore *s, const char *token, bool *found, char **customer,
                           int64_t *serial, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT customer_id, serial FROM messages WHERE token = ? AND direction = 'out'"
        " AND customer_id IS NOT NULL AND serial IS NOT NULL ORDER BY id DESC LIMIT 1", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (!step_done(s, st, rc, "reading reply tokens", error))
        return false;
    *found = rc == SQLITE_ROW;
    if (*found) {
        *customer = g_strdup(ard_col_text(st, 0));
        *serial = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return true;
}

static bool collect_ids(ArdStore *s, sqlite3_stmt *st, GPtrArray *out, const char *what,
                        GError **error)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        g_ptr_array_add(out, g_strdup(ard_col_text(st, 0)));
    return step_done(s, st, rc, what, error) && (sqlite3_reset(st), true);
}

bool ard_store_reply_contact_customers(ArdStore *s, const char *email, int limit,
                                       GPtrArray *customers, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT DISTINCT customer_id FROM contacts WHERE email = ? ORDER BY customer_id LIMIT ?",
        error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    return collect_ids(s, st, customers, "reading contacts", error);
}

bool ard_store_reply_domain_customers(ArdStore *s, const char *domain, int limit,
                                      GPtrArray *customers, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT DISTINCT customer_id FROM contacts"
        " WHERE substr(email, instr(email, '@') + 1) = ? ORDER BY customer_id LIMIT ?", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    return collect_ids(s, st, customers, "reading contact domains", error);
}

static char *col_dup_or_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : g_strdup(ard_col_text(st, i));
}

bool ard_store_reply_customer(ArdStore *s, const char *id, ArdDay today, bool *found,
                              ArdReplyCustomer *out, GError **error)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT c.owner, c.segment, c.timezone,"
        " (SELECT coalesce(sum(open_amount), 0) FROM invoices"
        "   WHERE customer_id = c.id AND status = 'open'),"
        " (SELECT coalesce(sum(amount), 0) FROM invoices"
        "   WHERE customer_id = c.id AND status != 'void' AND amount > 0 AND issue_date >= ?2)"
        " FROM customers c WHERE c.id = ?1", error);
    if (!st)
        return false;
    char since[11];
    ard_day_format(today - 365, since);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, since, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (!step_done(s, st, rc, "reading a customer", error))
        return false;
    *found = rc == SQLITE_ROW;
    if (*found) {
        out->owner = col_dup_or_null(st, 0);
        out->segment = col_dup_or_null(st, 1);
        out->timezone = col_dup_or_null(st, 2);
        out->balance = sqlite3_column_int64(st, 3);
        out->billing_12m = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    return true;
}

void ard_reply_customer_clear(ArdReplyCustomer *c)
{
    g_free(c->owner);
    g_free(c->segment);
    g_free(c->timezone);
    memset(c, 0, sizeof *c);
}

bool ard_store_reply_record(ArdStore *s, const ArdInbound *m, bool *inserted, int64_t *row,
                            GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "INSERT INTO messages (direction, customer_id, message_id, in_reply_to, token, subject,"
        " sender, recipients, intent, intent_confidence, sentiment, sentiment_confidence, match,"
        " auto_reply, status, created_at)"
        " VALUES ('in',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (direction, message_id) DO NOTHING", error);
    if (!st)
        return false;
    char *now = ard_store_now(s);
    ard_bind_text(st, 1, m->customer);
    sqlite3_bind_text(st, 2, m->message_id, -1, SQLITE_STATIC);
    ard_bind_text(st, 3, m->in_reply_to);
    ard_bind_text(st, 4, m->token);
    ard_bind_text(st, 5, m->subject);
    ard_bind_text(st, 6, m->sender);
    ard_bind_text(st, 7, m->recipients);
    ard_bind_text(st, 8, m->intent);
    sqlite3_bind_double(st, 9, m->intent_confidence);
    ard_bind_text(st, 10, m->sentiment);
    sqlite3_bind_double(st, 11, m->sentiment_confidence);
    ard_bind_text(st, 12, m->match);
    sqlite3_bind_int(st, 13, m->auto_reply ? 1 : 0);
    sqlite3_bind_text(st, 14, m->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, now, -1, SQLITE_TRANSIENT);
    g_free(now);
    if (!ard_store_exec_stmt(s, st, error))
        return false;
    *inserted = sqlite3_changes(s->db) > 0;
    *row = *inserted ? sqlite3_last_insert_rowid(s->db) : 0;
    return true;
}

bool ard_store_reply_answered(ArdStore *s, const char *customer, ArdDay day, GError **error)
{
    if (!ard_store_ensure_dunning(s, customer, error))
        return false;
    sqlite3_stmt *st = ard_store_stmt(s,
        "UPDATE dunning SET unanswered = 0,"
        " last_reply = CASE WHEN last_reply IS NULL OR last_reply < ?2 THEN ?2 ELSE last_reply END"
        " WHERE customer_id = ?1", error);
    if (!st)
        return false;
    char d[11];
    ard_day_format(day, d);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d, -1, SQLITE_TRANSIENT);
    return ard_store_exec_stmt(s, st, error);
}

bool ard_store_reply_hold(ArdStore *s, const char *customer, ArdDay until, const char *reason,
                          bool extend_only, bool *changed, GError **error)
{
    if (!ard_store_ensure_dunning(s, customer, error))
        return false;
    sqlite3_stmt *st = ard_store_stmt(s,
        "UPDATE dunning SET hold_until = ?2, hold_reason = ?3 WHERE customer_id = ?1"
        " AND (hold_until IS NOT ?2 OR hold_reason IS NOT ?3)"
        " AND (?4 = 0 OR hold_until IS NULL OR hold_until < ?2)", error);
    if (!st)
        return false;
    char d[11];
    ard_day_format(until, d);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, extend_only ? 1 : 0);
    return ard_store_exec_changed(s, st, changed, error);
}

bool ard_store_reply_contact_status(ArdStore *s, const char *customer, const char *email,
                                    const char *status, bool *changed, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "UPDATE contacts SET status = ?3 WHERE customer_id = ?1 AND email = ?2 AND status != ?3",
        error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    return ard_store_exec_changed(s, st, changed, error);
}

bool ard_store_reply_own_invoices(ArdStore *s, const char *customer, const char *const *ids,
                                  GPtrArray *out, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT id FROM invoices WHERE customer_id = ? AND id = ? COLLATE NOCASE"
        " AND status = 'open'", error);
    if (!st)
        return false;
    for (int i = 0; ids && ids[i]; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ids[i], -1, SQLITE_STATIC);
        if (!collect_ids(s, st, out, "reading invoices", error))
            return false;
    }
    return true;
}

bool ard_store_reply_lead_invoice(ArdStore *s, const char *customer, ArdDay today, char **id,
                                  GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT id FROM invoices i WHERE customer_id = ?1 AND status = 'open' AND open_amount > 0"
        " ORDER BY (due_date < ?2 AND NOT EXISTS (SELECT 1 FROM disputes d"
        "   WHERE d.invoice_id = i.id AND d.status = 'open')) DESC,"
        " open_amount DESC, due_date ASC, id ASC LIMIT 1", error);
    if (!st)
        return false;
    char d[11];
    ard_day_format(today, d);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (!step_done(s, st, rc, "reading invoices", error))
        return false;
    *id = rc == SQLITE_ROW ? g_strdup(ard_col_text(st, 0)) : NULL;
    sqlite3_reset(st);
    return true;
}

bool ard_store_reply_dispute(ArdStore *s, const char *customer, const char *invoice,
                             const char *reason, int64_t message_row, bool *opened,
                             GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "INSERT INTO disputes (customer_id, invoice_id, reason, message, opened_at)"
        " SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM disputes"
        "   WHERE customer_id = ?1 AND invoice_id IS ?2 AND status = 'open')", error);
    if (!st)
        return false;
    char *now = ard_store_now(s);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    ard_bind_text(st, 2, invoice);
    ard_bind_text(st, 3, reason);
    if (message_row > 0)
        sqlite3_bind_int64(st, 4, message_row);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    g_free(now);
    return ard_store_exec_changed(s, st, opened, error);
}

bool ard_store_reply_promise(ArdStore *s, const char *customer, ArdDay date, const char *invoices,
                             int64_t message_row, int64_t *id, GError **error)
{
    /* A newer promise replaces an open older one: the customer's latest word counts. */
    sqlite3_stmt *st = ard_store_stmt(s,
        "UPDATE promises SET status = 'cancelled', resolved_at = ?2"
        " WHERE customer_id = ?1 AND status = 'open'", error);
    if (!st)
        return false;
    char *now = ard_store_now(s);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    if (!ard_store_exec_stmt(s, st, error)) {
        g_free(now);
        return false;
    }
    st = ard_store_stmt(s,
        "INSERT INTO promises (customer_id, promised_date, invoices, message, created_at)"
        " VALUES (?,?,?,?,?)", error);
    if (!st) {
        g_free(now);
        return false;
    }
    char d[11];
    ard_day_format(date, d);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d, -1, SQLITE_TRANSIENT);
    ard_bind_text(st, 3, invoices);
    if (message_row > 0)
        sqlite3_bind_int64(st, 4, message_row);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    g_free(now);
    if (!ard_store_exec_stmt(s, st, error))
        return false;
    *id = sqlite3_last_insert_rowid(s->db);
    return true;
}

bool ard_store_reply_escalate(ArdStore *s, const char *customer, const char *kind,
                              const char *reason, const char *owner, const char *due,
                              int priority, int64_t message_row, int64_t *id, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "INSERT INTO escalations (customer_id, kind, reason, owner, due, priority, message,"
        " created_at) VALUES (?,?,?,?,?,?,?,?)", error);
    if (!st)
        return false;
    char *now = ard_store_now(s);
    ard_bind_text(st, 1, customer);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
    ard_bind_text(st, 4, owner);
    ard_bind_text(st, 5, due);
    sqlite3_bind_int(st, 6, priority);
    if (message_row > 0)
        sqlite3_bind_int64(st, 7, message_row);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
    g_free(now);
    if (!ard_store_exec_stmt(s, st, error))
        return false;
    *id = sqlite3_last_insert_rowid(s->db);
    return true;
}

void ard_queue_entry_free(gpointer p)
{
    ArdQueueEntry *e = p;
    if (!e)
        return;
    g_free(e->customer);
    g_free(e->name);
    g_free(e->kind);
    g_free(e->reason);
    g_free(e->owner);
    g_free(e->due);
    g_free(e->created);
    g_free(e);
}

GPtrArray *ard_store_reply_queue(ArdStore *s, const char *owner, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT e.id, e.customer_id, c.name, e.kind, e.reason, e.owner, e.due, e.priority,"
        " e.created_at FROM escalations e LEFT JOIN customers c ON c.id = e.customer_id"
        " WHERE e.status = 'open' AND (?1 IS NULL OR e.owner = ?1 COLLATE NOCASE)"
        " ORDER BY e.due IS NULL, e.due, e.priority DESC, e.id", error);
    if (!st)
        return NULL;
    ard_bind_text(st, 1, owner);
    GPtrArray *out = g_ptr_array_new_with_free_func(ard_queue_entry_free);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ArdQueueEntry *e = g_new0(ArdQueueEntry, 1);
        e->id = sqlite3_column_int64(st, 0);
        e->customer = col_dup_or_null(st, 1);
        e->name = col_dup_or_null(st, 2);
        e->kind = g_strdup(ard_col_text(st, 3));
        e->reason = g_strdup(ard_col_text(st, 4));
        e->owner = col_dup_or_null(st, 5);
        e->due = col_dup_or_null(st, 6);
        e->priority = sqlite3_column_int(st, 7);
        e->created = g_strdup(ard_col_text(st, 8));
        g_ptr_array_add(out, e);
    }
    if (!step_done(s, st, rc, "reading the queue", error)) {
        g_ptr_array_unref(out);
        return NULL;
    }
    sqlite3_reset(st);
    return out;
}

bool ard_store_reply_resolve(ArdStore *s, const ArdResolve *r, GError **error)
{
    if (!ard_store_begin(s, error))
        return false;
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT customer_id, kind, reason FROM escalations WHERE id = ? AND status = 'open'", error);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, r->id);
    int rc = sqlite3_step(st);
    if (!step_done(s, st, rc, "reading escalations", error))
        goto fail;
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "no open item %" G_GINT64_FORMAT, r->id);
        goto fail;
    }
    char *customer = col_dup_or_null(st, 0);
    char *what = g_strdup_printf("%s %" G_GINT64_FORMAT " (%s)", ard_col_text(st, 1), r->id,
                                 ard_col_text(st, 2));
    sqlite3_reset(st);

    const char *resolution = r->resume ? "resume" : r->hold_until != ARD_DAY_NONE ? "hold" : "closed";
    char hold[11] = "";
    if (r->hold_until != ARD_DAY_NONE)
        ard_day_format(r->hold_until, hold);
    char *now = ard_store_now(s);
    bool ok = false;
    st = ard_store_stmt(s,
        "UPDATE escalations SET status = 'resolved', resolved_at = ?2, resolved_by = ?3,"
        " resolution = ?4, note = ?5 WHERE id = ?1", error);
    if (st) {
        sqlite3_bind_int64(st, 1, r->id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        ard_bind_text(st, 3, r->by);
        sqlite3_bind_text(st, 4, resolution, -1, SQLITE_STATIC);
        ard_bind_text(st, 5, r->note);
        ok = ard_store_exec_stmt(s, st, error);
    }
    if (ok && customer && (r->resume || r->hold_until != ARD_DAY_NONE)) {
        ok = ard_store_ensure_dunning(s, customer, error);
        st = ok ? ard_store_stmt(s,
            "UPDATE dunning SET hold_until = ?2, hold_reason = ?3 WHERE customer_id = ?1", error)
                : NULL;
        ok = st != NULL;
        if (ok) {
            sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
            ard_bind_text(st, 2, r->resume ? NULL : hold);
            ard_bind_text(st, 3, r->resume ? NULL : "collector");
            ok = ard_store_exec_stmt(s, st, error);
        }
    }
    if (ok) {
        char *reason = g_strdup_printf("%s resolved by %s%s%s%s%s%s", what,
                                       r->by && *r->by ? r->by : "unknown",
                                       r->resume ? "; dunning resumed" : "",
                                       *hold ? "; dunning held until " : "", hold,
                                       r->note && *r->note ? ": " : "",
                                       r->note && *r->note ? r->note : "");
        ok = ard_store_event(s, customer, "collector", "resolved", reason, error);
        g_free(reason);
    }
    g_free(now);
    g_free(what);
    g_free(customer);
    if (ok && ard_store_commit(s, error))
        return true;
fail:
    ard_store_rollback(s);
    return false;
}
