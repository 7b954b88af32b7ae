/* CSV import of customers, invoices and payments with libcsv: columns found
 * by header name, every field validated, one transaction per file, upserts by
 * id. Must never leave a half-imported file in the store, and must never keep
 * more than a few rows in memory (one, or a batch of sixteen invoices):
 * exports can hold millions of rows. */
#include "import.h"
#include "store_erp.h"
#include "date.h"
#include "email.h"
#include "error.h"
#include "money.h"
#include "text.h"
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { MAX_COLS = 16 };

typedef struct {
    const char *name;
    bool required;
} Column;

static const Column customer_cols[] = {
    {"customer_id", true}, {"name", true}, {"email", true}, {"owner", false},
    {"locale", false}, {"timezone", false}, {"segment", false}, {"human_only", false},
    {NULL, false}};
static const Column invoice_cols[] = {
    {"invoice_id", true}, {"customer_id", true}, {"issue_date", true}, {"due_date", true},
    {"amount", true}, {"currency", true}, {"open_amount", false}, {"po_number", false},
    {"status", false}, {NULL, false}};
static const Column payment_cols[] = {
    {"payment_id", true}, {"customer_id", true}, {"invoice_id", false}, {"date", true},
    {"amount", true}, {"currency", false}, {NULL, false}};

typedef struct {
    ArdStore *store;
    ArdImportKind kind;
    const char *file;
    const char *default_locale;
    const Column *cols;
    int ncols;
    int map[64];             /* file column -> schema column, -1 ignored */
    int col_at[MAX_COLS];    /* schema column -> file column, -1 absent */
    int nfile_cols;
    bool header_done;
    GString *buf;            /* current row's fields, each NUL-terminated */
    GArray *offsets;         /* start of each field in buf */
    GPtrArray *fields;       /* pointers into buf, made when the row ends */
    long line;               /* line the current row starts on */
    long lines_done;         /* line terminators seen */
    bool cr_pending;
    ArdImportStats *stats;
    void (*progress)(long, void *);
    void *progress_data;
    GError *error;           /* first error; parsing stops being useful */
    /* Customers and time zones already checked in this file: a million
     * invoices name a hundred thousand customers again and again. Bounded by
     * the number of customers, not by the file's size. */
    GHashTable *known_customers;
    GHashTable *zones;
    /* Valid invoices not yet written, each with a copy of its row's text:
     * they go to the store ARD_INVOICE_BATCH at a time. */
    struct {
        GString *text;
        ArdInvoiceIn in;
    } pending[ARD_INVOICE_BATCH];
    int npending;
} Ctx;

bool ard_import_kind_parse(const char *name, ArdImportKind *kind)
{
    if (strcmp(name, "customers") == 0)
        *kind = ARD_IMPORT_CUSTOMERS;
    else if (strcmp(name, "invoices") == 0)
        *kind = ARD_IMPORT_INVOICES;
    else if (strcmp(name, "payments") == 0)
        *kind = ARD_IMPORT_PAYMENTS;
    else
        return false;
    return true;
}

static const char *kind_name(ArdImportKind k)
{
    return k == ARD_IMPORT_CUSTOMERS ? "customers" : k == ARD_IMPORT_INVOICES ? "invoices" : "payments";
}

static void row_error(Ctx *c, const char *column, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void row_error(Ctx *c, const char *column, const char *fmt, ...)
{
    if (c->error)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (column)
        g_set_error(&c->error, ARD_ERROR, ARD_ERROR_INPUT, "%s: line %ld: column '%s': %s",
                    c->file, c->line, column, msg);
    else
        g_set_error(&c->error, ARD_ERROR, ARD_ERROR_INPUT, "%s: line %ld: %s", c->file,
                    c->line, msg);
    g_free(msg);
}

/* Quoted for an error message: printable, bounded. */
static char *shown(const char *v)
{
    GString *s = g_string_new(NULL);
    for (const char *p = v; *p && s->len < 60; p++) {
        if ((unsigned char)*p < 0x20)
            g_string_append_printf(s, "\\x%02x", (unsigned char)*p);
        else
            g_string_append_c(s, *p);
    }
    if (strlen(v) > 60)
        g_string_append(s, "...");
    return g_string_free(s, FALSE);
}

static bool has_control(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* An id: 1..64 bytes, printable, no spaces at the ends. One pass: every
 * row has two or three ids. */
static bool check_id(Ctx *c, const char *col, const char *v)
{
    if (*v == '\0') {
        row_error(c, col, "is empty");
        return false;
    }
    size_t n = 0;
    bool bad = false;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++, n++)
        bad = bad || *p < 0x20 || *p == 0x7f || *p == ';' || *p == ',';
    if (bad || n > 64 || g_ascii_isspace(v[0]) || g_ascii_isspace(v[n - 1])) {
        char *s = shown(v);
        row_error(c, col, "'%s' is not a valid id (1-64 printable characters, no ';' or ',')", s);
        g_free(s);
        return false;
    }
    return true;
}

static bool check_date(Ctx *c, const char *col, const char *v)
{
    ArdDay d;
    if (!ard_day_parse(v, &d)) {
        char *s = shown(v);
        row_error(c, col, "'%s' is not an existing YYYY-MM-DD date", s);
        g_free(s);
        return false;
    }
    return true;
}

static bool check_amount(Ctx *c, const char *col, const char *v, const char *cur, int64_t *out)
{
    const char *why;
    if (!ard_money_parse(v, cur, out, &why)) {
        char *s = shown(v);
        row_error(c, col, "'%s': %s", s, why);
        g_free(s);
        return false;
    }
    return true;
}

static bool check_currency(Ctx *c, const char *col, char *v)
{
    for (char *p = v; *p; p++)
        *p = g_ascii_toupper(*p);
    if (ard_currency_exponent(v) < 0) {
        char *s = shown(v);
        row_error(c, col, "'%s' is not an ISO 4217 currency code", s);
        g_free(s);
        return false;
    }
    return true;
}

/* Field by schema column index ("" when absent). */
static char *field(Ctx *c, int col)
{
    return c->col_at[col] >= 0 ? c->fields->pdata[c->col_at[col]] : "";
}

/* Optional columns and the field an existing record keeps when the file
 * lacks the column: an export that leaves a column out says nothing about
 * it, while an empty cell in a present column does. */
typedef struct {
    int col;
    unsigned keep;
} Keep;

static const Keep customer_keep[] = {
    {3, ARD_KEEP_OWNER}, {4, ARD_KEEP_LOCALE}, {5, ARD_KEEP_TIMEZONE}, {6, ARD_KEEP_SEGMENT},
    {7, ARD_KEEP_HUMAN_ONLY}, {-1, 0}};
static const Keep invoice_keep[] = {
    {6, ARD_KEEP_OPEN_AMOUNT}, {7, ARD_KEEP_PO_NUMBER}, {8, ARD_KEEP_STATUS}, {-1, 0}};

static unsigned absent(const Ctx *c, const Keep *k)
{
    unsigned keep = 0;
    for (; k->col >= 0; k++)
        if (c->col_at[k->col] < 0)
            keep |= k->keep;
    return keep;
}

static void count(Ctx *c, ArdUpsert r)
{
    if (r == ARD_UPSERT_INSERTED)
        c->stats->inserted++;
    else if (r == ARD_UPSERT_UPDATED)
        c->stats->updated++;
    else
        c->stats->unchanged++;
}

static void import_customer(Ctx *c)
{
    char *id = field(c, 0), *name = field(c, 1), *email = field(c, 2), *owner = field(c, 3);
    char *locale = field(c, 4), *tz = field(c, 5), *segment = field(c, 6), *human = field(c, 7);
    if (!check_id(c, "customer_id", id))
        return;
    if (*name == '\0' || has_control(name) || strlen(name) > 200) {
        row_error(c, "name", *name ? "has control characters or is longer than 200 bytes"
                                   : "is empty");
        return;
    }
    char **parts = g_strsplit(email, ";", -1);
    GPtrArray *emails = g_ptr_array_new_with_free_func(g_free);
    for (char **p = parts; *p; p++) {
        char *t = g_strstrip(*p);
        if (*t == '\0')
            continue;
        if (!ard_email_valid(t)) {
            char *s = shown(t);
            row_error(c, "email", "'%s' is not an e-mail address", s);
            g_free(s);
            break;
        }
        char *norm = ard_email_normalize(t);
        bool dup = false;
        for (guint i = 0; i < emails->len; i++)
            dup = dup || strcmp(emails->pdata[i], norm) == 0;
        if (dup)
            g_free(norm);
        else
            g_ptr_array_add(emails, norm);
    }
    g_strfreev(parts);
    if (!c->error && emails->len == 0)
        row_error(c, "email", "is empty (one or more addresses separated by ';')");
    g_ptr_array_add(emails, NULL);
    char *owner_norm = NULL;
    if (!c->error && *owner) {
        if (!ard_email_valid(owner)) {
            char *s = shown(owner);
            row_error(c, "owner", "'%s' is not an e-mail address", s);
            g_free(s);
        } else {
            owner_norm = ard_email_normalize(owner);
        }
    }
    if (!c->error && *locale && strcmp(locale, "en") && strcmp(locale, "de") &&
        strcmp(locale, "fr") && strcmp(locale, "es") && strcmp(locale, "nl")) {
        char *s = shown(locale);
        row_error(c, "locale", "'%s' is not one of en, de, fr, es, nl", s);
        g_free(s);
    }
    if (!c->error && *tz && !g_hash_table_contains(c->zones, tz)) {
        GTimeZone *zone = strchr(tz, '/') || strcmp(tz, "UTC") == 0
                              ? g_time_zone_new_identifier(tz) : NULL;
        if (zone == NULL) {
            char *s = shown(tz);
            row_error(c, "timezone", "'%s' is not an IANA time zone name (e.g. Europe/Berlin)", s);
            g_free(s);
        } else {
            g_time_zone_unref(zone);
            g_hash_table_add(c->zones, g_strdup(tz));
        }
    }
    if (!c->error && *segment && strcmp(segment, "strategic") && strcmp(segment, "standard") &&
        strcmp(segment, "small")) {
        char *s = shown(segment);
        row_error(c, "segment", "'%s' is not one of strategic, standard, small", s);
        g_free(s);
    }
    bool human_only = false;
    if (!c->error && *human) {
        char *h = g_ascii_strdown(human, -1);
        if (!strcmp(h, "1") || !strcmp(h, "yes") || !strcmp(h, "true"))
            human_only = true;
        else if (strcmp(h, "0") && strcmp(h, "no") && strcmp(h, "false")) {
            char *s = shown(human);
            row_error(c, "human_only", "'%s' is not one of 1/0, yes/no, true/false", s);
            g_free(s);
        }
        g_free(h);
    }
    if (!c->error) {
        ArdCustomerIn in = {
            .id = id, .name = name, .emails = (char **)emails->pdata, .owner = owner_norm,
            .locale = *locale ? locale : c->default_locale, .timezone = tz,
            .segment = segment, .human_only = human_only, .keep = absent(c, customer_keep),
        };
        ArdUpsert r;
        if (ard_store_upsert_customer(c->store, &in, &r, &c->error))
            count(c, r);
    }
    g_free(owner_norm);
    g_ptr_array_free(emails, TRUE);
}

static bool known_customer(Ctx *c, const char *id)
{
    bool exists;
    if (g_hash_table_contains(c->known_customers, id))
        return true;
    if (!ard_store_customer_exists(c->store, id, &exists, &c->error))
        return false;
    if (!exists) {
        char *s = shown(id);
        row_error(c, "customer_id", "unknown customer '%s' (import customers first)", s);
        g_free(s);
    } else {
        g_hash_table_add(c->known_customers, g_strdup(id));
    }
    return exists;
}

/* Writes the pending invoices. All new is the usual case and costs one
 * statement; otherwise each is compared in file order, as if written one
 * by one, and the ones inserted just now, which compare unchanged, are
 * taken back out of the unchanged count. */
static void flush_invoices(Ctx *c)
{
    int n = c->npending, added;
    c->npending = 0;
    if (n == 0 || c->error)
        return;
    ArdInvoiceIn rows[ARD_INVOICE_BATCH];
    for (int i = 0; i < n; i++)
        rows[i] = c->pending[i].in;
    if (!ard_store_insert_invoices(c->store, rows, n, &added, &c->error))
        return;
    if (added < n) {
        long same = 0;
        for (int i = 0; i < n; i++) {
            ArdUpsert r;
            if (!ard_store_update_invoice(c->store, &rows[i], &r, &c->error))
                return;
            if (r == ARD_UPSERT_UPDATED)
                c->stats->updated++;
            else
                same++;
        }
        c->stats->unchanged += same - added;
    }
    c->stats->inserted += added;
}

/* A pointer into the row's text, moved to the same place in the copy;
 * anything else (a literal default) stays. */
static const char *rebase(const Ctx *c, const GString *copy, const char *p)
{
    if (p >= c->buf->str && p < c->buf->str + c->buf->len)
        return copy->str + (p - c->buf->str);
    return p;
}

static void hold_invoice(Ctx *c, const ArdInvoiceIn *in)
{
    GString *copy = c->pending[c->npending].text;
    if (copy == NULL)
        copy = c->pending[c->npending].text = g_string_sized_new(c->buf->len + 1);
    g_string_truncate(copy, 0);
    g_string_append_len(copy, c->buf->str, (gssize)c->buf->len);
    ArdInvoiceIn *h = &c->pending[c->npending++].in;
    *h = *in;
    h->id = rebase(c, copy, in->id);
    h->customer_id = rebase(c, copy, in->customer_id);
    h->issue_date = rebase(c, copy, in->issue_date);
    h->due_date = rebase(c, copy, in->due_date);
    h->currency = rebase(c, copy, in->currency);
    h->po_number = rebase(c, copy, in->po_number);
    h->status = rebase(c, copy, in->status);
    if (c->npending == ARD_INVOICE_BATCH)
        flush_invoices(c);
}

static void import_invoice(Ctx *c)
{
    char *id = field(c, 0), *cust = field(c, 1), *issue = field(c, 2), *due = field(c, 3);
    char *amount = field(c, 4), *cur = field(c, 5), *open = field(c, 6), *po = field(c, 7);
    char *status = field(c, 8);
    int64_t amt, open_amt;
    if (!check_id(c, "invoice_id", id) || !check_id(c, "customer_id", cust) ||
        !check_date(c, "issue_date", issue) || !check_date(c, "due_date", due) ||
        !check_currency(c, "currency", cur) || !check_amount(c, "amount", amount, cur, &amt))
        return;
    if (strcmp(due, issue) < 0) {
        row_error(c, "due_date", "%s is before the issue date %s", due, issue);
        return;
    }
    if (*open) {
        if (!check_amount(c, "open_amount", open, cur, &open_amt))
            return;
    } else {
        open_amt = amt;
    }
    if ((amt >= 0 && (open_amt < 0 || open_amt > amt)) || (amt < 0 && (open_amt > 0 || open_amt < amt))) {
        row_error(c, "open_amount", "%s lies outside 0..%s", open, amount);
        return;
    }
    if (*status && strcmp(status, "open") && strcmp(status, "paid") && strcmp(status, "void")) {
        char *s = shown(status);
        row_error(c, "status", "'%s' is not one of open, paid, void", s);
        g_free(s);
        return;
    }
    if (has_control(po) || strlen(po) > 64) {
        row_error(c, "po_number", "has control characters or is longer than 64 bytes");
        return;
    }
    if (!known_customer(c, cust))
        return;
    ArdInvoiceIn in = {
        .id = id, .customer_id = cust, .issue_date = issue, .due_date = due, .amount = amt,
        .currency = cur, .open_amount = open_amt, .po_number = po,
        .status = *status ? status : "open", .keep = absent(c, invoice_keep),
    };
    hold_invoice(c, &in);
}

static void import_payment(Ctx *c)
{
    char *id = field(c, 0), *cust = field(c, 1), *inv = field(c, 2), *date = field(c, 3);
    char *amount = field(c, 4), *cur = field(c, 5);
    if (!check_id(c, "payment_id", id) || !check_id(c, "customer_id", cust) ||
        (*inv && !check_id(c, "invoice_id", inv)) || !check_date(c, "date", date))
        return;
    if (*cur && !check_currency(c, "currency", cur))
        return;
    if (!known_customer(c, cust))
        return;
    char inv_cur[4] = "";
    if (*inv) {
        bool exists;
        char *owner = NULL;
        if (!ard_store_invoice_owner(c->store, inv, &exists, &owner, inv_cur, &c->error))
            return;
        if (!exists) {
            char *s = shown(inv);
            row_error(c, "invoice_id", "unknown invoice '%s'", s);
            g_free(s);
            return;
        }
        bool mine = strcmp(owner, cust) == 0;
        g_free(owner);
        if (!mine) {
            row_error(c, "invoice_id", "invoice %s belongs to another customer", inv);
            return;
        }
        if (*cur && strcmp(cur, inv_cur) != 0) {
            row_error(c, "currency", "%s differs from the invoice's currency %s", cur, inv_cur);
            return;
        }
    } else if (!*cur) {
        /* An existing payment keeps the currency it was given: inferring it
         * again would see the payment's own allocations and other rows'
         * since, and could flip it on each import of the same export. */
        if (!ard_store_payment_currency(c->store, id, cust, inv_cur, &c->error) ||
            (!*inv_cur && !ard_store_customer_currency(c->store, cust, id, inv_cur, &c->error)))
            return;
        if (!*inv_cur) {
            row_error(c, "currency", "is empty, and the customer has neither an open invoice"
                                     " nor invoices all in one currency to take it from");
            return;
        }
    }
    const char *currency = *cur ? cur : inv_cur;
    int64_t amt;
    if (!check_amount(c, "amount", amount, currency, &amt))
        return;
    if (amt <= 0) {
        row_error(c, "amount", "'%s' must be above zero (refunds are not payments)", amount);
        return;
    }
    ArdPaymentIn in = {.id = id, .customer_id = cust, .invoice_id = inv, .date = date,
                       .amount = amt, .currency = currency};
    ArdUpsert r;
    if (ard_store_upsert_payment(c->store, &in, &r, &c->error))
        count(c, r);
}

static void header(Ctx *c)
{
    int n = (int)c->fields->len;
    if (n > 64) {
        row_error(c, NULL, "the header has more than 64 columns");
        return;
    }
    c->nfile_cols = n;
    for (int k = 0; k < MAX_COLS; k++)
        c->col_at[k] = -1;
    for (int i = 0; i < n; i++) {
        char *name = g_ascii_strdown(g_strstrip((char *)c->fields->pdata[i]), -1);
        c->map[i] = -1;
        for (int k = 0; k < c->ncols; k++)
            if (strcmp(name, c->cols[k].name) == 0) {
                for (int j = 0; j < i; j++)
                    if (c->map[j] == k) {
                        row_error(c, c->cols[k].name, "appears twice in the header");
                        g_free(name);
                        return;
                    }
                c->map[i] = k;
                c->col_at[k] = i;
            }
        g_free(name);
    }
    for (int k = 0; k < c->ncols; k++) {
        if (!c->cols[k].required)
            continue;
        bool found = false;
        for (int i = 0; i < n; i++)
            found = found || c->map[i] == k;
        if (!found) {
            row_error(c, c->cols[k].name, "required column missing from the header");
            return;
        }
    }
    c->header_done = true;
}

static void on_field(void *data, size_t len, void *ctx)
{
    Ctx *c = ctx;
    const char *s = data ? data : "";
    if (memchr(s, '\n', len))
        for (size_t i = 0; i < len; i++)
            if (s[i] == '\n')
                c->lines_done++;
    /* One growing buffer per row instead of an allocation per field; grown
     * once per field, then filled (a million-row file has ten million). */
    gsize at = c->buf->len;
    g_array_append_val(c->offsets, at);
    g_string_set_size(c->buf, at + len + 1);
    if (len > 0)
        memcpy(c->buf->str + at, s, len);
    c->buf->str[at + len] = '\0';
}


static void on_row(int term, void *ctx)
{
    Ctx *c = ctx;
    g_ptr_array_set_size(c->fields, (gint)c->offsets->len);
    for (guint i = 0; i < c->offsets->len; i++)
        c->fields->pdata[i] = c->buf->str + g_array_index(c->offsets, gsize, i);
    bool empty = c->fields->len == 0;
    if (!empty && !c->error) {
        /* A lone empty field is a blank line ending in EOF. */
        if (!(c->fields->len == 1 && *(char *)c->fields->pdata[0] == '\0')) {
            /* Plain ASCII is valid UTF-8: most rows need no per-field
             * validation (the fields' NUL ends count as ASCII). */
            bool plain = ard_ascii_span(c->buf->str, c->buf->len) == c->buf->len;
            for (guint i = 0; !plain && i < c->fields->len && !c->error; i++)
                if (!g_utf8_validate(c->fields->pdata[i], -1, NULL)) {
                    const char *name = i < (guint)c->nfile_cols && c->map[i] >= 0
                                           ? c->cols[c->map[i]].name : NULL;
                    row_error(c, name, "not valid UTF-8 text");
                }
            if (c->error) {
            } else if (!c->header_done) {
                header(c);
            } else if ((int)c->fields->len != c->nfile_cols) {
                row_error(c, NULL, "%u fields where the header has %d", c->fields->len,
                          c->nfile_cols);
            } else {
                c->stats->rows++;
                switch (c->kind) {
                case ARD_IMPORT_CUSTOMERS: import_customer(c); break;
                case ARD_IMPORT_INVOICES: import_invoice(c); break;
                case ARD_IMPORT_PAYMENTS: import_payment(c); break;
                }
                if (c->progress && c->stats->rows % 100000 == 0)
                    c->progress(c->stats->rows, c->progress_data);
            }
        }
    }
    g_ptr_array_set_size(c->fields, 0);
    g_array_set_size(c->offsets, 0);
    g_string_truncate(c->buf, 0);
    /* line bookkeeping: CRLF is one line end */
    if (term == '\n') {
        if (!(c->cr_pending && empty))
            c->lines_done++;
        c->cr_pending = false;
    } else if (term == '\r') {
        c->lines_done++;
        c->cr_pending = true;
    } else {
        c->cr_pending = false;
    }
    c->line = c->lines_done + 1;
}

bool ard_import_file(ArdStore *store, ArdImportKind kind, const char *path,
                     const char *default_locale, ArdImportStats *stats,
                     void (*progress)(long rows, void *data), void *data, GError **error)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (fp == NULL) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "%s: %s", path, g_strerror(errno));
        return false;
    }
    bool ok = ard_import_stream(store, kind, fp, path, default_locale, stats, progress, data,
                                error);
    if (fp != stdin)
        fclose(fp);
    return ok;
}

bool ard_import_stream(ArdStore *store, ArdImportKind kind, FILE *fp, const char *path,
                       const char *default_locale, ArdImportStats *stats,
                       void (*progress)(long rows, void *data), void *data, GError **error)
{
    Ctx c = {
        .store = store, .kind = kind, .file = path, .default_locale = default_locale,
        .cols = kind == ARD_IMPORT_CUSTOMERS ? customer_cols
              : kind == ARD_IMPORT_INVOICES ? invoice_cols : payment_cols,
        .fields = g_ptr_array_new(), .buf = g_string_sized_new(256),
        .offsets = g_array_new(FALSE, FALSE, sizeof(gsize)), .line = 1, .stats = stats,
        .progress = progress, .progress_data = data,
        .known_customers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .zones = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    };
    while (c.cols[c.ncols].name)
        c.ncols++;
    memset(stats, 0, sizeof *stats);

    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL);
    bool ok = ard_store_import_begin(store, error);
    if (ok && ((kind == ARD_IMPORT_INVOICES && !ard_store_invoices_start(store, error)) ||
               (kind == ARD_IMPORT_PAYMENTS && !ard_store_payments_start(store, error)))) {
        ard_store_import_end(store, false, NULL);
        ok = false;
    }
    if (ok) {
        char buf[1 << 16];
        size_t n;
        bool first = true;
        while (!c.error && (n = fread(buf, 1, sizeof buf, fp)) > 0) {
            const char *b = buf;
            if (first && n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
                b += 3;
                n -= 3;
            }
            first = false;
            if (csv_parse(&p, b, n, on_field, on_row, &c) != n && !c.error)
                row_error(&c, NULL, "malformed CSV (%s)", csv_strerror(csv_error(&p)));
        }
        if (!c.error && ferror(fp))
            g_set_error(&c.error, ARD_ERROR, ARD_ERROR_FAILED, "%s: read error: %s", path,
                        g_strerror(errno));
        if (!c.error && csv_fini(&p, on_field, on_row, &c) != 0 && !c.error)
            row_error(&c, NULL, "malformed CSV at the end of the file (%s)",
                      csv_strerror(csv_error(&p)));
        if (!c.error && !c.header_done)
            g_set_error(&c.error, ARD_ERROR, ARD_ERROR_INPUT, "%s: no header row", path);
        flush_invoices(&c);
        if (!c.error)
            ard_store_bulk_done(store, &c.error);
        if (!c.error)
            ard_store_record_import(store, kind_name(kind), path, stats->inserted,
                                    stats->updated, stats->unchanged, &c.error);
        if (c.error) {
            ard_store_import_end(store, false, NULL);
            g_propagate_error(error, c.error);
            ok = false;
        } else {
            ok = ard_store_import_end(store, true, error);
        }
    }
    csv_free(&p);
    g_ptr_array_free(c.fields, TRUE);
    g_string_free(c.buf, TRUE);
    g_array_free(c.offsets, TRUE);
    g_hash_table_destroy(c.known_customers);
    g_hash_table_destroy(c.zones);
    for (int i = 0; i < ARD_INVOICE_BATCH; i++)
        if (c.pending[i].text)
            g_string_free(c.pending[i].text, TRUE);
    return ok;
}
