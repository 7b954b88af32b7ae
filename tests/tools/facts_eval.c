/* Measures lib/facts against the labelled reply corpus: language accuracy
 * on every record, promise-date exact match on promise_to_pay records and
 * return-date exact match on auto_reply records. A measuring tool only:
 * never writes to the corpus. Usage: facts-eval DIR [-v] */
#include "facts.h"
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

typedef struct { int ok, n; } Tally;

static const char *str_or_null(JsonObject *o, const char *k)
{
    if (!json_object_has_member(o, k) || json_object_get_null_member(o, k))
        return NULL;
    return json_object_get_string_member(o, k);
}

static void check_day(Tally *t, const char *what, const char *id, const char *want,
                      ArdDay got, bool verbose, const char *text)
{
    char buf[11] = "null";
    if (got != ARD_DAY_NONE)
        ard_day_format(got, buf);
    t->n++;
    if ((want == NULL && got == ARD_DAY_NONE) || (want && strcmp(want, buf) == 0)) {
        t->ok++;
    } else if (verbose) {
        char *flat = g_strdup(text);
        g_strdelimit(flat, "\n", ' ');
        printf("%s %s want %s got %s | %.240s\n", what, id, want ? want : "null", buf, flat);
        g_free(flat);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: facts-eval DIR [-v]\n");
        return 2;
    }
    bool verbose = argc > 2 && strcmp(argv[2], "-v") == 0;
    GDir *dir = g_dir_open(argv[1], 0, NULL);
    if (!dir) {
        fprintf(stderr, "facts-eval: cannot open %s\n", argv[1]);
        return 1;
    }
    Tally lang = {0}, prom = {0}, ret = {0}, paid = {0};
    gint64 t0 = g_get_monotonic_time();
    const char *name;
    JsonParser *p = json_parser_new();
    while ((name = g_dir_read_name(dir))) {
        if (!g_str_has_suffix(name, ".jsonl"))
            continue;
        char *path = g_build_filename(argv[1], name, NULL);
        char *data;
        if (!g_file_get_contents(path, &data, NULL, NULL)) {
            g_free(path);
            continue;
        }
        char **lines = g_strsplit(data, "\n", -1);
        for (char **l = lines; *l; l++) {
            if (**l == '\0' || !json_parser_load_from_data(p, *l, -1, NULL))
                continue;
            JsonNode *root = json_parser_get_root(p);
            if (!JSON_NODE_HOLDS_OBJECT(root))
                continue;
            JsonObject *o = json_node_get_object(root);
            const char *id = str_or_null(o, "id"), *text = str_or_null(o, "text");
            const char *intent = str_or_null(o, "intent"), *date = str_or_null(o, "date");
            const char *want_lang = str_or_null(o, "lang");
            ArdDay ref;
            if (!id || !text || !intent || !date || !ard_day_parse(date, &ref))
                continue;
            ArdFactsCtx ctx = { .ref = ref, .payment_run_weekday = 5 };
            ArdFacts f;
            ard_facts_extract(text, &ctx, &f);
            if (want_lang) {
                lang.n++;
                if (strcmp(want_lang, f.lang) == 0)
                    lang.ok++;
                else if (verbose)
                    printf("lang %s want %s got %s\n", id, want_lang, f.lang);
            }
            if (strcmp(intent, "promise_to_pay") == 0)
                check_day(&prom, "promise", id, str_or_null(o, "promise_date"),
                          f.promise_date, verbose, text);
            if (strcmp(intent, "auto_reply") == 0)
                check_day(&ret, "return", id, str_or_null(o, "return_date"),
                          f.return_date, verbose, text);
            if (strcmp(intent, "paid") == 0) {
                paid.n++;
                if (f.promise_date == ARD_DAY_NONE)
                    paid.ok++;
                else if (verbose)
                    printf("paid %s has a promise date | %.200s\n", id, text);
            }
            ard_facts_clear(&f);
        }
        g_strfreev(lines);
        g_free(data);
        g_free(path);
    }
    g_object_unref(p);
    g_dir_close(dir);
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    printf("language      %4d/%4d  %.3f\n", lang.ok, lang.n, lang.n ? (double)lang.ok / lang.n : 0);
    printf("promise_date  %4d/%4d  %.3f\n", prom.ok, prom.n, prom.n ? (double)prom.ok / prom.n : 0);
    printf("return_date   %4d/%4d  %.3f\n", ret.ok, ret.n, ret.n ? (double)ret.ok / ret.n : 0);
    printf("paid, no date %4d/%4d  %.3f\n", paid.ok, paid.n, paid.n ? (double)paid.ok / paid.n : 0);
    printf("%d records in %.3f s (including JSON parsing)\n", lang.n, secs);
    return 0;
}
