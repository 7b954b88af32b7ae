/* Address syntax checks and normalisation. Deliberately stricter than RFC
 * 5322 (no quoted local parts, no comments, no IP literals): these addresses
 * end up in headers ardent writes, so anything unusual is refused rather than
 * escaped. Must never accept CR, LF or other control characters. */
#include "email.h"
#include <glib.h>
#include <string.h>

static bool atext(unsigned char c)
{
    return g_ascii_isalnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

bool ard_email_valid(const char *addr)
{
    if (addr == NULL)
        return false;
    size_t len = strlen(addr);
    if (len < 3 || len > 254)
        return false;
    const char *at = strrchr(addr, '@');
    if (at == NULL || at == addr || at - addr > 64)
        return false;
    /* local part: dot-atom */
    bool prev_dot = true;
    for (const char *p = addr; p < at; p++) {
        if (*p == '.') {
            if (prev_dot)
                return false;
            prev_dot = true;
        } else if (atext((unsigned char)*p)) {
            prev_dot = false;
        } else {
            return false;
        }
    }
    if (prev_dot)
        return false;
    /* domain: labels of letters, digits, hyphens; at least two labels */
    const char *d = at + 1;
    int labels = 0;
    size_t lablen = 0;
    for (const char *p = d;; p++) {
        if (*p == '.' || *p == '\0') {
            if (lablen == 0 || lablen > 63 || p[-1] == '-')
                return false;
            labels++;
            lablen = 0;
            if (*p == '\0')
                break;
        } else if (g_ascii_isalnum(*p) || *p == '-') {
            if (lablen == 0 && *p == '-')
                return false;
            lablen++;
        } else {
            return false;
        }
    }
    return labels >= 2;
}

char *ard_email_normalize(const char *addr)
{
    return g_ascii_strdown(addr, -1);
}

const char *ard_email_domain(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : NULL;
}
