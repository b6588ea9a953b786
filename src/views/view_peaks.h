/*
 * view_peaks.h - the peak model (model/peaks.h) as the views word it: a
 * device's and a core's high-water marks for a snapshot's device, a clock
 * time, and what "since" means ("peaks since 12:00:01", "approximate since
 * 12:03:04"). Pure: no terminal, no source.
 */
#ifndef L1TOP_VIEW_PEAKS_H
#define L1TOP_VIEW_PEAKS_H

#include <stddef.h>
#include <stdint.h>

#include "model/peaks.h"
#include "model/snapshot.h"

/* The marks of device d of s, or NULL: no peak model (a trace, TT-Metal's
 * statistics only) or one that does not know d on its current geometry. */
const peak_device *view_peak_device(const snapshot *s, const snap_device *d);
/* Core (x, y) of pd, or NULL (pd NULL, or outside its grid). */
const peak_figures *view_core_peak(const peak_device *pd, uint32_t x, uint32_t y);

/* Local wall-clock "HH:MM:SS" of a CLOCK_REALTIME time ("--:--:--" for 0). */
const char *view_clock(uint64_t ns, char *buf, size_t n);
/* With milliseconds: "HH:MM:SS.mmm". */
const char *view_clock_ms(uint64_t ns, char *buf, size_t n);

/* When and by what a core's used mark was reached: "at 12:00:01.234 pid 42
 * recording CB \"matmul_cb0\"", "at 12:00:01.234 (the state when peaks began)". */
const char *view_peak_moment(const peak_moment *m, char *buf, size_t n);

/* What the marks of s cover: "peaks since 12:00:01",
 * "peaks approximate since 12:03:04 (17 lost)", or "" without a model. */
const char *view_peaks_since(const snapshot *s, char *buf, size_t n);

#endif
