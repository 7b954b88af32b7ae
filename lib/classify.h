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
 * is reported as "other" with its low confidence. Each sentence is read on
 * its own too: an intent earlier in the contract's order that one sentence
 * carries with near certainty is reported instead of the whole text's (not
 * for an auto-reply), with that sentence's probability as its confidence. */
void ard_classify(const ArdModels *m, const char *text, ArdClass *out);

/* The contract's intents in precedence order (dispute first, other last)
 * and the sentiments; model labels are positions in these arrays. */
#define ARD_N_INTENTS 8
#define ARD_N_SENTIMENTS 3
extern const char *const ard_intent_names[ARD_N_INTENTS];
extern const char *const ard_sentiment_names[ARD_N_SENTIMENTS];
/* Position of name in ard_intent_names / ard_sentiment_names, or -1. */
int ard_intent_index(const char *name);
int ard_sentiment_index(const char *name);

/* Below min_confidence (default 0.45) the intent is reported as "other";
 * a class that comes earlier in the precedence order wins over the top one
 * when its probability is within precedence_margin (default 0.10) of the
 * top and itself at least min_confidence. Set before sharing the models. */
void ard_models_set_thresholds(ArdModels *m, double min_confidence, double precedence_margin);
/* As ard_classify, with the message's subject (may be NULL) as features of
 * its own: the models are trained on subject and text. */
void ard_classify_subject(const ArdModels *m, const char *subject, const char *text,
                          ArdClass *out);
/* The raw class probabilities, indexed like the name arrays. */
void ard_classify_probs(const ArdModels *m, const char *subject, const char *text,
                        double intent[ARD_N_INTENTS], double sentiment[ARD_N_SENTIMENTS]);
/* The decision ard_classify makes from intent probabilities (static name). */
const char *ard_intent_decide(const double p[ARD_N_INTENTS], double min_confidence,
                              double precedence_margin, double *confidence);

/* The sentences and paragraphs of text with at least min_words words, at
 * most max_segments of them, trimmed, in order (newly allocated strings). */
GPtrArray *ard_text_segments(const char *text, int min_words, guint max_segments);

#endif
