/* ardentctl import: ERP CSV exports into the store, with a summary line.
 * Must never leave a partly imported file behind (lib/import guarantees it). */
#include "ctl.h"
#include "import.h"
#include <stdio.h>
#include <unistd.h>

const GOptionEntry ctl_import_options[] = {{NULL, 0, 0, 0, NULL, NULL, NULL}};

static void progress(long rows, void *data)
{
    fprintf(stderr, "%s: %ld rows imported so far...\n", (const char *)data, rows);
}

int ctl_import(ArdCli *cli)
{
    ArdImportKind kind;
    if (cli->argc != 3)
        return ard_cli_usage(cli, "expected: import {customers|invoices|payments} FILE.csv");
    if (!ard_import_kind_parse(cli->argv[1], &kind))
        return ard_cli_usage(cli, "'%s' is not customers, invoices or payments", cli->argv[1]);
    int rc = 0;
    ArdStore *s = ard_cli_open_store(cli, &rc);
    if (!s)
        return rc;
    ArdImportStats st;
    GError *err = NULL;
    bool ok = ard_import_file(s, kind, cli->argv[2],
                              ard_config_string(cli->cfg, "import", "default_locale"), &st,
                              isatty(STDERR_FILENO) ? progress : NULL, (void *)cli->argv[2], &err);
    ard_store_close(s);
    if (!ok)
        return ard_cli_fail(cli, err);
    printf("%ld inserted, %ld updated, %ld unchanged\n", st.inserted, st.updated, st.unchanged);
    return 0;
}
