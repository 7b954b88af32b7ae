/* Benchmark: replies read per second of CPU time on one core (CPU time, so
 * that other work on a shared machine does not skew it), the whole milter reading
 * (ard_analyze: parse, new text, auto-reply kind, facts, intent and
 * sentiment) over the corpus texts wrapped as messages. Prints the figure;
 * asserts nothing, so timing never makes a test flaky.
 * usage: bench-classify MODELS_DIR CORPUS_DIR [ROUNDS] */
#include "analyze.h"
#include "train.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODELS_DIR CORPUS_DIR [ROUNDS]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    GError *err = NULL;
    ArdModels *m = ard_models_load(argv[1], &err);
    GPtrArray *recs = m ? ard_corpus_load(argv[2], &err) : NULL;
    if (!recs) {
        fprintf(stderr, "bench-classify: %s\n", err->message);
        g_error_free(err);
        ard_models_free(m);
        return 1;
    }
    GPtrArray *raw = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < recs->len; i++) {
        ArdRecord *r = recs->pdata[i];
        g_ptr_array_add(raw, g_strdup_printf(
            "From: Customer <customer@example.com>\r\nTo: ar@example.com\r\n"
            "Subject: %s\r\nDate: Tue, 10 Mar 2026 09:00:00 +0100\r\n"
            "Message-ID: <%s@example.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            "\r\n%s\r\n", r->subject, r->id, r->text));
    }
    ArdAnalyzeOptions opt = {.max_bytes = 10485760, .today = 20522, .payment_run_weekday = 5};
    long n = 0, autos = 0;
    double t0 = now();
    for (int k = 0; k < rounds; k++) {
        for (guint i = 0; i < raw->len; i++) {
            const char *s = raw->pdata[i];
            ArdAnalysis *a = ard_analyze(m, s, strlen(s), &opt);
            autos += a->auto_reply;
            ard_analysis_free(a);
            n++;
        }
    }
    double dt = now() - t0;
    printf("bench-classify: %ld replies in %.2f s of CPU on one core: %.0f replies/s "
           "(%ld read as auto-replies)\n", n, dt, n / dt, autos);
    /* The models alone, to tell their share from parsing and facts. */
    long c = 0;
    t0 = now();
    for (int k = 0; k < rounds; k++) {
        for (guint i = 0; i < recs->len; i++) {
            ArdRecord *r = recs->pdata[i];
            ArdClass cls;
            ard_classify_subject(m, r->subject, r->text, &cls);
            c++;
        }
    }
    double dc = now() - t0;
    printf("bench-classify: models only (features, intent, sentiment): %.0f texts/s\n", c / dc);
    g_ptr_array_free(raw, TRUE);
    g_ptr_array_free(recs, TRUE);
    ard_models_free(m);
    return 0;
}
