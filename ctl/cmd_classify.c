/* ardentctl classify: the contract's JSON line for each raw reply (- is
 * stdin), as the milter would read it. Must never touch the store: this is
 * the reading only, no matching and no account changes. */
#include "ctl.h"
#include "analyze.h"
#include "error.h"
#include <stdio.h>

int ctl_classify(ArdCli *cli)
{
    if (cli->argc < 2)
        return ard_cli_usage(cli, "classify needs at least one FILE.eml (- for stdin)");
    GError *err = NULL;
    ArdModels *models = ard_models_load_config(cli->cfg, &err);
    if (models == NULL)
        return ard_cli_fail(cli, err);
    long long max = ard_config_int(cli->cfg, "milter", "max_message_bytes");
    ArdAnalyzeOptions opt = {
        .max_bytes = max > 0 ? (size_t)max : 0,
        .today = cli->today,
        .payment_run_weekday = 5,
    };
    int rc = 0;
    for (int i = 1; i < cli->argc; i++) {
        gsize len = 0;
        char *data = ctl_read_input(cli->argv[i], &len, &err);
        if (data == NULL) {
            fprintf(stderr, "%s: %s\n", cli->prog, err->message);
            g_clear_error(&err);
            rc = ARD_EXIT_USAGE;
            continue;
        }
        ArdAnalysis *a = ard_analyze(models, data, len, &opt);
        g_free(data);
        JsonObject *o = ard_analysis_json(a, cli->argv[i]);
        ctl_print_json(o);
        json_object_unref(o);
        ard_analysis_free(a);
    }
    ard_models_free(models);
    return rc;
}
