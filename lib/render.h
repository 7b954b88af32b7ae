/* A small logic-less template language for ardent's messages:
 *   {{name}}            a value, escaped for the output (text or HTML)
 *   {{{name}}}          a value as is (already rendered or escaped)
 *   {{#name}}..{{/name}} a section: repeated for each item of a list,
 *                       shown once for true / a non-empty value or object
 *   {{^name}}..{{/name}} shown when name is missing, false, empty or ""
 *   {{! comment }}
 * Names are looked up in the innermost section's object first, then
 * outwards; "." is the current item. Values come from a JsonObject. */
#ifndef ARDENT_RENDER_H
#define ARDENT_RENDER_H
#include <glib.h>
#include <json-glib/json-glib.h>

typedef enum { ARD_ESCAPE_TEXT, ARD_ESCAPE_HTML } ArdEscape;

/* The rendered text (g_free it), or NULL with ARD_ERROR_INPUT naming the
 * template and the line of an unbalanced or unknown tag. */
char *ard_render(const char *tmpl, const char *name, JsonObject *ctx, ArdEscape esc,
                 GError **error);

/* Appends s escaped for HTML (& < > " ') to out. */
void ard_html_escape(GString *out, const char *s);

#endif
