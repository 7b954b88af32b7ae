/* Byte scans shared by the readers of replies and CSV rows. */
#ifndef ARDENT_TEXT_H
#define ARDENT_TEXT_H
#include <stddef.h>

/* How many of s's first len bytes come before the first byte >= 0x80:
 * len when all of them are ASCII (NUL included). */
size_t ard_ascii_span(const char *s, size_t len);

#endif
