/* The collections report: ageing buckets, DSO, promised, disputed and
 * escalated amounts and collection momentum, per currency, in total and per
 * owner; written as text, CSV, JSON or a self-contained HTML page. */
#ifndef ARDENT_REPORT_H
#define ARDENT_REPORT_H
#include <glib.h>
#include "store_dunning.h"

enum { ARD_AGE_CURRENT, ARD_AGE_1_30, ARD_AGE_31_60, ARD_AGE_61_90, ARD_AGE_90_PLUS, ARD_AGE_N };

typedef struct {
    char *owner;                 /* "" for the total row */
    char currency[4];
    int customers;
    int64_t ageing[ARD_AGE_N];   /* open amounts by days past due */
    int64_t open, promised, disputed, escalated;
    int64_t paid_7, paid_prev_7, paid_30, paid_prev_30, billed_90;
} ArdReportRow;

typedef struct {
    ArdDay today;
    GPtrArray *rows;             /* ArdReportRow *: per currency the total row, then owners */
} ArdReport;

/* Builds the report from the customers' facts and the money flows; accounts
 * without an owner count under default_owner (or "(unassigned)"). */
ArdReport *ard_report_build(const ArdDunningSet *set, const GArray *flows, const char *default_owner,
                            ArdDay today);
void ard_report_free(ArdReport *r);

/* DSO of a row: open / billed_90 * 90 days; -1 when nothing was billed. */
double ard_report_dso(const ArdReportRow *row);

/* format: text, csv, json, html. NULL for an unknown format. */
char *ard_report_format(const ArdReport *r, const char *format);

#endif
