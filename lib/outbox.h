/* Outbound mail: a customer or collector message built with GMime, and its
 * hand-over to an SMTP relay (libcurl, one connection for the whole run) or
 * to a Maildir (tmp/ then rename into new/). */
#ifndef ARDENT_OUTBOX_H
#define ARDENT_OUTBOX_H
#include <glib.h>
#include <stdbool.h>

typedef struct {
    const char *from_name, *from_addr;
    const char *reply_to;            /* NULL: none */
    const char *to_name;
    const char *const *to;           /* NULL-terminated addresses */
    const char *subject;
    const char *text, *html;         /* html NULL: a single text part */
    const char *message_id;          /* without angle brackets */
    const char *in_reply_to;         /* without angle brackets, or NULL */
    const char *const *references;   /* without angle brackets, oldest first, or NULL */
    const char *language;            /* Content-Language, or NULL */
    GDateTime *date;
} ArdMail;

/* The message as bytes (CRLF line ends when crlf); g_free it. Display names
 * and the subject are RFC 2047-encoded; CR, LF and other controls in them
 * become spaces, so a value can never start a header of its own. */
char *ard_mail_build(const ArdMail *m, bool crlf, gsize *len);

typedef struct ArdOutbox ArdOutbox;

ArdOutbox *ard_outbox_maildir(const char *dir, GError **error);
ArdOutbox *ard_outbox_smtp(const char *hostport, long timeout_s, GError **error);
void ard_outbox_free(ArdOutbox *o);
/* Whether the outbox uses CRLF line ends (SMTP). */
bool ard_outbox_crlf(const ArdOutbox *o);
/* Maildir only: whether a message of this unique name has been delivered. */
bool ard_outbox_is_maildir(const ArdOutbox *o);
bool ard_outbox_delivered(ArdOutbox *o, const char *unique);

/* Hands one message over. unique names the Maildir file; from and rcpts are
 * the envelope. On failure, *maybe_sent tells whether the relay may have
 * taken it anyway (the data was transmitted before the error). */
bool ard_outbox_send(ArdOutbox *o, const char *unique, const char *from,
                     const char *const *rcpts, const char *data, gsize len,
                     bool *maybe_sent, GError **error);

/* Maildir in batches, for speed at scale: stage writes tmp/UNIQUE without
 * waiting for the disk; commit makes every staged file durable with one
 * syncfs() and only then renames each into new/ (and syncs new/). */
bool ard_outbox_stage(ArdOutbox *o, const char *unique, const char *data, gsize len,
                      GError **error);
bool ard_outbox_commit(ArdOutbox *o, const char *const *uniques, guint n, GError **error);

#endif
