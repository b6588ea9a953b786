/*
 * output_csv.c - `--format csv`: one row per core, after one header row
 * (with -n, rows of every snapshot follow the one header, told apart by
 * their timestamp column),
 * quoted as RFC 4180 says (CRLF line ends; fields with a comma, quote or
 * line break in double quotes, quotes doubled).
 */
#include <stdio.h>
#include <string.h>

#include "views/format.h"
#include "views/output.h"
#include "views/view_common.h"

static void field(FILE *f, const char *v)
{
    if (strpbrk(v, ",\"\r\n") == NULL) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

int output_csv(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    if (!o || !o->continued) {
        fputs("timestamp,device,arch,x,y", f);
        for (int k = 0; k < CAT_COUNT; k++)
            fprintf(f, ",%s", category_key[k]);
        fputs(",largest_free,used_pct,cb_room,cb_extent\r\n", f);
    }
    char when[40];
    format_iso8601(s->timestamp_ns, when, sizeof when);
    for (size_t i = 0; i < a->ndevices; i++) {
        const device_usage *du = &a->devices[i];
        const snap_device *d = &s->devices[du->device];
        if (!output_device_selected(o, d->id))
            continue;
        for (uint32_t c = 0; c < du->ncores; c++) {
            const core_usage *u = &du->cores[c];
            fprintf(f, "%s,%u,", when, d->id);
            field(f, d->arch_name);
            fprintf(f, ",%u,%u", c % d->grid_x, c / d->grid_x);
            for (int k = 0; k < CAT_COUNT; k++)
                fprintf(f, ",%llu", (unsigned long long)u->bytes[k]);
            fprintf(f, ",%llu,%.3f,%u,%u\r\n", (unsigned long long)u->largest_free, usage_used_pct(u->bytes),
                    u->cb_room, u->cb_extent);
        }
    }
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

const output_format output_format_csv = {
    .name = "csv",
    .once = output_csv,
    .help = "one row per core, RFC 4180 (-n: one header, then every snapshot's rows)",
    .content_type = "text/csv; charset=utf-8",
};
