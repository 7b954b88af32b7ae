/* Intent and sentiment with libsvm models: loaded once, then used read-only
 * by any number of threads. */
#ifndef ARDENT_CLASSIFY_H
#define ARDENT_CLASSIFY_H
#include <glib.h>

typedef struct ArdModels ArdModels;

typedef struct {
    const char *intent;      /* one of the contract's eight (static string) */
    double intent_confidence;
    const char *sentiment;   /* negative, neutral, positive (static string) */
    double sentiment_confidence;
} ArdClass;

/* Loads intent.model, sentiment.model and features.meta from dir. */
ArdModels *ard_models_load(const char *dir, GError **error);
void ard_models_free(ArdModels *m);
/* Classifies the new text of a reply; thread-safe. A low-confidence intent
 * is reported as "other" with its low confidence. */
void ard_classify(const ArdModels *m, const char *text, ArdClass *out);

#endif
