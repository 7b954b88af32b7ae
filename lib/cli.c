/* Shared command-line handling: common options, configuration loading, the
 * --date "today", and subcommands. Must never exit the process itself: it
 * returns the contract's exit status to main(). */
#include "cli.h"
#include "error.h"
#include "version.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *opt_config;
static char *opt_db;
static char **opt_overrides;
static char *opt_date;
static gboolean opt_version;

static const GOptionEntry common_entries[] = {
    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
     "Configuration file (default: conf/ardent.conf in a build tree, else "
     ARDENT_SYSCONFDIR "/ardent.conf)", "FILE"},
    {"db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db,
     "SQLite store to use, overriding store.path", "PATH"},
    {"option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &opt_overrides,
     "Override one configuration value (repeatable)", "GROUP.KEY=VALUE"},
    {"date", 0, 0, G_OPTION_ARG_STRING, &opt_date,
     "\"Today\" for anything that depends on the date", "YYYY-MM-DD"},
    {"version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* Does this option take a value in the next argument? */
static bool takes_value(const GOptionEntry *entries, const char *arg)
{
    if (entries == NULL)
        return false;
    for (const GOptionEntry *e = entries; e->long_name; e++) {
        if (e->arg == G_OPTION_ARG_NONE)
            continue;
        if (arg[1] == '-') {
            if (strcmp(arg + 2, e->long_name) == 0)
                return true;
        } else if (e->short_name && arg[1] == e->short_name && arg[2] == '\0') {
            return true;
        }
    }
    return false;
}

/* Index of the first argument that is not an option nor an option's value. */
static int find_command(int argc, char **argv, const ArdCommand *commands,
                        const GOptionEntry *extra)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return i + 1 < argc ? i + 1 : -1;
        if (a[0] != '-' || a[1] == '\0')
            return i;
        if (strchr(a, '='))
            continue;
        bool val = takes_value(common_entries, a) || takes_value(extra, a);
        for (const ArdCommand *c = commands; c && c->name && !val; c++)
            val = takes_value(c->options, a);
        if (val)
            i++;
    }
    return -1;
}

static char *default_config(void)
{
    /* In a build tree (build/ or build/san/) the configuration beside the
     * sources is the default; installed, the system one. */
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (exe) {
        char *dir = g_path_get_dirname(exe);
        for (int up = 1; up <= 2; up++) {
            char *cand = up == 1
                ? g_build_filename(dir, "..", "conf", "ardent.conf", NULL)
                : g_build_filename(dir, "..", "..", "conf", "ardent.conf", NULL);
            char *mk = up == 1 ? g_build_filename(dir, "..", "Makefile", NULL)
                               : g_build_filename(dir, "..", "..", "Makefile", NULL);
            bool hit = g_file_test(cand, G_FILE_TEST_IS_REGULAR) &&
                       g_file_test(mk, G_FILE_TEST_IS_REGULAR);
            g_free(mk);
            if (hit) {
                g_free(dir);
                g_free(exe);
                return cand;
            }
            g_free(cand);
        }
        g_free(dir);
        g_free(exe);
    }
    char *sys = g_build_filename(ARDENT_SYSCONFDIR, "ardent.conf", NULL);
    if (g_file_test(sys, G_FILE_TEST_IS_REGULAR))
        return sys;
    g_free(sys);
    return NULL;
}

static void reset_options(void)
{
    g_clear_pointer(&opt_config, g_free);
    g_clear_pointer(&opt_db, g_free);
    g_clear_pointer(&opt_overrides, g_strfreev);
    g_clear_pointer(&opt_date, g_free);
    opt_version = FALSE;
}

int ard_cli_fail(const ArdCli *cli, GError *err)
{
    int code = ard_error_exit_code(err);
    fprintf(stderr, "%s: %s\n", cli->prog, err ? err->message : "failed");
    if (err)
        g_error_free(err);
    return code ? code : ARD_EXIT_FAIL;
}

static ArdStore *open_store(const ArdCli *cli, bool create, int *rc)
{
    GError *err = NULL;
    ArdStore *s = create ? ard_store_open_config(cli->cfg, &err)
                         : ard_store_open_config_existing(cli->cfg, &err);
    if (s == NULL) {
        *rc = ard_cli_fail(cli, err);
        return NULL;
    }
    if (cli->date_given)
        ard_store_set_today(s, cli->today);
    return s;
}

ArdStore *ard_cli_open_store(const ArdCli *cli, int *rc)
{
    return open_store(cli, true, rc);
}

ArdStore *ard_cli_open_existing_store(const ArdCli *cli, int *rc)
{
    return open_store(cli, false, rc);
}

int ard_cli_usage(const ArdCli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\nTry '%s%s%s --help'.\n", cli->prog, msg, cli->prog,
            cli->command ? " " : "", cli->command ? cli->command : "");
    g_free(msg);
    return ARD_EXIT_USAGE;
}

/* The -o values, then --db as store.path, in the order they are applied. */
static char **collect_overrides(void)
{
    GPtrArray *o = g_ptr_array_new();
    for (char **p = opt_overrides; p && *p; p++)
        g_ptr_array_add(o, g_strdup(*p));
    if (opt_db)
        g_ptr_array_add(o, g_strconcat("store.path=", opt_db, NULL));
    g_ptr_array_add(o, NULL);
    return (char **)g_ptr_array_free(o, FALSE);
}

int ard_cli_main(int argc, char **argv, const char *prog, const char *summary,
                 const char *description, const ArdCommand *commands,
                 const GOptionEntry *extra, ArdCommandFn run_plain)
{
    ArdCli cli = {.prog = prog};
    const ArdCommand *cmd = NULL;
    int rc;

    if (commands) {
        int at = find_command(argc, argv, commands, extra);
        if (at > 0) {
            for (const ArdCommand *c = commands; c->name; c++)
                if (strcmp(c->name, argv[at]) == 0)
                    cmd = c;
            if (cmd == NULL) {
                fprintf(stderr, "%s: unknown command '%s'\nTry '%s --help'.\n",
                        prog, argv[at], prog);
                return ARD_EXIT_USAGE;
            }
            cli.command = cmd->name;
            /* drop the command word; GOption parses the rest */
            memmove(&argv[at], &argv[at + 1], sizeof(char *) * (size_t)(argc - at));
            argc--;
        }
    }

    GString *param = g_string_new(NULL);
    GString *desc = g_string_new(NULL);
    if (cmd) {
        g_string_printf(param, "%s%s%s", cmd->name, cmd->args ? " " : "",
                        cmd->args ? cmd->args : "");
        g_string_append(desc, cmd->summary);
    } else if (commands) {
        g_string_assign(param, "COMMAND [ARGS...]");
        g_string_append(desc, "Commands:\n");
        for (const ArdCommand *c = commands; c->name; c++)
            g_string_append_printf(desc, "  %-10s %s\n", c->name, c->summary);
        g_string_append_printf(desc, "\n'%s COMMAND --help' shows a command's options.", prog);
    }
    if (description) {
        if (desc->len)
            g_string_append(desc, "\n\n");
        g_string_append(desc, description);
    }

    GOptionContext *ctx = g_option_context_new(param->str);
    g_option_context_set_summary(ctx, summary);
    g_option_context_set_description(ctx, desc->str);
    g_option_context_add_main_entries(ctx, common_entries, NULL);
    if (extra)
        g_option_context_add_main_entries(ctx, extra, NULL);
    if (cmd && cmd->options)
        g_option_context_add_main_entries(ctx, cmd->options, NULL);
    g_string_free(param, TRUE);
    g_string_free(desc, TRUE);

    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = ard_cli_usage(&cli, "%s", err->message);
        g_error_free(err);
        goto out;
    }
    if (opt_version) {
        printf("%s %s\n", prog, ARDENT_VERSION);
        rc = ARD_EXIT_OK;
        goto out;
    }
    if (commands && cmd == NULL) {
        char *help = g_option_context_get_help(ctx, TRUE, NULL);
        fprintf(stderr, "%s", help);
        g_free(help);
        rc = ARD_EXIT_USAGE;
        goto out;
    }

    char *path = opt_config ? g_strdup(opt_config) : default_config();
    if (opt_config && !g_file_test(opt_config, G_FILE_TEST_IS_REGULAR)) {
        rc = ard_cli_usage(&cli, "configuration file %s: no such file", opt_config);
        g_free(path);
        goto out;
    }
    cli.cfg = ard_config_load(path, (const char *const *)opt_overrides, &err);
    g_free(path);
    if (cli.cfg == NULL) {
        rc = ard_cli_fail(&cli, err);
        goto out;
    }
    if (opt_db && !ard_config_set(cli.cfg, "store", "path", opt_db, &err)) {
        rc = ard_cli_fail(&cli, err);
        goto out;
    }
    if (opt_date) {
        if (!ard_day_parse(opt_date, &cli.today)) {
            rc = ard_cli_usage(&cli, "--date %s: expected an existing YYYY-MM-DD date", opt_date);
            goto out;
        }
        cli.date_given = true;
    } else {
        cli.today = ard_day_today(NULL);
    }
    cli.argc = argc;
    cli.argv = argv;
    cli.overrides = collect_overrides();
    rc = cmd ? cmd->run(&cli) : run_plain(&cli);

out:
    ard_config_free(cli.cfg);
    g_strfreev(cli.overrides);
    g_option_context_free(ctx);
    reset_options();
    return rc;
}
