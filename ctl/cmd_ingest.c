/* ardentctl ingest: runs on files exactly what the milter runs at
 * end-of-message (lib/ingest) and prints what happened. Must never do
 * anything the milter would not. */
#include "ctl.h"
#include "ingest.h"
#include <stdio.h>

int ctl_ingest(ArdCli *cli)
{
    if (cli->argc < 2)
        return ard_cli_usage(cli, "ingest needs at least one FILE.eml (- for stdin)");
    GError *err = NULL;
    ArdIngestCtx *ctx = ard_ingest_ctx_new(cli->cfg, &err);
    if (!ctx)
        return ard_cli_fail(cli, err);
    int rc = 0;
    ArdStore *s = ard_cli_open_store(cli, &rc);
    if (!s) {
        ard_ingest_ctx_free(ctx);
        return rc;
    }
    for (int i = 1; i < cli->argc; i++) {
        const char *path = cli->argv[i];
        gsize len = 0;
        char *data = ctl_read_input(path, &len, &err);
        if (data == NULL) {
            fprintf(stderr, "%s: %s\n", cli->prog, err->message);
            g_clear_error(&err);
            rc = 2;
            continue;
        }
        ArdIngestOpts o = {.file = path, .json = true,
                           .today = cli->date_given ? cli->today : ARD_DAY_NONE};
        ArdIngestResult r;
        if (ard_ingest(ctx, s, data, len, &o, &r, &err)) {
            ctl_print_json(r.json);
            ard_ingest_result_clear(&r);
        } else {
            fprintf(stderr, "%s: %s: %s\n", cli->prog, path, err->message);
            g_clear_error(&err);
            rc = rc ? rc : 1;
        }
        g_free(data);
    }
    ard_store_close(s);
    ard_ingest_ctx_free(ctx);
    return rc;
}
