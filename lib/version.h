/* ardent's version, shown by --version and recorded in the store. */
#ifndef ARDENT_VERSION_H
#define ARDENT_VERSION_H
#define ARDENT_VERSION "0.1.0"
#endif
