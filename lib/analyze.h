/* What ardent reads in one inbound reply, the same for the milter,
 * `ardentctl classify` and `ardentctl ingest`: raw bytes -> message -> new
 * text -> auto-reply kind -> facts -> intent and sentiment. */
#ifndef ARDENT_ANALYZE_H
#define ARDENT_ANALYZE_H
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include "autoreply.h"
#include "classify.h"
#include "config.h"
#include "facts.h"
#include "message.h"

typedef struct {
    size_t max_bytes;          /* read at most this much of the raw message (0 = all) */
    ArdDay today;              /* ref for relative dates when the message has no Date: */
    int payment_run_weekday;   /* 1 = Monday .. 7 = Sunday; 0 = Friday */
    /* When set, only tokens it knows count as invoice numbers. */
    bool (*known_invoice)(const char *token, void *data);
    void *known_data;
} ArdAnalyzeOptions;

typedef struct {
    ArdMessage *msg;
    char *text;            /* the reply's new text */
    ArdMailKind kind;      /* as the auto-reply detector sees it */
    const char *kind_why;  /* static phrase naming the detector's signal, or NULL */
    ArdFacts facts;
    ArdClass cls;          /* intent auto_reply when the detector found one */
    bool auto_reply;       /* out-of-office, vacation, ticket acknowledgement */
} ArdAnalysis;

/* Never fails: a broken message gives whatever could be read. Thread-safe
 * with shared models. Bulk mail and bounces are no answer: intent "other". */
ArdAnalysis *ard_analyze(const ArdModels *models, const char *raw, size_t len,
                         const ArdAnalyzeOptions *opt);
void ard_analysis_free(ArdAnalysis *a);
/* The contract's JSON object for `ardentctl classify` (file may be NULL). */
JsonObject *ard_analysis_json(const ArdAnalysis *a, const char *file);

/* classify.min_confidence and classify.precedence_margin, checked (0..1). */
bool ard_classify_thresholds(const ArdConfig *cfg, double *min_confidence, double *margin,
                             GError **error);
/* Loads the models classify.models names, with the configured thresholds. */
ArdModels *ard_models_load_config(const ArdConfig *cfg, GError **error);

#endif
