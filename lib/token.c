/* Makes and verifies reply tokens (HMAC-SHA256, truncated, base32). Must
 * never compare tokens with an early-exit comparison, nor log the secret. */
#include "token.h"
#include <glib.h>
#include <string.h>

char *ard_token_make(const char *secret, const char *customer, int64_t serial)
{
    if (secret == NULL || *secret == '\0' || customer == NULL || *customer == '\0')
        return NULL;
    GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)secret, strlen(secret));
    char *msg = g_strdup_printf("%s\n%" G_GINT64_FORMAT, customer, (gint64)serial);
    g_hmac_update(h, (const guchar *)msg, (gssize)strlen(msg));
    g_free(msg);
    guint8 digest[32];
    gsize len = sizeof digest;
    g_hmac_get_digest(h, digest, &len);
    g_hmac_unref(h);

    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    char *out = g_malloc(ARD_TOKEN_LEN + 1);
    /* 10 bytes = 80 bits = exactly 16 groups of 5 bits: no padding. */
    for (int i = 0; i < ARD_TOKEN_LEN; i++) {
        int bit = i * 5, byte = bit / 8, shift = bit % 8;
        unsigned v = (unsigned)digest[byte] << 8 | (byte + 1 < 10 ? digest[byte + 1] : 0);
        out[i] = alphabet[(v >> (11 - shift)) & 31];
    }
    out[ARD_TOKEN_LEN] = '\0';
    memset(digest, 0, sizeof digest);
    return out;
}

bool ard_token_verify(const char *secret, const char *token, const char *customer,
                      int64_t serial)
{
    if (token == NULL)
        return false;
    char *want = ard_token_make(secret, customer, serial);
    if (want == NULL)
        return false;
    size_t n = strlen(token);
    unsigned diff = n != ARD_TOKEN_LEN;
    for (size_t i = 0; i < ARD_TOKEN_LEN; i++)
        diff |= (unsigned)(unsigned char)want[i] ^ (unsigned char)(i < n ? token[i] : 0);
    g_free(want);
    return diff == 0;
}
