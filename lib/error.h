/* ardent's GError domain and the exit codes of the contract. */
#ifndef ARDENT_ERROR_H
#define ARDENT_ERROR_H
#include <glib.h>

#define ARD_ERROR ard_error_quark()
GQuark ard_error_quark(void);

typedef enum {
    ARD_ERROR_FAILED,   /* the work failed: exit 1 */
    ARD_ERROR_INPUT,    /* bad usage or bad input: exit 2 */
    ARD_ERROR_BUSY,     /* the store stayed locked past its timeout: exit 1 */
    ARD_ERROR_VERSION   /* the store is newer than this program: exit 1 */
} ArdErrorCode;

enum { ARD_EXIT_OK = 0, ARD_EXIT_FAIL = 1, ARD_EXIT_USAGE = 2 };

/* The contract's exit status for an error (NULL means success). */
int ard_error_exit_code(const GError *err);

#endif
