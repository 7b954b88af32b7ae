/* Shared by ardent's libFuzzer harnesses and the unit test that replays their
 * regression inputs: the check macro and the entry-point switch. Must never
 * hold a harness's logic; each fuzz_*.c holds its own. */
#ifndef ARDENT_FUZZ_H
#define ARDENT_FUZZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* An invariant of the code under test: a failure is a finding, reported and
 * turned into a crash so that libFuzzer (or the replay test) stops on it. */
#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                           \
            abort();                                                                  \
        }                                                                             \
    } while (0)

/* Each harness defines int ard_fuzz_<target>(const uint8_t *, size_t) and,
 * unless ARD_FUZZ_NO_MAIN is defined (the replay test includes all three),
 * libFuzzer's entry point calling it. */
#ifdef ARD_FUZZ_NO_MAIN
#define ARD_FUZZ_ENTRY(fn)
#else
#define ARD_FUZZ_ENTRY(fn)                                                  \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);           \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)            \
    {                                                                       \
        return fn(data, size);                                              \
    }
#endif

#endif
