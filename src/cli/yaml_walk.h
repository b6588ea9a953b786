/*
 * yaml_walk.h - helpers to walk a libyaml document with precise errors:
 * every problem becomes "FILE:LINE:COL: message". Shared by the
 * configuration and theme loaders.
 */
#ifndef L1TOP_YAML_WALK_H
#define L1TOP_YAML_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

typedef struct {
    const char *file;
    yaml_document_t *doc;
    char *err;
    size_t errlen;
} walk;

/* Mappings and lists nested deeper than this are refused (FILE:LINE:COL). */
#define YW_MAX_DEPTH 64

/* Parse the first document of data (named `name` in messages). 0 with
 * parser and doc to delete by the caller, or -1 with "NAME:LINE:COL: not
 * valid YAML: ..." in err and nothing to delete. */
int yw_load(yaml_parser_t *parser, yaml_document_t *doc, const char *name, const char *data, size_t len, char *err,
            size_t errlen);
/* What a loader does with a document's root node. */
typedef int (*yw_root_fn)(walk *w, yaml_node_t *root, void *ctx);
/* Parse data (named `name` in messages) as exactly one YAML document and
 * give its root to fn. An empty document (nothing, or only comments) is
 * fine without calling fn when `empty` is NULL, else the error
 * "NAME:1:1: <empty>". A second document is an error. 0, or -1 with
 * "NAME:LINE:COL: message" in err. */
int yw_parse_document(const char *name, const char *data, size_t len, yw_root_fn fn, void *ctx, const char *empty,
                      char *err, size_t errlen);
/* Set the error at node n (NULL: 1:1); always returns -1. */
int yw_fail(walk *w, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The scalar's text, or NULL when n is not a scalar. */
const char *yw_scalar(const yaml_node_t *n);
int yw_want_scalar(walk *w, const yaml_node_t *n, const char *key, const char **out);
/* "unknown key 'x'WHERE", with a did-you-mean among known. */
int yw_unknown_key(walk *w, const yaml_node_t *n, const char *key, const char *const *known, size_t nknown,
                   const char *where);
/* A mapping with plain, unique keys, else an error naming `what`. */
int yw_check_mapping(walk *w, const yaml_node_t *map, const char *what);
int yw_parse_bool(walk *w, const yaml_node_t *n, const char *key, bool *out);
int yw_parse_enum(walk *w, const yaml_node_t *n, const char *key, const char *const *names, size_t count, int *out);
/* The value of key in a checked mapping, or NULL. */
yaml_node_t *yw_map_get(walk *w, const yaml_node_t *map, const char *key);
/* Levenshtein distance, for did-you-mean. */
unsigned edit_distance(const char *a, const char *b);

#endif
