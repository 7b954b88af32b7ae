/* Composes a customer's dunning message: the values (invoices, totals,
 * payment details per currency, the owner to reach) and the locale's wording
 * rendered into a subject, a text part and an HTML part. Must never demand a
 * disputed or not-yet-due invoice, nor show bank details of a currency the
 * message does not ask for. */
#include "agent.h"
#include "error.h"
#include "money.h"
#include "render.h"
#include <string.h>

struct AgentTemplates {
    char *layout_text, *layout_html;
    GHashTable *locales;   /* "en" -> GKeyFile */
};

static const char *const locales[] = {"en", "de", "fr", "es", "nl"};

AgentTemplates *agent_templates_load(const char *dir, GError **error)
{
    AgentTemplates *t = g_new0(AgentTemplates, 1);
    t->locales = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify)g_key_file_unref);
    char *p = g_build_filename(dir, "message.txt", NULL);
    char *q = g_build_filename(dir, "message.html", NULL);
    bool ok = g_file_get_contents(p, &t->layout_text, NULL, error) &&
              g_file_get_contents(q, &t->layout_html, NULL, error);
    g_free(p);
    g_free(q);
    for (size_t i = 0; ok && i < G_N_ELEMENTS(locales); i++) {
        char *f = g_build_filename(dir, locales[i], "message.ini", NULL);
        if (g_file_test(f, G_FILE_TEST_EXISTS)) {
            GKeyFile *kf = g_key_file_new();
            ok = g_key_file_load_from_file(kf, f, G_KEY_FILE_NONE, error);
            if (ok)
                g_hash_table_insert(t->locales, (gpointer)locales[i], kf);
            else
                g_key_file_unref(kf);
        }
        g_free(f);
    }
    if (ok && !g_hash_table_contains(t->locales, "en")) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "%s/en/message.ini: missing", dir);
        ok = false;
    }
    if (!ok) {
        agent_templates_free(t);
        return NULL;
    }
    return t;
}

void agent_templates_free(AgentTemplates *t)
{
    if (!t)
        return;
    g_free(t->layout_text);
    g_free(t->layout_html);
    g_hash_table_destroy(t->locales);
    g_free(t);
}

void agent_letter_clear(AgentLetter *l)
{
    g_free(l->subject);
    g_free(l->text);
    g_free(l->html);
    memset(l, 0, sizeof *l);
}

char *agent_money(int64_t minor, const char *currency, const char *locale)
{
    char buf[64];
    ard_money_pretty(minor, currency, buf, sizeof buf);
    if (!locale || strcmp(locale, "en") == 0)
        return g_strdup(buf);
    /* 1,234.50 -> 1.234,50 (de, es, nl) or 1 234,50 (fr, narrow no-break space) */
    const char *group = strcmp(locale, "fr") == 0 ? "\u202f" : ".";
    GString *s = g_string_new(NULL);
    for (const char *p = buf; *p; p++) {
        if (*p == ',')
            g_string_append(s, group);
        else if (*p == '.')
            g_string_append_c(s, ',');
        else
            g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

char *agent_date(ArdDay d, const char *locale)
{
    int y, m, dd;
    ard_day_to_ymd(d, &y, &m, &dd);
    if (locale && strcmp(locale, "de") == 0)
        return g_strdup_printf("%02d.%02d.%04d", dd, m, y);
    if (locale && (strcmp(locale, "fr") == 0 || strcmp(locale, "es") == 0))
        return g_strdup_printf("%02d/%02d/%04d", dd, m, y);
    if (locale && strcmp(locale, "nl") == 0)
        return g_strdup_printf("%02d-%02d-%04d", dd, m, y);
    return g_strdup_printf("%04d-%02d-%02d", y, m, dd);
}

char *agent_owner_name(const ArdConfig *cfg, const char *email)
{
    char *const *list = ard_config_list(cfg, "agent", "collectors");
    size_t n = strlen(email);
    for (int i = 0; list && list[i]; i++)
        if (g_ascii_strncasecmp(list[i], email, n) == 0 && list[i][n] == '=')
            return g_strdup(list[i] + n + 1);
    const char *at = strchr(email, '@');
    char *local = g_strndup(email, at ? (gsize)(at - email) : strlen(email));
    GString *s = g_string_new(NULL);
    bool up = true;
    for (char *p = local; *p; p++) {
        if (*p == '.' || *p == '_' || *p == '-') {
            g_string_append_c(s, ' ');
            up = true;
        } else {
            g_string_append_c(s, up ? g_ascii_toupper(*p) : *p);
            up = false;
        }
    }
    g_free(local);
    return g_string_free(s, FALSE);
}

static const char *bank_for(const ArdConfig *cfg, const char *currency)
{
    char *const *list = ard_config_list(cfg, "agent", "bank_accounts");
    for (int i = 0; list && list[i]; i++)
        if (strncmp(list[i], currency, 3) == 0 && list[i][3] == '=')
            return list[i] + 4;
    return NULL;
}

static void add_money(JsonObject *o, const char *key, int64_t v, const char *cur, const char *loc)
{
    char *s = agent_money(v, cur, loc);
    json_object_set_string_member(o, key, s);
    g_free(s);
}

static void add_date(JsonObject *o, const char *key, ArdDay d, const char *loc)
{
    char *s = agent_date(d, loc);
    json_object_set_string_member(o, key, s);
    g_free(s);
}

static JsonObject *invoice_obj(const ArdInvoiceFacts *v, ArdDay today, const char *loc, bool lead)
{
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "id", v->id);
    add_money(o, "amount", v->open_amount, v->currency, loc);
    json_object_set_string_member(o, "currency", v->currency);
    add_date(o, "due", v->due, loc);
    json_object_set_int_member(o, "days", today > v->due ? today - v->due : 0);
    json_object_set_boolean_member(o, "lead", lead);
    return o;
}

/* The values of the message, before any wording. */
static JsonObject *values(const ArdConfig *cfg, const ArdDunningCustomer *c, const ArdDecision *d,
                          ArdDay today, const char *loc)
{
    const ArdCustomerFacts *f = &c->f;
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "locale", loc);
    json_object_set_string_member(o, "customer_name", f->name);
    json_object_set_string_member(o, "customer_id", f->id);
    json_object_set_string_member(o, "from_name", ard_config_string(cfg, "agent", "from_name"));
    json_object_set_string_member(o, "company", ard_config_string(cfg, "agent", "company"));
    json_object_set_string_member(o, "portal_url", ard_config_string(cfg, "agent", "portal_url"));
    json_object_set_boolean_member(o, "good_history", d->risk.good_history && !d->courtesy);
    const char *owner = f->owner && *f->owner ? f->owner
                        : *ard_config_string(cfg, "agent", "default_owner")
                            ? ard_config_string(cfg, "agent", "default_owner")
                            : ard_config_string(cfg, "agent", "from");
    char *oname = agent_owner_name(cfg, owner);
    json_object_set_string_member(o, "owner_name", oname);
    json_object_set_string_member(o, "owner_email", owner);
    g_free(oname);

    const ArdInvoiceFacts *lead = d->lead >= 0 ? &g_array_index(f->invoices, ArdInvoiceFacts, d->lead)
                                               : NULL;
    if (lead) {
        json_object_set_string_member(o, "lead_id", lead->id);
        add_money(o, "lead_amount", lead->open_amount, lead->currency, loc);
        json_object_set_string_member(o, "lead_currency", lead->currency);
        add_date(o, "lead_due", lead->due, loc);
        json_object_set_int_member(o, "lead_days", today > lead->due ? today - lead->due : 0);
    }
    JsonArray *inv = json_array_new(), *rev = json_array_new(), *tot = json_array_new(),
              *pay = json_array_new();
    GArray *totals = g_array_new(FALSE, FALSE, sizeof(ArdMoney));
    for (guint i = 0; i < d->listed->len; i++) {
        int k = g_array_index(d->listed, int, i);
        const ArdInvoiceFacts *v = &g_array_index(f->invoices, ArdInvoiceFacts, k);
        JsonObject *io = invoice_obj(v, today, loc, k == d->lead);
        if (v->disputed) {
            json_array_add_object_element(rev, io);
            continue;
        }
        json_array_add_object_element(inv, io);
        guint t;
        for (t = 0; t < totals->len; t++)
            if (strcmp(g_array_index(totals, ArdMoney, t).currency, v->currency) == 0)
                break;
        if (t == totals->len) {
            ArdMoney m = {{0}, 0};
            memcpy(m.currency, v->currency, 4);
            g_array_append_val(totals, m);
        }
        g_array_index(totals, ArdMoney, t).amount += v->open_amount;
    }
    if (d->courtesy && lead) {
        ArdMoney m = {{0}, 0};
        memcpy(m.currency, lead->currency, 4);
        g_array_append_val(totals, m);
    }
    for (guint t = 0; t < totals->len; t++) {
        const ArdMoney *m = &g_array_index(totals, ArdMoney, t);
        if (!d->courtesy) {
            JsonObject *to = json_object_new();
            add_money(to, "amount", m->amount, m->currency, loc);
            json_object_set_string_member(to, "currency", m->currency);
            json_array_add_object_element(tot, to);
        }
        const char *bank = bank_for(cfg, m->currency);
        if (bank) {
            JsonObject *po = json_object_new();
            json_object_set_string_member(po, "currency", m->currency);
            json_object_set_string_member(po, "details", bank);
            json_array_add_object_element(pay, po);
        }
    }
    g_array_free(totals, TRUE);
    json_object_set_boolean_member(o, "has_invoices", json_array_get_length(inv) > 0);
    json_object_set_boolean_member(o, "has_review", json_array_get_length(rev) > 0);
    json_object_set_boolean_member(o, "has_payment", json_array_get_length(pay) > 0);
    json_object_set_array_member(o, "invoices", inv);
    json_object_set_array_member(o, "under_review", rev);
    json_object_set_array_member(o, "totals", tot);
    json_object_set_array_member(o, "payment", pay);
    return o;
}

static bool word(GKeyFile *kf, const char *group, const char *key, JsonObject *ctx, ArdEscape esc,
                 const char *loc, char **out, GError **error)
{
    char *tmpl = g_key_file_get_string(kf, group, key, NULL);
    if (!tmpl) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED,
                    "templates %s/message.ini: [%s] %s is missing", loc, group, key);
        return false;
    }
    char *name = g_strdup_printf("%s/message.ini [%s] %s", loc, group, key);
    *out = ard_render(tmpl, name, ctx, esc, error);
    g_free(name);
    g_free(tmpl);
    return *out != NULL;
}

static bool lines(GKeyFile *kf, JsonObject *ctx, const char *list, const char *key, ArdEscape esc,
                  const char *loc, GError **error)
{
    JsonArray *a = json_object_get_array_member(ctx, list);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *item = json_array_get_object_element(a, i);
        char *s;
        if (!word(kf, "common", key, item, esc, loc, &s, error))
            return false;
        json_object_set_string_member(item, "line", s);
        g_free(s);
    }
    return true;
}

static char *render_part(AgentTemplates *t, GKeyFile *kf, const char *stage, JsonObject *ctx,
                         ArdEscape esc, const char *loc, const char *subject, GError **error)
{
    static const char *const common[] = {"account_line", "greeting", "table_heading", "total_label", "col_invoice",
                                         "col_due", "col_amount", "col_days", "review_heading",
                                         "good_history_line", "pay_heading", "portal_line",
                                         "contact_line", "signoff"};
    static const char *const staged[] = {"opening", "request", "closing"};
    for (size_t i = 0; i < G_N_ELEMENTS(common); i++) {
        char *s;
        if (!word(kf, "common", common[i], ctx, esc, loc, &s, error))
            return NULL;
        json_object_set_string_member(ctx, common[i], s);
        g_free(s);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(staged); i++) {
        char *s;
        if (!word(kf, stage, staged[i], ctx, esc, loc, &s, error))
            return NULL;
        json_object_set_string_member(ctx, staged[i], s);
        g_free(s);
    }
    if (!lines(kf, ctx, "invoices", "invoice_line", esc, loc, error) ||
        !lines(kf, ctx, "under_review", "review_line", esc, loc, error) ||
        !lines(kf, ctx, "totals", "total_line", esc, loc, error))
        return NULL;
    GString *subj = g_string_new(NULL);
    if (esc == ARD_ESCAPE_HTML)
        ard_html_escape(subj, subject);
    else
        g_string_append(subj, subject);
    json_object_set_string_member(ctx, "subject", subj->str);
    g_string_free(subj, TRUE);
    return ard_render(esc == ARD_ESCAPE_HTML ? t->layout_html : t->layout_text,
                      esc == ARD_ESCAPE_HTML ? "message.html" : "message.txt", ctx, esc, error);
}

bool agent_compose(AgentTemplates *t, const ArdConfig *cfg, const ArdDunningCustomer *c,
                   const ArdDecision *d, ArdDay today, AgentLetter *out, GError **error)
{
    memset(out, 0, sizeof *out);
    const char *loc = c->f.locale && g_hash_table_contains(t->locales, c->f.locale) ? c->f.locale
                                                                                     : "en";
    GKeyFile *kf = g_hash_table_lookup(t->locales, loc);
    const char *stage = d->courtesy ? "courtesy" : ard_stage_name(d->stage);
    JsonObject *ctx = values(cfg, c, d, today, loc);
    bool ok = word(kf, stage, "subject", ctx, ARD_ESCAPE_TEXT, loc, &out->subject, error);
    if (ok) {
        out->text = render_part(t, kf, stage, ctx, ARD_ESCAPE_TEXT, loc, out->subject, error);
        ok = out->text != NULL;
    }
    json_object_unref(ctx);
    if (ok) {
        ctx = values(cfg, c, d, today, loc);
        out->html = render_part(t, kf, stage, ctx, ARD_ESCAPE_HTML, loc, out->subject, error);
        ok = out->html != NULL;
        json_object_unref(ctx);
    }
    if (!ok)
        agent_letter_clear(out);
    return ok;
}
