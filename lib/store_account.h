/* The account view: one customer's state as a JSON object, read from the
 * store for `ardentctl account` and for collectors. */
#ifndef ARDENT_STORE_ACCOUNT_H
#define ARDENT_STORE_ACCOUNT_H
#include <json-glib/json-glib.h>
#include "store.h"
#include "policy.h"

/* The account of customer id as of today, or NULL with exists=false. */
JsonObject *ard_store_account(ArdStore *s, const char *id, ArdDay today, bool *exists,
                              GError **error);

/* Decimal JSON value of minor units (display only: the store keeps integers). */
double ard_money_to_json(int64_t minor, const char *currency);

/* The policy whose segment thresholds the account view uses (borrowed; NULL
 * for the built-in defaults). Programs with a configuration set it from
 * ard_policy_from_config. */
void ard_store_account_set_policy(const ArdPolicy *policy);

#endif
