/* The options every ardent program shares (-c, --db, -o, --date, --help,
 * --version) and subcommand dispatch, with options allowed before or after
 * the subcommand. */
#ifndef ARDENT_CLI_H
#define ARDENT_CLI_H
#include <glib.h>
#include "config.h"
#include "date.h"
#include "store.h"

typedef struct ArdCli {
    const char *prog;        /* "ardentctl" */
    const char *command;     /* the subcommand, or NULL */
    ArdConfig *cfg;          /* loaded configuration, --db and -o applied */
    ArdDay today;            /* --date, or the real date */
    bool date_given;
    /* What cfg was loaded with: each -o as given, then store.path=--db, so
     * that a program loading the configuration again (the milter on
     * SIGUSR1) applies the same overrides in the same order. */
    char **overrides;
    int argc;                /* what is left after options and subcommand */
    char **argv;             /* argv[0] is the program name */
} ArdCli;

typedef int (*ArdCommandFn)(ArdCli *cli);

typedef struct {
    const char *name;          /* NULL ends the table */
    const char *args;          /* "KIND FILE.csv" for --help */
    const char *summary;
    const GOptionEntry *options; /* the command's own options, or NULL */
    ArdCommandFn run;
} ArdCommand;

/* Parses argv, loads the configuration and runs the subcommand (or, with
 * commands == NULL, run_plain with extra options). Returns the exit status
 * of the contract: 0, 1 work failed, 2 bad usage. */
int ard_cli_main(int argc, char **argv, const char *prog, const char *summary,
                 const char *description, const ArdCommand *commands,
                 const GOptionEntry *extra, ArdCommandFn run_plain);

/* Prints "prog: message" to stderr and returns the exit code for err. */
int ard_cli_fail(const ArdCli *cli, GError *err);
/* The configured store (--db, store.path), with --date's day as its today.
 * NULL means the error is printed and *rc is the exit status to return.
 * ard_cli_open_store creates a missing store, for commands that write;
 * ard_cli_open_existing_store, for commands that only read, refuses one, so
 * that a mistyped --db is not an empty answer. */
ArdStore *ard_cli_open_store(const ArdCli *cli, int *rc);
ArdStore *ard_cli_open_existing_store(const ArdCli *cli, int *rc);
/* Prints "prog: message" to stderr and returns 2. */
int ard_cli_usage(const ArdCli *cli, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif
