/* ardentctl train: the intent and sentiment models from the reply corpus.
 * Must never read the test split for training (lib/train guarantees it) nor
 * leave half-written model files behind. */
#include "ctl.h"
#include "train.h"
#include <stdio.h>

static char *opt_corpus;
static char *opt_out;
static int opt_min_df = 2;
static char *opt_chars;
static int opt_words;
static gboolean opt_no_subject;
static gboolean opt_no_cues;
static double opt_cue_weight;
static int opt_prefix;
static int opt_cv_report;

const GOptionEntry ctl_train_options[] = {
    {"corpus", 0, 0, G_OPTION_ARG_FILENAME, &opt_corpus,
     "Folder of *.jsonl records (default: the models folder's corpus/)", "DIR"},
    {"out", 0, 0, G_OPTION_ARG_FILENAME, &opt_out,
     "Where to write the models (default: classify.models)", "DIR"},
    {"min-df", 0, 0, G_OPTION_ARG_INT, &opt_min_df,
     "Keep features seen in at least N training records (default 2)", "N"},
    {"char-ngrams", 0, 0, G_OPTION_ARG_STRING, &opt_chars,
     "Character n-gram lengths inside words, e.g. 3-5 (default none)", "MIN-MAX"},
    {"word-ngrams", 0, 0, G_OPTION_ARG_INT, &opt_words, "1 = words, 2 = words and pairs (default)",
     "N"},
    {"no-subject", 0, 0, G_OPTION_ARG_NONE, &opt_no_subject, "Leave the subject out", NULL},
    {"no-cues", 0, 0, G_OPTION_ARG_NONE, &opt_no_cues, "No cue-word tokens", NULL},
    {"cue-weight", 0, 0, G_OPTION_ARG_DOUBLE, &opt_cue_weight,
     "Scale the cue-word tokens' idf by X", "X"},
    {"stem", 0, 0, G_OPTION_ARG_INT, &opt_prefix,
     "Also each longer word's first N letters as a feature (default 4; -1: none)", "N"},
    {"cv-report", 0, 0, G_OPTION_ARG_INT, &opt_cv_report,
     "1: print the intent confusion of the cross-validation on the training split; "
     "2: and every misread training record", "N"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static void progress(const char *line, void *data)
{
    fprintf(stderr, "%s: %s\n", (const char *)data, line);
}

int ctl_train(ArdCli *cli)
{
    if (cli->argc != 1)
        return ard_cli_usage(cli, "train takes no arguments");
    int cmin = 0, cmax = 0;
    if (opt_chars && (sscanf(opt_chars, "%d-%d", &cmin, &cmax) != 2 || cmin < 0 || cmax < cmin ||
                      cmax > 8 || (cmin == 0) != (cmax == 0)))
        return ard_cli_usage(cli, "--char-ngrams wants MIN-MAX, e.g. 3-5");
    if (opt_min_df < 1 || opt_words < 0 || opt_words > 2)
        return ard_cli_usage(cli, "--min-df wants N >= 1 and --word-ngrams 1 or 2");
    if (opt_chars && cmin == 0)
        cmin = cmax = -1; /* 0-0: no character n-grams at all */
    const char *models = ard_config_path(cli->cfg, "classify", "models");
    char *corpus = opt_corpus ? g_strdup(opt_corpus) : g_build_filename(models, "corpus", NULL);
    ArdTrainOptions opt = {
        .corpus_dir = corpus, .out_dir = opt_out ? opt_out : models, .folds = 5, .min_df = (unsigned)opt_min_df,
        .char_min = cmin, .char_max = cmax, .word_ngrams = opt_words, .no_subject = opt_no_subject,
        .no_cues = opt_no_cues, .cue_weight = opt_cue_weight,
        .prefix = opt_prefix, .cv_report = opt_cv_report,
        .progress = progress, .progress_data = (void *)"ardentctl train",
    };
    ArdTrainReport rep;
    GError *err = NULL;
    bool ok = ard_train(&opt, &rep, &err);
    g_free(corpus);
    if (!ok)
        return ard_cli_fail(cli, err);
    printf("trained on %d of %d records (test split left out); vocabulary %zu; "
           "intent C=%g cv macro-F1 %.4f; sentiment C=%g cv macro-F1 %.4f; wrote %s\n",
           rep.train_records, rep.records, rep.vocabulary, rep.intent_c, rep.intent_cv_f1,
           rep.sentiment_c, rep.sentiment_cv_f1, opt.out_dir);
    return 0;
}
