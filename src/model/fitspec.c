/*
 * fitspec.c - the --fit SPEC grammar (l1top(1)):
 *
 *   SPEC   = TERM *( "+" TERM )
 *   TERM   = "cb" SIZE "on" RANGES
 *          / "sharded" SIZE "on" RANGES
 *          / "interleaved" SIZE "page" SIZE
 *   RANGES = RANGE *( "," RANGE )
 *   RANGE  = CORE [ ".." CORE ]          ; inclusive rectangle, x-y
 *   CORE   = NUMBER "-" NUMBER
 *   SIZE   = NUMBER [ UNIT ]             ; the unit may follow after a space
 *   UNIT   = "B" / "KiB" / "MiB"         ; any case; 1024-based
 *
 * Words are separated by blanks; "+" and "," need none. Pure.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/fit.h"

#define WORD_MAX 64
#define MAX_COORD 0xFFFFu

typedef struct {
    const char *p;
    char word[WORD_MAX];
    size_t index;     /* 1-based position of word */
    bool have;        /* word holds an unread token */
    char *err;
    size_t errlen;
} lexer;

static int fail(lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(lexer *lx, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (lx->have)
        snprintf(lx->err, lx->errlen, "bad SPEC at word %zu '%s': %s", lx->index, lx->word, msg);
    else
        snprintf(lx->err, lx->errlen, "bad SPEC at its end: %s", msg);
    return -1;
}

/* The next word: "+" alone, or a run of characters up to a blank or "+".
 * false at the end (or for a word too long, with err set). */
static bool next(lexer *lx, bool *too_long)
{
    *too_long = false;
    lx->have = false;
    while (*lx->p && isspace((unsigned char)*lx->p))
        lx->p++;
    if (!*lx->p)
        return false;
    size_t n = 0;
    if (*lx->p == '+') {
        lx->word[n++] = *lx->p++;
    } else {
        while (*lx->p && !isspace((unsigned char)*lx->p) && *lx->p != '+') {
            if (n + 4 >= WORD_MAX) { /* shown cut, with "..." */
                memcpy(lx->word + n, "...", 4);
                lx->index++;
                lx->have = true;
                *too_long = true;
                return false;
            }
            lx->word[n++] = *lx->p++;
        }
    }
    lx->word[n] = '\0';
    lx->index++;
    lx->have = true;
    return true;
}

/* Where the lexer is, to read a word ahead and go back. */
typedef struct {
    const char *p;
    size_t index;
    bool have;
    char word[WORD_MAX];
} lex_mark;

static void mark(const lexer *lx, lex_mark *m)
{
    m->p = lx->p;
    m->index = lx->index;
    m->have = lx->have;
    memcpy(m->word, lx->word, sizeof m->word);
}

static void back(lexer *lx, const lex_mark *m)
{
    lx->p = m->p;
    lx->index = m->index;
    lx->have = m->have;
    memcpy(lx->word, m->word, sizeof lx->word);
}

/* Read the next word or fail with `expected`. */
static int expect_word(lexer *lx, const char *expected)
{
    bool too_long;
    if (next(lx, &too_long))
        return 0;
    if (too_long)
        return fail(lx, "a word longer than %d characters", WORD_MAX - 4);
    return fail(lx, "expected %s", expected);
}

/* Leading decimal digits of s into *v (no sign, no overflow); the rest in *rest. */
static bool number(const char *s, uint64_t *v, const char **rest)
{
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno)
        return false;
    *v = x;
    *rest = end;
    return true;
}

/* The multiplier of a unit, 0 when unknown. */
static uint64_t unit_of(const char *u)
{
    if (*u == '\0' || strcasecmp(u, "B") == 0)
        return 1;
    if (strcasecmp(u, "KiB") == 0)
        return 1024;
    if (strcasecmp(u, "MiB") == 0)
        return 1024 * 1024;
    return 0;
}

/* SIZE: the current word, and the next one when it is a lone unit. */
static int size(lexer *lx, const char *what, uint64_t *out)
{
    uint64_t v;
    const char *rest;
    if (expect_word(lx, what))
        return -1;
    if (!number(lx->word, &v, &rest))
        return fail(lx, "expected %s, a size like 300KiB, 4MiB or 2048", what);
    uint64_t mult = unit_of(rest);
    if (mult == 0) {
        if (*rest == '.')
            return fail(lx, "sizes are whole numbers (1536KiB, not 1.5MiB)");
        if (strcasecmp(rest, "K") == 0 || strcasecmp(rest, "KB") == 0 || strcasecmp(rest, "M") == 0 ||
            strcasecmp(rest, "MB") == 0)
            return fail(lx, "write KiB or MiB (1024-based)");
        return fail(lx, "unknown unit '%s' (B, KiB, MiB)", rest);
    }
    if (*rest == '\0') { /* "300 KiB": a unit may follow as its own word */
        lex_mark m;
        mark(lx, &m);
        bool too_long;
        uint64_t word_mult = next(lx, &too_long) && *lx->word ? unit_of(lx->word) : 0;
        if (word_mult)
            mult = word_mult;
        else
            back(lx, &m);
    }
    if (v > FIT_MAX_SIZE / mult)
        return fail(lx, "more than 256 TiB");
    *out = v * mult;
    if (*out == 0)
        return fail(lx, "a size of 0");
    return 0;
}

/* CORE "x-y" at *s. */
static bool core(const char **s, uint16_t *x, uint16_t *y)
{
    uint64_t a, b;
    const char *rest;
    if (!number(*s, &a, &rest) || *rest != '-' || !number(rest + 1, &b, &rest) || a > MAX_COORD || b > MAX_COORD)
        return false;
    *x = (uint16_t)a;
    *y = (uint16_t)b;
    *s = rest;
    return true;
}

/* RANGES: the words up to "+" or the end, blanks dropped. */
static int ranges(lexer *lx, fit_term *t)
{
    char all[256] = "";
    size_t len = 0;
    if (expect_word(lx, "core ranges like 0-0..7-7"))
        return -1;
    for (;;) {
        size_t n = strlen(lx->word);
        if (len + n + 1 > sizeof all)
            return fail(lx, "core ranges longer than %zu characters", sizeof all - 1);
        memcpy(all + len, lx->word, n + 1);
        len += n;
        if (all[len - 1] == ',') {
            if (expect_word(lx, "another core range after ','"))
                return -1;
            continue;
        }
        lex_mark m; /* ", 0-8..3-8": a comma may also start the next word */
        mark(lx, &m);
        bool too_long;
        if (!next(lx, &too_long) || lx->word[0] != ',') {
            back(lx, &m);
            break;
        }
    }
    const char *s = all;
    for (;;) {
        l1top_range r;
        if (t->nranges == FIT_MAX_RANGES)
            return fail(lx, "more than %d core ranges in one term", FIT_MAX_RANGES);
        if (!core(&s, &r.x0, &r.y0))
            return fail(lx, "expected a core range like 0-0..7-7 (x-y..x-y) in '%s'", all);
        r.x1 = r.x0;
        r.y1 = r.y0;
        if (strncmp(s, "..", 2) == 0) {
            s += 2;
            if (!core(&s, &r.x1, &r.y1))
                return fail(lx, "expected the far corner after '..' in '%s'", all);
        }
        if (r.x1 < r.x0 || r.y1 < r.y0)
            return fail(lx, "the range %u-%u..%u-%u runs backwards (write the low corner first)", r.x0, r.y0, r.x1,
                        r.y1);
        t->ranges[t->nranges++] = r;
        if (*s == '\0')
            return 0;
        if (*s != ',')
            return fail(lx, "expected ',' or the end of the ranges in '%s'", all);
        s++;
    }
}

static int keyword(lexer *lx, const char *kw)
{
    char what[32];
    snprintf(what, sizeof what, "'%s'", kw);
    if (expect_word(lx, what))
        return -1;
    return strcmp(lx->word, kw) == 0 ? 0 : fail(lx, "expected '%s'", kw);
}

/* A size as written back: "300KiB", "4MiB", "1000B". */
static int size_text(char *buf, size_t n, uint64_t v)
{
    if (v % (1024 * 1024) == 0)
        return snprintf(buf, n, "%lluMiB", (unsigned long long)(v >> 20));
    if (v % 1024 == 0)
        return snprintf(buf, n, "%lluKiB", (unsigned long long)(v >> 10));
    return snprintf(buf, n, "%lluB", (unsigned long long)v);
}

/* A term's text for messages: "cb 300KiB on 0-0..7-7". */
static void describe(fit_term *t)
{
    static const char *const names[] = { "cb", "sharded", "interleaved" };
    char sz[32], pg[32];
    size_text(sz, sizeof sz, t->size);
    int n = snprintf(t->text, sizeof t->text, "%s %s", names[t->kind], sz);
    if (t->kind == FIT_INTERLEAVED) {
        size_text(pg, sizeof pg, t->page);
        snprintf(t->text + n, sizeof t->text - (size_t)n, " page %s", pg);
        return;
    }
    for (size_t i = 0; i < t->nranges && n > 0 && (size_t)n < sizeof t->text; i++) {
        const l1top_range *r = &t->ranges[i];
        n += snprintf(t->text + n, sizeof t->text - (size_t)n, "%s%u-%u..%u-%u", i ? "," : " on ", r->x0, r->y0,
                      r->x1, r->y1);
    }
}

static int term(lexer *lx, fit_term *t)
{
    if (expect_word(lx, "'cb', 'sharded' or 'interleaved'"))
        return -1;
    if (strcmp(lx->word, "cb") == 0)
        t->kind = FIT_CB;
    else if (strcmp(lx->word, "sharded") == 0)
        t->kind = FIT_SHARDED;
    else if (strcmp(lx->word, "interleaved") == 0)
        t->kind = FIT_INTERLEAVED;
    else
        return fail(lx, "expected 'cb', 'sharded' or 'interleaved'");
    if (size(lx, t->kind == FIT_INTERLEAVED ? "the buffer's size" : "the size per core", &t->size))
        return -1;
    if (t->kind == FIT_INTERLEAVED) {
        if (keyword(lx, "page") || size(lx, "the page size", &t->page))
            return -1;
        if (t->page > UINT32_MAX)
            return fail(lx, "a page larger than 4 GiB");
    } else {
        if (t->size > UINT32_MAX)
            return fail(lx, "more than 4 GiB per core");
        if (keyword(lx, "on") || ranges(lx, t))
            return -1;
    }
    describe(t);
    return 0;
}

int fitspec_parse(const char *text, fit_spec *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    lexer lx = { text ? text : "", "", 0, false, err, errlen };
    for (;;) {
        if (out->nterms == FIT_MAX_TERMS)
            return fail(&lx, "more than %d terms", FIT_MAX_TERMS);
        if (term(&lx, &out->terms[out->nterms]))
            return -1;
        out->nterms++;
        bool too_long;
        if (!next(&lx, &too_long)) {
            if (too_long)
                return fail(&lx, "a word longer than %d characters", WORD_MAX - 4);
            return 0;
        }
        if (strcmp(lx.word, "+") != 0)
            return fail(&lx, "expected '+' or the end of the SPEC");
    }
}
