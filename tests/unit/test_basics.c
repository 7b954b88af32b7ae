/* Days, e-mail addresses and the configuration schema. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "date.h"
#include "email.h"
#include "error.h"

static void days(void **state)
{
    (void)state;
    ArdDay d;
    char b[11];
    assert_true(ard_day_parse("1970-01-01", &d));
    assert_int_equal(d, 0);
    assert_int_equal(ard_day_weekday(d), 4); /* Thursday */
    assert_true(ard_day_parse("2026-11-23", &d));
    assert_int_equal(ard_day_weekday(d), 1); /* Monday */
    ard_day_format(d + 38, b);
    assert_string_equal(b, "2026-12-31");
    ard_day_format(d + 39, b);
    assert_string_equal(b, "2027-01-01");
    assert_true(ard_day_parse("2028-02-29", &d));
    assert_false(ard_day_parse("2026-02-29", &d));
    assert_false(ard_day_parse("2026-13-01", &d));
    assert_false(ard_day_parse("2026-1-01", &d));
    assert_false(ard_day_parse("2026-01-01x", &d));
    assert_false(ard_day_parse("", &d));
    assert_false(ard_day_parse(NULL, &d));
    assert_int_equal(ard_days_in_month(2028, 2), 29);
    int y, m, dd;
    ard_day_to_ymd(-1, &y, &m, &dd);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(dd, 31);
}

static void emails(void **state)
{
    (void)state;
    const char *good[] = {"ap@example.com", "first.last+tag@sub.example.co.uk", "a@b.cd",
                          "o'neill@pub.ie", NULL};
    const char *bad[] = {"", "plain", "@example.com", "a@", "a@b", "a..b@example.com",
                         ".a@example.com", "a.@example.com", "a b@example.com",
                         "a@exa mple.com", "a@-example.com", "a@example-.com",
                         "a@example.com\r\nBcc: x@y.com", "\"q\"@example.com", "a@[1.2.3.4]",
                         "a@example..com", NULL};
    for (int i = 0; good[i]; i++)
        assert_true(ard_email_valid(good[i]));
    for (int i = 0; bad[i]; i++)
        assert_false(ard_email_valid(bad[i]));
    char *n = ard_email_normalize("AP@Example.COM");
    assert_string_equal(n, "ap@example.com");
    g_free(n);
    assert_string_equal(ard_email_domain("x@y.example"), "y.example");
}

static char *write_conf(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("ardent-test-XXXXXX.conf", &path, NULL);
    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void config(void **state)
{
    (void)state;
    GError *err = NULL;
    char *p = write_conf("[store]\npath = sub/x.db\n[milter]\nreceivables = ar@example.com; ar2@example.com\n"
                         "on_error = tempfail\n");
    const char *over[] = {"store.busy_timeout_ms=250", NULL};
    ArdConfig *c = ard_config_load(p, over, &err);
    assert_non_null(c);
    char *dir = g_path_get_dirname(p);
    char *want = g_build_filename(dir, "sub", "x.db", NULL);
    assert_string_equal(ard_config_path(c, "store", "path"), want);
    assert_int_equal(ard_config_int(c, "store", "busy_timeout_ms"), 250);
    char *const *r = ard_config_list(c, "milter", "receivables");
    assert_string_equal(r[0], "ar@example.com");
    assert_string_equal(r[1], "ar2@example.com");
    assert_null(r[2]);
    assert_string_equal(ard_config_string(c, "milter", "on_error"), "tempfail");
    /* defaults come from the schema */
    assert_string_equal(ard_config_string(c, "agent", "relay"), "127.0.0.1:25");
    ard_config_free(c);
    g_free(want);
    g_free(dir);
    g_unlink(p);
    g_free(p);

    const char *bads[] = {
        "[store]\npath = x\nbogus = 1\n",        "unknown key",
        "[nothing]\nx = 1\n",                     "unknown group",
        "[store]\nbusy_timeout_ms = -5\n",        "out of range",
        "[milter]\ncollector_domains = a;b c\n",  "not a domain name",
        "[agent]\nrelay = localhost\n",           "expected host:port",
        "[agent]\nrelay = localhost:99999\n",     "port from 1 to 65535",
        "not a key file",                         "",
        NULL, NULL};
    for (int i = 0; bads[i]; i += 2) {
        p = write_conf(bads[i]);
        c = ard_config_load(p, NULL, &err);
        assert_null(c);
        assert_non_null(err);
        assert_int_equal(ard_error_exit_code(err), 2);
        assert_non_null(strstr(err->message, bads[i + 1]));
        assert_non_null(strstr(err->message, p));
        g_clear_error(&err);
        g_unlink(p);
        g_free(p);
    }
    const char *bad_over[] = {"store.path", NULL};
    assert_null(ard_config_load(NULL, bad_over, &err));
    assert_non_null(strstr(err->message, "GROUP.KEY=VALUE"));
    g_clear_error(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days),
        cmocka_unit_test(emails),
        cmocka_unit_test(config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
