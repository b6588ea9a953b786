/* utf8.h - safe handling of untrusted strings.
 *
 * Every string l1top prints comes from somewhere it does not control: a
 * writer's label, a TT-Metal process name, a trace's op names, a segment
 * that another process can scribble on. This module owns the two rules
 * applied to all of them:
 *   - truncation happens on a character boundary, never inside a UTF-8
 *     sequence (a cut sequence turns a valid name into invalid bytes);
 *   - what is shown is valid UTF-8: invalid sequences become U+FFFD, and
 *     (for terminal and text output) control characters are escaped so that
 *     no escape sequence from a foreign string reaches the terminal.
 * Pure functions, no allocation; part of libl1top so the writer uses them. */
#ifndef L1TOP_UTF8_H
#define L1TOP_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Flags for utf8_sanitize. */
enum {
    UTF8_KEEP_CONTROLS = 0,      /* JSON: the encoder escapes controls itself */
    UTF8_ESCAPE_CONTROLS = 1u,   /* text, CSV, Prometheus, TUI: C0, DEL, C1 as \xNN */
};

/* Length of the longest valid UTF-8 sequence starting at s (at most avail
 * bytes), or 0 when the bytes at s do not start a valid sequence. Rejects
 * overlongs, surrogates and code points above U+10FFFF. */
size_t utf8_seq_len(const unsigned char *s, size_t avail);

/* True when s[0..len) is entirely valid UTF-8. */
bool utf8_valid(const char *s, size_t len);

/* The largest n <= max such that s[0..n) does not end inside a character.
 * Bytes that are not valid UTF-8 count as one character each. */
size_t utf8_cut(const char *s, size_t len, size_t max);

/* Copies NUL-terminated src into dst (capacity cap >= 1), truncated on a
 * character boundary; dst is always NUL-terminated. Returns bytes copied. */
size_t utf8_copy(char *dst, size_t cap, const char *src);

/* Writes into dst (capacity cap >= 1, always NUL-terminated) a valid UTF-8
 * rendering of src[0..len): invalid sequences become U+FFFD and, with
 * UTF8_ESCAPE_CONTROLS, control characters become the four characters \xNN.
 * Output is cut on a character boundary when dst is too small. Returns the
 * length written (excluding the NUL). */
size_t utf8_sanitize(char *dst, size_t cap, const char *src, size_t len, unsigned flags);

/* utf8_sanitize of a NUL-terminated string (NULL reads as ""). Returns dst,
 * so it can be used inline: printf("%s", utf8_clean(buf, sizeof buf, name, f)). */
const char *utf8_clean(char *dst, size_t cap, const char *src, unsigned flags);

#endif
