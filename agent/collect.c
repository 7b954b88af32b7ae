/* report and digest: what collectors read. Placeholder until written. */
#include "agent.h"
#include <stdio.h>
int agent_report(ArdCli *cli, const char *format) { (void)format; fprintf(stderr, "%s: report: not yet\n", cli->prog); return 1; }
int agent_digest(ArdCli *cli, const char *maildir) { (void)maildir; fprintf(stderr, "%s: digest: not yet\n", cli->prog); return 1; }
