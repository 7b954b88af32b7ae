/* lib/reply: the customer's new words from real fixture messages, and the
 * quote, signature and HTML rules one by one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "fixture.h"
#include "reply.h"

static void expect_reply(const char *fixture, const char *want)
{
    ArdMessage *m = fixture_message(fixture);
    char *t = ard_reply_text(m);
    if (strcmp(t, want) != 0)
        print_error("%s: got [%s]\n", fixture, t);
    assert_string_equal(t, want);
    g_free(t);
    ard_message_free(m);
}

static void expect_trim(const char *in, const char *want)
{
    char *t = ard_reply_trim(in);
    if (strcmp(t, want) != 0)
        print_error("got [%s]\n", t);
    assert_string_equal(t, want);
    g_free(t);
}

static void test_plain_fixtures(void **state)
{
    (void)state;
    expect_reply("gmail-en.eml", "Hi,\n\nWe will pay INV-2024-0113 on Friday 15 March.\n\nThanks,\nJane");
    expect_reply("outlook-de-qp.eml",
                 "Guten Tag,\n\ndie Rechnung RE-4471 ist fehlerhaft, die Menge stimmt nicht. "
                 "Bitte senden Sie uns eine Gutschrift.\n\nMit freundlichen Grüßen\nHans Müller\nBuchhaltung");
    expect_reply("outlook-fr-latin1.eml",
                 "Bonjour,\n\nNous avons réglé la facture FA-2024-88 par virement le 1er mars.\n\n"
                 "Cordialement,\nAmélie Durand");
    expect_reply("reply-es-cp1252-b64.eml",
                 "Hola,\n\nLes pagaremos la factura F-2024-301 el próximo lunes. Disculpen el retraso "
                 "– tuvimos un problema con el banco.");
    expect_reply("reply-nl.eml", "Goedemiddag,\n\nFactuur 2024-0042 is vorige week betaald.");
    expect_reply("reply-nl-schreef.eml", "Wij betwisten factuur 2024-0050, de levering was onvolledig.");
    expect_reply("original-message-en.eml",
                 "Please send me a copy of invoice INV-7781, we cannot find it.\n\nBob Brown\n"
                 "Accounts Payable, Globex");
    expect_reply("empty.eml", "");
}

static void test_inline_reply_keeps_customer_lines(void **state)
{
    (void)state;
    expect_reply("inline-de.eml", "Die haben wir am 28.02. bezahlt.\n\n"
                                  "Diese Rechnung ist strittig, die Ware war beschädigt.");
}

static void test_html_fixtures(void **state)
{
    (void)state;
    expect_reply("html-gmail.eml", "Hello,\n\nWe paid these invoices & the fees:\n- INV-1 – 100 €\n"
                                   "- INV-2 – 200 €\nRegards,\nMaria");
    expect_reply("html-outlook-web.eml",
                 "We need a payment plan for INV-5520: three monthly instalments.\nCafé Initech");
    expect_reply("html-outlook-desktop.eml",
                 "Invoice 88812 was paid on 1 March, remittance attached.\nSara");
    expect_reply("html-thunderbird.eml", "Hallo,\nBezahlt am 2. März.\nGruß Eva");
    expect_reply("html-apple-b64.eml", "We dispute invoice A-77: the goods never arrived.\n\nLuc");
}

static void test_forwarded(void **state)
{
    (void)state;
    expect_reply("forwarded.eml", "See below: our payables team released the payment.");
    /* Nothing above the forwarded message: its text is what we were sent. */
    expect_reply("forwarded-only.eml", "Payment for INV-2024-0113 was released today.");
    expect_trim("---------- Forwarded message ---------\nFrom: A <a@x.example>\nDate: Fri, 1 Mar 2024\n"
                "Subject: Paid\nTo: b@x.example\n\nPaid in full.\n",
                "Paid in full.");
}

static void test_attributions(void **state)
{
    (void)state;
    expect_trim("Paid.\n\nOn Mon, Mar 4, 2024 at 10:15 AM AR <ar@x.example> wrote:\n> old\n", "Paid.");
    expect_trim("Bezahlt.\n\nAm Mo., 4. März 2024 um 10:15 Uhr schrieb AR <ar@x.example>:\n> alt\n", "Bezahlt.");
    expect_trim("Payé.\n\nLe lun. 4 mars 2024 à 10:15, AR <ar@x.example> a écrit :\n> ancien\n", "Payé.");
    expect_trim("Payé.\n\nLe 4 mars 2024 à 10:15, AR a\xC2\xA0" "écrit\xC2\xA0:\n> ancien\n", "Payé.");
    expect_trim("Pagado.\n\nEl lun, 4 mar 2024 a las 10:15, AR (<ar@x.example>) escribió:\n> viejo\n",
                "Pagado.");
    expect_trim("Betaald.\n\nOp ma 4 mrt. 2024 om 10:15 schreef AR <ar@x.example>:\n> oud\n", "Betaald.");
    /* Unquoted history below an attribution goes too. */
    expect_trim("Paid.\nOn 4 March 2024, AR wrote:\nDear customer, pay now.\n", "Paid.");
    /* A sentence starting with "On" stays. */
    expect_trim("On Friday we will pay.\nOn Monday we wrote to you.", "On Friday we will pay.\nOn Monday we wrote to you.");
}

static void test_outlook_blocks(void **state)
{
    (void)state;
    const char *blocks[] = {
        "From: AR <ar@x.example>\nSent: Monday, March 4, 2024 10:15 AM\nTo: me\nSubject: Reminder\n",
        "Von: AR <ar@x.example>\nGesendet: Montag, 4. März 2024 10:15\nAn: ich\nBetreff: Erinnerung\n",
        "De : AR <ar@x.example>\nEnvoyé : lundi 4 mars 2024 10:15\nÀ : moi\nObjet : Relance\n",
        "De: AR <ar@x.example>\nEnviado: lunes, 4 de marzo de 2024 10:15\nPara: yo\nAsunto: Recordatorio\n",
        "Van: AR <ar@x.example>\nVerzonden: maandag 4 maart 2024 10:15\nAan: ik\nOnderwerp: Herinnering\n",
        "*From:* AR <ar@x.example>\n*Sent:* Monday, March 4, 2024\n*To:* me\n*Subject:* Reminder\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(blocks); i++) {
        char *in = g_strconcat("Our answer.\n\n", blocks[i], "\nOld text.\n", NULL);
        expect_trim(in, "Our answer.");
        g_free(in);
    }
    /* A line that merely starts with "From:" is the customer's. */
    expect_trim("From: our side, all is paid.\nThanks", "From: our side, all is paid.\nThanks");
}

static void test_separators_footers_disclaimers(void **state)
{
    (void)state;
    const char *cuts[] = {
        "-----Original Message-----", "-----Ursprüngliche Nachricht-----",
        "-----Message d'origine-----", "-----Mensaje original-----",
        "-----Oorspronkelijk bericht-----", "________________________________", "-- ",
        "Sent from my iPhone", "Von meinem iPhone gesendet", "Envoyé de mon iPhone",
        "Enviado desde mi iPhone", "Verstuurd vanaf mijn iPhone", "Get Outlook for Android",
        "Sent from my Samsung Galaxy smartphone.",
        "CONFIDENTIALITY NOTICE: this message is for the addressee only.",
        "This e-mail and any attachments are confidential and intended solely for the addressee.",
        "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen.",
        "Ce message et toutes les pièces jointes sont confidentiels.",
        "Este mensaje y sus anexos son confidenciales.",
        "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde.",
        "*** DISCLAIMER ***",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
        char *in = g_strconcat("We paid on 1 March.\n\n", cuts[i], "\nAnything below.\n", NULL);
        expect_trim(in, "We paid on 1 March.");
        g_free(in);
    }
    /* Words about phones or confidentiality in a sentence stay. */
    expect_trim("I sent from my office the remittance for INV-3, see attached iPhone photo of it today please.",
                "I sent from my office the remittance for INV-3, see attached iPhone photo of it today please.");
    expect_trim("This is confidential: we cannot pay before April.",
                "This is confidential: we cannot pay before April.");
}

static void test_html_to_text_rules(void **state)
{
    (void)state;
    char *t = ard_html_to_text("<p>One&nbsp;&amp;   two</p><p>three<br>four</p><ul><li>a</li><li>b</li></ul>"
                               "<script>var x = 1;</script><style>p{}</style><table><tr><td>c1</td><td>c2</td>"
                               "</tr></table>", false);
    assert_string_equal(t, "One & two\nthree\nfour\n- a\n- b\nc1 c2");
    g_free(t);

    const char *yahoo = "<div>Paid today.</div><div class=\"yahoo_quoted\" id=\"yahoo_quoted_123\">"
                        "<div>On Monday, AR wrote:</div><div>Pay now.</div></div>";
    t = ard_html_to_text(yahoo, true);
    assert_string_equal(t, "Paid today.");
    g_free(t);
    t = ard_html_to_text(yahoo, false);
    assert_string_equal(t, "Paid today.\nOn Monday, AR wrote:\nPay now.");
    g_free(t);

    t = ard_html_to_text("<div>Disputed.</div><div id=\"mail-editor-reference-message-container\">"
                         "<div>From: AR</div><div>old</div></div>", true);
    assert_string_equal(t, "Disputed.");
    g_free(t);
    t = ard_html_to_text("<p>Promise: 20 March.</p><span id=\"OLK_SRC_BODY_SECTION\"><b>From:</b> AR</span>"
                         "<p>old</p>", true);
    assert_string_equal(t, "Promise: 20 March.");
    g_free(t);

    /* Broken markup still gives its words. */
    t = ard_html_to_text("<div><p>unclosed <b>bold <i>text</div></td></tr>trailing &bogus; &#x263A;", false);
    assert_string_equal(t, "unclosed bold text\ntrailing &bogus; \xE2\x98\xBA");
    g_free(t);
}

static void test_megabyte_thread_is_linear(void **state)
{
    (void)state;
    GString *s = g_string_new("We will pay all of it on Friday.\n\n");
    int level = 0;
    while (s->len < 1024 * 1024) {
        g_string_append(s, "On Mon, 4 Mar 2024 at 10:15, Someone <someone@example.com> wrote:\n");
        for (int k = 0; k <= level % 30; k++)
            g_string_append_c(s, '>');
        g_string_append(s, " On a long line that looks almost like an attribution but never ends in the verb ");
        for (int k = 0; k < 40; k++)
            g_string_append(s, "wrote wrote: schrieb a écrit ");
        g_string_append(s, "\n> From: x\n>> Sent: y\n");
        level++;
    }
    char *t = ard_reply_trim(s->str);
    assert_string_equal(t, "We will pay all of it on Friday.");
    g_free(t);
    /* The same megabyte as inline replies with nothing to cut. */
    g_string_truncate(s, 0);
    while (s->len < 1024 * 1024)
        g_string_append(s, "> quoted\nanswer line\n");
    t = ard_reply_trim(s->str);
    assert_true(g_str_has_prefix(t, "answer line\nanswer line\n"));
    assert_null(strstr(t, "quoted"));
    g_free(t);
    g_string_free(s, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_fixtures),
        cmocka_unit_test(test_inline_reply_keeps_customer_lines),
        cmocka_unit_test(test_html_fixtures),
        cmocka_unit_test(test_forwarded),
        cmocka_unit_test(test_attributions),
        cmocka_unit_test(test_outlook_blocks),
        cmocka_unit_test(test_separators_footers_disclaimers),
        cmocka_unit_test(test_html_to_text_rules),
        cmocka_unit_test(test_megabyte_thread_is_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
