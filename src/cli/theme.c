/*
 * theme.c - theme files: parsing and finding them (see theme.h); the
 * colours themselves are the views' (views/theme_color.c).
 */
#define _GNU_SOURCE
#include "cli/theme.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/text_file.h"
#include "cli/yaml_walk.h"

#ifndef L1TOP_DATADIR
#define L1TOP_DATADIR "/usr/local/share/l1top"
#endif

const char *const theme_shipped[THEME_SHIPPED_COUNT] = { "default", "light", "mono", "colorblind", "high-contrast" };

/* ---------- parsing ---------- */

static const char *const color_names[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };

/* A colour: a name, bright-NAME, 0-255, "#rrggbb", or default (-1). */
static int parse_color(walk *w, const yaml_node_t *n, const char *key, int16_t *idx, rgb *value)
{
    const char *s;
    if (yw_want_scalar(w, n, key, &s))
        return -1;
    if (strcmp(s, "default") == 0) {
        *idx = -1;
        if (value)
            return yw_fail(w, n, "%s: a heatmap stop needs a real colour, not default", key);
        return 0;
    }
    for (int i = 0; i < 8; i++) {
        char bright[32];
        snprintf(bright, sizeof bright, "bright-%s", color_names[i]);
        if (strcmp(s, color_names[i]) == 0 || strcmp(s, bright) == 0) {
            *idx = (int16_t)(strcmp(s, color_names[i]) == 0 ? i : i + 8);
            if (value)
                *value = xterm256_rgb(*idx);
            return 0;
        }
    }
    if (s[0] == '#' && strlen(s) == 7) {
        bool ok = true;
        for (int i = 1; i < 7; i++)
            ok &= isxdigit((unsigned char)s[i]) != 0;
        if (ok) {
            rgb c = rgb_hex((uint32_t)strtoul(s + 1, NULL, 16));
            *idx = (int16_t)rgb_to_xterm256(c);
            if (value)
                *value = c;
            return 0;
        }
    }
    char *end;
    long v = strtol(s, &end, 10);
    if (*s && !*end && v >= 0 && v <= 255) {
        *idx = (int16_t)v;
        if (value)
            *value = xterm256_rgb((int)v);
        return 0;
    }
    return yw_fail(w, n, "%s: '%s' is not a colour (a name like red or bright-red, 0-255, #rrggbb, default)", key, s);
}

static int parse_pair(walk *w, const yaml_node_t *n, const char *key, theme_pair *p)
{
    if (yw_check_mapping(w, n, key))
        return -1;
    static const char *const keys[] = { "fg", "bg" };
    for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, q->key), *v = yaml_document_get_node(w->doc, q->value);
        const char *ks = yw_scalar(k);
        if (strcmp(ks, "fg") == 0) {
            if (parse_color(w, v, "fg", &p->fg, NULL))
                return -1;
        } else if (strcmp(ks, "bg") == 0) {
            if (parse_color(w, v, "bg", &p->bg, NULL))
                return -1;
        } else {
            char where[48];
            snprintf(where, sizeof where, " in %s", key);
            return yw_unknown_key(w, k, ks, keys, 2, where);
        }
    }
    return 0;
}

static const char *const theme_keys[] = { "name", "description", "monochrome", "header", "table",
                                          "bar", "warning", "critical", "heatmap" };

/* Where the colour pair of a theme key is in a theme; false: not a pair. */
static bool pair_offset(const char *key, size_t *offset)
{
    static const struct {
        const char *key;
        size_t offset;
    } pairs[] = {
        { "header", offsetof(theme, header) },   { "table", offsetof(theme, table) },
        { "bar", offsetof(theme, bar) },         { "warning", offsetof(theme, warning) },
        { "critical", offsetof(theme, critical) },
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(pairs[i].key, key) == 0) {
            *offset = pairs[i].offset;
            return true;
        }
    return false;
}

static int parse_theme(walk *w, const yaml_node_t *root, theme *t)
{
    if (yw_check_mapping(w, root, "a theme"))
        return -1;
    size_t offset;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *ks = yw_scalar(k), *s;
        if (strcmp(ks, "name") == 0 || strcmp(ks, "description") == 0) {
            if (yw_want_scalar(w, v, ks, &s))
                return -1;
        } else if (strcmp(ks, "monochrome") == 0) {
            if (yw_parse_bool(w, v, ks, &t->monochrome))
                return -1;
        } else if (pair_offset(ks, &offset)) {
            if (parse_pair(w, v, ks, (theme_pair *)((char *)t + offset)))
                return -1;
        } else if (strcmp(ks, "heatmap") == 0) {
            if (v->type != YAML_SEQUENCE_NODE)
                return yw_fail(w, v, "heatmap: expected a list of colour stops, low to high");
            size_t n = 0;
            for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
                yaml_node_t *item = yaml_document_get_node(w->doc, *it);
                if (n == THEME_MAX_STOPS)
                    return yw_fail(w, item, "heatmap: at most %d stops", THEME_MAX_STOPS);
                int16_t idx;
                if (parse_color(w, item, "heatmap", &idx, &t->ramp[n]))
                    return -1;
                n++;
            }
            if (n < 2)
                return yw_fail(w, v, "heatmap: needs at least 2 colour stops");
            t->nramp = n;
        } else {
            return yw_unknown_key(w, k, ks, theme_keys, sizeof theme_keys / sizeof theme_keys[0], " in a theme");
        }
    }
    return 0;
}

static int parse_theme_fn(walk *w, yaml_node_t *root, void *t) { return parse_theme(w, root, t); }

int theme_load_string(theme *t, const char *name, const char *data, size_t len, char *err, size_t errlen)
{
    theme next;
    theme_default(&next); /* unnamed parts keep the default's colours */
    int rc = yw_parse_document(name, data, len, parse_theme_fn, &next, "an empty theme", err, errlen);
    if (rc == 0) {
        *t = next;
        snprintf(t->path, sizeof t->path, "%s", name);
    }
    return rc;
}

int theme_load_file(theme *t, const char *path, char *err, size_t errlen)
{
    char *data;
    size_t len;
    if (read_small_text_file(path, &data, &len, NULL, err, errlen) != 0)
        return -1;
    int rc = theme_load_string(t, path, data, len, err, errlen);
    free(data);
    return rc;
}

static bool try_dir(theme *t, const char *dir, const char *name, char *err, size_t errlen, int *rc)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s.yaml", dir, name) >= sizeof path || access(path, F_OK) != 0)
        return false;
    *rc = theme_load_file(t, path, err, errlen);
    if (*rc == 0)
        snprintf(t->name, sizeof t->name, "%s", name);
    return true;
}

int theme_find(theme *t, const char *name, char *err, size_t errlen)
{
    if (!name || !*name || strchr(name, '/') || strlen(name) > 63) {
        snprintf(err, errlen, "theme: '%s' is not a theme name", name ? name : "");
        return -1;
    }
    int rc = 0;
    char dir[PATH_MAX];
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(dir, sizeof dir, "%s/l1top/themes", xdg);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.config/l1top/themes", home);
    else
        dir[0] = '\0';
    if (dir[0] && try_dir(t, dir, name, err, errlen, &rc))
        return rc;
    const char *env = getenv("L1TOP_THEME_DIR");
    if (env && *env && try_dir(t, env, name, err, errlen, &rc))
        return rc;
    if (try_dir(t, L1TOP_DATADIR "/themes", name, err, errlen, &rc))
        return rc;
    /* Next to the binary: build/l1top finds ./themes of the source tree. */
    char self[PATH_MAX - 64]; /* room for the suffixes below */
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(dir, sizeof dir, "%s/../themes", self);
            if (try_dir(t, dir, name, err, errlen, &rc))
                return rc;
            snprintf(dir, sizeof dir, "%s/../share/l1top/themes", self);
            if (try_dir(t, dir, name, err, errlen, &rc))
                return rc;
        }
    }
    if (strcmp(name, "default") == 0) {
        theme_default(t);
        return 0;
    }
    snprintf(err, errlen, "theme '%s' not found (looked in ~/.config/l1top/themes, %s/themes)", name, L1TOP_DATADIR);
    return -1;
}
