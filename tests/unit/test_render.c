/* The template language: variables, escaping per output, sections, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "render.h"
#include <string.h>

static JsonObject *ctx(void)
{
    JsonParser *p = json_parser_new();
    json_parser_load_from_data(p,
        "{\"name\":\"O'Brien <&> \\\"Co\\\"\",\"n\":3,\"yes\":true,\"no\":false,\"empty\":[],"
        "\"items\":[{\"id\":\"A\"},{\"id\":\"B<\"}],\"inner\":{\"x\":\"in\"},\"tag\":\"{{name}}\"}",
        -1, NULL);
    JsonObject *o = json_object_ref(json_node_get_object(json_parser_get_root(p)));
    g_object_unref(p);
    return o;
}

static void check(const char *tmpl, ArdEscape esc, const char *want)
{
    JsonObject *o = ctx();
    GError *err = NULL;
    char *s = ard_render(tmpl, "t", o, esc, &err);
    assert_non_null(s);
    assert_string_equal(s, want);
    g_free(s);
    json_object_unref(o);
}

static void variables(void **state)
{
    (void)state;
    check("Hi {{name}}!", ARD_ESCAPE_TEXT, "Hi O'Brien <&> \"Co\"!");
    check("Hi {{name}}!", ARD_ESCAPE_HTML, "Hi O&#39;Brien &lt;&amp;&gt; &quot;Co&quot;!");
    check("{{{name}}}", ARD_ESCAPE_HTML, "O'Brien <&> \"Co\"");
    check("{{n}} {{missing}}.", ARD_ESCAPE_TEXT, "3 .");
    check("{{tag}}", ARD_ESCAPE_TEXT, "{{name}}");   /* values are never re-read as syntax */
}

static void sections(void **state)
{
    (void)state;
    check("{{#items}}[{{id}}]{{/items}}", ARD_ESCAPE_HTML, "[A][B&lt;]");
    check("{{#yes}}y{{/yes}}{{#no}}n{{/no}}{{^no}}!n{{/no}}{{^empty}}e{{/empty}}", ARD_ESCAPE_TEXT,
          "y!ne");
    check("{{#inner}}{{x}}/{{n}}{{/inner}}", ARD_ESCAPE_TEXT, "in/3");
    check("{{#items}}{{#yes}}{{id}}{{/yes}}{{/items}}", ARD_ESCAPE_TEXT, "AB<");
    check("a\n{{#yes}}\nline\n{{/yes}}\nb\n", ARD_ESCAPE_TEXT, "a\nline\nb\n");
    check("{{! a comment }}x", ARD_ESCAPE_TEXT, "x");
}

static void errors(void **state)
{
    (void)state;
    JsonObject *o = ctx();
    GError *err = NULL;
    assert_null(ard_render("a\n{{#yes}}x", "t", o, ARD_ESCAPE_TEXT, &err));
    assert_non_null(strstr(err->message, "t:2"));
    g_clear_error(&err);
    assert_null(ard_render("x{{/yes}}", "t", o, ARD_ESCAPE_TEXT, &err));
    g_clear_error(&err);
    assert_null(ard_render("{{name", "t", o, ARD_ESCAPE_TEXT, &err));
    g_clear_error(&err);
    json_object_unref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(variables),
        cmocka_unit_test(sections),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
