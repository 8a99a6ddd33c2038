#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int nfc_cli_user_find(const char *name, struct nfc_cli_user *user, char *err, size_t errlen)
{
    errno = 0;
    const struct passwd *pw = getpwnam(name);
    if (!pw) {
        snprintf(err, errlen, "-Z: %s '%s'%s%s", errno ? "cannot look up user" : "unknown user", name,
                 errno ? ": " : "", errno ? strerror(errno) : "");
        return -1;
    }
    *user = (struct nfc_cli_user){.name = name, .uid = pw->pw_uid, .gid = pw->pw_gid};
    return 0;
}

int nfc_cli_user_become(const struct nfc_cli_user *user, char *err, size_t errlen)
{
    /* The groups first: once the user id is dropped, they could no longer be changed. glibc applies each call to
     * every thread (the meters and the sinks' threads started already). */
    const char *step = initgroups(user->name, user->gid) != 0 ? "set its groups"
                       : setgid(user->gid) != 0               ? "set its group id"
                       : setuid(user->uid) != 0               ? "set its user id"
                                                              : NULL;
    if (step) {
        snprintf(err, errlen, "-Z %s: cannot %s: %s", user->name, step, strerror(errno));
        return -1;
    }
    if (user->uid != 0 && (setuid(0) == 0 || setgid(0) == 0)) {
        snprintf(err, errlen, "-Z %s: root's privileges could be taken back", user->name);
        return -1;
    }
    return 0;
}
