/* Upserts of ERP records and payment allocation. Rows compare field by field
 * so that importing the same export twice reports everything unchanged and
 * writes nothing. Must never let an invoice's open amount drift from
 * erp_open_amount minus its allocations. */
#include "store_int.h"
#include "store_erp.h"
#include "money.h"
#include <string.h>

static bool same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool ard_store_customer_exists(ArdStore *s, const char *id, bool *exists, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s, "SELECT 1 FROM customers WHERE id = ?", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading customers");
        return false;
    }
    *exists = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return true;
}

bool ard_store_invoice_owner(ArdStore *s, const char *id, bool *exists, char **customer,
                             char currency[4], GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT customer_id, currency FROM invoices WHERE id = ?", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading invoices");
        return false;
    }
    *exists = rc == SQLITE_ROW;
    if (*exists) {
        if (customer)
            *customer = g_strdup(ard_col_text(st, 0));
        g_strlcpy(currency, ard_col_text(st, 1), 4);
    }
    sqlite3_reset(st);
    return true;
}

/* The first column of sql's first row (parameters: customer, then payment
 * when sql has a second) into currency, "" when there is none or NULL;
 * what names the read in an error. */
static bool currency_query(ArdStore *s, const char *sql, const char *what, const char *customer,
                           const char *payment, char currency[4], GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s, sql, error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(st) > 1)
        ard_bind_text(st, 2, payment);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ard_store_set_error(s, error, what);
        return false;
    }
    g_strlcpy(currency, rc == SQLITE_ROW ? ard_col_text(st, 0) : "", 4);
    sqlite3_reset(st);
    return true;
}

bool ard_store_payment_currency(ArdStore *s, const char *id, const char *customer,
                                char currency[4], GError **error)
{
    return currency_query(s, "SELECT currency FROM payments WHERE customer_id = ?1 AND id = ?2",
                          "reading payments", customer, id, currency, error);
}

bool ard_store_customer_currency(ArdStore *s, const char *customer, const char *payment,
                                 char currency[4], GError **error)
{
    /* The payment's own allocations are given back: what it paid must not
     * decide the currency it is in. */
    if (!currency_query(s,
            "SELECT currency FROM invoices i WHERE customer_id = ?1 AND status = 'open'"
            " AND open_amount + coalesce((SELECT amount FROM allocations a"
            " WHERE a.payment_id = ?2 AND a.invoice_id = i.id), 0) > 0"
            " ORDER BY due_date, issue_date, id LIMIT 1", "reading invoices", customer, payment,
            currency, error))
        return false;
    if (*currency)
        return true;
    return currency_query(s,
        "SELECT CASE WHEN count(DISTINCT currency) = 1 THEN min(currency) END"
        " FROM invoices WHERE customer_id = ?1", "reading invoices", customer, NULL, currency,
        error);
}

/* ---- customers ---- */

static bool contacts_differ(ArdStore *s, const char *id, char **emails, bool *differ,
                            GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT email FROM contacts WHERE customer_id = ? AND source = 'erp' ORDER BY position",
        error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int i = 0, rc;
    *differ = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (emails[i] == NULL || strcmp(emails[i], ard_col_text(st, 0)) != 0)
            *differ = true;
        if (emails[i])
            i++;
    }
    if (rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading contacts");
        return false;
    }
    if (emails[i] != NULL)
        *differ = true;
    sqlite3_reset(st);
    return true;
}

/* fresh: the customer was inserted just now, so it has no contacts yet
 * (contacts are only ever written for an existing customer). */
static bool write_contacts(ArdStore *s, const char *id, char **emails, bool fresh,
                           GError **error)
{
    if (!fresh) {
        sqlite3_stmt *del = ard_store_stmt(s,
            "DELETE FROM contacts WHERE customer_id = ? AND source = 'erp'", error);
        if (!del)
            return false;
        sqlite3_bind_text(del, 1, id, -1, SQLITE_STATIC);
        if (!ard_store_exec_stmt(s, del, error))
            return false;
    }
    for (int i = 0; emails[i]; i++) {
        /* A contact learned from a reply keeps its status but becomes an ERP
         * contact again. */
        sqlite3_stmt *st = ard_store_stmt(s,
            "INSERT INTO contacts (customer_id, email, position, source) VALUES (?,?,?, 'erp')"
            " ON CONFLICT (customer_id, email) DO UPDATE SET position = excluded.position,"
            " source = 'erp'", error);
        if (!st)
            return false;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, emails[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, i);
        if (!ard_store_exec_stmt(s, st, error))
            return false;
    }
    return true;
}

static void bind_customer(ArdStore *s, sqlite3_stmt *st, const ArdCustomerIn *c)
{
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
    ard_bind_text(st, 3, c->owner);
    sqlite3_bind_text(st, 4, c->locale && *c->locale ? c->locale : "en", -1, SQLITE_STATIC);
    ard_bind_text(st, 5, c->timezone);
    ard_bind_text(st, 6, c->segment);
    sqlite3_bind_int(st, 7, c->human_only);
    sqlite3_bind_text(st, 8, ard_store_now_cached(s), -1, SQLITE_STATIC);
}

/* Most rows of a first, large export are new: the insert is tried first, so
 * a new customer costs no lookups. */
static bool insert_customer(ArdStore *s, const ArdCustomerIn *c, bool *inserted, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "INSERT INTO customers (id, name, owner, locale, timezone, segment, human_only,"
        " created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?8)"
        " ON CONFLICT (id) DO NOTHING", error);
    if (!st)
        return false;
    bind_customer(s, st, c);
    if (!ard_store_exec_changed(s, st, inserted, error))
        return false;
    if (!*inserted)
        return true;
    return write_contacts(s, c->id, c->emails, true, error) &&
           ard_store_event(s, c->id, "import", "customer_created",
                           c->human_only ? "customer created from the ERP"
                                           " (human only: no automated mail)"
                                         : "customer created from the ERP", error);
}

/* Column col of st, copied to live as long as held (st is reset before the
 * copy is used). */
static const char *held_text(GPtrArray *held, sqlite3_stmt *st, int col)
{
    char *v = g_strdup(ard_col_text(st, col));
    g_ptr_array_add(held, v);
    return v;
}

/* The fields c leaves to the stored row (st: name, owner, locale, timezone,
 * segment, human_only) taken from it into in; the copied texts go to held. */
static void keep_stored_customer(sqlite3_stmt *st, const ArdCustomerIn *c, ArdCustomerIn *in,
                                 GPtrArray *held)
{
    static const unsigned flags[] = {ARD_KEEP_OWNER, ARD_KEEP_LOCALE, ARD_KEEP_TIMEZONE,
                                     ARD_KEEP_SEGMENT};
    const char **fields[] = {&in->owner, &in->locale, &in->timezone, &in->segment};
    *in = *c;
    for (int i = 0; i < 4; i++)
        if (c->keep & flags[i])
            *fields[i] = held_text(held, st, i + 1);
    if (c->keep & ARD_KEEP_HUMAN_ONLY)
        in->human_only = sqlite3_column_int(st, 5) != 0;
}

/* An existing customer: compared field by field, written only when changed;
 * the fields its row leaves out keep their stored values. */
static bool update_customer(ArdStore *s, const ArdCustomerIn *row, ArdUpsert *res,
                            GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT name, owner, locale, timezone, segment, human_only FROM customers WHERE id = ?",
        error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, row->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        ard_store_set_error(s, error, "reading customers");
        sqlite3_reset(st);
        return false;
    }
    ArdCustomerIn in;
    const ArdCustomerIn *c = &in;
    GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
    keep_stored_customer(st, row, &in, held);
    bool changed = false;
    GString *what = g_string_new(NULL);
    const char *cols[] = {"name", "owner", "locale", "timezone", "segment"};
    const char *vals[] = {c->name, c->owner, c->locale, c->timezone, c->segment};
    for (int i = 0; i < 5; i++)
        if (!same(ard_col_text(st, i), vals[i])) {
            g_string_append_printf(what, "%s%s '%s' -> '%s'", what->len ? ", " : "",
                                   cols[i], ard_col_text(st, i), vals[i] ? vals[i] : "");
            changed = true;
        }
    if (sqlite3_column_int(st, 5) != (int)c->human_only) {
        g_string_append_printf(what, "%shuman_only %s", what->len ? ", " : "",
                               c->human_only ? "on" : "off");
        changed = true;
    }
    sqlite3_reset(st);

    bool differ, ok = false;
    if (!contacts_differ(s, c->id, c->emails, &differ, error))
        goto out;
    if (differ) {
        g_string_append_printf(what, "%scontact addresses", what->len ? ", " : "");
        changed = true;
    }
    *res = changed ? ARD_UPSERT_UPDATED : ARD_UPSERT_UNCHANGED;
    if (!changed) {
        ok = true;
        goto out;
    }
    st = ard_store_stmt(s,
        "UPDATE customers SET name = ?2, owner = ?3, locale = ?4, timezone = ?5, segment = ?6,"
        " human_only = ?7, updated_at = ?8 WHERE id = ?1", error);
    if (!st)
        goto out;
    bind_customer(s, st, c);
    if (!ard_store_exec_stmt(s, st, error))
        goto out;
    if (differ && !write_contacts(s, c->id, c->emails, false, error))
        goto out;
    char *reason = g_strdup_printf("customer updated from the ERP: %s", what->str);
    ok = ard_store_event(s, c->id, "import", "customer_updated", reason, error);
    g_free(reason);
out:
    g_string_free(what, TRUE);
    g_ptr_array_free(held, TRUE);
    return ok;
}

bool ard_store_upsert_customer(ArdStore *s, const ArdCustomerIn *c, ArdUpsert *res, GError **error)
{
    bool inserted;
    if (!insert_customer(s, c, &inserted, error))
        return false;
    if (inserted) {
        *res = ARD_UPSERT_INSERTED;
        return true;
    }
    return update_customer(s, c, res, error);
}

/* ---- first loads ---- */

/* Drops an index when select (the index's schema text, asked only while
 * its table is empty) gives a row, keeping that text for
 * ard_store_bulk_done: the schema's own words, so the index comes back
 * exactly as the migrations made it. */
static bool defer_index(ArdStore *s, const char *select, const char *drop, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s, select, error);
    if (!st)
        return false;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading the schema");
        sqlite3_reset(st);
        return false;
    }
    char *create = rc == SQLITE_ROW ? g_strdup(ard_col_text(st, 0)) : NULL;
    sqlite3_reset(st);
    if (!create)
        return true;
    if (sqlite3_exec(s->db, drop, NULL, NULL, NULL) != SQLITE_OK) {
        ard_store_set_error(s, error, "dropping an index for the import");
        g_free(create);
        return false;
    }
    g_free(s->deferred_index);
    s->deferred_index = create;
    return true;
}

bool ard_store_invoices_start(ArdStore *s, GError **error)
{
    return defer_index(s,
        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'invoices_customer'"
        " AND NOT EXISTS (SELECT 1 FROM invoices)", "DROP INDEX invoices_customer", error);
}

bool ard_store_payments_start(ArdStore *s, GError **error)
{
    return defer_index(s,
        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'payments_customer'"
        " AND NOT EXISTS (SELECT 1 FROM payments)", "DROP INDEX payments_customer", error);
}

bool ard_store_bulk_done(ArdStore *s, GError **error)
{
    if (!s->deferred_index)
        return true;
    char *sql = s->deferred_index;
    s->deferred_index = NULL;
    bool ok = sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        ard_store_set_error(s, error, "building an index after the import");
    g_free(sql);
    return ok;
}

/* ---- invoices ---- */

static bool refresh_open(ArdStore *s, const char *invoice, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "UPDATE invoices SET open_amount = erp_open_amount - coalesce("
        " (SELECT sum(amount) FROM allocations WHERE invoice_id = ?1), 0) WHERE id = ?1", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, invoice, -1, SQLITE_TRANSIENT);
    return ard_store_exec_stmt(s, st, error);
}

/* Binds invoice i of rows as parameters first..first+9, in the insert's
 * column order (the update uses the same numbering). */
static void bind_invoice_at(sqlite3_stmt *st, int first, const void *rows, int i)
{
    const ArdInvoiceIn *inv = (const ArdInvoiceIn *)rows + i;
    sqlite3_bind_text(st, first, inv->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 1, inv->customer_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 2, inv->issue_date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 3, inv->due_date, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, first + 4, inv->amount);
    sqlite3_bind_text(st, first + 5, inv->currency, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, first + 6, inv->open_amount);
    sqlite3_bind_int64(st, first + 7, inv->open_amount);
    if (inv->po_number && *inv->po_number)
        sqlite3_bind_text(st, first + 8, inv->po_number, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, first + 8);
    sqlite3_bind_text(st, first + 9, inv->status, -1, SQLITE_STATIC);
}

#define INVOICE_INSERT "INSERT INTO invoices (id, customer_id, issue_date, due_date, amount," \
    " currency, erp_open_amount, open_amount, po_number, status) VALUES "
#define INVOICE_ROW "(?,?,?,?,?,?,?,?,?,?)"
#define INVOICE_ROWS4 INVOICE_ROW "," INVOICE_ROW "," INVOICE_ROW "," INVOICE_ROW
G_STATIC_ASSERT(ARD_INVOICE_BATCH == 16);

bool ard_store_insert_invoices(ArdStore *s, const ArdInvoiceIn *inv, int n, int *inserted,
                               GError **error)
{
    return ard_store_insert_rows(s, INVOICE_INSERT INVOICE_ROW " ON CONFLICT (id) DO NOTHING",
                                 INVOICE_INSERT INVOICE_ROWS4 "," INVOICE_ROWS4 ","
                                 INVOICE_ROWS4 "," INVOICE_ROWS4 " ON CONFLICT (id) DO NOTHING",
                                 ARD_INVOICE_BATCH, 10, n, bind_invoice_at, inv, inserted, error);
}

/* The ERP open amount of an invoice whose row has no open_amount: the part
 * of the old amount the ERP had settled stays settled, within 0..amount
 * (a credit note's amount..0). A change of currency starts afresh. */
static int64_t kept_open(sqlite3_stmt *st, const ArdInvoiceIn *inv)
{
    if (!same(ard_col_text(st, 4), inv->currency))
        return inv->amount;
    int64_t open = inv->amount - (sqlite3_column_int64(st, 3) - sqlite3_column_int64(st, 5));
    int64_t lo = inv->amount < 0 ? inv->amount : 0, hi = inv->amount < 0 ? 0 : inv->amount;
    return open < lo ? lo : open > hi ? hi : open;
}

/* The fields row leaves to the stored invoice (st: see update_invoice)
 * taken from it into in; the copied texts go to held. */
static void keep_stored_invoice(sqlite3_stmt *st, const ArdInvoiceIn *row, ArdInvoiceIn *in,
                                GPtrArray *held)
{
    *in = *row;
    if (row->keep & ARD_KEEP_OPEN_AMOUNT)
        in->open_amount = kept_open(st, row);
    if (row->keep & ARD_KEEP_PO_NUMBER)
        in->po_number = held_text(held, st, 6);
    if (row->keep & ARD_KEEP_STATUS)
        in->status = held_text(held, st, 7);
}

bool ard_store_update_invoice(ArdStore *s, const ArdInvoiceIn *row, ArdUpsert *res,
                              GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT customer_id, issue_date, due_date, amount, currency, erp_open_amount,"
        " po_number, status FROM invoices WHERE id = ?", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, row->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        ard_store_set_error(s, error, "reading invoices");
        sqlite3_reset(st);
        return false;
    }
    ArdInvoiceIn in;
    const ArdInvoiceIn *inv = &in;
    GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
    keep_stored_invoice(st, row, &in, held);
    bool moved = !same(ard_col_text(st, 0), inv->customer_id);
    if (!moved && same(ard_col_text(st, 1), inv->issue_date) &&
        same(ard_col_text(st, 2), inv->due_date) && sqlite3_column_int64(st, 3) == inv->amount &&
        same(ard_col_text(st, 4), inv->currency) &&
        sqlite3_column_int64(st, 5) == inv->open_amount &&
        same(ard_col_text(st, 6), inv->po_number) && same(ard_col_text(st, 7), inv->status)) {
        sqlite3_reset(st);
        g_ptr_array_free(held, TRUE);
        *res = ARD_UPSERT_UNCHANGED;
        return true;
    }
    sqlite3_reset(st);
    char open[40];
    ard_money_plain(inv->open_amount, inv->currency, open, sizeof open);
    char *what = g_strdup_printf("invoice %s updated from the ERP: status %s, ERP open amount %s %s%s",
                                 inv->id, inv->status, open, inv->currency,
                                 moved ? " (moved from another customer)" : "");
    /* The insert's parameters (bind_invoice_at); ?8, the open amount, is
     * recomputed from the allocations by refresh_open instead. */
    st = ard_store_stmt(s,
        "UPDATE invoices SET customer_id = ?2, issue_date = ?3, due_date = ?4, amount = ?5,"
        " currency = ?6, erp_open_amount = ?7, po_number = ?9, status = ?10 WHERE id = ?1", error);
    bool ok = st != NULL;
    if (ok) {
        bind_invoice_at(st, 1, inv, 0);
        ok = ard_store_exec_stmt(s, st, error) && refresh_open(s, inv->id, error) &&
             ard_store_event(s, inv->customer_id, "import", "invoice_updated", what, error);
    }
    g_free(what);
    g_ptr_array_free(held, TRUE);
    *res = ARD_UPSERT_UPDATED;
    return ok;
}

bool ard_store_upsert_invoice(ArdStore *s, const ArdInvoiceIn *inv, ArdUpsert *res, GError **error)
{
    int inserted;
    if (!ard_store_insert_invoices(s, inv, 1, &inserted, error))
        return false;
    if (inserted == 1) {
        *res = ARD_UPSERT_INSERTED;
        return true;
    }
    return ard_store_update_invoice(s, inv, res, error);
}

/* ---- payments ---- */

static bool unallocate(ArdStore *s, const char *payment, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT invoice_id FROM allocations WHERE payment_id = ?", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, payment, -1, SQLITE_STATIC);
    GPtrArray *touched = g_ptr_array_new_with_free_func(g_free);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        g_ptr_array_add(touched, g_strdup(ard_col_text(st, 0)));
    sqlite3_reset(st);
    bool ok = rc == SQLITE_DONE;
    if (!ok)
        ard_store_set_error(s, error, "reading allocations");
    if (ok) {
        st = ard_store_stmt(s, "DELETE FROM allocations WHERE payment_id = ?", error);
        ok = st != NULL;
        if (ok) {
            sqlite3_bind_text(st, 1, payment, -1, SQLITE_STATIC);
            ok = ard_store_exec_stmt(s, st, error);
        }
    }
    for (guint i = 0; ok && i < touched->len; i++)
        ok = refresh_open(s, touched->pdata[i], error);
    g_ptr_array_free(touched, TRUE);
    return ok;
}

/* An open invoice a payment can go to, as read before any write. */
typedef struct {
    sqlite3_int64 rowid;
    int64_t open;
    char *id, *due, *issue;
} Candidate;

static void candidate_clear(gpointer c)
{
    Candidate *k = c;
    g_free(k->id);
    g_free(k->due);
    g_free(k->issue);
}

/* Oldest first: due date, then issue date, then id. */
static gint candidate_order(gconstpointer a, gconstpointer b)
{
    const Candidate *x = a, *y = b;
    int c = strcmp(x->due, y->due);
    if (c == 0)
        c = strcmp(x->issue, y->issue);
    return c ? c : strcmp(x->id, y->id);
}

/* The invoices the payment will go to, oldest first, read only as far as
 * the amount reaches: the rows of a customer's later invoices are never
 * read. SQLite orders by due date alone, straight from the index by
 * customer; ties are read to the end and put in order here, which spares
 * a sorter per payment. Collected before writing, because a statement must
 * not step over rows the same connection changes. */
static bool candidates(ArdStore *s, const ArdPaymentIn *p, GArray *out, GError **error)
{
    bool named = p->invoice_id && *p->invoice_id;
    sqlite3_stmt *st = named
        ? ard_store_stmt(s, "SELECT rowid, id, open_amount, due_date, issue_date FROM invoices"
                            " WHERE id = ?1 AND status = 'open' AND open_amount > 0", error)
        : ard_store_stmt(s, "SELECT rowid, id, open_amount, due_date, issue_date FROM invoices"
                            " WHERE customer_id = ?2 AND currency = ?3 AND status = 'open'"
                            " AND open_amount > 0 ORDER BY due_date", error);
    if (!st)
        return false;
    if (named) {
        sqlite3_bind_text(st, 1, p->invoice_id, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(st, 2, p->customer_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p->currency, -1, SQLITE_STATIC);
    }
    int64_t covered = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *due = ard_col_text(st, 3);
        if (covered >= p->amount && out->len > 0 &&
            strcmp(due, g_array_index(out, Candidate, out->len - 1).due) != 0)
            break;
        Candidate c = {.rowid = sqlite3_column_int64(st, 0), .id = g_strdup(ard_col_text(st, 1)),
                       .open = sqlite3_column_int64(st, 2), .due = g_strdup(due),
                       .issue = g_strdup(ard_col_text(st, 4))};
        g_array_append_val(out, c);
        covered += c.open;
    }
    bool ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok)
        ard_store_set_error(s, error, "reading invoices");
    sqlite3_reset(st);
    g_array_sort(out, candidate_order);
    return ok;
}

/* The open amount moves by exactly the allocation, so it stays
 * erp_open_amount minus the sum of the invoice's allocations. */
static bool allocate_to(ArdStore *s, const ArdPaymentIn *p, const Candidate *c,
                        int64_t amount, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "INSERT INTO allocations (payment_id, invoice_id, amount) VALUES (?,?,?)", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, amount);
    if (!ard_store_exec_stmt(s, st, error))
        return false;
    st = ard_store_stmt(s, "UPDATE invoices SET open_amount = open_amount - ?2 WHERE rowid = ?1",
                        error);
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, c->rowid);
    sqlite3_bind_int64(st, 2, amount);
    return ard_store_exec_stmt(s, st, error);
}

static bool write_payment(ArdStore *s, const ArdPaymentIn *p, int64_t unapplied, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "INSERT INTO payments (id, customer_id, invoice_id, date, amount, currency, unapplied)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7) ON CONFLICT (id) DO UPDATE SET"
        " customer_id = excluded.customer_id, invoice_id = excluded.invoice_id,"
        " date = excluded.date, amount = excluded.amount, currency = excluded.currency,"
        " unapplied = excluded.unapplied", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->customer_id, -1, SQLITE_STATIC);
    ard_bind_text(st, 3, p->invoice_id);
    sqlite3_bind_text(st, 4, p->date, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, p->amount);
    sqlite3_bind_text(st, 6, p->currency, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, unapplied);
    return ard_store_exec_stmt(s, st, error);
}

/* Writes the payment with what stays unapplied, then its allocations, and
 * says how in how. */
static bool allocate(ArdStore *s, const ArdPaymentIn *p, GString *how, GError **error)
{
    GArray *cands = g_array_new(FALSE, FALSE, sizeof(Candidate));
    g_array_set_clear_func(cands, candidate_clear);
    bool ok = candidates(s, p, cands, error);
    int64_t left = p->amount;
    guint n = 0;
    for (; ok && n < cands->len && left > 0; n++) {
        int64_t open = g_array_index(cands, Candidate, n).open;
        left -= open < left ? open : left;
    }
    ok = ok && write_payment(s, p, left, error);
    left = p->amount;
    for (guint i = 0; ok && i < n; i++) {
        const Candidate *c = &g_array_index(cands, Candidate, i);
        int64_t take = c->open < left ? c->open : left;
        char amt[40];
        ard_money_plain(take, p->currency, amt, sizeof amt);
        g_string_append_printf(how, "%s%s %s to %s", how->len ? ", " : "", amt, p->currency,
                               c->id);
        ok = allocate_to(s, p, c, take, error);
        left -= take;
    }
    g_array_free(cands, TRUE);
    if (ok && left > 0) {
        char amt[40];
        ard_money_plain(left, p->currency, amt, sizeof amt);
        g_string_append_printf(how, "%s%s %s kept as customer credit", how->len ? ", " : "",
                               amt, p->currency);
    }
    return ok;
}

bool ard_store_upsert_payment(ArdStore *s, const ArdPaymentIn *p, ArdUpsert *res, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "SELECT customer_id, invoice_id, date, amount, currency FROM payments WHERE id = ?", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ard_store_set_error(s, error, "reading payments");
        return false;
    }
    bool exists = rc == SQLITE_ROW;
    if (exists && same(ard_col_text(st, 0), p->customer_id) &&
        same(ard_col_text(st, 1), p->invoice_id) && same(ard_col_text(st, 2), p->date) &&
        sqlite3_column_int64(st, 3) == p->amount && same(ard_col_text(st, 4), p->currency)) {
        sqlite3_reset(st);
        *res = ARD_UPSERT_UNCHANGED;
        return true;
    }
    sqlite3_reset(st);
    if (exists && !unallocate(s, p->id, error))
        return false;
    GString *how = g_string_new(NULL);
    bool ok = allocate(s, p, how, error);
    if (ok) {
        char amt[40];
        ard_money_plain(p->amount, p->currency, amt, sizeof amt);
        char *reason = g_strdup_printf("payment %s of %s %s on %s %s: %s", p->id, amt,
                                       p->currency, p->date, exists ? "changed" : "received",
                                       how->str);
        ok = ard_store_event(s, p->customer_id, "import",
                             exists ? "payment_changed" : "payment", reason, error);
        g_free(reason);
    }
    g_string_free(how, TRUE);
    *res = exists ? ARD_UPSERT_UPDATED : ARD_UPSERT_INSERTED;
    return ok;
}

bool ard_store_record_import(ArdStore *s, const char *kind, const char *file,
                             long inserted, long updated, long unchanged, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(s,
        "INSERT INTO imports (kind, file, at, inserted, updated, unchanged) VALUES (?,?,?,?,?,?)",
        error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, file, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, ard_store_now_cached(s), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, inserted);
    sqlite3_bind_int64(st, 5, updated);
    sqlite3_bind_int64(st, 6, unchanged);
    if (!ard_store_exec_stmt(s, st, error))
        return false;
    char *reason = g_strdup_printf("%s import of %s: %ld inserted, %ld updated, %ld unchanged",
                                   kind, file, inserted, updated, unchanged);
    bool ok = ard_store_event(s, NULL, "import", "import", reason, error);
    g_free(reason);
    return ok;
}
