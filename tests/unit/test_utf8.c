/*
 * utf8: validation, truncation on character boundaries, sanitising of
 * invalid bytes and control characters; the writer's label and tag cuts.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "utf8.h"

Test(utf8, validates_the_standard_cases)
{
    cr_assert(utf8_valid("plain", 5));
    cr_assert(utf8_valid("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9)); /* é € 😀 */
    cr_assert_not(utf8_valid("\xC3", 1), "truncated sequence");
    cr_assert_not(utf8_valid("\xC0\xAF", 2), "overlong /");
    cr_assert_not(utf8_valid("\xE0\x80\xAF", 3), "overlong 3-byte");
    cr_assert_not(utf8_valid("\xED\xA0\x80", 3), "surrogate");
    cr_assert_not(utf8_valid("\xF4\x90\x80\x80", 4), "above U+10FFFF");
    cr_assert_not(utf8_valid("\x80", 1), "lone continuation");
    cr_assert_not(utf8_valid("\xFF", 1));
}

Test(utf8, cuts_on_character_boundaries)
{
    const char *s = "ab\xE2\x82\xAC"; /* ab€ : 5 bytes */
    cr_assert_eq(utf8_cut(s, 5, 5), 5);
    cr_assert_eq(utf8_cut(s, 5, 4), 2, "never inside the euro sign");
    cr_assert_eq(utf8_cut(s, 5, 3), 2);
    cr_assert_eq(utf8_cut(s, 5, 2), 2);
    cr_assert_eq(utf8_cut("\xFF\xFF", 2, 1), 1, "invalid bytes count as one character");
    char out[5];
    cr_assert_eq(utf8_copy(out, sizeof out, s), 2);
    cr_assert_str_eq(out, "ab");
}

Test(utf8, sanitize_replaces_invalid_and_escapes_controls)
{
    char out[64];
    utf8_clean(out, sizeof out, "op\x1b[2J\xFFname\x7f", UTF8_ESCAPE_CONTROLS);
    cr_assert_str_eq(out, "op\\x1B[2J\xEF\xBF\xBDname\\x7F");
    cr_assert(utf8_valid(out, strlen(out)));
    utf8_clean(out, sizeof out, "a\tb\xC3", UTF8_KEEP_CONTROLS);
    cr_assert_str_eq(out, "a\tb\xEF\xBF\xBD");
    utf8_clean(out, sizeof out, "\xC2\x9B" "x", UTF8_ESCAPE_CONTROLS); /* C1 CSI */
    cr_assert_str_eq(out, "\\x9Bx");
    utf8_clean(out, sizeof out, NULL, 0);
    cr_assert_str_eq(out, "");
}

Test(utf8, sanitize_never_cuts_its_own_output)
{
    char out[6]; /* room for 5 bytes: "ab" + U+FFFD fits, a second one does not */
    cr_assert_eq(utf8_sanitize(out, sizeof out, "ab\xFF\xFF", 4, 0), 5);
    cr_assert_str_eq(out, "ab\xEF\xBF\xBD");
    char tiny[4];
    cr_assert_eq(utf8_sanitize(tiny, sizeof tiny, "a\x01", 2, UTF8_ESCAPE_CONTROLS), 1, "no half escape");
    cr_assert_str_eq(tiny, "a");
}
