/* report and digest: what the collectors read. The report goes to stdout;
 * each collector's digest is one message listing their queue, most urgent
 * first. Must never change an account: both only read the store. */
#include "agent.h"
#include "error.h"
#include "email.h"
#include "money.h"
#include "outbox.h"
#include "report.h"
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

int agent_report(ArdCli *cli, const char *format)
{
    if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json") &&
        strcmp(format, "html"))
        return ard_cli_usage(cli, "--format %s: expected text, csv, json or html", format);
    int rc = 0;
    GError *err = NULL;
    ArdStore *s = ard_cli_open_existing_store(cli, &rc);
    if (!s)
        return rc;
    ArdDunningSet *set = ard_store_dunning_load(s, cli->today, NULL, &err);
    GArray *flows = set ? ard_store_flows(s, cli->today, &err) : NULL;
    if (!flows) {
        rc = ard_cli_fail(cli, err);
    } else {
        ArdReport *r = ard_report_build(set, flows,
                                        ard_config_string(cli->cfg, "agent", "default_owner"),
                                        cli->today);
        char *out = ard_report_format(r, format);
        fputs(out, stdout);
        g_free(out);
        ard_report_free(r);
    }
    ard_flows_free(flows);
    ard_dunning_set_free(set);
    ard_store_close(s);
    return rc;
}

typedef struct {
    ArdQueueItem *item;
    int rank;            /* 0 broken promise, 1 overdue escalation, 2 open escalation */
    const ArdDunningCustomer *c;
} Entry;

static int cmp_entry(gconstpointer a, gconstpointer b)
{
    const Entry *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    int c = strcmp(*x->item->due ? x->item->due : "9999", *y->item->due ? y->item->due : "9999");
    if (c)
        return c;
    if (x->item->priority != y->item->priority)
        return y->item->priority - x->item->priority;
    return strcmp(x->item->customer, y->item->customer);
}

/* The digest's lines for one account: balance, lead invoice, last reply, why. */
static void describe(GString *o, const Entry *e, int n, ArdDay today)
{
    static const char *const why[] = {"BROKEN PROMISE", "OVERDUE", "open"};
    g_string_append_printf(o, "%d. [%s] %s (%s)\n", n, why[e->rank], e->item->name,
                           e->item->customer);
    g_string_append_printf(o, "   why: %s\n", e->item->reason);
    if (*e->item->due)
        g_string_append_printf(o, "   due: %s\n", e->item->due);
    if (!e->c)
        return;
    const ArdCustomerFacts *f = &e->c->f;
    GString *bal = g_string_new(NULL);
    int lead = ard_policy_lead(f, today);
    GHashTable *sum = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *order = g_ptr_array_new();
    int64_t totals[16] = {0};
    for (guint k = 0; k < f->invoices->len; k++) {
        const ArdInvoiceFacts *v = &g_array_index(f->invoices, ArdInvoiceFacts, k);
        gpointer idx;
        if (!g_hash_table_lookup_extended(sum, v->currency, NULL, &idx)) {
            if (order->len >= 16)
                continue;
            idx = GINT_TO_POINTER(order->len);
            g_hash_table_insert(sum, (gpointer)v->currency, idx);
            g_ptr_array_add(order, (gpointer)v->currency);
        }
        totals[GPOINTER_TO_INT(idx)] += v->open_amount;
    }
    for (guint k = 0; k < order->len; k++) {
        char buf[48];
        ard_money_pretty(totals[k], order->pdata[k], buf, sizeof buf);
        g_string_append_printf(bal, "%s%s %s", k ? ", " : "", buf, (char *)order->pdata[k]);
    }
    g_string_append_printf(o, "   balance: %s\n", bal->len ? bal->str : "0");
    if (lead >= 0) {
        const ArdInvoiceFacts *v = &g_array_index(f->invoices, ArdInvoiceFacts, lead);
        char buf[48];
        ard_money_pretty(v->open_amount, v->currency, buf, sizeof buf);
        g_string_append_printf(o, "   lead invoice: %s, %s %s, %d days past due\n", v->id, buf,
                               v->currency, today - v->due);
    }
    if (e->c->last_row_reply)
        g_string_append_printf(o, "   last reply: %s\n", e->c->last_row_reply);
    else
        g_string_append(o, "   last reply: none\n");
    g_string_append_printf(o, "   stage: %s\n", ard_stage_name(f->stage));
    g_string_free(bal, TRUE);
    g_hash_table_destroy(sum);
    g_ptr_array_free(order, TRUE);
}

int agent_digest(ArdCli *cli, const char *maildir)
{
    int rc = 0;
    GError *err = NULL;
    const char *from = ard_config_string(cli->cfg, "agent", "from");
    if (!*from || !ard_email_domain(from))
        return ard_cli_fail(cli, g_error_new(ARD_ERROR, ARD_ERROR_FAILED,
                                             "agent.from is not set: the digest needs a From address"));
    ArdStore *s = ard_cli_open_existing_store(cli, &rc);
    if (!s)
        return rc;
    ArdOutbox *out = NULL;
    GPtrArray *items = ard_store_queue_items(s, cli->today, 7, &err);
    ArdDunningSet *set = items ? ard_store_dunning_load(s, cli->today, NULL, &err) : NULL;
    if (set)
        out = maildir ? ard_outbox_maildir(maildir, &err)
                      : ard_outbox_smtp(ard_config_string(cli->cfg, "agent", "relay"),
                                        ard_config_int(cli->cfg, "agent", "smtp_timeout"), &err);
    if (!out) {
        rc = ard_cli_fail(cli, err);
        goto done;
    }
    GHashTable *by_id = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < set->customers->len; i++) {
        ArdDunningCustomer *c = set->customers->pdata[i];
        g_hash_table_insert(by_id, (gpointer)c->f.id, c);
    }
    char now[32];
    char day[11];
    ard_day_format(cli->today, day);
    g_snprintf(now, sizeof now, "%sT23:59:59", day);
    const char *def = ard_config_string(cli->cfg, "agent", "default_owner");
    GHashTable *queues = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify)g_array_unref);
    GPtrArray *owners = g_ptr_array_new();
    for (guint i = 0; i < items->len; i++) {
        ArdQueueItem *q = items->pdata[i];
        const char *owner = *q->owner ? q->owner : def;
        if (!*owner) {
            fprintf(stderr, "%s: %s has no owner and agent.default_owner is empty: not in any "
                            "digest\n", cli->prog, q->customer);
            continue;
        }
        GArray *a = g_hash_table_lookup(queues, owner);
        if (!a) {
            a = g_array_new(FALSE, FALSE, sizeof(Entry));
            g_hash_table_insert(queues, (gpointer)owner, a);
            g_ptr_array_add(owners, (gpointer)owner);
        }
        Entry e = {q, strcmp(q->kind, "broken_promise") == 0 ? 0
                      : (*q->due && strcmp(q->due, now) < 0) ? 1 : 2,
                   g_hash_table_lookup(by_id, q->customer)};
        /* One entry per account: the most urgent reason leads, the others
         * are added to its why. */
        guint k;
        for (k = 0; k < a->len; k++)
            if (strcmp(g_array_index(a, Entry, k).item->customer, q->customer) == 0)
                break;
        if (k == a->len) {
            g_array_append_val(a, e);
            continue;
        }
        Entry *old = &g_array_index(a, Entry, k);
        if (e.rank < old->rank) {
            Entry t = *old;
            *old = e;
            e = t;
        }
        char *why = g_strdup_printf("%s; also: %s", old->item->reason, e.item->reason);
        g_free(old->item->reason);
        old->item->reason = why;
    }
    g_ptr_array_sort(owners, (GCompareFunc)g_strcmp0);
    GDateTime *date = g_date_time_new_now_utc();
    for (guint i = 0; i < owners->len; i++) {
        const char *owner = owners->pdata[i];
        GArray *a = g_hash_table_lookup(queues, owner);
        g_array_sort(a, cmp_entry);
        GString *body = g_string_new(NULL);
        char *name = agent_owner_name(cli->cfg, owner);
        g_string_append_printf(body, "Hello %s,\n\nyour collections queue for %s: %u account%s, "
                                     "most urgent first.\n\n", name, day, a->len,
                               a->len == 1 ? "" : "s");
        for (guint k = 0; k < a->len; k++) {
            describe(body, &g_array_index(a, Entry, k), (int)k + 1, cli->today);
            g_string_append_c(body, '\n');
        }
        g_string_append(body, "Resolve an item with: ardentctl resolve ID --resume | --hold-until D\n"
                              "-- \nardent-agent digest\n");
        char *subject = g_strdup_printf("Collections queue %s: %u account%s", day, a->len,
                                        a->len == 1 ? "" : "s");
        char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, owner, -1);
        hash[16] = '\0';
        char *unique = g_strdup_printf("ardent-digest-%s-%s", day, hash);
        char *mid = g_strdup_printf("%s@%s", unique, ard_email_domain(from));
        const char *to[] = {owner, NULL};
        ArdMail m = {.from_name = ard_config_string(cli->cfg, "agent", "from_name"),
                     .from_addr = from, .to_name = name, .to = to, .subject = subject,
                     .text = body->str, .message_id = mid, .date = date};
        gsize len;
        char *data = ard_mail_build(&m, ard_outbox_crlf(out), &len);
        bool maybe;
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "owner", owner);
        json_object_set_int_member(o, "accounts", a->len);
        JsonArray *list = json_array_new();
        for (guint k = 0; k < a->len; k++)
            json_array_add_string_element(list, g_array_index(a, Entry, k).item->customer);
        json_object_set_array_member(o, "customers", list);
        if (ard_outbox_is_maildir(out) && ard_outbox_delivered(out, unique)) {
            json_object_set_string_member(o, "message_id", mid);
            json_object_set_boolean_member(o, "already_sent", true);
        } else if (ard_outbox_send(out, unique, from, to, data, len, &maybe, &err)) {
            json_object_set_string_member(o, "message_id", mid);
        } else {
            json_object_set_string_member(o, "error", err->message);
            fprintf(stderr, "%s: digest for %s not delivered: %s\n", cli->prog, owner, err->message);
            g_clear_error(&err);
            rc = ARD_EXIT_FAIL;
        }
        JsonNode *n = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(n, o);
        char *line = json_to_string(n, FALSE);
        puts(line);
        g_free(line);
        json_node_unref(n);
        g_free(data);
        g_free(mid);
        g_free(unique);
        g_free(hash);
        g_free(subject);
        g_free(name);
        g_string_free(body, TRUE);
    }
    g_date_time_unref(date);
    g_ptr_array_free(owners, TRUE);
    g_hash_table_destroy(queues);
    g_hash_table_destroy(by_id);
done:
    ard_outbox_free(out);
    ard_dunning_set_free(set);
    if (items)
        g_ptr_array_free(items, TRUE);
    ard_store_close(s);
    return rc;
}
