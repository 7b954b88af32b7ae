/* ardent-agent: the nightly batch. plan prints each customer's decision,
 * run carries it out (messages, stage changes, escalations) and records it,
 * report and digest serve collectors. Must never decide here (lib/policy
 * decides) nor speak SQL (lib/store_dunning does), and never send a customer
 * two messages for one date. */
#include "agent.h"
#include "error.h"
#include "email.h"
#include "outbox.h"
#include "token.h"
#include "money.h"
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

static char *opt_maildir;
static char *opt_format;
static char *opt_customer;

static const GOptionEntry plan_options[] = {
    {"customer", 0, 0, G_OPTION_ARG_STRING, &opt_customer, "Only this customer", "ID"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};
static const GOptionEntry run_options[] = {
    {"maildir", 0, 0, G_OPTION_ARG_FILENAME, &opt_maildir,
     "Write messages to this Maildir instead of the SMTP relay", "DIR"},
    {"customer", 0, 0, G_OPTION_ARG_STRING, &opt_customer, "Only this customer", "ID"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};
static const GOptionEntry report_options[] = {
    {"format", 0, 0, G_OPTION_ARG_STRING, &opt_format, "text (default), csv, json or html",
     "FORMAT"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};
static const GOptionEntry digest_options[] = {
    {"maildir", 0, 0, G_OPTION_ARG_FILENAME, &opt_maildir,
     "Write the digests to this Maildir instead of the SMTP relay", "DIR"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* "now" for records and due times: --date's day at the real time of day. */
static GDateTime *agent_now(const ArdCli *cli)
{
    GDateTime *now = g_date_time_new_now_utc();
    if (!cli->date_given)
        return now;
    int y, m, d;
    ard_day_to_ymd(cli->today, &y, &m, &d);
    GDateTime *r = g_date_time_new_utc(y, m, d, g_date_time_get_hour(now),
                                       g_date_time_get_minute(now), g_date_time_get_seconds(now));
    g_date_time_unref(now);
    return r;
}

static ArdDay customer_today(const ArdCli *cli, const ArdCustomerFacts *f)
{
    return cli->date_given ? cli->today : ard_day_today(f->timezone);
}

static char *json_line(const ArdDunningCustomer *c, const ArdDecision *d, const char *message_id,
                       const char *error)
{
    const ArdCustomerFacts *f = &c->f;
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "customer");
    json_builder_add_string_value(b, f->id);
    json_builder_set_member_name(b, "action");
    json_builder_add_string_value(b, ard_action_name(d->action));
    json_builder_set_member_name(b, "reason");
    json_builder_add_string_value(b, d->reason);
    json_builder_set_member_name(b, "stage");
    json_builder_add_string_value(b, d->courtesy ? "courtesy" : ard_stage_name(d->stage));
    json_builder_set_member_name(b, "lead_invoice");
    if (d->lead >= 0)
        json_builder_add_string_value(b, g_array_index(f->invoices, ArdInvoiceFacts, d->lead).id);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "invoices");
    json_builder_begin_array(b);
    for (guint i = 0; i < d->listed->len; i++)
        json_builder_add_string_value(
            b, g_array_index(f->invoices, ArdInvoiceFacts, g_array_index(d->listed, int, i)).id);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "to");
    json_builder_begin_array(b);
    for (guint i = 0; i < f->emails->len; i++)
        json_builder_add_string_value(b, f->emails->pdata[i]);
    json_builder_end_array(b);
    json_builder_set_member_name(b, "priority");
    json_builder_add_int_value(b, d->priority);
    json_builder_set_member_name(b, "segment");
    json_builder_add_string_value(b, ard_segment_name(d->segment));
    json_builder_set_member_name(b, "risk");
    json_builder_add_int_value(b, d->risk.score);
    json_builder_set_member_name(b, "balances");
    json_builder_begin_object(b);
    for (guint i = 0; i < d->balances->len; i++) {
        const ArdMoney *m = &g_array_index(d->balances, ArdMoney, i);
        char buf[48];
        ard_money_plain(m->amount, m->currency, buf, sizeof buf);
        json_builder_set_member_name(b, m->currency);
        json_builder_add_string_value(b, buf);
    }
    json_builder_end_object(b);
    json_builder_set_member_name(b, "owner");
    if (f->owner)
        json_builder_add_string_value(b, f->owner);
    else
        json_builder_add_null_value(b);
    if (message_id) {
        json_builder_set_member_name(b, "message_id");
        json_builder_add_string_value(b, message_id);
    }
    if (error) {
        json_builder_set_member_name(b, "error");
        json_builder_add_string_value(b, error);
    }
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    char *s = json_to_string(root, FALSE);
    json_node_unref(root);
    g_object_unref(b);
    return s;
}

static void print_line(const ArdDunningCustomer *c, const ArdDecision *d, const char *message_id,
                       const char *error)
{
    char *s = json_line(c, d, message_id, error);
    puts(s);
    g_free(s);
}

/* Every command takes options only. A stray word is most likely an option
 * whose name was forgotten (plan 2026-03-09 for plan --date 2026-03-09):
 * refused as bad usage rather than ignored, which would plan for today.
 * Returns 0 when the command line is fine. */
static int check_usage(ArdCli *cli)
{
    if (cli->argc > 1) {
        ArdDay d;
        bool is_date = ard_day_parse(cli->argv[1], &d);
        bool has_customer = strcmp(cli->command, "plan") == 0 || strcmp(cli->command, "run") == 0;
        return ard_cli_usage(cli, "%s takes no arguments (got '%s')%s", cli->command,
                             cli->argv[1],
                             is_date        ? "; a date goes in --date"
                             : has_customer ? "; one customer goes in --customer"
                                            : "");
    }
    /* An empty ID would select every customer. */
    if (opt_customer && !*opt_customer)
        return ard_cli_usage(cli, "--customer needs a customer ID");
    return 0;
}

/* --customer naming nobody is bad input, as in ardentctl account, not an
 * empty plan that looks like "nothing to do". */
static bool customer_unknown(const ArdCli *cli, const ArdDunningSet *set)
{
    if (!opt_customer || set->customers->len > 0)
        return false;
    fprintf(stderr, "%s: no customer '%s'\n", cli->prog, opt_customer);
    return true;
}

static int cmd_plan(ArdCli *cli)
{
    int rc = check_usage(cli);
    if (rc)
        return rc;
    GError *err = NULL;
    ArdPolicy *p = ard_policy_from_config(cli->cfg, &err);
    if (!p)
        return ard_cli_fail(cli, err);
    ArdStore *s = ard_cli_open_existing_store(cli, &rc);
    if (!s) {
        ard_policy_free(p);
        return rc;
    }
    ArdDunningSet *set = ard_store_dunning_load(s, cli->today, opt_customer, &err);
    if (!set) {
        rc = ard_cli_fail(cli, err);
        goto out;
    }
    if (customer_unknown(cli, set)) {
        rc = ARD_EXIT_USAGE;
        ard_dunning_set_free(set);
        goto out;
    }
    GDateTime *now = agent_now(cli);
    for (guint i = 0; i < set->customers->len; i++) {
        ArdDunningCustomer *c = set->customers->pdata[i];
        ArdDecision *d = ard_policy_decide(p, &c->f, customer_today(cli, &c->f), now);
        if (d->printable)
            print_line(c, d, NULL, NULL);
        ard_decision_free(d);
    }
    g_date_time_unref(now);
    ard_dunning_set_free(set);
out:
    ard_store_close(s);
    ard_policy_free(p);
    return rc;
}

/* Refuses to send on stale data: the last payments import must be younger
 * than agent.max_data_age_hours at "now" (--date's day when given). */
static bool data_fresh(ArdCli *cli, ArdStore *s, GDateTime *now, GError **error)
{
    long long max = ard_config_int(cli->cfg, "agent", "max_data_age_hours");
    if (max == 0)
        return true;
    char *at = NULL;
    const char *kind = "payments";
    if (!ard_store_last_import(s, kind, &at, error))
        return false;
    /* An ERP that has never exported a payment: the invoices export is then
     * what says how current the balances are. */
    if (!*at) {
        g_free(at);
        kind = "invoices";
        if (!ard_store_last_import(s, kind, &at, error))
            return false;
    }
    bool ok = false;
    if (!*at) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED,
                    "no payments or invoices import recorded: refusing to send on unknown "
                    "data (import the ERP export first, or set agent.max_data_age_hours = 0)");
    } else {
        GDateTime *t = g_date_time_new_from_iso8601(at, NULL);
        if (!t) {
            g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "last payments import at \"%s\": "
                        "not a time", at);
        } else {
            double hours = g_date_time_difference(now, t) / (double)G_TIME_SPAN_HOUR;
            g_date_time_unref(t);
            if (hours > (double)max)
                g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED,
                            "the last %s import (%s) is %.0f hours old, more than "
                            "agent.max_data_age_hours = %lld: refusing to send on stale data",
                            kind, at, hours, max);
            else
                ok = true;
        }
    }
    g_free(at);
    return ok;
}

typedef struct {
    ArdCli *cli;
    ArdStore *s;
    ArdOutbox *out;
    AgentTemplates *tmpl;
    const char *secret, *from, *domain;
    char *local;
    GDateTime *now;
    int sent, failed, escalated, resumed;
    GPtrArray *lines;      /* output lines held back until their batch is on disk */
    GPtrArray *pending;    /* Pending *: Maildir messages staged in tmp/ */
    char *first_failure;
} Run;

/* A Maildir message staged in tmp/, waiting for its batch to be committed. */
typedef struct {
    int64_t row;            /* 0: not yet queued */
    ArdDunningCustomer *c;
    ArdDecision *d;
    ArdDay today;
    char *token, *mid, *in_reply_to, *subject, *rcpts;
    int64_t serial;
    char *data;
    gsize len;
    guint line;
    bool staged;
} Pending;

static void pending_free(Pending *p)
{
    ard_decision_free(p->d);
    g_free(p->token);
    g_free(p->mid);
    g_free(p->in_reply_to);
    g_free(p->subject);
    g_free(p->rcpts);
    g_free(p->data);
    g_free(p);
}

enum { BATCH = 256 };

static void emit(Run *r, char *line)
{
    if (r->pending->len == 0) {
        puts(line);
        g_free(line);
    } else {
        g_ptr_array_add(r->lines, line);
    }
}

static void note_failure(Run *r, const char *why)
{
    r->failed++;
    if (!r->first_failure)
        r->first_failure = g_strdup(why);
}

/* Carries out a batch of Maildir messages: queues them in one committed
 * transaction, writes them to tmp/, makes them durable with one sync and
 * moves them into new/, then records them sent in one transaction, and
 * prints the lines held back. The order keeps every message at most once. */
static bool flush(Run *r, GError **error)
{
    bool ok = true;
    guint n = r->pending->len;
    if (n) {
        Pending **pp = (Pending **)r->pending->pdata;
        GArray *ob = g_array_new(FALSE, TRUE, sizeof(ArdOutbound));
        GArray *obi = g_array_new(FALSE, FALSE, sizeof(guint));
        for (guint i = 0; i < n; i++) {
            Pending *p = pp[i];
            if (p->row)
                continue;
            const ArdCustomerFacts *f = &p->c->f;
            ArdOutbound o = {
                .customer = f->id, .message_id = p->mid, .in_reply_to = p->in_reply_to,
                .token = p->token, .stage = p->d->courtesy ? "courtesy" : ard_stage_name(p->d->stage),
                .lead_invoice = p->d->lead >= 0
                    ? g_array_index(f->invoices, ArdInvoiceFacts, p->d->lead).id : NULL,
                .subject = p->subject, .sender = r->from, .recipients = p->rcpts,
                .serial = p->serial, .run_date = p->today,
            };
            g_array_append_val(ob, o);
            g_array_append_val(obi, i);
        }
        int64_t *rows = g_new0(int64_t, ob->len + 1);
        if (!ard_store_dunning_queue_many(r->s, (ArdOutbound *)ob->data, ob->len, rows, error))
            ok = false;
        for (guint k = 0; ok && k < obi->len; k++)
            pp[g_array_index(obi, guint, k)]->row = rows[k];
        g_free(rows);
        g_array_free(ob, TRUE);
        g_array_free(obi, TRUE);

        GPtrArray *u = g_ptr_array_new();
        for (guint i = 0; ok && i < n; i++) {
            Pending *p = pp[i];
            GError *serr = NULL;
            p->staged = ard_outbox_stage(r->out, p->token, p->data, p->len, &serr);
            if (p->staged) {
                g_ptr_array_add(u, p->token);
            } else {
                GError *e2 = NULL;
                ard_store_dunning_failed(r->s, p->row, p->c->f.id, serr->message, &e2);
                g_clear_error(&e2);
                note_failure(r, serr->message);
                r->lines->pdata[p->line] = json_line(p->c, p->d, NULL, serr->message);
                g_clear_error(&serr);
            }
        }
        GError *cerr = NULL;
        bool committed = ok && ard_outbox_commit(r->out, (const char *const *)u->pdata, u->len, &cerr);
        g_ptr_array_free(u, TRUE);
        GArray *sent = g_array_new(FALSE, TRUE, sizeof(ArdSent));
        for (guint i = 0; ok && i < n; i++) {
            Pending *p = pp[i];
            if (!p->staged)
                continue;
            if (committed || ard_outbox_delivered(r->out, p->token)) {
                ArdSent m = {p->row, p->c->f.id, p->d->old_stage, p->d->stage, p->d->courtesy,
                             p->today, p->d->reason};
                g_array_append_val(sent, m);
                r->sent++;
                r->lines->pdata[p->line] = json_line(p->c, p->d, p->mid, NULL);
            } else {
                GError *e2 = NULL;
                ard_store_dunning_failed(r->s, p->row, p->c->f.id, cerr->message, &e2);
                g_clear_error(&e2);
                note_failure(r, cerr->message);
                r->lines->pdata[p->line] = json_line(p->c, p->d, NULL, cerr->message);
            }
        }
        if (ok && !ard_store_dunning_sent_many(r->s, (ArdSent *)sent->data, sent->len, error))
            ok = false;
        g_array_free(sent, TRUE);
        g_clear_error(&cerr);
        for (guint i = 0; i < n; i++) {
            if (!r->lines->pdata[pp[i]->line])
                r->lines->pdata[pp[i]->line] = json_line(pp[i]->c, pp[i]->d, NULL, "not sent");
            pending_free(pp[i]);
        }
        g_ptr_array_set_size(r->pending, 0);
    }
    for (guint i = 0; i < r->lines->len; i++)
        puts(r->lines->pdata[i]);
    g_ptr_array_set_size(r->lines, 0);
    return ok;
}

static bool apply_changes(Run *r, const ArdDunningCustomer *c, const ArdDecision *d,
                          GError **error)
{
    const ArdCustomerFacts *f = &c->f;
    bool stage_move = d->action == ARD_ACT_ESCALATE && d->stage != d->old_stage;
    if (!d->promise_kept && !d->promise_broken && !d->stage_reset && !d->escalate && !stage_move)
        return true;
    char *due = d->escalation_due ? g_date_time_format(d->escalation_due, "%Y-%m-%dT%H:%M:%S%:z")
                                  : NULL;
    const char *owner = f->owner && *f->owner ? f->owner
                                              : ard_config_string(r->cli->cfg, "agent",
                                                                  "default_owner");
    ArdDunningChange ch = {
        .customer = f->id, .owner = owner, .promise_kept = d->promise_kept,
        .promise_broken = d->promise_broken, .promise_id = f->promise_id,
        .promise_date = f->promise_date, .stage_reset = d->stage_reset,
        .old_stage = d->old_stage, .new_stage = stage_move ? d->stage : d->old_stage,
        .escalate = d->escalate, .escalation_reason = d->escalation_reason,
        .escalation_due = due, .priority = d->priority,
    };
    bool ok = ard_store_dunning_apply(r->s, &ch, error);
    g_free(due);
    if (ok && d->escalate)
        r->escalated++;
    return ok;
}

/* Sends one customer's message, at most once per date: the row is queued
 * and committed before the hand-over, and a row left by a killed run is
 * finished (Maildir: by its file) rather than sent again. */
static bool send_one(Run *r, ArdDunningCustomer *c, ArdDecision *d, ArdDay today, char **mid_out,
                     bool *deferred, GError **error)
{
    const ArdCustomerFacts *f = &c->f;
    int64_t row = 0, serial;
    char *token = NULL, *mid = NULL;
    bool resume = c->last_row && c->last_row_date == today;
    if (resume && strcmp(c->last_row_status, "sent") == 0) {
        /* The same date's message went out already (e.g. a courtesy note). */
        g_free(d->reason);
        d->reason = g_strdup("none: this date's message has already been sent");
        d->action = ARD_ACT_NONE;
        return true;
    }
    if (resume) {
        row = c->last_row;
        serial = c->last_row_serial;
        token = g_strdup(c->last_row_token);
        mid = g_strdup(c->last_row_message_id);
        if (strcmp(c->last_row_status, "queued") == 0) {
            bool there = ard_outbox_is_maildir(r->out) &&
                         ard_outbox_delivered(r->out, token);
            if (there || !ard_outbox_is_maildir(r->out)) {
                char *why = g_strdup_printf(
                    "%s; %s", d->reason,
                    there ? "found delivered after an interrupted run"
                          : "hand-over began in an interrupted run; not sent again (at most once)");
                bool ok = ard_store_dunning_sent(r->s, row, f->id, d->old_stage, d->stage,
                                                 d->courtesy, today, why, error);
                g_free(why);
                *mid_out = mid;
                g_free(token);
                r->resumed++;
                return ok;
            }
        } else if (!ard_store_dunning_requeue(r->s, row, error)) {
            goto fail;
        }
    } else {
        serial = c->next_serial;
        token = ard_token_make(r->secret, f->id, serial);
        mid = g_strdup_printf("ardent.%s@%s", token, r->domain);
    }
    AgentLetter l;
    if (!agent_compose(r->tmpl, r->cli->cfg, c, d, today, &l, error))
        goto fail;
    char *reply_to = g_strdup_printf("%s+%s@%s", r->local, token, r->domain);
    const char *prev = c->message_ids->len ? c->message_ids->pdata[c->message_ids->len - 1] : NULL;
    if (resume && prev && strcmp(prev, mid) == 0)
        prev = c->message_ids->len > 1 ? c->message_ids->pdata[c->message_ids->len - 2] : NULL;
    GPtrArray *refs = g_ptr_array_new();
    guint start = c->message_ids->len > 10 ? c->message_ids->len - 10 : 0;
    for (guint i = start; i < c->message_ids->len; i++)
        if (strcmp(c->message_ids->pdata[i], mid) != 0)
            g_ptr_array_add(refs, c->message_ids->pdata[i]);
    g_ptr_array_add(refs, NULL);
    g_ptr_array_add(f->emails, NULL);
    ArdMail m = {
        .from_name = ard_config_string(r->cli->cfg, "agent", "from_name"),
        .from_addr = r->from, .reply_to = reply_to, .to_name = f->name,
        .to = (const char *const *)f->emails->pdata, .subject = l.subject, .text = l.text,
        .html = l.html, .message_id = mid, .in_reply_to = prev,
        .references = (const char *const *)refs->pdata, .language = f->locale, .date = r->now,
    };
    gsize len;
    char *data = ard_mail_build(&m, ard_outbox_crlf(r->out), &len);
    bool ok = true;
    if (!resume && !ard_outbox_is_maildir(r->out)) {
        char *rcpts = g_strjoinv(", ", (char **)f->emails->pdata);
        ArdOutbound ob = {
            .customer = f->id, .message_id = mid, .in_reply_to = prev, .token = token,
            .stage = d->courtesy ? "courtesy" : ard_stage_name(d->stage),
            .lead_invoice = d->lead >= 0 ? g_array_index(f->invoices, ArdInvoiceFacts, d->lead).id
                                         : NULL,
            .subject = l.subject, .sender = r->from, .recipients = rcpts, .serial = serial,
            .run_date = today,
        };
        ok = ard_store_dunning_queue(r->s, &ob, &row, error);
        g_free(rcpts);
    }
    if (ok && ard_outbox_is_maildir(r->out)) {
        Pending *pe = g_new0(Pending, 1);
        pe->row = resume ? row : 0;
        pe->c = c;
        pe->d = d;
        pe->today = today;
        pe->token = g_strdup(token);
        pe->mid = g_strdup(mid);
        pe->in_reply_to = g_strdup(prev);
        pe->subject = g_strdup(l.subject);
        pe->rcpts = g_strjoinv(", ", (char **)f->emails->pdata);
        pe->serial = serial;
        pe->data = data;
        pe->len = len;
        data = NULL;
        pe->line = r->lines->len;
        g_ptr_array_add(r->lines, NULL);
        g_ptr_array_add(r->pending, pe);
        *deferred = true;
    } else if (ok) {
        bool maybe = false;
        GError *send_err = NULL;
        if (ard_outbox_send(r->out, token, r->from, (const char *const *)f->emails->pdata, data,
                            len, &maybe, &send_err)) {
            ok = ard_store_dunning_sent(r->s, row, f->id, d->old_stage, d->stage, d->courtesy,
                                        today, d->reason, error);
            r->sent++;
        } else if (maybe) {
            char *why = g_strdup_printf("%s; the relay may have taken it (%s): not sent again",
                                        d->reason, send_err->message);
            ok = ard_store_dunning_sent(r->s, row, f->id, d->old_stage, d->stage, d->courtesy,
                                        today, why, error);
            g_free(why);
            g_propagate_error(error, send_err);
            ok = false;
            r->failed++;
        } else {
            r->failed++;
            GError *e2 = NULL;
            ard_store_dunning_failed(r->s, row, f->id, send_err->message, &e2);
            g_clear_error(&e2);
            g_propagate_error(error, send_err);
            ok = false;
        }
    }
    g_ptr_array_set_size(f->emails, f->emails->len - 1);
    g_ptr_array_free(refs, TRUE);
    g_free(data);
    g_free(reply_to);
    agent_letter_clear(&l);
    g_free(token);
    *mid_out = mid;
    return ok;
fail:
    g_free(token);
    g_free(mid);
    return false;
}

static int cmd_run(ArdCli *cli)
{
    GError *err = NULL;
    int rc = check_usage(cli);
    if (rc)
        return rc;
    Run r = {.cli = cli};
    r.secret = ard_config_string(cli->cfg, "agent", "token_secret");
    if (!*r.secret) {
        fprintf(stderr, "%s: agent.token_secret is empty: set a long random secret in the "
                        "configuration (the milter verifies replies with the same key); "
                        "nothing sent\n", cli->prog);
        return ARD_EXIT_FAIL;
    }
    r.from = ard_config_string(cli->cfg, "agent", "from");
    if (!*r.from || !ard_email_domain(r.from)) {
        fprintf(stderr, "%s: agent.from is not set: automated mail needs a From address; "
                        "nothing sent\n", cli->prog);
        return ARD_EXIT_FAIL;
    }
    r.domain = ard_email_domain(r.from);
    r.local = g_strndup(r.from, r.domain - 1 - r.from);
    ArdPolicy *p = ard_policy_from_config(cli->cfg, &err);
    if (!p) {
        g_free(r.local);
        return ard_cli_fail(cli, err);
    }
    r.tmpl = agent_templates_load(ard_config_path(cli->cfg, "agent", "templates"), &err);
    if (!r.tmpl) {
        rc = ard_cli_fail(cli, err);
        ard_policy_free(p);
        g_free(r.local);
        return rc;
    }
    r.now = agent_now(cli);
    r.s = ard_cli_open_store(cli, &rc);
    ArdDunningSet *set = NULL;
    if (!r.s)
        goto out;
    if (!data_fresh(cli, r.s, r.now, &err)) {
        rc = ard_cli_fail(cli, err);
        goto out;
    }
    r.out = opt_maildir ? ard_outbox_maildir(opt_maildir, &err)
                        : ard_outbox_smtp(ard_config_string(cli->cfg, "agent", "relay"),
                                          ard_config_int(cli->cfg, "agent", "smtp_timeout"), &err);
    if (!r.out) {
        rc = ard_cli_fail(cli, err);
        goto out;
    }
    set = ard_store_dunning_load(r.s, cli->today, opt_customer, &err);
    if (!set) {
        rc = ard_cli_fail(cli, err);
        goto out;
    }
    if (customer_unknown(cli, set)) {
        rc = ARD_EXIT_USAGE;
        goto out;
    }
    r.lines = g_ptr_array_new_with_free_func(g_free);
    r.pending = g_ptr_array_new();
    for (guint i = 0; i < set->customers->len; i++) {
        ArdDunningCustomer *c = set->customers->pdata[i];
        ArdDay today = customer_today(cli, &c->f);
        ArdDecision *d = ard_policy_decide(p, &c->f, today, r.now);
        char *mid = NULL;
        bool deferred = false;
        if (!apply_changes(&r, c, d, &err)) {
            rc = ard_cli_fail(cli, err);
            err = NULL;
            ard_decision_free(d);
            break;
        }
        if (d->action == ARD_ACT_SEND && !send_one(&r, c, d, today, &mid, &deferred, &err)) {
            if (err && !r.first_failure)
                r.first_failure = g_strdup(err->message);
            if (d->printable)
                emit(&r, json_line(c, d, NULL, err ? err->message : "not sent"));
            g_clear_error(&err);
        } else if (!deferred && d->printable) {
            emit(&r, json_line(c, d, mid, NULL));
        }
        g_free(mid);
        if (!deferred)
            ard_decision_free(d);
        if (r.pending->len >= BATCH && !flush(&r, &err)) {
            rc = ard_cli_fail(cli, err);
            err = NULL;
            break;
        }
    }
    if (!flush(&r, &err) && rc == 0)
        rc = ard_cli_fail(cli, err);
    fflush(stdout);
    fprintf(stderr, "%s: %d sent, %d finished from an interrupted run, %d escalated, %d failed\n",
            cli->prog, r.sent, r.resumed, r.escalated, r.failed);
    if (r.failed) {
        fprintf(stderr, "%s: %d messages not delivered (first: %s); they are retried on the "
                        "next run\n", cli->prog, r.failed, r.first_failure ? r.first_failure : "?");
        rc = ARD_EXIT_FAIL;
    }
out:
    if (r.lines)
        g_ptr_array_free(r.lines, TRUE);
    if (r.pending)
        g_ptr_array_free(r.pending, TRUE);
    g_free(r.first_failure);
    ard_dunning_set_free(set);
    ard_outbox_free(r.out);
    ard_store_close(r.s);
    agent_templates_free(r.tmpl);
    ard_policy_free(p);
    g_date_time_unref(r.now);
    g_free(r.local);
    return rc;
}

static int cmd_report(ArdCli *cli)
{
    int rc = check_usage(cli);
    return rc ? rc : agent_report(cli, opt_format ? opt_format : "text");
}

static int cmd_digest(ArdCli *cli)
{
    int rc = check_usage(cli);
    return rc ? rc : agent_digest(cli, opt_maildir);
}

static const ArdCommand commands[] = {
    {"plan", "[--customer ID]", "Print each customer's decision as JSON, changing nothing",
     plan_options, cmd_plan},
    {"run", "[--maildir DIR] [--customer ID]",
     "Carry out the plan: send, escalate and record; prints the same JSON lines", run_options,
     cmd_run},
    {"report", "[--format text|csv|json|html]",
     "Ageing, DSO, promised, disputed and escalated amounts, momentum", report_options,
     cmd_report},
    {"digest", "[--maildir DIR]", "Mail each collector their queue, most urgent first",
     digest_options, cmd_digest},
    {NULL, NULL, NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
    g_mime_init();
    int rc = ard_cli_main(argc, argv, "ardent-agent", "ardent's nightly dunning batch.",
                          "Exit status: 0 success, 1 the work failed, 2 bad usage or bad input.",
                          commands, NULL, NULL);
    g_mime_shutdown();
    g_free(opt_maildir);
    g_free(opt_format);
    g_free(opt_customer);
    return rc;
}
