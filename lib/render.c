/* Renders logic-less templates (see render.h) against a JSON context. Must
 * never let a value's text be read as template syntax or markup: values are
 * inserted once, escaped for the output unless the triple form asks. */
#include "render.h"
#include "error.h"
#include <stdbool.h>
#include <string.h>

void ard_html_escape(GString *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&#39;"); break;
        default: g_string_append_c(out, *s);
        }
    }
}

typedef struct {
    const char *tmpl, *name;
    ArdEscape esc;
    GPtrArray *stack;   /* JsonNode *, innermost last (borrowed) */
    GError **error;
} Ctx;

static int line_of(const Ctx *c, const char *p)
{
    int n = 1;
    for (const char *q = c->tmpl; q < p; q++)
        n += *q == '\n';
    return n;
}

static JsonNode *lookup(Ctx *c, const char *key)
{
    if (strcmp(key, ".") == 0)
        return c->stack->pdata[c->stack->len - 1];
    for (guint i = c->stack->len; i-- > 0;) {
        JsonNode *n = c->stack->pdata[i];
        if (JSON_NODE_HOLDS_OBJECT(n)) {
            JsonObject *o = json_node_get_object(n);
            if (json_object_has_member(o, key))
                return json_object_get_member(o, key);
        }
    }
    return NULL;
}

static bool truthy(JsonNode *n)
{
    if (n == NULL || JSON_NODE_HOLDS_NULL(n))
        return false;
    if (JSON_NODE_HOLDS_ARRAY(n))
        return json_array_get_length(json_node_get_array(n)) > 0;
    if (JSON_NODE_HOLDS_OBJECT(n))
        return true;
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_BOOLEAN)
        return json_node_get_boolean(n);
    if (t == G_TYPE_STRING)
        return *json_node_get_string(n) != '\0';
    if (t == G_TYPE_INT64)
        return json_node_get_int(n) != 0;
    return true;
}

static void append_value(Ctx *c, GString *out, JsonNode *n, bool raw)
{
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
        return;
    char buf[64];
    const char *s;
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_STRING)
        s = json_node_get_string(n);
    else if (t == G_TYPE_INT64) {
        g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, json_node_get_int(n));
        s = buf;
    } else if (t == G_TYPE_BOOLEAN)
        s = json_node_get_boolean(n) ? "true" : "false";
    else {
        g_ascii_dtostr(buf, sizeof buf, json_node_get_double(n));
        s = buf;
    }
    if (raw || c->esc == ARD_ESCAPE_TEXT)
        g_string_append(out, s);
    else
        ard_html_escape(out, s);
}

/* Finds the {{/key}} that closes the section opened before p, skipping
 * nested sections of the same name. Returns the tag's start or NULL. */
static const char *find_close(const char *p, const char *end, const char *key, const char **after)
{
    int depth = 0;
    size_t kl = strlen(key);
    while (p < end) {
        const char *o = strstr(p, "{{");
        if (!o || o >= end)
            return NULL;
        const char *cl = strstr(o + 2, "}}");
        if (!cl)
            return NULL;
        if ((o[2] == '#' || o[2] == '^') && (size_t)(cl - o - 3) == kl && strncmp(o + 3, key, kl) == 0)
            depth++;
        else if (o[2] == '/' && (size_t)(cl - o - 3) == kl && strncmp(o + 3, key, kl) == 0) {
            if (depth == 0) {
                *after = cl + 2;
                return o;
            }
            depth--;
        }
        p = cl + 2;
    }
    return NULL;
}

static bool render_range(Ctx *c, GString *out, const char *p, const char *end)
{
    while (p < end) {
        const char *o = strstr(p, "{{");
        if (!o || o >= end) {
            g_string_append_len(out, p, end - p);
            return true;
        }
        g_string_append_len(out, p, o - p);
        bool triple = o[2] == '{';
        const char *cl = strstr(o + 2, triple ? "}}}" : "}}");
        if (!cl || cl >= end) {
            g_set_error(c->error, ARD_ERROR, ARD_ERROR_INPUT, "%s:%d: a tag is not closed",
                        c->name, line_of(c, o));
            return false;
        }
        char sigil = triple ? '{' : o[2];
        const char *ks = o + 2 + (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!' ||
                                  sigil == '{' || sigil == '&');
        char *key = g_strstrip(g_strndup(ks, cl - ks));
        const char *next = cl + (triple ? 3 : 2);
        if (sigil == '!') {
            /* A comment alone on its line takes its line end with it. */
            if (*next == '\n' && (out->len == 0 || out->str[out->len - 1] == '\n'))
                next++;
        } else if (sigil == '/') {
            g_set_error(c->error, ARD_ERROR, ARD_ERROR_INPUT, "%s:%d: {{/%s}} closes nothing",
                        c->name, line_of(c, o), key);
            g_free(key);
            return false;
        } else if (sigil == '#' || sigil == '^') {
            const char *after;
            const char *close = find_close(next, end, key, &after);
            if (!close) {
                g_set_error(c->error, ARD_ERROR, ARD_ERROR_INPUT, "%s:%d: {{%c%s}} is not closed",
                            c->name, line_of(c, o), sigil, key);
                g_free(key);
                return false;
            }
            /* A section tag alone on its line leaves no blank line behind. */
            const char *body = next;
            if (*body == '\n')
                body++;
            JsonNode *n = lookup(c, key);
            bool ok = true;
            if (sigil == '^') {
                if (!truthy(n))
                    ok = render_range(c, out, body, close);
            } else if (n && JSON_NODE_HOLDS_ARRAY(n)) {
                JsonArray *a = json_node_get_array(n);
                for (guint i = 0; ok && i < json_array_get_length(a); i++) {
                    g_ptr_array_add(c->stack, json_array_get_element(a, i));
                    ok = render_range(c, out, body, close);
                    g_ptr_array_set_size(c->stack, c->stack->len - 1);
                }
            } else if (truthy(n)) {
                g_ptr_array_add(c->stack, n);
                ok = render_range(c, out, body, close);
                g_ptr_array_set_size(c->stack, c->stack->len - 1);
            }
            g_free(key);
            if (!ok)
                return false;
            p = after;
            if (*p == '\n' && (out->len == 0 || out->str[out->len - 1] == '\n'))
                p++;
            continue;
        } else {
            append_value(c, out, lookup(c, key), triple || sigil == '&');
        }
        g_free(key);
        p = next;
    }
    return true;
}

char *ard_render(const char *tmpl, const char *name, JsonObject *ctx, ArdEscape esc,
                 GError **error)
{
    Ctx c = {tmpl, name ? name : "template", esc, g_ptr_array_new(), error};
    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    json_node_set_object(root, ctx);
    g_ptr_array_add(c.stack, root);
    GString *out = g_string_sized_new(strlen(tmpl) + 256);
    bool ok = render_range(&c, out, tmpl, tmpl + strlen(tmpl));
    g_ptr_array_free(c.stack, TRUE);
    json_node_unref(root);
    if (!ok) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}
