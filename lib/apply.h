/* What a classified, matched reply does to an account: the single place
 * where a reply changes an account, for the milter and `ardentctl ingest`
 * alike. Every change goes to the event log with its reason (cause "reply"). */
#ifndef ARDENT_APPLY_H
#define ARDENT_APPLY_H
#include "autoreply.h"
#include "match.h"
#include "policy.h"
#include "store.h"

typedef struct {
    const ArdPolicy *policy;            /* grace days, escalation due times, calendar */
    const char *default_owner;          /* agent.default_owner, may be "" */
    const char *const *collector_domains; /* owners routable by mail */
    int paid_hold_days;                 /* reply.paid_hold_days */
    int task_due_hours;                 /* reply.task_due_hours */
    ArdDay today;                       /* the day the reply is applied */
    GDateTime *now;                     /* its moment (UTC) */
} ArdApplyCtx;

typedef struct {
    const char *message_id;   /* Message-ID without <>, or a content hash: never NULL */
    const char *in_reply_to, *subject, *sender, *recipients;
    const char *intent;       /* one of the contract's eight */
    double intent_confidence;
    const char *sentiment;    /* negative, neutral, positive */
    double sentiment_confidence;
    ArdMailKind kind;         /* reply, auto_reply, bulk, bounce */
    ArdDay promise_date;      /* ARD_DAY_NONE when none */
    ArdDay return_date;       /* an out-of-office's, ARD_DAY_NONE when none */
    const char *const *invoices; /* invoice numbers the text names, may be NULL */
    const char *bounce_recipient; /* a DSN's failed address, or NULL */
} ArdReply;

typedef struct {
    GPtrArray *actions;       /* char *: "dispute:INV-1", "escalate:owner", "hold:D", ... */
    char *route;              /* an owner to add as recipient, or NULL */
    bool duplicate;           /* the Message-ID was already recorded: nothing done */
    int64_t message_row;
} ArdApplyResult;

/* Records the message and changes the account, inside the caller's
 * transaction (nothing is committed here). */
bool ard_apply(ArdStore *s, const ArdApplyCtx *ctx, const ArdMatch *m, const ArdReply *r,
               ArdApplyResult *out, GError **error);
void ard_apply_result_clear(ArdApplyResult *r);

/* True when addr's domain is one of domains (exact, case-insensitive). */
bool ard_apply_routable(const char *addr, const char *const *domains);

#endif
