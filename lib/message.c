/* A raw inbound message into the parts the reply reader needs, with GMime 3.
 * The milter calls this from many threads on whatever the internet sends, so
 * it must never crash, never fail outright, never return invalid UTF-8, and
 * never let a message's size, part count or nesting drive unbounded work. */
#include "message.h"
#include "text.h"
#include <gmime/gmime.h>
#include <libxml/parser.h>
#include <string.h>

#define MAX_DEPTH 32
#define MAX_PARTS 1000
/* A forwarded message appended to the text starts with the line Gmail uses,
 * so the reply trimmer sees it as forwarded content, not new words. */
#define FORWARD_MARKER "---------- Forwarded message ---------"

static gpointer init_once(gpointer unused)
{
    (void)unused;
    g_mime_init();
    /* libxml2 must be initialised once before threads use its parser. */
    xmlInitParser();
    return NULL;
}

static void ensure_init(void)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, init_once, NULL);
}

/* Windows-1252 bytes 0x80..0x9F; 0 marks the five undefined ones. */
static const gunichar cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Never fails: every byte maps to some character. ASCII runs (most of any
 * text) are copied as they are; NUL bytes are dropped. */
static char *cp1252_to_utf8(const char *s, size_t len)
{
    GString *out = g_string_sized_new(len + len / 8 + 1);
    size_t i = 0;
    while (i < len) {
        size_t run = ard_ascii_span(s + i, len - i);
        const char *p = s + i, *end = p + run;
        while (p < end) {
            const char *nul = memchr(p, '\0', (size_t)(end - p));
            const char *stop = nul ? nul : end;
            g_string_append_len(out, p, stop - p);
            p = nul ? nul + 1 : end;
        }
        i += run;
        if (i == len)
            break;
        unsigned char c = (unsigned char)s[i++];
        gunichar u = c;
        if (c <= 0x9F)
            u = cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
        g_string_append_unichar(out, u);
    }
    return g_string_free(out, FALSE);
}

/* Keeps what is valid UTF-8, replaces each bad byte with U+FFFD. */
static char *utf8_repair(const char *s, size_t len)
{
    GString *out = g_string_sized_new(len + 1);
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *bad;
        g_utf8_validate(p, end - p, &bad);
        g_string_append_len(out, p, bad - p);
        if (bad >= end)
            break;
        if (*bad != '\0')
            g_string_append(out, "\xEF\xBF\xBD");
        p = bad + 1;
    }
    return g_string_free(out, FALSE);
}

static bool charset_is(const char *cs, const char *const *names)
{
    for (; *names; names++)
        if (g_ascii_strcasecmp(cs, *names) == 0)
            return true;
    return false;
}

/* Control characters other than tab and line ends are never words: binary
 * junk in a text part (seen in real spam) or a stray byte in a header. Form
 * and vertical feeds become line breaks, the rest are dropped, in place, so
 * no reader of the text (JSON writers included: json-glib 1.6 leaves 0x1F
 * unescaped) ever sees them. */
static const char control_bytes[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
                                    "\x1c\x1d\x1e\x1f\x7f";

static char *drop_controls(char *s)
{
    /* Most text has none: strcspn's table scan finds the first one several
     * times faster than the byte loop below. */
    char *out = s + strcspn(s, control_bytes);
    for (const char *p = out; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\f' || c == '\v')
            *out++ = '\n';
        else if ((c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r')
            *out++ = (char)c;
    }
    *out = '\0';
    return s;
}

/* Whether s[0..len) is UTF-8 without NUL bytes; g_utf8_validate's answer.
 * GLib looks at every byte; mail text is mostly ASCII, so runs of it are
 * skipped and each multi-byte sequence is still GLib's to judge. */
static bool valid_utf8(const char *s, size_t len)
{
    if (memchr(s, '\0', len) != NULL)
        return false;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    for (;;) {
        p += ard_ascii_span((const char *)p, (size_t)(end - p));
        if (p == end)
            return true;
        size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        if ((size_t)(end - p) < n || !g_utf8_validate_len((const char *)p, n, NULL))
            return false;
        p += n;
    }
}

/* Bytes in a declared charset into valid UTF-8. Mislabelled and unknown
 * charsets are common: valid UTF-8 is kept as it is, anything else is read
 * as Windows-1252, the usual truth behind a wrong label. */
static char *convert_utf8(const char *s, size_t len, const char *charset)
{
    static const char *const utf8[] = {"utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", NULL};
    static const char *const latin1[] = {"iso-8859-1", "latin1", "latin-1", "iso_8859-1",
                                         "windows-1252", "cp1252", "x-cp1252", "iso8859-1", NULL};
    if (s == NULL || len == 0)
        return g_strdup("");
    bool valid = valid_utf8(s, len);
    if (charset == NULL || *charset == '\0' || charset_is(charset, utf8))
        return valid ? g_strndup(s, len) : cp1252_to_utf8(s, len);
    if (charset_is(charset, latin1))
        return cp1252_to_utf8(s, len);
    const char *name = g_mime_charset_iconv_name(charset);
    gsize written = 0;
    GError *err = NULL;
    char *out = g_convert(s, len, "UTF-8", name ? name : charset, NULL, &written, &err);
    if (out != NULL && g_utf8_validate(out, written, NULL) && memchr(out, '\0', written) == NULL)
        return out;
    g_clear_error(&err);
    g_free(out);
    return valid ? g_strndup(s, len) : cp1252_to_utf8(s, len);
}

/* Valid UTF-8 without control characters, whatever the input. */
static char *to_utf8(const char *s, size_t len, const char *charset)
{
    return drop_controls(convert_utf8(s, len, charset));
}

static char *clean_utf8(const char *s)
{
    if (s == NULL)
        return g_strdup("");
    size_t len = strlen(s);
    return drop_controls(g_utf8_validate(s, len, NULL) ? g_strdup(s) : utf8_repair(s, len));
}

/* A part's content with its transfer encoding undone, as raw bytes. */
static GByteArray *part_bytes(GMimePart *part)
{
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (content == NULL)
        return NULL;
    GByteArray *bytes = g_byte_array_new();
    GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
    g_mime_data_wrapper_write_to_stream(content, mem);
    g_object_unref(mem);
    return bytes;
}

static char *part_text(GMimePart *part)
{
    GByteArray *bytes = part_bytes(part);
    if (bytes == NULL)
        return g_strdup("");
    const char *cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    char *text = to_utf8((const char *)bytes->data, bytes->len, cs);
    g_byte_array_free(bytes, TRUE);
    return text;
}

typedef struct {
    ArdMessage *m;
    GString *text;      /* the top message's own text parts */
    GString *fwd_text;  /* text of forwarded messages */
    char *fwd_html;     /* the first HTML part of a forwarded message */
} Walk;

/* The address in a recipient field line ("Final-Recipient: rfc822; a@b"),
 * lower case, or NULL when the line is not that field. */
static char *dsn_address(const char *line, size_t llen, const char *name)
{
    size_t nlen = strlen(name);
    if (llen <= nlen || g_ascii_strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
        return NULL;
    char *v = g_strstrip(g_strndup(line + nlen + 1, llen - nlen - 1));
    char *addr = v;
    char *semi = strchr(v, ';');
    if (semi != NULL)
        addr = semi + 1;
    addr = g_strstrip(addr);
    if (*addr == '<')
        addr++;
    char *gt = strchr(addr, '>');
    if (gt != NULL)
        *gt = '\0';
    char *res = *addr ? g_ascii_strdown(addr, -1) : NULL;
    g_free(v);
    return res;
}

typedef enum { ACT_NONE, ACT_FAILED, ACT_NOTICE } DsnAction;

/* One recipient's group of fields, read up to its blank line. */
typedef struct {
    char *original, *final;
    DsnAction action;
} DsnGroup;

/* RFC 3464 names four actions that are no failure; any other value
 * ("failed", or "failure" as some MTAs write) is read as one. */
static DsnAction dsn_action(const char *line, size_t llen)
{
    static const char name[] = "Action:";
    static const char *const notices[] = {"delayed", "delivered", "relayed", "expanded", NULL};
    if (llen < sizeof name - 1 || g_ascii_strncasecmp(line, name, sizeof name - 1) != 0)
        return ACT_NONE;
    const char *v = line + sizeof name - 1, *end = line + llen;
    while (v < end && g_ascii_isspace(*v))
        v++;
    for (const char *const *n = notices; *n; n++) {
        size_t k = strlen(*n);
        if ((size_t)(end - v) >= k && g_ascii_strncasecmp(v, *n, k) == 0 &&
            (v + k == end || !g_ascii_isalpha(v[k])))
            return ACT_NOTICE;
    }
    return ACT_FAILED;
}

/* Only a recipient reported as failed is undeliverable: a DSN
 * that says "delayed" (the server still retries) or "delivered" must never
 * name an address that later code would mark as dead. A recipient group
 * without any Action field is read as failed, as before, since some MTAs
 * leave it out of their bounces. */
static void read_delivery_status(Walk *w, GMimePart *part)
{
    if (w->m->dsn_recipient != NULL)
        return;
    GByteArray *bytes = part_bytes(part);
    if (bytes == NULL)
        return;
    char *fields = to_utf8((const char *)bytes->data, bytes->len, NULL);
    g_byte_array_free(bytes, TRUE);
    DsnGroup g = {NULL, NULL, ACT_NONE};
    char *failed = NULL, *unknown = NULL;
    bool notice = false;
    for (const char *p = fields; p != NULL;) {
        const char *eol = strchr(p, '\n');
        size_t llen = eol ? (size_t)(eol - p) : strlen(p);
        size_t blank = 0;
        while (blank < llen && g_ascii_isspace(p[blank]))
            blank++;
        if (blank == llen) {
            /* The group ends. The address we sent to is the original one;
             * aliases may change the final one, so Original-Recipient wins. */
            char *addr = g.original ? g.original : g.final;
            if (addr != NULL) {
                if (g.action == ACT_FAILED && failed == NULL)
                    failed = g_strdup(addr);
                else if (g.action == ACT_NONE && unknown == NULL)
                    unknown = g_strdup(addr);
                else if (g.action == ACT_NOTICE)
                    notice = true;
            }
            g_clear_pointer(&g.original, g_free);
            g_clear_pointer(&g.final, g_free);
            g.action = ACT_NONE;
        } else {
            char *a;
            if (g.original == NULL && (a = dsn_address(p, llen, "Original-Recipient")) != NULL)
                g.original = a;
            else if (g.final == NULL && (a = dsn_address(p, llen, "Final-Recipient")) != NULL)
                g.final = a;
            else if (g.action == ACT_NONE)
                g.action = dsn_action(p, llen);
        }
        if (eol == NULL && blank < llen) {
            p = ""; /* one more round closes the last group */
            continue;
        }
        p = eol ? eol + 1 : NULL;
    }
    g_free(fields);
    w->m->dsn_recipient = failed ? failed : unknown;
    if (failed != NULL)
        g_free(unknown);
    if (w->m->dsn_recipient == NULL && notice)
        w->m->dsn_notice = true;
}

static void append_text(GString *to, char *text)
{
    if (*text == '\0')
        return;
    if (to->len > 0 && to->str[to->len - 1] != '\n')
        g_string_append_c(to, '\n');
    g_string_append(to, text);
}

static void walk(Walk *w, GMimeObject *obj, int depth, bool forwarded)
{
    if (obj == NULL || depth > MAX_DEPTH || w->m->parts >= MAX_PARTS)
        return;
    w->m->parts++;
    GMimeContentType *ct = g_mime_object_get_content_type(obj);

    if (GMIME_IS_MULTIPART(obj)) {
        if (ct && g_mime_content_type_is_type(ct, "multipart", "report") && !forwarded) {
            const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
            if (rt && g_ascii_strcasecmp(rt, "delivery-status") == 0)
                w->m->is_dsn = true;
        }
        int n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
        for (int i = 0; i < n && w->m->parts < MAX_PARTS; i++)
            walk(w, g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), depth + 1, forwarded);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (inner != NULL)
            walk(w, g_mime_message_get_mime_part(inner), depth + 1, true);
        return;
    }
    if (!GMIME_IS_PART(obj))
        return;

    GMimePart *part = GMIME_PART(obj);
    if (ct && (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
               g_mime_content_type_is_type(ct, "message", "global-delivery-status"))) {
        if (!forwarded)
            read_delivery_status(w, part);
        return;
    }
    const char *filename = g_mime_part_get_filename(part);
    bool is_text = ct && g_mime_content_type_is_type(ct, "text", "plain");
    bool is_html = ct && g_mime_content_type_is_type(ct, "text", "html");
    if (g_mime_part_is_attachment(part) || (filename && *filename && !is_text && !is_html)) {
        if (filename && *filename)
            g_ptr_array_add(w->m->attachments, clean_utf8(filename));
        return;
    }
    if (is_text) {
        char *t = part_text(part);
        append_text(forwarded ? w->fwd_text : w->text, t);
        g_free(t);
    } else if (is_html) {
        char **slot = forwarded ? &w->fwd_html : &w->m->html;
        if (*slot == NULL)
            *slot = part_text(part);
    }
}

/* The bytes after the header block (the first empty line), or NULL. */
static const char *raw_body(const char *data, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (data[i] != '\n')
            continue;
        if (data[i + 1] == '\n')
            return data + i + 2;
        if (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')
            return data + i + 3;
    }
    return NULL;
}

/* A multipart whose body never uses the declared boundary gives no parts at
 * all: its raw body, read in the top part's charset, is still readable. */
static void read_unsplit_body(Walk *w, GMimeObject *top, const char *data, size_t len)
{
    if (top == NULL || !GMIME_IS_MULTIPART(top) || g_mime_multipart_get_count(GMIME_MULTIPART(top)) > 0)
        return;
    if (w->text->len > 0 || w->fwd_text->len > 0 || w->m->html != NULL || w->fwd_html != NULL)
        return;
    const char *body = raw_body(data, len);
    if (body == NULL)
        return;
    const char *cs = g_mime_object_get_content_type_parameter(top, "charset");
    char *t = to_utf8(body, len - (size_t)(body - data), cs);
    g_string_append(w->text, t);
    g_free(t);
}

static char *strip_id(const char *v)
{
    if (v == NULL)
        return NULL;
    char *id = g_mime_utils_decode_message_id(v);
    if (id == NULL || *id == '\0') {
        g_free(id);
        return NULL;
    }
    char *clean = clean_utf8(id);
    g_free(id);
    return clean;
}

/* A decoded header value on one line: RFC 2047 can encode CR and LF (or a
 * tab), and a subject or display name that carried them would split a line
 * wherever it is shown or written again (the account view, the queue, a
 * collector's mail). */
static char *one_line(const char *s)
{
    char *v = clean_utf8(s);
    for (char *p = v; *p; p++)
        if (*p == '\r' || *p == '\n' || *p == '\t')
            *p = ' ';
    return v;
}

/* The values ardent reads from the top-level headers, taken as GMime's
 * message object takes them: the last Subject, Date and Message-ID count. */
typedef struct {
    GMimeHeader *from, *subject, *date, *message_id;
    int froms;
} TopHeaders;

static void note_header(TopHeaders *t, GMimeHeader *h)
{
    const char *name = g_mime_header_get_name(h);
    if (g_ascii_strcasecmp(name, "From") == 0) {
        t->from = h;
        t->froms++;
    } else if (g_ascii_strcasecmp(name, "Subject") == 0) {
        t->subject = h;
    } else if (g_ascii_strcasecmp(name, "Date") == 0) {
        t->date = h;
    } else if (g_ascii_strcasecmp(name, "Message-Id") == 0) {
        t->message_id = h;
    }
}

/* data[0..len) read by GMime as a MIME part or as a message; NULL when not
 * even its headers could be read. */
static GMimeObject *parse_entity(const char *data, size_t len, bool as_message)
{
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeObject *top = as_message ? (GMimeObject *)g_mime_parser_construct_message(parser, NULL)
                                  : g_mime_parser_construct_part(parser, NULL);
    g_object_unref(parser);
    g_object_unref(stream);
    return top;
}

/* The From addresses. One From header that parses cleanly is read with
 * internet_address_list_parse. GMime's message object reads several From
 * headers as one list, and keeps the addresses read before a syntax error
 * (an unclosed comment) where internet_address_list_parse keeps none: for
 * those rare headers, the From headers alone are read as a message, the
 * way the whole used to be. */
static InternetAddressList *from_list(GMimeHeaderList *headers, const TopHeaders *t)
{
    InternetAddressList *list = NULL;
    const char *raw = g_mime_header_get_raw_value(t->from);
    if (t->froms == 1 && raw != NULL && (list = internet_address_list_parse(NULL, raw)) != NULL)
        return list;
    GString *head = g_string_new(NULL);
    int n = g_mime_header_list_get_count(headers);
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
        if (g_ascii_strcasecmp(g_mime_header_get_name(h), "From") != 0)
            continue;
        /* The raw value ends with its own line break (or none, at the end
         * of the input): one line break after it, never a blank line. */
        raw = g_mime_header_get_raw_value(h);
        size_t len = raw ? strlen(raw) : 0;
        while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
            len--;
        g_string_append(head, "From:");
        g_string_append_len(head, raw, (gssize)len);
        g_string_append_c(head, '\n');
    }
    GMimeObject *msg = parse_entity(head->str, head->len, true);
    if (msg != NULL) {
        list = g_mime_message_get_from(GMIME_MESSAGE(msg));
        if (list != NULL)
            g_object_ref(list);
        g_object_unref(msg);
    }
    g_string_free(head, TRUE);
    return list;
}

static void read_from(ArdMessage *m, GMimeHeaderList *headers, const TopHeaders *t)
{
    InternetAddressList *list = t->froms > 0 ? from_list(headers, t) : NULL;
    if (list == NULL)
        return;
    InternetAddressList *from = list;
    for (int depth = 0; from && depth < 4; depth++) {
        if (internet_address_list_length(from) == 0)
            break;
        InternetAddress *a = internet_address_list_get_address(from, 0);
        if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
            const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
            if (addr && *addr) {
                char *clean = clean_utf8(addr);
                m->from_addr = ard_text_lower(clean, -1);
                g_free(clean);
            }
            g_free(m->from_name);
            m->from_name = one_line(internet_address_get_name(a));
            break;
        }
        from = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a));
    }
    g_object_unref(list);
}

static void read_headers(ArdMessage *m, GMimeObject *top)
{
    GMimeHeaderList *list = g_mime_object_get_header_list(top);
    int n = g_mime_header_list_get_count(list);
    TopHeaders t = {0};
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
        /* The Content-* headers describe the body, not the message: kept
         * out of the list, as GMime keeps them out of a message's. */
        if (g_ascii_strncasecmp(g_mime_header_get_name(h), "Content-", 8) == 0)
            continue;
        ArdHeader *ah = g_new0(ArdHeader, 1);
        ah->name = clean_utf8(g_mime_header_get_name(h));
        ah->value = clean_utf8(g_mime_header_get_value(h));
        g_ptr_array_add(m->headers, ah);
        note_header(&t, h);
    }
    const char *v = t.message_id ? g_mime_header_get_value(t.message_id) : NULL;
    char *mid = v ? g_mime_utils_decode_message_id(v) : NULL;
    m->message_id = mid && *mid ? clean_utf8(mid) : NULL;
    g_free(mid);
    m->in_reply_to = strip_id(g_mime_object_get_header(top, "In-Reply-To"));
    const char *refs = g_mime_object_get_header(top, "References");
    if (refs != NULL) {
        GMimeReferences *r = g_mime_references_parse(NULL, refs);
        if (r != NULL) {
            for (int i = 0; i < g_mime_references_length(r); i++)
                g_ptr_array_add(m->references, clean_utf8(g_mime_references_get_message_id(r, i)));
            g_mime_references_free(r);
        }
    }
    g_free(m->subject);
    m->subject = one_line(t.subject ? g_mime_header_get_value(t.subject) : NULL);

    read_from(m, list, &t);

    v = t.date ? g_mime_header_get_value(t.date) : NULL;
    GDateTime *dt = v ? g_mime_utils_header_decode_date(v) : NULL;
    ArdDay day;
    if (dt != NULL && ard_day_from_ymd(g_date_time_get_year(dt), g_date_time_get_month(dt),
                                       g_date_time_get_day_of_month(dt), &day))
        m->date = day;
    if (dt != NULL)
        g_date_time_unref(dt);
}

static ArdMessage *message_new(void)
{
    ArdMessage *m = g_new0(ArdMessage, 1);
    m->headers = g_ptr_array_new();
    m->references = g_ptr_array_new_with_free_func(g_free);
    m->attachments = g_ptr_array_new_with_free_func(g_free);
    m->subject = g_strdup("");
    m->from_name = g_strdup("");
    m->date = ARD_DAY_NONE;
    return m;
}

ArdMessage *ard_message_parse(const char *data, size_t len, size_t max_bytes)
{
    ensure_init();
    ArdMessage *m = message_new();
    if (data == NULL)
        len = 0;
    if (max_bytes > 0 && len > max_bytes) {
        len = max_bytes;
        m->truncated = true;
    }

    /* Read as a part, not as a GMimeMessage: the message object parses every
     * address header (To, Cc, Reply-To ...) into lists as it reads it, and
     * frees them again, for fields ardent never reads. The part keeps all the
     * top-level headers in order; read_headers takes what ardent needs. A
     * part's headers must start on its first line, where a message may open
     * with mbox "From " lines that GMime skips: when the part cannot be read,
     * the message is, as before. */
    const char *bytes = data ? data : "";
    GMimeObject *top = parse_entity(bytes, len, false), *body = top;
    if (top == NULL) {
        top = parse_entity(bytes, len, true);
        body = top ? g_mime_message_get_mime_part(GMIME_MESSAGE(top)) : NULL;
    }

    Walk w = {m, g_string_new(NULL), g_string_new(NULL), NULL};
    if (top != NULL) {
        read_headers(m, top);
        walk(&w, body, 0, false);
        read_unsplit_body(&w, body, bytes, len);
        g_object_unref(top);
    } else {
        /* Not even headers could be read: the bytes are all there is. */
        char *t = to_utf8(bytes, len, NULL);
        g_string_append(w.text, t);
        g_free(t);
    }
    if (w.fwd_text->len > 0) {
        append_text(w.text, "\n" FORWARD_MARKER "\n");
        g_string_append(w.text, w.fwd_text->str);
    }
    if (m->html == NULL && w.fwd_html != NULL && w.text->len == 0) {
        m->html = w.fwd_html;
        w.fwd_html = NULL;
    }
    g_free(w.fwd_html);
    g_string_free(w.fwd_text, TRUE);
    /* Several reports: one failed recipient makes the whole a bounce. */
    if (m->dsn_recipient != NULL)
        m->dsn_notice = false;
    m->text = g_string_free(w.text, FALSE);
    return m;
}

static void header_free(gpointer p)
{
    ArdHeader *h = p;
    g_free(h->name);
    g_free(h->value);
    g_free(h);
}

void ard_message_free(ArdMessage *m)
{
    if (m == NULL)
        return;
    g_ptr_array_set_free_func(m->headers, header_free);
    g_ptr_array_free(m->headers, TRUE);
    g_ptr_array_free(m->references, TRUE);
    g_ptr_array_free(m->attachments, TRUE);
    g_free(m->message_id);
    g_free(m->in_reply_to);
    g_free(m->subject);
    g_free(m->from_addr);
    g_free(m->from_name);
    g_free(m->text);
    g_free(m->html);
    g_free(m->dsn_recipient);
    g_free(m);
}

const char *ard_message_header(const ArdMessage *m, const char *name)
{
    if (m == NULL || name == NULL)
        return NULL;
    for (guint i = 0; i < m->headers->len; i++) {
        const ArdHeader *h = g_ptr_array_index(m->headers, i);
        if (g_ascii_strcasecmp(h->name, name) == 0)
            return h->value;
    }
    return NULL;
}
