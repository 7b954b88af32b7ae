/* Reads a fixture under tests/fixtures/ from the repository root ($ARDENT_TOP,
 * else the current folder) for the unit tests. */
#ifndef ARDENT_TEST_FIXTURE_H
#define ARDENT_TEST_FIXTURE_H
#include "message.h"
#include <glib.h>
#include <stdlib.h>

/* tests/fixtures/FOLDER/NAME. */
static inline char *fixture_read_in(const char *folder, const char *name, size_t *len)
{
    const char *top = getenv("ARDENT_TOP");
    char *path = g_build_filename(top && *top ? top : ".", "tests", "fixtures", folder, name, NULL);
    char *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &data, &n, NULL))
        g_error("cannot read fixture %s", path);
    g_free(path);
    *len = n;
    return data;
}

/* tests/fixtures/mail/NAME. */
static inline char *fixture_read(const char *name, size_t *len)
{
    return fixture_read_in("mail", name, len);
}

static inline ArdMessage *fixture_message(const char *name)
{
    size_t len;
    char *data = fixture_read(name, &len);
    ArdMessage *m = ard_message_parse(data, len, 10 * 1024 * 1024);
    g_free(data);
    return m;
}
#endif
