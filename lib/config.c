/* Loading and validating ardent's INI configuration with GKeyFile.
 * Every value is checked when the file is read, so a typo fails at start and
 * never at run time. Must never accept a key the schema does not know. */
#include "config.h"
#include "date.h"
#include "email.h"
#include "error.h"
#include <string.h>

struct ArdConfig {
    char *file;          /* absolute path of the file read, or NULL */
    char *dir;           /* its folder, for relative paths */
    GHashTable *values;  /* "group.key" -> value as written (file, then -o) */
    GHashTable *paths;   /* "group.key" -> resolved absolute path */
    GHashTable *lists;   /* "group.key" -> char ** */
    GHashTable *cwd_keys;/* "group.key" set by an override: resolve vs cwd */
};

static const char *const weekdays[] = {"monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", NULL};

static const ArdKeySpec *find_spec(const char *group, const char *key)
{
    for (const ArdKeySpec *s = ard_config_keys; s->group; s++)
        if (strcmp(s->group, group) == 0 && strcmp(s->key, key) == 0)
            return s;
    return NULL;
}

static bool group_known(const char *group)
{
    for (const ArdKeySpec *s = ard_config_keys; s->group; s++)
        if (strcmp(s->group, group) == 0)
            return true;
    return false;
}

static char **split_list(const char *v)
{
    char **parts = g_strsplit(v, ";", -1);
    GPtrArray *out = g_ptr_array_new();
    for (char **p = parts; *p; p++) {
        char *t = g_strstrip(g_strdup(*p));
        if (*t)
            g_ptr_array_add(out, t);
        else
            g_free(t);
    }
    g_strfreev(parts);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static bool valid_domain(const char *d)
{
    char *probe = g_strconcat("x@", d, NULL);
    bool ok = ard_email_valid(probe);
    g_free(probe);
    return ok;
}

/* Checks one value against its spec; on failure returns a reason. */
static const char *check_value(const ArdKeySpec *s, const char *v)
{
    switch (s->type) {
    case ARD_KEY_STRING:
    case ARD_KEY_PATH:
        if (strpbrk(v, "\r\n"))
            return "line breaks are not allowed";
        return NULL;
    case ARD_KEY_INT: {
        char *end;
        if (*v == '\0')
            return "expected a whole number";
        long long n = g_ascii_strtoll(v, &end, 10);
        if (*end != '\0')
            return "expected a whole number";
        if (n < s->min || n > s->max)
            return "out of range";
        return NULL;
    }
    case ARD_KEY_BOOL:
        if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "yes") &&
            strcmp(v, "no") && strcmp(v, "1") && strcmp(v, "0"))
            return "expected true or false";
        return NULL;
    case ARD_KEY_ENUM: {
        char **choices = g_strsplit(s->choices, "|", -1);
        bool found = g_strv_contains((const char *const *)choices, v);
        g_strfreev(choices);
        return found ? NULL : "not one of the allowed values";
    }
    case ARD_KEY_EMAIL:
        if (*v && !ard_email_valid(v))
            return "not an e-mail address";
        return NULL;
    case ARD_KEY_EMAIL_LIST:
    case ARD_KEY_DOMAIN_LIST:
    case ARD_KEY_DATE_LIST: {
        char **items = split_list(v);
        const char *why = NULL;
        for (char **p = items; *p && !why; p++) {
            ArdDay d;
            if (s->type == ARD_KEY_EMAIL_LIST && !ard_email_valid(*p))
                why = "an item is not an e-mail address";
            else if (s->type == ARD_KEY_DOMAIN_LIST && !valid_domain(*p))
                why = "an item is not a domain name";
            else if (s->type == ARD_KEY_DATE_LIST && !ard_day_parse(*p, &d))
                why = "an item is not a YYYY-MM-DD date";
        }
        g_strfreev(items);
        return why;
    }
    case ARD_KEY_LIST:
        return NULL;
    case ARD_KEY_HOSTPORT: {
        const char *colon = strrchr(v, ':');
        if (colon == NULL || colon == v)
            return "expected host:port";
        char *end;
        long long port = g_ascii_strtoll(colon + 1, &end, 10);
        if (*end != '\0' || port < 1 || port > 65535)
            return "expected host:port with a port from 1 to 65535";
        return NULL;
    }
    case ARD_KEY_WEEKDAY: {
        char *lower = g_ascii_strdown(v, -1);
        bool ok = g_strv_contains(weekdays, lower);
        g_free(lower);
        return ok ? NULL : "expected a weekday name (monday..sunday)";
    }
    }
    return "unknown key type";
}

static void input_error(GError **error, const char *where, const char *group,
                        const char *key, const char *why)
{
    g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "%s: [%s] %s: %s", where,
                group, key, why);
}

static void forget_derived(ArdConfig *cfg, const char *group, const char *key)
{
    char *name = g_strconcat(group, ".", key, NULL);
    g_hash_table_remove(cfg->paths, name);
    g_hash_table_remove(cfg->lists, name);
    g_free(name);
}

static bool set_value(ArdConfig *cfg, const char *where, const char *group,
                      const char *key, const char *value, GError **error)
{
    const ArdKeySpec *s = find_spec(group, key);
    if (s == NULL) {
        input_error(error, where, group, key,
                    group_known(group) ? "unknown key" : "unknown group");
        return false;
    }
    const char *why = check_value(s, value);
    if (why) {
        char *msg = g_strdup_printf("%s (got \"%s\")", why, value);
        input_error(error, where, group, key, msg);
        g_free(msg);
        return false;
    }
    forget_derived(cfg, group, key);
    g_hash_table_replace(cfg->values, g_strconcat(group, ".", key, NULL),
                         g_strdup(value));
    return true;
}

ArdConfig *ard_config_load(const char *path, const char *const *overrides,
                           GError **error)
{
    ArdConfig *cfg = g_new0(ArdConfig, 1);
    cfg->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    cfg->paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    cfg->lists = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)g_strfreev);
    cfg->cwd_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    if (path) {
        char *abs = g_canonicalize_filename(path, NULL);
        GKeyFile *file = g_key_file_new();
        GError *e = NULL;
        cfg->file = abs;
        cfg->dir = g_path_get_dirname(abs);
        if (!g_key_file_load_from_file(file, abs, G_KEY_FILE_NONE, &e)) {
            g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT, "%s: %s", path, e->message);
            g_error_free(e);
            g_key_file_free(file);
            ard_config_free(cfg);
            return NULL;
        }
        char **groups = g_key_file_get_groups(file, NULL);
        for (char **g = groups; *g; g++) {
            char **keys = g_key_file_get_keys(file, *g, NULL, NULL);
            for (char **k = keys; keys && *k; k++) {
                char *v = g_key_file_get_value(file, *g, *k, NULL);
                char *stripped = g_strstrip(v ? v : g_strdup(""));
                bool ok = set_value(cfg, path, *g, *k, stripped, error);
                g_free(stripped);
                if (!ok) {
                    g_strfreev(keys);
                    g_strfreev(groups);
                    g_key_file_free(file);
                    ard_config_free(cfg);
                    return NULL;
                }
            }
            if (keys == NULL && !group_known(*g)) {
                g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT,
                            "%s: [%s]: unknown group", path, *g);
                g_strfreev(groups);
                g_key_file_free(file);
                ard_config_free(cfg);
                return NULL;
            }
            g_strfreev(keys);
        }
        g_strfreev(groups);
        g_key_file_free(file);
    }

    for (const char *const *o = overrides; o && *o; o++) {
        const char *eq = strchr(*o, '=');
        const char *dot = eq ? memchr(*o, '.', (size_t)(eq - *o)) : NULL;
        if (eq == NULL || dot == NULL || dot == *o || dot + 1 == eq) {
            g_set_error(error, ARD_ERROR, ARD_ERROR_INPUT,
                        "-o %s: expected GROUP.KEY=VALUE", *o);
            ard_config_free(cfg);
            return NULL;
        }
        char *group = g_strndup(*o, (size_t)(dot - *o));
        char *key = g_strndup(dot + 1, (size_t)(eq - dot - 1));
        bool ok = ard_config_set(cfg, group, key, eq + 1, error);
        g_free(group);
        g_free(key);
        if (!ok) {
            ard_config_free(cfg);
            return NULL;
        }
    }
    return cfg;
}

bool ard_config_set(ArdConfig *cfg, const char *group, const char *key,
                    const char *value, GError **error)
{
    if (!set_value(cfg, "-o", group, key, value, error))
        return false;
    g_hash_table_add(cfg->cwd_keys, g_strconcat(group, ".", key, NULL));
    return true;
}

void ard_config_free(ArdConfig *cfg)
{
    if (cfg == NULL)
        return;
    g_free(cfg->file);
    g_free(cfg->dir);
    g_hash_table_destroy(cfg->values);
    g_hash_table_destroy(cfg->paths);
    g_hash_table_destroy(cfg->lists);
    g_hash_table_destroy(cfg->cwd_keys);
    g_free(cfg);
}

const char *ard_config_file(const ArdConfig *cfg)
{
    return cfg->file;
}

static const ArdKeySpec *spec_or_die(const char *group, const char *key)
{
    const ArdKeySpec *s = find_spec(group, key);
    if (s == NULL)
        g_error("configuration key [%s] %s is not in the schema", group, key);
    return s;
}

const char *ard_config_string(const ArdConfig *cfg, const char *group, const char *key)
{
    const ArdKeySpec *s = spec_or_die(group, key);
    char *name = g_strconcat(group, ".", key, NULL);
    const char *v = g_hash_table_lookup(cfg->values, name);
    g_free(name);
    return v ? v : s->def;
}

long long ard_config_int(const ArdConfig *cfg, const char *group, const char *key)
{
    return g_ascii_strtoll(ard_config_string(cfg, group, key), NULL, 10);
}

bool ard_config_bool(const ArdConfig *cfg, const char *group, const char *key)
{
    const char *v = ard_config_string(cfg, group, key);
    return strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0;
}

const char *ard_config_path(const ArdConfig *cfg, const char *group, const char *key)
{
    char *name = g_strconcat(group, ".", key, NULL);
    const char *hit = g_hash_table_lookup(cfg->paths, name);
    if (hit) {
        g_free(name);
        return hit;
    }
    const char *v = ard_config_string(cfg, group, key);
    char *abs;
    if (*v == '\0')
        abs = g_strdup("");
    else if (g_hash_table_contains(cfg->cwd_keys, name) || cfg->dir == NULL)
        abs = g_canonicalize_filename(v, NULL);
    else
        abs = g_canonicalize_filename(v, cfg->dir);
    g_hash_table_insert(((ArdConfig *)cfg)->paths, name, abs);
    return abs;
}

bool ard_config_is_path_key(const char *name)
{
    const char *dot = strchr(name, '.');
    if (dot == NULL)
        return false;
    char *group = g_strndup(name, (size_t)(dot - name));
    const ArdKeySpec *s = find_spec(group, dot + 1);
    g_free(group);
    return s != NULL && s->type == ARD_KEY_PATH;
}

char *const *ard_config_list(const ArdConfig *cfg, const char *group, const char *key)
{
    char *name = g_strconcat(group, ".", key, NULL);
    char **hit = g_hash_table_lookup(cfg->lists, name);
    if (hit) {
        g_free(name);
        return hit;
    }
    char **items = split_list(ard_config_string(cfg, group, key));
    g_hash_table_insert(((ArdConfig *)cfg)->lists, name, items);
    return items;
}

int ard_config_weekday(const ArdConfig *cfg, const char *group, const char *key)
{
    char *lower = g_ascii_strdown(ard_config_string(cfg, group, key), -1);
    int n = 5;
    for (int i = 0; weekdays[i]; i++)
        if (strcmp(lower, weekdays[i]) == 0)
            n = i + 1;
    g_free(lower);
    return n;
}
