/* ardent-milter's parts: the reloadable context (context.c), the libmilter
 * callbacks (callbacks.c) and the daemon plumbing (daemon.c). */
#ifndef ARDENT_MILTER_H
#define ARDENT_MILTER_H
#include "config.h"
#include "ingest.h"
#include "store.h"
#include <libmilter/mfapi.h>

/* One generation of configuration and models. Connections hold a reference
 * from connect to close; a reload makes a new one for later connections and
 * the old one is freed when its last connection closes. */
typedef struct {
    gint refs;
    unsigned generation;
    ArdConfig *cfg;
    ArdIngestCtx *ingest;
    sfsistat on_error;          /* SMFIS_ACCEPT or SMFIS_TEMPFAIL */
    size_t max_bytes;
    GMutex pool_lock;
    GPtrArray *pool;            /* idle ArdStore *: one per concurrent message at most */
} MilterCtx;

/* Is sock a socket as libmilter spells it, with something after the kind? */
bool milter_socket_valid(const char *sock);
#define MILTER_SOCKET_FORMS "expected inet:PORT@HOST or unix:/path"
/* Loads a configuration and its models; every value is checked here. */
MilterCtx *milter_ctx_load(const char *path, const char *const *overrides, GError **error);
/* The current generation, with a reference the caller releases. */
MilterCtx *milter_ctx_acquire(void);
void milter_ctx_release(MilterCtx *c);
/* Makes c the current generation (takes the caller's reference). */
void milter_ctx_install(MilterCtx *c);
/* Drops the current generation at exit. */
void milter_ctx_shutdown(void);

/* A store connection for one message; put it back when done. */
ArdStore *milter_ctx_store(MilterCtx *c, GError **error);
void milter_ctx_store_put(MilterCtx *c, ArdStore *s);

extern struct smfiDesc milter_desc;
/* --date: the day replies are applied as (demos and tests replay simulated
 * days); ARD_DAY_NONE, the default, means the real date of each message. */
extern ArdDay milter_today;
/* Connections open right now (to let SIGTERM finish those in flight). */
int milter_open_connections(void);
void milter_wait_idle(int seconds);
/* Logging: syslog, and stderr too in the foreground. */
void milter_log(int prio, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif
