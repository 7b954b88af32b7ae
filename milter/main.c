/* ardent-milter: the mail-gateway filter. The daemon arrives with the milter
 * work; until then it only answers --help and --version truthfully. */
#include "cli.h"
#include <stdio.h>

static int run(ArdCli *cli)
{
    fprintf(stderr, "%s: the filter is not implemented in this version\n", cli->prog);
    return 1;
}

int main(int argc, char **argv)
{
    return ard_cli_main(argc, argv, "ardent-milter", "ardent's mail filter for Postfix and sendmail.",
                        NULL, NULL, NULL, run);
}
