/* lib/import against a real SQLite store: importing the same export again
 * changes nothing. A payment without a currency keeps the one it was given;
 * a column left out of a file leaves that field of existing records alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "import.h"
#include "query.h"
#include <sqlite3.h>
#include <string.h>

typedef struct {
    char *dir, *db;
    ArdStore *s;
    ArdImportStats st;
    char *err;
} Fx;

/* Imports csv; false with f->err set when the file is rejected. */
static bool imp(Fx *f, ArdImportKind kind, const char *csv)
{
    char *p = g_build_filename(f->dir, "in.csv", NULL);
    g_assert_true(g_file_set_contents(p, csv, -1, NULL));
    GError *err = NULL;
    g_clear_pointer(&f->err, g_free);
    bool ok = ard_import_file(f->s, kind, p, "en", &f->st, NULL, NULL, &err);
    if (!ok) {
        f->err = g_strdup(err->message);
        g_error_free(err);
    }
    g_free(p);
    return ok;
}

/* Imports csv, which must be accepted, and checks the counts. */
static void imp_ok(Fx *f, ArdImportKind kind, const char *csv, long ins, long upd, long same)
{
    if (!imp(f, kind, csv))
        fail_msg("import: %s", f->err);
    if (f->st.inserted != ins || f->st.updated != upd || f->st.unchanged != same)
        fail_msg("%ld inserted, %ld updated, %ld unchanged; wanted %ld, %ld, %ld",
                 f->st.inserted, f->st.updated, f->st.unchanged, ins, upd, same);
}

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    f->dir = g_dir_make_tmp("ardent-import-XXXXXX", NULL);
    f->db = g_build_filename(f->dir, "a.db", NULL);
    GError *err = NULL;
    f->s = ard_store_open(f->db, 5000, &err);
    assert_non_null(f->s);
    imp_ok(f, ARD_IMPORT_CUSTOMERS,
           "customer_id,name,email\nP1,Pay One,p1@x.example\nP2,Pay Two,p2@x.example\n"
           "P3,Pay Three,p3@x.example\n", 3, 0, 0);
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
    g_free(f->err);
    g_free(f->db);
    g_free(f->dir);
    g_free(f);
    return 0;
}

#define OPEN_AMOUNTS "SELECT group_concat(id || '=' || open_amount, ' ') FROM" \
    " (SELECT id, open_amount FROM invoices ORDER BY id)"
#define PAYMENTS "SELECT group_concat(id || ' ' || currency || ' ' || unapplied, ', ') FROM" \
    " (SELECT * FROM payments ORDER BY id)"

/* Invoices in EUR and an older one in GBP. */
static const char mixed_invoices[] =
    "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
    "A1,P1,2026-01-01,2026-01-31,100.00,EUR\n"
    "A2,P1,2026-01-05,2026-02-10,200.00,EUR\n"
    "A3,P1,2025-12-01,2026-02-20,300.00,EUR\n"
    "A4,P1,2025-11-01,2026-01-15,50.00,GBP\n";

/* A payment naming neither invoice nor currency takes the currency of the
 * oldest open invoice once; importing it again must not infer it anew from
 * the invoices its first import paid. */
static void payment_currency_stays(void **state)
{
    Fx *f = *state;
    imp_ok(f, ARD_IMPORT_INVOICES, mixed_invoices, 4, 0, 0);
    const char *pay = "date,amount,customer_id,payment_id\n2026-03-01,150.00,P1,X1\n";
    imp_ok(f, ARD_IMPORT_PAYMENTS, pay, 1, 0, 0);
    assert_q(f, PAYMENTS, "X1 GBP 10000");
    assert_q(f, OPEN_AMOUNTS, "A1=10000 A2=20000 A3=30000 A4=0");
    for (int i = 0; i < 2; i++) {
        imp_ok(f, ARD_IMPORT_PAYMENTS, pay, 0, 0, 1);
        assert_q(f, PAYMENTS, "X1 GBP 10000");
        assert_q(f, OPEN_AMOUNTS, "A1=10000 A2=20000 A3=30000 A4=0");
    }
    assert_q(f, "SELECT count(*) FROM events WHERE kind = 'payment_changed'", "0");
}

/* A nightly export holds every payment so far: yesterday's keep their
 * currency and allocations, today's new one goes to what is still open. */
static void payment_cumulative_export(void **state)
{
    Fx *f = *state;
    imp_ok(f, ARD_IMPORT_INVOICES, mixed_invoices, 4, 0, 0);
    const char *day1 = "payment_id,customer_id,date,amount\nX1,P1,2026-03-01,50.00\n";
    const char *day2 = "payment_id,customer_id,date,amount\nX1,P1,2026-03-01,50.00\n"
                       "X2,P1,2026-03-02,150.00\n";
    imp_ok(f, ARD_IMPORT_PAYMENTS, day1, 1, 0, 0);
    imp_ok(f, ARD_IMPORT_PAYMENTS, day2, 1, 0, 1);
    assert_q(f, PAYMENTS, "X1 GBP 0, X2 EUR 0");
    assert_q(f, OPEN_AMOUNTS, "A1=0 A2=15000 A3=30000 A4=0");
    imp_ok(f, ARD_IMPORT_PAYMENTS, day2, 0, 0, 2);
    assert_q(f, PAYMENTS, "X1 GBP 0, X2 EUR 0");
    assert_q(f, OPEN_AMOUNTS, "A1=0 A2=15000 A3=30000 A4=0");
}

/* A payment that settled the customer's last open invoice imports again. */
static void payment_settling_reimport(void **state)
{
    Fx *f = *state;
    imp_ok(f, ARD_IMPORT_INVOICES, "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                                   "C1,P1,2026-01-01,2026-01-31,100.00,EUR\n", 1, 0, 0);
    const char *pay = "payment_id,customer_id,invoice_id,date,amount\nZ1,P1,,2026-03-01,100.00\n";
    imp_ok(f, ARD_IMPORT_PAYMENTS, pay, 1, 0, 0);
    imp_ok(f, ARD_IMPORT_PAYMENTS, pay, 0, 0, 1);
    assert_q(f, PAYMENTS, "Z1 EUR 0");
    assert_q(f, OPEN_AMOUNTS, "C1=0");
}

/* A new payment without currency from a customer with nothing open takes
 * the currency all its invoices share; with several, or none, the file is
 * rejected and the store unchanged. */
static void payment_nothing_open(void **state)
{
    Fx *f = *state;
    imp_ok(f, ARD_IMPORT_INVOICES,
           "invoice_id,customer_id,issue_date,due_date,amount,currency,status\n"
           "C1,P1,2026-01-01,2026-01-31,100.00,EUR,paid\n"
           "C2,P1,2026-01-05,2026-02-04,80.00,EUR,void\n"
           "D1,P2,2026-01-01,2026-01-31,100.00,EUR,paid\n"
           "D2,P2,2026-01-01,2026-01-31,100.00,GBP,paid\n", 4, 0, 0);
    imp_ok(f, ARD_IMPORT_PAYMENTS, "payment_id,customer_id,date,amount\nZ2,P1,2026-03-01,50.00\n",
           1, 0, 0);
    assert_q(f, PAYMENTS, "Z2 EUR 5000");
    const char *want = "line 3: column 'currency': is empty, and the customer has neither an"
                       " open invoice nor invoices all in one currency to take it from";
    assert_false(imp(f, ARD_IMPORT_PAYMENTS, "payment_id,customer_id,date,amount\n"
                                             "Z3,P1,2026-03-01,5.00\nZ4,P2,2026-03-01,5.00\n"));
    if (!strstr(f->err, want))
        fail_msg("error: %s", f->err);
    assert_false(imp(f, ARD_IMPORT_PAYMENTS, "payment_id,customer_id,date,amount\n"
                                             "Z3,P1,2026-03-01,5.00\nZ5,P3,2026-03-01,5.00\n"));
    if (!strstr(f->err, want))
        fail_msg("error: %s", f->err);
    assert_q(f, PAYMENTS, "Z2 EUR 5000");
}

/* A payment moved to another customer takes that customer's currency, as
 * if its own allocations were not there. */
static void payment_moved(void **state)
{
    Fx *f = *state;
    const char *inv = "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                      "I1,P1,2026-01-01,2026-01-31,100.00,EUR\n"
                      "J1,P2,2026-01-01,2026-03-31,20.00,GBP\n";
    imp_ok(f, ARD_IMPORT_INVOICES, inv, 2, 0, 0);
    imp_ok(f, ARD_IMPORT_PAYMENTS, "payment_id,customer_id,date,amount\nX1,P1,2026-03-01,100.00\n",
           1, 0, 0);
    assert_q(f, OPEN_AMOUNTS, "I1=0 J1=2000");
    imp_ok(f, ARD_IMPORT_INVOICES, "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                                   "I1,P2,2026-01-01,2026-01-31,100.00,EUR\n", 0, 1, 0);
    imp_ok(f, ARD_IMPORT_PAYMENTS, "payment_id,customer_id,date,amount\nX1,P2,2026-03-01,100.00\n",
           0, 1, 0);
    assert_q(f, PAYMENTS, "X1 EUR 0");
    assert_q(f, OPEN_AMOUNTS, "I1=0 J1=2000");
}

#define CUSTOMER "SELECT id || ' ' || coalesce(owner, '-') || ' ' || locale || ' ' ||" \
    " coalesce(timezone, '-') || ' ' || coalesce(segment, '-') || ' ' || human_only" \
    " FROM customers WHERE id = "

/* Optional customer columns: absent keeps, present and empty means what it
 * always meant, a new customer takes the defaults. */
static void customer_absent_columns(void **state)
{
    Fx *f = *state;
    imp_ok(f, ARD_IMPORT_CUSTOMERS,
           "customer_id,name,email,owner,human_only,locale,segment,timezone\n"
           "O1,Omit,o@o.example,alice@collect.example.com,yes,de,strategic,Europe/Berlin\n",
           1, 0, 0);
    imp_ok(f, ARD_IMPORT_CUSTOMERS, "customer_id,name,email\nO1,Omit,o@o.example\n"
                                    "O2,New,n@o.example\n", 1, 0, 1);
    assert_q(f, CUSTOMER "'O1'", "O1 alice@collect.example.com de Europe/Berlin strategic 1");
    assert_q(f, CUSTOMER "'O2'", "O2 - en - - 0");
    imp_ok(f, ARD_IMPORT_CUSTOMERS, "customer_id,name,email,owner\n"
                                    "O1,Omit,o@o.example,bob@collect.example.com\n", 0, 1, 0);
    assert_q(f, CUSTOMER "'O1'", "O1 bob@collect.example.com de Europe/Berlin strategic 1");
    imp_ok(f, ARD_IMPORT_CUSTOMERS,
           "customer_id,name,email,owner,human_only,locale,segment,timezone\n"
           "O1,Omit,o@o.example,,,,,\n", 0, 1, 0);
    assert_q(f, CUSTOMER "'O1'", "O1 - en - - 0");
}

#define INVOICE "SELECT id || ' ' || amount || ' ' || erp_open_amount || ' ' ||" \
    " coalesce(po_number, '-') || ' ' || status FROM invoices WHERE id = "

/* Optional invoice columns: absent keeps (what the ERP settled stays
 * settled when the amount changes), present and empty gives the defaults. */
static void invoice_absent_columns(void **state)
{
    Fx *f = *state;
    imp_ok(f, ARD_IMPORT_INVOICES,
           "invoice_id,customer_id,issue_date,due_date,amount,currency,open_amount,po_number,status\n"
           "K1,P1,2026-01-01,2026-01-31,100.00,EUR,40.00,PO-7,open\n"
           "K2,P1,2026-01-01,2026-01-31,50.00,EUR,0,PO-8,paid\n", 2, 0, 0);
    const char *bare = "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                       "K1,P1,2026-01-01,2026-01-31,100.00,EUR\n"
                       "K2,P1,2026-01-01,2026-01-31,50.00,EUR\n"
                       "K3,P1,2026-01-01,2026-01-31,30.00,EUR\n";
    imp_ok(f, ARD_IMPORT_INVOICES, bare, 1, 0, 2);
    assert_q(f, INVOICE "'K1'", "K1 10000 4000 PO-7 open");
    assert_q(f, INVOICE "'K2'", "K2 5000 0 PO-8 paid");
    assert_q(f, INVOICE "'K3'", "K3 3000 3000 - open");
    imp_ok(f, ARD_IMPORT_INVOICES, "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                                   "K1,P1,2026-01-01,2026-01-31,120.00,EUR\n", 0, 1, 0);
    assert_q(f, INVOICE "'K1'", "K1 12000 6000 PO-7 open");
    imp_ok(f, ARD_IMPORT_INVOICES, "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                                   "K1,P1,2026-01-01,2026-01-31,50.00,EUR\n", 0, 1, 0);
    assert_q(f, INVOICE "'K1'", "K1 5000 0 PO-7 open");
    imp_ok(f, ARD_IMPORT_INVOICES,
           "invoice_id,customer_id,issue_date,due_date,amount,currency,open_amount,po_number,status\n"
           "K2,P1,2026-01-01,2026-01-31,50.00,EUR,,,\n", 0, 1, 0);
    assert_q(f, INVOICE "'K2'", "K2 5000 5000 - open");
    assert_q(f, "SELECT count(*) FROM invoices WHERE open_amount <> erp_open_amount", "0");
}

int main(void)
{
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(payment_currency_stays), T(payment_cumulative_export), T(payment_settling_reimport),
        T(payment_nothing_open), T(payment_moved), T(customer_absent_columns),
        T(invoice_absent_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
