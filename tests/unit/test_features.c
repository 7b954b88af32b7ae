/* Unit tests for lib/features: normalisation, tokens and number classes,
 * hashing determinism, idf weighting, L2 norm, features.meta round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ard_features.h"
#include "text.h"

static void expect_norm(const char *in, const char *want)
{
    char *got = ard_text_normalize(in);
    if (strcmp(got, want) != 0)
        fail_msg("normalize \"%s\": want \"%s\", got \"%s\"", in, want, got);
    g_free(got);
}

static void test_normalize(void **state)
{
    (void)state;
    expect_norm("PAID Yesterday", "paid yesterday");
    expect_norm("Stra\xc3\x9f" "e", "strasse");            /* ß folds to ss */
    expect_norm("\xef\xac\x81nance", "finance");             /* the fi ligature */
    expect_norm("\xef\xbc\xa9\xef\xbc\xae\xef\xbc\xb6", "inv"); /* full-width INV */
    expect_norm("E\xcc\x81t\xc3\xa9", "\xc3\xa9t\xc3\xa9");  /* combining accent composed */
    expect_norm("bad \xff byte", "bad \xef\xbf\xbd byte");   /* invalid UTF-8 replaced */
    expect_norm(NULL, "");
    /* ASCII takes a shorter road to the same form. */
    expect_norm("Invoice INV-7\tPAID\r\n{x}~", "invoice inv-7\tpaid\r\n{x}~");
    expect_norm("", "");
    expect_norm("PAID 12345678 Caf\xc3\xa9", "paid 12345678 caf\xc3\xa9");
}

/* The ASCII run ends at the first high byte wherever it falls against the
 * eight-byte words the scan reads. */
static void test_ascii_span(void **state)
{
    (void)state;
    char buf[40];
    for (size_t len = 0; len <= 24; len++) {
        memset(buf, 'a', sizeof buf);
        assert_int_equal(ard_ascii_span(buf, len), len);
        for (size_t k = 0; k < len; k++) {
            memset(buf, 'a', sizeof buf);
            buf[k] = (char)0xC3;
            assert_int_equal(ard_ascii_span(buf, len), k);
            buf[len] = (char)0x80;  /* past len: never read as part of it */
            assert_int_equal(ard_ascii_span(buf, len), k);
        }
    }
    assert_int_equal(ard_ascii_span("ab\0cd", 5), 5);  /* NUL is ASCII */
}

/* Lowering gives GLib's answer on either road, and stops at len. */
static void test_text_lower(void **state)
{
    (void)state;
    static const char *const texts[] = {"Out Of Office: BACK 12.03.", "",
                                        "R\xc3\x89PONSE Automatique", "STRA\xc3\x9f" "E \xc3\x96L",
                                        "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91 ABC"};
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        char *want = g_utf8_strdown(texts[i], -1);
        char *got = ard_text_lower(texts[i], -1);
        assert_string_equal(got, want);
        g_free(got);
        g_free(want);
    }
    char *cut = ard_text_lower("ABCDEF", 3);
    assert_string_equal(cut, "abc");
    g_free(cut);
    char *nul = ard_text_lower("AB\0CD", 5);  /* GLib stops at a NUL */
    assert_string_equal(nul, "ab");
    g_free(nul);
}

static void expect_glib_lower(const char *text)
{
    char *want = g_utf8_strdown(text, -1);
    char *got = ard_text_lower(text, -1);
    if (strcmp(got, want) != 0)
        fail_msg("lowering \"%s\": got \"%s\", GLib \"%s\"", text, got, want);
    g_free(got);
    g_free(want);
}

/* Every character, between ASCII letters and next to another non-ASCII
 * one, lowers as GLib lowers it; so do the characters GLib lowers by their
 * context (final sigma), to two characters (U+0130), by another table
 * (titlecase), to a longer encoding (U+023A), and invalid UTF-8. */
static void test_text_lower_unicode(void **state)
{
    (void)state;
    for (gunichar c = 0x80; c <= 0x10FFFF; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        char t[16] = "A";
        int n = 1 + g_unichar_to_utf8(c, t + 1);
        t[n++] = 'Z';
        n += g_unichar_to_utf8(0xC9, t + n);  /* É */
        t[n] = '\0';
        expect_glib_lower(t);
    }
    static const char *const special[] = {
        "\xce\xa3", "\xce\x91\xce\xa3", "\xce\x91\xce\xa3 B", "\xce\x91\xce\xa3\xce\x91",
        "ISTANBUL \xc4\xb0stanbul", "\xc7\x85" "EMAL \xc7\x84", "\xc8\xba\xc8\xbe X",
        "\xe1\xbe\x88 \xe1\xbe\xbc", "CAF\xc3\x89 \xff\xfe BAD", "\xc3", "AB\xe2\x82",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(special); i++)
        expect_glib_lower(special[i]);
}

/* The three mappings ardent cuts into pieces (features: NFKC, folded,
 * NFKC; facts: NFKC; the facts' folded form: NFKD, folded), each of a
 * whole text after replacing invalid bytes, as they were before the cut. */
enum { MAP_FEATURES, MAP_NFKC, MAP_NFKD_FOLD, MAP_COUNT };

static char *map_whole(int map, const char *s, size_t len)
{
    char *valid = g_utf8_make_valid(s, (gssize)len);
    char *out;
    if (map == MAP_NFKD_FOLD) {
        char *nfkd = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKD);
        out = g_utf8_casefold(nfkd, -1);
        g_free(nfkd);
    } else {
        out = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKC);
        if (map == MAP_FEATURES) {
            char *folded = g_utf8_casefold(out, -1);
            g_free(out);
            out = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC);
            g_free(folded);
        }
    }
    g_free(valid);
    return out;
}

static int piece_map;
static void piece_by_map(GString *out, const char *s, size_t len)
{
    char *m = map_whole(piece_map, s, len);
    g_string_append(out, m);
    g_free(m);
}
static void ascii_by_map(GString *out, const char *s, size_t len)
{
    if (piece_map == MAP_NFKC)
        g_string_append_len(out, s, (gssize)len);
    else
        ard_text_append_ascii_lower(out, s, len);
}

/* Text cut at ASCII characters maps as the whole does, for each mapping:
 * random strings of ASCII, combining marks (after ASCII and after other
 * marks, out of canonical order), precomposed and compatibility
 * characters, Hangul jamo that compose, folding specials and invalid
 * bytes. ard_text_normalize is checked against the whole too. */
static void test_normalize_pieces(void **state)
{
    (void)state;
    static const char *const bits[] = {
        "a", "E", "o", "<", "=", " ", ".", "1", "K", "I", "\n",
        "\xcc\x81", "\xcc\x88", "\xcc\xa7", "\xcc\xb8", "\xcc\xa3", "\xd6\xb0",
        "\xc3\xa9", "\xc3\x84", "\xc3\x9f", "\xc4\xb0", "\xce\xa3", "\xe1\xba\x9e",
        "\xef\xac\x81", "\xe2\x91\xa0", "\xef\xbc\xa1", "\xe3\x8e\x8f", "\xc2\xa0",
        "\xe1\x84\x80", "\xe1\x85\xa1", "\xe1\x86\xa8", "\xea\xb0\x80", "\xe2\x84\xaa",
        "\xc3", "\xff", "\xe2\x82",
    };
    GRand *r = g_rand_new_with_seed(20261124);
    for (int n = 0; n < 20000; n++) {
        GString *t = g_string_new(NULL);
        int parts = g_rand_int_range(r, 1, 14);
        for (int k = 0; k < parts; k++)
            g_string_append(t, bits[g_rand_int_range(r, 0, G_N_ELEMENTS(bits))]);
        for (piece_map = 0; piece_map < MAP_COUNT; piece_map++) {
            char *want = map_whole(piece_map, t->str, t->len);
            GString *got = g_string_new(NULL);
            ard_text_by_pieces(got, t->str, t->len, ascii_by_map, piece_by_map);
            if (strcmp(got->str, want) != 0)
                fail_msg("mapping %d of \"%s\": pieces \"%s\", whole \"%s\"", piece_map,
                         t->str, got->str, want);
            g_string_free(got, TRUE);
            g_free(want);
        }
        char *want = map_whole(MAP_FEATURES, t->str, t->len);
        char *got = ard_text_normalize(t->str);
        assert_string_equal(got, want);
        g_free(got);
        g_free(want);
        g_string_free(t, TRUE);
    }
    g_rand_free(r);
}

static void expect_tokens(const char *text, const char *want)
{
    char *norm = ard_text_normalize(text);
    GPtrArray *t = ard_text_tokens(norm);
    g_ptr_array_add(t, NULL);
    char *got = g_strjoinv(" ", (char **)t->pdata);
    if (strcmp(got, want) != 0)
        fail_msg("tokens of \"%s\": want \"%s\", got \"%s\"", text, want, got);
    g_free(got);
    g_ptr_array_free(t, TRUE);
    g_free(norm);
}

static void test_tokens(void **state)
{
    (void)state;
    expect_tokens("We will pay INV-20417 on Friday.", "we will pay #ref on friday");
    expect_tokens("Betrag 1.840,00 \xe2\x82\xac am 15.12.2026", "betrag #amt #cur am #date");
    expect_tokens("paid $1,200.00 on 2026-03-10", "paid #cur #amt on #date");
    expect_tokens("by the 15th, le 1er", "by the #day le #day");
    expect_tokens("at 10:30 in 2026, ticket #4411, 3 days", "at #time in #year ticket #ref #num days");
    expect_tokens("Payment for #88231 is scheduled for 30/04.", "payment for #ref is scheduled for #date");
    expect_tokens("don't e-mail", "don t e mail");
    expect_tokens("", "");
}

static void test_fnv(void **state)
{
    (void)state;
    /* Published FNV-1a 32-bit test vectors. */
    assert_int_equal(ard_fnv1a32(ARD_FNV_BASIS, "", 0), 0x811c9dc5u);
    assert_int_equal(ard_fnv1a32(ARD_FNV_BASIS, "a", 1), 0xe40c292cu);
    assert_int_equal(ard_fnv1a32(ARD_FNV_BASIS, "foobar", 6), 0xbf9cf968u);
}

static void test_counts_deterministic(void **state)
{
    (void)state;
    ArdVector a, b;
    ard_vector_init(&a);
    ard_vector_init(&b);
    ard_features_count(&ard_feature_spec_default, "Re: invoice", "We will pay on Friday. Pay!", &a);
    ard_features_count(&ard_feature_spec_default, "Re: invoice", "We will pay on Friday. Pay!", &b);
    assert_true(a.n > 10);
    assert_int_equal(a.n, b.n);
    double total = 0;
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.v[i].index, b.v[i].index);
        assert_true(a.v[i].index < (1u << ard_feature_spec_default.hash_bits));
        if (i > 0)
            assert_true(a.v[i - 1].index < a.v[i].index); /* sorted, merged */
        total += a.v[i].value;
    }
    /* "pay" twice: some bucket counts 2. */
    bool twice = false;
    for (size_t i = 0; i < a.n; i++)
        twice = twice || a.v[i].value >= 2;
    assert_true(twice);
    /* Case and width do not matter. */
    ard_features_count(&ard_feature_spec_default, "RE: INVOICE", "WE WILL PAY ON FRIDAY. PAY!", &b);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        assert_int_equal(a.v[i].index, b.v[i].index);
    /* The subject is a feature of its own. */
    ard_features_count(&ard_feature_spec_default, NULL, "We will pay on Friday. Pay!", &b);
    assert_true(b.n < a.n);
    ard_vector_clear(&a);
    ard_vector_clear(&b);
}

/* An empty reply (no subject, no text) has no features and must not trip
 * anything on the way: the fuzzer's first input. */
static void test_counts_empty(void **state)
{
    (void)state;
    ArdVector v;
    ard_vector_init(&v);
    ard_features_count(&ard_feature_spec_default, NULL, "", &v);
    assert_int_equal(v.n, 0);
    ard_features_count(&ard_feature_spec_default, "", "", &v);
    assert_int_equal(v.n, 0);
    ard_vector_clear(&v);
}

static bool share_bucket(const char *a, const char *b)
{
    ArdFeatureSpec spec = {.hash_bits = 18, .word_ngrams = 1, .cues = ARD_CUES_VERSION};
    ArdVector x, y;
    ard_vector_init(&x);
    ard_vector_init(&y);
    ard_features_count(&spec, NULL, a, &x);
    ard_features_count(&spec, NULL, b, &y);
    bool shared = false;
    for (size_t i = 0; i < x.n; i++)
        for (size_t j = 0; j < y.n; j++)
            shared = shared || x.v[i].index == y.v[j].index;
    ard_vector_clear(&x);
    ard_vector_clear(&y);
    return shared;
}

static void test_cues(void **state)
{
    (void)state;
    /* The same meaning in five languages meets in one feature. */
    assert_true(share_bucket("paid", "\xc3\xbc" "berwiesen"));
    assert_true(share_bucket("paid", "betaald"));
    assert_true(share_bucket("instalments", "Ratenzahlung"));
    assert_true(share_bucket("installment", "plazos"));
    assert_true(share_bucket("no longer", "niet meer"));
    /* Different meanings do not. */
    assert_false(share_bucket("paid", "instalments"));
    assert_false(share_bucket("hello", "world"));
    /* Without cues, translations share nothing. */
    ArdFeatureSpec plain = {.hash_bits = 18, .word_ngrams = 1};
    ArdVector x;
    ard_vector_init(&x);
    ard_features_count(&plain, NULL, "paid", &x);
    assert_int_equal(x.n, 1);
    ard_vector_clear(&x);
}

/* Whether the text's features hold the cue token (a word-namespace hash). */
static bool has_cue(const char *text, const char *cue)
{
    ArdFeatureSpec spec = {.hash_bits = 18, .word_ngrams = 1, .cues = ARD_CUES_VERSION};
    ArdVector x;
    ard_vector_init(&x);
    ard_features_count(&spec, NULL, text, &x);
    char ns = 'w';
    uint32_t want = ard_fnv1a32(ard_fnv1a32(ARD_FNV_BASIS, &ns, 1), cue, strlen(cue)) &
                    ((1u << spec.hash_bits) - 1);
    bool found = false;
    for (size_t i = 0; i < x.n; i++)
        found = found || x.v[i].index == want;
    ard_vector_clear(&x);
    return found;
}

static void test_cue_context(void **state)
{
    (void)state;
    /* The tense before a payment word, in more than one language. */
    assert_true(has_cue("It will be paid on Friday.", "#cue-paid-later"));
    assert_false(has_cue("It will be paid on Friday.", "#cue-paid-done"));
    assert_true(has_cue("It has been paid.", "#cue-paid-done"));
    assert_false(has_cue("It has been paid.", "#cue-paid-later"));
    assert_true(has_cue("Die Rechnungen werden am 25.11. \xc3\xbc" "berwiesen.", "#cue-paid-later"));
    assert_true(has_cue("Die Rechnung wurde gestern \xc3\xbc" "berwiesen.", "#cue-paid-done"));
    assert_true(has_cue("La facture sera r\xc3\xa9gl\xc3\xa9" "e le 30 juin.", "#cue-paid-later"));
    /* Present-tense promises share a token across languages. */
    assert_true(share_bucket("we pay", "ik betaal"));
    /* Short cue words match whole words only. */
    assert_true(has_cue("tot maandag afwezig", "#cue-away"));
    assert_false(has_cue("the total", "#cue-away"));
    assert_false(has_cue("done", "#cue-not"));
    /* Addresses and questions. */
    assert_true(has_cue("Please write to ap@example.com instead.", "#cue-email"));
    assert_false(has_cue("Please write to us @ the office.", "#cue-email"));
    assert_true(has_cue("Which invoice is this?", "#cue-question"));
    assert_false(has_cue("We will pay on Friday.", "#cue-question"));
}

static double weight_of(const ArdFeatures *f, const char *text, const char *word)
{
    ArdVector v, w;
    ard_vector_init(&v);
    ard_vector_init(&w);
    ard_features_vector(f, NULL, text, &v);
    ArdFeatureSpec words = f->spec;
    words.char_min = words.char_max = 0;
    words.word_ngrams = 1;
    ard_features_count(&words, NULL, word, &w);
    assert_int_equal(w.n, 1);
    double got = 0;
    for (size_t i = 0; i < v.n; i++)
        if (v.v[i].index == w.v[0].index)
            got = v.v[i].value;
    ard_vector_clear(&v);
    ard_vector_clear(&w);
    return got;
}

static ArdFeatures *fit_words(const char *const *docs, size_t n, uint32_t min_df)
{
    ArdFeatureSpec spec = {.hash_bits = 16, .word_ngrams = 1, .char_min = 0, .char_max = 0};
    ArdVector *v = g_new(ArdVector, n);
    ArdVector **vp = g_new(ArdVector *, n);
    for (size_t i = 0; i < n; i++) {
        ard_vector_init(&v[i]);
        ard_features_count(&spec, NULL, docs[i], &v[i]);
        vp[i] = &v[i];
    }
    ArdFeatures *f = ard_features_fit(&spec, vp, n, min_df);
    for (size_t i = 0; i < n; i++)
        ard_vector_clear(&v[i]);
    g_free(v);
    g_free(vp);
    return f;
}

static void test_idf_and_norm(void **state)
{
    (void)state;
    const char *docs[] = {"we pay", "we dispute", "we paid", "we pay soon"};
    ArdFeatures *f = fit_words(docs, 4, 1);
    assert_int_equal(f->docs, 4);
    assert_int_equal(f->n_vocab, 5); /* we pay dispute paid soon */
    /* "we" is in every document, "dispute" in one: the rare word weighs more. */
    double we = weight_of(f, "we dispute", "we"), dispute = weight_of(f, "we dispute", "dispute");
    assert_true(we > 0);
    assert_true(dispute > we);
    /* Smoothed idf: ln((1+4)/(1+1)) + 1 for "dispute", 1 for "we". */
    assert_true(fabs(dispute / we - (log(5.0 / 2.0) + 1.0)) < 1e-5);

    ArdVector v;
    ard_vector_init(&v);
    ard_features_vector(f, NULL, "we pay pay pay soon, unknownword", &v);
    assert_int_equal(v.n, 3); /* the unknown word is dropped */
    double sum = 0;
    for (size_t i = 0; i < v.n; i++)
        sum += v.v[i].value * v.v[i].value;
    assert_true(fabs(sum - 1.0) < 1e-9);
    /* Sublinear tf: three times "pay" is 1 + ln 3 times, not 3 times. */
    double pay = weight_of(f, "we pay pay pay", "pay"), pay1 = weight_of(f, "we pay", "pay");
    double we3 = weight_of(f, "we pay pay pay", "we"), we1 = weight_of(f, "we pay", "we");
    assert_true(fabs((pay / we3) / (pay1 / we1) - (1.0 + log(3.0))) < 1e-5);
    ard_features_vector(f, NULL, "nothing known here", &v);
    assert_int_equal(v.n, 0);
    ard_vector_clear(&v);
    ard_features_free(f);

    /* min_df drops what only one document has. */
    f = fit_words(docs, 4, 2);
    assert_int_equal(f->n_vocab, 2); /* we, pay */
    ard_features_free(f);
}

static void test_meta_round_trip(void **state)
{
    (void)state;
    const char *docs[] = {"we pay on friday", "the invoice is wrong", "paid yesterday"};
    ArdFeatures *f = fit_words(docs, 3, 1);
    char path[] = "/tmp/ardent-features-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    GError *err = NULL;
    assert_true(ard_features_save(f, path, &err));
    ArdFeatures *g = ard_features_load(path, &err);
    assert_non_null(g);
    assert_int_equal(g->n_vocab, f->n_vocab);
    assert_int_equal(g->docs, 3);
    assert_int_equal(g->spec.hash_bits, 16);
    assert_int_equal(g->spec.char_max, 0);
    ArdVector a, b;
    ard_vector_init(&a);
    ard_vector_init(&b);
    ard_features_vector(f, NULL, "we paid the invoice", &a);
    ard_features_vector(g, NULL, "we paid the invoice", &b);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.v[i].index, b.v[i].index);
        assert_true(fabs(a.v[i].value - b.v[i].value) < 1e-6);
    }
    ard_vector_clear(&a);
    ard_vector_clear(&b);
    ard_features_free(g);

    /* A file of another version or a damaged one is refused, with a reason. */
    g_file_set_contents(path, "ardent-features 99\n", -1, NULL);
    assert_null(ard_features_load(path, &err));
    assert_non_null(err);
    g_clear_error(&err);
    g_file_set_contents(path, "ardent-features 1\nhash_bits 16\nword_ngrams 1\nchar_ngrams 0 0\n"
                              "subject 1\nprefix 0\ncues 0 1\ndocs 3\nmin_df 1\nidf 2\n5 1.5\n", -1, NULL);
    assert_null(ard_features_load(path, &err));
    assert_non_null(strstr(err->message, ":12:")); /* the second idf line is missing */
    g_clear_error(&err);
    unlink(path);
    ard_features_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_ascii_span),
        cmocka_unit_test(test_text_lower),
        cmocka_unit_test(test_text_lower_unicode),
        cmocka_unit_test(test_normalize_pieces),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_fnv),
        cmocka_unit_test(test_cues),
        cmocka_unit_test(test_cue_context),
        cmocka_unit_test(test_counts_deterministic),
        cmocka_unit_test(test_counts_empty),
        cmocka_unit_test(test_idf_and_norm),
        cmocka_unit_test(test_meta_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
