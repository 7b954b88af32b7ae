/* Matching a reply to an account. The order is the strength of the
 * evidence: a reply token proves the customer (it verifies against the
 * secret), a contact address nearly does, an invoice number or a domain only
 * suggests. Must never trust a token it has not verified, and never pick one
 * customer among several that an address or domain fits equally. */
#include "match.h"
#include "email.h"
#include "store_reply.h"
#include "store_erp.h"
#include "token.h"
#include <string.h>

/* Mail providers: a shared domain says nothing about who wrote. */
static const char *const public_domains[] = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.de", "yahoo.fr", "yahoo.es", "icloud.com", "me.com", "aol.com",
    "gmx.de", "gmx.net", "gmx.com", "web.de", "t-online.de", "orange.fr", "free.fr",
    "laposte.net", "wanadoo.fr", "hotmail.fr", "hotmail.de", "hotmail.es", "telefonica.net",
    "ziggo.nl", "kpnmail.nl", "hetnet.nl", "proton.me", "protonmail.com", "mail.com",
    NULL,
};

const char *ard_match_kind_name(ArdMatchKind k)
{
    switch (k) {
    case ARD_MATCH_TOKEN: return "token";
    case ARD_MATCH_CONTACT: return "contact";
    case ARD_MATCH_INVOICE: return "invoice";
    case ARD_MATCH_DOMAIN: return "domain";
    case ARD_MATCH_NONE: break;
    }
    return "none";
}

bool ard_match_strong(const ArdMatch *m)
{
    return (m->kind == ARD_MATCH_TOKEN || m->kind == ARD_MATCH_CONTACT) && !m->conflict;
}

void ard_match_clear(ArdMatch *m)
{
    g_free(m->customer);
    g_free(m->token);
    g_free(m->evidence);
    g_free(m->conflict);
    memset(m, 0, sizeof *m);
}

bool ard_match_receivable(const char *addr, const char *const *receivables, char **tag)
{
    if (tag)
        *tag = NULL;
    if (!addr || !receivables)
        return false;
    const char *at = strrchr(addr, '@');
    if (!at)
        return false;
    const char *plus = memchr(addr, '+', (size_t)(at - addr));
    size_t base_len = (size_t)((plus ? plus : at) - addr);
    for (int i = 0; receivables[i]; i++) {
        const char *r = receivables[i];
        const char *rat = strrchr(r, '@');
        if (!rat || (size_t)(rat - r) != base_len)
            continue;
        if (g_ascii_strncasecmp(r, addr, base_len) != 0 || g_ascii_strcasecmp(rat, at) != 0)
            continue;
        if (tag && plus)
            *tag = g_strndup(plus + 1, (size_t)(at - plus - 1));
        return true;
    }
    return false;
}

/* The token alphabet: lower-case base32 (a-z, 2-7), ARD_TOKEN_LEN long. */
static bool token_shaped(const char *t, size_t len)
{
    if (len != ARD_TOKEN_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = g_ascii_tolower(t[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
            return false;
    }
    return true;
}

char *ard_match_message_id_token(const char *message_id)
{
    if (!message_id)
        return NULL;
    const char *p = message_id;
    while (*p == '<' || *p == ' ')
        p++;
    if (g_ascii_strncasecmp(p, "ardent.", 7) != 0)
        return NULL;
    p += 7;
    const char *at = strchr(p, '@');
    if (!at || !token_shaped(p, (size_t)(at - p)))
        return NULL;
    return g_ascii_strdown(p, (gssize)(at - p));
}

/* True with out filled when token verifies for the customer it was sent to. */
static bool try_token(ArdStore *s, const char *secret, const char *token, ArdMatch *out,
                      bool *matched, GError **error)
{
    *matched = false;
    if (!token || !token_shaped(token, strlen(token)) || !secret || !*secret)
        return true;
    char *low = g_ascii_strdown(token, -1);
    bool found = false;
    char *customer = NULL;
    int64_t serial = 0;
    if (!ard_store_reply_token(s, low, &found, &customer, &serial, error)) {
        g_free(low);
        return false;
    }
    if (found && ard_token_verify(secret, low, customer, serial)) {
        out->kind = ARD_MATCH_TOKEN;
        out->customer = customer;
        out->token = low;
        out->evidence = g_strdup(low);
        *matched = true;
        return true;
    }
    g_free(customer);
    g_free(low);
    return true;
}

static bool match_tokens(ArdStore *s, const ArdMatchInput *in, ArdMatch *out, bool *matched,
                         GError **error)
{
    *matched = false;
    for (int i = 0; in->recipients && in->recipients[i] && !*matched; i++) {
        char *tag = NULL;
        if (ard_match_receivable(in->recipients[i], in->receivables, &tag) && tag) {
            bool ok = try_token(s, in->secret, tag, out, matched, error);
            g_free(tag);
            if (!ok)
                return false;
        } else {
            g_free(tag);
        }
    }
    /* In-Reply-To names the message answered; References run oldest first,
     * so the newest is tried first. */
    GPtrArray *ids = g_ptr_array_new();
    if (in->in_reply_to)
        g_ptr_array_add(ids, (gpointer)in->in_reply_to);
    int nref = 0;
    while (in->references && in->references[nref])
        nref++;
    for (int i = nref - 1; i >= 0; i--)
        g_ptr_array_add(ids, (gpointer)in->references[i]);
    bool ok = true;
    for (guint i = 0; i < ids->len && !*matched && ok; i++) {
        char *t = ard_match_message_id_token(ids->pdata[i]);
        ok = try_token(s, in->secret, t, out, matched, error);
        g_free(t);
    }
    g_ptr_array_unref(ids);
    return ok;
}

/* One customer fits: matched; none or several: not. */
static void take_single(GPtrArray *customers, ArdMatchKind kind, const char *evidence,
                        ArdMatch *out, bool *matched)
{
    *matched = customers->len == 1;
    if (*matched) {
        out->kind = kind;
        out->customer = g_strdup(customers->pdata[0]);
        out->evidence = g_strdup(evidence);
    }
}

static bool match_contact(ArdStore *s, const char *addr, ArdMatch *out, bool *matched,
                          GError **error)
{
    *matched = false;
    if (!addr || !*addr)
        return true;
    char *norm = ard_email_normalize(addr);
    GPtrArray *c = g_ptr_array_new_with_free_func(g_free);
    bool ok = ard_store_reply_contact_customers(s, norm, 2, c, error);
    if (ok)
        take_single(c, ARD_MATCH_CONTACT, norm, out, matched);
    g_ptr_array_unref(c);
    g_free(norm);
    return ok;
}

static bool match_invoices(ArdStore *s, const char *const *invoices, ArdMatch *out,
                           bool *matched, GError **error)
{
    *matched = false;
    char *customer = NULL, *evidence = NULL;
    bool several = false;
    for (int i = 0; invoices && invoices[i] && !several; i++) {
        bool exists = false;
        char *owner = NULL;
        char cur[4];
        if (!ard_store_invoice_owner(s, invoices[i], &exists, &owner, cur, error)) {
            g_free(customer);
            g_free(evidence);
            return false;
        }
        if (!exists)
            continue;
        if (!customer) {
            customer = owner;
            evidence = g_strdup(invoices[i]);
        } else {
            several = strcmp(customer, owner) != 0;
            g_free(owner);
        }
    }
    if (customer && !several) {
        out->kind = ARD_MATCH_INVOICE;
        out->customer = customer;
        out->evidence = evidence;
        *matched = true;
        return true;
    }
    g_free(customer);
    g_free(evidence);
    return true;
}

static bool in_list(const char *d, const char *const *list)
{
    for (int i = 0; list && list[i]; i++)
        if (g_ascii_strcasecmp(d, list[i]) == 0)
            return true;
    return false;
}

static bool match_domain(ArdStore *s, const ArdMatchInput *in, ArdMatch *out, bool *matched,
                         GError **error)
{
    *matched = false;
    const char *d = in->sender ? ard_email_domain(in->sender) : NULL;
    if (!d || !*d || in_list(d, public_domains) || in_list(d, in->own_domains))
        return true;
    for (int i = 0; in->receivables && in->receivables[i]; i++) {
        const char *rd = ard_email_domain(in->receivables[i]);
        if (rd && g_ascii_strcasecmp(rd, d) == 0)
            return true;
    }
    char *low = g_ascii_strdown(d, -1);
    GPtrArray *c = g_ptr_array_new_with_free_func(g_free);
    bool ok = ard_store_reply_domain_customers(s, low, 2, c, error);
    if (ok)
        take_single(c, ARD_MATCH_DOMAIN, low, out, matched);
    g_ptr_array_unref(c);
    g_free(low);
    return ok;
}

/* A token proves which conversation a reply belongs to, but when its From is
 * a known contact of other customers only, the two strong pieces of evidence
 * name different accounts: a forwarded reminder, a shared accounts-payable
 * desk or a forged From. Neither account may then change on its own say-so;
 * the conflict is recorded and a person decides. */
static bool check_token_sender(ArdStore *s, const ArdMatchInput *in, ArdMatch *out,
                               GError **error)
{
    if (!in->sender || !*in->sender)
        return true;
    char *norm = ard_email_normalize(in->sender);
    GPtrArray *c = g_ptr_array_new_with_free_func(g_free);
    bool ok = ard_store_reply_contact_customers(s, norm, 64, c, error);
    bool own = false;
    for (guint i = 0; ok && i < c->len; i++)
        own = own || strcmp(c->pdata[i], out->customer) == 0;
    if (ok && c->len > 0 && !own)
        out->conflict = g_strdup(c->pdata[0]);
    g_ptr_array_unref(c);
    g_free(norm);
    return ok;
}

bool ard_match_reply(ArdStore *s, const ArdMatchInput *in, ArdMatch *out, GError **error)
{
    memset(out, 0, sizeof *out);
    bool matched = false;
    if (!match_tokens(s, in, out, &matched, error))
        goto fail;
    if (matched && !check_token_sender(s, in, out, error))
        goto fail;
    if (!matched && in->bounce_recipient && !match_contact(s, in->bounce_recipient, out, &matched, error))
        goto fail;
    if (!matched && !match_contact(s, in->sender, out, &matched, error))
        goto fail;
    if (!matched && !match_invoices(s, in->invoices, out, &matched, error))
        goto fail;
    if (!matched && !match_domain(s, in, out, &matched, error))
        goto fail;
    return true;
fail:
    ard_match_clear(out);
    return false;
}
