/* libFuzzer harness for reading a customer's reply: raw bytes through
 * ard_message_parse, ard_reply_text and ard_autoreply_kind, then the whole
 * classification (ard_analyze: facts, intent, sentiment, and the JSON
 * `ardentctl classify` prints), checking the promises message.h, reply.h,
 * facts.h and classify.h make (UTF-8 everywhere, nothing NULL that is
 * documented non-NULL, names and confidences in range). Must never keep
 * state between inputs or leak; the models are read-only and load once. */
#include "fuzz.h"
#include "analyze.h"
#include "autoreply.h"
#include "classify.h"
#include "message.h"
#include "reply.h"
#include <string.h>

/* The milter's own limit is larger; 1 MB keeps each run fast and still
 * exercises truncation (libFuzzer's -max_len is well below it anyway). */
enum { FUZZ_MESSAGE_MAX_BYTES = 1 << 20 };

static void check_utf8(const char *s)
{
    FUZZ_CHECK(s != NULL);
    FUZZ_CHECK(g_utf8_validate(s, -1, NULL));
}

/* The shipped models, from $ARDENT_TOP/models (the replay test sets it) or
 * models/ under the current folder (fuzz/run.sh runs from the top). Loaded
 * on first use and kept: every input is classified with the same ones. */
static const ArdModels *fuzz_models(void)
{
    static ArdModels *models;
    if (models == NULL) {
        const char *top = getenv("ARDENT_TOP");
        char *dir = g_build_filename(top && *top ? top : ".", "models", NULL);
        GError *error = NULL;
        models = ard_models_load(dir, &error);
        if (models == NULL) {
            fprintf(stderr, "fuzz_message: %s\n", error->message);
            abort();
        }
        g_free(dir);
    }
    return models;
}

static bool is_one_of(const char *name, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (name != NULL && strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* The classification of the same bytes, as the milter and `ardentctl
 * classify` do it. */
static void check_analysis(const uint8_t *data, size_t size)
{
    ArdDay today;
    FUZZ_CHECK(ard_day_from_ymd(2026, 11, 24, &today));
    const ArdAnalyzeOptions opt = {.max_bytes = FUZZ_MESSAGE_MAX_BYTES, .today = today};
    ArdAnalysis *a = ard_analyze(fuzz_models(), (const char *)data, size, &opt);
    FUZZ_CHECK(a != NULL && a->msg != NULL);
    check_utf8(a->text);
    FUZZ_CHECK(is_one_of(a->cls.intent, ard_intent_names, ARD_N_INTENTS));
    FUZZ_CHECK(is_one_of(a->cls.sentiment, ard_sentiment_names, ARD_N_SENTIMENTS));
    FUZZ_CHECK(a->cls.intent_confidence >= 0.0 && a->cls.intent_confidence <= 1.0);
    FUZZ_CHECK(a->cls.sentiment_confidence >= 0.0 && a->cls.sentiment_confidence <= 1.0);
    FUZZ_CHECK(a->auto_reply == (strcmp(a->cls.intent, "auto_reply") == 0));
    FUZZ_CHECK(a->facts.invoices != NULL && a->facts.amounts != NULL);
    for (guint i = 0; i < a->facts.invoices->len; i++)
        check_utf8(a->facts.invoices->pdata[i]);
    check_utf8(a->facts.lang);

    JsonObject *o = ard_analysis_json(a, NULL);
    FUZZ_CHECK(o != NULL);
    FUZZ_CHECK(json_object_has_member(o, "intent") && json_object_has_member(o, "text"));
    JsonNode *root = json_node_init_object(json_node_alloc(), o);
    char *json = json_to_string(root, FALSE);
    check_utf8(json);
    g_free(json);
    json_node_unref(root);
    json_object_unref(o);
    ard_analysis_free(a);
}

int ard_fuzz_message(const uint8_t *data, size_t size);
int ard_fuzz_message(const uint8_t *data, size_t size)
{
    ArdMessage *m = ard_message_parse((const char *)data, size, FUZZ_MESSAGE_MAX_BYTES);
    FUZZ_CHECK(m != NULL);
    FUZZ_CHECK(m->headers != NULL && m->references != NULL && m->attachments != NULL);
    for (guint i = 0; i < m->headers->len; i++) {
        const ArdHeader *h = m->headers->pdata[i];
        FUZZ_CHECK(h->name != NULL);
        check_utf8(h->value);
    }
    check_utf8(m->subject);
    check_utf8(m->from_name);
    check_utf8(m->text);
    if (m->html)
        check_utf8(m->html);
    for (guint i = 0; i < m->attachments->len; i++)
        check_utf8(m->attachments->pdata[i]);
    FUZZ_CHECK(m->truncated == (size > FUZZ_MESSAGE_MAX_BYTES));
    (void)ard_message_header(m, "Subject");

    char *text = ard_reply_text(m);
    check_utf8(text);

    const char *why = NULL;
    ArdMailKind kind = ard_autoreply_kind(m, text, &why);
    FUZZ_CHECK(ard_mail_kind_name(kind) != NULL);
    FUZZ_CHECK(ard_autoreply_kind(m, NULL, NULL) <= ARD_KIND_BOUNCE);


    g_free(text);
    ard_message_free(m);
    check_analysis(data, size);
    return 0;
}

ARD_FUZZ_ENTRY(ard_fuzz_message)
