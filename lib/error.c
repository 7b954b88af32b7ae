/* ardent's error domain and its mapping to exit codes.
 * Must never print: callers decide where an error goes. */
#include "error.h"

G_DEFINE_QUARK(ardent-error-quark, ard_error)

int ard_error_exit_code(const GError *err)
{
    if (err == NULL)
        return ARD_EXIT_OK;
    if (err->domain == ARD_ERROR && err->code == ARD_ERROR_INPUT)
        return ARD_EXIT_USAGE;
    if (err->domain == G_OPTION_ERROR || err->domain == G_KEY_FILE_ERROR)
        return ARD_EXIT_USAGE;
    return ARD_EXIT_FAIL;
}
