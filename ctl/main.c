/* ardentctl: the admin and collector tool. Thin over lib/: each command's
 * work lives in the library so the milter and agent share it. Must never
 * hold business rules itself. */
#include "ctl.h"
#include "error.h"
#include <stdio.h>
#include <string.h>

static const ArdCommand commands[] = {
    {"import", "{customers|invoices|payments} FILE.csv",
     "Import an ERP export (CSV with a header row); one file is one transaction",
     ctl_import_options, ctl_import},
    {"account", "CUSTOMER", "Show one customer's account", ctl_account_options, ctl_account},
    {"train", "", "Train the intent and sentiment models on the corpus's training split",
     ctl_train_options, ctl_train},
    {"eval", "", "Measure the models on the corpus's test split (Markdown; --write saves EVAL.md)",
     ctl_eval_options, ctl_eval},
    {"classify", "FILE.eml...",
     "Read raw replies (- = stdin): intent, sentiment, dates, invoices, one JSON line each",
     NULL, ctl_classify},
    {"extract", "FILE.eml...", "Show what the reply reader makes of raw messages (- = stdin)",
     NULL, ctl_extract},
    {"ingest", "FILE.eml...", "Match, classify and apply replies as the milter does (- = stdin)",
     NULL, ctl_ingest},
    {"queue", "", "Open escalations, reviews and tasks, most urgent first", ctl_queue_options,
     ctl_queue},
    {"resolve", "ID", "Close one queue item, recording who and why", ctl_resolve_options,
     ctl_resolve},
    {NULL, NULL, NULL, NULL, NULL},
};

char *ctl_read_input(const char *path, gsize *len, GError **error)
{
    if (strcmp(path, "-") != 0) {
        char *data = NULL;
        return g_file_get_contents(path, &data, len, error) ? data : NULL;
    }
    GString *s = g_string_new(NULL);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        g_string_append_len(s, buf, n);
    *len = s->len;
    return g_string_free(s, FALSE);
}

void ctl_print_json(JsonObject *o)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_set_object(n, o);
    char *text = json_to_string(n, FALSE);
    puts(text);
    g_free(text);
    json_node_unref(n);
}

int main(int argc, char **argv)
{
    return ard_cli_main(argc, argv, "ardentctl", "ardent's admin and collector tool.",
                        "Exit status: 0 success, 1 the work failed, 2 bad usage or bad input.",
                        commands, NULL, NULL);
}
