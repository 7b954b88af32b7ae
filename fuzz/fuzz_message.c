/* libFuzzer harness for reading a customer's reply: raw bytes through
 * ard_message_parse, ard_reply_text and ard_autoreply_kind, checking the
 * promises message.h and reply.h make (UTF-8 everywhere, nothing NULL that
 * is documented non-NULL). Must never keep state between inputs or leak. */
#include "fuzz.h"
#include "autoreply.h"
#include "message.h"
#include "reply.h"
#include <string.h>

/* The milter's own limit is larger; 1 MB keeps each run fast and still
 * exercises truncation (libFuzzer's -max_len is well below it anyway). */
enum { FUZZ_MESSAGE_MAX_BYTES = 1 << 20 };

static void check_utf8(const char *s)
{
    FUZZ_CHECK(s != NULL);
    FUZZ_CHECK(g_utf8_validate(s, -1, NULL));
}

int ard_fuzz_message(const uint8_t *data, size_t size);
int ard_fuzz_message(const uint8_t *data, size_t size)
{
    ArdMessage *m = ard_message_parse((const char *)data, size, FUZZ_MESSAGE_MAX_BYTES);
    FUZZ_CHECK(m != NULL);
    FUZZ_CHECK(m->headers != NULL && m->references != NULL && m->attachments != NULL);
    for (guint i = 0; i < m->headers->len; i++) {
        const ArdHeader *h = m->headers->pdata[i];
        FUZZ_CHECK(h->name != NULL);
        check_utf8(h->value);
    }
    check_utf8(m->subject);
    check_utf8(m->from_name);
    check_utf8(m->text);
    if (m->html)
        check_utf8(m->html);
    for (guint i = 0; i < m->attachments->len; i++)
        check_utf8(m->attachments->pdata[i]);
    FUZZ_CHECK(m->truncated == (size > FUZZ_MESSAGE_MAX_BYTES));
    (void)ard_message_header(m, "Subject");

    char *text = ard_reply_text(m);
    check_utf8(text);

    const char *why = NULL;
    ArdMailKind kind = ard_autoreply_kind(m, text, &why);
    FUZZ_CHECK(ard_mail_kind_name(kind) != NULL);
    FUZZ_CHECK(ard_autoreply_kind(m, NULL, NULL) <= ARD_KIND_BOUNCE);

    /* CLASSIFY: when lib/analyze.h (branch "classify") is merged, add the
     * one line below (and #include "analyze.h"). It reads the same raw bytes
     * through facts, intent and sentiment. opt must not be NULL; the models
     * load once, into a static, on first use (ard_models_load on models/):
     *     ard_analysis_free(ard_analyze(fuzz_models(), (const char *)data, size, &FUZZ_ANALYZE));
     * with static const ArdAnalyzeOptions FUZZ_ANALYZE = {.max_bytes = FUZZ_MESSAGE_MAX_BYTES}.
     */

    g_free(text);
    ard_message_free(m);
    return 0;
}

ARD_FUZZ_ENTRY(ard_fuzz_message)
