/* The ERP side of the store: customers and contacts, invoices, payments and
 * their allocation to invoices. Callers hold a transaction. */
#ifndef ARDENT_STORE_ERP_H
#define ARDENT_STORE_ERP_H
#include "store.h"

typedef enum { ARD_UPSERT_INSERTED, ARD_UPSERT_UPDATED, ARD_UPSERT_UNCHANGED } ArdUpsert;

/* Optional fields a row may leave out (its file has no such column): an
 * existing record keeps its own value of each one named in `keep`; a new
 * one takes the value given, which is then the default. */
enum {
    ARD_KEEP_OWNER = 1 << 0, ARD_KEEP_LOCALE = 1 << 1, ARD_KEEP_TIMEZONE = 1 << 2,
    ARD_KEEP_SEGMENT = 1 << 3, ARD_KEEP_HUMAN_ONLY = 1 << 4,
    ARD_KEEP_OPEN_AMOUNT = 1 << 5, ARD_KEEP_PO_NUMBER = 1 << 6, ARD_KEEP_STATUS = 1 << 7,
};

typedef struct {
    const char *id, *name;
    char **emails;            /* NULL-terminated, normalised */
    const char *owner, *locale, *timezone, *segment; /* NULL or "" = none */
    bool human_only;
    unsigned keep;            /* ARD_KEEP_OWNER .. ARD_KEEP_HUMAN_ONLY */
} ArdCustomerIn;

typedef struct {
    const char *id, *customer_id, *issue_date, *due_date;
    int64_t amount;
    const char *currency;
    int64_t open_amount;      /* as the ERP exported it */
    const char *po_number, *status;
    /* ARD_KEEP_OPEN_AMOUNT, _PO_NUMBER, _STATUS. A kept open amount keeps
     * what the ERP had settled of the invoice: the new amount less the old
     * amount's settled part, within 0..amount (the new amount itself when
     * the currency changes). */
    unsigned keep;
} ArdInvoiceIn;

typedef struct {
    const char *id, *customer_id, *invoice_id, *date; /* invoice_id may be NULL */
    int64_t amount;
    const char *currency;
} ArdPaymentIn;

bool ard_store_customer_exists(ArdStore *s, const char *id, bool *exists, GError **error);
/* The invoice's customer and currency (currency: 4 bytes), or exists=false. */
bool ard_store_invoice_owner(ArdStore *s, const char *id, bool *exists, char **customer,
                             char currency[4], GError **error);
/* The stored currency of payment id when it exists and belongs to customer,
 * else "". */
bool ard_store_payment_currency(ArdStore *s, const char *id, const char *customer,
                                char currency[4], GError **error);
/* The currency for a payment of customer that names none: that of the
 * customer's oldest invoice open without the allocations of payment
 * (NULL: none), else the one currency all the customer's invoices share,
 * whatever their status, else "". */
bool ard_store_customer_currency(ArdStore *s, const char *customer, const char *payment,
                                 char currency[4], GError **error);

bool ard_store_upsert_customer(ArdStore *s, const ArdCustomerIn *c, ArdUpsert *res, GError **error);
/* Inside an import's transaction, before its rows: when the table the file
 * fills is still empty (the first load of an export), its index by customer
 * is dropped, to be built once, sorted, by ard_store_bulk_done instead of
 * row by row at random places. Nothing an import reads uses these indexes. */
bool ard_store_invoices_start(ArdStore *s, GError **error);
bool ard_store_payments_start(ArdStore *s, GError **error);
/* Builds again what a *_start function dropped. Must be called before the
 * transaction commits. */
bool ard_store_bulk_done(ArdStore *s, GError **error);
bool ard_store_upsert_invoice(ArdStore *s, const ArdInvoiceIn *inv, ArdUpsert *res, GError **error);
/* The most invoices ard_store_insert_invoices takes at once. */
enum { ARD_INVOICE_BATCH = 16 };
/* Inserts those of the n invoices (n <= ARD_INVOICE_BATCH) whose id is not
 * in the store yet; *inserted says how many that was. When it is fewer than
 * n, the caller passes all n, in order, to ard_store_update_invoice, where
 * the ones inserted just now come out unchanged. */
bool ard_store_insert_invoices(ArdStore *s, const ArdInvoiceIn *inv, int n, int *inserted,
                               GError **error);
/* An invoice whose id is in the store: compared field by field, updated
 * (with an event, and its open amount recomputed) when it differs. */
bool ard_store_update_invoice(ArdStore *s, const ArdInvoiceIn *inv, ArdUpsert *res,
                              GError **error);
/* Inserts or updates the payment and (re)allocates it: to its invoice when
 * named, else to the customer's oldest open invoices in its currency; what
 * is left is customer credit. */
bool ard_store_upsert_payment(ArdStore *s, const ArdPaymentIn *p, ArdUpsert *res, GError **error);

bool ard_store_record_import(ArdStore *s, const char *kind, const char *file,
                             long inserted, long updated, long unchanged, GError **error);

#endif
