/* One inbound reply end to end: parse, read, classify, match, apply in one
 * transaction. Exactly what the milter runs at end-of-message and what
 * `ardentctl ingest` runs, so the two can never disagree. */
#ifndef ARDENT_INGEST_H
#define ARDENT_INGEST_H
#include "apply.h"
#include "config.h"
#include "match.h"
#include "store.h"
#include <json-glib/json-glib.h>

/* What every message needs, loaded once and then shared read-only by any
 * number of threads: models, policy, addresses. */
typedef struct ArdIngestCtx ArdIngestCtx;

/* Loads models and policy from cfg (which must outlive the context) and
 * checks the [milter] keys; a bad value fails here, never at run time. */
ArdIngestCtx *ard_ingest_ctx_new(const ArdConfig *cfg, GError **error);
void ard_ingest_ctx_free(ArdIngestCtx *ctx);
const char *const *ard_ingest_receivables(const ArdIngestCtx *ctx);

typedef struct {
    JsonObject *json;         /* with opts->json: the classify JSON plus customer,
                                 match, actions; NULL otherwise */
    char *intent, *sentiment;
    double intent_confidence;
    char *customer;           /* NULL when unmatched */
    ArdMatchKind match;
    GPtrArray *actions;       /* char * */
    char *route;              /* an owner to add as recipient, or NULL */
    bool duplicate;
} ArdIngestResult;

typedef struct {
    const char *const *recipients;   /* envelope recipients; NULL: To and Cc */
    const char *envelope_sender;     /* MAIL FROM, may be NULL */
    const char *file;                /* for the JSON's "file", may be NULL */
    bool json;                       /* build out->json (the milter does not read it) */
    ArdDay today;                    /* ARD_DAY_NONE: the real date */
} ArdIngestOpts;

/* Runs the whole pipeline on raw[0..len). Store failures (busy past the
 * timeout) and classifier failures are errors; nothing is half-written. */
bool ard_ingest(const ArdIngestCtx *ctx, ArdStore *s, const char *raw, size_t len,
                const ArdIngestOpts *opts, ArdIngestResult *out, GError **error);
void ard_ingest_result_clear(ArdIngestResult *r);

#endif
