/* The labelled reply corpus (models/corpus/NAME.jsonl) and training of the
 * intent and sentiment models from its training split. */
#ifndef ARDENT_TRAIN_H
#define ARDENT_TRAIN_H
#include <glib.h>
#include <stdbool.h>
#include "date.h"

typedef struct {
    char *id, *lang, *intent, *sentiment, *subject, *text;
    ArdDay date, promise_date, return_date; /* ARD_DAY_NONE when null */
    int intent_label;    /* position in ard_intent_names */
    int sentiment_label; /* position in ard_sentiment_names */
} ArdRecord;

/* Every record of DIR/NAME.jsonl, files in name order, lines in file order.
 * A malformed line is an error naming the file and line. */
GPtrArray *ard_corpus_load(const char *dir, GError **error);
/* The fixed test split: FNV-1a-32(id) % 5 == 0. */
bool ard_corpus_is_test(const char *id);

typedef struct {
    const char *corpus_dir;
    const char *out_dir;
    int folds;          /* cross-validation folds for choosing C (default 5) */
    unsigned min_df;    /* default 2 */
    int char_min, char_max; /* character n-grams; both 0: the default spec's; -1: none */
    int word_ngrams;        /* 0: the default spec's */
    int no_subject;         /* 1: the subject is not a feature */
    int no_cues;            /* 1: no cue-word tokens */
    double cue_weight;      /* 0: the default spec's */
    int prefix;             /* word stems of N code points; 0: the default spec's, -1: none */
    /* 1: report the intent confusion of the cross-validation at the chosen
     * C (training split only); 2: and every misread training record. */
    int cv_report;
    /* One line of progress at a time, without newline; may be NULL. */
    void (*progress)(const char *line, void *data);
    void *progress_data;
} ArdTrainOptions;

typedef struct {
    int records, train_records;
    double intent_c, intent_cv_f1;       /* chosen C and its cross-validated macro-F1 */
    double sentiment_c, sentiment_cv_f1;
    size_t vocabulary;
} ArdTrainReport;

/* Trains on the training split only and writes intent.model,
 * sentiment.model and features.meta into out_dir (each replaced whole).
 * Deterministic: the same corpus gives the same files. */
bool ard_train(const ArdTrainOptions *opt, ArdTrainReport *rep, GError **error);

#endif
