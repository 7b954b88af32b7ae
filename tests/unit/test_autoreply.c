/* lib/autoreply: kinds of the fixture messages, header rules one by one, and
 * people's replies that must stay replies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "autoreply.h"
#include "fixture.h"
#include "reply.h"

static ArdMailKind kind_of_message(ArdMessage *m)
{
    char *t = ard_reply_text(m);
    const char *why = NULL;
    ArdMailKind k = ard_autoreply_kind(m, t, &why);
    assert_non_null(why);
    g_free(t);
    return k;
}

static ArdMailKind kind_of_fixture(const char *name)
{
    ArdMessage *m = fixture_message(name);
    ArdMailKind k = kind_of_message(m);
    ard_message_free(m);
    return k;
}

/* A message from headers and a body given as strings. */
static ArdMailKind kind_of(const char *headers, const char *body)
{
    char *raw = g_strdup_printf("From: Someone <someone@example.com>\nTo: ar@ardent-demo.example\n"
                                "%s\n%s", headers, body);
    ArdMessage *m = ard_message_parse(raw, strlen(raw), 0);
    ArdMailKind k = kind_of_message(m);
    ard_message_free(m);
    g_free(raw);
    return k;
}

static void test_fixture_kinds(void **state)
{
    (void)state;
    assert_int_equal(kind_of_fixture("ooo-headers.eml"), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of_fixture("ooo-text-de.eml"), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of_fixture("auto-bulk.eml"), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of_fixture("ticket-ack.eml"), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of_fixture("list.eml"), ARD_KIND_BULK);
    assert_int_equal(kind_of_fixture("dsn.eml"), ARD_KIND_BOUNCE);
    const char *replies[] = {"mentions-ooo.eml", "gmail-en.eml", "outlook-de-qp.eml",
                             "outlook-fr-latin1.eml", "reply-es-cp1252-b64.eml", "reply-nl.eml",
                             "inline-de.eml", "html-outlook-web.eml", "remittance-pdf.eml",
                             "forwarded.eml", "empty.eml", "broken-boundary.eml"};
    for (size_t i = 0; i < G_N_ELEMENTS(replies); i++) {
        if (kind_of_fixture(replies[i]) != ARD_KIND_REPLY)
            print_error("%s is not a reply\n", replies[i]);
        assert_int_equal(kind_of_fixture(replies[i]), ARD_KIND_REPLY);
    }
}

static void test_auto_headers(void **state)
{
    (void)state;
    const char *body = "Paid.\n";
    assert_int_equal(kind_of("Auto-Submitted: auto-replied\n", body), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of("Auto-Submitted: auto-generated\n", body), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of("Auto-Submitted: no\n", body), ARD_KIND_REPLY);
    assert_int_equal(kind_of("X-Autoreply: yes\n", body), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of("X-Autorespond: yes\n", body), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of("Precedence: auto_reply\n", body), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of("X-MS-Exchange-Inbox-Rules-Loop: a@example.com\n", body), ARD_KIND_AUTO_REPLY);
    assert_int_equal(kind_of("X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\n", body),
                     ARD_KIND_AUTO_REPLY);
    /* Outlook sets this on ordinary mail: alone it says nothing. */
    assert_int_equal(kind_of("X-Auto-Response-Suppress: All\n", body), ARD_KIND_REPLY);
}

static void test_subjects(void **state)
{
    (void)state;
    const char *subjects[] = {
        "Automatic reply: Invoice 1", "Out of Office: Invoice 1", "AUTO: Invoice 1",
        "Autosvar: Faktura 1", "Automatische Antwort: Rechnung 1", "Abwesenheitsnotiz: Rechnung 1",
        "=?UTF-8?Q?R=C3=A9ponse_automatique_:_Facture_1?=", "Absence : Facture 1",
        "=?UTF-8?Q?Respuesta_autom=C3=A1tica:_Factura_1?=", "Fuera de la oficina: Factura 1",
        "Automatisch antwoord: Factuur 1", "Afwezig: Factuur 1",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(subjects); i++) {
        char *h = g_strdup_printf("Subject: %s\n", subjects[i]);
        if (kind_of(h, "Thanks.\n") != ARD_KIND_AUTO_REPLY)
            print_error("subject %s\n", subjects[i]);
        assert_int_equal(kind_of(h, "Thanks.\n"), ARD_KIND_AUTO_REPLY);
        g_free(h);
    }
    assert_int_equal(kind_of("Subject: Re: Automatic reply settings and invoice 7\n", "Paid.\n"), ARD_KIND_REPLY);
}

static void test_bulk(void **state)
{
    (void)state;
    assert_int_equal(kind_of("Precedence: bulk\n", "News.\n"), ARD_KIND_BULK);
    assert_int_equal(kind_of("Precedence: junk\n", "News.\n"), ARD_KIND_BULK);
    assert_int_equal(kind_of("List-Id: <x.example.com>\n", "News.\n"), ARD_KIND_BULK);
    assert_int_equal(kind_of("List-Unsubscribe: <mailto:u@example.com>\n", "News.\n"), ARD_KIND_BULK);
    /* A newsletter that opens like an out-of-office is still a newsletter. */
    assert_int_equal(kind_of("List-Unsubscribe: <mailto:u@example.com>\nSubject: Out of Office: our tips\n",
                             "I am out of the office and still productive with our app.\n"),
                     ARD_KIND_BULK);
}

static void test_text_signals(void **state)
{
    (void)state;
    const char *autos[] = {
        "Thank you for your email. I am out of the office until 18 March with no access to email.",
        "Hello,\n\nI am currently on annual leave and will return on 2 April.",
        "Vielen Dank für Ihre Nachricht. Ich bin derzeit nicht im Büro.",
        "Bonjour,\nJe suis absente jusqu'au 18 mars inclus.",
        "Gracias por su mensaje. Estaré fuera de la oficina hasta el 18 de marzo.",
        "Ik ben afwezig tot en met 18 maart.",
        "Ik ben tot 18 maart afwezig.",
        "Ik ben wegens ziekte voor onbepaalde tijd afwezig. Voor vragen: financien@example.nl.",
        "Ich bin wegen einer Fortbildung bis Freitag nicht im Büro.",
        "Out of office 08.09-15.09. For accounts questions contact finance@example.co.uk.",
        "Thank you for contacting us. We have received your request (case 0042-311) and will reply soon.",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(autos); i++) {
        if (kind_of("Subject: Re: Invoice\n", autos[i]) != ARD_KIND_AUTO_REPLY)
            print_error("text %s\n", autos[i]);
        assert_int_equal(kind_of("Subject: Re: Invoice\n", autos[i]), ARD_KIND_AUTO_REPLY);
    }
    const char *people[] = {
        "We paid yesterday. I was out of the office last week, sorry for the delay.",
        "Sorry, I am back now: I was on vacation. We have received your reminder and will pay.",
        "We have received your request for payment but the invoice is wrong.",
        "Ich war im Urlaub. Die Rechnung ist bezahlt.",
        "Je suis désolé du retard, le paiement est parti. J'étais absent.",
        "Hello, invoice 123 was paid. Ik ben afwezig volgende week.",
        "Out of office all week, but I paid invoice 4471 before leaving.",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(people); i++) {
        if (kind_of("Subject: Re: Invoice\n", people[i]) != ARD_KIND_REPLY)
            print_error("text %s\n", people[i]);
        assert_int_equal(kind_of("Subject: Re: Invoice\n", people[i]), ARD_KIND_REPLY);
    }
}

static void test_names_and_null_text(void **state)
{
    (void)state;
    assert_string_equal(ard_mail_kind_name(ARD_KIND_REPLY), "reply");
    assert_string_equal(ard_mail_kind_name(ARD_KIND_AUTO_REPLY), "auto_reply");
    assert_string_equal(ard_mail_kind_name(ARD_KIND_BULK), "bulk");
    assert_string_equal(ard_mail_kind_name(ARD_KIND_BOUNCE), "bounce");
    ArdMessage *m = fixture_message("dsn.eml");
    assert_int_equal(ard_autoreply_kind(m, NULL, NULL), ARD_KIND_BOUNCE);
    ard_message_free(m);
    /* A delay report is a notice that changes nothing, never a bounce. */
    assert_int_equal(kind_of_fixture("dsn-delayed.eml"), ARD_KIND_AUTO_REPLY);
    m = fixture_message("dsn-delayed.eml");
    assert_int_equal(ard_autoreply_kind(m, NULL, NULL), ARD_KIND_AUTO_REPLY);
    ard_message_free(m);
    m = fixture_message("gmail-en.eml");
    assert_int_equal(ard_autoreply_kind(m, NULL, NULL), ARD_KIND_REPLY);
    ard_message_free(m);
}

/* A bounce from an MTA that sends no delivery report: the mail system's
 * sender and a bounce subject together, in any case; either alone is not. */
static void test_plain_bounce(void **state)
{
    (void)state;
    static const struct {
        const char *from, *subject;
        ArdMailKind want;
    } cases[] = {
        {"MAILER-DAEMON@mx.example.com", "Undelivered Mail Returned to Sender", ARD_KIND_BOUNCE},
        {"postmaster@mx.example.com", "Mail delivery FAILED: returning message", ARD_KIND_BOUNCE},
        {"mailer-daemon@mx.example.com", "Re: Invoice 4471", ARD_KIND_REPLY},
        {"someone@example.com", "Undeliverable: Invoice 4471", ARD_KIND_REPLY},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *raw = g_strdup_printf("From: %s\nTo: ar@ardent-demo.example\nSubject: %s\n\n"
                                    "We will look into invoice 4471.\n",
                                    cases[i].from, cases[i].subject);
        ArdMessage *m = ard_message_parse(raw, strlen(raw), 0);
        assert_int_equal(kind_of_message(m), cases[i].want);
        ard_message_free(m);
        g_free(raw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_kinds),
        cmocka_unit_test(test_plain_bounce),
        cmocka_unit_test(test_auto_headers),
        cmocka_unit_test(test_subjects),
        cmocka_unit_test(test_bulk),
        cmocka_unit_test(test_text_signals),
        cmocka_unit_test(test_names_and_null_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
