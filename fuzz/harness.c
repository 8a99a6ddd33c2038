/* What the fuzz targets share (harness.h). */
#include "harness.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_PLUGIN_DIR
#error "FUZZ_PLUGIN_DIR: the build's plugin folder"
#endif

const char *const fuzz_plugins[] = {"splt", "flow_slicer", "dhcp", "mdns", "ja4"};
const size_t fuzz_n_plugins = sizeof fuzz_plugins / sizeof fuzz_plugins[0];

const char *fuzz_memory_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-input", MFD_CLOEXEC);
        fuzz_check(fd >= 0, "memfd_create");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    fuzz_check(ftruncate(fd, 0) == 0, "ftruncate");
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
        fuzz_check(n > 0, "pwrite");
        done += (size_t)n;
    }
    return path;
}

FILE *fuzz_null_stream(void)
{
    static FILE *null;
    if (!null) {
        null = fopen("/dev/null", "w");
        fuzz_check(null != NULL, "/dev/null");
    }
    return null;
}

void fuzz_keep_plugins_loaded(void)
{
    for (size_t i = 0; i < fuzz_n_plugins; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.so", FUZZ_PLUGIN_DIR, fuzz_plugins[i]);
        fuzz_check(dlopen(path, RTLD_NOW | RTLD_NODELETE) != NULL, path);
    }
}

void fuzz_check(int ok, const char *what)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz: check failed: %s\n", what);
    abort();
}
