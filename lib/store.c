/* Opening, migrating and locking the SQLite store; the statement cache and
 * the append-only event log. Must never build SQL from values: every value
 * is bound to a prepared statement. */
#include "store_int.h"
#include "error.h"
#include <string.h>

/* The everyday page cache: 32 MiB (negative: KiB). */
#define STORE_CACHE_SIZE "-32768"

static void finalize_stmt(gpointer st)
{
    sqlite3_finalize(st);
}

int ard_store_schema_version(void)
{
    int n = 0;
    while (ard_store_migrations[n])
        n++;
    return n;
}

/* SQLite's message, with the operating system's reason where there is one:
 * "disk I/O error" alone does not tell an admin that the disk is full or the
 * folder read-only. */
static char *describe(sqlite3 *db, const char *msg)
{
    int code = sqlite3_errcode(db) & 0xff;
    int os = sqlite3_system_errno(db);
    if (os > 0 && (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN ||
                   code == SQLITE_READONLY || code == SQLITE_PERM))
        return g_strdup_printf("%s (%s)", msg, g_strerror(os));
    return g_strdup(msg);
}

void ard_store_set_error(ArdStore *store, GError **error, const char *what)
{
    int code = sqlite3_errcode(store->db);
    int kind = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? ARD_ERROR_BUSY : ARD_ERROR_FAILED;
    char *m = describe(store->db, sqlite3_errmsg(store->db));
    g_set_error(error, ARD_ERROR, kind, "%s: %s: %s", store->path, what, m);
    g_free(m);
}

sqlite3_stmt *ard_store_stmt(ArdStore *store, const char *sql, GError **error)
{
    sqlite3_stmt *st = g_hash_table_lookup(store->stmts, sql);
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        ard_store_set_error(store, error, "preparing a statement");
        return NULL;
    }
    g_hash_table_insert(store->stmts, (gpointer)sql, st);
    return st;
}

void ard_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v == NULL || *v == '\0')
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

const char *ard_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

bool ard_store_exec_stmt(ArdStore *store, sqlite3_stmt *st, GError **error)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        ard_store_set_error(store, error, "writing");
        sqlite3_reset(st);
        return false;
    }
    sqlite3_reset(st);
    return true;
}

bool ard_store_exec_changed(ArdStore *store, sqlite3_stmt *st, bool *changed, GError **error)
{
    if (!ard_store_exec_stmt(store, st, error))
        return false;
    *changed = sqlite3_changes(store->db) > 0;
    return true;
}

bool ard_store_ensure_dunning(ArdStore *store, const char *customer, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(store,
        "INSERT INTO dunning (customer_id) VALUES (?) ON CONFLICT (customer_id) DO NOTHING", error);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    return ard_store_exec_stmt(store, st, error);
}

static bool exec(ArdStore *store, const char *sql, GError **error)
{
    char *msg = NULL;
    if (sqlite3_exec(store->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = sqlite3_errcode(store->db);
        char *m = describe(store->db, msg ? msg : sqlite3_errstr(code));
        g_set_error(error, ARD_ERROR,
                    (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? ARD_ERROR_BUSY : ARD_ERROR_FAILED,
                    "%s: %s", store->path, m);
        g_free(m);
        sqlite3_free(msg);
        return false;
    }
    return true;
}

/* An integer PRAGMA's value (user_version, schema_version). */
static bool pragma_int(ArdStore *store, const char *sql, const char *what, int *v,
                       GError **error)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK) {
        ard_store_set_error(store, error, what);
        return false;
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        ard_store_set_error(store, error, what);
        sqlite3_finalize(st);
        return false;
    }
    *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return true;
}

static bool user_version(ArdStore *store, int *v, GError **error)
{
    return pragma_int(store, "PRAGMA user_version", "reading the schema version", v, error);
}

/* Moves the schema cookie on, so that every connection, this one included,
 * reads the schema again before its next statement: a step that edits
 * sqlite_schema's text is not noticed by SQLite otherwise. */
static bool bump_schema_cookie(ArdStore *store, GError **error)
{
    int cookie;
    if (!pragma_int(store, "PRAGMA schema_version", "reading the schema cookie", &cookie, error))
        return false;
    char pragma[64];
    g_snprintf(pragma, sizeof pragma, "PRAGMA schema_version = %d", cookie + 1);
    return exec(store, pragma, error);
}

static bool migrate(ArdStore *store, GError **error)
{
    int have, want = ard_store_schema_version();
    if (!user_version(store, &have, error))
        return false;
    if (have > want) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_VERSION,
                    "%s: the store has schema version %d, newer than this "
                    "program's %d; use a newer ardent", store->path, have, want);
        return false;
    }
    if (have == want)
        return true;
    /* Take the write lock, then look again: another process may have
     * migrated while we waited. */
    if (!exec(store, "BEGIN IMMEDIATE", error))
        return false;
    if (!user_version(store, &have, error))
        goto fail;
    for (int v = have; v < want; v++) {
        if (!exec(store, ard_store_migrations[v], error) || !bump_schema_cookie(store, error))
            goto fail;
        char pragma[64];
        g_snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (!exec(store, pragma, error))
            goto fail;
    }
    if (have < want) {
        char *reason = g_strdup_printf("store schema upgraded from version %d to %d", have, want);
        bool ok = ard_store_event(store, NULL, "system", "migrate", reason, error);
        g_free(reason);
        if (!ok)
            goto fail;
    }
    return exec(store, "COMMIT", error);
fail:
    sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return false;
}

static gpointer configure_sqlite(gpointer unused)
{
    (void)unused;
    /* Memory statistics cost a mutex on every allocation; ardent never reads
     * them. Must run before SQLite initialises. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return NULL;
}

/* SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ... ms between
 * tries. Writing one reply takes well under a millisecond, so the milter's
 * threads slept many times longer than the writer ahead of them held the
 * lock (a session kept open for ~20 ms per message on the bench). Here a
 * try comes after 100 µs, doubling to 3.2 ms at most, until the timeout. */
static int busy_wait(void *arg, int count)
{
    ArdStore *store = arg;
    gint64 now = g_get_monotonic_time();
    if (count == 0)
        store->busy_since = now;
    if (now - store->busy_since >= (gint64)store->busy_timeout_ms * 1000)
        return 0;
    g_usleep((gulong)100 << MIN(count, 5));
    return 1;
}

/* create false: a missing store file is an error naming it, so that a
 * command that only reads never leaves an empty store (and its folder) behind
 * a mistyped --db. */
static ArdStore *store_open(const char *path, int busy_timeout_ms, bool create, GError **error)
{
    if (!create && !g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED,
                    "%s: no such store (check --db or store.path; an import creates it)", path);
        return NULL;
    }
    static GOnce once = G_ONCE_INIT;
    g_once(&once, configure_sqlite, NULL);

    ArdStore *store = g_new0(ArdStore, 1);
    store->path = g_strdup(path);
    store->today = ARD_DAY_NONE;
    store->now_secs = -1;
    store->event_text = g_string_new(NULL);
    store->stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                         finalize_stmt);
    char *dir = g_path_get_dirname(path);
    if (create && g_mkdir_with_parents(dir, 0750) != 0) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "%s: cannot create folder %s: %s",
                    path, dir, g_strerror(errno));
        g_free(dir);
        ard_store_close(store);
        return NULL;
    }
    g_free(dir);
    int rc = sqlite3_open_v2(path, &store->db,
                             SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                                 SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        char *m = store->db ? describe(store->db, sqlite3_errmsg(store->db))
                            : g_strdup(sqlite3_errstr(rc));
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "%s: %s", path, m);
        g_free(m);
        ard_store_close(store);
        return NULL;
    }
    store->busy_timeout_ms = busy_timeout_ms;
    sqlite3_busy_handler(store->db, busy_wait, store);
    sqlite3_extended_result_codes(store->db, 0);
    if (!exec(store, "PRAGMA journal_mode = WAL", error) ||
        !exec(store, "PRAGMA foreign_keys = ON", error) ||
        !exec(store, "PRAGMA synchronous = NORMAL", error) ||
        !exec(store, "PRAGMA cache_size = " STORE_CACHE_SIZE, error) ||
        !migrate(store, error)) {
        ard_store_close(store);
        return NULL;
    }
    return store;
}

ArdStore *ard_store_open(const char *path, int busy_timeout_ms, GError **error)
{
    return store_open(path, busy_timeout_ms, true, error);
}

ArdStore *ard_store_open_existing(const char *path, int busy_timeout_ms, GError **error)
{
    return store_open(path, busy_timeout_ms, false, error);
}

static ArdStore *open_config(const ArdConfig *cfg, bool create, GError **error)
{
    ArdStore *s = store_open(ard_config_path(cfg, "store", "path"),
                             (int)ard_config_int(cfg, "store", "busy_timeout_ms"), create, error);
    /* full: every commit waits for an fsync of the WAL, so a reply the milter
     * has recorded survives a power loss too; normal (the default) survives
     * any crash of ardent or of Postfix but not of the machine. */
    if (s && strcmp(ard_config_string(cfg, "store", "synchronous"), "full") == 0 &&
        !exec(s, "PRAGMA synchronous = FULL", error)) {
        ard_store_close(s);
        return NULL;
    }
    return s;
}

ArdStore *ard_store_open_config(const ArdConfig *cfg, GError **error)
{
    return open_config(cfg, true, error);
}

ArdStore *ard_store_open_config_existing(const ArdConfig *cfg, GError **error)
{
    return open_config(cfg, false, error);
}

void ard_store_close(ArdStore *store)
{
    if (store == NULL)
        return;
    g_hash_table_destroy(store->stmts);
    if (store->db)
        sqlite3_close(store->db);
    g_free(store->path);
    g_free(store->deferred_index);
    g_string_free(store->event_text, TRUE);
    g_free(store);
}

void ard_store_set_today(ArdStore *store, ArdDay today)
{
    store->today = today;
    store->now_secs = -1;
}

char *ard_store_now(const ArdStore *store)
{
    GDateTime *now = ard_now_on(store ? store->today : ARD_DAY_NONE);
    char *s = ard_time_iso(now);
    g_date_time_unref(now);
    return s;
}

const char *ard_store_now_cached(ArdStore *store)
{
    gint64 secs = g_get_real_time() / G_USEC_PER_SEC;
    if (secs != store->now_secs) {
        char *s = ard_store_now(store);
        g_strlcpy(store->now_text, s, sizeof store->now_text);
        g_free(s);
        store->now_secs = secs;
    }
    return store->now_text;
}

bool ard_store_foreign_keys(ArdStore *store, bool on, GError **error)
{
    return exec(store, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", error);
}

static bool flush_events(ArdStore *store, GError **error);

/* The page cache an import may fill: its random reads of the invoices'
 * customer index and rows (payment allocation) miss the everyday cache
 * once a store holds about a million invoices. A fixed bound, whatever the
 * size of the file or of the store. KiB, as PRAGMA cache_size takes it. */
#define IMPORT_CACHE_KIB "262144"

bool ard_store_import_begin(ArdStore *store, GError **error)
{
    /* Every value the import writes into a CHECKed column (status, segment,
     * cause) is validated before; with SQLite 3.40 each IN (...) CHECK costs
     * a temporary b-tree per row. Flag pragmas expire the prepared
     * statements, so the cached ones are compiled again either way. */
    if (!ard_store_foreign_keys(store, false, error) ||
        !exec(store, "PRAGMA ignore_check_constraints = ON", error) ||
        !exec(store, "PRAGMA cache_size = -" IMPORT_CACHE_KIB, error) ||
        !ard_store_begin(store, error)) {
        ard_store_import_end(store, false, NULL);
        return false;
    }
    store->hold_events = true;
    return true;
}

bool ard_store_import_end(ArdStore *store, bool commit, GError **error)
{
    bool ok = !commit || (flush_events(store, error) && ard_store_commit(store, error));
    ard_store_rollback(store);
    store->hold_events = false;
    store->nevents = 0;
    g_string_truncate(store->event_text, 0);
    /* A rolled-back import's dropped index is back with the rollback. */
    g_free(store->deferred_index);
    store->deferred_index = NULL;
    exec(store, "PRAGMA cache_size = " STORE_CACHE_SIZE, NULL);
    exec(store, "PRAGMA ignore_check_constraints = OFF", NULL);
    ard_store_foreign_keys(store, true, NULL);
    return ok;
}

bool ard_store_begin(ArdStore *store, GError **error)
{
    return exec(store, "BEGIN IMMEDIATE", error);
}

bool ard_store_commit(ArdStore *store, GError **error)
{
    if (exec(store, "COMMIT", error))
        return true;
    ard_store_rollback(store);
    return false;
}

void ard_store_rollback(ArdStore *store)
{
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

#define EVENT_INSERT "INSERT INTO events (customer_id, at, cause, kind, reason) VALUES "
#define EVENT_ROW "(?,?,?,?,?)"
#define EVENT_ROWS4 EVENT_ROW "," EVENT_ROW "," EVENT_ROW "," EVENT_ROW
G_STATIC_ASSERT(ARD_EVENT_BATCH == 16);

static void bind_event(sqlite3_stmt *st, int first, const char *customer, const char *at,
                       const char *cause, const char *kind, const char *reason)
{
    if (customer && *customer)
        sqlite3_bind_text(st, first, customer, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, first);
    sqlite3_bind_text(st, first + 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 2, cause, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 4, reason, -1, SQLITE_STATIC);
}

bool ard_store_insert_rows(ArdStore *store, const char *row_sql, const char *batch_sql,
                           int batch, int cols, int n, ArdBindRow bind, const void *rows,
                           int *changes, GError **error)
{
    int written = 0;
    if (n == batch) {
        sqlite3_stmt *st = ard_store_stmt(store, batch_sql, error);
        if (st == NULL)
            return false;
        for (int i = 0; i < n; i++)
            bind(st, i * cols + 1, rows, i);
        if (!ard_store_exec_stmt(store, st, error))
            return false;
        written = sqlite3_changes(store->db);
    } else {
        for (int i = 0; i < n; i++) {
            sqlite3_stmt *st = ard_store_stmt(store, row_sql, error);
            if (st == NULL)
                return false;
            bind(st, 1, rows, i);
            if (!ard_store_exec_stmt(store, st, error))
                return false;
            written += sqlite3_changes(store->db);
        }
    }
    if (changes)
        *changes = written;
    return true;
}

static void bind_held_event(sqlite3_stmt *st, int first, const void *rows, int i)
{
    const ArdStore *store = rows;
    const char *t = store->event_text->str;
    bind_event(st, first, store->events[i].customer < 0 ? NULL : t + store->events[i].customer,
               t + store->events[i].at, t + store->events[i].cause, t + store->events[i].kind,
               t + store->events[i].reason);
}

/* The held events, in order (an import writes an event per customer and
 * per payment). */
static bool flush_events(ArdStore *store, GError **error)
{
    int n = store->nevents;
    store->nevents = 0;
    bool ok = ard_store_insert_rows(store, EVENT_INSERT EVENT_ROW,
                                    EVENT_INSERT EVENT_ROWS4 "," EVENT_ROWS4 ","
                                    EVENT_ROWS4 "," EVENT_ROWS4,
                                    ARD_EVENT_BATCH, 5, n, bind_held_event, store, NULL, error);
    g_string_truncate(store->event_text, 0);
    return ok;
}

/* Offset of a NUL-terminated copy of s in the held events' text. */
static gsize keep(GString *text, const char *s)
{
    gsize at = text->len;
    g_string_append_len(text, s, (gssize)strlen(s) + 1);
    return at;
}

bool ard_store_event(ArdStore *store, const char *customer, const char *cause,
                     const char *kind, const char *reason, GError **error)
{
    if (store->hold_events) {
        GString *t = store->event_text;
        int i = store->nevents++;
        store->events[i].customer = customer && *customer ? (gssize)keep(t, customer) : -1;
        store->events[i].at = keep(t, ard_store_now_cached(store));
        store->events[i].cause = keep(t, cause);
        store->events[i].kind = keep(t, kind);
        store->events[i].reason = keep(t, reason);
        return store->nevents < ARD_EVENT_BATCH || flush_events(store, error);
    }
    sqlite3_stmt *st = ard_store_stmt(store, EVENT_INSERT EVENT_ROW, error);
    if (st == NULL)
        return false;
    bind_event(st, 1, customer, ard_store_now_cached(store), cause, kind, reason);
    return ard_store_exec_stmt(store, st, error);
}

bool ard_store_last_import(ArdStore *store, const char *kind, char **at, GError **error)
{
    sqlite3_stmt *st = ard_store_stmt(store,
        "SELECT max(at) FROM imports WHERE kind = ?", error);
    if (st == NULL)
        return false;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        ard_store_set_error(store, error, "reading imports");
        return false;
    }
    *at = g_strdup(ard_col_text(st, 0));
    sqlite3_reset(st);
    return true;
}
