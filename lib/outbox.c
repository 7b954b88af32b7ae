/* Builds outbound MIME messages and delivers them to SMTP or a Maildir.
 * Must never put an unfiltered value into a header (no CR/LF from customer
 * data), and never rename a Maildir file into new/ before its data is on
 * disk. */
#include "outbox.h"
#include "error.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <string.h>
#include <unistd.h>

static char *header_safe(const char *s)
{
    char *r = g_strdup(s ? s : "");
    for (char *p = r; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return g_strstrip(r);
}

static char *bracket(const char *id)
{
    char *s = header_safe(id);
    char *r = g_strdup_printf("<%s>", s);
    g_free(s);
    return r;
}

char *ard_mail_build(const ArdMail *m, bool crlf, gsize *len)
{
    GMimeMessage *msg = g_mime_message_new(TRUE);
    char *fn = header_safe(m->from_name), *tn = header_safe(m->to_name);
    char *subj = header_safe(m->subject);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, fn, m->from_addr);
    for (int i = 0; m->to && m->to[i]; i++)
        g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, i == 0 ? tn : NULL, m->to[i]);
    if (m->reply_to)
        g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, fn, m->reply_to);
    g_mime_message_set_subject(msg, subj, "utf-8");
    char *mid = header_safe(m->message_id);
    g_mime_message_set_message_id(msg, mid);
    g_free(mid);
    if (m->date)
        g_mime_message_set_date(msg, m->date);
    GMimeObject *obj = GMIME_OBJECT(msg);
    if (m->in_reply_to) {
        char *v = bracket(m->in_reply_to);
        g_mime_object_set_header(obj, "In-Reply-To", v, NULL);
        g_free(v);
    }
    if (m->references && m->references[0]) {
        GString *r = g_string_new(NULL);
        for (int i = 0; m->references[i]; i++) {
            char *v = bracket(m->references[i]);
            g_string_append_printf(r, "%s%s", i ? " " : "", v);
            g_free(v);
        }
        g_mime_object_set_header(obj, "References", r->str, NULL);
        g_string_free(r, TRUE);
    }
    g_mime_object_set_header(obj, "Auto-Submitted", "auto-generated", NULL);
    g_mime_object_set_header(obj, "Precedence", "bulk", NULL);
    if (m->language) {
        char *v = header_safe(m->language);
        g_mime_object_set_header(obj, "Content-Language", v, NULL);
        g_free(v);
    }

    GMimeTextPart *text = g_mime_text_part_new_with_subtype("plain");
    g_mime_text_part_set_text(text, m->text);
    g_mime_text_part_set_charset(text, "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(text), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    if (m->html) {
        GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
        GMimeTextPart *html = g_mime_text_part_new_with_subtype("html");
        g_mime_text_part_set_text(html, m->html);
        g_mime_text_part_set_charset(html, "utf-8");
        g_mime_part_set_content_encoding(GMIME_PART(html), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
        g_mime_multipart_add(alt, GMIME_OBJECT(text));
        g_mime_multipart_add(alt, GMIME_OBJECT(html));
        g_object_unref(text);
        g_object_unref(html);
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
        g_object_unref(alt);
    } else {
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(text));
        g_object_unref(text);
    }
    GMimeFormatOptions *fo = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fo, crlf ? GMIME_NEWLINE_FORMAT_DOS
                                                      : GMIME_NEWLINE_FORMAT_UNIX);
    char *out = g_mime_object_to_string(obj, fo);
    g_mime_format_options_free(fo);
    g_object_unref(msg);
    g_free(fn);
    g_free(tn);
    g_free(subj);
    *len = strlen(out);
    return out;
}

struct ArdOutbox {
    char *maildir;      /* NULL for SMTP */
    CURL *curl;
    char *url;
    long timeout;
};

static bool mkdir_p(const char *path, GError **error)
{
    if (g_mkdir_with_parents(path, 0700) != 0) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "%s: %s", path, g_strerror(errno));
        return false;
    }
    return true;
}

ArdOutbox *ard_outbox_maildir(const char *dir, GError **error)
{
    static const char *const sub[] = {"tmp", "new", "cur"};
    for (int i = 0; i < 3; i++) {
        char *p = g_build_filename(dir, sub[i], NULL);
        bool ok = mkdir_p(p, error);
        g_free(p);
        if (!ok)
            return NULL;
    }
    ArdOutbox *o = g_new0(ArdOutbox, 1);
    o->maildir = g_strdup(dir);
    return o;
}

ArdOutbox *ard_outbox_smtp(const char *hostport, long timeout_s, GError **error)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        g_once_init_leave(&once, 1);
    }
    ArdOutbox *o = g_new0(ArdOutbox, 1);
    o->curl = curl_easy_init();
    if (!o->curl) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "cannot start libcurl");
        g_free(o);
        return NULL;
    }
    o->url = g_strdup_printf("smtp://%s", hostport);
    o->timeout = timeout_s;
    return o;
}

void ard_outbox_free(ArdOutbox *o)
{
    if (!o)
        return;
    if (o->curl)
        curl_easy_cleanup(o->curl);
    g_free(o->url);
    g_free(o->maildir);
    g_free(o);
}

bool ard_outbox_crlf(const ArdOutbox *o)
{
    return o->maildir == NULL;
}

bool ard_outbox_is_maildir(const ArdOutbox *o)
{
    return o->maildir != NULL;
}

bool ard_outbox_delivered(ArdOutbox *o, const char *unique)
{
    if (!o->maildir)
        return false;
    char *p = g_build_filename(o->maildir, "new", unique, NULL);
    bool there = g_file_test(p, G_FILE_TEST_EXISTS);
    g_free(p);
    if (!there) {
        /* A mail client may already have moved it to cur/ with flags. */
        char *cur = g_build_filename(o->maildir, "cur", NULL);
        GDir *d = g_dir_open(cur, 0, NULL);
        size_t n = strlen(unique);
        const char *name;
        while (d && !there && (name = g_dir_read_name(d)))
            there = strncmp(name, unique, n) == 0 && (name[n] == ':' || name[n] == '\0');
        if (d)
            g_dir_close(d);
        g_free(cur);
    }
    return there;
}

static bool maildir_send(ArdOutbox *o, const char *unique, const char *data, gsize len,
                         GError **error)
{
    char *tmp = g_build_filename(o->maildir, "tmp", unique, NULL);
    char *dst = g_build_filename(o->maildir, "new", unique, NULL);
    bool ok = false;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto out;
    gsize done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            goto out;
        }
        done += (gsize)w;
    }
    if (fdatasync(fd) != 0) {
        close(fd);
        goto out;
    }
    if (close(fd) != 0 || rename(tmp, dst) != 0)
        goto out;
    ok = true;
out:
    if (!ok) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "%s: %s", tmp, g_strerror(errno));
        unlink(tmp);
    }
    g_free(tmp);
    g_free(dst);
    return ok;
}

bool ard_outbox_stage(ArdOutbox *o, const char *unique, const char *data, gsize len,
                      GError **error)
{
    char *tmp = g_build_filename(o->maildir, "tmp", unique, NULL);
    bool ok = false;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        gsize done = 0;
        while (done < len) {
            ssize_t w = write(fd, data + done, len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            done += (gsize)w;
        }
        ok = close(fd) == 0 && done == len;
    }
    if (!ok) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "%s: %s", tmp, g_strerror(errno));
        unlink(tmp);
    }
    g_free(tmp);
    return ok;
}

static bool sync_dir(const char *dir, bool whole_fs, GError **error)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || (whole_fs ? syncfs(fd) : fsync(fd)) != 0) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "%s: %s", dir, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    close(fd);
    return true;
}

bool ard_outbox_commit(ArdOutbox *o, const char *const *uniques, guint n, GError **error)
{
    char *tmpd = g_build_filename(o->maildir, "tmp", NULL);
    char *newd = g_build_filename(o->maildir, "new", NULL);
    bool ok = sync_dir(tmpd, true, error);
    for (guint i = 0; ok && i < n; i++) {
        char *a = g_build_filename(tmpd, uniques[i], NULL);
        char *b = g_build_filename(newd, uniques[i], NULL);
        if (rename(a, b) != 0) {
            g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "%s: %s", a, g_strerror(errno));
            ok = false;
        }
        g_free(a);
        g_free(b);
    }
    if (ok)
        ok = sync_dir(newd, false, error);
    g_free(tmpd);
    g_free(newd);
    return ok;
}

typedef struct {
    const char *data;
    gsize len, off;
} Upload;

static size_t read_cb(char *buf, size_t size, size_t n, void *user)
{
    Upload *u = user;
    size_t want = size * n, left = u->len - u->off;
    if (want > left)
        want = left;
    memcpy(buf, u->data + u->off, want);
    u->off += want;
    return want;
}

static bool smtp_send(ArdOutbox *o, const char *from, const char *const *rcpts, const char *data,
                      gsize len, bool *maybe_sent, GError **error)
{
    char from_b[512];
    g_snprintf(from_b, sizeof from_b, "<%s>", from);
    struct curl_slist *rl = NULL;
    for (int i = 0; rcpts[i]; i++) {
        char *r = g_strdup_printf("<%s>", rcpts[i]);
        rl = curl_slist_append(rl, r);
        g_free(r);
    }
    Upload u = {data, len, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *c = o->curl;
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_b);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rl);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->timeout);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(rl);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    if (rc == CURLE_OK) {
        *maybe_sent = true;
        return true;
    }
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    /* Once the data went out, only the final reply was missing: the relay
     * may have taken the message, so it must not be sent again. */
    *maybe_sent = u.off > 0 && rc != CURLE_SEND_ERROR && code < 400;
    char reply[32] = "";
    if (code)
        g_snprintf(reply, sizeof reply, " (reply %ld)", code);
    g_set_error(error, ARD_ERROR, ARD_ERROR_FAILED, "SMTP %s: %s%s", o->url,
                errbuf[0] ? errbuf : curl_easy_strerror(rc), reply);
    return false;
}

bool ard_outbox_send(ArdOutbox *o, const char *unique, const char *from,
                     const char *const *rcpts, const char *data, gsize len,
                     bool *maybe_sent, GError **error)
{
    *maybe_sent = false;
    if (o->maildir)
        return maildir_send(o, unique, data, len, error);
    return smtp_send(o, from, rcpts, data, len, maybe_sent, error);
}
