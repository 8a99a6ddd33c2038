/* -Z USER: the capture opened as root, the rest of the run as USER, as tcpdump does. */
#ifndef NFC_CLI_PRIVILEGES_H
#define NFC_CLI_PRIVILEGES_H

#include <stddef.h>
#include <sys/types.h>

struct nfc_cli_user {
    const char *name;
    uid_t uid;
    gid_t gid;
};

/* Looks USER up in the user database. Returns 0, or -1 with a one-line message in err (an unknown user). */
int nfc_cli_user_find(const char *name, struct nfc_cli_user *user, char *err, size_t errlen);

/* Becomes the user for good, every thread of the process: its supplementary groups, its group, then its user id.
 * Returns 0, or -1 with a one-line message in err (not root, or the old ids could be taken back). */
int nfc_cli_user_become(const struct nfc_cli_user *user, char *err, size_t errlen);

#endif
