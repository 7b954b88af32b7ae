/* ardentctl eval: how the shipped models and the facts extractor do on the
 * corpus's test split, as Markdown (printed, and with --write saved to the
 * models folder's EVAL.md). Must never look at training-split records. */
#include "ctl.h"
#include "analyze.h"
#include "classify.h"
#include "facts.h"
#include "train.h"
#include <stdio.h>

static char *opt_corpus;
static char *opt_models;
static gboolean opt_write;
static gboolean opt_errors;

const GOptionEntry ctl_eval_options[] = {
    {"corpus", 0, 0, G_OPTION_ARG_FILENAME, &opt_corpus,
     "Folder of *.jsonl records (default: the models folder's corpus/)", "DIR"},
    {"models", 0, 0, G_OPTION_ARG_FILENAME, &opt_models,
     "Folder of the models to measure (default: classify.models)", "DIR"},
    {"write", 0, 0, G_OPTION_ARG_NONE, &opt_write, "Also write EVAL.md into the models folder",
     NULL},
    {"errors", 0, 0, G_OPTION_ARG_NONE, &opt_errors,
     "List misread test records on stderr (id, labelled, read, confidence, text)", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static double ratio(int a, int b)
{
    return b ? (double)a / b : 0;
}

/* Per-class table and macro-F1 of a confusion matrix; returns macro-F1. */
static double intent_table(GString *md, int conf[ARD_N_INTENTS][ARD_N_INTENTS])
{
    g_string_append(md, "| intent | precision | recall | F1 | support |\n"
                        "| --- | ---: | ---: | ---: | ---: |\n");
    double f1sum = 0;
    int classes = 0;
    for (int c = 0; c < ARD_N_INTENTS; c++) {
        int tp = conf[c][c], fp = 0, fn = 0;
        for (int o = 0; o < ARD_N_INTENTS; o++) {
            if (o == c)
                continue;
            fp += conf[o][c];
            fn += conf[c][o];
        }
        double p = ratio(tp, tp + fp), r = ratio(tp, tp + fn);
        double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
        if (tp + fn > 0) {
            f1sum += f1;
            classes++;
        }
        g_string_append_printf(md, "| %s | %.3f | %.3f | %.3f | %d |\n", ard_intent_names[c], p,
                               r, f1, tp + fn);
    }
    return classes ? f1sum / classes : 0;
}

static char *wrap_record(const ArdRecord *r)
{
    int y, mo, d;
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    ard_day_to_ymd(r->date != ARD_DAY_NONE ? r->date : 20522, &y, &mo, &d);
    return g_strdup_printf("From: customer@example.com\r\nTo: ar@example.com\r\n"
                           "Subject: %s\r\nDate: %d %s %d 10:00:00 +0000\r\n"
                           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
                           r->subject, d, mon[mo - 1], y, r->text);
}

int ctl_eval(ArdCli *cli)
{
    if (cli->argc != 1)
        return ard_cli_usage(cli, "eval takes no arguments");
    const char *models_dir = opt_models ? opt_models
                                        : ard_config_path(cli->cfg, "classify", "models");
    char *corpus = opt_corpus ? g_strdup(opt_corpus)
                              : g_build_filename(ard_config_path(cli->cfg, "classify", "models"),
                                                 "corpus", NULL);
    GError *err = NULL;
    double min_conf, margin;
    ArdModels *m = NULL;
    if (!ard_classify_thresholds(cli->cfg, &min_conf, &margin, &err) ||
        (m = ard_models_load(models_dir, &err)) == NULL) {
        g_free(corpus);
        return ard_cli_fail(cli, err);
    }
    ard_models_set_thresholds(m, min_conf, margin);
    GPtrArray *recs = ard_corpus_load(corpus, &err);
    if (!recs) {
        ard_models_free(m);
        g_free(corpus);
        return ard_cli_fail(cli, err);
    }

    int conf[ARD_N_INTENTS][ARD_N_INTENTS] = {{0}};
    int pconf[ARD_N_INTENTS][ARD_N_INTENTS] = {{0}};
    ArdAnalyzeOptions aopt = {.today = cli->today, .payment_run_weekday = 5};
    int n = 0, sent_ok = 0, promise_n = 0, promise_ok = 0;
    int sconf[ARD_N_SENTIMENTS][ARD_N_SENTIMENTS] = {{0}};
    for (guint i = 0; i < recs->len; i++) {
        ArdRecord *r = recs->pdata[i];
        if (!ard_corpus_is_test(r->id))
            continue;
        n++;
        ArdClass c;
        ard_classify_subject(m, r->subject, r->text, &c);
        int pi = ard_intent_index(c.intent), ps = ard_sentiment_index(c.sentiment);
        conf[r->intent_label][pi]++;
        sconf[r->sentiment_label][ps]++;
        sent_ok += ps == r->sentiment_label;
        char *raw = wrap_record(r);
        ArdAnalysis *a = ard_analyze(m, raw, strlen(raw), &aopt);
        pconf[r->intent_label][ard_intent_index(a->cls.intent)]++;
        ard_analysis_free(a);
        g_free(raw);
        if (opt_errors && pi != r->intent_label) {
            char *flat = g_strdelimit(g_strdup(r->text), "\n", ' ');
            fprintf(stderr, "%s\t%s\t%s\t%.2f\t%s\n", r->id, r->intent, c.intent,
                    c.intent_confidence, flat);
            g_free(flat);
        }
        if (r->intent_label == ard_intent_index("promise_to_pay")) {
            ArdDay d = ard_facts_promise_date(r->text, ard_language_detect(r->text), r->date, 5);
            promise_n++;
            promise_ok += d == r->promise_date;
        }
    }

    /* The corpus as the user knows it (models/corpus), not a machine's path. */
    char *parent = g_path_get_dirname(corpus);
    char *pbase = g_path_get_basename(parent), *cbase = g_path_get_basename(corpus);
    char *shown = g_build_filename(pbase, cbase, NULL);
    g_free(parent);
    g_free(pbase);
    g_free(cbase);
    GString *md = g_string_new(NULL);
    g_string_append_printf(md, "# Reply classification: test split\n\n"
                               "%d test records (FNV-1a-32(id) %% 5 == 0) of %u in `%s`; "
                               "min_confidence %.2f, precedence_margin %.2f.\n\n",
                           n, recs->len, shown, min_conf, margin);
    g_string_append(md, "## Intent (models on the record's subject and text)\n\n");
    double macro = intent_table(md, conf);
    int ar = ard_intent_index("auto_reply");
    int ar_n = 0;
    for (int o = 0; o < ARD_N_INTENTS; o++)
        ar_n += conf[ar][o];
    g_string_append_printf(md, "\n**intent macro-F1: %.4f**\n\n", macro);
    g_string_append(md, "Confusion matrix (rows: labelled, columns: predicted):\n\n| |");
    for (int c = 0; c < ARD_N_INTENTS; c++)
        g_string_append_printf(md, " %s |", ard_intent_names[c]);
    g_string_append(md, "\n| --- |");
    for (int c = 0; c < ARD_N_INTENTS; c++)
        g_string_append(md, " ---: |");
    g_string_append_c(md, '\n');
    for (int c = 0; c < ARD_N_INTENTS; c++) {
        g_string_append_printf(md, "| %s |", ard_intent_names[c]);
        for (int o = 0; o < ARD_N_INTENTS; o++)
            g_string_append_printf(md, " %d |", conf[c][o]);
        g_string_append_c(md, '\n');
    }
    g_string_append_printf(md, "\n## Sentiment\n\n**sentiment accuracy: %.4f** (%d of %d)\n\n"
                               "| labelled \\ predicted |",
                           ratio(sent_ok, n), sent_ok, n);
    for (int c = 0; c < ARD_N_SENTIMENTS; c++)
        g_string_append_printf(md, " %s |", ard_sentiment_names[c]);
    g_string_append(md, "\n| --- | ---: | ---: | ---: |\n");
    for (int c = 0; c < ARD_N_SENTIMENTS; c++) {
        g_string_append_printf(md, "| %s |", ard_sentiment_names[c]);
        for (int o = 0; o < ARD_N_SENTIMENTS; o++)
            g_string_append_printf(md, " %d |", sconf[c][o]);
        g_string_append_c(md, '\n');
    }
    g_string_append_printf(md,
                           "\n## Auto-replies and promises\n\n"
                           "- **auto-reply recall: %.4f** (%d of %d `auto_reply` records)\n"
                           "- **promise-date exact match: %.4f** (%d of %d `promise_to_pay` "
                           "records; ard_facts_promise_date with the record's date as ref, "
                           "detected language, payment run on Friday)\n",
                           ratio(conf[ar][ar], ar_n), conf[ar][ar], ar_n,
                           ratio(promise_ok, promise_n), promise_ok, promise_n);
    int par_n = 0;
    for (int o = 0; o < ARD_N_INTENTS; o++)
        par_n += pconf[ar][o];
    g_string_append(md, "\n## The whole reading (ard_analyze)\n\nEach record wrapped as a "
                        "message (its subject, its date, its text) and read as the milter "
                        "reads it: new-text extraction, the auto-reply detector, then the "
                        "models.\n\n");
    double pmacro = intent_table(md, pconf);
    g_string_append_printf(md, "\n**intent macro-F1: %.4f**; **auto-reply recall: %.4f** "
                               "(%d of %d)\n",
                           pmacro, ratio(pconf[ar][ar], par_n), pconf[ar][ar], par_n);
    fputs(md->str, stdout);
    int rc = 0;
    if (opt_write) {
        char *path = g_build_filename(models_dir, "EVAL.md", NULL);
        GError *e = NULL;
        if (!g_file_set_contents(path, md->str, (gssize)md->len, &e))
            rc = ard_cli_fail(cli, e);
        g_free(path);
    }
    g_string_free(md, TRUE);
    g_free(shown);
    g_ptr_array_free(recs, TRUE);
    ard_models_free(m);
    g_free(corpus);
    return rc;
}
