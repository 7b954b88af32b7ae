/* Reply tokens: the short code the agent puts in Message-ID and Reply-To so
 * that a customer's reply can be matched to its account without trusting the
 * sender's address. The milter verifies what the agent made. */
#ifndef ARDENT_TOKEN_H
#define ARDENT_TOKEN_H
#include <stdbool.h>
#include <stdint.h>

#define ARD_TOKEN_LEN 16

/* Lower-case base32 of the first 10 bytes of
 * HMAC-SHA256(secret, customer + "\n" + serial): 16 characters; g_free it.
 * NULL when secret or customer is NULL or empty. */
char *ard_token_make(const char *secret, const char *customer, int64_t serial);

/* True when token is what ard_token_make gives for these inputs; the
 * comparison takes the same time wherever the first difference is. */
bool ard_token_verify(const char *secret, const char *token, const char *customer,
                      int64_t serial);

#endif
