/* ERP exports (CSV with a header row) into the store, one file per
 * transaction: a bad row rejects the whole file. */
#ifndef ARDENT_IMPORT_H
#define ARDENT_IMPORT_H
#include "store.h"
#include <stdio.h>

typedef enum { ARD_IMPORT_CUSTOMERS, ARD_IMPORT_INVOICES, ARD_IMPORT_PAYMENTS } ArdImportKind;

typedef struct {
    long rows, inserted, updated, unchanged;
} ArdImportStats;

/* "customers", "invoices", "payments" -> kind; false when unknown. */
bool ard_import_kind_parse(const char *name, ArdImportKind *kind);

/* Imports path ("-" = standard input). On bad input the error is
 * ARD_ERROR_INPUT and names the file, line and column; the store is left as
 * it was. progress, when set, is called every 100,000 rows. */
bool ard_import_file(ArdStore *store, ArdImportKind kind, const char *path,
                     const char *default_locale, ArdImportStats *stats,
                     void (*progress)(long rows, void *data), void *data, GError **error);
/* The same from an open stream (left open); name stands for the file in
 * error messages and in the import record. */
bool ard_import_stream(ArdStore *store, ArdImportKind kind, FILE *fp, const char *name,
                       const char *default_locale, ArdImportStats *stats,
                       void (*progress)(long rows, void *data), void *data, GError **error);

#endif
