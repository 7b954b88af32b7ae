/* The agent's own pieces: composing a customer's message from the decision
 * and the templates, and the commands. */
#ifndef ARDENT_AGENT_H
#define ARDENT_AGENT_H
#include "cli.h"
#include "policy.h"
#include "store_dunning.h"

typedef struct AgentTemplates AgentTemplates;

/* Loads DIR/message.txt, DIR/message.html and DIR/LOCALE/message.ini for
 * every locale found. */
AgentTemplates *agent_templates_load(const char *dir, GError **error);
void agent_templates_free(AgentTemplates *t);

typedef struct {
    char *subject, *text, *html;
} AgentLetter;

/* The message for this decision (decision->action == send). */
bool agent_compose(AgentTemplates *t, const ArdConfig *cfg, const ArdDunningCustomer *c,
                   const ArdDecision *d, ArdDay today, AgentLetter *out, GError **error);
void agent_letter_clear(AgentLetter *l);

/* The collector's name for an address: agent.collectors, else made from the
 * address ("jane.doe@x" -> "Jane Doe"). g_free it. */
char *agent_owner_name(const ArdConfig *cfg, const char *email);
/* Amount and date as the locale writes them. */
char *agent_money(int64_t minor, const char *currency, const char *locale);
char *agent_date(ArdDay d, const char *locale);

int agent_report(ArdCli *cli, const char *format);
int agent_digest(ArdCli *cli, const char *maildir);

#endif
