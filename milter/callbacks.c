/* libmilter callbacks: collect a reply for the receivables addresses, run
 * lib/ingest at end-of-message, then mark the message with X-Ardent-*
 * headers and route escalations to their owner. Must never reject or lose a
 * message because of its own failure, never leak per-message data on any
 * path, and never add a recipient outside milter.collector_domains. */
#include "milter.h"
#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

/* What one message needs; freed at eom, abort, close or the next MAIL. */
typedef struct {
    GString *raw;             /* headers and body as received, up to the byte limit */
    bool truncated;
    bool relevant;            /* a recipient is a receivables address */
    GPtrArray *rcpts;         /* char *, lower case, without <> */
    char *sender;
    GPtrArray *forged;        /* char *: X-Ardent-* header names in arrival order */
} Msg;

/* What one SMTP connection needs, apart from its messages. */
typedef struct {
    MilterCtx *ctx;           /* the generation this connection started with */
    Msg *msg;
    unsigned messages;
    unsigned long noreply;    /* SMFIP_NR_* the MTA agreed to: steps it does not wait on */
} Conn;

static gint open_connections;
static GMutex idle_lock;
static GCond idle_cond;

int milter_open_connections(void)
{
    return g_atomic_int_get(&open_connections);
}

void milter_wait_idle(int seconds)
{
    gint64 end = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
    g_mutex_lock(&idle_lock);
    while (g_atomic_int_get(&open_connections) > 0)
        if (!g_cond_wait_until(&idle_cond, &idle_lock, end))
            break;
    g_mutex_unlock(&idle_lock);
}

static void msg_free(Msg *m)
{
    if (!m)
        return;
    g_string_free(m->raw, TRUE);
    g_ptr_array_unref(m->rcpts);
    g_ptr_array_unref(m->forged);
    g_free(m->sender);
    g_free(m);
}

static Conn *conn_of(SMFICTX *ctx)
{
    return smfi_getpriv(ctx);
}

static char *strip_angles(const char *a)
{
    while (*a == '<' || *a == ' ')
        a++;
    size_t n = strcspn(a, ">");
    return g_ascii_strdown(a, (gssize)n);
}

/* The connection's state, made at negotiation (or at connect when the MTA
 * does not negotiate). Without a configuration generation (shutting down)
 * it stays, empty, so that every later step passes the mail untouched. */
static Conn *conn_open(SMFICTX *ctx)
{
    Conn *c = conn_of(ctx);
    if (c)
        return c;
    c = g_new0(Conn, 1);
    if (smfi_setpriv(ctx, c) != MI_SUCCESS) {
        g_free(c);
        return NULL;
    }
    c->ctx = milter_ctx_acquire();
    g_atomic_int_inc(&open_connections);
    return c;
}

/* CONTINUE for a step the MTA may have agreed not to wait on: libmilter
 * must then send nothing, and CONTINUE would be a reply it does not read. */
static sfsistat go_on(const Conn *c, unsigned long nr_bit)
{
    return c && (c->noreply & nr_bit) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* Only reached when the MTA did not agree to skip the connect step. */
static sfsistat on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
    (void)host;
    (void)addr;
    Conn *c = conn_open(ctx);
    return c && c->ctx ? SMFIS_CONTINUE : SMFIS_ACCEPT;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
    Conn *c = conn_of(ctx);
    if (!c || !c->ctx)
        return c && (c->noreply & SMFIP_NR_MAIL) ? SMFIS_NOREPLY : SMFIS_ACCEPT;
    msg_free(c->msg);
    Msg *m = c->msg = g_new0(Msg, 1);
    m->raw = g_string_sized_new(8192);
    m->rcpts = g_ptr_array_new_with_free_func(g_free);
    m->forged = g_ptr_array_new_with_free_func(g_free);
    m->sender = argv && argv[0] ? strip_angles(argv[0]) : NULL;
    return go_on(c, SMFIP_NR_MAIL);
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv)
{
    Conn *c = conn_of(ctx);
    if (!c || !c->msg || !argv || !argv[0])
        return go_on(c, SMFIP_NR_RCPT);
    char *r = strip_angles(argv[0]);
    if (ard_match_receivable(r, ard_ingest_receivables(c->ctx->ingest), NULL))
        c->msg->relevant = true;
    g_ptr_array_add(c->msg->rcpts, r);
    return go_on(c, SMFIP_NR_RCPT);
}

/* All recipients are known and no header has been read: mail for anyone
 * else is accepted untouched here. */
static sfsistat on_data(SMFICTX *ctx)
{
    Conn *c = conn_of(ctx);
    if (!c || !c->msg)
        return SMFIS_ACCEPT;
    if (!c->msg->relevant) {
        msg_free(c->msg);
        c->msg = NULL;
        return SMFIS_ACCEPT;
    }
    return SMFIS_CONTINUE;
}

static void append(Msg *m, size_t max, const char *data, size_t len)
{
    if (m->raw->len >= max) {
        m->truncated = true;
        return;
    }
    if (len > max - m->raw->len) {
        len = max - m->raw->len;
        m->truncated = true;
    }
    g_string_append_len(m->raw, data, (gssize)len);
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
    Conn *c = conn_of(ctx);
    if (!c || !c->msg)
        return go_on(c, SMFIP_NR_HDR);
    if (g_ascii_strncasecmp(name, "X-Ardent-", 9) == 0) {
        g_ptr_array_add(c->msg->forged, g_strdup(name));
        return go_on(c, SMFIP_NR_HDR);  /* never read: it is removed */
    }
    size_t max = c->ctx->max_bytes;
    append(c->msg, max, name, strlen(name));
    append(c->msg, max, ": ", 2);
    append(c->msg, max, value, strlen(value));
    append(c->msg, max, "\r\n", 2);
    return go_on(c, SMFIP_NR_HDR);
}

static sfsistat on_eoh(SMFICTX *ctx)
{
    Conn *c = conn_of(ctx);
    if (c && c->msg)
        append(c->msg, c->ctx->max_bytes, "\r\n", 2);
    return go_on(c, SMFIP_NR_EOH);
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    Conn *c = conn_of(ctx);
    if (!c || !c->msg)
        return go_on(c, SMFIP_NR_BODY);
    append(c->msg, c->ctx->max_bytes, (const char *)chunk, len);
    /* Past the limit the rest is not needed (the MTA still delivers it):
     * an MTA that waits on each chunk is told to skip the rest; one that
     * does not wait sends it on and append drops it. */
    if (c->noreply & SMFIP_NR_BODY)
        return SMFIS_NOREPLY;
    return c->msg->truncated ? SMFIS_SKIP : SMFIS_CONTINUE;
}

/* A header value from untrusted bytes: printable ASCII kept, anything else
 * (controls, CR, LF, 8-bit) replaced, so no header can be split or forged. */
static void clean(GString *out, const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; p && *p; p++)
        g_string_append_c(out, (*p >= 0x20 && *p < 0x7f) ? (char)*p : '?');
}

/* Folds "a, b, c" at item boundaries with \n\t so every line stays well
 * under 2,048 bytes (and under 78 where items allow). */
static char *fold_list(GPtrArray *items, size_t name_len)
{
    GString *out = g_string_new(NULL);
    size_t line = name_len + 2;
    for (guint i = 0; i < items->len; i++) {
        GString *item = g_string_new(NULL);
        clean(item, items->pdata[i]);
        if (item->len > 900)
            g_string_truncate(item, 900);
        if (i > 0) {
            g_string_append_c(out, ',');
            line++;
            if (line + 1 + item->len > 76) {
                g_string_append(out, "\n\t");
                line = 1;
            } else {
                g_string_append_c(out, ' ');
                line++;
            }
        }
        g_string_append_len(out, item->str, (gssize)item->len);
        line += item->len;
        g_string_free(item, TRUE);
    }
    return g_string_free(out, FALSE);
}

static void remove_forged(SMFICTX *ctx, Msg *m)
{
    /* Highest index first, so that earlier indexes stay valid. */
    for (guint i = m->forged->len; i-- > 0;) {
        const char *name = m->forged->pdata[i];
        int idx = 0;
        for (guint k = 0; k <= i; k++)
            if (g_ascii_strcasecmp(m->forged->pdata[k], name) == 0)
                idx++;
        smfi_chgheader(ctx, (char *)name, idx, NULL);
    }
}

static void add_headers(SMFICTX *ctx, const ArdIngestResult *r)
{
    char *v = g_strdup_printf("%s; confidence=%.2f", r->intent, r->intent_confidence);
    smfi_addheader(ctx, "X-Ardent-Intent", v);
    g_free(v);
    smfi_addheader(ctx, "X-Ardent-Sentiment", r->sentiment);
    GString *cust = g_string_new(NULL);
    clean(cust, r->customer ? r->customer : "unknown");
    if (cust->len > 200)
        g_string_truncate(cust, 200);
    smfi_addheader(ctx, "X-Ardent-Customer", cust->str);
    g_string_free(cust, TRUE);
    smfi_addheader(ctx, "X-Ardent-Match", (char *)ard_match_kind_name(r->match));
    if (r->actions->len) {
        char *a = fold_list(r->actions, strlen("X-Ardent-Actions"));
        smfi_addheader(ctx, "X-Ardent-Actions", a);
        g_free(a);
    }
}

static sfsistat on_eom(SMFICTX *ctx)
{
    Conn *c = conn_of(ctx);
    if (!c || !c->msg)
        return SMFIS_CONTINUE;
    Msg *m = c->msg;
    c->msg = NULL;
    c->messages++;
    gint64 t0 = g_get_monotonic_time();
    const char *qid = smfi_getsymval(ctx, "i");
    if (!qid)
        qid = "NOQUEUE";
    remove_forged(ctx, m);

    GError *err = NULL;
    ArdStore *s = milter_ctx_store(c->ctx, &err);
    ArdIngestResult r = {0};
    bool ok = false;
    if (s) {
        g_ptr_array_add(m->rcpts, NULL);
        ArdIngestOpts o = {.recipients = (const char *const *)m->rcpts->pdata,
                           .envelope_sender = m->sender, .today = milter_today};
        ok = ard_ingest(c->ctx->ingest, s, m->raw->str, m->raw->len, &o, &r, &err);
        milter_ctx_store_put(c->ctx, s);
    }
    sfsistat rc = SMFIS_CONTINUE;
    long ms = (long)((g_get_monotonic_time() - t0) / 1000);
    if (ok) {
        add_headers(ctx, &r);
        if (r.route && smfi_addrcpt(ctx, r.route) != MI_SUCCESS)
            milter_log(LOG_WARNING, "%s: could not add recipient %s", qid, r.route);
        g_ptr_array_add(r.actions, NULL);
        char *acts = g_strjoinv(",", (char **)r.actions->pdata);
        milter_log(LOG_INFO, "%s: customer=%s match=%s intent=%s confidence=%.2f actions=%s%s ms=%ld",
                   qid, r.customer ? r.customer : "unknown", ard_match_kind_name(r.match),
                   r.intent, r.intent_confidence, *acts ? acts : "none",
                   m->truncated ? " truncated=yes" : "", ms);
        g_free(acts);
        ard_ingest_result_clear(&r);
    } else {
        rc = c->ctx->on_error;
        milter_log(LOG_ERR, "%s: %s; message %s unchanged ms=%ld", qid,
                   err ? err->message : "failed",
                   rc == SMFIS_TEMPFAIL ? "deferred" : "accepted", ms);
        g_clear_error(&err);
    }
    msg_free(m);
    return rc;
}

static sfsistat on_abort(SMFICTX *ctx)
{
    Conn *c = conn_of(ctx);
    if (c) {
        msg_free(c->msg);
        c->msg = NULL;
    }
    return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx)
{
    Conn *c = conn_of(ctx);
    if (!c)
        return SMFIS_CONTINUE;  /* a probe that connected and left */
    smfi_setpriv(ctx, NULL);
    msg_free(c->msg);
    milter_ctx_release(c->ctx);
    g_free(c);
    if (g_atomic_int_dec_and_test(&open_connections)) {
        g_mutex_lock(&idle_lock);
        g_cond_broadcast(&idle_cond);
        g_mutex_unlock(&idle_lock);
    }
    return SMFIS_CONTINUE;
}

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                             unsigned long f2, unsigned long f3, unsigned long *pf0,
                             unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
    (void)f2;
    (void)f3;
    const unsigned long need = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT;
    if ((f0 & need) != need)
        return SMFIS_REJECT;  /* libmilter then goes on without this filter's changes */
    Conn *c = conn_open(ctx);
    if (!c)
        return SMFIS_REJECT;
    *pf0 = need;
    /* Steps we never use are switched off (the connection's state is made
     * here, so connect is not needed either); SKIP serves an MTA that waits
     * on body chunks. Each step that always goes on is asked for without a
     * reply, so a reply costs two round trips: DATA, where mail for anyone
     * else is accepted before its headers are sent, and end-of-message.
     * DATA keeps its reply for a second reason: it is the last step the
     * SMTP server sends before the cleanup server sends the headers, and
     * on TCP a step without a reply there leaves the MTA's next write
     * waiting on a delayed ACK (Nagle's algorithm on its side), some 40 ms
     * per message. */
    unsigned long off = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_SKIP;
    if (c->ctx)
        off |= SMFIP_NOCONNECT;
    const unsigned long nr =
        SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;
    c->noreply = f1 & nr;
    *pf1 = (f1 & off) | c->noreply;
    *pf2 = 0;
    *pf3 = 0;
    return SMFIS_CONTINUE;
}

struct smfiDesc milter_desc = {
    .xxfi_name = "ardent",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT,
    .xxfi_connect = on_connect,
    .xxfi_envfrom = on_envfrom,
    .xxfi_envrcpt = on_envrcpt,
    .xxfi_header = on_header,
    .xxfi_eoh = on_eoh,
    .xxfi_body = on_body,
    .xxfi_eom = on_eom,
    .xxfi_abort = on_abort,
    .xxfi_close = on_close,
    .xxfi_data = on_data,
    .xxfi_negotiate = on_negotiate,
};
