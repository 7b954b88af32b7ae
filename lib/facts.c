/* Facts in a reply's text: invoice numbers, amounts with currencies, the
 * promise and return dates and the language, in one call. Pure and
 * bounded: no store, no network, never a floating-point amount, and work
 * linear in the text (capped at FACTS_MAX_BYTES). */
#include "facts.h"
#include "facts_int.h"
#include "money.h"
#include "text.h"
#include <string.h>

/* ---- invoice numbers ---- */

static const char *const invoice_words[] = {
    "invoice", "invoices", "inv", "rechnung", "rechnungen", "rechnungsnummer",
    "re", "rg", "facture", "factures", "factura", "facturas", "factuur",
    "facturen", "fact", "fra", "fac", "invoicenumber", NULL
};
static const char *const number_words[] = {
    "no", "nr", "n", "number", "nummer", "numero", "num", "nro", "ref", NULL
};
static const char *const not_invoice_words[] = {
    "ticket", "case", "order", "po", "bestellnummer", "bestellung", "commande",
    "pedido", "bestelling", "inkoopordernummer", "tel", "phone", "fax",
    "telefon", "tél", "iban", "bic", "kvk", "vat", "ust", "siret", "mobile",
    "call", "unter", "bel", "llame", "appelez", "ticketnummer", "vorgang",
    "aktenzeichen", "kundennummer", "customer", "account", "konto", NULL
};

static bool word_in(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (g_ascii_strcasecmp(w, *list) == 0)
            return true;
    return false;
}

static bool is_alnum(char c) { return g_ascii_isalnum(c); }

static bool looks_like_date(const char *tok, size_t len)
{
    /* d.m., d/m/y, y-m-d: two or three all-digit groups with one separator
     * kind that make a real day. */
    int g[3], glen[3], ng = 0;
    char sep = 0;
    size_t i = 0;
    while (i < len && ng < 3) {
        int v = 0, l = 0;
        while (i < len && g_ascii_isdigit(tok[i])) {
            v = v * 10 + (tok[i] - '0');
            l++;
            i++;
            if (l > 4)
                return false;
        }
        if (l == 0)
            return false;
        g[ng] = v;
        glen[ng++] = l;
        if (i < len) {
            if (sep && tok[i] != sep)
                return false;
            sep = tok[i++];
        }
    }
    if (i < len || ng < 2)
        return false;
    ArdDay d;
    if (ng == 3 && glen[0] == 4)
        return glen[1] <= 2 && glen[2] <= 2 && ard_day_from_ymd(g[0], g[1], g[2], &d);
    if (glen[0] > 2 || glen[1] > 2)
        return false;
    int y = ng == 3 ? (glen[2] == 2 ? 2000 + g[2] : g[2]) : 2000;
    if (ng == 3 && glen[2] != 2 && glen[2] != 4)
        return false;
    return ard_day_from_ymd(y, g[1], g[0], &d) || ard_day_from_ymd(y, g[0], g[1], &d);
}

static bool invoice_shape(const char *tok, size_t len)
{
    size_t i = 0, letters = 0, digits = 0, seps = 0;
    while (i < len && g_ascii_isalpha(tok[i])) {
        letters++;
        i++;
    }
    if (letters > 5)
        return false;
    for (; i < len; i++) {
        if (g_ascii_isdigit(tok[i]))
            digits++;
        else if (tok[i] == '-' || tok[i] == '/' || tok[i] == '_')
            seps++;
        else
            return false;   /* letters after digits: 15th, 48h, 10am */
    }
    if (letters > 0)
        return digits >= 3;
    return seps > 0 && digits >= 4;
}

typedef struct {
    const ArdFactsCtx *ctx;
    GPtrArray *out;
} InvScan;

static void add_invoice(GPtrArray *out, const char *tok)
{
    for (guint i = 0; i < out->len; i++)
        if (strcmp(g_ptr_array_index(out, i), tok) == 0)
            return;
    g_ptr_array_add(out, g_strdup(tok));
}

static void scan_invoices(const char *s, size_t n, const ArdFactsCtx *ctx, GPtrArray *out)
{
    char prev[3][24] = { "", "", "" };  /* the last words, newest first */
    bool prev_num[3] = { false, false, false };
    bool number_mark = false;           /* "n°", "no.", "#" just before */
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (!is_alnum(c)) {
            if (c == '#')
                number_mark = true;
            else if (c == '+')
                g_strlcpy(prev[0], "tel", sizeof prev[0]);
            i++;
            continue;
        }
        size_t st = i;
        while (i < n && (is_alnum(s[i]) ||
                         ((s[i] == '-' || s[i] == '/' || s[i] == '_' || s[i] == '.') &&
                          i + 1 < n && is_alnum(s[i + 1]))))
            i++;
        size_t len = i - st;
        bool hash = st > 0 && s[st - 1] == '#';
        bool digit = false, alpha = false, only_digits = true;
        for (size_t k = st; k < i; k++) {
            if (g_ascii_isdigit(s[k]))
                digit = true;
            else {
                only_digits = false;
                if (g_ascii_isalpha(s[k]))
                    alpha = true;
            }
        }
        char tok[64];
        if (len >= sizeof tok) {
            number_mark = false;
            continue;
        }
        memcpy(tok, s + st, len);
        tok[len] = '\0';
        if (digit) {
            bool take = false;
            if (ctx && ctx->known) {
                char *up = g_ascii_strup(tok, -1);
                if (ctx->known(tok, ctx->known_data)) {
                    take = true;
                } else if (strcmp(up, tok) != 0 && ctx->known(up, ctx->known_data)) {
                    /* Report the id as the ledger spells it. */
                    g_strlcpy(tok, up, sizeof tok);
                    take = true;
                }
                g_free(up);
            } else {
                bool excluded = word_in(prev[0], not_invoice_words) ||
                                (word_in(prev[0], number_words) &&
                                 word_in(prev[1], not_invoice_words)) ||
                                looks_like_date(tok, len);
                /* Phone numbers come in digit groups: 089 4412-0. */
                if (prev_num[0] && !hash)
                    excluded = true;
                size_t k = i;
                while (k < n && s[k] == ' ')
                    k++;
                if (k > i && k < n && g_ascii_isdigit(s[k]) && !hash)
                    excluded = true;
                /* Amounts: a decimal comma, a currency or k right after. */
                if (i < n && s[i] == ',' && i + 1 < n && g_ascii_isdigit(s[i + 1]))
                    excluded = true;
                if (strchr(tok, '.') && !alpha)
                    excluded = true;
                bool context = hash || number_mark ||
                               word_in(prev[0], invoice_words) ||
                               (word_in(prev[0], number_words) &&
                                word_in(prev[1], invoice_words));
                bool plain = only_digits || invoice_shape(tok, len);
                if (!excluded && plain && (context || invoice_shape(tok, len)))
                    take = true;
            }
            if (take)
                add_invoice(out, tok);
        }
        /* Remember this word for the next token's context. */
        memmove(prev[2], prev[1], sizeof prev[0]);
        memmove(prev[1], prev[0], sizeof prev[0]);
        prev_num[2] = prev_num[1];
        prev_num[1] = prev_num[0];
        prev_num[0] = only_digits;
        g_strlcpy(prev[0], len < sizeof prev[0] ? tok : "", sizeof prev[0]);
        number_mark = false;
        /* n°, nº, no. and nr. mark the next token as a number. */
        if ((len == 1 && (tok[0] == 'n' || tok[0] == 'N') && i + 1 < n &&
             ((unsigned char)s[i] == 0xc2 && ((unsigned char)s[i + 1] == 0xb0 ||
                                              (unsigned char)s[i + 1] == 0xba))) ||
            ((g_ascii_strcasecmp(tok, "no") == 0 || g_ascii_strcasecmp(tok, "nr") == 0) &&
             i < n && s[i] == '.'))
            number_mark = true;
        if (number_mark && word_in(prev[1], not_invoice_words))
            number_mark = false;
        if (number_mark)
            prev[0][0] = 'n', prev[0][1] = 'o', prev[0][2] = '\0';
    }
}

/* ---- amounts ---- */

typedef struct { const char *sym; const char *code; } CurSym;
static const CurSym symbols[] = {
    {"US$", "USD"}, {"\xe2\x82\xac", "EUR"}, {"$", "USD"}, {"\xc2\xa3", "GBP"},
    {"\xc2\xa5", "JPY"}, {NULL, NULL}
};
static const char *const codes[] = {
    "EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK",
    "CAD", "AUD", "MXN", "HUF", "NZD", NULL
};

/* A currency written right before s+at (after optional spaces). */
static const char *currency_before(const char *s, size_t at)
{
    size_t e = at;
    while (e > 0 && s[e - 1] == ' ')
        e--;
    for (const CurSym *c = symbols; c->sym; c++) {
        size_t l = strlen(c->sym);
        if (e >= l && memcmp(s + e - l, c->sym, l) == 0)
            return c->code;
    }
    if (e >= 3) {
        for (const char *const *c = codes; *c; c++)
            if (memcmp(s + e - 3, *c, 3) == 0 && (e == 3 || !g_ascii_isalpha(s[e - 4])))
                return *c;
    }
    return NULL;
}

static const char *currency_after(const char *s, size_t n, size_t at)
{
    size_t b = at;
    while (b < n && s[b] == ' ')
        b++;
    for (const CurSym *c = symbols; c->sym; c++) {
        size_t l = strlen(c->sym);
        if (b + l <= n && memcmp(s + b, c->sym, l) == 0)
            return c->code;
    }
    if (b + 3 <= n) {
        for (const char *const *c = codes; *c; c++)
            if (memcmp(s + b, *c, 3) == 0 && (b + 3 == n || !g_ascii_isalpha(s[b + 3])))
                return *c;
    }
    if (b + 4 <= n && g_ascii_strncasecmp(s + b, "euro", 4) == 0 &&
        (b + 4 == n || !g_ascii_isalpha(s[b + 4]) || s[b + 4] == 's'))
        return "EUR";
    return NULL;
}

/* "1.234,56", "1,234.56", "1'200.50", "2 340,00", "4,200" into "1234.56". */
static bool normalise_number(const char *num, size_t len, const char *cur,
                             int64_t *minor)
{
    int last = -1;
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isdigit(num[i]))
            last = (int)i;
    char buf[48];
    size_t o = 0;
    int frac_at = -1;
    if (last >= 0 && (num[last] == '.' || num[last] == ',') &&
        len - (size_t)last - 1 != 3)
        frac_at = last;
    /* Grouping separators must split off groups of exactly three digits. */
    int run = 0, groups = 0;
    for (size_t i = 0; i < len; i++) {
        if ((int)i == frac_at) {
            if (groups && run != 3)
                return false;
            if (o + 1 >= sizeof buf)
                return false;
            buf[o++] = '.';
            run = -100;
            continue;
        }
        if (g_ascii_isdigit(num[i])) {
            if (o + 1 >= sizeof buf)
                return false;
            buf[o++] = num[i];
            run++;
        } else {
            if (groups && run != 3)
                return false;
            if (!groups && (run < 1 || run > 3))
                return false;
            groups++;
            run = 0;
        }
    }
    if (frac_at < 0 && groups && run != 3)
        return false;
    buf[o] = '\0';
    const char *why;
    return ard_money_parse(buf, cur, minor, &why);
}

static void scan_amounts(const char *s, size_t n, GArray *out)
{
    size_t i = 0;
    while (i < n) {
        if (!g_ascii_isdigit(s[i]) || (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '-' ||
                                                 s[i - 1] == '.' || s[i - 1] == ','))) {
            i++;
            continue;
        }
        size_t st = i;
        while (i < n) {
            if (g_ascii_isdigit(s[i])) {
                i++;
            } else if ((s[i] == '.' || s[i] == ',' || s[i] == '\'') && i + 1 < n &&
                       g_ascii_isdigit(s[i + 1])) {
                i++;
            } else if (s[i] == ' ' && i + 3 < n && g_ascii_isdigit(s[i + 1]) &&
                       g_ascii_isdigit(s[i + 2]) && g_ascii_isdigit(s[i + 3]) &&
                       (i + 4 >= n || !g_ascii_isdigit(s[i + 4])) &&
                       (i - st) <= 3 && currency_before(s, st) == NULL) {
                i++;        /* "2 340,00 €": a space between thousands */
            } else {
                break;
            }
        }
        size_t end = i;
        if (end < n && (s[end] == 'k' || s[end] == 'K' || s[end] == 'm' || s[end] == 'M'))
            continue;
        if (end < n && is_alnum(s[end]))
            continue;
        const char *cur = currency_before(s, st);
        size_t numend = end;
        if (!cur) {
            /* "210,-" and "210,--" mean whole units. */
            size_t k = end;
            if (k + 1 < n && s[k] == ',' && s[k + 1] == '-') {
                k += 2;
                while (k < n && s[k] == '-')
                    k++;
            }
            cur = currency_after(s, n, k);
        }
        if (!cur)
            continue;
        int64_t minor;
        if (normalise_number(s + st, numend - st, cur, &minor)) {
            ArdAmount a = { .minor = minor };
            g_strlcpy(a.currency, cur, sizeof a.currency);
            g_array_append_val(out, a);
        }
    }
}

/* ---- the whole ---- */

static void append_as_is(GString *out, const char *s, size_t len)
{
    g_string_append_len(out, s, (gssize)len);
}

/* NFKC of one stretch of the text (valid UTF-8). */
static void nfkc_piece(GString *out, const char *s, size_t len)
{
    char *nfkc = g_utf8_normalize(s, (gssize)len, G_NORMALIZE_NFKC);
    if (nfkc != NULL)
        g_string_append(out, nfkc);
    g_free(nfkc);
}

void ard_facts_extract(const char *text, const ArdFactsCtx *ctx, ArdFacts *out)
{
    memset(out, 0, sizeof *out);
    out->invoices = g_ptr_array_new_with_free_func(g_free);
    out->amounts = g_array_new(FALSE, FALSE, sizeof(ArdAmount));
    out->promise_date = ARD_DAY_NONE;
    out->return_date = ARD_DAY_NONE;
    if (text == NULL)
        text = "";
    size_t len = strlen(text);
    if (len > FACTS_MAX_BYTES)
        len = FACTS_MAX_BYTES;
    /* ASCII is its own NFKC form. */
    char *nfkc;
    if (ard_ascii_span(text, len) == len) {
        nfkc = g_strndup(text, len);
    } else {
        GString *n = g_string_sized_new(len + len / 8);
        ard_text_by_pieces(n, text, len, append_as_is, nfkc_piece);
        nfkc = g_string_free(n, FALSE);
    }
    size_t n = strlen(nfkc);
    scan_invoices(nfkc, n, ctx, out->invoices);
    scan_amounts(nfkc, n, out->amounts);

    FText t;
    ftext_init(&t, nfkc);
    g_strlcpy(out->lang, facts_lang_detect_ft(&t, nfkc), sizeof out->lang);
    if (ctx && ctx->ref != ARD_DAY_NONE) {
        facts_dates_ft(&t, ctx->ref, ctx->payment_run_weekday, &out->promise_date,
                       &out->return_date);
    }
    ftext_clear(&t);
    g_free(nfkc);
}

void ard_facts_clear(ArdFacts *f)
{
    if (f->invoices)
        g_ptr_array_free(f->invoices, TRUE);
    if (f->amounts)
        g_array_free(f->amounts, TRUE);
    f->invoices = NULL;
    f->amounts = NULL;
}
