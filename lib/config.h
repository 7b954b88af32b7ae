/* ardent's configuration: one INI file read with GKeyFile, every key known
 * and validated, `-o group.key=value` overrides applied on top. */
#ifndef ARDENT_CONFIG_H
#define ARDENT_CONFIG_H
#include <glib.h>
#include <stdbool.h>

typedef enum {
    ARD_KEY_STRING,
    ARD_KEY_INT,        /* min..max in the schema */
    ARD_KEY_BOOL,
    ARD_KEY_PATH,       /* relative paths resolve against the file's folder */
    ARD_KEY_ENUM,       /* one of the '|'-separated choices */
    ARD_KEY_EMAIL,      /* one address, or empty */
    ARD_KEY_EMAIL_LIST, /* ';'-separated addresses */
    ARD_KEY_DOMAIN_LIST,/* ';'-separated domain names */
    ARD_KEY_LIST,       /* ';'-separated strings */
    ARD_KEY_HOSTPORT,   /* host:port */
    ARD_KEY_WEEKDAY,    /* monday..sunday */
    ARD_KEY_DATE_LIST,  /* ';'-separated YYYY-MM-DD */
} ArdKeyType;

typedef struct {
    const char *group;
    const char *key;
    ArdKeyType type;
    const char *def;      /* default as it would be written in the file */
    const char *choices;  /* ARD_KEY_ENUM: "accept|tempfail" */
    long long min, max;   /* ARD_KEY_INT */
} ArdKeySpec;

/* The table of every known key, ended by a NULL group (config_keys.c). */
extern const ArdKeySpec ard_config_keys[];

typedef struct ArdConfig ArdConfig;

/* Loads path (NULL: built-in defaults only) and applies overrides
 * ("group.key=value", NULL-terminated; may be NULL). Errors name the file,
 * the group and the key (ARD_ERROR_INPUT). */
ArdConfig *ard_config_load(const char *path, const char *const *overrides,
                           GError **error);
void ard_config_free(ArdConfig *cfg);
/* Sets one value as an override would (validated). */
bool ard_config_set(ArdConfig *cfg, const char *group, const char *key,
                    const char *value, GError **error);

/* The file read, or NULL. */
const char *ard_config_file(const ArdConfig *cfg);
/* Getters return the configured value or the schema's default. Asking for a
 * key that is not in the schema is a programming error (g_error). */
const char *ard_config_string(const ArdConfig *cfg, const char *group, const char *key);
long long ard_config_int(const ArdConfig *cfg, const char *group, const char *key);
bool ard_config_bool(const ArdConfig *cfg, const char *group, const char *key);
/* Absolute path (owned by cfg), or "" when unset. */
const char *ard_config_path(const ArdConfig *cfg, const char *group, const char *key);
/* Whether name ("group.key") is a key ard_config_path reads: its relative
 * values are resolved against a folder. */
bool ard_config_is_path_key(const char *name);
/* NULL-terminated list owned by cfg; empty items dropped. */
char *const *ard_config_list(const ArdConfig *cfg, const char *group, const char *key);
/* 1 = monday ... 7 = sunday. */
int ard_config_weekday(const ArdConfig *cfg, const char *group, const char *key);

#endif
