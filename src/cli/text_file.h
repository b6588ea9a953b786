/*
 * text_file.h - reading a small text file the user points l1top at (the
 * configuration, a theme) whole into memory, with errors in the
 * "FILE:LINE:COL: why" form the YAML loaders use.
 */
#ifndef L1TOP_TEXT_FILE_H
#define L1TOP_TEXT_FILE_H

#include <stddef.h>
#include <sys/stat.h>

/* Larger than this is not a configuration or a theme. */
#define TEXT_FILE_MAX (1u << 20)

/* Read a regular file (or /dev/null) of at most TEXT_FILE_MAX bytes; the
 * caller frees *data. st (may be NULL) gets its owner and mode. 0, or -1
 * with "PATH:1:1: why" in err. A FIFO or device is refused, never waited on. */
int read_small_text_file(const char *path, char **data, size_t *len, struct stat *st, char *err, size_t errlen);

#endif
