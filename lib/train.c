/* Reads the reply corpus and trains the intent and sentiment models with
 * libsvm: idf from the training split, C chosen by k-fold cross-validation
 * on the training split, balanced class weights, probability estimates.
 * Must never let a test-split record into training or tuning, and must stay
 * deterministic (sorted files, fixed seed before every libsvm call that
 * shuffles). */
#include "train.h"
#include "classify.h"
#include "error.h"
#include "ard_features.h"
#include <json-glib/json-glib.h>
#include <libsvm/svm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRAIN_SEED 20260301u

bool ard_corpus_is_test(const char *id)
{
    return ard_fnv1a32(ARD_FNV_BASIS, id, strlen(id)) % 5 == 0;
}

static void record_free(gpointer p)
{
    ArdRecord *r = p;
    g_free(r->id);
    g_free(r->lang);
    g_free(r->intent);
    g_free(r->sentiment);
    g_free(r->subject);
    g_free(r->text);
    g_free(r);
}

static char *member_string(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);
    if (n == NULL || JSON_NODE_HOLDS_NULL(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return g_strdup(json_node_get_string(n));
}

static bool member_day(JsonObject *o, const char *key, ArdDay *out)
{
    *out = ARD_DAY_NONE;
    char *s = member_string(o, key);
    if (s == NULL)
        return true;
    bool ok = ard_day_parse(s, out);
    g_free(s);
    return ok;
}

static ArdRecord *parse_record(JsonParser *parser, const char *line, const char **why)
{
    if (!json_parser_load_from_data(parser, line, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        *why = "not a JSON object";
        return NULL;
    }
    JsonObject *o = json_node_get_object(json_parser_get_root(parser));
    ArdRecord *r = g_new0(ArdRecord, 1);
    r->id = member_string(o, "id");
    r->lang = member_string(o, "lang");
    r->intent = member_string(o, "intent");
    r->sentiment = member_string(o, "sentiment");
    r->subject = member_string(o, "subject");
    r->text = member_string(o, "text");
    r->intent_label = ard_intent_index(r->intent);
    r->sentiment_label = ard_sentiment_index(r->sentiment);
    *why = NULL;
    if (!r->id || !*r->id)
        *why = "no id";
    else if (!r->text)
        *why = "no text";
    else if (r->intent_label < 0)
        *why = "unknown intent";
    else if (r->sentiment_label < 0)
        *why = "unknown sentiment";
    else if (!member_day(o, "date", &r->date) || !member_day(o, "promise_date", &r->promise_date) ||
             !member_day(o, "return_date", &r->return_date))
        *why = "bad date";
    if (*why) {
        record_free(r);
        return NULL;
    }
    if (!r->subject)
        r->subject = g_strdup("");
    if (!r->lang)
        r->lang = g_strdup("en");
    return r;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *ard_corpus_load(const char *dir, GError **error)
{
    GError *e = NULL;
    GDir *d = g_dir_open(dir, 0, &e);
    if (d == NULL) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "corpus: %s", e->message);
        g_error_free(e);
        return NULL;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(n, ".jsonl"))
            g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    g_ptr_array_sort(names, cmp_str);

    GPtrArray *recs = g_ptr_array_new_with_free_func(record_free);
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    JsonParser *parser = json_parser_new();
    bool ok = true;
    for (guint f = 0; ok && f < names->len; f++) {
        char *path = g_build_filename(dir, names->pdata[f], NULL);
        char *data = NULL;
        if (!g_file_get_contents(path, &data, NULL, &e)) {
            g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "corpus: %s", e->message);
            g_error_free(e);
            ok = false;
        }
        int ln = 0;
        for (char *line = data, *next; ok && line && *line; line = next) {
            ln++;
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            if (*g_strstrip(line) == '\0')
                continue;
            const char *why = NULL;
            ArdRecord *r = parse_record(parser, line, &why);
            if (r && g_hash_table_contains(ids, r->id)) {
                why = "duplicate id";
                record_free(r);
                r = NULL;
            }
            if (!r) {
                g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "%s:%d: %s", path, ln, why);
                ok = false;
                break;
            }
            g_hash_table_add(ids, r->id);
            g_ptr_array_add(recs, r);
        }
        g_free(data);
        g_free(path);
    }
    g_object_unref(parser);
    g_hash_table_destroy(ids);
    g_ptr_array_free(names, TRUE);
    if (!ok) {
        g_ptr_array_free(recs, TRUE);
        return NULL;
    }
    if (recs->len == 0) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "corpus: no records in %s/*.jsonl", dir);
        g_ptr_array_free(recs, TRUE);
        return NULL;
    }
    return recs;
}

static void quiet(const char *s)
{
    (void)s;
}

static void say(const ArdTrainOptions *opt, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void say(const ArdTrainOptions *opt, const char *fmt, ...)
{
    if (!opt->progress)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    opt->progress(s, opt->progress_data);
    g_free(s);
}

static double macro_f1(const double *y, const double *pred, int n, int k)
{
    double sum = 0;
    int classes = 0;
    for (int c = 0; c < k; c++) {
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < n; i++) {
            int t = (int)y[i], p = (int)pred[i];
            tp += t == c && p == c;
            fp += t != c && p == c;
            fn += t == c && p != c;
        }
        if (tp + fn == 0)
            continue;
        classes++;
        sum += tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }
    return classes ? sum / classes : 0;
}

/* Chooses C by cross-validation, then trains with probability estimates. */
/* cv_pred, when not NULL, receives the cross-validated predictions at the
 * chosen C. */
static struct svm_model *train_task(const ArdTrainOptions *opt, const char *task,
                                    struct svm_problem *prob, int kernel, int k, double *chosen_c,
                                    double *cv_f1, double *cv_pred, GError **error)
{
    int *count = g_new0(int, k);
    for (int i = 0; i < prob->l; i++)
        count[(int)prob->y[i]]++;
    int nw = 0;
    int *wl = g_new(int, k);
    double *wv = g_new(double, k);
    int present = 0;
    for (int c = 0; c < k; c++)
        present += count[c] > 0;
    for (int c = 0; c < k; c++) {
        if (count[c] == 0)
            continue;
        wl[nw] = c;
        /* Balanced: each class weighs as much in total as any other. */
        wv[nw] = (double)prob->l / ((double)present * count[c]);
        nw++;
    }
    struct svm_parameter param = {
        .svm_type = C_SVC, .kernel_type = kernel, .degree = 3, .gamma = 0, .coef0 = 0,
        .cache_size = 200, .eps = 0.001, .C = 1, .nr_weight = nw, .weight_label = wl,
        .weight = wv, .nu = 0.5, .p = 0.1, .shrinking = 1, .probability = 0,
    };
    struct svm_model *model = NULL;
    const char *err = svm_check_parameter(prob, &param);
    if (err || present < 2) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "%s: %s", task,
                    err ? err : "the training split holds fewer than two classes");
        goto out;
    }
    static const double grid[] = {1, 2, 4, 8, 16, 32, 64};
    double best = -1, best_c = 1;
    int folds = opt->folds > 1 ? opt->folds : 5;
    if (folds > prob->l)
        folds = prob->l;
    double *pred = g_new(double, prob->l);
    for (size_t g = 0; g < G_N_ELEMENTS(grid); g++) {
        param.C = grid[g];
        srand(TRAIN_SEED);
        svm_cross_validation(prob, &param, folds, pred);
        double f1 = macro_f1(prob->y, pred, prob->l, k);
        say(opt, "%s: C=%g cross-validated macro-F1 %.4f", task, grid[g], f1);
        if (f1 > best + 1e-9) {
            best = f1;
            best_c = grid[g];
            if (cv_pred)
                memcpy(cv_pred, pred, sizeof(double) * (size_t)prob->l);
        }
    }
    g_free(pred);
    param.C = best_c;
    param.probability = 1;
    say(opt, "%s: training with C=%g", task, best_c);
    srand(TRAIN_SEED);
    model = svm_train(prob, &param);
    *chosen_c = best_c;
    *cv_f1 = best;
out:
    /* The model keeps no pointer to the weights: svm_train copies param. */
    g_free(count);
    g_free(wl);
    g_free(wv);
    return model;
}

/* Saves a model trained on the precomputed Gram matrix as the linear model
 * it is: the same coefficients over the support vectors' own features. */
static bool save_model(const char *dir, const char *name, const struct svm_model *m,
                       struct svm_node *const *sparse, GError **error)
{
    struct svm_model lin = *m;
    lin.param.kernel_type = LINEAR;
    lin.SV = g_new(struct svm_node *, m->l ? m->l : 1);
    for (int i = 0; i < m->l; i++)
        lin.SV[i] = m->param.kernel_type == PRECOMPUTED ? sparse[(int)m->SV[i][0].value - 1]
                                                        : m->SV[i];
    char *path = g_build_filename(dir, name, NULL);
    char *tmp = g_strconcat(path, ".tmp", NULL);
    bool ok = svm_save_model(tmp, &lin) == 0 && rename(tmp, path) == 0;
    if (!ok) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "cannot write %s", path);
        remove(tmp);
    }
    g_free(tmp);
    g_free(path);
    g_free(lin.SV);
    return ok;
}

/* The linear kernel of every pair of training vectors, as libsvm's
 * precomputed-kernel rows: cross-validating and training then cost lookups
 * instead of sparse dot products, which makes training minutes faster. */
static struct svm_node **gram_rows(struct svm_node *const *x, size_t n, size_t dim,
                                   struct svm_node **block)
{
    struct svm_node *nodes = g_new(struct svm_node, n * (n + 2));
    struct svm_node **rows = g_new(struct svm_node *, n ? n : 1);
    double *dense = g_new0(double, dim + 1);
    for (size_t i = 0; i < n; i++) {
        rows[i] = nodes + i * (n + 2);
        rows[i][0] = (struct svm_node){0, (double)(i + 1)};
        rows[i][n + 1] = (struct svm_node){-1, 0};
    }
    for (size_t i = 0; i < n; i++) {
        for (const struct svm_node *a = x[i]; a->index != -1; a++)
            dense[a->index] = a->value;
        for (size_t j = 0; j <= i; j++) {
            double k = 0;
            for (const struct svm_node *b = x[j]; b->index != -1; b++)
                k += dense[b->index] * b->value;
            rows[i][j + 1] = (struct svm_node){(int)(j + 1), k};
            rows[j][i + 1] = (struct svm_node){(int)(i + 1), k};
        }
        for (const struct svm_node *a = x[i]; a->index != -1; a++)
            dense[a->index] = 0;
    }
    g_free(dense);
    *block = nodes;
    return rows;
}

/* The cross-validated intent confusion on the training split, and with
 * cv_report >= 2 each misread record: what error analysis may look at
 * without touching the test split. */
static void cv_report(const ArdTrainOptions *opt, GPtrArray *train, const double *y,
                      const double *pred)
{
    int conf[ARD_N_INTENTS][ARD_N_INTENTS] = {{0}};
    for (guint i = 0; i < train->len; i++)
        conf[(int)y[i]][(int)pred[i]]++;
    GString *s = g_string_new("cv confusion (rows: labelled, columns: predicted)\n");
    for (int c = 0; c < ARD_N_INTENTS; c++) {
        g_string_append_printf(s, "%-16s", ard_intent_names[c]);
        for (int o = 0; o < ARD_N_INTENTS; o++)
            g_string_append_printf(s, " %4d", conf[c][o]);
        g_string_append_c(s, '\n');
    }
    g_string_truncate(s, s->len - 1);
    say(opt, "%s", s->str);
    g_string_free(s, TRUE);
    for (guint i = 0; opt->cv_report >= 2 && i < train->len; i++) {
        if (y[i] == pred[i])
            continue;
        const ArdRecord *r = train->pdata[i];
        char *flat = g_strdelimit(g_strdup(r->text), "\n\t", ' ');
        say(opt, "cv miss\t%s\t%s\t%s\t%s\t%s", r->id, r->intent,
            ard_intent_names[(int)pred[i]], r->subject, flat);
        g_free(flat);
    }
}

bool ard_train(const ArdTrainOptions *opt, ArdTrainReport *rep, GError **error)
{
    memset(rep, 0, sizeof *rep);
    GPtrArray *all = ard_corpus_load(opt->corpus_dir, error);
    if (!all)
        return false;
    GPtrArray *train = g_ptr_array_new();
    for (guint i = 0; i < all->len; i++) {
        ArdRecord *r = all->pdata[i];
        if (!ard_corpus_is_test(r->id))
            g_ptr_array_add(train, r);
    }
    rep->records = (int)all->len;
    rep->train_records = (int)train->len;
    say(opt, "corpus: %u records, %u in the training split", all->len, train->len);

    ArdFeatureSpec spec = ard_feature_spec_default;
    if (opt->char_min || opt->char_max) {
        spec.char_min = opt->char_min > 0 ? opt->char_min : 0;
        spec.char_max = opt->char_max > 0 ? opt->char_max : 0;
    }
    if (opt->word_ngrams)
        spec.word_ngrams = opt->word_ngrams;
    if (opt->no_subject)
        spec.subject = 0;
    if (opt->no_cues)
        spec.cues = 0;
    if (opt->prefix)
        spec.prefix = opt->prefix > 0 ? opt->prefix : 0;
    if (opt->cue_weight > 0)
        spec.cue_weight = opt->cue_weight;
    size_t n = train->len;
    ArdVector *vec = g_new(ArdVector, n ? n : 1);
    ArdVector **vp = g_new(ArdVector *, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        ArdRecord *r = train->pdata[i];
        ard_vector_init(&vec[i]);
        ard_features_count(&spec, r->subject, r->text, &vec[i]);
        vp[i] = &vec[i];
    }
    ArdFeatures *feat = ard_features_fit(&spec, vp, n,
                                         opt->min_df ? opt->min_df : 2);
    rep->vocabulary = feat->n_vocab;
    say(opt, "features: %zu kept buckets of %d", feat->n_vocab, 1 << feat->spec.hash_bits);

    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        ard_features_weight(feat, &vec[i]);
        total += vec[i].n + 1;
    }
    struct svm_node *nodes = g_new(struct svm_node, total ? total : 1);
    struct svm_node **x = g_new(struct svm_node *, n ? n : 1);
    double *yi = g_new(double, n ? n : 1), *ys = g_new(double, n ? n : 1);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        ArdRecord *r = train->pdata[i];
        x[i] = &nodes[at];
        for (size_t j = 0; j < vec[i].n; j++)
            nodes[at++] = (struct svm_node){(int)vec[i].v[j].index + 1, vec[i].v[j].value};
        nodes[at++] = (struct svm_node){-1, 0};
        yi[i] = r->intent_label;
        ys[i] = r->sentiment_label;
        ard_vector_clear(&vec[i]);
    }
    g_free(vec);
    g_free(vp);

    svm_set_print_string_function(quiet);
    /* The Gram matrix takes 16 n^2 bytes; past GRAM_MAX records libsvm's
     * own (slower) sparse linear kernel keeps memory flat instead. */
    enum { GRAM_MAX = 12000 };
    struct svm_node *gblock = NULL;
    struct svm_node **gx = NULL;
    int kernel = LINEAR;
    if (n <= GRAM_MAX) {
        say(opt, "kernel: %zu x %zu", n, n);
        gx = gram_rows(x, n, (size_t)1 << feat->spec.hash_bits, &gblock);
        kernel = PRECOMPUTED;
    }
    struct svm_problem pi = {(int)n, yi, gx ? gx : x}, ps = {(int)n, ys, gx ? gx : x};
    struct svm_model *mi = NULL, *ms = NULL;
    double *cv_pred = opt->cv_report ? g_new(double, n ? n : 1) : NULL;
    bool ok = (mi = train_task(opt, "intent", &pi, kernel, ARD_N_INTENTS, &rep->intent_c,
                               &rep->intent_cv_f1, cv_pred, error)) != NULL;
    if (ok && cv_pred)
        cv_report(opt, train, yi, cv_pred);
    g_free(cv_pred);
    ok = ok && (ms = train_task(opt, "sentiment", &ps, kernel, ARD_N_SENTIMENTS,
                                &rep->sentiment_c, &rep->sentiment_cv_f1, NULL, error)) != NULL;
    if (ok && !g_file_test(opt->out_dir, G_FILE_TEST_IS_DIR) &&
        g_mkdir_with_parents(opt->out_dir, 0755) != 0) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "cannot create %s", opt->out_dir);
        ok = false;
    }
    if (ok) {
        char *meta = g_build_filename(opt->out_dir, "features.meta", NULL);
        char *tmp = g_strconcat(meta, ".tmp", NULL);
        ok = save_model(opt->out_dir, "intent.model", mi, x, error) &&
             save_model(opt->out_dir, "sentiment.model", ms, x, error) &&
             ard_features_save(feat, tmp, error);
        if (ok && rename(tmp, meta) != 0) {
            g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "cannot write %s", meta);
            ok = false;
        }
        g_free(tmp);
        g_free(meta);
    }
    if (mi)
        svm_free_and_destroy_model(&mi);
    if (ms)
        svm_free_and_destroy_model(&ms);
    g_free(gblock);
    g_free(gx);
    g_free(nodes);
    g_free(x);
    g_free(yi);
    g_free(ys);
    ard_features_free(feat);
    g_ptr_array_free(train, TRUE);
    g_ptr_array_free(all, TRUE);
    return ok;
}
