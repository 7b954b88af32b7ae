/* The customer's new words in a reply: HTML made into text, quoted history,
 * signatures, disclaimers and mobile footers removed, in en/de/fr/es/nl. */
#ifndef ARDENT_REPLY_H
#define ARDENT_REPLY_H
#include "message.h"

/* The new text of m: its text part, or its HTML part made text when there is
 * no text part (or the text part is empty); trimmed. Newly allocated UTF-8. */
char *ard_reply_text(const ArdMessage *m);
/* Cuts quoted history and signatures from plain text. */
char *ard_reply_trim(const char *text);
/* HTML to readable text with libxml2's HTML parser; with cut_quotes, the
 * mail clients' quote containers (gmail_quote, divRplyFwdMsg,
 * moz-cite-prefix, blockquote type=cite, ...) are dropped first. */
char *ard_html_to_text(const char *html, bool cut_quotes);

#endif
