/* Which account a reply belongs to, strongest evidence first: a reply token
 * the agent made (in the recipient address, In-Reply-To or References), a
 * known contact address, the invoice numbers the text names, the sender's
 * domain. A token that does not verify never counts. */
#ifndef ARDENT_MATCH_H
#define ARDENT_MATCH_H
#include "store.h"
#include <stdbool.h>

/* Weakest first, so that a stronger match compares greater. */
typedef enum {
    ARD_MATCH_NONE,
    ARD_MATCH_DOMAIN,
    ARD_MATCH_INVOICE,
    ARD_MATCH_CONTACT,
    ARD_MATCH_TOKEN,
} ArdMatchKind;

typedef struct {
    ArdMatchKind kind;
    char *customer;   /* NULL when kind is NONE */
    char *token;      /* the verified token (kind TOKEN) */
    char *evidence;   /* what matched: the token, address, invoice or domain */
    char *conflict;   /* a token match sent from a contact of this other customer
                       * (and not of the token's): the evidence disagrees */
} ArdMatch;

typedef struct {
    const char *secret;                /* agent.token_secret; empty: no token counts */
    const char *const *receivables;    /* milter.receivables (NULL-terminated) */
    const char *const *recipients;     /* envelope or To/Cc addresses, may be NULL */
    const char *in_reply_to;           /* without <>, may be NULL */
    const char *const *references;     /* without <>, may be NULL */
    const char *sender;                /* From addr-spec, may be NULL */
    const char *bounce_recipient;      /* a DSN's failed address: matched as the contact */
    const char *const *invoices;       /* invoice numbers in the text, may be NULL */
    const char *const *own_domains;    /* domains never matched by domain (ours) */
} ArdMatchInput;

bool ard_match_reply(ArdStore *s, const ArdMatchInput *in, ArdMatch *out, GError **error);
void ard_match_clear(ArdMatch *m);
const char *ard_match_kind_name(ArdMatchKind k); /* token, contact, invoice, domain, none */
/* True when a token or contact matched without conflicting evidence: only
 * these may change an account. */
bool ard_match_strong(const ArdMatch *m);

/* When addr is one of receivables, possibly plus-addressed (ar+X@d for
 * ar@d), true; *tag (may be NULL) gets what follows the '+', or NULL. */
bool ard_match_receivable(const char *addr, const char *const *receivables, char **tag);
/* A token candidate in a Message-ID the agent made ("ardent.TOKEN@host"),
 * newly allocated, or NULL. */
char *ard_match_message_id_token(const char *message_id);

#endif
