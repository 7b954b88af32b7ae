/* Byte scans shared by the readers of replies and CSV rows: the ASCII run
 * that lets UTF-8 checks, normalisation and case folding skip their Unicode
 * work (most of a reply, quoted history above all, and most export rows are
 * plain ASCII), lowering that takes the same short road, and the cutting of
 * text so that GLib's normalisation sees only its non-ASCII stretches. Must
 * never read past len, and never give an answer that differs from GLib's
 * on the whole text. */
#include "text.h"
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

size_t ard_ascii_span(const char *s, size_t len)
{
    size_t i = 0;
    /* Eight bytes at a time: no byte of a word has its high bit set. */
    for (; len - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            break;
    }
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}

static char lower_byte(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Characters whose lowering g_utf8_strdown does not do one character at a
 * time: capital sigma (final or not, by its neighbours), capital I with a
 * dot (two characters), and titlecase letters (its table, not the title
 * table g_unichar_tolower reads). Text with any of them, or with invalid
 * UTF-8, is left to GLib whole. */
static bool lowers_alone(gunichar c)
{
    return c != 0x03A3 && c != 0x0130 && g_unichar_type(c) != G_UNICODE_TITLECASE_LETTER;
}

char *ard_text_lower(const char *s, gssize len)
{
    size_t n = len < 0 ? strlen(s) : (size_t)len;
    const char *nul = memchr(s, '\0', n);
    if (nul)
        n = (size_t)(nul - s);  /* GLib stops there too */
    /* Room for the text as it is: the few letters whose lower case is
     * longer in UTF-8 (U+023A, U+023E) send the text to GLib. */
    char *out = g_malloc(n + 1);
    size_t k = 0;
    const char *p = s, *end = s + n;
    while (p < end) {
        size_t run = ard_ascii_span(p, (size_t)(end - p));
        for (size_t i = 0; i < run; i++)
            out[k++] = lower_byte(p[i]);
        p += run;
        if (p >= end)
            break;
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2 || !lowers_alone(c)) {
            g_free(out);
            return g_utf8_strdown(s, (gssize)n);
        }
        char low[6];
        size_t low_len = (size_t)g_unichar_to_utf8(g_unichar_tolower(c), low);
        size_t was = (size_t)(g_utf8_next_char(p) - p);
        if (low_len > was) {
            g_free(out);
            return g_utf8_strdown(s, (gssize)n);
        }
        memcpy(out + k, low, low_len);
        k += low_len;
        p += was;
    }
    out[k] = '\0';
    return out;
}

void ard_text_append_ascii_lower(GString *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        g_string_append_c(out, lower_byte(s[i]));
}

/* The text can be cut before any ASCII character. It is a starter, so no
 * canonical reordering moves a mark across it; it is never the second half
 * of a composition, so nothing before it joins it; and it decomposes and
 * folds alone. The ASCII character just before a non-ASCII stretch goes
 * with it, as a combining mark may follow it. Invalid UTF-8 in a piece is
 * replaced here, byte by byte as g_utf8_make_valid does for the whole:
 * the cuts fall only before ASCII bytes, so the replacements are the
 * same. */
void ard_text_by_pieces(GString *out, const char *s, size_t len, ArdTextPieceFn ascii,
                        ArdTextPieceFn piece)
{
    size_t i = 0;
    while (i < len) {
        size_t run = ard_ascii_span(s + i, len - i);
        if (run == len - i) {
            ascii(out, s + i, run);
            return;
        }
        size_t keep = run > 0 ? run - 1 : 0;
        ascii(out, s + i, keep);
        size_t j = i + run;
        while (j < len && (unsigned char)s[j] >= 0x80)
            j++;
        char *valid = g_utf8_make_valid(s + i + keep, (gssize)(j - (i + keep)));
        piece(out, valid, strlen(valid));
        g_free(valid);
        i = j;
    }
}
