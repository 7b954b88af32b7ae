/* Unit tests for lib/train and lib/classify on a tiny corpus the test writes:
 * training is deterministic and leaves the test split out, the folded fast
 * path gives libsvm's own probabilities, and the intent decision keeps the
 * confidence threshold and the contract's precedence, also between intents
 * that different sentences of one reply carry (shipped models, fixtures in
 * tests/fixtures/classify). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libsvm/svm.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "analyze.h"
#include "ard_features.h"
#include "classify.h"
#include "train.h"

static const char *const phrases[ARD_N_INTENTS][4] = {
    {"we dispute invoice INV-%d, the goods arrived damaged", "this invoice INV-%d is wrong, we never ordered it",
     "we do not accept INV-%d, the price is not what we agreed", "INV-%d is disputed, the delivery was incomplete"},
    {"can we pay INV-%d in three monthly instalments", "we propose a payment plan for INV-%d, 500 per month",
     "could we split INV-%d into instalments over four months", "please agree to a schedule of instalments for INV-%d"},
    {"we will pay INV-%d on Friday", "INV-%d will be paid next week",
     "payment for INV-%d is scheduled for the end of the month", "we are going to pay INV-%d tomorrow"},
    {"we paid INV-%d yesterday, remittance attached", "INV-%d was paid last week by bank transfer",
     "the payment for INV-%d already went out on Monday", "we settled INV-%d two days ago, please check"},
    {"please send us a copy of invoice INV-%d", "could you resend INV-%d with our PO number",
     "we need a statement and a copy of INV-%d", "please send the invoice INV-%d again, we cannot find it"},
    {"I no longer work here, please write to ap@example.com about INV-%d", "wrong person, please contact our finance team about INV-%d",
     "I am not the right contact for INV-%d, write to accounts instead", "this mailbox is not for invoices like INV-%d, contact billing"},
    {"I am out of the office until Monday with no access to email (ref %d)", "thank you for your message, we received your request #%d",
     "out of office: I am on holiday and back on the 20th (ref %d)", "automatic reply: your ticket %d has been received"},
    {"who is this and why are you writing to me (ref %d)", "we will look into it (ref %d)",
     "thanks for the note (ref %d)", "is there a customer portal where I can see this (ref %d)"},
};
static const char *const tone[ARD_N_SENTIMENTS] = {
    "This is unacceptable and frankly outrageous.", "Regards.", "Thank you so much, lovely to hear from you!"};

static char *write_corpus(void)
{
    char *dir = g_dir_make_tmp("ardent-train-XXXXXX", NULL);
    assert_non_null(dir);
    GString *s = g_string_new(NULL);
    int id = 0;
    for (int i = 0; i < ARD_N_INTENTS; i++) {
        for (int v = 0; v < 12; v++) {
            int t = i == 6 ? 1 : v % 3; /* auto-replies are neutral */
            char *text = g_strdup_printf(phrases[i][v % 4], 1000 + 37 * id);
            char *line = g_strdup_printf(
                "{\"id\":\"t-%04d\",\"lang\":\"en\",\"intent\":\"%s\",\"sentiment\":\"%s\","
                "\"date\":\"2026-03-10\",\"promise_date\":null,\"return_date\":null,"
                "\"subject\":\"Re: reminder\",\"text\":\"%s. %s\"}\n",
                id, ard_intent_names[i], ard_sentiment_names[t], text, tone[t]);
            g_string_append(s, line);
            g_free(line);
            g_free(text);
            id++;
        }
    }
    char *path = g_build_filename(dir, "t.jsonl", NULL);
    assert_true(g_file_set_contents(path, s->str, -1, NULL));
    g_free(path);
    g_string_free(s, TRUE);
    return dir;
}

static void rm_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            rm_tree(p);
        else
            remove(p);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    remove(dir);
}

static void train_into(const char *corpus, const char *out, ArdTrainReport *rep)
{
    ArdTrainOptions opt = {.corpus_dir = corpus, .out_dir = out, .folds = 3, .min_df = 1};
    GError *err = NULL;
    if (!ard_train(&opt, rep, &err))
        fail_msg("train: %s", err->message);
}

static char *slurp(const char *dir, const char *name)
{
    char *p = g_build_filename(dir, name, NULL), *data = NULL;
    assert_true(g_file_get_contents(p, &data, NULL, NULL));
    g_free(p);
    return data;
}

static void test_train_and_classify(void **state)
{
    (void)state;
    char *dir = write_corpus();
    char *out1 = g_build_filename(dir, "m1", NULL), *out2 = g_build_filename(dir, "m2", NULL);
    ArdTrainReport rep;
    train_into(dir, out1, &rep);
    assert_int_equal(rep.records, 96);
    int test = 0;
    for (int i = 0; i < 96; i++) {
        char id[16];
        snprintf(id, sizeof id, "t-%04d", i);
        test += ard_corpus_is_test(id);
    }
    assert_true(test > 0);
    assert_int_equal(rep.train_records, 96 - test); /* the test split is left out */

    /* Deterministic: a second run writes the same files. */
    train_into(dir, out2, &rep);
    const char *files[] = {"intent.model", "sentiment.model", "features.meta"};
    for (int i = 0; i < 3; i++) {
        char *a = slurp(out1, files[i]), *b = slurp(out2, files[i]);
        assert_string_equal(a, b);
        g_free(a);
        g_free(b);
    }

    GError *err = NULL;
    ArdModels *m = ard_models_load(out1, &err);
    if (!m)
        fail_msg("load: %s", err->message);
    ArdClass c;
    ard_classify_subject(m, "Re: reminder", "We will pay INV-5555 on Friday. Regards.", &c);
    assert_string_equal(c.intent, "promise_to_pay");
    assert_true(c.intent_confidence >= 0.45 && c.intent_confidence <= 1.0);
    ard_classify_subject(m, "Re: reminder", "We dispute invoice INV-7777, the goods arrived "
                                             "damaged. This is unacceptable and frankly outrageous.", &c);
    assert_string_equal(c.intent, "dispute");
    assert_string_equal(c.sentiment, "negative");
    ard_classify(m, "I am out of the office until Monday with no access to email.", &c);
    assert_string_equal(c.intent, "auto_reply");
    /* With a threshold no class reaches, the reply is "other", its low
     * confidence kept. */
    ard_models_set_thresholds(m, 1.0, 0.0);
    ard_classify(m, "We will pay INV-5555 on Friday.", &c);
    assert_string_equal(c.intent, "other");
    assert_true(c.intent_confidence < 1.0 && c.intent_confidence > 0.0);

    /* The folded fast path gives libsvm's own probabilities. */
    char *meta = g_build_filename(out1, "features.meta", NULL);
    char *ipath = g_build_filename(out1, "intent.model", NULL);
    ArdFeatures *f = ard_features_load(meta, &err);
    struct svm_model *raw = svm_load_model(ipath);
    assert_non_null(f);
    assert_non_null(raw);
    const char *texts[] = {"we paid INV-1 yesterday", "please send a copy of the invoice",
                           "who is this", "wrong person, contact accounts", ""};
    for (size_t t = 0; t < G_N_ELEMENTS(texts); t++) {
        double pi[ARD_N_INTENTS], ps[ARD_N_SENTIMENTS];
        ard_classify_probs(m, "Re: x", texts[t], pi, ps);
        ArdVector v;
        ard_vector_init(&v);
        ard_features_vector(f, "Re: x", texts[t], &v);
        struct svm_node *x = g_new(struct svm_node, v.n + 1);
        for (size_t i = 0; i < v.n; i++)
            x[i] = (struct svm_node){(int)v.v[i].index + 1, v.v[i].value};
        x[v.n].index = -1;
        double pk[ARD_N_INTENTS] = {0};
        svm_predict_probability(raw, x, pk);
        double sum = 0;
        for (int k = 0; k < raw->nr_class; k++) {
            sum += pi[raw->label[k]];
            if (fabs(pk[k] - pi[raw->label[k]]) > 1e-4)
                fail_msg("\"%s\": class %d: libsvm %f, folded %f", texts[t], raw->label[k], pk[k],
                         pi[raw->label[k]]);
        }
        assert_true(fabs(sum - 1.0) < 1e-6);
        g_free(x);
        ard_vector_clear(&v);
    }
    svm_free_and_destroy_model(&raw);
    ard_features_free(f);
    g_free(meta);
    g_free(ipath);
    ard_models_free(m);

    /* Missing models are an error that says what to do. */
    assert_null(ard_models_load(dir, &err));
    assert_non_null(err);
    g_clear_error(&err);

    rm_tree(dir);
    g_free(dir);
    g_free(out1);
    g_free(out2);
}

/* Many threads share one loaded model, as the milter's do: each must get
 * exactly the single-threaded answer. */
typedef struct {
    const ArdModels *m;
    const char *const *texts;
    size_t n;
    const ArdClass *want;
    int mismatches;
} Worker;

static gpointer work(gpointer data)
{
    Worker *w = data;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < w->n; i++) {
            ArdClass c;
            ard_classify_subject(w->m, "Re: reminder", w->texts[i], &c);
            if (strcmp(c.intent, w->want[i].intent) != 0 ||
                c.intent_confidence != w->want[i].intent_confidence ||
                strcmp(c.sentiment, w->want[i].sentiment) != 0 ||
                c.sentiment_confidence != w->want[i].sentiment_confidence)
                w->mismatches++;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    char *dir = write_corpus();
    char *out = g_build_filename(dir, "m", NULL);
    ArdTrainReport rep;
    train_into(dir, out, &rep);
    GError *err = NULL;
    ArdModels *m = ard_models_load(out, &err);
    assert_non_null(m);
    static const char *const texts[] = {
        "we will pay INV-5 on Friday", "we dispute INV-6, damaged goods. This is unacceptable.",
        "I am out of the office until Monday", "please send a copy of INV-7",
        "we paid INV-8 yesterday. Thank you so much, lovely!", "who is this",
        "We paid INV-9 yesterday. Please send us a copy of invoice INV-10 as well."};
    ArdClass want[G_N_ELEMENTS(texts)];
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++)
        ard_classify_subject(m, "Re: reminder", texts[i], &want[i]);
    Worker w[4];
    GThread *t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (Worker){m, texts, G_N_ELEMENTS(texts), want, 0};
        t[i] = g_thread_new("classify", work, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        g_thread_join(t[i]);
        assert_int_equal(w[i].mismatches, 0);
    }
    ard_models_free(m);
    rm_tree(dir);
    g_free(dir);
    g_free(out);
}

static void test_decide(void **state)
{
    (void)state;
    double conf;
    /* dispute payment_plan promise paid invoice_req wrong_contact auto other */
    double clear[] = {0.02, 0.02, 0.85, 0.05, 0.02, 0.02, 0.01, 0.01};
    assert_string_equal(ard_intent_decide(clear, 0.45, 0.10, &conf), "promise_to_pay");
    assert_true(fabs(conf - 0.85) < 1e-12);
    /* Two intents close together: the earlier in the contract's order wins. */
    double both[] = {0.46, 0.0, 0.50, 0.02, 0.01, 0.01, 0.0, 0.0};
    assert_string_equal(ard_intent_decide(both, 0.45, 0.10, &conf), "dispute");
    assert_true(fabs(conf - 0.46) < 1e-12);
    /* ...but not when farther apart than the margin. */
    assert_string_equal(ard_intent_decide(both, 0.45, 0.02, &conf), "promise_to_pay");
    /* ...nor when the earlier one is itself below the threshold. */
    double weak[] = {0.40, 0.0, 0.48, 0.04, 0.04, 0.04, 0.0, 0.0};
    assert_string_equal(ard_intent_decide(weak, 0.45, 0.10, &conf), "promise_to_pay");
    /* A later intent never overrides an earlier top one. */
    double later[] = {0.50, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.49};
    assert_string_equal(ard_intent_decide(later, 0.45, 0.10, &conf), "dispute");
    /* Nobody sure: "other", with the low confidence. */
    double flat[] = {0.2, 0.1, 0.3, 0.1, 0.1, 0.1, 0.05, 0.05};
    assert_string_equal(ard_intent_decide(flat, 0.45, 0.10, &conf), "other");
    assert_true(fabs(conf - 0.3) < 1e-12);
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(ard_intent_index("dispute"), 0);
    assert_int_equal(ard_intent_index("other"), 7);
    assert_int_equal(ard_intent_index("nonsense"), -1);
    assert_int_equal(ard_sentiment_index("positive"), 2);
    assert_int_equal(ard_sentiment_index(NULL), -1);
}

static char *segment(GPtrArray *s, guint i)
{
    return i < s->len ? s->pdata[i] : "(none)";
}

static void test_segments(void **state)
{
    (void)state;
    /* A blank line ends a paragraph; "28.02." and "am 6. März" end no
     * sentence. */
    GPtrArray *s = ard_text_segments("Die haben wir am 28.02. bezahlt.\n\n"
                                     "Diese Rechnung ist strittig, die Ware war beschädigt.", 4, 32);
    assert_int_equal(s->len, 2);
    assert_string_equal(segment(s, 0), "Die haben wir am 28.02. bezahlt.");
    assert_string_equal(segment(s, 1), "Diese Rechnung ist strittig, die Ware war beschädigt.");
    g_ptr_array_free(s, TRUE);
    s = ard_text_segments("Die Zahlung wird am 6. März erfolgen. Vielen Dank für die Geduld!", 4, 32);
    assert_int_equal(s->len, 2);
    assert_string_equal(segment(s, 0), "Die Zahlung wird am 6. März erfolgen.");
    g_ptr_array_free(s, TRUE);
    /* Greetings and names are too short; a wrapped line stays in its
     * sentence; "approx. 5" and "e.g. we" are not sentence ends. */
    s = ard_text_segments("Hello,\n\nwe will pay INV-1 on\nFriday. Also, approx. 5 items are missing, "
                          "e.g. we never got the cables!\n\nJane", 4, 32);
    assert_int_equal(s->len, 2);
    assert_string_equal(segment(s, 0), "we will pay INV-1 on\nFriday.");
    assert_string_equal(segment(s, 1),
                        "Also, approx. 5 items are missing, e.g. we never got the cables!");
    g_ptr_array_free(s, TRUE);
    /* INV-2041 is no day number: its dot ends the sentence. */
    s = ard_text_segments("We already paid INV-2041. Please send a copy of INV-2042.", 4, 32);
    assert_int_equal(s->len, 2);
    g_ptr_array_free(s, TRUE);
    /* At most max_segments; nothing from nothing. */
    s = ard_text_segments("One two three four. Five six seven eight. Nine ten eleven twelve.", 4, 2);
    assert_int_equal(s->len, 2);
    g_ptr_array_free(s, TRUE);
    s = ard_text_segments("", 1, 32);
    assert_int_equal(s->len, 0);
    g_ptr_array_free(s, TRUE);
    s = ard_text_segments(NULL, 1, 32);
    assert_int_equal(s->len, 0);
    g_ptr_array_free(s, TRUE);
}

/* The shipped models on replies that carry several intents: the contract
 * reports the first in its order, whichever the wording leans to. */
static void test_shipped_precedence(void **state)
{
    (void)state;
    const char *top = getenv("ARDENT_TOP");
    char *dir = g_build_filename(top && *top ? top : ".", "models", NULL);
    GError *err = NULL;
    ArdModels *m = ard_models_load(dir, &err);
    if (!m)
        fail_msg("shipped models: %s", err->message);
    static const struct {
        const char *folder, *file, *intent;
    } cases[] = {
        /* paid, then "Diese Rechnung ist strittig" */
        {"mail", "inline-de.eml", "dispute"},
        {"classify", "paid-and-copy.eml", "paid"},
        {"classify", "plan-and-dispute.eml", "dispute"},
        {"classify", "promise-and-contact.eml", "promise_to_pay"},
        {"classify", "promise-and-copy.eml", "promise_to_pay"},
        {"classify", "promise-and-dispute.eml", "dispute"},
        {"classify", "paid-and-dispute.eml", "dispute"},
        {"classify", "paid-on-date-and-dispute.eml", "dispute"},
        {"classify", "paid-and-promise.eml", "promise_to_pay"},
        /* single intents stay as they were */
        {"classify", "promise.eml", "promise_to_pay"},
        {"classify", "dispute.eml", "dispute"},
        {"classify", "out-of-office.eml", "auto_reply"},
    };
    ArdAnalyzeOptions opt = {.today = 20522, .payment_run_weekday = 5};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t len;
        char *raw = fixture_read_in(cases[i].folder, cases[i].file, &len);
        ArdAnalysis *a = ard_analyze(m, raw, len, &opt);
        if (strcmp(a->cls.intent, cases[i].intent) != 0)
            fail_msg("%s: %s (%.4f), want %s", cases[i].file, a->cls.intent,
                     a->cls.intent_confidence, cases[i].intent);
        assert_true(a->cls.intent_confidence >= 0.45 && a->cls.intent_confidence <= 1.0);
        ard_analysis_free(a);
        g_free(raw);
    }
    /* A sentence never reports an intent below min_confidence. */
    ard_models_set_thresholds(m, 0.999999, 0.0);
    size_t len;
    char *raw = fixture_read_in("classify", "promise-and-contact.eml", &len);
    ArdAnalysis *a = ard_analyze(m, raw, len, &opt);
    assert_string_not_equal(a->cls.intent, "promise_to_pay");
    ard_analysis_free(a);
    g_free(raw);
    ard_models_free(m);
    g_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_shipped_precedence),
        cmocka_unit_test(test_train_and_classify),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
