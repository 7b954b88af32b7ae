/* libFuzzer harness for the message template renderer: the input is a
 * template, optionally followed by a NUL and newline-separated values. Every
 * name the template uses is bound to one of the values (a string, or by a
 * leading control byte a list, a bool, a number or an object), and the
 * template is rendered as text and as HTML. Checks that HTML escaping never
 * lets a value put a raw '<' into the output. Must never keep state between
 * inputs or leak. */
#include "fuzz.h"
#include "render.h"
#include <string.h>

enum { MAX_NAMES = 64, MAX_ITEMS = 3 };

static const char *const DEFAULT_VALUES[] = {
    "<script>alert('x')</script> & \"friends\"", "", "Delta Feinkost GmbH",
    "\x01\x02<li>item</li>", "\x02yes", "\x03" "42", "\x05<a>,<b>", NULL};

/* The names the template's tags use, sigils and spaces stripped. */
static GPtrArray *tag_names(const char *t)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *o = strstr(t, "{{"); o && names->len < MAX_NAMES; o = strstr(o + 2, "{{")) {
        const char *k = o + 2;
        while (*k && strchr("{#^/!&", *k))
            k++;
        const char *cl = strstr(k, "}}");
        if (!cl)
            break;
        char *name = g_strstrip(g_strndup(k, cl - k));
        bool seen = *name == '\0' || strcmp(name, ".") == 0;
        for (guint i = 0; !seen && i < names->len; i++)
            seen = strcmp(names->pdata[i], name) == 0;
        if (seen)
            g_free(name);
        else
            g_ptr_array_add(names, name);
    }
    return names;
}

/* A value from its text: a leading \x01 makes a list of objects (count from
 * the next byte), \x02 a bool, \x03 a number, \x04 an object, \x05 a list
 * of strings split at ','; anything else is a string. Objects bind every
 * name to plain strings, so nesting stays shallow. */
static JsonNode *make_value(const char *v, GPtrArray *names, char **vals, guint nvals,
                            guint salt)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);
    switch (v[0]) {
    case '\x01': case '\x04': {
        guint items = v[0] == '\x04' ? 1 : (v[1] ? (guint)(unsigned char)v[1] % MAX_ITEMS : 0);
        JsonArray *a = json_array_new();
        for (guint i = 0; i < items; i++) {
            JsonObject *o = json_object_new();
            for (guint k = 0; k < names->len; k++) {
                const char *s = vals[(k + i + salt + 1) % nvals];
                json_object_set_string_member(o, names->pdata[k], s[0] && s[0] < 6 ? s + 1 : s);
            }
            json_array_add_object_element(a, o);
        }
        if (v[0] == '\x04') {
            JsonObject *o = json_object_ref(json_array_get_object_element(a, 0));
            json_node_init_object(n, o);
            json_object_unref(o);
            json_array_unref(a);
        } else {
            json_node_init_array(n, a);
            json_array_unref(a);
        }
        break;
    }
    case '\x02': json_node_init_boolean(n, strlen(v) % 2 == 0); break;
    case '\x03': json_node_init_int(n, g_ascii_strtoll(v + 1, NULL, 10)); break;
    case '\x05': {
        JsonArray *a = json_array_new();
        char **parts = g_strsplit(v + 1, ",", MAX_ITEMS);
        for (char **p = parts; *p; p++)
            json_array_add_string_element(a, *p);
        g_strfreev(parts);
        json_node_init_array(n, a);
        json_array_unref(a);
        break;
    }
    default: json_node_init_string(n, v); break;
    }
    return n;
}

/* The template with every way of printing a value raw taken out ('{{{' and
 * '{{&') and with no '<' of its own: what HTML output must keep free of '<'. */
static char *without_raw(const char *t)
{
    GString *s = g_string_new(NULL);
    for (const char *p = t; *p; p++)
        if (*p != '<' && *p != '&')
            g_string_append_c(s, *p);
    char *o;
    while ((o = strstr(s->str, "{{{")))
        g_string_erase(s, o - s->str, 1);
    return g_string_free(s, FALSE);
}

static void render_both(const char *tmpl, JsonObject *ctx, bool check_html)
{
    GError *error = NULL;
    char *text = ard_render(tmpl, "fuzz", ctx, ARD_ESCAPE_TEXT, &error);
    FUZZ_CHECK((text == NULL) == (error != NULL));
    g_clear_error(&error);
    char *html = ard_render(tmpl, "fuzz", ctx, ARD_ESCAPE_HTML, &error);
    FUZZ_CHECK((html == NULL) == (error != NULL));
    /* Escaping changes values, never the structure: both fail or neither. */
    FUZZ_CHECK((text == NULL) == (html == NULL));
    if (error) {
        FUZZ_CHECK(error->message != NULL);
        g_clear_error(&error);
    }
    if (html && check_html) {
        if (strchr(html, '<'))
            fprintf(stderr, "raw '<' in HTML output:\n%s\n", html);
        FUZZ_CHECK(strchr(html, '<') == NULL);
    }
    g_free(text);
    g_free(html);
}

int ard_fuzz_render(const uint8_t *data, size_t size);
int ard_fuzz_render(const uint8_t *data, size_t size)
{
    char *buf = g_malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *tmpl = buf;
    size_t tlen = strlen(buf);
    char **vals;
    if (tlen < size) {
        vals = g_strsplit(buf + tlen + 1, "\n", MAX_NAMES);
    } else {
        vals = g_strdupv((char **)DEFAULT_VALUES);
    }
    guint nvals = g_strv_length(vals);
    if (nvals == 0) {
        g_strfreev(vals);
        vals = g_strdupv((char **)DEFAULT_VALUES);
        nvals = g_strv_length(vals);
    }

    GPtrArray *names = tag_names(tmpl);
    JsonObject *ctx = json_object_new();
    for (guint k = 0; k < names->len; k++)
        json_object_set_member(ctx, names->pdata[k],
                               make_value(vals[k % nvals], names, vals, nvals, k));
    render_both(tmpl, ctx, false);
    char *safe = without_raw(tmpl);
    render_both(safe, ctx, true);
    g_free(safe);

    json_object_unref(ctx);
    g_ptr_array_free(names, TRUE);
    g_strfreev(vals);
    g_free(buf);
    return 0;
}

ARD_FUZZ_ENTRY(ard_fuzz_render)
