/* An anonymisation key file (core/anonymize/key.c), read from a file in memory. A key is taken only from a
 * well-formed file; a refused one leaves the key zeroed. */
#include <string.h>

#include <nfcore/nfcore.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t key[NFC_ANONYMIZE_KEY_BYTES];
    memset(key, 0xa5, sizeof key);
    char err[256] = "";
    if (nfc_anonymize_key_read(fuzz_memory_file(data, size), key, err, sizeof err) == 0) {
        fuzz_check(size >= 128 && size <= 130, "a key file is 128 hex digits and a newline at most");
        return 0;
    }
    fuzz_check(err[0] != '\0' && !strchr(err, '\n'), "a refusal is one line");
    static const uint8_t zero[NFC_ANONYMIZE_KEY_BYTES];
    fuzz_check(memcmp(key, zero, sizeof key) == 0, "a refused key is zeroed");
    return 0;
}
