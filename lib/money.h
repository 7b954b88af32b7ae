/* Money as integer minor units plus an ISO 4217 code: decimal text in,
 * decimal text out, never a floating-point value. */
#ifndef ARDENT_MONEY_H
#define ARDENT_MONEY_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* Minor-unit digits of an active ISO 4217 code (EUR 2, JPY 0, KWD 3);
 * -1 when the code is not one. The code must be upper case. */
int ard_currency_exponent(const char *code);

/* Parses "1234.5", "-20.00", "7" into minor units of the currency.
 * Only digits, one optional leading '-' and one '.' are accepted; more
 * fraction digits than the currency has are accepted only when they are
 * zeros. On failure returns false and sets *why to a static reason. */
bool ard_money_parse(const char *text, const char *currency, int64_t *minor,
                     const char **why);

/* Writes the amount as plain decimal text ("-1234.50") into buf. */
void ard_money_plain(int64_t minor, const char *currency, char *buf, size_t len);

/* Writes the amount with thousands separators ("1,234.50") into buf. */
void ard_money_pretty(int64_t minor, const char *currency, char *buf, size_t len);

#endif
