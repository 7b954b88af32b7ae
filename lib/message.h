/* A raw inbound message parsed with GMime 3 into what the reply reader
 * needs: decoded headers, the text and HTML bodies in UTF-8, attachment
 * names, forwarded parts, delivery-status reports. Never fails: a broken
 * message gives whatever could be read. */
#ifndef ARDENT_MESSAGE_H
#define ARDENT_MESSAGE_H
#include <glib.h>
#include <stdbool.h>
#include "date.h"

typedef struct {
    char *name;   /* header name as written */
    char *value;  /* unfolded, RFC 2047-decoded, valid UTF-8 */
} ArdHeader;

typedef struct {
    GPtrArray *headers;    /* ArdHeader *, top-level headers in order */
    char *message_id;      /* without <>; NULL when absent */
    char *in_reply_to;     /* without <>; NULL when absent */
    GPtrArray *references; /* char * message ids without <> */
    char *subject;         /* decoded, "" when absent */
    char *from_addr;       /* lower-case addr-spec of From, NULL when none */
    char *from_name;       /* display name, "" when none */
    ArdDay date;           /* the Date: header's day (in its own zone), ARD_DAY_NONE when absent/bad */
    char *text;            /* decoded text/plain parts joined, UTF-8, "" when none */
    char *html;            /* the first text/html part, UTF-8, NULL when none */
    GPtrArray *attachments;/* char * file names (UTF-8) */
    bool truncated;        /* the input was longer than the byte limit */
    bool is_dsn;           /* multipart/report; report-type=delivery-status */
    char *dsn_recipient;   /* the failed address of a DSN (Action: failed), lower case, or NULL */
    int parts;             /* MIME parts seen (for limits and tests) */
    bool dsn_notice;       /* a DSN whose recipients were only delayed (or delivered), none
                              failed: a notice that changes nothing, not a bounce */
} ArdMessage;

/* Parses data[0..len). Only the first max_bytes are read (0 = no limit);
 * truncated says when the rest was ignored. */
ArdMessage *ard_message_parse(const char *data, size_t len, size_t max_bytes);
void ard_message_free(ArdMessage *m);
/* The first header of that name (case-insensitive), or NULL. */
const char *ard_message_header(const ArdMessage *m, const char *name);

#endif
