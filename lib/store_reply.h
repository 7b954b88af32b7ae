/* What an inbound reply reads and writes in the store: the lookups that match
 * a reply to an account, the inbound message record (once per Message-ID),
 * and the account changes lib/apply decides, plus the collectors' queue. */
#ifndef ARDENT_STORE_REPLY_H
#define ARDENT_STORE_REPLY_H
#include "store.h"
#include <stdint.h>

/* The outbound message that carries token: its customer and serial.
 * found=false when no outbound message has that token. */
bool ard_store_reply_token(ArdStore *s, const char *token, bool *found, char **customer,
                           int64_t *serial, GError **error);
/* Distinct customers with a contact of this address (at most limit),
 * appended to customers (char *, g_free). */
bool ard_store_reply_contact_customers(ArdStore *s, const char *email, int limit,
                                       GPtrArray *customers, GError **error);
/* Distinct customers with a contact in this domain (at most limit). */
bool ard_store_reply_domain_customers(ArdStore *s, const char *domain, int limit,
                                      GPtrArray *customers, GError **error);

typedef struct {
    char *owner;        /* NULL when the customer has none */
    char *segment;      /* the ERP's, or NULL */
    char *timezone;     /* or NULL */
    int64_t balance;    /* open amounts, all currencies at face value */
    int64_t billing_12m;
} ArdReplyCustomer;
bool ard_store_reply_customer(ArdStore *s, const char *id, ArdDay today, bool *found,
                              ArdReplyCustomer *out, GError **error);
void ard_reply_customer_clear(ArdReplyCustomer *c);

typedef struct {
    const char *customer;   /* NULL when unmatched */
    const char *message_id; /* never NULL: a content hash stands in when absent */
    const char *in_reply_to, *token, *subject, *sender, *recipients;
    const char *intent, *sentiment, *match, *status;
    double intent_confidence, sentiment_confidence;
    bool auto_reply;
} ArdInbound;
/* Records the inbound message unless one with that Message-ID already is;
 * *inserted says which. *row is the new row. */
bool ard_store_reply_record(ArdStore *s, const ArdInbound *m, bool *inserted, int64_t *row,
                            GError **error);

/* A reply that answers: unanswered = 0, last_reply = day. */
bool ard_store_reply_answered(ArdStore *s, const char *customer, ArdDay day, GError **error);
/* Sets hold_until (extend_only: only when later than the current hold). *changed says
 * whether anything was written. */
bool ard_store_reply_hold(ArdStore *s, const char *customer, ArdDay until, const char *reason,
                          bool extend_only, bool *changed, GError **error);
/* Sets the status of one of the customer's contacts; *changed false when the
 * address is not a contact of that customer or already had the status. */
bool ard_store_reply_contact_status(ArdStore *s, const char *customer, const char *email,
                                    const char *status, bool *changed, GError **error);
/* Which of ids are open invoices of customer (appended to out, g_free). */
bool ard_store_reply_own_invoices(ArdStore *s, const char *customer, const char *const *ids,
                                  GPtrArray *out, GError **error);
/* The lead invoice for a dispute that names none: the largest open overdue
 * amount not already disputed (ties: oldest due), else the largest open one.
 * *id NULL when the customer has no open invoice. */
bool ard_store_reply_lead_invoice(ArdStore *s, const char *customer, ArdDay today, char **id,
                                  GError **error);
/* Opens a dispute on invoice unless one is open; *opened says which. */
bool ard_store_reply_dispute(ArdStore *s, const char *customer, const char *invoice,
                             const char *reason, int64_t message_row, bool *opened,
                             GError **error);
/* invoices: ';'-joined ids or NULL (all open ones). */
bool ard_store_reply_promise(ArdStore *s, const char *customer, ArdDay date, const char *invoices,
                             int64_t message_row, int64_t *id, GError **error);
/* kind: escalation, review, task. due: ISO UTC or NULL. */
bool ard_store_reply_escalate(ArdStore *s, const char *customer, const char *kind,
                              const char *reason, const char *owner, const char *due,
                              int priority, int64_t message_row, int64_t *id, GError **error);

/* The collectors' queue. */
typedef struct {
    int64_t id;
    char *customer, *name, *kind, *reason, *owner, *due, *created;
    int priority;
} ArdQueueEntry;
/* Open escalations, reviews and tasks (only owner's when not NULL), most
 * urgent first: earliest due, then priority, then oldest. */
GPtrArray *ard_store_reply_queue(ArdStore *s, const char *owner, GError **error);
void ard_queue_entry_free(gpointer p);

typedef struct {
    int64_t id;
    const char *by, *note;
    bool resume;            /* clear the account's hold */
    ArdDay hold_until;      /* or ARD_DAY_NONE */
} ArdResolve;
/* Closes one open item and records who and why, in one transaction.
 * ARD_ERROR_INPUT when there is no such open item. */
bool ard_store_reply_resolve(ArdStore *s, const ArdResolve *r, GError **error);

#endif
