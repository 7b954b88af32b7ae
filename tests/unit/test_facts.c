/* Unit tests for lib/facts: language, invoice numbers, amounts, promise
 * and return dates in five languages, and hostile input. Expected days are
 * worked out by hand against a fixed reference day. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "facts.h"

/* Tuesday 10 March 2026. */
#define REF "2026-03-10"

static ArdDay day(const char *s)
{
    ArdDay d;
    assert_true(ard_day_parse(s, &d));
    return d;
}

static void expect_promise_pr(const char *text, const char *ref, int payrun, const char *want)
{
    ArdDay got = ard_facts_promise_date(text, NULL, day(ref), payrun);
    char buf[11] = "none";
    if (got != ARD_DAY_NONE)
        ard_day_format(got, buf);
    if (strcmp(buf, want) != 0)
        fail_msg("promise of \"%s\": want %s, got %s", text, want, buf);
}

static void expect_promise(const char *text, const char *want)
{
    expect_promise_pr(text, REF, 5, want);
}

static void expect_return(const char *text, const char *want)
{
    ArdDay got = ard_facts_return_date(text, NULL, day(REF));
    char buf[11] = "none";
    if (got != ARD_DAY_NONE)
        ard_day_format(got, buf);
    if (strcmp(buf, want) != 0)
        fail_msg("return of \"%s\": want %s, got %s", text, want, buf);
}

static void promise_en(void **state)
{
    (void)state;
    expect_promise("Hi Sarah,\n\nwe will pay INV-20417 on Friday.\n\nThanks\nMark", "2026-03-13");
    expect_promise("will pay monday", "2026-03-16");
    expect_promise("Paying this Friday.", "2026-03-13");
    expect_promise("We will pay next Tuesday.", "2026-03-17");
    expect_promise("Will be paid by 15/03.", "2026-03-15");
    expect_promise("paying the balance on 3/13. thanks", "2026-03-13");
    expect_promise("Payment on 12/15/2026 as agreed.", "2026-12-15");
    expect_promise("We will pay on 05/04.", "2026-04-05");
    expect_promise("It will be paid on 15 December.", "2026-12-15");
    expect_promise("It will be paid on December 15th.", "2026-12-15");
    expect_promise("INV-11201 will be paid on March 20th.", "2026-03-20");
    expect_promise("We will pay on 26 January 2027.", "2027-01-26");
    expect_promise("It will be paid by the 20th.", "2026-03-20");
    expect_promise("payment will be made on the 5th", "2026-04-05");
    expect_promise("I'll transfer it tomorrow morning.", "2026-03-11");
    expect_promise("ill pay it tmrw xx", "2026-03-11");
    expect_promise("Sorting it out today, sorry!", "2026-03-10");
    expect_promise("will be paid next week", "2026-03-20");
    expect_promise("Payment by the end of next week.", "2026-03-20");
    expect_promise("I'll make sure this goes out this week.", "2026-03-13");
    expect_promise("end of the month is the best I can do", "2026-03-31");
    expect_promise("should be end of next month", "2026-04-30");
    expect_promise("We will pay INV-3319 by end of April.", "2026-04-30");
    expect_promise("It will be paid within 5 days.", "2026-03-15");
    expect_promise("We will pay in 10 days.", "2026-03-20");
    expect_promise("We will pay in 2 weeks.", "2026-03-24");
    expect_promise("I'll pay within seven days.", "2026-03-17");
    expect_promise("It will be settled in our next payment run.", "2026-03-13");
}

static void promise_de(void **state)
{
    (void)state;
    expect_promise("die Rechnung RE-2026-0412 wird am Freitag überwiesen.", "2026-03-13");
    expect_promise("Zahlung erfolgt am 15.12.", "2026-12-15");
    expect_promise("Zahlung erfolgt bis 30.06.2026.", "2026-06-30");
    expect_promise("zahle am 5.4. wenn das gehalt da ist", "2026-04-05");
    expect_promise("Die Zahlung wird am 15. Dezember erfolgen.", "2026-12-15");
    expect_promise("das Geld sollte morgen bei Ihnen sein.", "2026-03-11");
    expect_promise("Guten Morgen, wir zahlen am Donnerstag.", "2026-03-12");
    expect_promise("Wir zahlen heute noch.", "2026-03-10");
    expect_promise("Ich überweise die 340 Euro nächste Woche.", "2026-03-20");
    expect_promise("Wir zahlen Ende des Monats.", "2026-03-31");
    expect_promise("Zahlung zum Monatsende.", "2026-03-31");
    expect_promise("Bezahlt wird Ende nächsten Monats.", "2026-04-30");
    expect_promise("die Rechnung wird in zwei Wochen ausgeglichen.", "2026-03-24");
    expect_promise("Wir zahlen innerhalb von 5 Tagen.", "2026-03-15");
    expect_promise("Sie wird in unserem nächsten Zahlungslauf berücksichtigt.", "2026-03-13");
}

static void promise_fr(void **state)
{
    (void)state;
    expect_promise("Le virement partira vendredi.", "2026-03-13");
    expect_promise("Nous paierons le 3 avril.", "2026-04-03");
    expect_promise("Le virement sera émis le 1er avril.", "2026-04-01");
    expect_promise("Règlement prévu le 15/04/2026 par LCR.", "2026-04-15");
    expect_promise("je lance le paiement demain matin, promis.", "2026-03-11");
    expect_promise("On vous a dit qu'on payait la semaine prochaine.", "2026-03-20");
    expect_promise("Nous réglerons la facture d'ici la fin du mois.", "2026-03-31");
    expect_promise("Le paiement sera effectué sous 10 jours.", "2026-03-20");
    expect_promise("Paiement dans 10 jours.", "2026-03-20");
    expect_promise("Ce sera payé dans deux semaines.", "2026-03-24");
    expect_promise("Celle-ci sera réglée lors de notre prochaine campagne de paiement.", "2026-03-13");
    expect_promise("Nous paierons à la fin du mois prochain.", "2026-04-30");
}

static void promise_es(void **state)
{
    (void)state;
    expect_promise("La pagaremos el viernes.", "2026-03-13");
    expect_promise("La pagaremos el 5 de abril.", "2026-04-05");
    expect_promise("Se pagará el 15/03.", "2026-03-15");
    expect_promise("mañana hago la transferencia", "2026-03-11");
    expect_promise("Pagaremos la próxima semana.", "2026-03-20");
    expect_promise("Pagaremos la semana que viene.", "2026-03-20");
    expect_promise("La pagamos a finales de mes sin falta.", "2026-03-31");
    expect_promise("Pago en 10 días.", "2026-03-20");
    expect_promise("Se paga en dos semanas.", "2026-03-24");
    expect_promise("la factura será abonada en la próxima remesa de pagos.", "2026-03-13");
    expect_promise("Haré la transferencia a finales del mes que viene.", "2026-04-30");
}

static void promise_nl(void **state)
{
    (void)state;
    expect_promise("factuur 2026-118 wordt vrijdag betaald.", "2026-03-13");
    expect_promise("Betaling volgt op 12 april.", "2026-04-12");
    expect_promise("De factuur wordt op 15-04 voldaan.", "2026-04-15");
    expect_promise("Ik maak het morgen over.", "2026-03-11");
    expect_promise("Ik betaal volgende week.", "2026-03-20");
    expect_promise("We betalen eind van de maand.", "2026-03-31");
    expect_promise("De contributie maak ik eind deze maand over.", "2026-03-31");
    expect_promise("We betalen binnen 10 dagen.", "2026-03-20");
    expect_promise("factuur 5520 gaat over 10 dagen de deur uit", "2026-03-20");
    expect_promise("Deze wordt meegenomen in de volgende betaalrun.", "2026-03-13");
    expect_promise("uiterlijk eind volgende maand", "2026-04-30");
}

static void promise_payrun_weekday(void **state)
{
    (void)state;
    expect_promise_pr("It will be paid in our next payment run.", REF, 3, "2026-03-11");
    /* Strictly after: on a Friday the next Friday run is a week away. */
    expect_promise_pr("It will be paid in our next payment run.", "2026-03-13", 5, "2026-03-20");
}

static void promise_past_and_choice(void **state)
{
    (void)state;
    expect_promise("We paid on 3 March.", "none");
    expect_promise("Paid today.", "none");
    expect_promise("paid on friday. ref 4471", "none");
    expect_promise("Wir haben am 02.03. überwiesen.", "none");
    expect_promise("INV-1 was paid on 2 March. INV-2 will be paid on Friday.", "2026-03-13");
    expect_promise("Our manager is back on Monday. We will pay on 20 March.", "2026-03-20");
    expect_promise("This is the third email this week. It will be paid by the 15th.", "2026-03-15");
    expect_promise("We'll pay soon.", "none");
    expect_promise("It will be paid when the funds clear.", "none");
}

static void promise_invalid_and_ambiguous(void **state)
{
    (void)state;
    expect_promise("Zahlung am 31.02.", "none");
    expect_promise("We will pay on 31 February.", "none");
    expect_promise("We will pay EUR 12.50 soon.", "none");
    expect_promise("Payment of 1.234,56 EUR will follow.", "none");
    /* A day that has already passed this year and is far ahead next year
     * is a past reference, not a promise. */
    expect_promise("It was due on 1 March.", "none");
    /* "this week" is never used on a weekend: the coming week's Friday. */
    expect_promise_pr("will be settled this week", "2026-03-14", 5, "2026-03-20");
    expect_promise("", "none");
}

/* A weekday with "next week", in either order, is that weekday of the
 * following ISO week (Monday first), whatever day the message is from. */
#define MON "2026-03-02"
#define SUN "2026-03-08"
#define SAT "2026-03-07"

static void promise_weekday_next_week(void **state)
{
    (void)state;
    expect_promise_pr("Hi, we will pay on Tuesday next week.", MON, 5, "2026-03-10");
    expect_promise_pr("Hi, we will pay next week on Tuesday.", MON, 5, "2026-03-10");
    expect_promise_pr("Hi, we will pay next week on Tuesday. Jane", MON, 5, "2026-03-10");
    expect_promise_pr("Payment goes out Tuesday of next week.", MON, 5, "2026-03-10");
    expect_promise_pr("We will pay next week, Tuesday at the latest.", MON, 5, "2026-03-10");
    expect_promise_pr("will pay next week tuesday", MON, 5, "2026-03-10");
    expect_promise_pr("We will pay on Friday next week.", MON, 5, "2026-03-13");
    expect_promise_pr("We will pay on Monday next week.", MON, 5, "2026-03-09");
    expect_promise_pr("Wir zahlen nächste Woche Dienstag.", MON, 5, "2026-03-10");
    expect_promise_pr("Wir zahlen Dienstag nächste Woche.", MON, 5, "2026-03-10");
    expect_promise_pr("Zahlung erfolgt am Dienstag nächster Woche.", MON, 5, "2026-03-10");
    expect_promise_pr("Wir überweisen nächste Woche am Dienstag.", MON, 5, "2026-03-10");
    expect_promise_pr("Wir zahlen am Dienstag der nächsten Woche.", MON, 5, "2026-03-10");
    expect_promise_pr("Wir zahlen kommende Woche Dienstag.", MON, 5, "2026-03-10");
    expect_promise_pr("Nous paierons la semaine prochaine mardi.", MON, 5, "2026-03-10");
    expect_promise_pr("Nous paierons mardi de la semaine prochaine.", MON, 5, "2026-03-10");
    expect_promise_pr("Le virement partira mardi la semaine prochaine.", MON, 5, "2026-03-10");
    expect_promise_pr("Pagaremos el martes de la semana que viene.", MON, 5, "2026-03-10");
    expect_promise_pr("Pagaremos el martes de la próxima semana.", MON, 5, "2026-03-10");
    expect_promise_pr("Pagaremos la próxima semana, el martes.", MON, 5, "2026-03-10");
    expect_promise_pr("Pagaremos la semana que viene el martes.", MON, 5, "2026-03-10");
    expect_promise_pr("Ik betaal volgende week dinsdag.", MON, 5, "2026-03-10");
    expect_promise_pr("Ik betaal dinsdag volgende week.", MON, 5, "2026-03-10");
    expect_promise_pr("We betalen volgende week op dinsdag.", MON, 5, "2026-03-10");
    expect_promise_pr("We betalen komende week dinsdag.", MON, 5, "2026-03-10");
    /* The message's day is itself a Tuesday: a week later. */
    expect_promise("We will pay on Tuesday next week.", "2026-03-17");
    expect_promise("We will pay next week on Tuesday.", "2026-03-17");
    expect_promise("We will pay on Wednesday next week.", "2026-03-18");
    expect_promise("Wir zahlen nächste Woche Dienstag.", "2026-03-17");
    expect_promise("Nous paierons mardi de la semaine prochaine.", "2026-03-17");
    expect_promise("Pagaremos el martes de la semana que viene.", "2026-03-17");
    expect_promise("Ik betaal dinsdag volgende week.", "2026-03-17");
    /* A Sunday or Saturday ends its week: next week starts the next day. */
    expect_promise_pr("We will pay on Tuesday next week.", SUN, 5, "2026-03-10");
    expect_promise_pr("We will pay next week on Tuesday.", SUN, 5, "2026-03-10");
    expect_promise_pr("Wir zahlen Dienstag nächste Woche.", SUN, 5, "2026-03-10");
    expect_promise_pr("Nous paierons la semaine prochaine mardi.", SUN, 5, "2026-03-10");
    expect_promise_pr("Pagaremos la próxima semana, el martes.", SUN, 5, "2026-03-10");
    expect_promise_pr("Ik betaal volgende week dinsdag.", SUN, 5, "2026-03-10");
    expect_promise_pr("We will pay next week on Tuesday.", SAT, 5, "2026-03-10");
    /* A return date reads the same way. */
    expect_return("I am out and back on Wednesday next week.", "2026-03-18");
}

/* What the combined reading must leave alone. */
static void promise_weekday_next_week_unchanged(void **state)
{
    (void)state;
    expect_promise_pr("We will pay on Tuesday.", MON, 5, "2026-03-03");
    expect_promise_pr("We will pay next Tuesday.", MON, 5, "2026-03-03");
    expect_promise_pr("Nous paierons mardi prochain.", MON, 5, "2026-03-03");
    expect_promise_pr("Pagaremos el martes que viene.", MON, 5, "2026-03-03");
    expect_promise_pr("We will pay this week.", MON, 5, "2026-03-06");
    expect_promise_pr("We will pay next week.", MON, 5, "2026-03-13");
    expect_promise_pr("Payment by the end of next week.", MON, 5, "2026-03-13");
    expect_promise_pr("We will pay on 20 March.", MON, 5, "2026-03-20");
    expect_promise_pr("We will pay on Tuesday.", SUN, 5, "2026-03-10");
    expect_promise_pr("We will pay next week.", SUN, 5, "2026-03-13");
    expect_promise("We will pay on Tuesday.", "2026-03-17");
    expect_promise("We will pay next Tuesday.", "2026-03-17");
    /* A sentence between them keeps them apart. */
    expect_promise("We will pay next week. Tuesday is a holiday here.", "2026-03-20");
}

static void return_dates(void **state)
{
    (void)state;
    expect_return("I am out of the office until 20 March.", "2026-03-20");
    expect_return("I'm currently on annual leave and will be back on Monday.", "2026-03-16");
    expect_return("I'm on leave and back on Monday 16 March.", "2026-03-16");
    expect_return("I am on vacation from 12 March to 19 March inclusive.", "2026-03-19");
    expect_return("I'm in meetings all day and will respond tomorrow morning.", "2026-03-11");
    expect_return("Ich bin bis 13.03. auf Reisen. Zurück bin ich am 16.03.", "2026-03-16");
    expect_return("Ich bin bis einschließlich 20.03. nicht im Büro.", "2026-03-20");
    expect_return("Ich bin zurück am 20.03.", "2026-03-20");
    expect_return("Je serai de retour le 3 avril.", "2026-04-03");
    expect_return("Je suis absent jusqu'au 20 mars.", "2026-03-20");
    expect_return("Estaré fuera hasta el 20 de marzo.", "2026-03-20");
    expect_return("Estoy de vacaciones y volveré el 31 de marzo.", "2026-03-31");
    expect_return("Ik ben terug op 14 april.", "2026-04-14");
    expect_return("Ik ben morgen weer op kantoor.", "2026-03-11");
    expect_return("Ik ben op cursus en tot en met vrijdag niet bereikbaar. Maandag ben ik terug.", "2026-03-16");
    expect_return("I am currently travelling with intermittent access to email.", "none");
    expect_return("This mailbox is monitored Monday to Friday, 9am to 5pm.", "none");
    expect_return("Your email will be answered within 10 working days.", "none");
    expect_return("", "none");
}

static void language(void **state)
{
    (void)state;
    assert_string_equal(ard_language_detect("we will pay on Friday"), "en");
    assert_string_equal(ard_language_detect("Hi Sarah, thanks for the reminder. The invoice has been "
                                            "approved and will be paid in our next payment run."), "en");
    assert_string_equal(ard_language_detect("Zahlung erfolgt am Freitag."), "de");
    assert_string_equal(ard_language_detect("Sehr geehrte Damen und Herren, die Rechnung wird in "
                                            "unserem nächsten Zahlungslauf berücksichtigt."), "de");
    assert_string_equal(ard_language_detect("Réglé le 05/03."), "fr");
    assert_string_equal(ard_language_detect("Bonjour, nous réglerons la facture d'ici la fin du mois. "
                                            "Cordialement"), "fr");
    assert_string_equal(ard_language_detect("mañana hago la transferencia"), "es");
    assert_string_equal(ard_language_detect("Buenos días, la factura será abonada en la próxima "
                                            "remesa de pagos. Saludos"), "es");
    assert_string_equal(ard_language_detect("Ik betaal volgende week."), "nl");
    assert_string_equal(ard_language_detect("Geachte heer/mevrouw, de factuur wordt meegenomen in "
                                            "de volgende betaalrun. Met vriendelijke groet"), "nl");
    assert_string_equal(ard_language_detect(""), "en");
    assert_string_equal(ard_language_detect("12345 !!!"), "en");
    assert_string_equal(ard_language_detect(NULL), "en");
}

static void extract(const char *text, const ArdFactsCtx *ctx, ArdFacts *f)
{
    ard_facts_extract(text, ctx, f);
}

static void expect_invoices(const char *text, const ArdFactsCtx *ctx, const char *const *want)
{
    ArdFacts f;
    extract(text, ctx, &f);
    guint n = 0;
    while (want[n])
        n++;
    if (f.invoices->len != n) {
        GString *g = g_string_new(NULL);
        for (guint i = 0; i < f.invoices->len; i++)
            g_string_append_printf(g, "[%s]", (char *)g_ptr_array_index(f.invoices, i));
        fail_msg("invoices of \"%s\": want %u, got %s", text, n, g->str);
    }
    for (guint i = 0; i < n; i++)
        assert_string_equal(g_ptr_array_index(f.invoices, i), want[i]);
    ard_facts_clear(&f);
}

/* The whole extract reads both dates from one scan: a pay-run weekday
 * other than Friday dates the promise and leaves the return date alone. */
static void extract_both_dates_payrun(void **state)
{
    (void)state;
    const char *text = "I am back on 16 March. It will be paid in our next payment run.";
    ArdFactsCtx ctx = { .ref = day(REF), .payment_run_weekday = 3 };
    ArdFacts f;
    extract(text, &ctx, &f);
    char d[11];
    ard_day_format(f.promise_date, d);
    assert_string_equal(d, "2026-03-11");
    ard_day_format(f.return_date, d);
    assert_string_equal(d, "2026-03-16");
    assert_int_equal(f.promise_date, ard_facts_promise_date(text, NULL, day(REF), 3));
    assert_int_equal(f.return_date, ard_facts_return_date(text, NULL, day(REF)));
    ard_facts_clear(&f);
}

static void invoices_by_pattern(void **state)
{
    (void)state;
    ArdFactsCtx ctx = { .ref = day(REF), .payment_run_weekday = 5 };
    expect_invoices("Invoices INV-20417, RE-2026-0412 and 2026-00412, also F2026-118 and #88231.",
                    &ctx, (const char *[]){ "INV-20417", "RE-2026-0412", "2026-00412",
                                            "F2026-118", "88231", NULL });
    expect_invoices("invoice 4471 is paid", &ctx, (const char *[]){ "4471", NULL });
    expect_invoices("Rechnung Nr. 4471 ist bezahlt", &ctx, (const char *[]){ "4471", NULL });
    expect_invoices("la facture n° 4471 sera réglée", &ctx, (const char *[]){ "4471", NULL });
    expect_invoices("la factura 4471 pagamos el lunes", &ctx, (const char *[]){ "4471", NULL });
    expect_invoices("factuur 4471 wordt betaald", &ctx, (const char *[]){ "4471", NULL });
    expect_invoices("INV-20417 and again INV-20417.", &ctx, (const char *[]){ "INV-20417", NULL });
    expect_invoices("Paid on 15.03.2026 and 2026-03-02, EUR 1.234,56, call 089 4412-0, "
                    "80331 Munich, ticket #52107, 24-48 hours.", &ctx, (const char *[]){ NULL });
}

static bool known_ids(const char *token, void *data)
{
    (void)data;
    return strcmp(token, "INV-20417") == 0 || strcmp(token, "4471") == 0;
}

static void invoices_known(void **state)
{
    (void)state;
    ArdFactsCtx ctx = { .ref = day(REF), .payment_run_weekday = 5, .known = known_ids };
    expect_invoices("inv-20417, INV-99999, 2026-00412 and invoice 4471", &ctx,
                    (const char *[]){ "INV-20417", "4471", NULL });
    expect_invoices("nothing here", &ctx, (const char *[]){ NULL });
}

static void expect_amount(const char *text, int64_t minor, const char *cur)
{
    ArdFacts f;
    ArdFactsCtx ctx = { .ref = day(REF) };
    extract(text, &ctx, &f);
    if (f.amounts->len != 1)
        fail_msg("amounts of \"%s\": want 1, got %u", text, f.amounts->len);
    ArdAmount a = g_array_index(f.amounts, ArdAmount, 0);
    assert_int_equal(a.minor, minor);
    assert_string_equal(a.currency, cur);
    ard_facts_clear(&f);
}

static void amounts(void **state)
{
    (void)state;
    expect_amount("total 1.234,56 € open", 123456, "EUR");
    expect_amount("total €1,234.56 open", 123456, "EUR");
    expect_amount("I'll transfer the $4,200 tomorrow", 420000, "USD");
    expect_amount("The amount of GBP 310.00 will be settled", 31000, "GBP");
    expect_amount("Wir überweisen 310,00 EUR.", 31000, "EUR");
    expect_amount("CHF 1'200.50 is open", 120050, "CHF");
    expect_amount("d'un montant de 2 340,00 € TTC", 234000, "EUR");
    expect_amount("Ich überweise die 340 Euro nächste Woche", 34000, "EUR");
    expect_amount("voor € 210,- krijgen", 21000, "EUR");
    expect_amount("JPY 5,000 remaining", 5000, "JPY");

    ArdFacts f;
    ArdFactsCtx ctx = { .ref = day(REF) };
    extract("about USD 12k and 4471 items, invoice 2026-00412", &ctx, &f);
    assert_int_equal(f.amounts->len, 0);
    ard_facts_clear(&f);
}

static void whole_extract(void **state)
{
    (void)state;
    ArdFactsCtx ctx = { .ref = day(REF), .payment_run_weekday = 5 };
    ArdFacts f;
    extract("Guten Tag,\n\ndie Rechnung RE-2026-0412 über 2.480,00 € wird am Freitag überwiesen.\n"
            "Mit freundlichen Grüßen", &ctx, &f);
    assert_string_equal(f.lang, "de");
    assert_int_equal(f.invoices->len, 1);
    assert_string_equal(g_ptr_array_index(f.invoices, 0), "RE-2026-0412");
    assert_int_equal(f.amounts->len, 1);
    assert_int_equal(g_array_index(f.amounts, ArdAmount, 0).minor, 248000);
    assert_int_equal(f.promise_date, day("2026-03-13"));
    ard_facts_clear(&f);

    extract(NULL, &ctx, &f);
    assert_string_equal(f.lang, "en");
    assert_int_equal(f.invoices->len, 0);
    assert_int_equal(f.promise_date, ARD_DAY_NONE);
    assert_int_equal(f.return_date, ARD_DAY_NONE);
    ard_facts_clear(&f);
}

static void hostile_input(void **state)
{
    (void)state;
    /* A megabyte of digits, separators and date words must finish in
     * linear work and still give sane answers. */
    GString *g = g_string_new("we will pay on Friday. ");
    while (g->len < 1024 * 1024)
        g_string_append(g, "1.2.3-4/5 31.02. INV-12-05 end of the 99999999999999 Monday ##--// ");
    ArdFactsCtx ctx = { .ref = day(REF), .payment_run_weekday = 5 };
    ArdFacts f;
    extract(g->str, &ctx, &f);
    assert_string_equal(f.lang, "en");
    assert_int_equal(f.promise_date, day("2026-03-13"));
    ard_facts_clear(&f);
    g_string_free(g, TRUE);

    /* Invalid UTF-8 and control bytes. */
    extract("pay \xff\xfe on 15.04. \x01\x02 Freitag \xc3", &ctx, &f);
    assert_int_equal(f.promise_date, day("2026-04-15"));
    ard_facts_clear(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(promise_en),
        cmocka_unit_test(promise_de),
        cmocka_unit_test(promise_fr),
        cmocka_unit_test(promise_es),
        cmocka_unit_test(promise_nl),
        cmocka_unit_test(promise_payrun_weekday),
        cmocka_unit_test(promise_past_and_choice),
        cmocka_unit_test(promise_invalid_and_ambiguous),
        cmocka_unit_test(promise_weekday_next_week),
        cmocka_unit_test(promise_weekday_next_week_unchanged),
        cmocka_unit_test(return_dates),
        cmocka_unit_test(language),
        cmocka_unit_test(extract_both_dates_payrun),
        cmocka_unit_test(invoices_by_pattern),
        cmocka_unit_test(invoices_known),
        cmocka_unit_test(amounts),
        cmocka_unit_test(whole_extract),
        cmocka_unit_test(hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
