/* Loads the dunning facts of every customer in a dozen bulk queries (never
 * one query per customer: the nightly run must stay fast at 100,000
 * customers) and writes what a run does, each change with its event. Must
 * never decide anything: lib/policy decides. */
#include "store_int.h"
#include "store_dunning.h"
#include "error.h"
#include <string.h>

static ArdDay day_of(const char *s)
{
    ArdDay d;
    char buf[11];
    if (s == NULL || strlen(s) < 10)
        return ARD_DAY_NONE;
    memcpy(buf, s, 10);
    buf[10] = '\0';
    return ard_day_parse(buf, &d) ? d : ARD_DAY_NONE;
}

static void customer_free(gpointer p)
{
    ArdDunningCustomer *c = p;
    g_ptr_array_free(c->f.emails, TRUE);
    g_array_free(c->f.invoices, TRUE);
    g_array_free(c->f.credits, TRUE);
    g_array_free(c->f.sent_days, TRUE);
    g_ptr_array_free(c->message_ids, TRUE);
    g_free(c);
}

void ard_dunning_set_free(ArdDunningSet *set)
{
    if (!set)
        return;
    g_ptr_array_free(set->customers, TRUE);
    g_string_chunk_free(set->strings);
    g_free(set);
}

/* Paid invoices arrive ordered by customer and due date: the running mean
 * is the average, the last three make the recent average. */
typedef struct {
    ArdDunningCustomer *c;
    int late[3];
    int n;
    double sum;
} LateAcc;

typedef struct {
    ArdStore *s;
    ArdDunningSet *set;
    GHashTable *by_id;          /* id -> ArdDunningCustomer */
    const char *only;
    LateAcc late;
    GHashTable *open_promises;  /* customer id -> OpenPromise */
} Loader;

static const char *intern(Loader *l, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    return g_string_chunk_insert_const(l->set->strings, ard_col_text(st, col));
}

static const char *copy(Loader *l, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    return g_string_chunk_insert(l->set->strings, ard_col_text(st, col));
}

typedef void (*LoadRow)(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st);

/* Runs sql (first column: customer id; ?1 = only or NULL, ?2 = a day) and
 * hands each row of a known customer to fn. */
static bool each(Loader *l, const char *sql, const char *day, LoadRow fn, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(l->s, sql, error);
    if (!st)
        return false;
    ard_bind_text(st, 1, l->only);
    if (day)
        sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ArdDunningCustomer *c = g_hash_table_lookup(l->by_id, ard_col_text(st, 0));
        if (c)
            fn(l, c, st);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        ard_store_set_error(l->s, error, "reading dunning facts");
        return false;
    }
    return true;
}

static void row_contact(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    g_ptr_array_add(c->f.emails, (gpointer)copy(l, st, 1));
}

static void row_invoice(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    ArdInvoiceFacts v = {0};
    v.id = (char *)copy(l, st, 1);
    v.issue = day_of(ard_col_text(st, 2));
    v.due = day_of(ard_col_text(st, 3));
    v.amount = sqlite3_column_int64(st, 4);
    v.open_amount = sqlite3_column_int64(st, 5);
    g_strlcpy(v.currency, ard_col_text(st, 6), sizeof v.currency);
    v.disputed = sqlite3_column_int(st, 7) != 0;
    g_array_append_val(c->f.invoices, v);
}

static void row_credit(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    (void)l;
    ArdMoney m = {{0}, sqlite3_column_int64(st, 2)};
    g_strlcpy(m.currency, ard_col_text(st, 1), sizeof m.currency);
    g_array_append_val(c->f.credits, m);
}

static void row_billing(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    (void)l;
    c->f.billing_12m = sqlite3_column_int64(st, 1);
}


static void late_flush(LateAcc *late_acc)
{
    ArdDunningCustomer *c = late_acc->c;
    if (!c || late_acc->n == 0)
        return;
    c->f.paid_count = late_acc->n;
    c->f.avg_days_late = late_acc->sum / late_acc->n;
    int k = MIN(late_acc->n, 3);
    double r = 0;
    for (int i = 0; i < k; i++)
        r += late_acc->late[i];
    c->f.recent_days_late = r / k;
}

static void row_paid(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    LateAcc *late_acc = &l->late;
    if (late_acc->c != c) {
        late_flush(late_acc);
        memset(late_acc, 0, sizeof *late_acc);
        late_acc->c = c;
    }
    ArdDay due = day_of(ard_col_text(st, 1)), paid = day_of(ard_col_text(st, 2));
    if (due == ARD_DAY_NONE || paid == ARD_DAY_NONE)
        return;
    int late = paid > due ? paid - due : 0;
    late_acc->late[late_acc->n % 3] = late;
    late_acc->n++;
    late_acc->sum += late;
}

static void row_last_payment(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    (void)l;
    c->f.last_payment = day_of(ard_col_text(st, 1));
}

static void row_disputes(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    (void)l;
    c->f.disputes = sqlite3_column_int(st, 1);
}

typedef struct {
    const char *invoices;
    int64_t amount;
    ArdDay created;
} OpenPromise;

static void row_promise(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    const char *status = ard_col_text(st, 5);
    if (strcmp(status, "broken") == 0) {
        c->f.broken_promises++;
        ArdDay d = day_of(ard_col_text(st, 7));
        if (d != ARD_DAY_NONE && (c->f.last_broken == ARD_DAY_NONE || d > c->f.last_broken))
            c->f.last_broken = d;
        return;
    }
    /* The latest open promise is the one that counts. */
    c->f.promise_open = true;
    c->f.promise_id = sqlite3_column_int64(st, 1);
    c->f.promise_date = day_of(ard_col_text(st, 2));
    OpenPromise *p = g_new0(OpenPromise, 1);
    p->amount = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
    p->invoices = copy(l, st, 4);
    p->created = day_of(ard_col_text(st, 6));
    g_hash_table_replace(l->open_promises, (gpointer)c->f.id, p);
}

static void row_escalation(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    ArdDay d = day_of(ard_col_text(st, 4));
    if (d != ARD_DAY_NONE && (c->f.last_escalation == ARD_DAY_NONE || d > c->f.last_escalation))
        c->f.last_escalation = d;
    if (strcmp(ard_col_text(st, 1), "open") == 0) {
        if (c->f.open_escalations++ == 0) {
            c->f.escalation_reason = copy(l, st, 2);
            c->f.escalation_owner = copy(l, st, 3);
        }
    }
}

static void row_outbound(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    int64_t row = sqlite3_column_int64(st, 1);
    ArdDay run = day_of(ard_col_text(st, 2));
    const char *status = ard_col_text(st, 3);
    const char *stage = ard_col_text(st, 7);
    bool courtesy = strcmp(stage, "courtesy") == 0;
    if (strcmp(status, "sent") == 0 || strcmp(status, "queued") == 0) {
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            g_ptr_array_add(c->message_ids, (gpointer)copy(l, st, 4));
    }
    if (strcmp(status, "sent") == 0) {
        if (courtesy)
            c->f.last_courtesy_invoice = copy(l, st, 8);
        else if (run != ARD_DAY_NONE)
            g_array_append_val(c->f.sent_days, run);
    }
    c->last_row = row;
    c->last_row_date = run;
    c->last_row_status = intern(l, st, 3);
    c->last_row_message_id = copy(l, st, 4);
    c->last_row_token = copy(l, st, 5);
    c->last_row_serial = sqlite3_column_int64(st, 6);
}

static void row_inbound(Loader *l, ArdDunningCustomer *c, sqlite3_stmt *st)
{
    /* The digest's last reply is the latest answer however it was matched:
     * apply has already set dunning.last_reply to a token- or contact-matched
     * reply's day, so that reply is not newer and must still be shown. Only
     * those strong matches count as the customer answering (column 2): a
     * reply matched by invoice number or domain changes nothing on the
     * account, so it must not reset the count of unanswered messages. */
    c->last_row_reply = copy(l, st, 1);
    ArdDay d = day_of(ard_col_text(st, 2));
    if (d != ARD_DAY_NONE && (c->f.last_reply == ARD_DAY_NONE || d > c->f.last_reply))
        c->f.last_reply = d;
}

/* Which open invoices an open promise covers: those it names, or all the
 * overdue ones when it names none; and whether it has been kept. */
static void settle_promise(Loader *l, ArdDunningCustomer *c, ArdDay today, GError **error)
{
    ArdStore *s = l->s;
    OpenPromise *p = g_hash_table_lookup(l->open_promises, c->f.id);
    if (!p)
        return;
    char **named = p->invoices ? g_strsplit_set(p->invoices, ",; ", -1) : NULL;
    int named_n = 0, named_open = 0;
    int64_t owed = 0;
    for (int i = 0; named && named[i]; i++) {
        if (!*named[i])
            continue;
        named_n++;
        for (guint k = 0; k < c->f.invoices->len; k++) {
            ArdInvoiceFacts *v = &g_array_index(c->f.invoices, ArdInvoiceFacts, k);
            if (strcmp(v->id, named[i]) == 0 && v->open_amount > 0) {
                v->promised = true;
                named_open++;
            }
        }
    }
    g_strfreev(named);
    if (named_n > 0) {
        c->f.promise_kept = named_open == 0;
        return;
    }
    for (guint k = 0; k < c->f.invoices->len; k++) {
        ArdInvoiceFacts *v = &g_array_index(c->f.invoices, ArdInvoiceFacts, k);
        if (v->open_amount > 0 && v->due < today) {
            v->promised = true;
            owed += v->open_amount;
        }
    }
    if (p->amount > 0 && p->created != ARD_DAY_NONE) {
        sqlite3_stmt *st = ard_store_stmt(s,
            "SELECT coalesce(sum(amount), 0) FROM payments WHERE customer_id = ? AND date >= ?",
            error);
        if (!st)
            return;
        char day[11];
        ard_day_format(p->created, day);
        sqlite3_bind_text(st, 1, c->f.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            c->f.promise_kept = sqlite3_column_int64(st, 0) >= p->amount;
        sqlite3_reset(st);
    } else {
        c->f.promise_kept = owed == 0;
    }
}

ArdDunningSet *ard_store_dunning_load(ArdStore *s, ArdDay today, const char *only,
                                      GError **error)
{
    ArdDunningSet *set = g_new0(ArdDunningSet, 1);
    set->customers = g_ptr_array_new_with_free_func(customer_free);
    set->strings = g_string_chunk_new(1 << 20);
    Loader l = {s, set, g_hash_table_new(g_str_hash, g_str_equal), only, {0},
                g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free)};
    char year_ago[11];
    ard_day_format(today - 365, year_ago);

    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT c.id, c.name, c.owner, c.locale, c.timezone, c.segment, c.human_only,"
        " d.stage, d.last_sent, d.last_reply, d.hold_until, d.hold_reason, d.next_serial"
        " FROM customers c LEFT JOIN dunning d ON d.customer_id = c.id"
        " WHERE ?1 IS NULL OR c.id = ?1 ORDER BY c.id", error);
    if (!st)
        goto fail;
    ard_bind_text(st, 1, only);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ArdDunningCustomer *c = g_new0(ArdDunningCustomer, 1);
        ArdCustomerFacts *f = &c->f;
        f->id = copy(&l, st, 0);
        f->name = copy(&l, st, 1);
        f->owner = intern(&l, st, 2);
        f->locale = intern(&l, st, 3);
        f->timezone = intern(&l, st, 4);
        f->erp_segment = intern(&l, st, 5);
        f->human_only = sqlite3_column_int(st, 6) != 0;
        f->stage = ard_stage_parse(ard_col_text(st, 7));
        f->last_sent = day_of(ard_col_text(st, 8));
        f->last_reply = day_of(ard_col_text(st, 9));
        f->hold_until = day_of(ard_col_text(st, 10));
        f->hold_reason = copy(&l, st, 11);
        c->next_serial = sqlite3_column_type(st, 12) == SQLITE_NULL ? 1 : sqlite3_column_int64(st, 12);
        f->last_payment = f->last_escalation = f->last_broken = f->promise_date = ARD_DAY_NONE;
        f->emails = g_ptr_array_new();
        f->invoices = g_array_new(FALSE, FALSE, sizeof(ArdInvoiceFacts));
        f->credits = g_array_new(FALSE, FALSE, sizeof(ArdMoney));
        f->sent_days = g_array_new(FALSE, FALSE, sizeof(ArdDay));
        c->message_ids = g_ptr_array_new();
        g_ptr_array_add(set->customers, c);
        g_hash_table_insert(l.by_id, (gpointer)f->id, c);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading customers");
        goto fail;
    }
    if (!each(&l, "SELECT customer_id, email FROM contacts WHERE status = 'ok'"
                  " AND (?1 IS NULL OR customer_id = ?1) ORDER BY customer_id, position",
              NULL, row_contact, error) ||
        !each(&l, "SELECT i.customer_id, i.id, i.issue_date, i.due_date, i.amount, i.open_amount,"
                  " i.currency, d.invoice_id IS NOT NULL FROM invoices i"
                  " LEFT JOIN (SELECT DISTINCT invoice_id FROM disputes WHERE status = 'open'"
                  "  AND invoice_id IS NOT NULL) d ON d.invoice_id = i.id"
                  " WHERE i.status = 'open' AND i.open_amount <> 0"
                  " AND (?1 IS NULL OR i.customer_id = ?1)",
              NULL, row_invoice, error) ||
        !each(&l, "SELECT customer_id, currency, sum(unapplied) FROM payments WHERE unapplied <> 0"
                  " AND (?1 IS NULL OR customer_id = ?1) GROUP BY customer_id, currency",
              NULL, row_credit, error) ||
        !each(&l, "SELECT customer_id, sum(amount) FROM invoices WHERE issue_date > ?2"
                  " AND (?1 IS NULL OR customer_id = ?1) GROUP BY customer_id",
              year_ago, row_billing, error) ||
        !each(&l, "SELECT i.customer_id, i.due_date, max(p.date) FROM invoices i"
                  " JOIN allocations a ON a.invoice_id = i.id JOIN payments p ON p.id = a.payment_id"
                  " WHERE i.open_amount <= 0 AND i.amount > 0"
                  " AND (?1 IS NULL OR i.customer_id = ?1)"
                  " GROUP BY i.id ORDER BY i.customer_id, i.due_date",
              NULL, row_paid, error))
        goto fail;
    late_flush(&l.late);
    if (!each(&l, "SELECT customer_id, max(date) FROM payments"
                  " WHERE (?1 IS NULL OR customer_id = ?1) GROUP BY customer_id",
              NULL, row_last_payment, error) ||
        !each(&l, "SELECT customer_id, count(*) FROM disputes"
                  " WHERE (?1 IS NULL OR customer_id = ?1) GROUP BY customer_id",
              NULL, row_disputes, error) ||
        !each(&l, "SELECT customer_id, id, promised_date, amount, invoices, status, created_at,"
                  " resolved_at FROM promises WHERE status IN ('open','broken')"
                  " AND (?1 IS NULL OR customer_id = ?1) ORDER BY customer_id, id",
              NULL, row_promise, error) ||
        !each(&l, "SELECT customer_id, status, reason, owner, created_at FROM escalations"
                  " WHERE kind = 'escalation' AND customer_id IS NOT NULL"
                  " AND (?1 IS NULL OR customer_id = ?1) ORDER BY customer_id, status = 'open', id DESC",
              NULL, row_escalation, error) ||
        !each(&l, "SELECT customer_id, id, run_date, status, message_id, token, serial, stage,"
                  " lead_invoice FROM messages WHERE direction = 'out' AND customer_id IS NOT NULL"
                  " AND (?1 IS NULL OR customer_id = ?1) ORDER BY customer_id, id",
              NULL, row_outbound, error) ||
        !each(&l, "SELECT customer_id, max(created_at),"
                  " max(CASE WHEN match IN ('token','contact') THEN created_at END)"
                  " FROM messages WHERE direction = 'in'"
                  " AND auto_reply = 0 AND customer_id IS NOT NULL"
                  " AND (?1 IS NULL OR customer_id = ?1) GROUP BY customer_id",
              NULL, row_inbound, error))
        goto fail;
    for (guint i = 0; i < set->customers->len; i++) {
        ArdDunningCustomer *c = set->customers->pdata[i];
        settle_promise(&l, c, today, error);
        if (error && *error)
            goto fail;
    }
    g_hash_table_destroy(l.by_id);
    g_hash_table_destroy(l.open_promises);
    return set;
fail:
    g_hash_table_destroy(l.by_id);
    g_hash_table_destroy(l.open_promises);
    ard_dunning_set_free(set);
    return NULL;
}

static bool queue_in(ArdStore *s, const ArdOutbound *m, int64_t *row, GError **error)
{
    char day[11];
    ard_day_format(m->run_date, day);
    if (!ard_store_ensure_dunning(s, m->customer, error))
        return false;
    sqlite3_stmt *st = ard_store_stmt(s,
        "INSERT INTO messages (direction, customer_id, message_id, in_reply_to, token, serial,"
        " run_date, stage, lead_invoice, subject, sender, recipients, status, created_at)"
        " VALUES ('out',?,?,?,?,?,?,?,?,?,?,?,'queued',?)", error);
    if (!st)
        return false;
    char *now = ard_store_now(s);
    ard_bind_text(st, 1, m->customer);
    ard_bind_text(st, 2, m->message_id);
    ard_bind_text(st, 3, m->in_reply_to);
    ard_bind_text(st, 4, m->token);
    sqlite3_bind_int64(st, 5, m->serial);
    ard_bind_text(st, 6, day);
    ard_bind_text(st, 7, m->stage);
    ard_bind_text(st, 8, m->lead_invoice);
    ard_bind_text(st, 9, m->subject);
    ard_bind_text(st, 10, m->sender);
    ard_bind_text(st, 11, m->recipients);
    ard_bind_text(st, 12, now);
    g_free(now);
    if (!ard_store_exec_stmt(s, st, error))
        return false;
    *row = sqlite3_last_insert_rowid(s->db);
    st = ard_store_stmt(s, "UPDATE dunning SET next_serial = max(next_serial, ? + 1)"
                           " WHERE customer_id = ?", error);
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, m->serial);
    sqlite3_bind_text(st, 2, m->customer, -1, SQLITE_STATIC);
    return ard_store_exec_stmt(s, st, error);
}

bool ard_store_dunning_queue_many(ArdStore *s, const ArdOutbound *m, guint n, int64_t *rows,
                                  GError **error)
{
    if (!ard_store_begin(s, error))
        return false;
    for (guint i = 0; i < n; i++)
        if (!queue_in(s, &m[i], &rows[i], error)) {
            ard_store_rollback(s);
            return false;
        }
    return ard_store_commit(s, error);
}

bool ard_store_dunning_queue(ArdStore *s, const ArdOutbound *m, int64_t *row, GError **error)
{
    return ard_store_dunning_queue_many(s, m, 1, row, error);
}

static bool set_status(ArdStore *s, int64_t row, const char *status, const char *err,
                       bool sent_at, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "UPDATE messages SET status = ?, error = ?, sent_at = CASE WHEN ? THEN ? ELSE sent_at END"
        " WHERE id = ?", error);
    if (!st)
        return false;
    char *now = ard_store_now(s);
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    ard_bind_text(st, 2, err);
    sqlite3_bind_int(st, 3, sent_at);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, row);
    g_free(now);
    return ard_store_exec_stmt(s, st, error);
}

bool ard_store_dunning_requeue(ArdStore *s, int64_t row, GError **error)
{
    return set_status(s, row, "queued", NULL, false, error);
}

static bool sent_in(ArdStore *s, const ArdSent *m, GError **error)
{
    char day[11];
    ard_day_format(m->run_date, day);
    sqlite3_stmt *st;
    if (!set_status(s, m->row, "sent", NULL, true, error) ||
        !ard_store_ensure_dunning(s, m->customer, error))
        return false;
    if (m->courtesy)
        st = ard_store_stmt(s, "UPDATE dunning SET messages_sent = messages_sent + 1"
                               " WHERE customer_id = ?1", error);
    else
        st = ard_store_stmt(s, "UPDATE dunning SET messages_sent = messages_sent + 1,"
                               " unanswered = unanswered + 1, stage = ?2, last_sent = ?3"
                               " WHERE customer_id = ?1", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, m->customer, -1, SQLITE_STATIC);
    if (!m->courtesy) {
        sqlite3_bind_text(st, 2, ard_stage_name(m->stage), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, day, -1, SQLITE_TRANSIENT);
    }
    if (!ard_store_exec_stmt(s, st, error) ||
        !ard_store_event(s, m->customer, "agent", "message_sent", m->reason, error))
        return false;
    if (!m->courtesy && m->stage != m->old_stage) {
        char *why = g_strdup_printf("stage %s -> %s with the message of %s",
                                    ard_stage_name(m->old_stage), ard_stage_name(m->stage), day);
        bool ok = ard_store_event(s, m->customer, "agent", "stage", why, error);
        g_free(why);
        if (!ok)
            return false;
    }
    return true;
}

bool ard_store_dunning_sent_many(ArdStore *s, const ArdSent *m, guint n, GError **error)
{
    if (!ard_store_begin(s, error))
        return false;
    for (guint i = 0; i < n; i++)
        if (!sent_in(s, &m[i], error)) {
            ard_store_rollback(s);
            return false;
        }
    return ard_store_commit(s, error);
}

bool ard_store_dunning_sent(ArdStore *s, int64_t row, const char *customer, ArdStage old_stage,
                            ArdStage stage, bool courtesy, ArdDay run_date, const char *reason,
                            GError **error)
{
    ArdSent m = {row, customer, old_stage, stage, courtesy, run_date, reason};
    return ard_store_dunning_sent_many(s, &m, 1, error);
}

bool ard_store_dunning_failed(ArdStore *s, int64_t row, const char *customer, const char *why,
                              GError **error)
{
    if (!ard_store_begin(s, error))
        return false;
    char *reason = g_strdup_printf("message not delivered, retried on the next run: %s", why);
    bool ok = set_status(s, row, "failed", why, false, error) &&
              ard_store_event(s, customer, "agent", "message_failed", reason, error) &&
              ard_store_commit(s, error);
    g_free(reason);
    if (!ok)
        ard_store_rollback(s);
    return ok;
}

bool ard_store_dunning_apply(ArdStore *s, const ArdDunningChange *c, GError **error)
{
    char *now = ard_store_now(s);
    char pd[11] = "";
    if (c->promise_date != ARD_DAY_NONE)
        ard_day_format(c->promise_date, pd);
    if (!ard_store_begin(s, error)) {
        g_free(now);
        return false;
    }
    sqlite3_stmt *st;
    if (!ard_store_ensure_dunning(s, c->customer, error))
        goto fail;
    if (c->promise_kept || c->promise_broken) {
        st = ard_store_stmt(s, "UPDATE promises SET status = ?, resolved_at = ?"
                               " WHERE id = ? AND status = 'open'", error);
        if (!st)
            goto fail;
        sqlite3_bind_text(st, 1, c->promise_kept ? "kept" : "broken", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, c->promise_id);
        char *why = c->promise_kept
            ? g_strdup_printf("promise to pay %s kept: what it covered is paid", pd)
            : g_strdup_printf("promise to pay %s broken: still unpaid after the grace period; "
                              "dunning resumes one stage up", pd);
        bool ok = ard_store_exec_stmt(s, st, error) &&
                  ard_store_event(s, c->customer, "agent",
                                  c->promise_kept ? "promise_kept" : "promise_broken", why, error);
        g_free(why);
        if (!ok)
            goto fail;
    }
    if (c->stage_reset || c->new_stage != c->old_stage) {
        st = ard_store_stmt(s, "UPDATE dunning SET stage = ? WHERE customer_id = ?", error);
        if (!st)
            goto fail;
        if (c->stage_reset || c->new_stage == ARD_STAGE_NONE)
            sqlite3_bind_null(st, 1);
        else
            sqlite3_bind_text(st, 1, ard_stage_name(c->new_stage), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->customer, -1, SQLITE_STATIC);
        char *why = c->stage_reset
            ? g_strdup_printf("stage %s reset: nothing overdue any more",
                              ard_stage_name(c->old_stage))
            : g_strdup_printf("stage %s -> %s", ard_stage_name(c->old_stage),
                              ard_stage_name(c->new_stage));
        bool ok = ard_store_exec_stmt(s, st, error) &&
                  ard_store_event(s, c->customer, "agent", "stage", why, error);
        g_free(why);
        if (!ok)
            goto fail;
    }
    if (c->escalate) {
        st = ard_store_stmt(s, "INSERT INTO escalations (customer_id, kind, reason, owner, due,"
                               " priority, status, created_at) VALUES (?,'escalation',?,?,?,?,'open',?)",
                            error);
        if (!st)
            goto fail;
        ard_bind_text(st, 1, c->customer);
        ard_bind_text(st, 2, c->escalation_reason);
        ard_bind_text(st, 3, c->owner);
        ard_bind_text(st, 4, c->escalation_due);
        sqlite3_bind_int(st, 5, c->priority);
        ard_bind_text(st, 6, now);
        char *why = g_strdup_printf("escalated to %s, due %s: %s",
                                    c->owner && *c->owner ? c->owner : "(no owner)",
                                    c->escalation_due ? c->escalation_due : "-",
                                    c->escalation_reason);
        bool ok = ard_store_exec_stmt(s, st, error) &&
                  ard_store_event(s, c->customer, "agent", "escalation_opened", why, error);
        g_free(why);
        if (!ok)
            goto fail;
    }
    g_free(now);
    return ard_store_commit(s, error);
fail:
    g_free(now);
    ard_store_rollback(s);
    return false;
}

void ard_queue_item_free(gpointer p)
{
    ArdQueueItem *q = p;
    g_free(q->customer);
    g_free(q->name);
    g_free(q->owner);
    g_free(q->kind);
    g_free(q->reason);
    g_free(q->due);
    g_free(q->created);
    g_free(q);
}

GPtrArray *ard_store_queue_items(ArdStore *s, ArdDay today, int days, GError **error)
{
    char since[11];
    ard_day_format(today - days, since);
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT e.customer_id, c.name, coalesce(e.owner, c.owner), e.kind, e.reason, e.due,"
        " e.created_at, e.priority FROM escalations e LEFT JOIN customers c ON c.id = e.customer_id"
        " WHERE e.status = 'open'"
        " UNION ALL SELECT p.customer_id, c.name, c.owner, 'broken_promise',"
        " 'promise to pay ' || p.promised_date || ' broken', NULL, p.resolved_at, 1000"
        " FROM promises p JOIN customers c ON c.id = p.customer_id"
        " WHERE p.status = 'broken' AND p.resolved_at >= ?1", error);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, since, -1, SQLITE_TRANSIENT);
    GPtrArray *out = g_ptr_array_new_with_free_func(ard_queue_item_free);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ArdQueueItem *q = g_new0(ArdQueueItem, 1);
        q->customer = g_strdup(ard_col_text(st, 0));
        q->name = g_strdup(ard_col_text(st, 1));
        q->owner = g_strdup(ard_col_text(st, 2));
        q->kind = g_strdup(ard_col_text(st, 3));
        q->reason = g_strdup(ard_col_text(st, 4));
        q->due = g_strdup(ard_col_text(st, 5));
        q->created = g_strdup(ard_col_text(st, 6));
        q->priority = sqlite3_column_int(st, 7);
        g_ptr_array_add(out, q);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading the queue");
        g_ptr_array_free(out, TRUE);
        return NULL;
    }
    return out;
}

void ard_flows_free(GArray *flows)
{
    if (!flows)
        return;
    for (guint i = 0; i < flows->len; i++)
        g_free(g_array_index(flows, ArdFlow, i).customer);
    g_array_free(flows, TRUE);
}

GArray *ard_store_flows(ArdStore *s, ArdDay today, GError **error)
{
    char d7[11], d14[11], d30[11], d60[11], d90[11], t[11];
    ard_day_format(today - 6, d7);
    ard_day_format(today - 13, d14);
    ard_day_format(today - 29, d30);
    ard_day_format(today - 59, d60);
    ard_day_format(today - 89, d90);
    ard_day_format(today, t);
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT customer_id, currency, sum(p7), sum(pp7), sum(p30), sum(pp30), sum(b90) FROM ("
        " SELECT customer_id, currency,"
        "  CASE WHEN date >= ?1 THEN amount ELSE 0 END AS p7,"
        "  CASE WHEN date >= ?2 AND date < ?1 THEN amount ELSE 0 END AS pp7,"
        "  CASE WHEN date >= ?3 THEN amount ELSE 0 END AS p30,"
        "  CASE WHEN date >= ?4 AND date < ?3 THEN amount ELSE 0 END AS pp30, 0 AS b90"
        "  FROM payments WHERE date >= ?4 AND date <= ?6"
        " UNION ALL SELECT customer_id, currency, 0, 0, 0, 0, amount FROM invoices"
        "  WHERE issue_date >= ?5 AND issue_date <= ?6 AND status <> 'void')"
        " GROUP BY customer_id, currency", error);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, d7, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, d14, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, d30, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, d60, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, d90, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, t, -1, SQLITE_TRANSIENT);
    GArray *out = g_array_new(FALSE, TRUE, sizeof(ArdFlow));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ArdFlow f = {0};
        f.customer = g_strdup(ard_col_text(st, 0));
        g_strlcpy(f.currency, ard_col_text(st, 1), sizeof f.currency);
        f.paid_7 = sqlite3_column_int64(st, 2);
        f.paid_prev_7 = sqlite3_column_int64(st, 3);
        f.paid_30 = sqlite3_column_int64(st, 4);
        f.paid_prev_30 = sqlite3_column_int64(st, 5);
        f.billed_90 = sqlite3_column_int64(st, 6);
        g_array_append_val(out, f);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading payments for the report");
        ard_flows_free(out);
        return NULL;
    }
    return out;
}
