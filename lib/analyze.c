/* The shared reading of one reply (see analyze.h). Must never touch the
 * store or the network, and never fail on a message: whatever could be read
 * is analysed. The models are only read. */
#include "analyze.h"
#include "error.h"
#include "reply.h"
#include <math.h>

/* A header says so: List-Id, Auto-Submitted, X-Autoreply and the like. */
#define HEADER_CONFIDENCE 1.0
/* Only the text says so ("I am out of the office until ..."). */
#define TEXT_CONFIDENCE 0.9

ArdAnalysis *ard_analyze(const ArdModels *models, const char *raw, size_t len,
                         const ArdAnalyzeOptions *opt)
{
    ArdAnalysis *a = g_new0(ArdAnalysis, 1);
    a->msg = ard_message_parse(raw, len, opt->max_bytes);
    a->text = ard_reply_text(a->msg);
    const char *why = NULL;
    ArdMailKind by_headers = ard_autoreply_kind(a->msg, NULL, &why);
    a->kind = by_headers;
    a->kind_why = why;
    if (by_headers == ARD_KIND_REPLY) {
        a->kind = ard_autoreply_kind(a->msg, a->text, &why);
        a->kind_why = why;
    }

    ArdFactsCtx ctx = {
        .ref = a->msg->date != ARD_DAY_NONE ? a->msg->date : opt->today,
        .payment_run_weekday = opt->payment_run_weekday ? opt->payment_run_weekday : 5,
        .known = opt->known_invoice,
        .known_data = opt->known_data,
    };
    ard_facts_extract(a->text, &ctx, &a->facts);

    ard_classify_subject(models, a->msg->subject, a->text, &a->cls);
    switch (a->kind) {
    case ARD_KIND_AUTO_REPLY:
        a->cls.intent = "auto_reply";
        a->cls.intent_confidence = by_headers == ARD_KIND_AUTO_REPLY ? HEADER_CONFIDENCE
                                                                     : TEXT_CONFIDENCE;
        /* Auto-replies are neutral by definition, whatever their wording. */
        a->cls.sentiment = "neutral";
        a->cls.sentiment_confidence = a->cls.intent_confidence;
        break;
    case ARD_KIND_BULK:
    case ARD_KIND_BOUNCE:
        a->cls.intent = "other";
        a->cls.intent_confidence = by_headers == a->kind ? HEADER_CONFIDENCE : TEXT_CONFIDENCE;
        break;
    case ARD_KIND_REPLY:
        break;
    }
    a->auto_reply = strcmp(a->cls.intent, "auto_reply") == 0;
    return a;
}

void ard_analysis_free(ArdAnalysis *a)
{
    if (a == NULL)
        return;
    ard_message_free(a->msg);
    g_free(a->text);
    ard_facts_clear(&a->facts);
    g_free(a);
}

static double round4(double x)
{
    return round(x * 10000.0) / 10000.0;
}

static void set_day(JsonObject *o, const char *key, ArdDay d)
{
    if (d == ARD_DAY_NONE) {
        json_object_set_null_member(o, key);
        return;
    }
    char buf[11];
    ard_day_format(d, buf);
    json_object_set_string_member(o, key, buf);
}

JsonObject *ard_analysis_json(const ArdAnalysis *a, const char *file)
{
    JsonObject *o = json_object_new();
    if (file)
        json_object_set_string_member(o, "file", file);
    else
        json_object_set_null_member(o, "file");
    json_object_set_string_member(o, "intent", a->cls.intent);
    json_object_set_double_member(o, "intent_confidence", round4(a->cls.intent_confidence));
    json_object_set_string_member(o, "sentiment", a->cls.sentiment);
    json_object_set_double_member(o, "sentiment_confidence",
                                  round4(a->cls.sentiment_confidence));
    json_object_set_boolean_member(o, "auto_reply", a->auto_reply);
    /* An auto-reply promises nothing; only an out-of-office names a return. */
    set_day(o, "promise_date", a->auto_reply ? ARD_DAY_NONE : a->facts.promise_date);
    set_day(o, "return_date", a->auto_reply ? a->facts.return_date : ARD_DAY_NONE);
    JsonArray *inv = json_array_new();
    for (guint i = 0; a->facts.invoices && i < a->facts.invoices->len; i++)
        json_array_add_string_element(inv, g_ptr_array_index(a->facts.invoices, i));
    json_object_set_array_member(o, "invoices", inv);
    json_object_set_string_member(o, "language", a->facts.lang);
    json_object_set_string_member(o, "text", a->text);
    json_object_set_string_member(o, "kind", ard_mail_kind_name(a->kind));
    if (a->kind_why)
        json_object_set_string_member(o, "kind_why", a->kind_why);
    else
        json_object_set_null_member(o, "kind_why");
    json_object_set_string_member(o, "subject", a->msg->subject);
    JsonArray *att = json_array_new();
    for (guint i = 0; i < a->msg->attachments->len; i++)
        json_array_add_string_element(att, g_ptr_array_index(a->msg->attachments, i));
    json_object_set_array_member(o, "attachments", att);
    json_object_set_boolean_member(o, "truncated", a->msg->truncated);
    return o;
}

static bool unit_interval(const ArdConfig *cfg, const char *key, double *out, GError **error)
{
    const char *s = ard_config_string(cfg, "classify", key);
    char *end = NULL;
    double v = g_ascii_strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
        /* Named like the policy's values: the value may come from the file
         * or from -o, and the configuration does not keep which. */
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT,
                    "classify.%s: '%s' is not a number from 0 to 1", key, s);
        return false;
    }
    *out = v;
    return true;
}

bool ard_classify_thresholds(const ArdConfig *cfg, double *min_confidence, double *margin,
                             GError **error)
{
    return unit_interval(cfg, "min_confidence", min_confidence, error) &&
           unit_interval(cfg, "precedence_margin", margin, error);
}

ArdModels *ard_models_load_config(const ArdConfig *cfg, GError **error)
{
    double min_conf, margin;
    if (!ard_classify_thresholds(cfg, &min_conf, &margin, error))
        return NULL;
    ArdModels *m = ard_models_load(ard_config_path(cfg, "classify", "models"), error);
    if (m)
        ard_models_set_thresholds(m, min_conf, margin);
    return m;
}
