/*
 * line_edit.c - see line_edit.h. Character boundaries are UTF-8's
 * (lib/utf8.c); a byte that starts no valid sequence is a character of its
 * own, as everywhere else in l1top.
 */
#include "views/line_edit.h"

#include <string.h>

#include "utf8.h"

void line_edit_set(line_edit *e, const char *text)
{
    e->len = utf8_copy(e->text, sizeof e->text, text ? text : "");
    e->cur = e->len;
}

/* Bytes of the sequence a lead byte starts (1 for anything else). */
static size_t lead_length(unsigned char b)
{
    if (b >= 0xC0 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    return b >= 0xF0 && b <= 0xF7 ? 4 : 1;
}

bool line_edit_insert(line_edit *e, unsigned char byte)
{
    if (byte < 0x20 || byte == 0x7F)
        return false;
    bool continuation = (byte & 0xC0) == 0x80;
    size_t need = continuation ? 1 : lead_length(byte);
    if (e->len + need > sizeof e->text - 1)
        return false;
    memmove(e->text + e->cur + 1, e->text + e->cur, e->len - e->cur + 1);
    e->text[e->cur++] = (char)byte;
    e->len++;
    return true;
}

/* Bytes of the character starting at offset i. */
static size_t char_at(const line_edit *e, size_t i)
{
    size_t n = utf8_seq_len((const unsigned char *)e->text + i, e->len - i);
    return n ? n : 1;
}

/* Start of the character ending at offset i (> 0). */
static size_t char_before(const line_edit *e, size_t i)
{
    size_t j = i - 1;
    for (size_t back = 0; back < 3 && j > 0 && ((unsigned char)e->text[j] & 0xC0) == 0x80; back++)
        j--;
    return j + char_at(e, j) == i ? j : i - 1; /* not one whole character: one stray byte */
}

static void cut(line_edit *e, size_t from, size_t to)
{
    memmove(e->text + from, e->text + to, e->len - to + 1);
    e->len -= to - from;
    e->cur = from;
}

bool line_edit_backspace(line_edit *e)
{
    if (e->cur == 0)
        return false;
    cut(e, char_before(e, e->cur), e->cur);
    return true;
}

bool line_edit_delete(line_edit *e)
{
    if (e->cur >= e->len)
        return false;
    size_t at = e->cur;
    cut(e, at, at + char_at(e, at));
    return true;
}

bool line_edit_left(line_edit *e)
{
    if (e->cur == 0)
        return false;
    e->cur = char_before(e, e->cur);
    return true;
}

bool line_edit_right(line_edit *e)
{
    if (e->cur >= e->len)
        return false;
    e->cur += char_at(e, e->cur);
    return true;
}

void line_edit_home(line_edit *e) { e->cur = 0; }
void line_edit_end(line_edit *e) { e->cur = e->len; }

void line_edit_kill_to_start(line_edit *e) { cut(e, 0, e->cur); }

void line_edit_kill_word(line_edit *e)
{
    size_t i = e->cur;
    while (i > 0 && e->text[i - 1] == ' ')
        i--;
    while (i > 0 && e->text[i - 1] != ' ')
        i--;
    cut(e, i, e->cur);
}
