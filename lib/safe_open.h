/*
 * safe_open.h - open files named by others (a segment in /dev/shm, TT-Metal's
 * tt_device_*_memory files, configuration, themes, traces) without letting
 * the name hang or mislead us: never block in open() on a FIFO, never
 * follow a final symlink where asked not to, and refuse anything that is
 * not a regular file. Anyone can create a FIFO in /dev/shm or /tmp.
 */
#ifndef L1TOP_SAFE_OPEN_H
#define L1TOP_SAFE_OPEN_H

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

/* Flags for safe_open_regular (besides O_RDONLY, O_CLOEXEC, O_NONBLOCK). */
#define SAFE_NOFOLLOW 1u      /* refuse a symlink as the last component */
#define SAFE_ALLOW_DEVNULL 2u /* accept /dev/null (an empty configuration) */

/* The errno of "not a regular file" from shm_open_regular. */
#define SAFE_NOT_REGULAR ENODEV

/* A read-only fd on a regular file, with O_NONBLOCK cleared again; or -1
 * with "PATH: <why>" in err (e.g. "PATH: a FIFO, not a regular file"). */
int safe_open_regular(const char *path, unsigned flags, char *err, size_t errlen);
/* The same as a stdio stream ("rb"). */
FILE *safe_fopen_regular(const char *path, unsigned flags, char *err, size_t errlen);
/* shm_open(name, oflag | O_NONBLOCK) that refuses a non-regular file with
 * errno SAFE_NOT_REGULAR; glibc's shm_open already adds O_NOFOLLOW. */
int shm_open_regular(const char *name, int oflag);
/* strerror, but SAFE_NOT_REGULAR reads as what it means here. */
const char *safe_strerror(int e);

#endif
