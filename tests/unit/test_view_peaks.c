/*
 * The peak model as the TUI shows it: the "peak used %" heatmap metric
 * keeps a 2 ms spike that is gone from the state, the core's mark and its
 * moment are found through the snapshot, a re-declared device's marks are
 * not shown on the new grid, and "since" reads as the model says.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "model/accounting.h"
#include "model/heat_metric.h"
#include "model/peaks.h"
#include "views/view_peaks.h"

#define MIB (1u << 20)
#define SPIKE_AT_NS 1700000000123000000ull /* a CLOCK_REALTIME moment, .123 s */

/* Device 4 (wormhole 2x2) with pid 42 holding nothing; a 1 MiB CB on core
 * (1,0) recorded at SPIKE_AT_NS and released 2 ms later. */
static peaks *spiked(snapshot *s)
{
    snapshot_init(s);
    t_device(s, 4, "wormhole_b0", 2, 2);
    t_process(s, 42, "spiker");
    peaks *p = peaks_new();
    cr_assert_eq(peaks_load(p, s, false, SPIKE_AT_NS - 1000000000ull), 0);
    l1top_range r = { 1, 0, 1, 0 };
    peak_region cb = { .handle = 7, .pid = 42, .device = 4, .kind = L1TOP_CIRCULAR_BUFFER, .address = 0x20000,
                       .size_per_core = MIB, .ranges = &r, .nranges = 1, .tag = "spike_cb" };
    cr_assert_eq(peaks_record(p, &cb, SPIKE_AT_NS), PEAK_APPLIED);
    cr_assert_eq(peaks_release(p, 7, SPIKE_AT_NS + 2000000u), PEAK_APPLIED);
    s->peaks = p;
    return p;
}

Test(view_peaks, peak_metric_shows_a_spike_the_state_no_longer_holds)
{
    snapshot s;
    peaks *p = spiked(&s);
    accounting a;
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const snap_device *d = &s.devices[0];
    const peak_device *pd = view_peak_device(&s, d);
    cr_assert_not_null(pd);
    const core_usage *u = &a.devices[0].cores[1]; /* (1,0) */
    const peak_figures *pk = view_core_peak(pd, 1, 0);
    cr_assert_not_null(pk);
    uint64_t now = metric_bytes(u, METRIC_USED);
    cr_assert_eq(metric_bytes_peak(u, pk, METRIC_PEAK_USED), now + MIB, "the CB's 1 MiB is in the peak");
    cr_assert_eq(metric_bytes_peak(u, NULL, METRIC_PEAK_USED), now, "no model: the least the peak can be, now");
    cr_assert_float_eq(metric_fraction_peak(u, pk, d->l1_size, METRIC_PEAK_USED),
                       (double)(now + MIB) / d->l1_size, 1e-12);
    /* The other cores never held it. */
    cr_assert_eq(metric_bytes_peak(&a.devices[0].cores[0], view_core_peak(pd, 0, 0), METRIC_PEAK_USED),
                 metric_bytes(&a.devices[0].cores[0], METRIC_USED));
    cr_assert_null(view_core_peak(pd, 2, 0), "outside the grid");
    cr_assert_str_eq(heat_metric_key[METRIC_PEAK_USED], "peak_used");
    cr_assert_str_eq(metric_name(METRIC_PEAK_USED), "peak used %");
    accounting_free(&a);
    peaks_free(p);
    snapshot_free(&s);
}

Test(view_peaks, the_moment_names_the_op_and_the_time)
{
    snapshot s;
    peaks *p = spiked(&s);
    const peak_figures *pk = view_core_peak(view_peak_device(&s, &s.devices[0]), 1, 0);
    char buf[160], clock[24];
    view_peak_moment(&pk->at, buf, sizeof buf);
    cr_assert(strstr(buf, "pid 42 recording CB \"spike_cb\"") != NULL, "%s", buf);
    view_clock_ms(SPIKE_AT_NS, clock, sizeof clock);
    cr_assert(strstr(buf, clock) != NULL, "%s lacks %s", buf, clock);
    cr_assert_str_eq(clock + 8, ".123", "milliseconds of the moment");
    /* A core that never peaked above its start says so. */
    view_peak_moment(&view_core_peak(view_peak_device(&s, &s.devices[0]), 0, 0)->at, buf, sizeof buf);
    cr_assert(strstr(buf, "the state when peaks began") != NULL, "%s", buf);
    peaks_free(p);
    snapshot_free(&s);
}

Test(view_peaks, since_follows_reset_and_approximate)
{
    snapshot s;
    peaks *p = spiked(&s);
    char buf[96], want[96], hhmmss[16];
    view_peaks_since(&s, buf, sizeof buf);
    snprintf(want, sizeof want, "peaks since %s", view_clock(SPIKE_AT_NS - 1000000000ull, hhmmss, sizeof hhmmss));
    cr_assert_str_eq(buf, want);
    peaks_reset(p, SPIKE_AT_NS + 5000000000ull);
    view_peaks_since(&s, buf, sizeof buf);
    snprintf(want, sizeof want, "peaks since %s", view_clock(SPIKE_AT_NS + 5000000000ull, hhmmss, sizeof hhmmss));
    cr_assert_str_eq(buf, want, "R moves 'since'");
    cr_assert_eq(view_core_peak(view_peak_device(&s, &s.devices[0]), 1, 0)->bytes[CAT_CIRCULAR_BUFFERS], 0);
    peaks_status_mut(p)->lost = 17;
    peaks_mark_approximate(p, SPIKE_AT_NS + 9000000000ull);
    view_peaks_since(&s, buf, sizeof buf);
    snprintf(want, sizeof want, "peaks approximate since %s (17 lost)",
             view_clock(SPIKE_AT_NS + 9000000000ull, hhmmss, sizeof hhmmss));
    cr_assert_str_eq(buf, want);
    s.peaks = NULL;
    cr_assert_str_eq(view_peaks_since(&s, buf, sizeof buf), "", "no model: nothing said");
    peaks_free(p);
    snapshot_free(&s);
}

Test(view_peaks, a_redeclared_device_shows_no_marks_of_its_old_grid)
{
    snapshot s;
    peaks *p = spiked(&s);
    s.devices[0].grid_x = 3; /* the snapshot saw a new declaration the model has not */
    cr_assert_null(view_peak_device(&s, &s.devices[0]));
    cr_assert_eq(view_clock(0, (char[16]){ 0 }, 16)[0], '-', "time unknown");
    peaks_free(p);
    snapshot_free(&s);
}
