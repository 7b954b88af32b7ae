/* Facts in a reply's text: invoice numbers, amounts, the promise-to-pay
 * date, an out-of-office's return date, the language. Pure: no store, no
 * network. Date rules are those of models/corpus/README.md. */
#ifndef ARDENT_FACTS_H
#define ARDENT_FACTS_H
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "date.h"

typedef struct {
    int64_t minor;
    char currency[4];
} ArdAmount;

typedef struct {
    ArdDay ref;                 /* the message's Date: day; relative phrases resolve against it */
    int payment_run_weekday;    /* 1 = Monday .. 7 = Sunday; "next payment run" (default 5) */
    /* When set, a token counts as an invoice number only when known() says so;
     * when NULL, common invoice-number patterns are used. */
    bool (*known)(const char *token, void *data);
    void *known_data;
} ArdFactsCtx;

typedef struct {
    char lang[3];               /* en, de, fr, es, nl */
    GPtrArray *invoices;        /* char *, in order of appearance, no duplicates */
    GArray *amounts;            /* ArdAmount */
    ArdDay promise_date;        /* ARD_DAY_NONE when none */
    ArdDay return_date;         /* ARD_DAY_NONE when none */
} ArdFacts;

void ard_facts_extract(const char *text, const ArdFactsCtx *ctx, ArdFacts *out);
void ard_facts_clear(ArdFacts *f);
/* en, de, fr, es or nl (en when unsure). */
const char *ard_language_detect(const char *text);
/* The date a customer commits to pay by/on, resolved against ref. */
ArdDay ard_facts_promise_date(const char *text, const char *lang, ArdDay ref, int payrun_weekday);
/* The return date an out-of-office names. */
ArdDay ard_facts_return_date(const char *text, const char *lang, ArdDay ref);

#endif
