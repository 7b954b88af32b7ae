/* The customer's new words in a reply: quoted history, attribution lines,
 * forwarded headers, signatures, mobile footers and legal disclaimers cut in
 * en/de/fr/es/nl, and HTML made into readable text. Runs on hostile input in
 * the milter, so it must never use a pattern that can backtrack: every test
 * here is a prefix, suffix or single substring check on one line, and every
 * look-ahead is a fixed small number of lines, which keeps the work linear
 * in the size of the text. It must never drop the customer's own lines
 * between quotes (inline replies). */
#include "reply.h"
#include "text.h"
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <string.h>

#define LOOKAHEAD 6
#define MAX_MATCH_LINE 400 /* attribution and header lines are short */

/* ---- lines ---------------------------------------------------------- */

typedef struct {
    char *buf;    /* the text, each line end made a NUL */
    char **raw;   /* the lines as written, without \r: pointers into buf */
    char **low;   /* stripped, lower case, no-break spaces made spaces; made
                   * on first use (see line_low): most quoted history is never read */
    bool *quoted; /* quoted history: ">" or a run of another quote prefix */
    int n;
} Lines;

static char *lower_line(const char *raw)
{
    /* Stripped as g_strstrip strips, without copying the line first. */
    while (g_ascii_isspace(*raw))
        raw++;
    size_t len = strlen(raw);
    while (len > 0 && g_ascii_isspace(raw[len - 1]))
        len--;
    char *low = ard_text_lower(raw, (gssize)len);
    if (ard_ascii_span(raw, len) == len)
        return low;
    /* U+00A0 and U+202F (French spacing before colons) become spaces, in
     * place: the line only gets shorter. */
    char *w = low;
    for (const char *p = low; *p; p++) {
        if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
            *w++ = ' ';
            p++;
        } else if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
                   (unsigned char)p[2] == 0xAF) {
            *w++ = ' ';
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return low;
}

static bool is_quoted(const char *raw)
{
    while (*raw == ' ' || *raw == '\t')
        raw++;
    return *raw == '>';
}

/* Other quote prefixes mail clients and people use: "| ", ": ", "# ",
 * "--]". Customers write lines starting with these too, so alone they say
 * nothing; 0 when the line has none. A line that also ends in its "|" or
 * "#" is a table row or a box (a list of invoices, say), and "#if" is code:
 * never quotes. */
static int alt_prefix(const char *raw)
{
    while (*raw == ' ' || *raw == '\t')
        raw++;
    /* Most lines start with none of them: no need to measure those. */
    if (raw[0] != '|' && raw[0] != ':' && raw[0] != '#' && raw[0] != '-')
        return 0;
    size_t len = strlen(raw);
    while (len > 1 && g_ascii_isspace(raw[len - 1]))
        len--;
    if (raw[0] == '|' && (len == 1 || raw[len - 1] != '|'))
        return 1;
    if (raw[0] == ':' && (raw[1] == ' ' || raw[1] == '\t' || raw[1] == '\0'))
        return 2;
    if (raw[0] == '#' && (raw[1] == ' ' || raw[1] == '\t' || raw[1] == '\0') && (len == 1 || raw[len - 1] != '#'))
        return 3;
    if (raw[0] == '-' && raw[1] == '-' && raw[2] == ']')
        return 4;
    return 0;
}

static bool is_attribution(const char *l);
static bool is_loose_attribution(const char *l);

/* Line i stripped and in lower case. Lines is passed const to the readers;
 * the cache behind the pointer is not part of what they may change. */
static const char *line_low(const Lines *L, int i)
{
    if (L->low[i] == NULL)
        L->low[i] = lower_line(L->raw[i]);
    return L->low[i];
}

/* ">" lines are quoted. A line with another quote prefix is quoted when it
 * is one of several consecutive lines with that prefix, or when the line
 * just above the run (a blank line between allowed) introduces a quote
 * ("... wrote:"). One pass over the runs: linear. */
static void mark_quoted(Lines *L)
{
    for (int i = 0; i < L->n;) {
        int p = alt_prefix(L->raw[i]);
        if (p == 0) {
            L->quoted[i] = is_quoted(L->raw[i]);
            i++;
            continue;
        }
        int end = i + 1;
        while (end < L->n && alt_prefix(L->raw[end]) == p)
            end++;
        bool quoted = end - i >= 2;
        int prev = i - 1;
        if (prev >= 0 && *line_low(L, prev) == '\0')
            prev--;
        if (!quoted && prev >= 0)
            quoted = is_attribution(line_low(L, prev)) || is_loose_attribution(line_low(L, prev));
        for (int k = i; k < end; k++)
            L->quoted[k] = quoted;
        i = end;
    }
}

/* One copy of the text cut in place, not one allocation per line: most
 * lines are quoted history that only mark_quoted ever looks at. */
static Lines lines_split(const char *text)
{
    Lines L;
    L.buf = g_strdup(text);
    L.n = *text ? 1 : 0;  /* as g_strsplit: no lines in "" */
    for (const char *p = strchr(L.buf, '\n'); p; p = strchr(p + 1, '\n'))
        L.n++;
    L.raw = g_new(char *, L.n + 1);
    char *line = L.buf;
    for (int i = 0; i < L.n; i++) {
        char *nl = strchr(line, '\n');
        char *end = nl ? nl : line + strlen(line);
        if (end > line && end[-1] == '\r')
            end[-1] = '\0';
        if (nl)
            *nl = '\0';
        L.raw[i] = line;
        line = nl ? nl + 1 : end;
    }
    L.raw[L.n] = NULL;
    L.low = g_new0(char *, L.n + 1);
    L.quoted = g_new0(bool, L.n + 1);
    mark_quoted(&L);
    return L;
}

static void lines_free(Lines *L)
{
    for (int i = 0; i < L->n; i++)
        g_free(L->low[i]);
    g_free(L->low);
    g_free(L->raw);
    g_free(L->buf);
    g_free(L->quoted);
}

/* The first byte first: each line meets a few hundred patterns. */
static bool starts(const char *s, const char *p)
{
    return *p == '\0' || (*s == *p && strncmp(s, p, strlen(p)) == 0);
}
static bool ends(const char *s, const char *p) { return g_str_has_suffix(s, p); }

static bool any_prefix(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (starts(s, *list))
            return true;
    return false;
}

static bool is_blank(const char *low) { return *low == '\0'; }

/* "<snip>", "[...]": marks where quoted text was cut, never words. */
static bool is_snip(const char *l)
{
    static const char *const marks[] = {"<snip>", "[snip]", "(snip)", "<snipped>", "[snipped]",
                                        "[...]", "[..]", "<...>", "(...)", "...", "8<", "snip", NULL};
    for (const char *const *m = marks; *m; m++)
        if (strcmp(l, *m) == 0)
            return true;
    return false;
}

/* A short first line like "Hi Bob," or "Hallo!". */
static bool is_greeting(const char *l)
{
    size_t len = strlen(l);
    return len > 0 && len < 50 && (l[len - 1] == ',' || l[len - 1] == '!');
}

/* ---- what a line is ------------------------------------------------- */

/* "On <date>, <name> wrote:" and its four sisters. */
static bool is_attribution(const char *l)
{
    size_t len = strlen(l);
    if (len < 8 || len > MAX_MATCH_LINE)
        return false;
    if (starts(l, "on ") && ends(l, "wrote:"))
        return true;
    if (starts(l, "am ") && strstr(l, " schrieb") && ends(l, ":"))
        return true;
    if (starts(l, "le ") && (ends(l, "a écrit :") || ends(l, "a écrit:")))
        return true;
    if (starts(l, "el ") && ends(l, "escribió:"))
        return true;
    if (starts(l, "op ") && strstr(l, " schreef") && ends(l, ":"))
        return true;
    return false;
}

static bool may_start_attribution(const char *l)
{
    static const char *const p[] = {"on ", "am ", "le ", "el ", "op ", NULL};
    return strlen(l) < MAX_MATCH_LINE && any_prefix(l, p);
}

/* "Jane <jane@example.com> wrote:" without a date: only an attribution
 * when quoted lines follow it. */
static bool is_loose_attribution(const char *l)
{
    static const char *const s[] = {"wrote:", "schrieb:", "a écrit :", "a écrit:",
                                    "escribió:", "schreef:", NULL};
    if (strlen(l) > 200)
        return false;
    for (const char *const *p = s; *p; p++)
        if (ends(l, *p))
            return true;
    return false;
}

/* The text between the dashes of "-----Original Message-----" lines. */
static bool dashed_is(const char *l, const char *const *names)
{
    if (!starts(l, "--") || strlen(l) > 120)
        return false;
    const char *b = l;
    while (*b == '-' || *b == ' ')
        b++;
    const char *e = l + strlen(l);
    while (e > b && (e[-1] == '-' || e[-1] == ' '))
        e--;
    for (; *names; names++)
        if ((size_t)(e - b) == strlen(*names) && strncmp(b, *names, e - b) == 0)
            return true;
    return false;
}

static bool is_forward_marker(const char *l)
{
    static const char *const dashed[] = {
        "forwarded message", "weitergeleitete nachricht", "message transféré",
        "mensaje reenviado", "doorgestuurd bericht", "original-nachricht", NULL};
    static const char *const begin[] = {
        "begin forwarded message:", "anfang der weitergeleiteten nachricht:",
        "début du message réexpédié :", "début du message réexpédié:",
        "inicio del mensaje reenviado:", "begin doorgestuurd bericht:", NULL};
    if (dashed_is(l, dashed))
        return true;
    for (const char *const *p = begin; *p; p++)
        if (strcmp(l, *p) == 0)
            return true;
    return false;
}

static bool is_original_message(const char *l)
{
    static const char *const names[] = {
        "original message", "ursprüngliche nachricht", "message d'origine",
        "message d’origine", "mensaje original", "oorspronkelijk bericht", NULL};
    return dashed_is(l, names);
}

static bool is_ruler(const char *l)
{
    size_t n = strspn(l, "_");
    return n >= 10 && l[n] == '\0';
}

static bool is_mobile_footer(const char *l)
{
    static const char *const lead[] = {
        "sent from ", "sent with ", "sent via ", "sent using ", "get outlook for ",
        "von meinem ", "gesendet von ", "gesendet mit ", "gesendet vom ",
        "envoyé de ", "envoyé depuis ", "envoyé avec ", "envoyé à partir de ",
        "enviado desde ", "enviado con ", "enviado de ",
        "verstuurd vanaf ", "verzonden vanaf ", "verzonden met ", "verstuurd met ", NULL};
    static const char *const device[] = {
        "iphone", "ipad", "android", "mobile", "smartphone", "samsung", "galaxy",
        "blackberry", "outlook", "mail", "handy", "móvil", "mobiel", "portable",
        "tablet", "huawei", "pixel", NULL};
    if (strlen(l) > 80 || !any_prefix(l, lead))
        return false;
    for (const char *const *d = device; *d; d++)
        if (strstr(l, *d))
            return true;
    return false;
}

static bool is_disclaimer(const char *l)
{
    static const char *const lead[] = {
        "confidentiality notice", "confidentiality:", "disclaimer:", "disclaimer",
        "legal disclaimer", "important notice:", "privileged and confidential",
        "this e-mail and any attachment", "this email and any attachment",
        "this e-mail and any files", "this email and any files",
        "this message and any attachment", "this e-mail message and any",
        "this email message and any", "this e-mail is confidential",
        "this email is confidential", "this message is confidential",
        "this e-mail may contain confidential", "this email may contain confidential",
        "the information contained in this e-mail", "the information contained in this email",
        "the information contained in this message", "the information in this e-mail",
        "the information in this email",
        "diese e-mail enthält vertrauliche", "diese email enthält vertrauliche",
        "diese nachricht enthält vertrauliche", "diese e-mail-nachricht enthält vertrauliche",
        "diese e-mail kann vertrauliche", "vertraulichkeitshinweis",
        "ce message et toutes les pièces jointes", "ce message et ses pièces jointes",
        "ce courriel et toutes les pièces jointes", "ce courriel est confidentiel",
        "ce message est confidentiel", "ce message électronique et ses pièces jointes",
        "avertissement de confidentialité",
        "este mensaje y sus anexos", "este mensaje y sus adjuntos", "este mensaje es confidencial",
        "este correo electrónico y sus anexos", "este correo electrónico es confidencial",
        "este correo y sus anexos", "la información contenida en este",
        "aviso de confidencialidad",
        "dit e-mailbericht is uitsluitend", "dit bericht is uitsluitend",
        "de informatie verzonden in dit e-mailbericht", "dit e-mailbericht en eventuele bijlagen",
        "dit bericht is vertrouwelijk", "dit e-mailbericht is vertrouwelijk",
        "deze e-mail is vertrouwelijk", NULL};
    /* Banners are often dressed in stars, rules or brackets. */
    while (*l && strchr("*_=#[( ", *l))
        l++;
    return any_prefix(l, lead);
}

typedef enum { KEY_NONE, KEY_FROM, KEY_SENT, KEY_TO, KEY_SUBJECT, KEY_OTHER } HeaderKey;

/* "From: ...", "*Von:* ...", "De :" ... as Outlook writes the header block
 * of the message it quotes. */
static HeaderKey header_key(const char *l)
{
    static const struct { const char *word; HeaderKey key; } keys[] = {
        {"from", KEY_FROM}, {"von", KEY_FROM}, {"de", KEY_FROM}, {"van", KEY_FROM},
        {"sent", KEY_SENT}, {"date", KEY_SENT}, {"gesendet", KEY_SENT}, {"datum", KEY_SENT},
        {"envoyé", KEY_SENT}, {"enviado", KEY_SENT}, {"fecha", KEY_SENT},
        {"verzonden", KEY_SENT}, {"verstuurd", KEY_SENT},
        {"subject", KEY_SUBJECT}, {"betreff", KEY_SUBJECT}, {"objet", KEY_SUBJECT},
        {"asunto", KEY_SUBJECT}, {"onderwerp", KEY_SUBJECT},
        {"to", KEY_TO}, {"an", KEY_TO}, {"à", KEY_TO}, {"a", KEY_TO}, {"para", KEY_TO},
        {"aan", KEY_TO}, {"cc", KEY_OTHER}, {"bcc", KEY_OTHER}, {"reply-to", KEY_OTHER},
        {"antwort an", KEY_OTHER}, {"répondre à", KEY_OTHER}, {"responder a", KEY_OTHER},
        {"importance", KEY_OTHER}, {"wichtigkeit", KEY_OTHER},
    };
    char word[32];
    size_t w = 0;
    const char *p = l;
    while (*p == '*')
        p++;
    for (; *p && *p != ':' && w < sizeof word - 1; p++)
        if (*p != '*')
            word[w++] = *p;
    if (*p != ':')
        return KEY_NONE;
    while (w > 0 && word[w - 1] == ' ')
        w--;
    word[w] = '\0';
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        if (strcmp(word, keys[i].word) == 0)
            return keys[i].key;
    return KEY_NONE;
}

static bool is_outlook_block(const Lines *L, int i)
{
    if (header_key(line_low(L, i)) != KEY_FROM)
        return false;
    bool sent = false, subject = false;
    for (int k = i + 1, seen = 0; k < L->n && seen < LOOKAHEAD; k++) {
        if (is_blank(line_low(L, k)))
            continue;
        seen++;
        HeaderKey key = header_key(line_low(L, k));
        if (key == KEY_NONE)
            break;
        sent |= key == KEY_SENT;
        subject |= key == KEY_SUBJECT;
    }
    return sent && subject;
}

static bool next_is_quoted(const Lines *L, int i)
{
    for (int k = i + 1; k < L->n && k <= i + LOOKAHEAD; k++)
        if (!is_blank(line_low(L, k)) && !is_snip(line_low(L, k)))
            return L->quoted[k];
    return false;
}

/* After a quote header at line i ("-----Original Message-----" or an
 * Outlook From/Sent/Subject block): the first line past the header fields,
 * when quoted lines start there; else -1. A field value wrapped onto a
 * second line is allowed. At most LOOKAHEAD * 2 lines are looked at. */
static int quote_after_header(const Lines *L, int i)
{
    int k = i + 1;
    for (int seen = 0; k < L->n && seen < LOOKAHEAD * 2; k++, seen++) {
        const char *l = line_low(L, k);
        if (L->quoted[k])
            return k;
        if (is_blank(l) || is_snip(l) || header_key(l) != KEY_NONE)
            continue;
        if (k + 1 < L->n && header_key(line_low(L, k + 1)) != KEY_NONE && header_key(line_low(L, k - 1)) != KEY_NONE)
            continue; /* the wrapped end of the field above */
        return -1;
    }
    return -1;
}

/* ---- trimming ------------------------------------------------------- */

static void add_line(GString *out, const char *raw)
{
    size_t len = strlen(raw);
    while (len > 0 && g_ascii_isspace(raw[len - 1]))
        len--;
    g_string_append_len(out, raw, len);
    g_string_append_c(out, '\n');
}

/* Lines start.. up to the first cut; *fwd is the forward marker's line
 * when that was the cut, else -1. Separators and disclaimers only cut below
 * the customer's words: one that opens the text is skipped. A quote header
 * with nothing (or only a greeting) above it and quoted lines below is a
 * bottom-posted reply: the quoted lines go, the lines after them stay. */
static void trim_range(const Lines *L, int start, GString *out, int *fwd)
{
    *fwd = -1;
    int words = 0;          /* non-blank lines kept so far */
    bool greeting = false;  /* the only one kept is a greeting */
    for (int i = start; i < L->n; i++) {
        if (L->quoted[i])
            continue;
        const char *raw = L->raw[i], *l = line_low(L, i);
        if (is_snip(l))
            continue;
        if (is_blank(l)) {
            add_line(out, "");
            continue;
        }
        if (is_forward_marker(l)) {
            *fwd = i;
            return;
        }
        if (strcmp(l, "--") == 0 || is_ruler(l)) {
            if (words > 0)
                return;
            continue;
        }
        if (is_disclaimer(l)) {
            if (words > 0)
                return;
            while (i + 1 < L->n && !is_blank(line_low(L, i + 1)))
                i++; /* the whole opening banner */
            continue;
        }
        if (is_original_message(l) || is_outlook_block(L, i)) {
            int q = words == 0 || (words == 1 && greeting) ? quote_after_header(L, i) : -1;
            if (q < 0)
                return;
            i = q - 1;
            continue;
        }
        if (is_mobile_footer(l))
            return;
        if (is_attribution(l)) {
            if (next_is_quoted(L, i))
                continue;
            return;
        }
        if (i + 1 < L->n && may_start_attribution(l) && strlen(line_low(L, i + 1)) < MAX_MATCH_LINE) {
            char *joined = g_strconcat(l, " ", line_low(L, i + 1), NULL);
            bool wrapped = is_attribution(joined);
            g_free(joined);
            if (wrapped) {
                if (next_is_quoted(L, i + 1)) {
                    i++;
                    continue;
                }
                return;
            }
        }
        if (is_loose_attribution(l) && next_is_quoted(L, i))
            continue;
        greeting = words == 0 && is_greeting(l);
        words++;
        add_line(out, raw);
    }
}

/* Collapses runs of blank lines to one and trims the ends. */
static char *tidy(const char *text)
{
    GString *out = g_string_new(NULL);
    const char *p = text;
    bool pending_blank = false;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        size_t e = len;
        while (e > 0 && g_ascii_isspace(p[e - 1]))
            e--;
        if (e == 0) {
            pending_blank = out->len > 0;
        } else {
            if (pending_blank)
                g_string_append_c(out, '\n');
            if (out->len > 0)
                g_string_append_c(out, '\n');
            g_string_append_len(out, p, e);
            pending_blank = false;
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return g_string_free(out, FALSE);
}

static char *trim(const char *text, bool use_forwarded)
{
    if (text == NULL)
        return g_strdup("");
    Lines L = lines_split(text);
    GString *out = g_string_new(NULL);
    int start = 0, fwd;
    char *result = NULL;
    for (;;) {
        g_string_truncate(out, 0);
        trim_range(&L, start, out, &fwd);
        result = tidy(out->str);
        if (*result != '\0' || fwd < 0 || !use_forwarded)
            break;
        /* Nothing new above a forwarded message: its text is what the
         * customer sends us. Skip its header block first. */
        g_free(result);
        result = NULL;
        start = fwd + 1;
        while (start < L.n && (is_blank(line_low(&L, start)) || header_key(line_low(&L, start)) != KEY_NONE))
            start++;
    }
    g_string_free(out, TRUE);
    lines_free(&L);
    return result;
}

char *ard_reply_trim(const char *text)
{
    return trim(text, true);
}

/* ---- HTML ----------------------------------------------------------- */

typedef struct {
    GString *out;
    bool cut_quotes;
    bool stop;  /* a "the rest is quoted" marker was seen */
    int pre;
} Html;

static const char *attr(xmlNode *n, const char *name)
{
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && g_ascii_strcasecmp((const char *)a->name, name) == 0 && a->children &&
            a->children->content)
            return (const char *)a->children->content;
    return NULL;
}

static bool has_class(xmlNode *n, const char *cls)
{
    const char *c = attr(n, "class");
    if (c == NULL)
        return false;
    size_t len = strlen(cls);
    for (const char *p = c; (p = strstr(p, cls)) != NULL; p += len) {
        bool left = p == c || g_ascii_isspace(p[-1]);
        bool right = p[len] == '\0' || g_ascii_isspace(p[len]);
        if (left && right)
            return true;
    }
    return false;
}

/* Containers holding only the quoted message: dropped, siblings kept. */
static bool is_quote_container(xmlNode *n, const char *name)
{
    if (strcmp(name, "blockquote") == 0) {
        const char *type = attr(n, "type");
        if (type && g_ascii_strcasecmp(type, "cite") == 0)
            return true;
    }
    const char *id = attr(n, "id");
    return has_class(n, "gmail_quote") || has_class(n, "gmail_quote_container") ||
           has_class(n, "moz-cite-prefix") || has_class(n, "yahoo_quoted") ||
           (id && starts(id, "yahoo_quoted"));
}

/* Outlook's markers put the quoted message after them as siblings: from
 * there on, everything is history. */
static bool is_quote_start(xmlNode *n)
{
    static const char *const ids[] = {"divRplyFwdMsg", "appendonsend",
                                      "mail-editor-reference-message-container",
                                      "OLK_SRC_BODY_SECTION", NULL};
    const char *id = attr(n, "id");
    if (id != NULL)
        for (const char *const *p = ids; *p; p++)
            if (g_ascii_strcasecmp(id, *p) == 0)
                return true;
    const char *style = attr(n, "style");
    if (style != NULL && strlen(style) < 2000) {
        char *s = g_ascii_strdown(style, -1);
        bool hit = strstr(s, "border-top:solid #e1e1e1") || strstr(s, "border-top: solid #e1e1e1") ||
                   strstr(s, "border-top:solid #b5c4df") || strstr(s, "border-top: solid #b5c4df");
        g_free(s);
        return hit;
    }
    return false;
}

static bool in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

static void trim_trailing_spaces(GString *s)
{
    while (s->len > 0 && s->str[s->len - 1] == ' ')
        g_string_truncate(s, s->len - 1);
}

static void ensure_newline(Html *h)
{
    trim_trailing_spaces(h->out);
    if (h->out->len > 0 && h->out->str[h->out->len - 1] != '\n')
        g_string_append_c(h->out, '\n');
}

static void add_text(Html *h, const char *t)
{
    for (const char *p = t; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (h->pre) {
            if (c == 0xA0)
                g_string_append_c(h->out, ' ');
            else if (c != '\r')
                g_string_append_unichar(h->out, c);
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0xA0) {
            GString *o = h->out;
            if (o->len > 0 && o->str[o->len - 1] != ' ' && o->str[o->len - 1] != '\n')
                g_string_append_c(o, ' ');
        } else {
            g_string_append_unichar(h->out, c);
        }
    }
}

static void html_walk(Html *h, xmlNode *node, int depth)
{
    static const char *const skip[] = {"script", "style", "head", "title", "noscript",
                                       "template", "object", "iframe", "svg", NULL};
    static const char *const block[] = {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
        "div", "dl", "dt", "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "tbody", "thead", "tfoot", "tr", "ul", NULL};
    for (xmlNode *n = node; n != NULL && !h->stop; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                add_text(h, (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || n->name == NULL)
            continue;
        char *name = g_ascii_strdown((const char *)n->name, -1);
        bool is_block = in_list(name, block);
        if (in_list(name, skip)) {
        } else if (h->cut_quotes && is_quote_start(n)) {
            h->stop = true;
        } else if (h->cut_quotes && is_quote_container(n, name)) {
            ensure_newline(h);
        } else if (strcmp(name, "br") == 0) {
            trim_trailing_spaces(h->out);
            g_string_append_c(h->out, '\n');
        } else {
            bool pre = strcmp(name, "pre") == 0;
            if (is_block)
                ensure_newline(h);
            if (strcmp(name, "li") == 0)
                g_string_append(h->out, "- ");
            h->pre += pre;
            /* libxml2 bounds the tree's depth; this bounds the stack. */
            if (depth < 256)
                html_walk(h, n->children, depth + 1);
            h->pre -= pre;
            if (is_block)
                ensure_newline(h);
            else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
                add_text(h, " ");
        }
        g_free(name);
    }
}

char *ard_html_to_text(const char *html, bool cut_quotes)
{
    if (html == NULL || *html == '\0')
        return g_strdup("");
    size_t len = strlen(html);
    if (len > INT_MAX)
        len = INT_MAX;
    xmlDoc *doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                                 HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                     HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
    if (doc == NULL)
        return g_strdup("");
    Html h = {g_string_new(NULL), cut_quotes, false, 0};
    html_walk(&h, xmlDocGetRootElement(doc), 0);
    xmlFreeDoc(doc);
    char *raw = g_string_free(h.out, FALSE);
    /* libxml2 keeps bytes it could not decode; the result must be UTF-8. */
    if (!g_utf8_validate(raw, -1, NULL)) {
        char *fixed = g_utf8_make_valid(raw, -1);
        g_free(raw);
        raw = fixed;
    }
    char *text = tidy(raw);
    g_free(raw);
    return text;
}

/* ---- the reply ------------------------------------------------------ */

static bool blank_text(const char *s)
{
    for (; s && *s; s++)
        if (!g_ascii_isspace(*s))
            return false;
    return true;
}

/* Any tag, closing tag, comment or declaration: "<p>", "</div", "<!--",
 * "<br/>". An address in angle brackets ("<jane@example.com>") is not one.
 * Each '<' looks at a bounded tag name, so this stays linear. */
static bool has_markup(const char *s)
{
    for (const char *p = strchr(s, '<'); p != NULL; p = strchr(p + 1, '<')) {
        if (p[1] == '/' || p[1] == '!' || p[1] == '?')
            return true;
        int k = 1;
        while (k < 16 && g_ascii_isalnum(p[k]))
            k++;
        if (k > 1 && g_ascii_isalpha(p[1]) && (p[k] == '>' || p[k] == '/' || g_ascii_isspace(p[k])))
            return true;
    }
    return false;
}

char *ard_reply_text(const ArdMessage *m)
{
    if (m == NULL)
        return g_strdup("");
    char *r = trim(m->text, false);
    if (*r == '\0' && m->html != NULL) {
        g_free(r);
        char *t = ard_html_to_text(m->html, true);
        r = trim(t, false);
        g_free(t);
        /* Plain text labelled text/html: the HTML reading runs its lines
         * together, which can leave nothing; its own lines are the text. */
        if (*r == '\0' && !has_markup(m->html)) {
            g_free(r);
            r = trim(m->html, false);
        }
    }
    if (*r == '\0' && !blank_text(m->text)) {
        g_free(r);
        r = trim(m->text, true);
    }
    return r;
}
