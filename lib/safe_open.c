/*
 * safe_open.c - see safe_open.h. O_NONBLOCK makes open() of a FIFO return
 * at once (a FIFO without a writer would block it forever); fstat then tells
 * what the name really is, on the very file we opened (no check-then-open
 * race). Regular files ignore O_NONBLOCK, but it is cleared anyway so later
 * reads behave as usual.
 */
#define _GNU_SOURCE
#include "safe_open.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISSOCK(m))
        return "a socket";
    return "a special file";
}

static bool is_devnull(const struct stat *st)
{
    struct stat dn;
    return S_ISCHR(st->st_mode) && stat("/dev/null", &dn) == 0 && S_ISCHR(dn.st_mode) && dn.st_rdev == st->st_rdev;
}

/* fd, opened with O_NONBLOCK: 0 when it is a regular file (or /dev/null,
 * if allowed), its O_NONBLOCK cleared again. Else fd is closed and the
 * errno returned: fstat's, or SAFE_NOT_REGULAR with *mode set. */
static int keep_if_regular(int fd, unsigned flags, mode_t *mode)
{
    struct stat st;
    int e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode) && !((flags & SAFE_ALLOW_DEVNULL) && is_devnull(&st)))
        e = SAFE_NOT_REGULAR;
    if (e != 0) {
        *mode = e == SAFE_NOT_REGULAR ? st.st_mode : 0;
        close(fd);
        return e;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return 0;
}

int safe_open_regular(const char *path, unsigned flags, char *err, size_t errlen)
{
    int oflag = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | ((flags & SAFE_NOFOLLOW) ? O_NOFOLLOW : 0);
    int fd = open(path, oflag);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path,
                 e == ELOOP && (flags & SAFE_NOFOLLOW) ? "a symbolic link, refused" : strerror(e));
        errno = e;
        return -1;
    }
    mode_t mode;
    int e = keep_if_regular(fd, flags, &mode);
    if (e == SAFE_NOT_REGULAR)
        snprintf(err, errlen, "%s: %s, not a regular file; refused", path, kind_of(mode));
    else if (e != 0)
        snprintf(err, errlen, "%s: %s", path, strerror(e));
    if (e != 0)
        errno = e;
    return e == 0 ? fd : -1;
}

FILE *safe_fopen_regular(const char *path, unsigned flags, char *err, size_t errlen)
{
    int fd = safe_open_regular(path, flags, err, errlen);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        close(fd);
        errno = e;
    }
    return f;
}

int shm_open_regular(const char *name, int oflag)
{
    int fd = shm_open(name, oflag | O_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    mode_t mode;
    int e = keep_if_regular(fd, 0, &mode);
    if (e != 0)
        errno = e;
    return e == 0 ? fd : -1;
}

const char *safe_strerror(int e)
{
    return e == SAFE_NOT_REGULAR ? "not a regular file (a FIFO or device named like a segment?); refused" : strerror(e);
}
