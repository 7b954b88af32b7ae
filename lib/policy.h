/* The dunning policy: segments, risk, lead invoice, stage and holds — one
 * decision per customer from plain facts. lib/policy is the single place
 * where the agent decides; it never reads the store nor sends anything. */
#ifndef ARDENT_POLICY_H
#define ARDENT_POLICY_H
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "date.h"

typedef enum {
    ARD_STAGE_NONE = -1,
    ARD_STAGE_REMINDER = 0,
    ARD_STAGE_FOLLOW_UP,
    ARD_STAGE_FIRM,
    ARD_STAGE_FINAL_NOTICE,
    ARD_STAGE_COLLECTOR,
    ARD_STAGE_COUNT
} ArdStage;

typedef enum { ARD_SEG_STRATEGIC, ARD_SEG_STANDARD, ARD_SEG_SMALL, ARD_SEG_COUNT } ArdSegment;

typedef enum { ARD_ACT_NONE, ARD_ACT_SEND, ARD_ACT_HOLD, ARD_ACT_ESCALATE } ArdAction;

const char *ard_stage_name(ArdStage s);         /* "none" for ARD_STAGE_NONE */
ArdStage ard_stage_parse(const char *s);         /* ARD_STAGE_NONE when unknown */
const char *ard_segment_name(ArdSegment s);
bool ard_segment_parse(const char *s, ArdSegment *out);
const char *ard_action_name(ArdAction a);

typedef struct {
    int thresholds[ARD_STAGE_COUNT]; /* days past due of the lead, at least */
    int gap_days;                    /* between two automated messages */
    bool courtesy;                   /* a note before the due date */
    int courtesy_days;               /* how many days before */
    int promise_grace_days;
    int escalation_hours;            /* > 0: due this many hours after opening */
    int escalation_business_days;    /* else: this many business days */
} ArdSegmentPolicy;

/* One business calendar: the weekdays that count and the days without
 * business. */
typedef struct {
    const char *name;                /* "default", or a country: "de", "fr", ... */
    bool business_day[8];            /* [1] monday ... [7] sunday */
    GArray *holidays;                /* ArdDay, sorted */
} ArdCalendar;

/* The country calendars [calendar] may define (business_days_NAME,
 * holidays_NAME); a customer uses its time zone's country's one. */
#define ARD_CALENDAR_COUNT 10
extern const char *const ard_calendar_names[ARD_CALENDAR_COUNT];

typedef struct {
    ArdSegmentPolicy seg[ARD_SEG_COUNT];
    /* Segment thresholds in minor units, amounts of all currencies summed. */
    int64_t strategic_min_balance, strategic_min_billing;
    int64_t small_max_balance, small_max_billing;
    ArdCalendar calendar;            /* the default: [calendar] business_days, holidays */
    /* Indexed like ard_calendar_names; NULL when the configuration defines
     * none for that country, whose customers then use the default. */
    ArdCalendar *country[ARD_CALENDAR_COUNT];
    int unanswered_limit;            /* messages without reply or payment */
    bool business_days_only;         /* send only on the customer's business days */
} ArdPolicy;

/* The policy from the configuration's [policy] and [calendar] groups. */
ArdPolicy *ard_policy_from_config(const ArdConfig *cfg, GError **error);
/* Built-in defaults (what conf/ardent.conf documents). */
ArdPolicy *ard_policy_default(void);
void ard_policy_free(ArdPolicy *p);

/* The country whose calendar a customer in this IANA time zone follows
 * ("de" for Europe/Berlin, "us" for America/...), or NULL. */
const char *ard_calendar_country(const char *timezone);
/* The calendar of a customer in this time zone: its country's when the
 * configuration defines one, else the default. Never NULL. */
const ArdCalendar *ard_policy_calendar(const ArdPolicy *p, const char *timezone);
bool ard_calendar_business_day(const ArdCalendar *cal, ArdDay d);
/* The day n business days after d (n >= 0). */
ArdDay ard_calendar_add_business_days(const ArdCalendar *cal, ArdDay d, int n);

typedef struct {
    char *id;
    char currency[4];
    ArdDay issue, due;
    int64_t amount, open_amount;
    bool disputed;     /* an open dispute names it */
    bool promised;     /* an open promise covers it */
} ArdInvoiceFacts;

typedef struct {
    char currency[4];
    int64_t amount;
} ArdMoney;

/* Everything the policy needs to know about one customer. Strings are
 * borrowed from whoever filled the struct (see lib/store_dunning.h). */
typedef struct {
    const char *id, *name, *owner, *locale, *timezone;
    const char *erp_segment;        /* NULL: computed */
    bool human_only;
    GPtrArray *emails;              /* const char *, contacts whose status is ok */

    ArdStage stage;                 /* the dunning stage reached so far */
    ArdDay last_sent;               /* last automated message sent, or NONE */
    ArdDay last_reply;              /* last answer (not an auto-reply), or NONE */
    ArdDay last_payment;            /* or NONE */
    ArdDay last_escalation;         /* when the last escalation was opened, or NONE */
    ArdDay hold_until;              /* an out-of-office return date, or NONE */
    const char *hold_reason;
    GArray *sent_days;              /* ArdDay of each sent automated message, ascending */
    const char *last_courtesy_invoice; /* the invoice the last courtesy note announced */

    GArray *invoices;               /* ArdInvoiceFacts, open with open_amount != 0 */
    GArray *credits;                /* ArdMoney: unapplied payments per currency */
    int64_t billing_12m;            /* invoiced in the last 365 days, all currencies */

    /* history for the risk score */
    int paid_count;
    double avg_days_late;           /* paid invoices */
    double recent_days_late;        /* the latest three paid invoices */
    int broken_promises, disputes;

    /* the open promise, if any */
    bool promise_open;
    int64_t promise_id;
    ArdDay promise_date;
    bool promise_kept;              /* what it covered has been paid */
    ArdDay last_broken;             /* when a promise was last marked broken, or NONE */

    /* the open escalation a person owns, if any */
    int open_escalations;
    const char *escalation_reason, *escalation_owner;
} ArdCustomerFacts;

typedef struct {
    int score;               /* 0 (pays on time) .. 100 */
    double avg_days_late, trend;
    int paid_count, broken_promises, disputes;
    bool good_history;       /* the message may say "this is unusual for your account" */
} ArdRisk;

ArdSegment ard_policy_segment(const ArdPolicy *p, const ArdCustomerFacts *c, int64_t balance,
                              bool *computed);
/* When an escalation of a customer in segment sp, raised at now, is due:
 * the segment's hours later, or its business days later on the calendar
 * of the customer's zone (NULL: UTC) at the same wall-clock time. */
GDateTime *ard_policy_escalation_due(const ArdPolicy *p, const ArdSegmentPolicy *sp,
                                     const char *timezone, GDateTime *now);
ArdRisk ard_policy_risk(const ArdCustomerFacts *c);

/* Index of the lead invoice among c->invoices, or -1: the largest open
 * overdue amount neither disputed nor promised, ties to the oldest due date
 * (then the smaller id, so the choice never depends on load order). */
int ard_policy_lead(const ArdCustomerFacts *c, ArdDay today);

typedef struct {
    ArdAction action;
    ArdStage stage;          /* the stage the message is at (or stays at) */
    bool courtesy;           /* a courtesy note before the due date */
    ArdStage old_stage;
    int lead;                /* index into invoices, or -1 */
    GArray *listed;          /* int indexes of the overdue invoices the message lists */
    char *reason;
    int priority;
    ArdSegment segment;
    bool segment_computed;
    ArdRisk risk;
    int64_t balance;         /* net open balance, all currencies at face value */
    GArray *balances;        /* ArdMoney: net per currency */
    /* state changes a run makes */
    bool promise_kept, promise_broken;
    bool stage_reset;        /* the debt no longer stands */
    bool escalate;           /* open an escalation for the owner */
    char *escalation_reason;
    GDateTime *escalation_due;
    bool printable;          /* the customer has an open balance: plan prints a line */
} ArdDecision;

/* Decides for one customer on its day `today` (already in its time zone). */
ArdDecision *ard_policy_decide(const ArdPolicy *p, const ArdCustomerFacts *c, ArdDay today,
                               GDateTime *now);
void ard_decision_free(ArdDecision *d);

#endif
