/*
 * json_snapshot.h - source: a snapshot saved with `l1top --once --format
 * json` (schema 1 with per-device `regions`), read back into the model. The
 * accounting is recomputed from the regions, never taken from the file, so
 * a saved snapshot answers --diff and --fit exactly as the live one did.
 */
#ifndef L1TOP_JSON_SNAPSHOT_H
#define L1TOP_JSON_SNAPSHOT_H

#include <stddef.h>

#include "model/snapshot.h"

/* Returns: 0; JSNAP_EDATA with a one-line reason in err ("FILE:LINE:COL:
 * ..." for JSON syntax, "FILE: devices[0].regions[3].address: ..." for a
 * value, "FILE: neither a saved l1top snapshot ... nor a ttnn graph trace"
 * for other JSON); JSNAP_EFOREIGN for JSON shaped like a trace (a list, or
 * an object with "graph"), for the trace reader; JSNAP_ENOINPUT with "FILE:
 * No such file or directory" (or why it cannot be opened). s is reset
 * first and left empty on error. */
enum { JSNAP_EDATA = -1, JSNAP_ENOINPUT = -2, JSNAP_EFOREIGN = -3 };
int json_snapshot_load(const char *path, snapshot *s, char *err, size_t errlen);

/* The same from memory (name labels the messages). */
int json_snapshot_parse(const char *data, size_t len, const char *name, snapshot *s, char *err, size_t errlen);

/* What a JSON file given as an answer's input holds, from its first bytes
 * (a saved snapshot starts with its "schema" key; a ttnn trace is a node
 * list or an object starting with "graph"): JSNAP_IS_SNAPSHOT,
 * JSNAP_IS_TRACE, or JSNAP_IS_UNKNOWN (keys reordered, say by jq -S: load
 * it as a snapshot, and as a trace when that says JSNAP_EFOREIGN). */
enum { JSNAP_IS_UNKNOWN = 0, JSNAP_IS_SNAPSHOT, JSNAP_IS_TRACE };
int json_snapshot_sniff(const char *path);

/* The file source (source.h) that reads path: "snapshot" for a saved
 * snapshot, else "trace" (which says what it is not). */
const char *json_snapshot_file_source(const char *path);

#endif
