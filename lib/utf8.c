/* utf8.c - validation, boundary-safe truncation and sanitising of untrusted
 * strings (see utf8.h for the rules and why). */
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */
enum { REPLACEMENT_LEN = 3, ESCAPE_LEN = 4 /* \xNN */ };

static bool is_cont(unsigned char c)
{
    return (c & 0xC0u) == 0x80u;
}

size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    if (avail == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80u)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xC2u && c <= 0xDFu) {
        n = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0u && c <= 0xEFu) {
        n = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0u && c <= 0xF4u) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0; /* continuation byte, overlong lead C0/C1, or F5..FF */
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (!is_cont(s[i]))
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800u) || (n == 4 && cp < 0x10000u) || cp > 0x10FFFFu ||
        (cp >= 0xD800u && cp <= 0xDFFFu))
        return 0; /* overlong, beyond Unicode, or a surrogate */
    return n;
}

bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq_len(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq_len(p + i, len - i);
        if (n == 0)
            n = 1;
        if (i + n > max)
            break;
        i += n;
    }
    return i;
}

size_t utf8_copy(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return 0;
    size_t len = src ? strlen(src) : 0;
    size_t n = utf8_cut(src ? src : "", len, cap - 1);
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

static bool is_control(uint32_t c)
{
    return c < 0x20u || c == 0x7Fu || (c >= 0x80u && c < 0xA0u);
}

/* The code point of a valid sequence of n bytes at p. */
static uint32_t decode(const unsigned char *p, size_t n)
{
    static const unsigned char lead_mask[5] = {0, 0x7Fu, 0x1Fu, 0x0Fu, 0x07u};
    uint32_t cp = p[0] & lead_mask[n];
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (p[i] & 0x3Fu);
    return cp;
}

size_t utf8_sanitize(char *dst, size_t cap, const char *src, size_t len, unsigned flags)
{
    if (cap == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)src;
    size_t out = 0, i = 0;
    while (i < len) {
        size_t n = utf8_seq_len(p + i, len - i);
        char esc[ESCAPE_LEN + 1];
        const char *piece = (const char *)p + i;
        size_t piece_len = n;
        if (n == 0) {
            piece = REPLACEMENT;
            piece_len = REPLACEMENT_LEN;
            n = 1;
        } else if ((flags & UTF8_ESCAPE_CONTROLS) && is_control(decode(p + i, n))) {
            snprintf(esc, sizeof esc, "\\x%02X", (unsigned)decode(p + i, n) & 0xFFu);
            piece = esc;
            piece_len = ESCAPE_LEN;
        }
        if (out + piece_len > cap - 1)
            break;
        memcpy(dst + out, piece, piece_len);
        out += piece_len;
        i += n;
    }
    dst[out] = '\0';
    return out;
}

const char *utf8_clean(char *dst, size_t cap, const char *src, unsigned flags)
{
    if (!src)
        src = "";
    utf8_sanitize(dst, cap, src, strlen(src), flags);
    return dst;
}
