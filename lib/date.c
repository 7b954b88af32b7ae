/* Calendar days as integers, so date arithmetic is plain subtraction.
 * Validity comes from GLib's GDate; must never accept a day that does not
 * exist (2026-02-30) or a loosely formatted one. */
#include "date.h"
#include <glib.h>
#include <string.h>

/* GDate's Julian day number of 1970-01-01. */
#define JULIAN_EPOCH 719163

bool ard_day_from_ymd(int y, int m, int d, ArdDay *out)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
        return false;
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
    *out = (ArdDay)((int64_t)g_date_get_julian(&date) - JULIAN_EPOCH);
    return true;
}

void ard_day_to_ymd(ArdDay day, int *y, int *m, int *d)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, (guint32)(day + JULIAN_EPOCH));
    *y = g_date_get_year(&date);
    *m = g_date_get_month(&date);
    *d = g_date_get_day(&date);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool ard_day_parse(const char *s, ArdDay *out)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 0 || d < 0)
        return false;
    return ard_day_from_ymd(y, m, d, out);
}

void ard_day_format(ArdDay day, char buf[11])
{
    int y, m, d;
    ard_day_to_ymd(day, &y, &m, &d);
    g_snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
}

int ard_day_weekday(ArdDay day)
{
    /* 1970-01-01 was a Thursday (4). */
    int w = (int)(((int64_t)day + 3) % 7);
    if (w < 0)
        w += 7;
    return w + 1;
}

int ard_days_in_month(int y, int m)
{
    return g_date_get_days_in_month((GDateMonth)m, (GDateYear)y);
}

/* GLib forgets a zone when its last reference goes, so each reply that
 * counted business days read the zone file again: most of applying one. */
GTimeZone *ard_time_zone(const char *id)
{
    static GMutex lock;
    static GHashTable *zones;   /* char * id -> GTimeZone *, kept for the process */
    if (id == NULL || *id == '\0')
        return g_time_zone_new_utc();
    g_mutex_lock(&lock);
    if (!zones)
        zones = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)g_time_zone_unref);
    GTimeZone *tz = g_hash_table_lookup(zones, id);
    if (!tz) {
        tz = g_time_zone_new_identifier(id);
        if (!tz)
            tz = g_time_zone_new_utc();
        g_hash_table_insert(zones, g_strdup(id), tz);
    }
    g_time_zone_ref(tz);
    g_mutex_unlock(&lock);
    return tz;
}

GDateTime *ard_now_on(ArdDay day)
{
    GDateTime *now = g_date_time_new_now_utc();
    if (day == ARD_DAY_NONE)
        return now;
    int y, m, d;
    ard_day_to_ymd(day, &y, &m, &d);
    GDateTime *t = g_date_time_new_utc(y, m, d, g_date_time_get_hour(now),
                                       g_date_time_get_minute(now), g_date_time_get_seconds(now));
    g_date_time_unref(now);
    return t;
}

char *ard_time_iso(GDateTime *t)
{
    GDateTime *u = g_date_time_to_utc(t);
    char *s = g_date_time_format(u, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(u);
    return s;
}

ArdDay ard_day_today(const char *tz)
{
    GTimeZone *zone = NULL;
    if (tz != NULL && *tz != '\0')
        zone = g_time_zone_new_identifier(tz);
    if (zone == NULL)
        zone = g_time_zone_new_local();
    GDateTime *now = g_date_time_new_now(zone);
    ArdDay day = 0;
    ard_day_from_ymd(g_date_time_get_year(now), g_date_time_get_month(now),
                     g_date_time_get_day_of_month(now), &day);
    g_date_time_unref(now);
    g_time_zone_unref(zone);
    return day;
}
