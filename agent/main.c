/* ardent-agent: the nightly batch (plan, run, report, digest).
 * The commands arrive with the agent work; until then it only answers
 * --help and --version truthfully. */
#include "cli.h"
#include <stdio.h>

static int not_yet(ArdCli *cli)
{
    fprintf(stderr, "%s: %s is not implemented in this version\n", cli->prog, cli->command);
    return 1;
}

static const ArdCommand commands[] = {
    {"plan", NULL, "Print each customer's decision as JSON, changing nothing", NULL, not_yet},
    {NULL, NULL, NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
    return ard_cli_main(argc, argv, "ardent-agent", "ardent's nightly dunning batch.", NULL,
                        commands, NULL, NULL);
}
