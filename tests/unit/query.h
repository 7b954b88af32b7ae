/* Reads back what a unit test wrote to its SQLite file, through a connection
 * of its own, so that the test checks the file and not the writer's view.
 * For tests only: never used by the programs. */
#ifndef ARDENT_TEST_QUERY_H
#define ARDENT_TEST_QUERY_H
#include <glib.h>
#include <sqlite3.h>
#include <string.h>

/* The first column of sql's first row as text ("" for none or NULL). */
static inline char *query_first(const char *db_path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    char *r = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        r = g_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return r ? r : g_strdup("");
}

/* f is the test's fixture, with the store's path in f->db. */
#define assert_q(f, sql, want) do { char *_v = query_first((f)->db, sql); \
    if (strcmp(_v, want) != 0) fail_msg("%s: got '%s', wanted '%s'", sql, _v, want); \
    g_free(_v); } while (0)

#endif
