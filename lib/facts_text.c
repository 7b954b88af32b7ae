/* The folded form of a reply that the fact scanners read: NFKD, casefolded,
 * accents dropped, cut into word, number and punctuation tokens in one
 * linear pass. Must never backtrack or grow with anything but the text. */
#include "facts_int.h"
#include "text.h"
#include <string.h>

/* NFKD, then case folded, of one stretch of the text (valid UTF-8). */
static void nfkd_fold_piece(GString *out, const char *s, size_t len)
{
    char *nfkd = g_utf8_normalize(s, (gssize)len, G_NORMALIZE_NFKD);
    if (nfkd == NULL)
        return;
    char *cf = g_utf8_casefold(nfkd, -1);
    g_free(nfkd);
    g_string_append(out, cf);
    g_free(cf);
}

static char *fold(const char *text)
{
    size_t len = strlen(text);
    if (len > FACTS_MAX_BYTES)
        len = FACTS_MAX_BYTES;
    char *cf;
    if (ard_ascii_span(text, len) == len) {
        /* ASCII is its own NFKD form and folds to lower case. */
        cf = g_ascii_strdown(text, (gssize)len);
    } else {
        GString *f = g_string_sized_new(len + len / 8);
        ard_text_by_pieces(f, text, len, ard_text_append_ascii_lower, nfkd_fold_piece);
        cf = g_string_free(f, FALSE);
    }
    /* Drop combining marks in place; map typographic apostrophes to '. */
    GString *out = g_string_sized_new(strlen(cf));
    for (const char *p = cf; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c >= 0x300 && c <= 0x36f)
            continue;
        if (c == 0x2019 || c == 0x2018 || c == 0x00b4 || c == 0x0060)
            c = '\'';
        else if (c == 0x2010 || c == 0x2011 || c == 0x2013 || c == 0x2014)
            c = '-';
        else if (c == 0x00a0 || c == 0x202f || c == 0x2009)
            c = ' ';
        g_string_append_unichar(out, c);
    }
    g_free(cf);
    return g_string_free(out, FALSE);
}

void ftext_init(FText *t, const char *text)
{
    t->s = fold(text ? text : "");
    t->toks = g_array_sized_new(FALSE, FALSE, sizeof(FTok), 64);
    bool space = true, brk = true;
    const char *s = t->s;
    const char *p = s;
    while (*p) {
        gunichar c = g_utf8_get_char(p);
        const char *next = g_utf8_next_char(p);
        if (g_unichar_isspace(c)) {
            space = true;
            if (c == '\n')
                brk = true;
            p = next;
            continue;
        }
        FTok tk = { .off = (int)(p - s), .space = space, .brk = brk };
        if (c >= '0' && c <= '9') {
            tk.kind = FT_NUM;
            long v = 0;
            while (*p >= '0' && *p <= '9') {
                if (v < 99999)
                    v = v * 10 + (*p - '0');
                p++;
            }
            tk.num = (int)(v > 99999 ? 99999 : v);
            tk.len = (int)(p - s) - tk.off;
        } else if (g_unichar_isalpha(c)) {
            tk.kind = FT_WORD;
            while (*p) {
                gunichar d = g_utf8_get_char(p);
                if (!g_unichar_isalpha(d) || (d >= '0' && d <= '9'))
                    break;
                p = g_utf8_next_char(p);
            }
            tk.len = (int)(p - s) - tk.off;
        } else {
            tk.kind = FT_PUNCT;
            p = next;
            tk.len = (int)(p - s) - tk.off;
        }
        g_array_append_val(t->toks, tk);
        space = false;
        brk = false;
        if (tk.kind == FT_PUNCT) {
            char ch = s[tk.off];
            if (ch == '!' || ch == '?' || ch == ';' ||
                (ch == '.' && (*p == '\0' || g_ascii_isspace(*p))))
                brk = true;
        }
    }
}

void ftext_clear(FText *t)
{
    g_free(t->s);
    t->s = NULL;
    if (t->toks)
        g_array_free(t->toks, TRUE);
    t->toks = NULL;
}

bool ftok_is(const FText *t, int i, const char *w)
{
    if (i < 0 || i >= ftext_n(t))
        return false;
    const FTok *k = ftok(t, i);
    return k->kind == FT_WORD && ftok_text_is(t, k, w);
}

bool ftok_in(const FText *t, int i, const char *const *ws)
{
    if (i < 0 || i >= ftext_n(t) || ftok(t, i)->kind != FT_WORD)
        return false;
    const FTok *k = ftok(t, i);
    for (; *ws; ws++)
        if (ftok_text_is(t, k, *ws))
            return true;
    return false;
}

static bool is_glue(const FText *t, int i)
{
    const FTok *k = ftok(t, i);
    if (k->kind != FT_PUNCT)
        return false;
    char c = t->s[k->off];
    return c == '\'' || c == '-';
}

int fphrase(const FText *t, int i, const char *phrase)
{
    const char *p = phrase;
    int n = ftext_n(t);
    bool first = true;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t wl = e ? (size_t)(e - p) : strlen(p);
        if (!first)
            while (i < n && is_glue(t, i))
                i++;
        if (i >= n)
            return -1;
        const FTok *k = ftok(t, i);
        if (k->kind == FT_PUNCT) {
            if ((size_t)k->len != wl || memcmp(t->s + k->off, p, wl) != 0)
                return -1;
        } else if (k->kind != FT_WORD || (size_t)k->len != wl ||
                   memcmp(t->s + k->off, p, wl) != 0) {
            return -1;
        }
        i++;
        first = false;
        p = e ? e + 1 : p + wl;
    }
    return i;
}
