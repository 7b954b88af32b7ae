/* Private to the store files: the connection and the statement cache. */
#ifndef ARDENT_STORE_INT_H
#define ARDENT_STORE_INT_H
#include <sqlite3.h>
#include "store.h"

enum { ARD_EVENT_BATCH = 16 };

struct ArdStore {
    sqlite3 *db;
    char *path;
    GHashTable *stmts;   /* SQL text (static) -> sqlite3_stmt */
    ArdDay today;
    int busy_timeout_ms;
    gint64 busy_since;   /* monotonic µs of the first try while the lock is held */
    gint64 now_secs;     /* the second now_text was made for, -1 none */
    char now_text[32];
    char *deferred_index; /* CREATE INDEX to run before commit, or NULL */
    /* An import's events, held to go to the log ARD_EVENT_BATCH at a time,
     * in order: offsets of NUL-terminated texts in event_text (customer -1
     * for none). Nothing reads the log during an import. */
    bool hold_events;
    GString *event_text;
    struct {
        gssize customer;
        gsize at, cause, kind, reason;
    } events[ARD_EVENT_BATCH];
    int nevents;
};

extern const char *const ard_store_migrations[];

/* A cached prepared statement, reset and with bindings cleared. */
sqlite3_stmt *ard_store_stmt(ArdStore *store, const char *sql, GError **error);
/* Sets error from the connection's last error, prefixed with what failed. */
void ard_store_set_error(ArdStore *store, GError **error, const char *what);
/* Binds text or NULL (for NULL or ""). */
void ard_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Column text or "" (never NULL). */
const char *ard_col_text(sqlite3_stmt *st, int i);
/* Creates the customer's dunning row when it has none yet; the agent and
 * the reply side both write to it. */
bool ard_store_ensure_dunning(ArdStore *store, const char *customer, GError **error);
/* ard_store_now's text without an allocation, made once per second: an
 * import writes an event per row. Valid until the next call. */
const char *ard_store_now_cached(ArdStore *store);
/* Binds row i of rows as a statement's parameters first, first + 1, ... */
typedef void (*ArdBindRow)(sqlite3_stmt *st, int first, const void *rows, int i);
/* Inserts n rows (n <= batch). A full batch goes as one statement,
 * batch_sql with cols parameters per row: SQLite's cost per statement
 * (cursors on the table and its indexes) is then paid once per batch. A
 * short one, at the end of a file, goes row by row with row_sql. Both SQL
 * texts must be literals (the statement cache keys on their address).
 * *changes, when not NULL, is how many rows were written. */
bool ard_store_insert_rows(ArdStore *store, const char *row_sql, const char *batch_sql,
                           int batch, int cols, int n, ArdBindRow bind, const void *rows,
                           int *changes, GError **error);
/* Steps a statement that returns no rows; false with error on failure. */
bool ard_store_exec_stmt(ArdStore *store, sqlite3_stmt *st, GError **error);
/* ard_store_exec_stmt, then *changed: whether the statement changed a row. */
bool ard_store_exec_changed(ArdStore *store, sqlite3_stmt *st, bool *changed, GError **error);

#endif
