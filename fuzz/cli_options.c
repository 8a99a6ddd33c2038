/* The nfcore command's option parser (cli/options.c): the input is the command line, one argument a line. A
 * refusal is one line on the error stream; an accepted command line writes nothing there. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "options.h"

enum { MAX_ARGS = 64 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* --anonymize-key /dev/stdin must not wait for a terminal */
    fuzz_check(freopen("/dev/null", "r", stdin) != NULL, "stdin");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    fuzz_check(text != NULL, "malloc");
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 2] = {"nfcore"};
    int argc = 1;
    for (char *save = NULL, *arg = strtok_r(text, "\n", &save); arg && argc <= MAX_ARGS;
         arg = strtok_r(NULL, "\n", &save))
        argv[argc++] = arg;

    char *errors = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&errors, &len);
    fuzz_check(err != NULL, "open_memstream");
    struct nfc_cli_options opt;
    memset(&opt, 0, sizeof opt);
    enum nfc_cli_parse rc = nfc_cli_parse(argc, argv, &opt, fuzz_null_stream(), err);
    nfc_cli_options_free(&opt);
    fuzz_check(fclose(err) == 0, "fclose");
    if (rc == NFC_CLI_INVALID)
        fuzz_check(len > 1 && memchr(errors, '\n', len) == errors + len - 1, "a refusal is one line");
    else
        fuzz_check(len == 0, "an accepted command line writes no error");
    free(errors);
    free(text);
    return 0;
}
