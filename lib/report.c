/* Computes and writes the collections report. Pure: it takes loaded facts
 * and never reads the store; the HTML it writes must never load anything
 * from outside the page (no scripts, fonts, images or style sheets). */
#include "report.h"
#include "money.h"
#include "render.h"
#include <json-glib/json-glib.h>
#include <string.h>

static const char *const bucket_names[ARD_AGE_N] = {"current", "1-30", "31-60", "61-90", "90+"};

static void row_free(gpointer p)
{
    ArdReportRow *r = p;
    g_free(r->owner);
    g_free(r);
}

void ard_report_free(ArdReport *r)
{
    if (!r)
        return;
    g_ptr_array_free(r->rows, TRUE);
    g_free(r);
}

double ard_report_dso(const ArdReportRow *row)
{
    if (row->billed_90 <= 0)
        return -1;
    return (double)row->open / (double)row->billed_90 * 90.0;
}

static ArdReportRow *row_for(GHashTable *idx, GPtrArray *rows, const char *owner, const char *cur)
{
    char *key = g_strdup_printf("%s\n%s", cur, owner);
    ArdReportRow *r = g_hash_table_lookup(idx, key);
    if (!r) {
        r = g_new0(ArdReportRow, 1);
        r->owner = g_strdup(owner);
        g_strlcpy(r->currency, cur, sizeof r->currency);
        g_ptr_array_add(rows, r);
        g_hash_table_insert(idx, key, r);
    } else {
        g_free(key);
    }
    return r;
}

static int cmp_rows(gconstpointer a, gconstpointer b)
{
    const ArdReportRow *x = *(ArdReportRow *const *)a, *y = *(ArdReportRow *const *)b;
    int c = strcmp(x->currency, y->currency);
    if (c)
        return c;
    if (!*x->owner != !*y->owner)
        return *x->owner ? 1 : -1;   /* the total first */
    return strcmp(x->owner, y->owner);
}

ArdReport *ard_report_build(const ArdDunningSet *set, const GArray *flows, const char *default_owner,
                            ArdDay today)
{
    ArdReport *rep = g_new0(ArdReport, 1);
    rep->today = today;
    rep->rows = g_ptr_array_new_with_free_func(row_free);
    GHashTable *idx = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTable *owner_of = g_hash_table_new(g_str_hash, g_str_equal);
    const char *fallback = default_owner && *default_owner ? default_owner : "(unassigned)";
    for (guint i = 0; i < set->customers->len; i++) {
        const ArdDunningCustomer *c = set->customers->pdata[i];
        const ArdCustomerFacts *f = &c->f;
        const char *owner = f->owner && *f->owner ? f->owner : fallback;
        g_hash_table_insert(owner_of, (gpointer)f->id, (gpointer)owner);
        GHashTable *seen = NULL;
        for (guint k = 0; k < f->invoices->len; k++) {
            const ArdInvoiceFacts *v = &g_array_index(f->invoices, ArdInvoiceFacts, k);
            int late = today - v->due;
            int b = late <= 0 ? ARD_AGE_CURRENT : late <= 30 ? ARD_AGE_1_30
                  : late <= 60 ? ARD_AGE_31_60 : late <= 90 ? ARD_AGE_61_90 : ARD_AGE_90_PLUS;
            ArdReportRow *rows[2] = {row_for(idx, rep->rows, "", v->currency),
                                     row_for(idx, rep->rows, owner, v->currency)};
            if (!seen)
                seen = g_hash_table_new(g_str_hash, g_str_equal);
            bool first = g_hash_table_add(seen, (gpointer)v->currency);
            for (int j = 0; j < 2; j++) {
                ArdReportRow *r = rows[j];
                r->ageing[b] += v->open_amount;
                r->open += v->open_amount;
                if (v->disputed)
                    r->disputed += v->open_amount;
                else if (v->promised)
                    r->promised += v->open_amount;
                if (f->open_escalations > 0)
                    r->escalated += v->open_amount;
                if (first)
                    r->customers++;
            }
        }
        if (seen)
            g_hash_table_destroy(seen);
        for (guint k = 0; f->credits && k < f->credits->len; k++) {
            const ArdMoney *m = &g_array_index(f->credits, ArdMoney, k);
            ArdReportRow *rows[2] = {row_for(idx, rep->rows, "", m->currency),
                                     row_for(idx, rep->rows, owner, m->currency)};
            for (int j = 0; j < 2; j++) {
                rows[j]->ageing[ARD_AGE_CURRENT] -= m->amount;
                rows[j]->open -= m->amount;
            }
        }
    }
    for (guint i = 0; flows && i < flows->len; i++) {
        const ArdFlow *fl = &g_array_index(flows, ArdFlow, i);
        const char *owner = g_hash_table_lookup(owner_of, fl->customer);
        if (!owner)
            owner = fallback;
        ArdReportRow *rows[2] = {row_for(idx, rep->rows, "", fl->currency),
                                 row_for(idx, rep->rows, owner, fl->currency)};
        for (int j = 0; j < 2; j++) {
            rows[j]->paid_7 += fl->paid_7;
            rows[j]->paid_prev_7 += fl->paid_prev_7;
            rows[j]->paid_30 += fl->paid_30;
            rows[j]->paid_prev_30 += fl->paid_prev_30;
            rows[j]->billed_90 += fl->billed_90;
        }
    }
    g_ptr_array_sort(rep->rows, cmp_rows);
    g_hash_table_destroy(idx);
    g_hash_table_destroy(owner_of);
    return rep;
}

static char *amt(int64_t v, const char *cur)
{
    char buf[48];
    ard_money_plain(v, cur, buf, sizeof buf);
    return g_strdup(buf);
}

static char *pretty(int64_t v, const char *cur)
{
    char buf[48];
    ard_money_pretty(v, cur, buf, sizeof buf);
    return g_strdup(buf);
}

/* Momentum as a percentage change, or NULL when there was nothing before. */
static bool momentum(int64_t now, int64_t before, double *pct)
{
    if (before <= 0)
        return false;
    *pct = ((double)now - (double)before) / (double)before * 100.0;
    return true;
}

static const char *dso_formula =
    "DSO = open receivables / amount invoiced in the last 90 days x 90 (simple DSO, 90-day period)";

static void text_format(const ArdReport *r, GString *o)
{
    char day[11];
    ard_day_format(r->today, day);
    g_string_append_printf(o, "ardent collections report, %s\n%s\n", day, dso_formula);
    for (guint i = 0; i < r->rows->len; i++) {
        const ArdReportRow *x = r->rows->pdata[i];
        const char *cur = x->currency;
        if (!*x->owner)
            g_string_append_printf(o, "\n== %s: total ==\n", cur);
        else
            g_string_append_printf(o, "\n-- %s: %s --\n", cur, x->owner);
        g_string_append_printf(o, "  customers with open items: %d\n", x->customers);
        for (int b = 0; b < ARD_AGE_N; b++) {
            char *v = pretty(x->ageing[b], cur);
            g_string_append_printf(o, "  %-8s %18s %s\n", bucket_names[b], v, cur);
            g_free(v);
        }
        char *op = pretty(x->open, cur), *pr = pretty(x->promised, cur),
             *di = pretty(x->disputed, cur), *es = pretty(x->escalated, cur);
        g_string_append_printf(o, "  %-8s %18s %s\n  promised %18s %s\n  disputed %18s %s\n"
                                  "  escalated %17s %s\n", "open", op, cur, pr, cur, di, cur, es, cur);
        g_free(op); g_free(pr); g_free(di); g_free(es);
        double dso = ard_report_dso(x), pct;
        if (dso >= 0)
            g_string_append_printf(o, "  DSO      %18.1f days\n", dso);
        else
            g_string_append(o, "  DSO      n/a (nothing invoiced in the last 90 days)\n");
        char *a = pretty(x->paid_7, cur), *b = pretty(x->paid_prev_7, cur);
        g_string_append_printf(o, "  paid, last 7 days: %s %s (7 days before: %s %s", a, cur, b, cur);
        if (momentum(x->paid_7, x->paid_prev_7, &pct))
            g_string_append_printf(o, ", %+.0f%%", pct);
        g_string_append(o, ")\n");
        g_free(a); g_free(b);
        a = pretty(x->paid_30, cur), b = pretty(x->paid_prev_30, cur);
        g_string_append_printf(o, "  paid, last 30 days: %s %s (30 days before: %s %s", a, cur, b, cur);
        if (momentum(x->paid_30, x->paid_prev_30, &pct))
            g_string_append_printf(o, ", %+.0f%%", pct);
        g_string_append(o, ")\n");
        g_free(a); g_free(b);
    }
}

static void csv_field(GString *o, const char *s)
{
    if (strpbrk(s, ",\"\r\n")) {
        g_string_append_c(o, '"');
        for (; *s; s++) {
            if (*s == '"')
                g_string_append_c(o, '"');
            g_string_append_c(o, *s);
        }
        g_string_append_c(o, '"');
    } else {
        g_string_append(o, s);
    }
}

static void csv_format(const ArdReport *r, GString *o)
{
    g_string_append(o, "date,currency,owner,customers,current,days_1_30,days_31_60,days_61_90,"
                       "days_90_plus,open,promised,disputed,escalated,dso_days,paid_7,paid_prev_7,"
                       "paid_30,paid_prev_30,billed_90\n");
    char day[11];
    ard_day_format(r->today, day);
    for (guint i = 0; i < r->rows->len; i++) {
        const ArdReportRow *x = r->rows->pdata[i];
        g_string_append_printf(o, "%s,%s,", day, x->currency);
        csv_field(o, *x->owner ? x->owner : "TOTAL");
        g_string_append_printf(o, ",%d", x->customers);
        int64_t v[] = {x->ageing[0], x->ageing[1], x->ageing[2], x->ageing[3], x->ageing[4],
                       x->open, x->promised, x->disputed, x->escalated};
        for (size_t k = 0; k < G_N_ELEMENTS(v); k++) {
            char *s = amt(v[k], x->currency);
            g_string_append_printf(o, ",%s", s);
            g_free(s);
        }
        double dso = ard_report_dso(x);
        if (dso >= 0)
            g_string_append_printf(o, ",%.1f", dso);
        else
            g_string_append(o, ",");
        int64_t w[] = {x->paid_7, x->paid_prev_7, x->paid_30, x->paid_prev_30, x->billed_90};
        for (size_t k = 0; k < G_N_ELEMENTS(w); k++) {
            char *s = amt(w[k], x->currency);
            g_string_append_printf(o, ",%s", s);
            g_free(s);
        }
        g_string_append_c(o, '\n');
    }
}

static void json_money(JsonBuilder *b, const char *key, int64_t v, const char *cur)
{
    char *s = amt(v, cur);
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, s);
    g_free(s);
}

static void json_row(JsonBuilder *b, const ArdReportRow *x)
{
    const char *cur = x->currency;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "currency");
    json_builder_add_string_value(b, cur);
    if (*x->owner) {
        json_builder_set_member_name(b, "owner");
        json_builder_add_string_value(b, x->owner);
    }
    json_builder_set_member_name(b, "customers");
    json_builder_add_int_value(b, x->customers);
    json_builder_set_member_name(b, "ageing");
    json_builder_begin_object(b);
    for (int k = 0; k < ARD_AGE_N; k++)
        json_money(b, bucket_names[k], x->ageing[k], cur);
    json_builder_end_object(b);
    json_money(b, "open", x->open, cur);
    json_money(b, "promised", x->promised, cur);
    json_money(b, "disputed", x->disputed, cur);
    json_money(b, "escalated", x->escalated, cur);
    json_builder_set_member_name(b, "dso_days");
    double dso = ard_report_dso(x);
    if (dso >= 0)
        json_builder_add_double_value(b, (double)(long long)(dso * 10 + 0.5) / 10);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "momentum");
    json_builder_begin_object(b);
    json_money(b, "paid_7", x->paid_7, cur);
    json_money(b, "paid_prev_7", x->paid_prev_7, cur);
    json_money(b, "paid_30", x->paid_30, cur);
    json_money(b, "paid_prev_30", x->paid_prev_30, cur);
    json_builder_end_object(b);
    json_money(b, "billed_90", x->billed_90, cur);
    json_builder_end_object(b);
}

static void json_format(const ArdReport *r, GString *o)
{
    JsonBuilder *b = json_builder_new();
    char day[11];
    ard_day_format(r->today, day);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "date");
    json_builder_add_string_value(b, day);
    json_builder_set_member_name(b, "dso_formula");
    json_builder_add_string_value(b, dso_formula);
    json_builder_set_member_name(b, "total");
    json_builder_begin_array(b);
    for (guint i = 0; i < r->rows->len; i++)
        if (!*((ArdReportRow *)r->rows->pdata[i])->owner)
            json_row(b, r->rows->pdata[i]);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "owners");
    json_builder_begin_array(b);
    for (guint i = 0; i < r->rows->len; i++)
        if (*((ArdReportRow *)r->rows->pdata[i])->owner)
            json_row(b, r->rows->pdata[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    char *s = json_to_string(root, TRUE);
    g_string_append(o, s);
    g_string_append_c(o, '\n');
    g_free(s);
    json_node_unref(root);
    g_object_unref(b);
}

/* A horizontal bar chart as inline SVG. */
static void svg_bars(GString *o, const char *title, const char *const *labels, const int64_t *v,
                     int n, const char *cur)
{
    int64_t max = 1;
    for (int i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    int h = 24 * n + 30;
    g_string_append_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"%d\" "
                              "role=\"img\" aria-label=\"", h);
    ard_html_escape(o, title);
    g_string_append(o, "\"><text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"bold\">");
    ard_html_escape(o, title);
    g_string_append(o, "</text>");
    static const char *const colours[] = {"#4e9a06", "#c4a000", "#ce5c00", "#a40000", "#5c3566",
                                          "#3465a4"};
    for (int i = 0; i < n; i++) {
        int y = 24 + 24 * i;
        int w = v[i] > 0 ? (int)((double)v[i] / (double)max * 330) : 0;
        char *s = pretty(v[i], cur);
        g_string_append_printf(o, "<text x=\"0\" y=\"%d\" font-size=\"12\">", y + 14);
        ard_html_escape(o, labels[i]);
        g_string_append_printf(o, "</text><rect x=\"110\" y=\"%d\" width=\"%d\" height=\"18\" "
                                  "fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">%s %s</text>",
                               y, w, colours[i % 6], 115 + w, y + 14, s, cur);
        g_free(s);
    }
    g_string_append(o, "</svg>\n");
}

static void html_format(const ArdReport *r, GString *o)
{
    char day[11];
    ard_day_format(r->today, day);
    g_string_append_printf(o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Collections report %s</title>\n<style>body{font-family:sans-serif;margin:2em;"
        "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}"
        "h2{margin-top:2em}.note{color:#555}</style></head><body>\n"
        "<h1>Collections report, %s</h1>\n<p class=\"note\">", day, day);
    ard_html_escape(o, dso_formula);
    g_string_append(o, "</p>\n");
    const char *cur_section = "";
    for (guint i = 0; i < r->rows->len; i++) {
        const ArdReportRow *x = r->rows->pdata[i];
        const char *cur = x->currency;
        if (strcmp(cur_section, cur) != 0) {
            if (*cur_section)
                g_string_append(o, "</table>\n");
            cur_section = x->currency;
            g_string_append_printf(o, "<h2>%s</h2>\n", cur);
            svg_bars(o, "Ageing (open amount by days past due)", bucket_names, x->ageing, ARD_AGE_N,
                     cur);
            static const char *const mom[] = {"last 7 days", "7 days before", "last 30 days",
                                              "30 days before"};
            int64_t mv[] = {x->paid_7, x->paid_prev_7, x->paid_30, x->paid_prev_30};
            svg_bars(o, "Collection momentum (paid)", mom, mv, 4, cur);
            g_string_append(o, "<table><tr><th>owner</th><th>customers</th>");
            for (int b = 0; b < ARD_AGE_N; b++)
                g_string_append_printf(o, "<th>%s</th>", bucket_names[b]);
            g_string_append(o, "<th>open</th><th>promised</th><th>disputed</th><th>escalated</th>"
                               "<th>DSO (days)</th><th>paid 7 d</th><th>paid 30 d</th></tr>\n");
        }
        g_string_append(o, "<tr><td>");
        ard_html_escape(o, *x->owner ? x->owner : "Total");
        g_string_append_printf(o, "</td><td>%d</td>", x->customers);
        int64_t v[] = {x->ageing[0], x->ageing[1], x->ageing[2], x->ageing[3], x->ageing[4],
                       x->open, x->promised, x->disputed, x->escalated};
        for (size_t k = 0; k < G_N_ELEMENTS(v); k++) {
            char *s = pretty(v[k], cur);
            g_string_append_printf(o, "<td>%s</td>", s);
            g_free(s);
        }
        double dso = ard_report_dso(x);
        if (dso >= 0)
            g_string_append_printf(o, "<td>%.1f</td>", dso);
        else
            g_string_append(o, "<td>–</td>");
        char *a = pretty(x->paid_7, cur), *b = pretty(x->paid_30, cur);
        g_string_append_printf(o, "<td>%s</td><td>%s</td></tr>\n", a, b);
        g_free(a);
        g_free(b);
    }
    if (*cur_section)
        g_string_append(o, "</table>\n");
    else
        g_string_append(o, "<p>No open receivables.</p>\n");
    g_string_append(o, "</body></html>\n");
}

char *ard_report_format(const ArdReport *r, const char *format)
{
    GString *o = g_string_new(NULL);
    if (strcmp(format, "text") == 0)
        text_format(r, o);
    else if (strcmp(format, "csv") == 0)
        csv_format(r, o);
    else if (strcmp(format, "json") == 0)
        json_format(r, o);
    else if (strcmp(format, "html") == 0)
        html_format(r, o);
    else {
        g_string_free(o, TRUE);
        return NULL;
    }
    return g_string_free(o, FALSE);
}
