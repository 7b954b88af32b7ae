/* E-mail address syntax (the addr-spec that ERP exports and mail headers
 * carry) and its normal form for matching. */
#ifndef ARDENT_EMAIL_H
#define ARDENT_EMAIL_H
#include <stdbool.h>

/* True for local@domain with a dot-atom local part and a dotted domain of
 * letters, digits and hyphens; no spaces, quotes, controls or CR/LF. */
bool ard_email_valid(const char *addr);
/* Newly allocated lower-case copy (g_free it). */
char *ard_email_normalize(const char *addr);
/* Pointer into addr at the domain part, or NULL. */
const char *ard_email_domain(const char *addr);

#endif
