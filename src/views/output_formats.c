/*
 * output_formats.c - the registry of output formats: -f parsing, the help
 * text and the dispatch all walk this one list.
 *
 * Adding a format: write output_NAME.c defining
 *     const output_format output_format_NAME = { "NAME", once, each, help, type };
 * and add one X(NAME) line below. Nothing else names the formats.
 */
#include <stdio.h>
#include <string.h>

#include "views/output.h"

/* Every format, in --help order; the first is the default. */
#define OUTPUT_FORMATS(X) \
    X(text)               \
    X(json)               \
    X(prometheus)         \
    X(csv)

#define DECLARE_FORMAT(name) extern const output_format output_format_##name;
OUTPUT_FORMATS(DECLARE_FORMAT)

#define LIST_FORMAT(name) &output_format_##name,
static const output_format *const formats[] = { OUTPUT_FORMATS(LIST_FORMAT) };

#define NFORMATS (sizeof formats / sizeof formats[0])

size_t output_format_count(void) { return NFORMATS; }

const output_format *output_format_at(size_t i) { return i < NFORMATS ? formats[i] : NULL; }

const output_format *output_format_by_name(const char *name)
{
    for (size_t i = 0; name && i < NFORMATS; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}

output_formatter output_format_formatter(const output_format *f, bool series)
{
    return series && f->each ? f->each : f->once;
}

const char *output_format_names(char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NFORMATS && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", formats[i]->name);
    return buf;
}
