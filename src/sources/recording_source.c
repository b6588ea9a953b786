/*
 * recording_source.c - a --record recording as a source (source.h): a
 * timeline over its changes (each record, release, departure of a dead
 * writer's regions, and model start) that opens at the per-core peak.
 * The marks snapshots show (the run's, like a trace's summary) are those
 * of the journal replayed on a fresh peak model (model/journal.h): the
 * same calls in the same order as the live run, so the same marks. A
 * recorder that ended cleanly wrote them in the file's trailer, and open
 * then only walks the journal for its positions; without one (or with one
 * that does not fit the journal) open replays every change once. A
 * position's state is rebuilt from the nearest of the last model start and
 * the last checkpoint before it (states kept at open, as the trace timeline
 * keeps them: recordings hold no keyframes), then stepped forward: a step
 * costs at most a checkpoint interval of changes and one rebuild of the
 * state.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grow.h"
#include "model/accounting.h"
#include "model/journal.h"
#include "sources/recording_file.h"
#include "sources/source.h"

/* A state is kept once the positions since the last kept one reach
 * max(REPLAY_CHECKPOINT_MIN, regions / 4), as trace_replay.c does: a seek
 * replays fewer changes than that, and the copies cost O(positions) in all
 * (each keeps at most 4 regions per position since the last). A kept state
 * holds 8 bytes a region (where it came from, see rref), not the region:
 * ~10x less memory than a copy of the snapshot (bench/RESULTS.md 10). */
#define REPLAY_CHECKPOINT_MIN 256u
/* A region's origin (rref): the offset of the RECORD op that made it, or
 * this bit and its index in the state of the anchor cur was loaded from. */
#define REF_ANCHOR ((uint64_t)1 << 63)

typedef struct {
    size_t off;                /* the state before the op at this offset */
    uint64_t time_ns;
    size_t base;               /* the anchor op the state descends from */
    snapshot lists;            /* its devices and processes (no regions) */
    uint64_t *refs;            /* per region, in order: its origin */
    size_t nrefs;
} checkpoint;

typedef struct {
    rec_file rf;
    peaks *model;              /* the whole recording replayed: the run's marks */
    size_t *pos_off;           /* per position: the offset of its op */
    uint64_t *pos_changes;     /* per position: the model's changes after it */
    size_t npos, pos_cap, changes_cap;
    size_t *anchor;            /* offsets of LOAD and KEYFRAME ops, ascending */
    size_t nanchor, anchor_cap;
    size_t peak;               /* the position of the peak */
    checkpoint *cp;            /* ascending offsets */
    size_t ncp, cp_cap;
    /* the state of the timeline */
    snapshot cur, scratch;
    int32_t *rpid;             /* per region of cur: its writer's pid */
    uint64_t *rref;            /* per region of cur: its origin (REF_ANCHOR) */
    size_t rpid_cap, rref_cap, scratch_pid_cap;
    size_t base;               /* the offset of the anchor op cur was loaded from */
    int32_t *scratch_pid;
    size_t next_off;           /* the offset of the first op not applied to cur */
    bool valid;                /* cur holds the state before next_off */
    uint64_t cur_time;
    rec_op op;
    size_t pos;                /* the timeline's position */
    size_t shown;              /* the position s holds (SIZE_MAX: none) */
} recording_source;

static bool wanted(const source_params *p) { return source_wants_file(p, "recording"); }

/* ---------- the state at a position ---------- */

static int process_of(snapshot *s, int32_t pid, uint32_t *out)
{
    for (size_t i = 0; i < s->nprocesses; i++)
        if (s->processes[i].pid == pid) {
            *out = (uint32_t)i;
            return 0;
        }
    snap_process *p = snapshot_add_process(s); /* a writer the lists did not name (yet) */
    if (!p)
        return -1;
    p->pid = pid;
    snprintf(p->name, sizeof p->name, "pid %d", (int)pid);
    *out = (uint32_t)(s->nprocesses - 1);
    return 0;
}

/* Region i's process index from its pid (after the process list changed). */
static int map_processes(recording_source *t)
{
    for (size_t i = 0; i < t->cur.nregions; i++)
        if (process_of(&t->cur, t->rpid[i], &t->cur.regions[i].process))
            return -1;
    return 0;
}

static void remove_region(recording_source *t, size_t i)
{
    size_t last = t->cur.nregions - 1; /* its ranges stay in the pool until the next anchor */
    t->cur.regions[i] = t->cur.regions[last];
    t->rpid[i] = t->rpid[last];
    t->rref[i] = t->rref[last];
    t->cur.nregions--;
}

/* g, made at ref (rref), appended to cur. */
static int add_region(recording_source *t, const peak_region *g, uint64_t ref)
{
    int dev = snapshot_device_index(&t->cur, g->device);
    if (dev < 0)
        return 0; /* a device the model did not know: it did not apply it either */
    if (grow_array((void **)&t->rpid, &t->rpid_cap, t->cur.nregions, 1, sizeof *t->rpid)
        || grow_array((void **)&t->rref, &t->rref_cap, t->cur.nregions, 1, sizeof *t->rref))
        return -1;
    uint32_t proc;
    if (process_of(&t->cur, g->pid, &proc))
        return -1;
    snap_region *c = snapshot_add_region(&t->cur, g->ranges, g->nranges);
    if (!c)
        return -1;
    rec_region_fields(c, g, (uint32_t)dev);
    c->process = proc;
    size_t n = 0; /* the tag, cut to fit (snprintf's parsing showed in a checkpoint's restore) */
    for (const char *tag = g->tag ? g->tag : ""; n + 1 < sizeof c->tag && tag[n]; n++)
        c->tag[n] = tag[n];
    c->tag[n] = '\0';
    t->rpid[t->cur.nregions - 1] = g->pid;
    t->rref[t->cur.nregions - 1] = ref;
    return 0;
}

static bool pid_in(const int32_t *pids, size_t n, int32_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

/* New devices and the process list of a SYNC (in scratch) into cur. */
static int sync_state(recording_source *t)
{
    for (size_t i = 0; i < t->scratch.ndevices; i++)
        if (snapshot_device_index(&t->cur, t->scratch.devices[i].id) < 0) {
            snap_device *d = snapshot_add_device(&t->cur);
            if (!d)
                return -1;
            *d = t->scratch.devices[i];
        }
    t->cur.nprocesses = 0;
    for (size_t i = 0; i < t->scratch.nprocesses; i++) {
        snap_process *p = snapshot_add_process(&t->cur);
        if (!p)
            return -1;
        *p = t->scratch.processes[i];
    }
    return map_processes(t);
}

/* The op at t->next_off on cur. 0, -1 malformed, -2 out of memory. */
static int step(recording_source *t)
{
    rec_op *op = &t->op;
    size_t at = t->next_off;
    int rc = rec_decode(&t->rf, &at, op, &t->scratch, &t->scratch_pid, &t->scratch_pid_cap);
    if (rc)
        return rc;
    switch (op->type) {
    case REC_OP_LOAD:
    case REC_OP_KEYFRAME:
        if (snapshot_copy(&t->cur, &t->scratch)
            || grow_array((void **)&t->rpid, &t->rpid_cap, 0, t->cur.nregions, sizeof *t->rpid)
            || grow_array((void **)&t->rref, &t->rref_cap, 0, t->cur.nregions, sizeof *t->rref))
            return -2;
        if (t->cur.nregions)
            memcpy(t->rpid, t->scratch_pid, t->cur.nregions * sizeof *t->rpid);
        for (size_t i = 0; i < t->cur.nregions; i++)
            t->rref[i] = REF_ANCHOR | i;
        t->base = t->next_off;
        rc = map_processes(t) ? -2 : 0;
        break;
    case REC_OP_SYNC:
        rc = sync_state(t) ? -2 : 0;
        break;
    case REC_OP_RECORD:
        rc = add_region(t, &op->region, t->next_off) ? -2 : 0;
        break;
    case REC_OP_RELEASE:
        for (size_t i = 0; i < t->cur.nregions; i++)
            if (t->cur.regions[i].handle == op->handle) {
                remove_region(t, i);
                break;
            }
        break;
    case REC_OP_RETAIN:
        for (size_t i = t->cur.nregions; i-- > 0;)
            if (!pid_in(op->pids, op->npids, t->rpid[i]))
                remove_region(t, i);
        break;
    default:
        break;
    }
    t->next_off = at;
    t->cur_time = op->time_ns;
    return rc;
}

/* The last of `n` ascending offsets (stride `size` bytes apart, the offset
 * first) at or before target: its index, or n when none is. */
static size_t last_at_or_before(const void *base, size_t n, size_t size, size_t target)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (*(const size_t *)((const char *)base + mid * size) <= target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : n;
}

/* The region the anchor state in scratch (decoded from its op) holds at i,
 * onto cur. */
static int add_anchor_region(recording_source *t, size_t i)
{
    const snap_region *r = &t->scratch.regions[i];
    peak_region g = { r->handle, t->scratch_pid[i], t->scratch.devices[r->device].id, r->kind, r->interleaved,
                      r->address, r->size_per_core, r->page_size, r->total_size,
                      snapshot_region_ranges(&t->scratch, r), r->nranges, r->tag };
    return add_region(t, &g, REF_ANCHOR | i);
}

/* cur := checkpoint k: its lists, then each region decoded from where it
 * came from, in its order. 0, -1 malformed, -2 out of memory. */
static int restore(recording_source *t, const checkpoint *k)
{
    if (snapshot_copy(&t->cur, &k->lists))
        return -2;
    bool anchor_read = false;
    for (size_t i = 0; i < k->nrefs; i++) {
        uint64_t ref = k->refs[i];
        size_t at = (ref & REF_ANCHOR) ? k->base : (size_t)ref;
        int rc = 0;
        if (!(ref & REF_ANCHOR) || !anchor_read)
            rc = rec_decode(&t->rf, &at, &t->op, &t->scratch, &t->scratch_pid, &t->scratch_pid_cap);
        anchor_read |= (ref & REF_ANCHOR) != 0;
        if (rc)
            return rc;
        bool anchored = (ref & REF_ANCHOR) != 0;
        size_t idx = (size_t)(ref & ~REF_ANCHOR);
        if (anchored ? idx >= t->scratch.nregions : t->op.type != REC_OP_RECORD)
            return -1;
        if (anchored ? add_anchor_region(t, idx) : add_region(t, &t->op.region, ref))
            return -2;
    }
    t->base = k->base;
    t->next_off = k->off;
    t->cur_time = k->time_ns;
    return 0;
}

/* cur := the nearest known state at or before target that is ahead of
 * where cur stands (or cur as it is). 0, -1 malformed, -2 out of memory. */
static int restart_near(recording_source *t, size_t target)
{
    size_t a = last_at_or_before(t->anchor, t->nanchor, sizeof *t->anchor, target);
    size_t c = last_at_or_before(t->cp, t->ncp, sizeof *t->cp, target);
    size_t aoff = a < t->nanchor ? t->anchor[a] : 0, coff = c < t->ncp ? t->cp[c].off : 0;
    size_t best = aoff > coff ? aoff : coff;
    if (t->valid && t->next_off <= target && t->next_off >= best)
        return 0; /* stepping on from here is no longer */
    t->valid = true;
    if (c < t->ncp && coff >= aoff) {
        int rc = restore(t, &t->cp[c]);
        t->valid = rc == 0;
        return rc;
    }
    t->next_off = aoff;
    snapshot_reset(&t->cur);
    return 0;
}

/* cur := the state after position pos's op. */
static int seek_state(recording_source *t, size_t pos)
{
    size_t target = t->pos_off[pos];
    int rc = restart_near(t, target);
    if (rc)
        return rc;
    while (t->next_off <= target) {
        rc = step(t);
        if (rc) {
            t->valid = false;
            return rc;
        }
    }
    return 0;
}

/* cur, kept as a checkpoint. 0 or -2. */
static int keep_state(recording_source *t)
{
    if (grow_array((void **)&t->cp, &t->cp_cap, t->ncp, 1, sizeof *t->cp))
        return -2;
    checkpoint *k = &t->cp[t->ncp];
    memset(k, 0, sizeof *k);
    snapshot_init(&k->lists);
    t->ncp++;
    k->off = t->next_off;
    k->time_ns = t->cur_time;
    k->base = t->base;
    size_t n = t->cur.nregions;
    t->cur.nregions = 0; /* the lists only: the regions are kept as refs */
    int rc = snapshot_copy(&k->lists, &t->cur);
    t->cur.nregions = n;
    if (rc)
        return -2;
    if (n) {
        k->refs = malloc(n * sizeof *k->refs);
        if (!k->refs)
            return -2;
        memcpy(k->refs, t->rref, n * sizeof *k->refs);
        k->nrefs = n;
    }
    return 0;
}

/* Checkpoints (REPLAY_CHECKPOINT_MIN's rule), one walk forward over the
 * journal. 0, -1 malformed, -2 out of memory. */
static int keep_checkpoints(recording_source *t)
{
    size_t since = 0;
    for (size_t p = 0; p + 1 < t->npos; p++) {
        int rc = seek_state(t, p);
        if (rc)
            return rc;
        size_t every = t->cur.nregions / 4 > REPLAY_CHECKPOINT_MIN ? t->cur.nregions / 4 : REPLAY_CHECKPOINT_MIN;
        if (++since >= every) {
            if (keep_state(t))
                return -2;
            since = 0;
        }
    }
    return 0;
}

/* ---------- open: index and replay the journal once ---------- */

static int add_position(recording_source *t, size_t off)
{
    if (grow_array((void **)&t->pos_off, &t->pos_cap, t->npos, 1, sizeof *t->pos_off)
        || grow_array((void **)&t->pos_changes, &t->changes_cap, t->npos, 1, sizeof *t->pos_changes))
        return -2;
    t->pos_off[t->npos] = off;
    t->pos_changes[t->npos++] = 0;
    return 0;
}

/* The op just decoded on the peak model, by the journal's replay rules
 * (the recorder computed its trailer by the same). */
static int feed_model(recording_source *t)
{
    const rec_op *op = &t->op;
    journal_model m = { t->model, false };
    peaks_journal j = journal_model_callbacks(&m);
    switch (op->type) {
    case REC_OP_LOAD:
        j.load(j.ctx, &t->scratch, op->keep_marks, op->time_ns);
        break;
    case REC_OP_SYNC:
        j.sync(j.ctx, &t->scratch, op->time_ns);
        break;
    case REC_OP_RECORD:
        j.record(j.ctx, &op->region, op->time_ns);
        break;
    case REC_OP_RELEASE:
        j.release(j.ctx, op->handle, op->time_ns);
        break;
    case REC_OP_RETAIN:
        j.retain(j.ctx, op->pids, op->npids, op->time_ns);
        break;
    case REC_OP_RESET:
        j.reset(j.ctx, op->time_ns);
        break;
    case REC_OP_APPROX:
        j.approximate(j.ctx, op->time_ns);
        break;
    default: /* a keyframe: the model does not see it, but a batch ended */
        peaks_age_tombstones(t->model);
        break;
    }
    return m.nomem ? -2 : 0;
}

/* With a trailer the model is fed only what makes its devices (LOADs
 * without their regions, SYNCs): the marks come from the trailer. */
static int feed_devices(recording_source *t)
{
    const rec_op *op = &t->op;
    if (op->type == REC_OP_SYNC)
        return peaks_sync_devices(t->model, &t->scratch, op->time_ns) ? -2 : 0;
    if (op->type != REC_OP_LOAD)
        return 0;
    size_t n = t->scratch.nregions;
    t->scratch.nregions = 0;
    int rc = peaks_load(t->model, &t->scratch, op->keep_marks, op->time_ns) ? -2 : 0;
    t->scratch.nregions = n;
    return rc;
}

/* The load op's state into scratch with its pids mapped (peaks_load reads s's processes). */
static int index_ops(recording_source *t, bool replay, uint64_t *changes)
{
    size_t off = 0;
    while (off < t->rf.len) {
        size_t at = off;
        int rc = rec_decode(&t->rf, &at, &t->op, &t->scratch, &t->scratch_pid, &t->scratch_pid_cap);
        if (rc)
            return rc;
        uint8_t type = t->op.type;
        if (type == REC_OP_LOAD || type == REC_OP_KEYFRAME) {
            if (grow_array((void **)&t->anchor, &t->anchor_cap, t->nanchor, 1, sizeof *t->anchor))
                return -2;
            t->anchor[t->nanchor++] = off;
            for (size_t i = 0; i < t->scratch.nregions; i++)
                if (process_of(&t->scratch, t->scratch_pid[i], &t->scratch.regions[i].process))
                    return -2;
        }
        if (type == REC_OP_LOAD || type == REC_OP_RECORD || type == REC_OP_RELEASE || type == REC_OP_RETAIN)
            if (add_position(t, off))
                return -2;
        /* each RECORD, RELEASE, RETAIN the recorder journaled changed its
         * model once: counted here, checked against the trailer's count */
        if (type == REC_OP_RECORD || type == REC_OP_RELEASE || type == REC_OP_RETAIN)
            *changes += 1;
        if ((rc = replay ? feed_model(t) : feed_devices(t)) != 0)
            return rc;
        if (t->npos && (type != REC_OP_KEYFRAME && type != REC_OP_SYNC))
            t->pos_changes[t->npos - 1] = replay ? peaks_status(t->model)->changes : *changes;
        off = at;
    }
    return t->npos ? 0 : -1;
}

/* The positions, and the marks: from the trailer when it holds (a walk
 * without the model: ~10x faster, bench/RESULTS.md 10), else by replaying
 * every change, with a warning when a trailer was there but did not fit. */
static int index_and_mark(recording_source *t)
{
    uint64_t changes = 0;
    char why[200];
    if (t->rf.trailer) {
        int rc = index_ops(t, false, &changes);
        if (rc)
            return rc;
        if (rec_trailer_apply(&t->rf, t->model, changes, why, sizeof why) == 0)
            return 0;
        if (!t->rf.warning[0])
            snprintf(t->rf.warning, sizeof t->rf.warning, "%.80s: %.120s: trailer ignored, replayed",
                     t->rf.path, why);
        peaks_free(t->model);
        if (!(t->model = peaks_new()))
            return -2;
        t->npos = t->nanchor = 0;
        changes = 0;
    }
    return index_ops(t, true, &changes);
}

/* The position where the highest per-core `used` mark was first reached. */
static size_t find_peak(const recording_source *t)
{
    uint64_t best = 0;
    const peak_moment *at = NULL;
    for (size_t i = 0; i < peaks_ndevices(t->model); i++) {
        const peak_device *d = peaks_device_at(t->model, i);
        for (uint32_t c = 0; c < d->ncores; c++)
            if (!at || d->cores[c].used > best) {
                best = d->cores[c].used;
                at = &d->cores[c].at;
            }
    }
    if (!at)
        return 0;
    size_t found = 0;
    for (size_t p = 0; p < t->npos; p++)
        if (t->pos_changes[p] == at->seq) {
            found = p;
            if (at->kind != 0)
                break; /* a record: the first with its count; a start: the last */
        }
    return found;
}

static void close_recording(void *self)
{
    recording_source *t = self;
    rec_file_free(&t->rf);
    peaks_free(t->model);
    free(t->pos_off);
    free(t->pos_changes);
    free(t->anchor);
    for (size_t i = 0; i < t->ncp; i++) {
        snapshot_free(&t->cp[i].lists);
        free(t->cp[i].refs);
    }
    free(t->cp);
    free(t->rpid);
    free(t->rref);
    free(t->scratch_pid);
    snapshot_free(&t->cur);
    snapshot_free(&t->scratch);
    rec_op_free(&t->op);
    free(t);
}

static void *open_recording(const source_params *p, source_status *st, char *err, size_t errlen)
{
    recording_source *t = source_state_new(sizeof *t, st, err, errlen);
    if (!t)
        return NULL;
    snapshot_init(&t->cur);
    snapshot_init(&t->scratch);
    int rc = rec_load(&t->rf, p->path ? p->path : "", err, errlen);
    if (rc == REC_OK) {
        t->model = peaks_new();
        rc = !t->model ? -2 : index_and_mark(t);
        if (rc == 0)
            rc = keep_checkpoints(t);
        if (rc)
            snprintf(err, errlen, rc == -2 ? "%s: out of memory" : "%s: malformed operation in the journal",
                     t->rf.path);
        rc = rc == -2 ? REC_EIO : rc ? REC_EBAD : REC_OK;
    }
    if (rc != REC_OK) {
        *st = rc == REC_ENOINPUT ? SRC_MISSING : rc == REC_EBAD ? SRC_CORRUPT : SRC_IO;
        close_recording(t);
        return NULL;
    }
    t->peak = find_peak(t);
    t->pos = t->peak;
    t->shown = SIZE_MAX;
    return t;
}

static source_status fill(void *self, snapshot *s, char *err, size_t errlen)
{
    recording_source *t = self;
    if (t->shown == t->pos) {
        s->unchanged = true;
    } else {
        int rc = seek_state(t, t->pos);
        if (rc == 0)
            rc = snapshot_copy(s, &t->cur) ? -2 : 0;
        if (rc) {
            t->shown = SIZE_MAX;
            snprintf(err, errlen, "%s: %s at position %zu", t->rf.path,
                     rc == -2 ? "out of memory" : "malformed operation", t->pos);
            return rc == -2 ? SRC_IO : SRC_CORRUPT;
        }
        t->shown = t->pos;
    }
    s->timestamp_ns = t->cur_time;
    s->have_segment = true;
    s->peaks = t->model;
    return SRC_OK;
}

static const char *warning(const void *self)
{
    return ((const recording_source *)self)->rf.warning;
}

static size_t tl_length(const void *self) { return ((const recording_source *)self)->npos; }
static size_t tl_position(const void *self) { return ((const recording_source *)self)->pos; }
static size_t tl_peak(const void *self) { return ((const recording_source *)self)->peak; }

static void tl_seek(void *self, size_t pos)
{
    recording_source *t = self;
    t->pos = pos < t->npos ? pos : t->npos - 1;
}

static const char *const op_names[] = {
    [REC_OP_LOAD] = "start", [REC_OP_RECORD] = "record", [REC_OP_RELEASE] = "release",
    [REC_OP_RETAIN] = "writer gone",
};

static void tl_label(const void *self, size_t pos, char *buf, size_t n)
{
    const recording_source *t = self;
    if (pos >= t->npos) {
        snprintf(buf, n, "-");
        return;
    }
    uint8_t type = t->rf.ops[t->pos_off[pos]];
    uint64_t when = 0;
    for (int i = 0; i < 8; i++)
        when |= (uint64_t)t->rf.ops[t->pos_off[pos] + 1 + (size_t)i] << (8 * i);
    double secs = when > t->rf.start_ns ? (double)(when - t->rf.start_ns) / 1e9 : 0.0;
    snprintf(buf, n, "change %zu/%zu  +%.3fs  %s%s", pos + 1, t->npos, secs,
             type < sizeof op_names / sizeof op_names[0] && op_names[type] ? op_names[type] : "?",
             pos == t->peak ? "  PEAK" : "");
}

/* ---------- one core over the timeline ---------- */

/* A position's op moves bytes on core (x, y) of device `device` when the
 * region it records, releases or drops (a writer gone) has bytes there
 * (the accounting's rule, region_bytes_on_core); a start moves every core. */
static bool region_on_core(const snapshot *s, size_t i, uint32_t device, uint16_t x, uint16_t y)
{
    const snap_region *r = &s->regions[i];
    return s->devices[r->device].id == device && region_bytes_on_core(s, r, x, y) > 0;
}

/* Apply position p's op to cur; whether it moved the core. -1: the journal
 * could not be read (malformed, memory). */
static int step_touches(recording_source *t, size_t p, uint32_t device, uint16_t x, uint16_t y)
{
    uint8_t type = t->rf.ops[t->pos_off[p]];
    if (type == REC_OP_LOAD)
        return seek_state(t, p) ? -1 : 1;
    /* cur just after position p - 1 (a walk's last step): on from there;
     * else seek, which would restart from a checkpoint if cur were past it. */
    bool after_prev = t->valid && p > 0 && t->next_off > t->pos_off[p - 1] && t->next_off <= t->pos_off[p];
    if (p > 0 && !after_prev && seek_state(t, p - 1))
        return -1;
    while (t->next_off < t->pos_off[p]) /* the ops between two positions (devices, keyframes) */
        if (step(t)) {
            t->valid = false;
            return -1;
        }
    size_t at = t->next_off, before = t->cur.nregions;
    bool hit = false;
    if (type == REC_OP_RELEASE || type == REC_OP_RETAIN) {
        if (rec_decode(&t->rf, &at, &t->op, &t->scratch, &t->scratch_pid, &t->scratch_pid_cap))
            return -1;
        for (size_t i = 0; i < before && !hit; i++)
            if (type == REC_OP_RELEASE ? t->cur.regions[i].handle == t->op.handle
                                       : !pid_in(t->op.pids, t->op.npids, t->rpid[i]))
                hit = region_on_core(&t->cur, i, device, x, y);
    }
    if (seek_state(t, p))
        return -1;
    if (type == REC_OP_RECORD && t->cur.nregions > before)
        hit = region_on_core(&t->cur, t->cur.nregions - 1, device, x, y);
    return hit;
}

/* The first (or the last) position in [lo, hi) that moves the core. */
static size_t scan_core(recording_source *t, size_t lo, size_t hi, uint32_t device, uint16_t x, uint16_t y,
                        bool last)
{
    size_t found = SIZE_MAX;
    for (size_t p = lo; p < hi; p++) {
        int rc = step_touches(t, p, device, x, y);
        if (rc < 0)
            return SIZE_MAX;
        if (rc && !last)
            return p;
        if (rc)
            found = p;
    }
    return found;
}

/* Forward: one walk on from `from`. Backward: stretches before `from`,
 * nearest first, each walked forward (the journal decodes forward only;
 * a walk starts at the checkpoint before it), twice as long each time, so a
 * change far back costs a few restarts, not one per checkpoint interval. */
static size_t tl_find_change(const void *self, size_t from, uint32_t device, uint16_t x, uint16_t y, int dir)
{
    recording_source *t = (recording_source *)self; /* moves cur only; the position stays */
    if (from >= t->npos || dir == 0)
        return SIZE_MAX;
    if (dir > 0)
        return scan_core(t, from + 1, t->npos, device, x, y, false);
    size_t span = REPLAY_CHECKPOINT_MIN;
    for (size_t hi = from; hi > 0; span *= 2) {
        size_t lo = hi > span ? hi - span : 0;
        size_t p = scan_core(t, lo, hi, device, x, y, true);
        if (p != SIZE_MAX)
            return p;
        hi = lo;
    }
    return SIZE_MAX;
}

/* The time of position p's op (it follows the op's type byte; tl_label
 * reads it the same way). */
static uint64_t op_time(const recording_source *t, size_t p)
{
    uint64_t when = 0;
    for (int i = 0; i < 8; i++)
        when |= (uint64_t)t->rf.ops[t->pos_off[p] + 1 + (size_t)i] << (8 * i);
    return when;
}

/* The first position after which the model had applied `seq` changes: the
 * record that reached a mark. A start: the LOAD with that count at its
 * time, else that first position. (The count never goes down.) */
static size_t tl_position_of(const void *self, uint64_t seq, uint64_t start_ns)
{
    const recording_source *t = self;
    size_t first = SIZE_MAX;
    for (size_t p = 0; p < t->npos && t->pos_changes[p] <= seq; p++) {
        if (t->pos_changes[p] != seq)
            continue;
        first = first == SIZE_MAX ? p : first;
        if (!start_ns)
            break;
        if (t->rf.ops[t->pos_off[p]] == REC_OP_LOAD && op_time(t, p) == start_ns)
            return p;
    }
    return first;
}

static size_t tl_core_peak(const void *self, uint32_t device, uint16_t x, uint16_t y)
{
    const recording_source *t = self;
    const peak_device *d = peaks_device(t->model, device);
    if (!d || x >= d->grid_x || y >= d->grid_y)
        return SIZE_MAX;
    const peak_moment *at = &d->cores[(uint32_t)y * d->grid_x + x].at;
    return tl_position_of(self, at->seq, at->kind == 0 ? at->time_ns : 0);
}

static const timeline_ops recording_timeline = {
    .length = tl_length,
    .position = tl_position,
    .seek = tl_seek,
    .peak = tl_peak,
    .label = tl_label,
    .find_change = tl_find_change,
    .core_peak = tl_core_peak,
    .position_of = tl_position_of,
};

const source_ops source_recording = {
    .name = "recording",
    .wanted = wanted,
    .open = open_recording,
    .fill = fill,
    .warning = warning,
    .close = close_recording,
    .timeline = &recording_timeline,
};
