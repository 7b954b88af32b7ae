/* The milter's reloadable context: configuration, models and store pool,
 * reference-counted so that SIGUSR1 never pulls them from under a
 * connection. Must never block a connection on a reload. */
#include "milter.h"
#include "error.h"
#include <stdlib.h>
#include <string.h>

static GMutex current_lock;
static MilterCtx *current;
static unsigned generations;

bool milter_socket_valid(const char *sock)
{
    static const char *const kinds[] = {"inet:", "inet6:", "unix:", "local:"};
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
        if (g_str_has_prefix(sock, kinds[i]))
            return sock[strlen(kinds[i])] != '\0';
    return false;
}

MilterCtx *milter_ctx_load(const char *path, const char *const *overrides, GError **error)
{
    ArdConfig *cfg = ard_config_load(path, overrides, error);
    if (!cfg)
        return NULL;
    const char *sock = ard_config_string(cfg, "milter", "socket");
    if (!milter_socket_valid(sock)) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT,
                    "milter.socket: " MILTER_SOCKET_FORMS ", not \"%s\"", sock);
        ard_config_free(cfg);
        return NULL;
    }
    const char *um = ard_config_string(cfg, "milter", "umask");
    char *end = NULL;
    long v = strtol(um, &end, 8);
    if (!*um || *end || v < 0 || v > 0777) {
        g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "milter.umask: expected octal, not \"%s\"", um);
        ard_config_free(cfg);
        return NULL;
    }
    ArdIngestCtx *ing = ard_ingest_ctx_new(cfg, error);
    if (!ing) {
        ard_config_free(cfg);
        return NULL;
    }
    MilterCtx *c = g_new0(MilterCtx, 1);
    c->refs = 1;
    c->cfg = cfg;
    c->ingest = ing;
    c->on_error = strcmp(ard_config_string(cfg, "milter", "on_error"), "tempfail") == 0
                  ? SMFIS_TEMPFAIL : SMFIS_ACCEPT;
    c->max_bytes = (size_t)ard_config_int(cfg, "milter", "max_message_bytes");
    g_mutex_init(&c->pool_lock);
    c->pool = g_ptr_array_new();
    return c;
}

static void ctx_free(MilterCtx *c)
{
    for (guint i = 0; i < c->pool->len; i++)
        ard_store_close(c->pool->pdata[i]);
    g_ptr_array_unref(c->pool);
    g_mutex_clear(&c->pool_lock);
    ard_ingest_ctx_free(c->ingest);
    ard_config_free(c->cfg);
    g_free(c);
}

MilterCtx *milter_ctx_acquire(void)
{
    g_mutex_lock(&current_lock);
    MilterCtx *c = current;
    if (c)
        g_atomic_int_inc(&c->refs);
    g_mutex_unlock(&current_lock);
    return c;
}

void milter_ctx_release(MilterCtx *c)
{
    if (c && g_atomic_int_dec_and_test(&c->refs))
        ctx_free(c);
}

void milter_ctx_install(MilterCtx *c)
{
    g_mutex_lock(&current_lock);
    MilterCtx *old = current;
    c->generation = ++generations;
    current = c;
    g_mutex_unlock(&current_lock);
    milter_ctx_release(old);
}

void milter_ctx_shutdown(void)
{
    g_mutex_lock(&current_lock);
    MilterCtx *old = current;
    current = NULL;
    g_mutex_unlock(&current_lock);
    milter_ctx_release(old);
}

ArdStore *milter_ctx_store(MilterCtx *c, GError **error)
{
    g_mutex_lock(&c->pool_lock);
    ArdStore *s = c->pool->len ? g_ptr_array_steal_index_fast(c->pool, c->pool->len - 1) : NULL;
    g_mutex_unlock(&c->pool_lock);
    return s ? s : ard_store_open_config(c->cfg, error);
}

void milter_ctx_store_put(MilterCtx *c, ArdStore *s)
{
    if (!s)
        return;
    g_mutex_lock(&c->pool_lock);
    g_ptr_array_add(c->pool, s);
    g_mutex_unlock(&c->pool_lock);
}
