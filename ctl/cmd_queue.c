/* ardentctl queue and resolve: the collectors' open escalations, reviews and
 * tasks, and closing one with who and why. Must never close anything
 * without an event saying who did it. */
#include "ctl.h"
#include "error.h"
#include "store_reply.h"
#include <stdio.h>
#include <stdlib.h>

static char *opt_owner;
static gboolean opt_json;

const GOptionEntry ctl_queue_options[] = {
    {"owner", 0, 0, G_OPTION_ARG_STRING, &opt_owner, "Only this collector's items", "EMAIL"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "One JSON object per item", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

int ctl_queue(ArdCli *cli)
{
    if (cli->argc > 1)
        return ard_cli_usage(cli, "queue takes no arguments");
    int rc = 0;
    ArdStore *s = ard_cli_open_existing_store(cli, &rc);
    if (!s)
        return rc;
    GError *err = NULL;
    GPtrArray *q = ard_store_reply_queue(s, opt_owner, &err);
    if (!q) {
        ard_store_close(s);
        return ard_cli_fail(cli, err);
    }
    for (guint i = 0; i < q->len; i++) {
        const ArdQueueEntry *e = q->pdata[i];
        if (opt_json) {
            JsonObject *o = json_object_new();
            json_object_set_int_member(o, "id", e->id);
            json_object_set_string_member(o, "kind", e->kind);
            if (e->customer)
                json_object_set_string_member(o, "customer", e->customer);
            else
                json_object_set_null_member(o, "customer");
            json_object_set_string_member(o, "name", e->name ? e->name : "");
            json_object_set_string_member(o, "reason", e->reason);
            if (e->owner)
                json_object_set_string_member(o, "owner", e->owner);
            else
                json_object_set_null_member(o, "owner");
            if (e->due)
                json_object_set_string_member(o, "due", e->due);
            else
                json_object_set_null_member(o, "due");
            json_object_set_int_member(o, "priority", e->priority);
            json_object_set_string_member(o, "created", e->created);
            ctl_print_json(o);
            json_object_unref(o);
        } else {
            printf("%-6" G_GINT64_FORMAT " %-10s %-20s %-12s %-28s %s\n", e->id, e->kind,
                   e->due ? e->due : "-", e->customer ? e->customer : "-",
                   e->owner ? e->owner : "-", e->reason);
        }
    }
    g_ptr_array_unref(q);
    ard_store_close(s);
    return 0;
}

static gboolean opt_resume;
static char *opt_hold_until, *opt_note, *opt_by;

const GOptionEntry ctl_resolve_options[] = {
    {"resume", 0, 0, G_OPTION_ARG_NONE, &opt_resume, "Clear the account's hold", NULL},
    {"hold-until", 0, 0, G_OPTION_ARG_STRING, &opt_hold_until, "Hold dunning until this day",
     "YYYY-MM-DD"},
    {"note", 0, 0, G_OPTION_ARG_STRING, &opt_note, "Why (kept in the event log)", "TEXT"},
    {"by", 0, 0, G_OPTION_ARG_STRING, &opt_by, "Who resolves it (default $USER)", "NAME"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

int ctl_resolve(ArdCli *cli)
{
    if (cli->argc != 2)
        return ard_cli_usage(cli, "resolve needs one item ID (see ardentctl queue)");
    char *end = NULL;
    gint64 id = g_ascii_strtoll(cli->argv[1], &end, 10);
    if (!end || *end || id <= 0)
        return ard_cli_usage(cli, "resolve: %s is not an item ID", cli->argv[1]);
    if (opt_resume && opt_hold_until)
        return ard_cli_usage(cli, "resolve: --resume and --hold-until exclude each other");
    ArdResolve r = {.id = id, .note = opt_note, .resume = opt_resume, .hold_until = ARD_DAY_NONE};
    if (opt_hold_until && !ard_day_parse(opt_hold_until, &r.hold_until))
        return ard_cli_usage(cli, "--hold-until %s: expected YYYY-MM-DD", opt_hold_until);
    r.by = opt_by ? opt_by : g_getenv("USER") ? g_getenv("USER") : g_get_user_name();
    int rc = 0;
    ArdStore *s = ard_cli_open_store(cli, &rc);
    if (!s)
        return rc;
    GError *err = NULL;
    if (!ard_store_reply_resolve(s, &r, &err))
        rc = ard_cli_fail(cli, err);
    ard_store_close(s);
    return rc;
}
