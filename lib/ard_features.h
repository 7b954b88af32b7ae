/* A reply's subject and text as a sparse, hashed, tf-idf weighted and
 * L2-normalised feature vector, the same at training and at prediction.
 * (Named ard_features.h: with -Ilib, "features.h" would shadow glibc's.) */
#ifndef ARDENT_FEATURES_H
#define ARDENT_FEATURES_H
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARD_FEATURES_VERSION 1
#define ARD_CUES_VERSION 3

typedef struct {
    uint32_t index; /* hash bucket, 0 .. 2^hash_bits-1 */
    double value;
} ArdFeature;

/* Sorted by index, no duplicate index. */
typedef struct {
    ArdFeature *v;
    size_t n, cap;
} ArdVector;

/* How text becomes features; saved in features.meta. */
typedef struct {
    int hash_bits;  /* buckets = 2^hash_bits */
    int word_ngrams;/* 1 = unigrams, 2 = unigrams and bigrams */
    int char_min;   /* character n-grams inside word boundaries, */
    int char_max;   /* char_min..char_max code points (0 = none) */
    int subject;    /* 1 = the subject's words are features too */
    int prefix;     /* > 0: each longer word's first N code points as a feature too */
    int cues;       /* ARD_CUES_VERSION = cue words of five languages as shared tokens; 0 = none */
    double cue_weight; /* their idf is multiplied by this at training */
} ArdFeatureSpec;

/* The default spec used by training. */
extern const ArdFeatureSpec ard_feature_spec_default;

/* The spec plus what training learnt: the inverse document frequency of
 * every bucket seen in enough training documents. Buckets that training
 * never kept are dropped at prediction (their weight is unknown). */
typedef struct {
    ArdFeatureSpec spec;
    uint32_t docs;    /* training documents */
    uint32_t min_df;  /* a bucket is kept when seen in >= min_df documents */
    size_t n_vocab;   /* kept buckets */
    uint32_t *bucket; /* [n_vocab] kept buckets, ascending */
    float *idf;       /* [n_vocab] */
    int32_t *slot;    /* [2^hash_bits] position in bucket[] or -1 */
} ArdFeatures;

/* NFKC and Unicode case folding of valid UTF-8 (invalid bytes replaced). */
char *ard_text_normalize(const char *text);
/* The tokens of normalised text: letter/digit words, and class tokens for
 * numbers: "#date", "#time", "#amt", "#ref" (invoice or ticket numbers),
 * "#year", "#num", "#day" (15th, 1er), "#cur" (currency symbols). */
GPtrArray *ard_text_tokens(const char *norm);

/* 32-bit FNV-1a, continuing from h (start with ARD_FNV_BASIS). */
#define ARD_FNV_BASIS 2166136261u
uint32_t ard_fnv1a32(uint32_t h, const void *data, size_t len);

void ard_vector_init(ArdVector *v);
void ard_vector_clear(ArdVector *v);
/* Raw term counts of subject (may be NULL) and text, sorted and merged. */
void ard_features_count(const ArdFeatureSpec *spec, const char *subject, const char *text,
                        ArdVector *out);

/* Learns the idf table from the raw counts of the training documents. */
ArdFeatures *ard_features_fit(const ArdFeatureSpec *spec, ArdVector *const *counts, size_t n,
                              uint32_t min_df);
void ard_features_free(ArdFeatures *f);
/* Counts into weights in place: drops unkept buckets, (1 + ln tf) x idf,
 * then L2 normalisation (an empty vector stays empty). */
void ard_features_weight(const ArdFeatures *f, ArdVector *v);
/* ard_features_count then ard_features_weight. */
void ard_features_vector(const ArdFeatures *f, const char *subject, const char *text,
                         ArdVector *out);

/* features.meta: a versioned text file (see features.c). */
bool ard_features_save(const ArdFeatures *f, const char *path, GError **error);
ArdFeatures *ard_features_load(const char *path, GError **error);

#endif
