/* Replays every input kept under fuzz/regressions/<target>/ and every seed
 * of the fuzz corpora through the same harness code libFuzzer runs (the
 * fuzz/fuzz_*.c files, included here), under the normal and the sanitizer
 * build. A harness invariant failing aborts the test. Must never skip a
 * target silently: each one replays at least its seeds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <glib.h>

#define ARD_FUZZ_NO_MAIN
#include "../../fuzz/fuzz_message.c"
#include "../../fuzz/fuzz_import.c"
#include "../../fuzz/fuzz_render.c"

typedef int (*Harness)(const uint8_t *, size_t);

static char *top_path(const char *rel)
{
    const char *top = getenv("ARDENT_TOP");
    return g_build_filename(top && *top ? top : ".", rel, NULL);
}

/* Runs each regular file under rel (recursively; a missing folder is
 * fine) through h, with prefix (may be "") put before its bytes. */
static int replay_dir(Harness h, const char *rel, const char *prefix)
{
    char *dir = top_path(rel);
    int n = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d) {
        const char *name;
        while ((name = g_dir_read_name(d))) {
            char *path = g_build_filename(dir, name, NULL);
            if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
                char *sub = g_build_filename(rel, name, NULL);
                n += replay_dir(h, sub, prefix);
                g_free(sub);
            } else if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
                char *data;
                gsize len;
                assert_true(g_file_get_contents(path, &data, &len, NULL));
                GByteArray *in = g_byte_array_new();
                g_byte_array_append(in, (const guint8 *)prefix, strlen(prefix));
                g_byte_array_append(in, (const guint8 *)data, len);
                print_message("# replaying %s\n", path);
                assert_int_equal(h(in->data, in->len), 0);
                g_byte_array_free(in, TRUE);
                g_free(data);
                n++;
            }
            g_free(path);
        }
        g_dir_close(d);
    }
    g_free(dir);
    return n;
}

static void replays_message(void **state)
{
    (void)state;
    int regressions = replay_dir(ard_fuzz_message, "fuzz/regressions/message", "");
    int seeds = replay_dir(ard_fuzz_message, "tests/fixtures/mail", "") +
                replay_dir(ard_fuzz_message, "tests/fixtures/classify", "");
    print_message("# message: %d regressions, %d seeds\n", regressions, seeds);
    assert_true(seeds > 0);
}

static void replays_import(void **state)
{
    (void)state;
    int regressions = replay_dir(ard_fuzz_import, "fuzz/regressions/import", "");
    int seeds = replay_dir(ard_fuzz_import, "fuzz/corpus/import", "");
    /* The sample export behind the byte that picks its kind, as fuzz/run.sh does. */
    static const char *const samples[][2] = {
        {"contrib/sample/customers.csv", "0"}, {"contrib/sample/invoices.csv", "1"},
        {"contrib/sample/payments.csv", "2"}};
    for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
        char *path = top_path(samples[i][0]);
        char *data;
        gsize len;
        if (g_file_get_contents(path, &data, &len, NULL)) {
            char *in = g_strconcat(samples[i][1], data, NULL);
            assert_int_equal(ard_fuzz_import((const uint8_t *)in, strlen(in)), 0);
            g_free(in);
            g_free(data);
            seeds++;
        }
        g_free(path);
    }
    print_message("# import: %d regressions, %d seeds\n", regressions, seeds);
    assert_true(seeds > 0);
    ard_fuzz_import_done();
}

static void replays_render(void **state)
{
    (void)state;
    int regressions = replay_dir(ard_fuzz_render, "fuzz/regressions/render", "");
    int seeds = replay_dir(ard_fuzz_render, "conf/templates", "");
    /* A template that uses every tag kind, with the default values (which
     * carry '<' and '&'), so the HTML check runs even without templates. */
    static const char every_tag[] =
        "Dear {{name}},\n{{! note }}\n{{#items}}- {{line}} {{{line}}} {{&line}}\n{{/items}}"
        "{{^missing}}none{{/missing}}{{#list}}{{.}};{{/list}}{{count}} {{flag}}\n";
    assert_int_equal(ard_fuzz_render((const uint8_t *)every_tag, strlen(every_tag)), 0);
    seeds++;
    print_message("# render: %d regressions, %d seeds\n", regressions, seeds);
    assert_true(seeds > 0);
}

/* The HTML check itself must bite: a value's '<' escaped, a template's own
 * '<' and a raw tag's value kept out of what is checked. */
static void html_check_sees_values(void **state)
{
    (void)state;
    JsonObject *ctx = json_object_new();
    json_object_set_string_member(ctx, "v", "<b>");
    char *out = ard_render("<p>{{v}}</p>", "t", ctx, ARD_ESCAPE_HTML, NULL);
    assert_string_equal(out, "<p>&lt;b&gt;</p>");
    g_free(out);
    char *safe = without_raw("<p>{{{v}}}{{&v}}</p>");
    assert_string_equal(safe, "p>{{v}}}{{v}}/p>"); /* a stray "}" stays text */
    out = ard_render(safe, "t", ctx, ARD_ESCAPE_HTML, NULL);
    assert_null(strchr(out, '<'));
    g_free(out);
    g_free(safe);
    json_object_unref(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replays_message),
        cmocka_unit_test(replays_import),
        cmocka_unit_test(replays_render),
        cmocka_unit_test(html_check_sees_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
