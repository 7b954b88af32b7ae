/* lib/message: real GMime parsing of the fixture messages and of huge,
 * deep and wide messages built in memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "fixture.h"
#include "reply.h"
#include <gmime/gmime.h>

static void test_headers_and_multipart_text(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("gmail-en.eml");
    assert_string_equal(m->from_addr, "jane.smith@acme-widgets.example");
    assert_string_equal(m->from_name, "Jane Smith");
    assert_string_equal(m->subject, "Re: Invoice INV-2024-0113 is overdue");
    assert_string_equal(m->in_reply_to, "dun-123@ardent-demo.example");
    assert_int_equal(m->references->len, 2);
    assert_string_equal(g_ptr_array_index(m->references, 0), "dun-100@ardent-demo.example");
    assert_string_equal(ard_message_header(m, "to"), "Accounts Receivable <ar@ardent-demo.example>");
    assert_null(ard_message_header(m, "X-Nothing"));
    char day[11];
    ard_day_format(m->date, day);
    assert_string_equal(day, "2024-03-05");
    assert_non_null(strstr(m->text, "We will pay INV-2024-0113 on Friday 15 March."));
    assert_non_null(m->html);
    assert_non_null(strstr(m->html, "gmail_quote"));
    assert_false(m->truncated);
    assert_false(m->is_dsn);
    ard_message_free(m);
}

static void test_date_in_header_zone(void **state)
{
    (void)state;
    const char *raw = "From: a@example.com\nDate: Mon, 04 Mar 2024 23:30:00 -0800\n\nhi\n";
    ArdMessage *m = ard_message_parse(raw, strlen(raw), 0);
    char day[11];
    ard_day_format(m->date, day);
    assert_string_equal(day, "2024-03-04"); /* 2024-03-05 in UTC */
    ard_message_free(m);
    raw = "From: a@example.com\nDate: not a date\n\nhi\n";
    m = ard_message_parse(raw, strlen(raw), 0);
    assert_int_equal(m->date, ARD_DAY_NONE);
    ard_message_free(m);
}

/* What GMime's message object reads from the header block: first mailbox
 * of the From list (groups entered), Subject, Message-ID and Date. */
static void gmime_reference(const char *raw, char **addr, char **name, char **subject,
                            char **mid, ArdDay *day)
{
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, strlen(raw));
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
    assert_non_null(msg);
    *addr = NULL;
    *name = g_strdup("");
    InternetAddressList *from = g_mime_message_get_from(msg);
    for (int depth = 0; from && depth < 4 && internet_address_list_length(from) > 0; depth++) {
        InternetAddress *a = internet_address_list_get_address(from, 0);
        if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
            *addr = g_ascii_strdown(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)), -1);
            g_free(*name);
            *name = g_strdup(internet_address_get_name(a) ? internet_address_get_name(a) : "");
            g_strdelimit(*name, "\r\n\t", ' '); /* ardent keeps names on one line */
            break;
        }
        from = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a));
    }
    const char *s = g_mime_message_get_subject(msg);
    *subject = g_strdelimit(g_strdup(s ? s : ""), "\r\n\t", ' ');
    const char *id = g_mime_message_get_message_id(msg);
    *mid = id && *id ? g_strdup(id) : NULL;
    GDateTime *dt = g_mime_message_get_date(msg);
    *day = ARD_DAY_NONE;
    if (dt)
        ard_day_from_ymd(g_date_time_get_year(dt), g_date_time_get_month(dt),
                         g_date_time_get_day_of_month(dt), day);
    g_object_unref(msg);
    g_object_unref(parser);
    g_object_unref(stream);
}

/* Both NULL, or both strings and equal. */
static void assert_same_or_null(const char *got, const char *want)
{
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
}

/* The top level is read as a MIME part, not as a GMimeMessage (which
 * parses every address header): the fields must come out as the message
 * object gives them, for repeated, broken and encoded headers too. */
static void test_top_headers_as_message_object(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "From: A <a@x.example>\nSubject: one\nFrom: B <b@y.example>\nSubject: two\n"
        "Date: Mon, 07 Sep 2026 10:04:00 +0100\nDate: Tue, 08 Sep 2026 10:04:00 +0100\n"
        "Message-ID: <1@x>\nMessage-ID: <2@x>\n\nhi\n",
        "From: B <b@y.example> (unclosed\n\nhi\n",
        "From: (unclosed\nFrom: B <b@y.example>\n\nhi\n",
        "From: \nFrom: C <c@y.example>\n\nhi\n",
        "From: garbage <<<\nFrom: C <c@x.example>\nFrom: D <d@x.example>\n\nx\n",
        "From: undisclosed: A <a@x.example>, B <b@x.example>;\nSubject: g\n\nx\n",
        "From: =?utf-8?B?SsO8cmdlbg==?= <J@X.example>\r\nSubject: =?utf-8?Q?R=C3=A9?=\r\n\r\nx\r\n",
        "From: \"Bob,\n Smith\" <bob@x.example>\n (comment\nSubject: s\n\nx\n",
        "From: a@x.example (c1 (nested) \nDate: garbage\nMessage-Id: \n\nx\n",
        "from: lower@x.example\nFROM: upper@x.example\n\nx\n",
        "Content-Type: multipart/mixed; boundary=b\nFrom: z@x.example\n\n--b\n"
        "Content-Type: text/plain\n\nhello\n--b--\n",
        "Subject: no sender\n\nx\n",
        /* Saved from an mbox: GMime's message object skips the "From " lines. */
        "From a@x.example  Thu Aug 22 12:36:23 2002\nFrom: A <a@x.example>\nSubject: mbox\n\nhi\n",
        ">From a@x.example  Thu Aug 22 12:36:23 2002\nFrom a@x.example\nSubject: munged\n\nhi\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *addr, *name, *subject, *mid;
        ArdDay day;
        gmime_reference(cases[i], &addr, &name, &subject, &mid, &day);
        ArdMessage *m = ard_message_parse(cases[i], strlen(cases[i]), 0);
        assert_same_or_null(m->from_addr, addr);
        assert_string_equal(m->from_name, name);
        assert_string_equal(m->subject, subject);
        assert_same_or_null(m->message_id, mid);
        assert_int_equal(m->date, day);
        ard_message_free(m);
        g_free(addr), g_free(name), g_free(subject), g_free(mid);
    }

    /* Spelled out: the first From header's address, the last Subject, the
     * Content-* headers left out of the message's own list. */
    ArdMessage *m = ard_message_parse(cases[0], strlen(cases[0]), 0);
    assert_non_null(m->from_addr);
    assert_string_equal(m->from_addr, "a@x.example");
    assert_string_equal(m->subject, "two");
    assert_string_equal(m->message_id, "2@x");
    ard_message_free(m);
    m = ard_message_parse(cases[1], strlen(cases[1]), 0);
    assert_non_null(m->from_addr);
    assert_string_equal(m->from_addr, "b@y.example");
    ard_message_free(m);
    m = ard_message_parse(cases[10], strlen(cases[10]), 0);
    assert_null(ard_message_header(m, "Content-Type"));
    assert_string_equal(ard_message_header(m, "From"), "z@x.example");
    assert_non_null(strstr(m->text, "hello"));
    ard_message_free(m);
    m = ard_message_parse(cases[12], strlen(cases[12]), 0);
    assert_string_equal(m->subject, "mbox");
    assert_non_null(m->from_addr);
    assert_string_equal(m->from_addr, "a@x.example");
    assert_string_equal(m->text, "hi\n");
    ard_message_free(m);
}

static void test_encodings_and_charsets(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("outlook-de-qp.eml");
    assert_string_equal(m->from_name, "Hans Müller");
    assert_string_equal(m->from_addr, "h.mueller@example.de");
    assert_non_null(strstr(m->text, "Mit freundlichen Grüßen\nHans Müller"));
    ard_message_free(m);

    m = fixture_message("outlook-fr-latin1.eml");
    assert_string_equal(m->subject, "RE\xC2\xA0: Relance facture FA-2024-88 réglée");
    assert_non_null(strstr(m->text, "Nous avons réglé la facture FA-2024-88"));
    ard_message_free(m);

    m = fixture_message("reply-es-cp1252-b64.eml");
    assert_non_null(strstr(m->text, "el próximo lunes. Disculpen el retraso – tuvimos"));
    ard_message_free(m);

    m = fixture_message("html-apple-b64.eml");
    assert_string_equal(m->text, "");
    assert_non_null(strstr(m->html, "We dispute invoice A-77"));
    ard_message_free(m);
}

static void test_unknown_charset_gives_utf8(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("unknown-charset.eml");
    assert_true(g_utf8_validate(m->text, -1, NULL));
    assert_non_null(strstr(m->text, "el miércoles. Gracias – José"));
    /* 0x81 means nothing in Windows-1252: replaced, not dropped silently. */
    assert_non_null(strstr(m->text, "\xEF\xBF\xBD end"));
    ard_message_free(m);
}

static void test_attachments_named_not_read(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("remittance-pdf.eml");
    assert_int_equal(m->attachments->len, 2);
    assert_string_equal(g_ptr_array_index(m->attachments, 0), "remittance.pdf");
    assert_string_equal(g_ptr_array_index(m->attachments, 1), "logo grün.png");
    assert_string_equal(m->text, "Please find our remittance advice attached.\n");
    assert_null(strstr(m->text, "PDF"));
    ard_message_free(m);
}

static void test_forwarded_text_after_marker(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("forwarded.eml");
    const char *marker = strstr(m->text, "---------- Forwarded message ---------");
    assert_non_null(marker);
    const char *own = strstr(m->text, "See below: our payables team released the payment.");
    const char *fwd = strstr(m->text, "Payment for INV-2024-0113 was released today.");
    assert_non_null(own);
    assert_non_null(fwd);
    assert_true(own < marker && marker < fwd);
    ard_message_free(m);
}

static void test_dsn(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("dsn.eml");
    assert_true(m->is_dsn);
    assert_string_equal(m->dsn_recipient, "old.contact@acme-widgets.example");
    assert_string_equal(m->from_addr, "mailer-daemon@mx.ardent-demo.example");
    ard_message_free(m);

    m = fixture_message("gmail-en.eml");
    assert_null(m->dsn_recipient);
    ard_message_free(m);
}

/* Only a failed recipient is named: a delay report changes nothing. */
static void test_dsn_actions(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("dsn-delayed.eml");
    assert_true(m->is_dsn);
    assert_null(m->dsn_recipient);
    assert_true(m->dsn_notice);
    ard_message_free(m);

    m = fixture_message("dsn.eml");
    assert_false(m->dsn_notice);
    ard_message_free(m);

    /* One recipient delayed, one failed ("failure", as some MTAs write). */
    const char *raw = "From: MAILER-DAEMON@mx.example\nMIME-Version: 1.0\n"
                      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
                      "--b\nContent-Type: text/plain\n\nReport.\n"
                      "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n"
                      "Final-Recipient: rfc822; late@x.example\nAction: delayed\n\n"
                      "Final-Recipient: rfc822; Gone@X.example\nAction: failure\n--b--\n";
    m = ard_message_parse(raw, strlen(raw), 0);
    assert_string_equal(m->dsn_recipient, "gone@x.example");
    assert_false(m->dsn_notice);
    ard_message_free(m);
}

/* The body never uses the declared boundary: its raw text, in the top
 * part's charset, rather than nothing. */
static void test_boundary_mismatch(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("boundary-mismatch.eml");
    assert_non_null(strstr(m->text, "We dispute INV-2024-0630"));
    assert_non_null(strstr(m->text, "K\xC3\xB6nig Gmbh"));
    assert_true(g_utf8_validate(m->text, -1, NULL));
    ard_message_free(m);
}

static void test_broken_and_empty(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("broken-boundary.eml");
    assert_non_null(strstr(m->text, "The invoice was paid yesterday."));
    ard_message_free(m);

    m = fixture_message("empty.eml");
    assert_string_equal(m->text, "");
    assert_null(m->html);
    assert_string_equal(m->subject, "Re: invoice");
    ard_message_free(m);

    /* Not a message at all: still an ArdMessage, still UTF-8. */
    const char junk[] = "\xff\xfe\x00garbage\n\n--\n\x80\x81";
    m = ard_message_parse(junk, sizeof junk - 1, 0);
    assert_non_null(m);
    assert_non_null(m->text);
    assert_true(g_utf8_validate(m->text, -1, NULL));
    assert_string_equal(m->subject, "");
    ard_message_free(m);

    m = ard_message_parse(NULL, 0, 0);
    assert_string_equal(m->text, "");
    ard_message_free(m);
}

/* True when s holds a control character other than tab, CR and LF. */
static bool has_control(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return true;
    }
    return false;
}

/* Binary junk in an 8-bit text part without a charset (real spam does this)
 * carried 0x1F into the text, and json-glib 1.6 writes 0x1F unescaped: the
 * extract line was not JSON. No control byte may reach any field. */
static void test_control_bytes_dropped(void **state)
{
    (void)state;
    ArdMessage *m = fixture_message("control-bytes.eml");
    assert_true(g_utf8_validate(m->text, -1, NULL));
    assert_false(has_control(m->text));
    assert_non_null(strstr(m->text, "We paid INV-7 today.\nThe transfer reference is 4711."));
    assert_non_null(strstr(m->text, "Regards, Pat"));
    assert_string_equal(m->subject, "Re: Invoice INV-7");
    assert_false(has_control(ard_message_header(m, "X-Note")));
    assert_non_null(strstr(ard_message_header(m, "X-Note"), "tab\there"));
    for (guint i = 0; i < m->headers->len; i++)
        assert_false(has_control(((ArdHeader *)g_ptr_array_index(m->headers, i))->value));
    char *t = ard_reply_text(m);
    assert_false(has_control(t));
    assert_non_null(strstr(t, "We paid INV-7 today."));
    g_free(t);
    ard_message_free(m);

    /* The same bytes labelled UTF-8, and in an HTML part. */
    const char *raw = "From: a@example.com\nSubject: x\nContent-Type: text/html; charset=utf-8\n\n"
                      "<p>Paid\x1f today\x01.</p><pre>ref\x0b" "4711\x7f</pre>\n";
    m = ard_message_parse(raw, strlen(raw), 0);
    assert_false(has_control(m->html));
    t = ard_reply_text(m);
    assert_false(has_control(t));
    assert_non_null(strstr(t, "Paid today."));
    assert_non_null(strstr(t, "ref\n4711"));
    g_free(t);
    ard_message_free(m);
}

static char *text_of_utf8_body(const char *body)
{
    char *raw = g_strdup_printf("From: a@example.com\nSubject: x\nContent-Type: text/plain; "
                                "charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n", body);
    ArdMessage *m = ard_message_parse(raw, strlen(raw), 0);
    char *t = g_strdup(m->text);
    assert_true(g_utf8_validate(t, -1, NULL));
    ard_message_free(m);
    g_free(raw);
    return t;
}

/* Text labelled UTF-8 is kept when it is UTF-8 and read as Windows-1252
 * when it is not, wherever a sequence falls against the eight-byte runs
 * the check skips ASCII in. */
static void test_utf8_judged_like_glib(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "1234567\xC3\xA9 tail", "123456\xE2\x82\xAC tail", "12345\xF0\x9F\x98\x80 tail",
        "\xC3\xA9", "abcdefgh\xE2\x82\xAC", "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln, bis morgen"};
    for (size_t i = 0; i < G_N_ELEMENTS(valid); i++) {
        char *t = text_of_utf8_body(valid[i]);
        assert_true(g_utf8_validate(valid[i], -1, NULL));
        assert_non_null(strstr(t, valid[i]));
        g_free(t);
    }
    static const struct {
        const char *body, *expect;  /* expect: the Windows-1252 reading's mark */
    } invalid[] = {
        {"1234567\xC0\xAF tail", "\xC3\x80\xC2\xAF"},           /* overlong */
        {"123456\xED\xA0\x80 tail", "\xC3\xAD\xC2\xA0\xE2\x82\xAC"}, /* surrogate */
        {"abc\xE2\x82", "\xC3\xA2\xE2\x80\x9A"},               /* cut short at the end */
        {"abcdefgh\x80 tail", "\xE2\x82\xAC"},                  /* lone continuation */
        {"\xF5\x80\x80\x80", "\xC3\xB5"},                       /* past U+10FFFF */
        {"caf\xE9 ok", "caf\xC3\xA9 ok"},                          /* latin-1 mislabelled */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(invalid); i++) {
        char *t = text_of_utf8_body(invalid[i].body);
        assert_false(g_utf8_validate(invalid[i].body, -1, NULL));
        assert_non_null(strstr(t, invalid[i].expect));
        g_free(t);
    }
}

/* Windows-1252 bytes, NUL bytes among them, read into UTF-8: ASCII runs of
 * every length around the high bytes are kept, each NUL is dropped, and
 * each undefined byte becomes U+FFFD. */
static void test_cp1252_read(void **state)
{
    (void)state;
    static const unsigned char body[] = "Caf\xe9 \x80" "5 ab\0cd 0123456789abcdef\x93ok\x94"
                                        "\x81\0\0" "x\xff";
    char *b64 = g_base64_encode(body, sizeof body - 1);
    char *raw = g_strdup_printf("From: a@example.com\nSubject: x\nContent-Type: text/plain; "
                                "charset=windows-1252\nContent-Transfer-Encoding: base64\n\n%s\n",
                                b64);
    ArdMessage *m = ard_message_parse(raw, strlen(raw), 0);
    assert_string_equal(m->text, "Caf\xc3\xa9 \xe2\x82\xac" "5 abcd 0123456789abcdef"
                                 "\xe2\x80\x9cok\xe2\x80\x9d\xef\xbf\xbdx\xc3\xbf");
    ard_message_free(m);
    g_free(raw);
    g_free(b64);
}

static void test_huge_message_truncated(void **state)
{
    (void)state;
    GString *s = g_string_new("From: Big <big@example.com>\nSubject: big\nMIME-Version: 1.0\n"
                              "Content-Type: multipart/mixed; boundary=\"big-b\"\n\n"
                              "--big-b\nContent-Type: text/plain; charset=utf-8\n\n"
                              "Remittance for INV-1 attached.\n\n"
                              "--big-b\nContent-Type: application/octet-stream; name=\"dump.bin\"\n"
                              "Content-Transfer-Encoding: base64\n\n");
    while (s->len < 30u * 1024 * 1024)
        g_string_append(s, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5\n");
    g_string_append(s, "--big-b--\n");
    ArdMessage *m = ard_message_parse(s->str, s->len, 10 * 1024 * 1024);
    assert_true(m->truncated);
    assert_string_equal(m->text, "Remittance for INV-1 attached.\n");
    assert_string_equal(g_ptr_array_index(m->attachments, 0), "dump.bin");
    ard_message_free(m);
    g_string_free(s, TRUE);
}

static void test_many_parts_bounded(void **state)
{
    (void)state;
    GString *s = g_string_new("From: a@example.com\nMIME-Version: 1.0\n"
                              "Content-Type: multipart/mixed; boundary=\"w\"\n\n");
    for (int i = 0; i < 10000; i++)
        g_string_append_printf(s, "--w\nContent-Type: text/plain\n\npart %d\n", i);
    g_string_append(s, "--w--\n");
    ArdMessage *m = ard_message_parse(s->str, s->len, 0);
    assert_int_equal(m->parts, 1000);
    assert_non_null(strstr(m->text, "part 0\n"));
    assert_null(strstr(m->text, "part 9999"));
    ard_message_free(m);
    g_string_free(s, TRUE);
}

static void test_deep_nesting_bounded(void **state)
{
    (void)state;
    GString *s = g_string_new("From: a@example.com\nMIME-Version: 1.0\n");
    for (int i = 0; i < 100; i++)
        g_string_append_printf(s, "Content-Type: multipart/mixed; boundary=\"d%d\"\n\n--d%d\n", i, i);
    g_string_append(s, "Content-Type: text/plain\n\ndeepest words\n");
    for (int i = 99; i >= 0; i--)
        g_string_append_printf(s, "--d%d--\n", i);
    ArdMessage *m = ard_message_parse(s->str, s->len, 0);
    assert_true(m->parts <= 33);
    assert_null(strstr(m->text, "deepest words"));
    ard_message_free(m);
    g_string_free(s, TRUE);
}

static gpointer parse_in_thread(gpointer data)
{
    (void)data;
    for (int i = 0; i < 20; i++) {
        ArdMessage *m = fixture_message(i % 2 ? "outlook-fr-latin1.eml" : "remittance-pdf.eml");
        bool ok = m->text[0] != '\0';
        ard_message_free(m);
        if (!ok)
            return GINT_TO_POINTER(0);
    }
    return GINT_TO_POINTER(1);
}

static void test_threads(void **state)
{
    (void)state;
    GThread *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = g_thread_new("parse", parse_in_thread, NULL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(GPOINTER_TO_INT(g_thread_join(t[i])), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_and_multipart_text),
        cmocka_unit_test(test_date_in_header_zone),
        cmocka_unit_test(test_top_headers_as_message_object),
        cmocka_unit_test(test_encodings_and_charsets),
        cmocka_unit_test(test_unknown_charset_gives_utf8),
        cmocka_unit_test(test_attachments_named_not_read),
        cmocka_unit_test(test_forwarded_text_after_marker),
        cmocka_unit_test(test_dsn),
        cmocka_unit_test(test_dsn_actions),
        cmocka_unit_test(test_boundary_mismatch),
        cmocka_unit_test(test_broken_and_empty),
        cmocka_unit_test(test_control_bytes_dropped),
        cmocka_unit_test(test_utf8_judged_like_glib),
        cmocka_unit_test(test_cp1252_read),
        cmocka_unit_test(test_huge_message_truncated),
        cmocka_unit_test(test_many_parts_bounded),
        cmocka_unit_test(test_deep_nesting_bounded),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
