/* The agent's side of the store: every customer's dunning facts loaded in a
 * few bulk queries, and the records a run writes (messages queued and sent,
 * stage changes, escalations, promises kept or broken), each with its event. */
#ifndef ARDENT_STORE_DUNNING_H
#define ARDENT_STORE_DUNNING_H
#include "store.h"
#include "policy.h"

typedef struct {
    ArdCustomerFacts f;          /* strings point into the set's chunk */
    int64_t next_serial;
    GPtrArray *message_ids;      /* const char *: earlier outbound Message-IDs, oldest first */
    /* the latest outbound row, to resume a run of the same date */
    int64_t last_row;            /* 0: none */
    ArdDay last_row_date;
    const char *last_row_status, *last_row_token, *last_row_message_id;
    int64_t last_row_serial;
    const char *last_row_reply;  /* last non-auto inbound text's date (for the digest) */
} ArdDunningCustomer;

typedef struct {
    GPtrArray *customers;        /* ArdDunningCustomer *, by id */
    GStringChunk *strings;
} ArdDunningSet;

/* Loads every customer (or only `only`, when not NULL). today bounds the
 * twelve-month billing window. */
ArdDunningSet *ard_store_dunning_load(ArdStore *s, ArdDay today, const char *only,
                                      GError **error);
void ard_dunning_set_free(ArdDunningSet *set);

typedef struct {
    const char *customer, *message_id, *in_reply_to, *token, *stage, *lead_invoice;
    const char *subject, *sender, *recipients;
    int64_t serial;
    ArdDay run_date;
} ArdOutbound;

/* Records the message as 'queued' in its own committed transaction (and
 * takes its serial); *row is the messages row. Fails (ARD_ERROR_FAILED) when
 * the customer already has an outbound message for that date. */
bool ard_store_dunning_queue(ArdStore *s, const ArdOutbound *m, int64_t *row, GError **error);
/* The same for n messages in one transaction (rows[i] for m[i]). */
bool ard_store_dunning_queue_many(ArdStore *s, const ArdOutbound *m, guint n, int64_t *rows,
                                  GError **error);
/* Puts a failed row of the date back to 'queued' for another try. */
bool ard_store_dunning_requeue(ArdStore *s, int64_t row, GError **error);
/* Marks it sent and moves the dunning state, with events, in one transaction.
 * courtesy: a courtesy note moves neither stage nor last_sent. */
bool ard_store_dunning_sent(ArdStore *s, int64_t row, const char *customer, ArdStage old_stage,
                            ArdStage stage, bool courtesy, ArdDay run_date, const char *reason,
                            GError **error);
typedef struct {
    int64_t row;
    const char *customer;
    ArdStage old_stage, stage;
    bool courtesy;
    ArdDay run_date;
    const char *reason;
} ArdSent;
/* ard_store_dunning_sent for n messages in one transaction. */
bool ard_store_dunning_sent_many(ArdStore *s, const ArdSent *m, guint n, GError **error);
bool ard_store_dunning_failed(ArdStore *s, int64_t row, const char *customer, const char *why,
                              GError **error);

/* The state changes a decision makes besides sending, in one transaction:
 * promise kept/broken, stage reset, stage change, escalation opened. */
typedef struct {
    const char *customer, *owner;
    bool promise_kept, promise_broken;
    int64_t promise_id;
    ArdDay promise_date;
    bool stage_reset;
    ArdStage old_stage, new_stage;   /* new_stage != old_stage: record it */
    bool escalate;
    const char *escalation_reason;
    const char *escalation_due;      /* ISO UTC */
    int priority;
} ArdDunningChange;
bool ard_store_dunning_apply(ArdStore *s, const ArdDunningChange *c, GError **error);

/* Digest and report inputs. */
typedef struct {
    char *customer, *name, *owner, *kind, *reason, *due, *created;
    int priority;
} ArdQueueItem;
/* Open escalations plus promises broken in the last `days` days, most
 * recent first (the caller sorts by urgency). */
GPtrArray *ard_store_queue_items(ArdStore *s, ArdDay today, int days, GError **error);
void ard_queue_item_free(gpointer p);



/* Money that moved per customer and currency, for the report: payments in
 * the last 7 days and the 7 before, the last 30 and the 30 before, and
 * what was invoiced in the last 90 days. */
typedef struct {
    char *customer;
    char currency[4];
    int64_t paid_7, paid_prev_7, paid_30, paid_prev_30, billed_90;
} ArdFlow;
/* An array of ArdFlow; free with ard_flows_free. */
GArray *ard_store_flows(ArdStore *s, ArdDay today, GError **error);
void ard_flows_free(GArray *flows);
#endif
