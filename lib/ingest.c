/* The inbound pipeline shared by the milter and `ardentctl ingest`: raw mail
 * in, the account changed (or not) and a JSON account of what happened out.
 * Must never hold business rules (lib/apply does) nor SQL (lib/store*), and
 * never leave a half-applied reply: all writes are one transaction. */
#include "ingest.h"
#include "autoreply.h"
#include "email.h"
#include "error.h"
#include "facts.h"
#include "message.h"
#include "policy.h"
#include "reply.h"
#include "store_erp.h"
#include "analyze.h"
#include <gmime/gmime.h>
#include <string.h>

struct ArdIngestCtx {
    const ArdConfig *cfg;
    ArdPolicy *policy;
    const char *const *receivables;
    const char *const *collector_domains;
    const char *secret, *default_owner;
    int paid_hold_days, task_due_hours;
    size_t max_bytes;
    ArdModels *models;
};

ArdIngestCtx *ard_ingest_ctx_new(const ArdConfig *cfg, GError **error)
{
    ArdIngestCtx *c = g_new0(ArdIngestCtx, 1);
    c->cfg = cfg;
    c->policy = ard_policy_from_config(cfg, error);
    if (!c->policy)
        goto fail;
    c->receivables = (const char *const *)ard_config_list(cfg, "milter", "receivables");
    c->collector_domains = (const char *const *)ard_config_list(cfg, "milter", "collector_domains");
    c->secret = ard_config_string(cfg, "agent", "token_secret");
    c->default_owner = ard_config_string(cfg, "agent", "default_owner");
    c->paid_hold_days = (int)ard_config_int(cfg, "reply", "paid_hold_days");
    c->task_due_hours = (int)ard_config_int(cfg, "reply", "task_due_hours");
    c->max_bytes = (size_t)ard_config_int(cfg, "milter", "max_message_bytes");
    c->models = ard_models_load_config(cfg, error);
    if (!c->models)
        goto fail;
    return c;
fail:
    ard_ingest_ctx_free(c);
    return NULL;
}

void ard_ingest_ctx_free(ArdIngestCtx *ctx)
{
    if (!ctx)
        return;
    ard_policy_free(ctx->policy);
    ard_models_free(ctx->models);
    g_free(ctx);
}

const char *const *ard_ingest_receivables(const ArdIngestCtx *ctx)
{
    return ctx->receivables;
}

void ard_ingest_result_clear(ArdIngestResult *r)
{
    if (r->json)
        json_object_unref(r->json);
    g_free(r->intent);
    g_free(r->sentiment);
    g_free(r->customer);
    if (r->actions)
        g_ptr_array_unref(r->actions);
    g_free(r->route);
    memset(r, 0, sizeof *r);
}

/* What the reader and the classifier made of the message: one analysis,
 * the same one `ardentctl classify` prints. msg, text and facts are borrowed
 * from it. */
typedef struct {
    ArdAnalysis *a;
    ArdMessage *msg;
    char *text;
    ArdMailKind kind;
    ArdFacts facts;
    const char *intent, *sentiment;
    double intent_confidence, sentiment_confidence;
    JsonObject *json;
} Reading;

static bool known_invoice(const char *token, void *data)
{
    bool exists = false;
    char cur[4];
    return ard_store_invoice_owner(data, token, &exists, NULL, cur, NULL) && exists;
}

static bool classify(const ArdIngestCtx *ctx, ArdStore *s, const char *raw, size_t len,
                     const ArdIngestOpts *o, ArdDay today, Reading *rd, GError **error)
{
    ArdAnalyzeOptions opt = {
        .max_bytes = ctx->max_bytes, .today = today, .payment_run_weekday = 5,
        .known_invoice = known_invoice, .known_data = s,
    };
    rd->a = ard_analyze(ctx->models, raw, len, &opt);
    if (!rd->a) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "the classifier gave no result");
        return false;
    }
    rd->msg = rd->a->msg;
    rd->text = rd->a->text;
    rd->kind = rd->a->kind;
    rd->facts = rd->a->facts;
    rd->intent = rd->a->cls.intent;
    rd->intent_confidence = rd->a->cls.intent_confidence;
    rd->sentiment = rd->a->cls.sentiment;
    rd->sentiment_confidence = rd->a->cls.sentiment_confidence;
    if (o->json)
        rd->json = ard_analysis_json(rd->a, o->file);
    return true;
}

static void reading_clear(Reading *rd)
{
    if (rd->a == NULL)
        return;
    /* facts may have gained a NULL terminator; the analysis owns the array */
    rd->a->facts = rd->facts;
    ard_analysis_free(rd->a);
    if (rd->json)
        json_object_unref(rd->json);
}

/* A stable stand-in identity for a message without Message-ID, so that a
 * resent copy is still recorded once. */
static char *content_id(const char *raw, size_t len)
{
    char *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)raw, len);
    char *id = g_strdup_printf("sha256.%s@ardent.invalid", h);
    g_free(h);
    return id;
}

/* To and Cc addresses when no envelope is known (ardentctl ingest). */
static GPtrArray *header_recipients(const ArdMessage *m)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < m->headers->len; i++) {
        const ArdHeader *h = m->headers->pdata[i];
        if (g_ascii_strcasecmp(h->name, "To") && g_ascii_strcasecmp(h->name, "Cc") &&
            g_ascii_strcasecmp(h->name, "Delivered-To"))
            continue;
        InternetAddressList *l = internet_address_list_parse(NULL, h->value);
        for (int k = 0; l && k < internet_address_list_length(l); k++) {
            InternetAddress *a = internet_address_list_get_address(l, k);
            if (INTERNET_ADDRESS_IS_MAILBOX(a))
                g_ptr_array_add(out, g_ascii_strdown(
                    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)), -1));
        }
        if (l)
            g_object_unref(l);
    }
    g_ptr_array_add(out, NULL);
    return out;
}

/* The classify JSON completed with what ingest did, for `ardentctl ingest`. */
static void add_outcome_json(JsonObject *json, const ArdIngestResult *r)
{
    if (r->customer)
        json_object_set_string_member(json, "customer", r->customer);
    else
        json_object_set_null_member(json, "customer");
    json_object_set_string_member(json, "match", ard_match_kind_name(r->match));
    JsonArray *acts = json_array_new();
    for (guint i = 0; i < r->actions->len; i++)
        json_array_add_string_element(acts, r->actions->pdata[i]);
    json_object_set_array_member(json, "actions", acts);
}

bool ard_ingest(const ArdIngestCtx *ctx, ArdStore *s, const char *raw, size_t len,
                const ArdIngestOpts *o, ArdIngestResult *out, GError **error)
{
    memset(out, 0, sizeof *out);
    ArdDay today = o->today != ARD_DAY_NONE ? o->today : ard_day_today(NULL);
    Reading rd = {0};
    bool ok = false;
    GPtrArray *hdr_rcpts = NULL;
    char *mid = NULL, *rcpt_text = NULL, *inv_text = NULL;
    ArdMatch m = {0};
    GDateTime *now = NULL;
    if (!classify(ctx, s, raw, len, o, today, &rd, error))
        goto done;

    const char *const *rcpts = o->recipients;
    if (!rcpts) {
        hdr_rcpts = header_recipients(rd.msg);
        rcpts = (const char *const *)hdr_rcpts->pdata;
    }
    rcpt_text = g_strjoinv(", ", (char **)rcpts);
    g_ptr_array_add(rd.facts.invoices, NULL);
    const char *const *invoices = (const char *const *)rd.facts.invoices->pdata;
    ArdMatchInput mi = {
        .secret = ctx->secret, .receivables = ctx->receivables, .recipients = rcpts,
        .in_reply_to = rd.msg->in_reply_to, .sender = rd.msg->from_addr,
        .bounce_recipient = rd.kind == ARD_KIND_BOUNCE ? rd.msg->dsn_recipient : NULL,
        .invoices = invoices, .own_domains = ctx->collector_domains,
    };
    g_ptr_array_add(rd.msg->references, NULL);
    mi.references = (const char *const *)rd.msg->references->pdata;
    mid = rd.msg->message_id && *rd.msg->message_id ? g_strdup(rd.msg->message_id)
                                                      : content_id(raw, len);
    ArdReply r = {
        .message_id = mid, .in_reply_to = rd.msg->in_reply_to, .subject = rd.msg->subject,
        .sender = rd.msg->from_addr ? rd.msg->from_addr : o->envelope_sender,
        .recipients = rcpt_text, .intent = rd.intent, .intent_confidence = rd.intent_confidence,
        .sentiment = rd.sentiment, .sentiment_confidence = rd.sentiment_confidence,
        .kind = rd.kind, .promise_date = rd.facts.promise_date,
        .return_date = rd.facts.return_date, .invoices = invoices,
        .bounce_recipient = mi.bounce_recipient,
    };
    if (!ard_store_begin(s, error))
        goto done;
    now = ard_now_on(o->today);
    ArdApplyCtx ac = {
        .policy = ctx->policy, .default_owner = ctx->default_owner,
        .collector_domains = ctx->collector_domains, .paid_hold_days = ctx->paid_hold_days,
        .task_due_hours = ctx->task_due_hours, .today = today, .now = now,
    };
    ArdApplyResult res = {0};
    if (!ard_match_reply(s, &mi, &m, error) || !ard_apply(s, &ac, &m, &r, &res, error) ||
        !ard_store_commit(s, error)) {
        ard_store_rollback(s);
        if (res.actions)
            ard_apply_result_clear(&res);
        goto done;
    }
    out->intent = g_strdup(rd.intent);
    out->sentiment = g_strdup(rd.sentiment);
    out->intent_confidence = rd.intent_confidence;
    out->customer = g_strdup(m.customer);
    out->match = m.kind;
    out->actions = g_steal_pointer(&res.actions);
    out->route = g_steal_pointer(&res.route);
    out->duplicate = res.duplicate;
    out->json = g_steal_pointer(&rd.json);
    if (out->json)
        add_outcome_json(out->json, out);
    ard_apply_result_clear(&res);
    ok = true;
done:
    if (now)
        g_date_time_unref(now);
    ard_match_clear(&m);
    reading_clear(&rd);
    if (hdr_rcpts)
        g_ptr_array_unref(hdr_rcpts);
    g_free(mid);
    g_free(rcpt_text);
    g_free(inv_text);
    return ok;
}
