/* Byte scans shared by the readers of replies and CSV rows: the ASCII run
 * that lets UTF-8 checks, normalisation and case folding skip their Unicode
 * work (most of a reply, quoted history above all, and most export rows are
 * plain ASCII), and lowering that takes the same short road. Must never
 * read past len; only ard_text_lower allocates. */
#include "text.h"
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

char *ard_text_lower(const char *s, gssize len)
{
    size_t n = len < 0 ? strlen(s) : (size_t)len;
    if (ard_ascii_span(s, n) == n)
        return g_ascii_strdown(s, (gssize)n);
    return g_utf8_strdown(s, (gssize)n);
}
