/* Checks on the store as a whole, for tests and fuzzing: a fingerprint of
 * every table's contents. Must never change the store. */
#ifndef ARDENT_STORE_CHECK_H
#define ARDENT_STORE_CHECK_H
#include "store.h"

/* A text naming every table with its row count and a hash of its rows,
 * independent of row order; equal fingerprints mean (up to hash
 * collisions) equal contents. g_free *out. */
bool ard_store_fingerprint(ArdStore *store, char **out, GError **error);

#endif
