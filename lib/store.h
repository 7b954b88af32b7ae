/* The SQLite store: opening, migrating, transactions and the event log.
 * One ArdStore is one connection; use one per thread. */
#ifndef ARDENT_STORE_H
#define ARDENT_STORE_H
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "date.h"

typedef struct ArdStore ArdStore;

/* The schema version this program writes. */
int ard_store_schema_version(void);

/* Opens (creating the file and its folder when missing) and migrates the
 * store to this program's schema. A store newer than this program is refused
 * (ARD_ERROR_VERSION). busy_timeout_ms bounds waits for other writers. */
ArdStore *ard_store_open(const char *path, int busy_timeout_ms, GError **error);
/* The same, but a store file that does not exist is an error
 * (ARD_ERROR_FAILED, naming the path) rather than created: for commands that
 * only read, where an empty new store would hide a mistyped path. */
ArdStore *ard_store_open_existing(const char *path, int busy_timeout_ms, GError **error);
/* Both with store.path and store.busy_timeout_ms from the configuration. */
ArdStore *ard_store_open_config(const ArdConfig *cfg, GError **error);
ArdStore *ard_store_open_config_existing(const ArdConfig *cfg, GError **error);
void ard_store_close(ArdStore *store);

/* Event and record timestamps use this day (with the real time of day) when
 * set, e.g. from --date; ARD_DAY_NONE for the real date. */
void ard_store_set_today(ArdStore *store, ArdDay today);
/* "YYYY-MM-DDTHH:MM:SSZ" for now (per ard_store_set_today); g_free it. */
char *ard_store_now(const ArdStore *store);

/* Foreign-key enforcement on or off for this connection (outside a
 * transaction). Bulk import turns it off because it checks every reference
 * itself, row by row, with precise errors. */
bool ard_store_foreign_keys(ArdStore *store, bool on, GError **error);

/* A bulk import's transaction: foreign keys and CHECK constraints off for
 * this connection (the importer checks every value itself, with line and
 * column in the error), a larger page cache, then BEGIN IMMEDIATE. The
 * journal stays as it is, so a killed import leaves the store as it was. */
bool ard_store_import_begin(ArdStore *store, GError **error);
/* Commits (when commit is true) or rolls back, then restores the
 * connection's settings. False with error when the commit failed; the
 * transaction is then rolled back. */
bool ard_store_import_end(ArdStore *store, bool commit, GError **error);

/* BEGIN IMMEDIATE: takes the write lock now, waiting up to the timeout. */
bool ard_store_begin(ArdStore *store, GError **error);
/* COMMIT; when it fails, the transaction is rolled back: never left open. */
bool ard_store_commit(ArdStore *store, GError **error);
/* ROLLBACK when a transaction is open; nothing otherwise. */
void ard_store_rollback(ArdStore *store);

/* Appends to the event log. cause: import, reply, agent, collector, system.
 * customer may be NULL for events about the whole store. */
bool ard_store_event(ArdStore *store, const char *customer, const char *cause,
                     const char *kind, const char *reason, GError **error);

/* Time of the last payments import, as recorded ("" when never). */
bool ard_store_last_import(ArdStore *store, const char *kind, char **at, GError **error);

#endif
