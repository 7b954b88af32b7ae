/* Calendar days as plain integers (days since 1970-01-01), parsed and
 * printed as YYYY-MM-DD. */
#ifndef ARDENT_DATE_H
#define ARDENT_DATE_H
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef int32_t ArdDay;
#define ARD_DAY_NONE INT32_MIN

/* Strict YYYY-MM-DD of a day that exists; false otherwise. */
bool ard_day_parse(const char *s, ArdDay *out);
/* Day from year, month, day; false when that day does not exist. */
bool ard_day_from_ymd(int y, int m, int d, ArdDay *out);
void ard_day_to_ymd(ArdDay day, int *y, int *m, int *d);
/* Writes YYYY-MM-DD and a NUL into buf (11 bytes). */
void ard_day_format(ArdDay day, char buf[11]);
/* 1 = Monday ... 7 = Sunday. */
int ard_day_weekday(ArdDay day);
int ard_days_in_month(int y, int m);
/* The IANA zone id, or UTC when id is NULL, empty or unknown; a new
 * reference the caller unrefs. Each zone is read from disk once per
 * process and kept (thread-safe). */
GTimeZone *ard_time_zone(const char *id);
/* Now in UTC; on the given day instead of today (keeping the time of day)
 * when day is not ARD_DAY_NONE, for runs replayed with --date. */
GDateTime *ard_now_on(ArdDay day);
/* t in UTC as the store writes times: "2026-03-10T14:05:00Z"; g_free it. */
char *ard_time_iso(GDateTime *t);
/* Today in the local time zone, or in the IANA zone tz when given. */
ArdDay ard_day_today(const char *tz);

#endif
