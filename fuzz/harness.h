/* What the fuzz targets share: inputs as files held in memory, and the built-in plugins kept loaded. */
#ifndef NFC_FUZZ_HARNESS_H
#define NFC_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* libFuzzer's entry points. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes the input into this process's one in-memory file (memfd) and returns a path that opens it from the start
 * ("/proc/self/fd/N"): the engine reads captures and key files by path. */
const char *fuzz_memory_file(const uint8_t *data, size_t size);

/* A stream that discards what is written to it. */
FILE *fuzz_null_stream(void);

/* The built-in plugins' names, and the path of the folder the build puts them in. */
extern const char *const fuzz_plugins[];
extern const size_t fuzz_n_plugins;

/* Loads every built-in plugin once for the life of the process: the engine's dlopen and dlclose per input then
 * only count references, and libFuzzer's coverage counters in the plugins stay mapped. */
void fuzz_keep_plugins_loaded(void);

/* Stops the process (a finding) when `ok` is false: the message says which property of the output failed. */
void fuzz_check(int ok, const char *what);

#endif
