/*
 * The history strip's ring of samples: bounded per device, oldest first,
 * devices apart, and a sample marks a spike (with its op/tag) exactly when
 * the device's high-water mark rose since the sample before.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "model/history.h"

Test(history, ring_keeps_the_last_samples_oldest_first_per_device)
{
    history *h = history_new(4);
    cr_assert_not_null(h);
    for (uint64_t t = 1; t <= 10; t++) {
        history_sample s = { .time_ns = t, .used = t * 100 };
        cr_assert(history_push(h, 7, &s));
        if (t % 2 == 0) {
            s.used = 1;
            cr_assert(history_push(h, 3, &s));
        }
    }
    cr_assert_eq(history_count(h, 7), 4, "bounded");
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(history_at(h, 7, i)->time_ns, 7 + i, "oldest first");
    cr_assert_null(history_at(h, 7, 4));
    cr_assert_eq(history_count(h, 3), 4);
    cr_assert_eq(history_at(h, 3, 0)->time_ns, 4);
    cr_assert_eq(history_count(h, 99), 0);
    cr_assert_null(history_last_seq(h, 99));
    history_free(h);
}

Test(history, a_sample_marks_a_spike_only_when_the_mark_rose)
{
    device_usage du;
    memset(&du, 0, sizeof du);
    du.totals[CAT_CIRCULAR_BUFFERS] = 1000;
    du.totals[CAT_FREE] = 9000;
    du.largest_free_common = 512;
    peak_device pd;
    memset(&pd, 0, sizeof pd);
    pd.total.used = 1000 + (1u << 20);
    pd.total.at.seq = 5;
    snprintf(pd.total.at.tag, sizeof pd.total.at.tag, "%s", "spike_cb");
    uint64_t last = 4;
    history_sample s = history_sample_of(&du, &pd, &last, 42);
    cr_assert_eq(s.used, 1000);
    cr_assert_eq(s.untracked, 1000);
    cr_assert_eq(s.l1_total, 10000);
    cr_assert_eq(s.largest_free_common, 512);
    cr_assert_eq(s.spike_used, 1000 + (1u << 20), "the mark rose since: a spike");
    cr_assert_str_eq(s.spike_tag, "spike_cb");
    cr_assert_eq(last, 5);
    s = history_sample_of(&du, &pd, &last, 43);
    cr_assert_eq(s.spike_used, 0, "the same mark: no new spike");
    cr_assert_str_eq(s.spike_tag, "");
    s = history_sample_of(&du, NULL, &last, 44);
    cr_assert_eq(s.spike_used, 0, "no peak model: no spikes");
}
