/* libFuzzer harness for the ERP CSV import: the first byte picks customers,
 * invoices or payments, the rest is the file, imported into an in-memory
 * store seeded with a few customers and invoices. Checks the contract's
 * promise that a rejected file leaves the store exactly as it was. Must
 * never touch a store on disk or carry one input's changes into the next. */
#include "fuzz.h"
#include "error.h"
#include "import.h"
#include "store_check.h"
#include <string.h>

static const char SEED_CUSTOMERS[] =
    "customer_id,name,email,owner,locale,timezone,segment,human_only\n"
    "C1,Delta Feinkost GmbH,ap@delta.example.com;x@delta.example.com,alice@collect.example.com,"
    "de,Europe/Berlin,strategic,no\n"
    "C2,Northwind Ltd,accounts@northwind.example.co.uk,,en,,,yes\n"
    "C3,\"Le Zinc, SARL\",compta@lezinc.example.fr,bob@collect.example.com,fr,UTC,small,0\n";
static const char SEED_INVOICES[] =
    "invoice_id,customer_id,issue_date,due_date,amount,currency,open_amount,po_number,status\n"
    "I1,C1,2026-01-10,2026-02-10,100.00,EUR,100.00,PO-1,open\n"
    "I2,C1,2026-01-20,2026-02-20,50.50,EUR,,,open\n"
    "I3,C2,2026-01-05,2026-02-05,7000,JPY,7000,,open\n"
    "I4,C3,2026-01-05,2026-02-05,-20.00,EUR,-20.00,,open\n"
    "I5,C3,2025-12-01,2026-01-01,300.00,EUR,0,,paid\n";
static const char SEED_PAYMENTS[] =
    "payment_id,customer_id,invoice_id,date,amount,currency\n"
    "P1,C1,I1,2026-02-01,40.00,EUR\n"
    "P2,C1,,2026-02-02,10.00,\n";

static ArdStore *store; /* the seeded store, reused until an import succeeds */

static void import_text(ArdImportKind kind, const char *text, size_t len, bool *ok,
                        GError **error)
{
    ArdImportStats stats;
    /* fmemopen refuses a zero-length buffer on some C libraries. */
    FILE *fp = len ? fmemopen((void *)text, len, "rb") : fopen("/dev/null", "rb");
    FUZZ_CHECK(fp != NULL);
    *ok = ard_import_stream(store, kind, fp, "fuzz.csv", "en", &stats, NULL, NULL, error);
    fclose(fp);
    if (*ok)
        FUZZ_CHECK(stats.inserted + stats.updated + stats.unchanged == stats.rows);
}

static void seed(void)
{
    GError *error = NULL;
    store = ard_store_open(":memory:", 1000, &error);
    FUZZ_CHECK(store != NULL);
    ArdDay today;
    FUZZ_CHECK(ard_day_parse("2026-03-01", &today));
    ard_store_set_today(store, today);
    static const struct { ArdImportKind kind; const char *csv; } seeds[] = {
        {ARD_IMPORT_CUSTOMERS, SEED_CUSTOMERS},
        {ARD_IMPORT_INVOICES, SEED_INVOICES},
        {ARD_IMPORT_PAYMENTS, SEED_PAYMENTS},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(seeds); i++) {
        bool ok;
        import_text(seeds[i].kind, seeds[i].csv, strlen(seeds[i].csv), &ok, &error);
        if (!ok)
            fprintf(stderr, "seeding the fuzz store: %s\n", error->message);
        FUZZ_CHECK(ok);
    }
}

/* For the replay test: closes the store so leak checks see nothing. */
void ard_fuzz_import_done(void);
void ard_fuzz_import_done(void)
{
    ard_store_close(store);
    store = NULL;
}

int ard_fuzz_import(const uint8_t *data, size_t size);
int ard_fuzz_import(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (store == NULL)
        seed();
    ArdImportKind kind = data[0] % 3 == 0 ? ARD_IMPORT_CUSTOMERS
                       : data[0] % 3 == 1 ? ARD_IMPORT_INVOICES : ARD_IMPORT_PAYMENTS;
    GError *error = NULL;
    char *before = NULL, *after = NULL;
    FUZZ_CHECK(ard_store_fingerprint(store, &before, &error));

    bool ok;
    import_text(kind, (const char *)data + 1, size - 1, &ok, &error);
    FUZZ_CHECK(ard_store_fingerprint(store, &after, &error));
    if (ok) {
        FUZZ_CHECK(error == NULL);
        /* Every accepted file is recorded: the fingerprint must see it. */
        FUZZ_CHECK(strcmp(before, after) != 0);
        /* Importing the same file again is a no-op apart from the record
         * of the import itself; the next input starts from a fresh seed. */
        ard_store_close(store);
        store = NULL;
    } else {
        FUZZ_CHECK(error != NULL && error->message != NULL);
        FUZZ_CHECK(g_utf8_validate(error->message, -1, NULL));
        /* Bad input is ARD_ERROR_INPUT; anything else is the store failing. */
        FUZZ_CHECK(error->domain == ARD_ERROR && error->code == ARD_ERROR_INPUT);
        if (strcmp(before, after) != 0)
            fprintf(stderr, "store changed by a rejected import:\n  before %s\n  after  %s\n"
                    "  error  %s\n", before, after, error->message);
        FUZZ_CHECK(strcmp(before, after) == 0);
        g_error_free(error);
    }
    g_free(before);
    g_free(after);
    return 0;
}

ARD_FUZZ_ENTRY(ard_fuzz_import)
