/*
 * shm_name.h - segment name rules shared by writer and reader:
 * NULL means $L1TOP_SHM, else "/l1top"; a name without a leading '/'
 * gets one; no other '/' is allowed.
 */
#ifndef L1TOP_SHM_NAME_H
#define L1TOP_SHM_NAME_H

#include <stddef.h>

#define L1TOP_SHM_NAME_MAX 256

/* 0 with the resolved name in out, or -1 when the name is not usable. */
int shm_name_resolve(const char *requested, char *out, size_t n);

#endif
