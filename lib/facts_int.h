/* Internal to lib/facts*.c: the folded text and its tokens, shared by the
 * language, date and reference scanners. Not for other modules. */
#ifndef ARDENT_FACTS_INT_H
#define ARDENT_FACTS_INT_H
#include <glib.h>
#include <stdbool.h>
#include <string.h>

typedef enum { FT_WORD, FT_NUM, FT_PUNCT } FTokKind;

typedef struct {
    FTokKind kind;
    int off, len;       /* into FText.s */
    int num;            /* FT_NUM: value, capped at 99999 */
    bool space;         /* whitespace before it */
    bool brk;           /* a sentence or clause ends before it */
} FTok;

typedef struct {
    char *s;            /* casefolded, NFKC, accents removed */
    GArray *toks;       /* FTok */
} FText;

/* Texts longer than this are scanned only up to it: facts sit near the top
 * of a reply and the limit bounds the work for hostile input. */
#define FACTS_MAX_BYTES (256 * 1024)

void ftext_init(FText *t, const char *text);
void ftext_clear(FText *t);
static inline const FTok *ftok(const FText *t, int i)
{
    return &g_array_index(t->toks, FTok, i);
}
static inline int ftext_n(const FText *t) { return (int)t->toks->len; }
/* Token k's text is exactly w. The first byte is compared first: words
 * are looked up in lists of a hundred and more. */
static inline bool ftok_text_is(const FText *t, const FTok *k, const char *w)
{
    if (k->len == 0)
        return w[0] == '\0';
    if (t->s[k->off] != w[0])
        return false;
    size_t n = strlen(w);
    return (size_t)k->len == n && memcmp(t->s + k->off, w, n) == 0;
}
/* True when token i is the word w (folded, unaccented). */
bool ftok_is(const FText *t, int i, const char *w);
/* True when token i is one of the NULL-terminated words. */
bool ftok_in(const FText *t, int i, const char *const *ws);
/* Matches a space-separated phrase from token i, skipping ' and - between
 * words; returns the index after the match or -1. */
int fphrase(const FText *t, int i, const char *phrase);

#include "date.h"
/* The promised payment date and the date the writer is back (ARD_DAY_NONE
 * when none), from one scan of the text; payrun is the weekday of "the next
 * payment run", 1 = Monday .. 7 (anything else: Friday). */
void facts_dates_ft(const FText *t, ArdDay ref, int payrun, ArdDay *promise, ArdDay *back);
const char *facts_lang_detect_ft(const FText *t, const char *raw);
#endif
