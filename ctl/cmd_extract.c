/* ardentctl extract: what the reply reader makes of raw messages, one JSON
 * line per file, for debugging and corpus runs. Must never touch the store. */
#include "ctl.h"
#include "autoreply.h"
#include "message.h"
#include "reply.h"
#include <stdio.h>

int ctl_extract(ArdCli *cli)
{
    if (cli->argc < 2)
        return ard_cli_usage(cli, "extract needs at least one FILE.eml (- for stdin)");
    long long max = ard_config_int(cli->cfg, "milter", "max_message_bytes");
    int rc = 0;
    for (int i = 1; i < cli->argc; i++) {
        GError *err = NULL;
        gsize len = 0;
        char *data = ctl_read_input(cli->argv[i], &len, &err);
        if (data == NULL) {
            fprintf(stderr, "%s: %s\n", cli->prog, err->message);
            g_error_free(err);
            rc = 2;
            continue;
        }
        ArdMessage *m = ard_message_parse(data, len, max > 0 ? (size_t)max : 0);
        g_free(data);
        char *text = ard_reply_text(m);
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "file", cli->argv[i]);
        json_object_set_string_member(o, "kind", ard_mail_kind_name(ard_autoreply_kind(m, text, NULL)));
        json_object_set_string_member(o, "text", text);
        JsonArray *att = json_array_new();
        for (guint k = 0; k < m->attachments->len; k++)
            json_array_add_string_element(att, g_ptr_array_index(m->attachments, k));
        json_object_set_array_member(o, "attachments", att);
        json_object_set_boolean_member(o, "truncated", m->truncated);
        json_object_set_string_member(o, "subject", m->subject);
        if (m->from_addr)
            json_object_set_string_member(o, "from", m->from_addr);
        else
            json_object_set_null_member(o, "from");
        ctl_print_json(o);
        json_object_unref(o);
        g_free(text);
        ard_message_free(m);
    }
    return rc;
}
