/* ardentctl account: one customer's account as text or JSON.
 * Must never change the store. */
#include "ctl.h"
#include "error.h"
#include "store_account.h"
#include <stdio.h>

static gboolean opt_json;

const GOptionEntry ctl_account_options[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print the account as one JSON object", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const char *str(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);
    if (n == NULL || JSON_NODE_HOLDS_NULL(n))
        return "-";
    if (json_node_get_value_type(n) == G_TYPE_STRING)
        return json_node_get_string(n);
    return "?";
}

static void print_text(JsonObject *a)
{
    printf("%s  %s\n", str(a, "customer"), str(a, "name"));
    printf("  owner %s, locale %s, segment %s%s\n", str(a, "owner"), str(a, "locale"),
           str(a, "segment"), json_object_get_boolean_member(a, "human_only") ? ", HUMAN ONLY" : "");
    printf("  stage %s, last automated message %s, unanswered %" G_GINT64_FORMAT "\n",
           str(a, "stage"), str(a, "last_sent"), json_object_get_int_member(a, "unanswered"));
    if (!JSON_NODE_HOLDS_NULL(json_object_get_member(a, "hold_until")))
        printf("  on hold until %s: %s\n", str(a, "hold_until"), str(a, "hold_reason"));
    JsonObject *bal = json_object_get_object_member(a, "balances");
    GList *curs = json_object_get_members(bal);
    printf("  balance:");
    if (curs == NULL)
        printf(" 0");
    for (GList *l = curs; l; l = l->next)
        printf(" %.2f %s", json_object_get_double_member(bal, l->data), (char *)l->data);
    printf("\n");
    g_list_free(curs);

    JsonArray *inv = json_object_get_array_member(a, "open_invoices");
    printf("\n  open invoices (%u)\n", json_array_get_length(inv));
    for (guint i = 0; i < json_array_get_length(inv); i++) {
        JsonObject *o = json_array_get_object_element(inv, i);
        printf("    %-14s due %s  %12.2f of %12.2f %s  %4" G_GINT64_FORMAT " days overdue%s\n",
               str(o, "invoice"), str(o, "due_date"), json_object_get_double_member(o, "open_amount"),
               json_object_get_double_member(o, "amount"), str(o, "currency"),
               json_object_get_int_member(o, "days_overdue"),
               json_object_get_boolean_member(o, "disputed") ? "  (disputed)" : "");
    }
    const char *sections[] = {"escalations", "disputes", "promises", "messages", "events"};
    for (size_t k = 0; k < G_N_ELEMENTS(sections); k++) {
        JsonArray *arr = json_object_get_array_member(a, sections[k]);
        if (json_array_get_length(arr) == 0)
            continue;
        printf("\n  %s\n", sections[k]);
        for (guint i = 0; i < json_array_get_length(arr); i++) {
            JsonObject *o = json_array_get_object_element(arr, i);
            if (k == 0)
                printf("    #%" G_GINT64_FORMAT " %-6s %s, owner %s, due %s: %s\n",
                       json_object_get_int_member(o, "id"), str(o, "status"), str(o, "kind"),
                       str(o, "owner"), str(o, "due"), str(o, "reason"));
            else if (k == 1)
                printf("    %-8s invoice %s since %s: %s\n", str(o, "status"), str(o, "invoice"),
                       str(o, "opened"), str(o, "reason"));
            else if (k == 2)
                printf("    %-8s pay by %s (made %s)\n", str(o, "status"), str(o, "date"),
                       str(o, "created"));
            else if (k == 3)
                printf("    %s %-3s %-8s %s %s\n", str(o, "at"), str(o, "direction"),
                       str(o, "status"), str(o, "intent"), str(o, "subject"));
            else
                printf("    %s  %-9s %s\n", str(o, "at"), str(o, "cause"), str(o, "reason"));
        }
    }
}

int ctl_account(ArdCli *cli)
{
    if (cli->argc != 2)
        return ard_cli_usage(cli, "expected: account CUSTOMER");
    int rc = 0;
    ArdStore *s = ard_cli_open_existing_store(cli, &rc);
    if (!s)
        return rc;
    GError *err = NULL;
    bool exists;
    JsonObject *a = ard_store_account(s, cli->argv[1], cli->today, &exists, &err);
    ard_store_close(s);
    if (a == NULL && err)
        return ard_cli_fail(cli, err);
    if (a == NULL) {
        fprintf(stderr, "%s: no customer '%s'\n", cli->prog, cli->argv[1]);
        return 2;
    }
    if (opt_json)
        ctl_print_json(a);
    else
        print_text(a);
    json_object_unref(a);
    return 0;
}
