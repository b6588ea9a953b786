/*
 * journal.c - a peak model fed by the journal's callbacks (journal.h): the
 * one place that says what each journaled change does to a model on
 * replay, for the recording's reader and the recorder's trailer alike.
 */
#include "model/journal.h"

static journal_model *of(void *ctx) { return ctx; }

/* After every change, as the live source does after each batch. */
static void applied(journal_model *m, peak_result r)
{
    if (r == PEAK_NOMEM)
        m->nomem = true;
    peaks_age_tombstones(m->model);
}

static void m_load(void *ctx, const snapshot *s, bool keep, uint64_t t)
{
    if (peaks_load(of(ctx)->model, s, keep, t))
        of(ctx)->nomem = true;
}

static void m_sync(void *ctx, const snapshot *s, uint64_t t)
{
    if (peaks_sync_devices(of(ctx)->model, s, t))
        of(ctx)->nomem = true;
}

static void m_record(void *ctx, const peak_region *r, uint64_t t)
{
    applied(of(ctx), peaks_record(of(ctx)->model, r, t));
}

static void m_release(void *ctx, uint64_t handle, uint64_t t)
{
    applied(of(ctx), peaks_release(of(ctx)->model, handle, t));
}

static void m_retain(void *ctx, const int32_t *pids, size_t n, uint64_t t)
{
    peaks_retain_pids(of(ctx)->model, pids, n, t);
    applied(of(ctx), PEAK_APPLIED);
}

static void m_reset(void *ctx, uint64_t t)
{
    peaks_reset(of(ctx)->model, t);
    applied(of(ctx), PEAK_APPLIED);
}

/* A resync: the live source counts it where it marks the loss. */
static void m_approx(void *ctx, uint64_t t)
{
    peaks_mark_approximate(of(ctx)->model, t);
    peaks_status_mut(of(ctx)->model)->resyncs++;
    applied(of(ctx), PEAK_APPLIED);
}

peaks_journal journal_model_callbacks(journal_model *m)
{
    return (peaks_journal){ m_load, m_sync, m_record, m_release, m_retain, m_reset, m_approx, m };
}
