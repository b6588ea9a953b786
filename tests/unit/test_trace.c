/*
 * Core range syntaxes of ttnn traces.
 */
#include <criterion/criterion.h>

#include "trace.h"

Test(trace, core_range_syntaxes)
{
    l1top_range r[4];
    cr_assert_eq(trace_parse_core_ranges("{[0-0 - 7-7], [0-8 - 3-8]}", r, 4), 2);
    cr_assert_eq(r[1].x1, 3);
    cr_assert_eq(r[1].y0, 8);
    cr_assert_eq(trace_parse_core_ranges("{[(x=0,y=0) - (x=7,y=6)]}", r, 4), 1);
    cr_assert_eq(r[0].y1, 6);
    cr_assert_eq(trace_parse_core_ranges("{}", r, 4), 0);
    cr_assert_eq(trace_parse_core_ranges("{[3-3 - 1-1]}", r, 4), -1, "x0 > x1");
    cr_assert_eq(trace_parse_core_ranges("[0-0 - 1-1]", r, 4), -1, "no braces");
    cr_assert_eq(trace_parse_core_ranges("{[a-b - c-d]}", r, 4), -1);
    cr_assert_eq(trace_parse_core_ranges("{[0-0 - 1-1], [2-2 - 3-3], [0-0 - 0-0], [1-1 - 1-1], [5-5 - 5-5]}", r, 4), 5,
                 "counts all, stores what fits");
}
