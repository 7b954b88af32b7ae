/* Language of a short business reply (en, de, fr, es, nl) from function
 * words and a few letters only one of the five languages uses. Must stay
 * deterministic and linear, and answer "en" when the evidence is thin. */
#include "facts.h"
#include "facts_int.h"
#include <string.h>

enum { L_EN, L_DE, L_FR, L_ES, L_NL, L_N };
static const char *const lang_code[L_N] = { "en", "de", "fr", "es", "nl" };

/* Frequent words of each language in folded form (casefolded, no
 * accents). A word may sit in several lists; it then counts for each. */
static const char *const words_en[] = {
    "the", "and", "to", "of", "is", "we", "you", "will", "be", "for", "this",
    "that", "it", "our", "your", "have", "are", "with", "on", "please",
    "thanks", "thank", "regards", "hi", "hello", "i", "my", "not", "paid",
    "pay", "invoice", "payment", "dear", "kind", "best", "by", "at", "from",
    "was", "can", "would", "if", "me", "us", "out", "back", "office",
    "until", "email", "sorry", "been", "has", "they", "all", "just", "get",
    "week", "next", "when", "ll", "m", "cheers", "morning", "team", "many",
    "an", "as", "or", "what", "which", "who", "do", "does", "did", "no",
    NULL
};
static const char *const words_de[] = {
    "der", "die", "das", "und", "ist", "nicht", "ich", "wir", "sie", "ihr",
    "ihre", "ihnen", "mit", "fur", "auf", "den", "dem", "des", "ein",
    "eine", "einen", "zu", "bis", "bitte", "danke", "rechnung", "zahlung",
    "grusse", "grussen", "gruss", "freundlichen", "vielen", "dank", "sehr",
    "geehrte", "geehrter", "herr", "frau", "wird", "werden", "haben",
    "habe", "uns", "noch", "auch", "schon", "mir", "mich", "es", "sind",
    "im", "vom", "zum", "zur", "wie", "oder", "aber", "dass", "nach",
    "bin", "woche", "am", "um", "ab", "leider", "gerne", "guten", "tag",
    "hallo", "uberweisen", "wieder", "unsere", "unser", "ihrer", "keine",
    "bei", "sich", "kann", "wurde", "mfg", "vg", "lg", "damen", "herren",
    "erhalten", "erledigt", "bezahlt", "uberwiesen", "falsch", "zustandig",
    NULL
};
static const char *const words_fr[] = {
    "le", "la", "les", "des", "du", "un", "une", "et", "est", "nous",
    "vous", "je", "pour", "pas", "que", "qui", "sur", "avec", "dans", "ce",
    "cette", "merci", "bonjour", "cordialement", "facture", "paiement",
    "sera", "votre", "vos", "notre", "nos", "au", "aux", "ne", "mais",
    "ou", "plus", "tres", "bien", "madame", "monsieur", "il", "elle",
    "on", "avons", "avez", "suis", "serai", "semaine", "mois", "jour",
    "jours", "d", "l", "j", "n", "qu", "c", "virement", "reglement",
    "message", "salutations", "bonne", "journee", "retour", "sont", "ete",
    "mon", "ma", "mes", "ca", "a", "fait", "relance", "factures", "cdt",
    "deja", "paye", "verifier", "svp", "mauvais", "destinataire", "absent",
    "jusqu", "faire", "urgence", "contactez", "recu", "bonsoir",
    NULL
};
static const char *const words_es[] = {
    "el", "la", "los", "las", "de", "del", "y", "que", "en", "un", "una",
    "es", "por", "para", "con", "no", "su", "sus", "le", "les", "lo",
    "nos", "muy", "gracias", "hola", "saludos", "factura", "pago", "se",
    "al", "como", "pero", "mas", "este", "esta", "estoy", "semana", "mes",
    "dias", "buenos", "estimados", "atentamente", "usted", "ustedes",
    "hemos", "ha", "facturas", "correo", "transferencia", "mi", "tu",
    "te", "ya", "pagaremos", "manana", "hoy", "cuenta", "muchas", "un",
    "saludo", "disculpe", "fuera", "hasta", "volvere", "oficina", "sr",
    "recibido", "urgente", "contacte", "pagado", "equivocado", "plazos",
    NULL
};
static const char *const words_nl[] = {
    "de", "het", "een", "en", "van", "is", "ik", "wij", "we", "je", "u",
    "uw", "niet", "met", "voor", "op", "aan", "dat", "die", "te", "zijn",
    "wordt", "worden", "hebben", "heb", "factuur", "betaling", "groet",
    "groeten", "vriendelijke", "bedankt", "dank", "hallo", "hoi",
    "geachte", "beste", "mevrouw", "heer", "maar", "ook", "nog", "al",
    "naar", "bij", "deze", "dit", "om", "tot", "wel", "geen", "onze",
    "ons", "week", "dagen", "graag", "zal", "zullen", "gaat", "kan",
    "kunnen", "mijn", "er", "als", "betalen", "betaal", "facturen",
    "morgen", "vandaag", "terug", "kantoor", "gr", "mvg", "jullie", "wat",
    "mogelijk", "betalingsregeling", "ontvangen", "verkeerde", "termijnen",
    NULL
};
static const char *const *const lang_words[L_N] = {
    words_en, words_de, words_fr, words_es, words_nl
};

static GHashTable *word_table;

static gpointer build_table(gpointer unused)
{
    (void)unused;
    GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
    for (int l = 0; l < L_N; l++)
        for (const char *const *w = lang_words[l]; *w; w++) {
            guint m = GPOINTER_TO_UINT(g_hash_table_lookup(h, *w));
            g_hash_table_insert(h, (gpointer)*w, GUINT_TO_POINTER(m | (1u << l)));
        }
    word_table = h;
    return h;
}

static GHashTable *table(void)
{
    static GOnce once = G_ONCE_INIT;
    return g_once(&once, build_table, NULL);
}

const char *facts_lang_detect_ft(const FText *t, const char *raw)
{
    GHashTable *h = table();
    double score[L_N] = { 0 };
    char w[32];
    int n = ftext_n(t);
    /* Counting the first 400 tokens is plenty for a reply and keeps a
     * megabyte of text cheap. */
    for (int i = 0; i < n && i < 400; i++) {
        const FTok *k = ftok(t, i);
        if (k->kind != FT_WORD || k->len >= (int)sizeof w)
            continue;
        memcpy(w, t->s + k->off, (size_t)k->len);
        w[k->len] = '\0';
        guint m = GPOINTER_TO_UINT(g_hash_table_lookup(h, w));
        int bits = 0;
        for (guint b = m; b; b &= b - 1)
            bits++;
        /* A reply written in two languages leads with the customer's. */
        double wt = i < 40 ? 1.5 : 1.0;
        for (int l = 0; l < L_N; l++)
            if (m & (1u << l))
                score[l] += wt / bits;
        if (k->len >= 3 && strstr(w, "ij") != NULL)
            score[L_NL] += 0.5;
    }
    /* Letters are read from the original text, where accents survive. */
    int seen = 0;
    for (const char *p = raw; p && *p && seen < 4000; p = g_utf8_next_char(p), seen++) {
        gunichar c = g_unichar_tolower(g_utf8_get_char(p));
        switch (c) {
        case 0xdf: case 0xe4: case 0xf6: case 0xfc: score[L_DE] += 0.6; break;
        case 0xf1: case 0xbf: case 0xa1: score[L_ES] += 2.0; break;
        case 0xe1: case 0xed: case 0xf3: case 0xfa: score[L_ES] += 0.7; break;
        case 0xe7: case 0xe8: case 0xea: case 0xe0: case 0xe2: case 0xee:
        case 0xf4: case 0xfb: case 0x153: score[L_FR] += 0.7; break;
        case 0xe9: score[L_FR] += 0.3; score[L_ES] += 0.1; break;
        default: break;
        }
    }
    int best = L_EN;
    for (int l = 1; l < L_N; l++)
        if (score[l] > score[best])
            best = l;
    if (score[best] < 1.0)
        return "en";
    return lang_code[best];
}

const char *ard_language_detect(const char *text)
{
    FText t;
    ftext_init(&t, text);
    const char *r = facts_lang_detect_ft(&t, text);
    ftext_clear(&t);
    return r;
}
