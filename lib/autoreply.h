/* Tells a person's reply from an auto-reply, bulk or list mail, and a
 * delivery-status notification. */
#ifndef ARDENT_AUTOREPLY_H
#define ARDENT_AUTOREPLY_H
#include "message.h"

typedef enum {
    ARD_KIND_REPLY,      /* a person wrote it */
    ARD_KIND_AUTO_REPLY, /* out-of-office, vacation, ticket acknowledgement */
    ARD_KIND_BULK,       /* list or bulk mail: not an answer, not an out-of-office */
    ARD_KIND_BOUNCE,     /* delivery-status notification */
} ArdMailKind;

/* Decides from the headers first, then (text may be NULL) from the new text.
 * *why, when given, gets a static phrase naming the signal. */
ArdMailKind ard_autoreply_kind(const ArdMessage *m, const char *text, const char **why);
const char *ard_mail_kind_name(ArdMailKind k); /* "reply", "auto_reply", "bulk", "bounce" */

#endif
