/* Every configuration key ardent knows, its type and its default. A key that
 * is not here is an error in the file; conf/ardent.conf documents each one.
 * Must never hold behaviour: this is data only. */
#include "config.h"

const ArdKeySpec ard_config_keys[] = {
    /* store */
    {"store", "path", ARD_KEY_PATH, "/var/lib/ardent/ardent.db", NULL, 0, 0},
    {"store", "busy_timeout_ms", ARD_KEY_INT, "5000", NULL, 0, 600000},
    {"store", "synchronous", ARD_KEY_ENUM, "normal", "normal|full", 0, 0},

    /* milter */
    {"milter", "socket", ARD_KEY_STRING, "inet:8891@127.0.0.1", NULL, 0, 0},
    {"milter", "receivables", ARD_KEY_EMAIL_LIST, "", NULL, 0, 0},
    {"milter", "collector_domains", ARD_KEY_DOMAIN_LIST, "", NULL, 0, 0},
    {"milter", "on_error", ARD_KEY_ENUM, "accept", "accept|tempfail", 0, 0},
    {"milter", "user", ARD_KEY_STRING, "", NULL, 0, 0},
    {"milter", "pid_file", ARD_KEY_PATH, "", NULL, 0, 0},
    {"milter", "syslog_facility", ARD_KEY_ENUM, "mail",
     "mail|daemon|user|local0|local1|local2|local3|local4|local5|local6|local7", 0, 0},
    {"milter", "max_message_bytes", ARD_KEY_INT, "10485760", NULL, 1024, 1073741824},
    {"milter", "timeout", ARD_KEY_INT, "300", NULL, 1, 86400},
    {"milter", "umask", ARD_KEY_STRING, "007", NULL, 0, 0},

    /* reply: what lib/apply does with a reply */
    {"reply", "paid_hold_days", ARD_KEY_INT, "5", NULL, 0, 90},
    {"reply", "task_due_hours", ARD_KEY_INT, "8", NULL, 1, 720},

    /* agent */
    {"agent", "from", ARD_KEY_EMAIL, "", NULL, 0, 0},
    {"agent", "from_name", ARD_KEY_STRING, "Accounts Receivable", NULL, 0, 0},
    {"agent", "relay", ARD_KEY_HOSTPORT, "127.0.0.1:25", NULL, 0, 0},
    {"agent", "default_owner", ARD_KEY_EMAIL, "", NULL, 0, 0},
    {"agent", "max_data_age_hours", ARD_KEY_INT, "36", NULL, 0, 876000},
    {"agent", "token_secret", ARD_KEY_STRING, "", NULL, 0, 0},
    {"agent", "templates", ARD_KEY_PATH, "templates", NULL, 0, 0},
    {"agent", "portal_url", ARD_KEY_STRING, "", NULL, 0, 0},
    {"agent", "bank_accounts", ARD_KEY_LIST, "", NULL, 0, 0},
    {"agent", "collectors", ARD_KEY_LIST, "", NULL, 0, 0},
    {"agent", "company", ARD_KEY_STRING, "", NULL, 0, 0},
    {"agent", "smtp_timeout", ARD_KEY_INT, "60", NULL, 1, 3600},

    /* policy: per segment (strategic, standard, small) */
    {"policy", "strategic_stages", ARD_KEY_LIST, "3;14;28;45;60", NULL, 0, 0},
    {"policy", "standard_stages", ARD_KEY_LIST, "1;8;15;30;45", NULL, 0, 0},
    {"policy", "small_stages", ARD_KEY_LIST, "1;8;15;22;30", NULL, 0, 0},
    {"policy", "strategic_gap_days", ARD_KEY_INT, "7", NULL, 0, 365},
    {"policy", "standard_gap_days", ARD_KEY_INT, "7", NULL, 0, 365},
    {"policy", "small_gap_days", ARD_KEY_INT, "7", NULL, 0, 365},
    {"policy", "strategic_courtesy", ARD_KEY_BOOL, "true", NULL, 0, 0},
    {"policy", "standard_courtesy", ARD_KEY_BOOL, "false", NULL, 0, 0},
    {"policy", "small_courtesy", ARD_KEY_BOOL, "false", NULL, 0, 0},
    {"policy", "courtesy_days", ARD_KEY_INT, "3", NULL, 0, 60},
    {"policy", "strategic_promise_grace_days", ARD_KEY_INT, "3", NULL, 0, 90},
    {"policy", "standard_promise_grace_days", ARD_KEY_INT, "3", NULL, 0, 90},
    {"policy", "small_promise_grace_days", ARD_KEY_INT, "3", NULL, 0, 90},
    {"policy", "strategic_escalation_due", ARD_KEY_STRING, "24h", NULL, 0, 0},
    {"policy", "standard_escalation_due", ARD_KEY_STRING, "3bd", NULL, 0, 0},
    {"policy", "small_escalation_due", ARD_KEY_STRING, "3bd", NULL, 0, 0},
    {"policy", "strategic_min_balance", ARD_KEY_STRING, "50000.00", NULL, 0, 0},
    {"policy", "strategic_min_billing", ARD_KEY_STRING, "250000.00", NULL, 0, 0},
    {"policy", "small_max_balance", ARD_KEY_STRING, "1000.00", NULL, 0, 0},
    {"policy", "small_max_billing", ARD_KEY_STRING, "10000.00", NULL, 0, 0},
    {"policy", "unanswered_limit", ARD_KEY_INT, "3", NULL, 0, 100},

    /* calendar */
    {"calendar", "business_days", ARD_KEY_LIST, "monday;tuesday;wednesday;thursday;friday", NULL, 0, 0},
    {"calendar", "holidays", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_only", ARD_KEY_BOOL, "true", NULL, 0, 0},
    /* country calendars (lib/policy.c ard_calendar_names); empty: the default's */
    {"calendar", "business_days_de", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_de", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_at", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_at", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_ch", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_ch", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_fr", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_fr", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_be", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_be", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_es", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_es", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_nl", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_nl", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_gb", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_gb", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_ie", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_ie", ARD_KEY_DATE_LIST, "", NULL, 0, 0},
    {"calendar", "business_days_us", ARD_KEY_LIST, "", NULL, 0, 0},
    {"calendar", "holidays_us", ARD_KEY_DATE_LIST, "", NULL, 0, 0},

    /* import */
    {"import", "default_locale", ARD_KEY_ENUM, "en", "en|de|fr|es|nl", 0, 0},

    /* classify */
    {"classify", "models", ARD_KEY_PATH, ARDENT_DATADIR "/models", NULL, 0, 0},
    {"classify", "min_confidence", ARD_KEY_STRING, "0.45", NULL, 0, 0},
    {"classify", "precedence_margin", ARD_KEY_STRING, "0.10", NULL, 0, 0},

    {NULL, NULL, 0, NULL, NULL, 0, 0},
};
