/*
 * find.h - "where is op X": which regions a query names (its tag, which is
 * the op that placed it when the writer or the trace knows one, or its
 * process's name: a substring, case-insensitive), the cores holding them,
 * and a device's tags ranked by the bytes they hold. The TUI's `/`, `n`/`N`
 * and top view read these. Pure: no I/O, no globals.
 */
#ifndef L1TOP_FIND_H
#define L1TOP_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

#define FIND_QUERY_MAX 128 /* bytes of a query, NUL included */

/* Whether needle occurs in hay, letters compared case-insensitively (UTF-8:
 * whole characters, folded by towlower in the current locale; bytes that
 * are not UTF-8 compare as they are). An empty needle matches nothing: a
 * find for nothing should highlight nothing. */
bool find_text_matches(const char *hay, const char *needle);

/* Whether region r of s matches: its tag or its process's name. */
bool find_region_matches(const snapshot *s, const snap_region *r, const char *needle);

/* A mark per core of every device of a snapshot (row-major per device).
 * It keeps the grids it was made for: asked about another snapshot's
 * cores it answers for those it knows and never reads past its own. */
typedef struct {
    size_t ndevices;
    size_t *first;      /* per device index: its first core in mark */
    uint16_t *gx, *gy;  /* per device index: the grid */
    uint8_t *mark;      /* 1: marked */
    size_t *count;      /* marked cores per device */
    size_t total;       /* marked cores in all */
} core_marks;

/* Sized for s, nothing marked. 0, or -1 when memory ran out (m empty). */
int core_marks_init(core_marks *m, const snapshot *s);
void core_marks_free(core_marks *m);
/* Mark core (x, y) of device index dev; outside its grid is ignored. */
void core_marks_set(core_marks *m, size_t dev, uint16_t x, uint16_t y);
bool core_marked(const core_marks *m, size_t dev, uint16_t x, uint16_t y);

/* Marks every core that holds bytes of a region matching needle (an
 * interleaved buffer: the banks its pages land on). m is (re)sized for s.
 * 0, or -1 when memory ran out. */
int find_cores(const snapshot *s, const char *needle, core_marks *m);

/* One tag (or op) of a device: the bytes its regions record (over all
 * their cores, overlaps not removed, as the process view counts), split as
 * the allocator sees them. */
typedef struct {
    const char *tag;            /* points into the snapshot */
    int tag_len;                /* bytes of tag that name the group */
    uint64_t tracked;           /* L1 buffers and L1_SMALL */
    uint64_t untracked;         /* CBs, kernel code, semaphores, runtime */
    uint32_t regions;
    uint32_t processes;         /* distinct processes holding it */
} tag_total;

/* A region's op: its tag up to the first blank. TT-Metal's adapter tags a
 * region with the op that placed it ("ttnn::matmul"), a trace with the op
 * and what it is ("ttnn::matmul cb"); other writers put the op first too. */
int find_op_length(const char *tag);

/* The tags of device index dev (by_op: the ops), most bytes first (ties:
 * by name). *out is malloc'd (free it); 0, or -1 when memory ran out. */
int find_tags_by_bytes(const snapshot *s, uint32_t dev, bool by_op, tag_total **out, size_t *n);

#endif
