/* Byte scans shared by the readers of replies and CSV rows, and lowering
 * and normalising that skip the Unicode work for ASCII text. */
#ifndef ARDENT_TEXT_H
#define ARDENT_TEXT_H
#include <glib.h>
#include <stddef.h>

/* How many of s's first len bytes come before the first byte >= 0x80:
 * len when all of them are ASCII (NUL included). */
size_t ard_ascii_span(const char *s, size_t len);

/* g_utf8_strdown's answer (newly allocated; len < 0: up to the NUL), by a
 * byte loop over ASCII runs, as most mail text is, and one character at a
 * time elsewhere: GLib's two passes over every character cost a quoted
 * German or French line many times more. */
char *ard_text_lower(const char *s, gssize len);

/* Appends s[0..len), ASCII, in lower case. */
void ard_text_append_ascii_lower(GString *out, const char *s, size_t len);

/* Appends to out what a Unicode mapping gives for s[0..len) with its
 * invalid bytes replaced (g_utf8_make_valid), calling piece only on the
 * stretches around non-ASCII characters, made valid, and ascii on the
 * rest: GLib's normalisation and folding work through every character they
 * are given. Right for NFC, NFKC, NFD, NFKD and case folding, alone or one
 * after another: see text.c. */
typedef void (*ArdTextPieceFn)(GString *out, const char *s, size_t len);
void ard_text_by_pieces(GString *out, const char *s, size_t len, ArdTextPieceFn ascii,
                        ArdTextPieceFn piece);

#endif
