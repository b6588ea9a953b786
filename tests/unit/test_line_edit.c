/*
 * The prompt's line editing (views/line_edit.c): bytes in, whole UTF-8
 * characters out on backspace, delete and cursor moves; a full line takes
 * no half character; ^U and ^W.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "views/line_edit.h"

static void type(line_edit *e, const char *bytes)
{
    for (const char *p = bytes; *p; p++)
        cr_assert(line_edit_insert(e, (unsigned char)*p), "byte 0x%02x taken", (unsigned char)*p);
}

Test(line_edit, typing_and_backspace_by_characters)
{
    line_edit e;
    line_edit_set(&e, "");
    type(&e, "cb 1KiB \xcf\x89\xe2\x9c\x93"); /* omega (2 bytes), check mark (3 bytes) */
    cr_assert_eq(e.len, 13);
    cr_assert(line_edit_backspace(&e));
    cr_assert_str_eq(e.text, "cb 1KiB \xcf\x89", "the whole check mark goes");
    cr_assert(line_edit_backspace(&e));
    cr_assert_str_eq(e.text, "cb 1KiB ");
    cr_assert_eq(e.cur, e.len);
    line_edit_home(&e);
    cr_assert_not(line_edit_backspace(&e), "nothing before the start");
    cr_assert_str_eq(e.text, "cb 1KiB ");
}

Test(line_edit, cursor_moves_and_inserts_in_the_middle)
{
    line_edit e;
    line_edit_set(&e, "a\xcf\x89" "b");
    cr_assert_eq(e.cur, 4);
    cr_assert(line_edit_left(&e));
    cr_assert_eq(e.cur, 3);
    cr_assert(line_edit_left(&e));
    cr_assert_eq(e.cur, 1, "over the omega in one step");
    type(&e, "\xc3\xa9"); /* e acute, a byte at a time, before the omega */
    cr_assert_str_eq(e.text, "a\xc3\xa9\xcf\x89" "b");
    cr_assert_eq(e.cur, 3);
    cr_assert(line_edit_delete(&e));
    cr_assert_str_eq(e.text, "a\xc3\xa9" "b", "delete takes the omega under the cursor");
    cr_assert(line_edit_right(&e));
    cr_assert_not(line_edit_right(&e), "at the end");
    cr_assert_not(line_edit_delete(&e));
    line_edit_home(&e);
    cr_assert(line_edit_right(&e));
    cr_assert(line_edit_right(&e));
    cr_assert_eq(e.cur, 3);
    line_edit_end(&e);
    cr_assert_eq(e.cur, e.len);
}

Test(line_edit, stray_bytes_are_characters_of_their_own)
{
    line_edit e;
    line_edit_set(&e, "");
    type(&e, "x\x89\x89");
    cr_assert(line_edit_left(&e));
    cr_assert_eq(e.cur, 2, "a lone continuation byte is one character");
    cr_assert(line_edit_backspace(&e));
    cr_assert_eq(e.len, 2);
    cr_assert_eq(e.cur, 1);
}

Test(line_edit, control_bytes_are_refused)
{
    line_edit e;
    line_edit_set(&e, "a");
    cr_assert_not(line_edit_insert(&e, '\033'));
    cr_assert_not(line_edit_insert(&e, 0x7F));
    cr_assert_not(line_edit_insert(&e, '\n'));
    cr_assert_str_eq(e.text, "a");
}

Test(line_edit, a_full_line_takes_no_half_character)
{
    line_edit e;
    char almost[LINE_EDIT_MAX];
    memset(almost, 'a', sizeof almost);
    almost[LINE_EDIT_MAX - 3] = '\0'; /* room for two more bytes */
    line_edit_set(&e, almost);
    cr_assert_not(line_edit_insert(&e, 0xE2), "a 3-byte character does not fit");
    cr_assert(line_edit_insert(&e, 0xCF));
    cr_assert(line_edit_insert(&e, 0x89), "a 2-byte one does");
    cr_assert_eq(e.len, LINE_EDIT_MAX - 1);
    cr_assert_not(line_edit_insert(&e, 'b'), "full");
    line_edit_set(&e, almost);
    line_edit_set(&e, "\xe2\x9c\x93\xe2\x9c\x93");
    cr_assert_eq(e.len, 6);
}

Test(line_edit, kill_to_start_and_word)
{
    line_edit e;
    line_edit_set(&e, "cb 300KiB on 0-0..7-7  ");
    line_edit_kill_word(&e);
    cr_assert_str_eq(e.text, "cb 300KiB on ");
    line_edit_kill_word(&e);
    cr_assert_str_eq(e.text, "cb 300KiB ");
    line_edit_left(&e);
    line_edit_left(&e);
    line_edit_kill_to_start(&e);
    cr_assert_str_eq(e.text, "B ");
    cr_assert_eq(e.cur, 0);
}
