/* ardentctl's commands, one file each. */
#ifndef ARDENT_CTL_H
#define ARDENT_CTL_H
#include "cli.h"
#include "store.h"
#include <json-glib/json-glib.h>

/* A raw message's bytes from a file, or from stdin for "-"; g_free it.
 * NULL with error when the file cannot be read. */
char *ctl_read_input(const char *path, gsize *len, GError **error);
/* Prints a JSON object on one line to stdout. */
void ctl_print_json(JsonObject *o);

extern const GOptionEntry ctl_import_options[];
int ctl_import(ArdCli *cli);
extern const GOptionEntry ctl_account_options[];
int ctl_account(ArdCli *cli);
extern const GOptionEntry ctl_train_options[];
int ctl_train(ArdCli *cli);
extern const GOptionEntry ctl_eval_options[];
int ctl_eval(ArdCli *cli);
int ctl_classify(ArdCli *cli);
int ctl_extract(ArdCli *cli);
int ctl_ingest(ArdCli *cli);
extern const GOptionEntry ctl_queue_options[];
int ctl_queue(ArdCli *cli);
extern const GOptionEntry ctl_resolve_options[];
int ctl_resolve(ArdCli *cli);

#endif
