/*
 * yaml_walk.c - see yaml_walk.h.
 */
#include "cli/yaml_walk.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A first pass over the events, stopping at the first mapping or list nested
 * deeper than YW_MAX_DEPTH: libyaml has no limit of its own, and a file of
 * 20,000 '[' would take seconds (and as much stack) to load. 0, or -1 with
 * FILE:LINE:COL in err; a syntax error is left to the real load to report. */
static int check_depth(const char *name, const char *data, size_t len, char *err, size_t errlen)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "%s:1:1: out of memory", name);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    int depth = 0, rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev))
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
            if (++depth > YW_MAX_DEPTH) {
                snprintf(err, errlen, "%s:%zu:%zu: nested deeper than %d levels", name, ev.start_mark.line + 1,
                         ev.start_mark.column + 1, YW_MAX_DEPTH);
                rc = -1;
            }
        } else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (rc != 0 || t == YAML_STREAM_END_EVENT || t == YAML_DOCUMENT_END_EVENT)
            break;
    }
    yaml_parser_delete(&p);
    return rc;
}

int yw_load(yaml_parser_t *parser, yaml_document_t *doc, const char *name, const char *data, size_t len, char *err,
            size_t errlen)
{
    if (check_depth(name, data, len, err, errlen) != 0)
        return -1;
    if (!yaml_parser_initialize(parser)) {
        snprintf(err, errlen, "%s:1:1: out of memory", name);
        return -1;
    }
    yaml_parser_set_input_string(parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(parser, doc)) {
        snprintf(err, errlen, "%s:%zu:%zu: not valid YAML: %s", name, parser->problem_mark.line + 1,
                 parser->problem_mark.column + 1, parser->problem ? parser->problem : "parse error");
        yaml_parser_delete(parser);
        return -1;
    }
    return 0;
}

int yw_parse_document(const char *name, const char *data, size_t len, yw_root_fn fn, void *ctx, const char *empty,
                      char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (yw_load(&parser, &doc, name, data, len, err, errlen) != 0)
        return -1;
    walk w = { name, &doc, err, errlen };
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = 0;
    if (!root || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
        rc = empty ? yw_fail(&w, NULL, "%s", empty) : 0;
    else
        rc = fn(&w, root, ctx);
    yaml_document_t extra;
    if (rc == 0 && yaml_parser_load(&parser, &extra)) {
        if (yaml_document_get_root_node(&extra))
            rc = yw_fail(&w, yaml_document_get_root_node(&extra), "only one YAML document is allowed");
        yaml_document_delete(&extra);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    unsigned row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned prev = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cur = row[j];
            unsigned sub = prev + (a[i - 1] != b[j - 1]);
            unsigned del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}


int yw_fail(walk *w, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(w->err, w->errlen, "%s:%zu:%zu: %s", w->file, n ? n->start_mark.line + 1 : 1,
             n ? n->start_mark.column + 1 : 1, msg);
    return -1;
}

const char *yw_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int yw_want_scalar(walk *w, const yaml_node_t *n, const char *key, const char **out)
{
    *out = yw_scalar(n);
    if (!*out)
        return yw_fail(w, n, "%s: expected a single value, not a %s", key,
                    n && n->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
    return 0;
}

int yw_unknown_key(walk *w, const yaml_node_t *n, const char *key, const char *const *known, size_t nknown,
                       const char *where)
{
    const char *best = NULL;
    unsigned best_d = 99;
    for (size_t i = 0; i < nknown; i++) {
        unsigned d = edit_distance(key, known[i]);
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
    }
    if (best && best_d <= 2 && best_d < strlen(key))
        return yw_fail(w, n, "unknown key '%s'%s; did you mean '%s'?", key, where, best);
    return yw_fail(w, n, "unknown key '%s'%s", key, where);
}

static uint64_t hash_key(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Check a mapping for duplicate keys and non-scalar keys, in linear time: a
 * hash set of the keys seen (a quadratic scan took 10 s on 20,000 keys). */
int yw_check_mapping(walk *w, const yaml_node_t *map, const char *what)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return yw_fail(w, map, "%s must be a mapping of keys to values", what);
    size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start), cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    const char **set = calloc(cap, sizeof *set);
    if (!set)
        return yw_fail(w, map, "out of memory");
    int rc = 0;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; rc == 0 && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        const char *ks = yw_scalar(k);
        if (!ks) {
            rc = yw_fail(w, k, "%s: keys must be plain names", what);
            break;
        }
        size_t i = (size_t)hash_key(ks) & (cap - 1);
        while (set[i] && strcmp(set[i], ks) != 0)
            i = (i + 1) & (cap - 1);
        if (set[i])
            rc = yw_fail(w, k, "duplicate key '%s'", ks);
        set[i] = ks;
    }
    free(set);
    return rc;
}

int yw_parse_bool(walk *w, const yaml_node_t *n, const char *key, bool *out)
{
    const char *s;
    if (yw_want_scalar(w, n, key, &s))
        return -1;
    static const char *const yes[] = { "true", "yes", "on", "True", "TRUE", "Yes", "On" };
    static const char *const no[] = { "false", "no", "off", "False", "FALSE", "No", "Off" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return yw_fail(w, n, "%s: expected true or false, not '%s'", key, s);
}

int yw_parse_enum(walk *w, const yaml_node_t *n, const char *key, const char *const *names, size_t count,
                      int *out)
{
    const char *s;
    if (yw_want_scalar(w, n, key, &s))
        return -1;
    for (size_t i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    char list[256] = "";
    for (size_t i = 0; i < count; i++) {
        strncat(list, names[i], sizeof list - strlen(list) - 1);
        if (i + 1 < count)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    return yw_fail(w, n, "%s: '%s' is not one of: %s", key, s, list);
}

yaml_node_t *yw_map_get(walk *w, const yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        if (strcmp(yw_scalar(yaml_document_get_node(w->doc, p->key)), key) == 0)
            return yaml_document_get_node(w->doc, p->value);
    return NULL;
}

