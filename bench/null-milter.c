/* The floor under any milter, for `make bench`: a libmilter filter that
 * asks for every message (envelope, headers, body) as ardent-milter does,
 * keeps nothing, and adds one header at end-of-message. What Postfix loses
 * with it attached is the cost of the milter protocol itself, which no
 * filter can go below.
 * It negotiates as ardent-milter does (no connect step, no reply to MAIL,
 * recipients, headers, end-of-headers or body chunks; DATA and
 * end-of-message answered) so that the two differ only in the work done.
 *   null-milter unix:/path | inet:PORT@127.0.0.1 */
#include <libmilter/mfapi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The SMFIP_NR_* steps the MTA agreed to, per connection. */
static unsigned long noreply(SMFICTX *ctx)
{
    return (unsigned long)(uintptr_t)smfi_getpriv(ctx);
}

static sfsistat go_on(SMFICTX *ctx, unsigned long bit)
{
    return noreply(ctx) & bit ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
    (void)argv;
    return go_on(ctx, SMFIP_NR_MAIL);
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv)
{
    (void)argv;
    return go_on(ctx, SMFIP_NR_RCPT);
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
    (void)name, (void)value;
    return go_on(ctx, SMFIP_NR_HDR);
}

static sfsistat on_data(SMFICTX *ctx)
{
    (void)ctx;
    return SMFIS_CONTINUE;
}

static sfsistat on_eoh(SMFICTX *ctx)
{
    return go_on(ctx, SMFIP_NR_EOH);
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    (void)chunk, (void)len;
    return go_on(ctx, SMFIP_NR_BODY);
}

static sfsistat on_eom(SMFICTX *ctx)
{
    smfi_addheader(ctx, "X-Bench-Null", "seen");
    return SMFIS_CONTINUE;
}

/* The same negotiation as ardent-milter: header changes and recipients
 * asked for; connect, HELO and unknown commands switched off; no reply to
 * MAIL, recipients, headers, end-of-headers and body chunks. */
static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                             unsigned long f2, unsigned long f3, unsigned long *pf0,
                             unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
    (void)f2, (void)f3;
    const unsigned long need = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT;
    if ((f0 & need) != need)
        return SMFIS_REJECT;
    *pf0 = need;
    unsigned long nr = f1 & (SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH |
                             SMFIP_NR_BODY);
    smfi_setpriv(ctx, (void *)(uintptr_t)nr);
    const unsigned long off = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_SKIP;
    *pf1 = (f1 & off) | nr;
    *pf2 = 0;
    *pf3 = 0;
    return SMFIS_CONTINUE;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s unix:/path | inet:PORT@127.0.0.1\n", argv[0]);
        return 2;
    }
    struct smfiDesc desc;
    memset(&desc, 0, sizeof desc);
    desc.xxfi_name = "bench-null";
    desc.xxfi_version = SMFI_VERSION;
    desc.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT;
    desc.xxfi_envfrom = on_envfrom;
    desc.xxfi_envrcpt = on_envrcpt;
    desc.xxfi_data = on_data;
    desc.xxfi_header = on_header;
    desc.xxfi_eoh = on_eoh;
    desc.xxfi_body = on_body;
    desc.xxfi_eom = on_eom;
    desc.xxfi_negotiate = on_negotiate;
    if (smfi_setconn(argv[1]) == MI_FAILURE || smfi_register(desc) == MI_FAILURE) {
        fprintf(stderr, "%s: cannot listen on %s\n", argv[0], argv[1]);
        return 1;
    }
    return smfi_main() == MI_SUCCESS ? 0 : 1;
}
