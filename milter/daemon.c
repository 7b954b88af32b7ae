/* ardent-milter's daemon plumbing: options, configuration check, socket,
 * privileges, pid file, syslog, and signals (SIGUSR1 reloads; libmilter's
 * own signal thread turns SIGTERM and SIGHUP into a stop). Must never keep
 * root after the socket is open, and never start with a configuration it
 * has not fully checked. */
#include "milter.h"
#include "cli.h"
#include "error.h"
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

static char *opt_socket;
static gboolean opt_foreground, opt_check;
static char **reload_overrides;   /* -o and --db, anchored, for each load */
static bool foreground;

static const GOptionEntry milter_options[] = {
    {"socket", 'p', 0, G_OPTION_ARG_STRING, &opt_socket,
     "Listen here (inet:PORT@HOST or unix:/path), overriding milter.socket", "SOCKET"},
    {"foreground", 'f', 0, G_OPTION_ARG_NONE, &opt_foreground,
     "Stay in the foreground and log to stderr too", NULL},
    {"check", 'n', 0, G_OPTION_ARG_NONE, &opt_check,
     "Check the configuration and models, then exit", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

void milter_log(int prio, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    syslog(prio, "%s", msg);
    if (foreground)
        fprintf(stderr, "ardent-milter: %s\n", msg);
    g_free(msg);
}

/* libmilter writes each header change and then the reply to end-of-message
 * as separate small packets. On a TCP socket Nagle's algorithm holds the
 * second one until the MTA acknowledges the first, and the MTA delays that
 * acknowledgement while it waits for the reply: every message stalls for
 * the delayed-ACK time (measured: a null milter on inet kept 0.26 of
 * Postfix's rate, 0.62 with this). libmilter hides its listening socket, so
 * it is found among our descriptors (nothing else of ours listens yet);
 * Linux copies TCP_NODELAY to every connection accepted from it.
 * Returns how many listening TCP sockets were set. */
static int set_nodelay_on_listener(void)
{
    int set = 0;
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 4096)
        max = 4096;
    for (int fd = 0; fd < (int)max; fd++) {
        int listening = 0, type = 0, on = 1;
        socklen_t len = sizeof listening;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening)
            continue;
        struct sockaddr_storage sa;
        socklen_t salen = sizeof sa;
        len = sizeof type;
        if (getsockname(fd, (struct sockaddr *)&sa, &salen) != 0 ||
            (sa.ss_family != AF_INET && sa.ss_family != AF_INET6) ||
            getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM)
            continue;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0)
            set++;
    }
    return set;
}

static int facility(const char *name)
{
    static const struct { const char *n; int f; } map[] = {
        {"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
        {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
        if (strcmp(map[i].n, name) == 0)
            return map[i].f;
    return LOG_MAIL;
}

/* "unix:PATH" or "local:PATH" with a relative PATH made absolute against
 * base; any other socket (or an empty PATH, to be refused) as it is. */
static char *anchor_socket(const char *sock, const char *base)
{
    const char *colon = strchr(sock, ':');
    bool local = g_str_has_prefix(sock, "unix:") || g_str_has_prefix(sock, "local:");
    if (!local || !colon[1] || g_path_is_absolute(colon + 1))
        return g_strdup(sock);
    char *abs = g_canonicalize_filename(colon + 1, base);
    char *out = g_strdup_printf("%.*s:%s", (int)(colon - sock), sock, abs);
    g_free(abs);
    return out;
}

/* One -o (or --db) with a relative path, or unix socket, made absolute
 * against cwd. Done once at start: the user typed it relative to the
 * directory they were in, and once detached the milter's is "/". Anything
 * malformed is left for the configuration to report. */
static char *anchor_override(const char *o, const char *cwd)
{
    const char *eq = strchr(o, '=');
    if (!eq)
        return g_strdup(o);
    char *name = g_strndup(o, (size_t)(eq - o));
    const char *v = eq + 1;
    char *abs = NULL;
    if (strcmp(name, "milter.socket") == 0)
        abs = anchor_socket(v, cwd);
    else if (*v && !g_path_is_absolute(v) && ard_config_is_path_key(name))
        abs = g_canonicalize_filename(v, cwd);
    char *out = abs ? g_strconcat(name, "=", abs, NULL) : g_strdup(o);
    g_free(abs);
    g_free(name);
    return out;
}

/* The overrides the command line loaded the configuration with, anchored
 * to cwd, to load it again the same way now and on every reload. */
static char **anchor_overrides(char *const *overrides, const char *cwd)
{
    GPtrArray *o = g_ptr_array_new();
    for (char *const *p = overrides; p && *p; p++)
        g_ptr_array_add(o, anchor_override(*p, cwd));
    g_ptr_array_add(o, NULL);
    return (char **)g_ptr_array_free(o, FALSE);
}

/* Where to listen: -p against cwd, milter.socket from the file against the
 * file's folder (from -o it is absolute already). */
static char *listen_socket(const ArdConfig *cfg, const char *cwd)
{
    if (opt_socket)
        return anchor_socket(opt_socket, cwd);
    const char *file = ard_config_file(cfg);
    char *dir = file ? g_path_get_dirname(file) : g_strdup(cwd);
    char *sock = anchor_socket(ard_config_string(cfg, "milter", "socket"), dir);
    g_free(dir);
    return sock;
}

static const char *config_path;

static void *reload_thread(void *arg)
{
    sigset_t *set = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0 || sig != SIGUSR1)
            continue;
        GError *err = NULL;
        MilterCtx *c = milter_ctx_load(config_path, (const char *const *)reload_overrides, &err);
        if (!c) {
            milter_log(LOG_ERR, "reload failed, keeping the running configuration: %s",
                       err->message);
            g_error_free(err);
            continue;
        }
        milter_ctx_install(c);
        milter_log(LOG_INFO, "configuration and models reloaded (generation %u)", c->generation);
    }
    return NULL;
}

static bool drop_privileges(const char *user, GError **error)
{
    if (!user || !*user)
        return true;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "milter.user: no user \"%s\"", user);
        return false;
    }
    if (getuid() == pw->pw_uid)
        return true;
    if (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "cannot become %s: %s", user,
                    g_strerror(errno));
        return false;
    }
    if (setuid(0) == 0) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "privileges could not be dropped");
        return false;
    }
    return true;
}

static bool write_pid(const char *path, GError **error)
{
    if (!path || !*path)
        return true;
    char *pid = g_strdup_printf("%ld\n", (long)getpid());
    bool ok = g_file_set_contents(path, pid, -1, error);
    g_free(pid);
    return ok;
}

ArdDay milter_today = ARD_DAY_NONE;

static int run(ArdCli *cli)
{
    if (cli->argc > 1)
        return ard_cli_usage(cli, "unexpected argument %s", cli->argv[1]);
    if (opt_socket && !milter_socket_valid(opt_socket))
        return ard_cli_usage(cli, "-p %s: " MILTER_SOCKET_FORMS, opt_socket);
    config_path = ard_config_file(cli->cfg);
    if (cli->date_given)
        milter_today = cli->today;
    char *cwd = g_get_current_dir();
    reload_overrides = anchor_overrides(cli->overrides, cwd);
    GError *err = NULL;
    MilterCtx *c = milter_ctx_load(config_path, (const char *const *)reload_overrides, &err);
    if (!c) {
        g_free(cwd);
        return ard_cli_fail(cli, err);
    }
    char *sock = listen_socket(c->cfg, cwd);
    g_free(cwd);
    if (opt_check) {
        printf("%s: configuration %s and models are valid\n", cli->prog,
               config_path ? config_path : "(built-in defaults)");
        milter_ctx_release(c);
        g_free(sock);
        return 0;
    }
    foreground = opt_foreground;
    openlog("ardent-milter", LOG_PID | LOG_NDELAY,
            facility(ard_config_string(c->cfg, "milter", "syslog_facility")));

    /* SIGUSR1 is taken by our own thread; SIGTERM, SIGHUP and SIGINT by
     * libmilter's. Blocked here, before any thread exists, so that neither
     * reaches a connection thread or the reload thread. */
    static sigset_t set;
    sigset_t all;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    all = set;
    sigaddset(&all, SIGTERM);
    sigaddset(&all, SIGHUP);
    sigaddset(&all, SIGINT);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = 1;
    char *pid_file = g_strdup(ard_config_path(c->cfg, "milter", "pid_file"));
    if (smfi_setconn(sock) == MI_FAILURE ||
        smfi_settimeout((int)ard_config_int(c->cfg, "milter", "timeout")) == MI_FAILURE ||
        smfi_register(milter_desc) == MI_FAILURE) {
        fprintf(stderr, "%s: cannot set up the milter on %s\n", cli->prog, sock);
        goto out;
    }
    mode_t old = umask((mode_t)strtol(ard_config_string(c->cfg, "milter", "umask"), NULL, 8));
    int opened = smfi_opensocket(true);
    umask(old);
    if (opened == MI_FAILURE) {
        fprintf(stderr, "%s: cannot listen on %s\n", cli->prog, sock);
        goto out;
    }
    bool tcp = g_str_has_prefix(sock, "inet:") || g_str_has_prefix(sock, "inet6:");
    if (tcp && set_nodelay_on_listener() == 0)
        fprintf(stderr, "%s: warning: could not switch off Nagle's algorithm on %s; "
                "expect a delay per message\n", cli->prog, sock);
    if (!drop_privileges(ard_config_string(c->cfg, "milter", "user"), &err)) {
        rc = ard_cli_fail(cli, err);
        goto out;
    }
    if (!opt_foreground && daemon(0, 0) != 0) {
        fprintf(stderr, "%s: cannot detach: %s\n", cli->prog, g_strerror(errno));
        goto out;
    }
    if (!write_pid(pid_file, &err)) {
        milter_log(LOG_ERR, "%s", err->message);
        g_clear_error(&err);
    }
    milter_ctx_install(c);
    c = NULL;
    pthread_t th;
    pthread_create(&th, NULL, reload_thread, &set);
    pthread_detach(th);
    milter_log(LOG_INFO, "listening on %s", sock);
    int r = smfi_main();
    /* The listener has stopped; let the messages in flight finish. */
    int timeout = 30;
    MilterCtx *cur = milter_ctx_acquire();
    if (cur) {
        timeout = (int)ard_config_int(cur->cfg, "milter", "timeout");
        milter_ctx_release(cur);
    }
    milter_wait_idle(timeout);
    milter_log(LOG_INFO, "stopped (%d connections still open)", milter_open_connections());
    milter_ctx_shutdown();
    if (pid_file && *pid_file)
        unlink(pid_file);
    rc = r == MI_SUCCESS ? 0 : 1;
out:
    milter_ctx_release(c);
    g_free(pid_file);
    g_free(sock);
    closelog();
    return rc;
}

int main(int argc, char **argv)
{
    int rc = ard_cli_main(argc, argv, "ardent-milter",
                          "ardent's mail filter for Postfix and sendmail.",
                          "SIGUSR1 reloads configuration and models; SIGTERM finishes the "
                          "messages in flight and stops.\n"
                          "Exit status: 0 success, 1 failure, 2 bad usage or configuration.",
                          NULL, milter_options, run);
    g_strfreev(reload_overrides);
    g_free(opt_socket);
    return rc;
}
