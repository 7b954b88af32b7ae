/* The store's fingerprint (see store_check.h): every table, every row, every
 * column, hashed. Must never write to the store, and must never build SQL
 * from anything but table names read from the schema itself. */
#include "store_check.h"
#include "store_int.h"
#include <string.h>

/* One row's hash: SHA-256 over typed, length-prefixed column values. */
static guint64 row_hash(sqlite3_stmt *st)
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        int type = sqlite3_column_type(st, i);
        guint8 t = (guint8)type;
        g_checksum_update(ck, &t, 1);
        if (type == SQLITE_INTEGER) {
            gint64 v = sqlite3_column_int64(st, i);
            g_checksum_update(ck, (const guchar *)&v, sizeof v);
        } else if (type == SQLITE_FLOAT) {
            double v = sqlite3_column_double(st, i);
            g_checksum_update(ck, (const guchar *)&v, sizeof v);
        } else if (type != SQLITE_NULL) {
            const void *b = type == SQLITE_BLOB ? sqlite3_column_blob(st, i)
                                                : (const void *)sqlite3_column_text(st, i);
            guint32 len = (guint32)sqlite3_column_bytes(st, i);
            g_checksum_update(ck, (const guchar *)&len, sizeof len);
            if (len)
                g_checksum_update(ck, b, len);
        }
    }
    guint8 digest[32];
    gsize dlen = sizeof digest;
    g_checksum_get_digest(ck, digest, &dlen);
    g_checksum_free(ck);
    guint64 h;
    memcpy(&h, digest, sizeof h);
    return h;
}

bool ard_store_fingerprint(ArdStore *store, char **out, GError **error)
{
    sqlite3_stmt *tables;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                           -1, &tables, NULL) != SQLITE_OK) {
        ard_store_set_error(store, error, "listing tables");
        return false;
    }
    GString *fp = g_string_new(NULL);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(tables)) == SQLITE_ROW) {
        const char *name = ard_col_text(tables, 0);
        /* The name comes from the schema; quoted as an identifier. */
        char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
        sqlite3_stmt *rows;
        if (sqlite3_prepare_v2(store->db, sql, -1, &rows, NULL) != SQLITE_OK) {
            ard_store_set_error(store, error, "reading a table");
            ok = false;
        } else {
            guint64 count = 0, sum = 0, x = 0;
            while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
                guint64 h = row_hash(rows);
                count++;
                sum += h;
                x ^= h * 0x9e3779b97f4a7c15ULL;
            }
            if (rc != SQLITE_DONE) {
                ard_store_set_error(store, error, "reading a table");
                ok = false;
            }
            g_string_append_printf(fp, "%s:%" G_GUINT64_FORMAT ":%016" G_GINT64_MODIFIER "x%016"
                                   G_GINT64_MODIFIER "x;", name, count, sum, x);
            sqlite3_finalize(rows);
        }
        sqlite3_free(sql);
    }
    if (ok && rc != SQLITE_DONE) {
        ard_store_set_error(store, error, "listing tables");
        ok = false;
    }
    sqlite3_finalize(tables);
    if (!ok) {
        g_string_free(fp, TRUE);
        return false;
    }
    *out = g_string_free(fp, FALSE);
    return true;
}
