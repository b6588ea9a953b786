/*
 * cli.c - see cli.h.
 */
#define _GNU_SOURCE
#include "cli/cli.h"

#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "sources/source.h"

/* ---------- what the options do ---------- */

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* A count from 1 to max, else "OPTION takes WHAT, not 'ARG'". */
static int positive(const char *arg, unsigned long max, unsigned long *v, const char *what, char *err, size_t errlen)
{
    if (parse_ulong(arg, max, v) == 0 && *v > 0)
        return 0;
    snprintf(err, errlen, "%s, not '%s'", what, arg);
    return EXIT_USAGE;
}

static int opt_format(cli_options *o, const char *arg, char *err, size_t errlen)
{
    o->format_given = true;
    o->format = output_format_by_name(arg);
    if (o->format)
        return 0;
    char names[128];
    snprintf(err, errlen, "unknown format '%s' (%s)", arg, output_format_names(names, sizeof names));
    return EXIT_USAGE;
}

static int opt_device(cli_options *o, const char *arg, char *err, size_t errlen)
{
    unsigned long v;
    if (parse_ulong(arg, UINT32_MAX, &v)) {
        snprintf(err, errlen, "--device takes a device number, not '%s'", arg);
        return EXIT_USAGE;
    }
    if (o->output.ndevices == OUTPUT_MAX_DEVICE_FILTER) {
        snprintf(err, errlen, "too many --device options (at most %d)", OUTPUT_MAX_DEVICE_FILTER);
        return EXIT_USAGE;
    }
    o->output.devices[o->output.ndevices++] = (uint32_t)v;
    return 0;
}

static int opt_delay(cli_options *o, const char *arg, char *err, size_t errlen)
{
    unsigned long v;
    if (positive(arg, CLI_MAX_DELAY_TENTHS, &v, "--delay takes tenths of a second from 1 to 600", err, errlen))
        return EXIT_USAGE;
    o->delay_tenths = (unsigned)v;
    return 0;
}

static int opt_iterations(cli_options *o, const char *arg, char *err, size_t errlen)
{
    unsigned long v;
    if (positive(arg, CLI_MAX_ITERATIONS, &v, "-n takes a positive number of snapshots", err, errlen))
        return EXIT_USAGE;
    o->iterations = (long)v;
    o->once = true;
    return 0;
}

static int opt_duration(cli_options *o, const char *arg, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v > 0) || v > CLI_MAX_DURATION_S) {
        snprintf(err, errlen, "--duration takes seconds, more than 0 and at most %d", CLI_MAX_DURATION_S);
        return EXIT_USAGE;
    }
    o->duration = v;
    return 0;
}

static int opt_frames(cli_options *o, const char *arg, char *err, size_t errlen)
{
    unsigned long v;
    if (positive(arg, CLI_MAX_FRAMES, &v, "--frames takes a positive count", err, errlen))
        return EXIT_USAGE;
    o->max_frames = (long)v;
    return 0;
}

static int board_name(const char **out, const char *arg, char *err, size_t errlen)
{
    if (!board_by_name(arg)) {
        snprintf(err, errlen, "unknown board '%s' (e150, n150, n300, p100, p150, t3000, galaxy)", arg);
        return EXIT_USAGE;
    }
    *out = arg;
    return 0;
}

static int opt_demo_board(cli_options *o, const char *arg, char *err, size_t errlen)
{
    return board_name(&o->demo_board, arg, err, errlen);
}

static int opt_board(cli_options *o, const char *arg, char *err, size_t errlen)
{
    return board_name(&o->board, arg, err, errlen);
}

static int opt_source(cli_options *o, const char *arg, char *err, size_t errlen)
{
    if (strcmp(arg, "l1top") == 0)
        o->source = SOURCE_L1TOP;
    else if (strcmp(arg, "tt-metal") == 0)
        o->source = SOURCE_TTMETAL;
    else if (strcmp(arg, "all") == 0)
        o->source = SOURCE_ALL;
    else {
        snprintf(err, errlen, "unknown source '%s' (l1top, tt-metal, all)", arg);
        return EXIT_USAGE;
    }
    return 0;
}

static int opt_theme(cli_options *o, const char *arg, char *err, size_t errlen)
{
    if (!*arg || strchr(arg, '/') || strlen(arg) >= CLI_MAX_THEME_NAME) {
        snprintf(err, errlen, "--theme takes a theme name, not '%s'", arg);
        return EXIT_USAGE;
    }
    o->theme = arg;
    return 0;
}

/* A percentage: a number >= 0, "5", "2.5" or "5%". */
static int parse_pct(const char *s, double *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    double v = strtod(s, &end);
    if (end != s && *end == '%')
        end++;
    if (errno || end == s || *end || !(v >= 0 && v <= CLI_MAX_GROWTH_PCT))
        return -1;
    *out = v;
    return 0;
}

static int opt_max_growth(cli_options *o, const char *arg, char *err, size_t errlen)
{
    if (parse_pct(arg, &o->max_growth)) {
        snprintf(err, errlen, "--max-growth takes a percentage like 5 or 2.5%%, not '%s'", arg);
        return EXIT_USAGE;
    }
    o->max_growth_given = true;
    return 0;
}

/* What the answers (--fit, --diff) allow beside them; --diff's second file. */
static int check_answers(int argc, char **argv, cli_options *o, char *err, size_t errlen)
{
    if (o->diff_a) {
        if (optind >= argc) {
            snprintf(err, errlen, "--diff takes two files: --diff A B");
            return EXIT_USAGE;
        }
        o->diff_b = argv[optind++];
    }
    if (o->replay) { /* a recording is read like a trace: the same timeline, --once, --fit */
        if (o->trace || o->record) {
            snprintf(err, errlen, "--replay reads one file: not with --trace or --record");
            return EXIT_USAGE;
        }
        o->trace = o->replay;
    }
    if (o->record && (o->trace || o->serve || (o->once && !o->iterations) || o->fit || o->diff_a || o->demo)) {
        snprintf(err, errlen, "--record runs alone on the live segment (with -n, --duration, -d)");
        return EXIT_USAGE;
    }
    if (o->fit && o->diff_a) {
        snprintf(err, errlen, "--fit and --diff are separate questions: ask one at a time");
        return EXIT_USAGE;
    }
    if (o->max_growth_given && !o->diff_a) {
        snprintf(err, errlen, "--max-growth goes with --diff");
        return EXIT_USAGE;
    }
    if ((o->fit || o->diff_a) && (o->serve || o->iterations || (o->diff_a && o->demo))) {
        snprintf(err, errlen, "--fit and --diff answer once: not with --serve or -n (nor --diff with --demo)");
        return EXIT_USAGE;
    }
    if (o->diff_a && (o->trace || o->output.ndevices)) {
        snprintf(err, errlen, "--diff compares every device of its own two files: not with --trace or -D");
        return EXIT_USAGE;
    }
    if ((o->fit || o->diff_a) && strcmp(o->format->name, "text") != 0 && strcmp(o->format->name, "json") != 0) {
        snprintf(err, errlen, "--fit and --diff answer in text or json");
        return EXIT_USAGE;
    }
    return 0;
}

/* ---------- the option table: parsing and --help ---------- */

typedef enum { OPT_FLAG, OPT_TEXT, OPT_CALL } opt_kind;

typedef struct {
    const char *name;       /* --name */
    char short_name;        /* -x, or 0 */
    const char *arg;        /* the value's name in --help; NULL: takes none */
    opt_kind kind;
    size_t field;           /* OPT_FLAG: a bool, OPT_TEXT: a const char * in cli_options */
    int (*call)(cli_options *o, const char *arg, char *err, size_t errlen); /* OPT_CALL */
    const char *help;       /* '\n' continues on the next line */
} cli_option;

#define FLAG(member) OPT_FLAG, offsetof(cli_options, member), NULL
#define TEXT(member) OPT_TEXT, offsetof(cli_options, member), NULL
#define CALL(fn) OPT_CALL, 0, fn

/* In --help order. */
static const cli_option options[] = {
    { "once", '1', NULL, FLAG(once), "print one snapshot and exit" },
    { "format", 'f', "FMT", CALL(opt_format), "--once output: one of the formats below" },
    { "iterations", 'n', "N", CALL(opt_iterations), "print N snapshots at the refresh interval (JSON: one per line)" },
    { "shm", 's', "NAME", TEXT(shm), "segment to read (default $L1TOP_SHM, else /l1top)" },
    { "device", 'D', "N", CALL(opt_device), "show device N only (repeatable)" },
    { "source", 0, "SRC", CALL(opt_source), "l1top (our segment), tt-metal (TT-Metal's allocator statistics\n"
                                            "files), all (default when such files exist)" },
    { "tt-metal-dir", 0, "D", TEXT(tt_metal_dir), "where tt_device_*_memory files are (default /dev/shm)" },
    { "sysfs-root", 0, "DIR", TEXT(sysfs_root), "read the driver's /sys and /proc files under DIR (tests)" },
    { "trace", 0, "FILE", TEXT(trace), "replay a ttnn graph capture; --once prints the state at the per-core peak" },
    { "replay", 0, "FILE", TEXT(replay), "open a --record recording on its timeline; --once prints the state at\n"
                                         "the per-core peak" },
    { "record", 0, "FILE", TEXT(record), "record the segment's changes to FILE (no TUI) until SIGINT/SIGTERM,\n"
                                         "--duration or -n refreshes" },
    { "duration", 0, "SECS", CALL(opt_duration), "how long --record runs" },
    { "board", 0, "B", CALL(opt_board), "board of a trace that does not say (default: guessed from the trace)" },
    { "serve", 0, "ADDR:PORT", TEXT(serve), "serve Prometheus metrics over HTTP (/metrics, /healthz), e.g.\n"
                                             "127.0.0.1:9617; refreshed on scrape, cached for the refresh interval" },
    { "per-process-metrics", 0, NULL, FLAG(output.per_process_metrics),
      "Prometheus: add per-pid series (pid, comm labels; off by default)" },
    { "fit", 0, "SPEC", TEXT(fit), "will it fit: e.g. 'cb 300KiB on 0-0..7-7 + interleaved 4MiB page 2KiB', on\n"
                                   "the segment or a --trace (its peak); exit 0 fits, 1 not, 65 bad SPEC" },
    { "diff", 0, "A B", TEXT(diff_a), "compare two snapshots (--once --format json files) or traces (their\n"
                                      "peaks): per device and category, then per core" },
    { "max-growth", 0, "PCT", CALL(opt_max_growth),
      "--diff: exit 1 when a category or a core grows by more than PCT %" },
    { "delay", 'd', "TENTHS", CALL(opt_delay), "refresh interval in tenths of a second (default: config, 10)" },
    { "config", 'c', "FILE", TEXT(config_path), "configuration file (default: $L1TOP_CONFIG, then\n"
                                                  "$XDG_CONFIG_HOME/l1top/config.yaml, /etc/l1top/config.yaml)" },
    { "print-config", 0, NULL, FLAG(print_config), "print the effective configuration and where each part came from" },
    { "theme", 0, "NAME", CALL(opt_theme), "colour theme (default, light, mono, colorblind, high-contrast)" },
    { "demo", 0, NULL, FLAG(demo), "run a simulated workload (l1sim) on a private segment" },
    { "demo-board", 0, "B", CALL(opt_demo_board), "board for --demo: e150 n150 n300 p100 p150 t3000 galaxy" },
    { "no-color", 0, NULL, FLAG(no_color), "monochrome display (also NO_COLOR)" },
    { "frames", 0, "N", CALL(opt_frames), "interactive: exit after N refreshes (for tests)" },
    { "help", 'h', NULL, FLAG(help), "this help" },
    { "version", 'V', NULL, FLAG(version), "version" },
};

#define NOPTIONS (sizeof options / sizeof options[0])
#define LONG_ONLY_BASE 256 /* getopt_long's value for options[i] without a short name: base + i */

/* getopt_long's tables, from the one above. */
static void getopt_tables(struct option *longs, char *shorts)
{
    *shorts++ = ':'; /* a missing value is ':', not '?' */
    for (size_t i = 0; i < NOPTIONS; i++) {
        const cli_option *c = &options[i];
        longs[i] = (struct option){ c->name, c->arg ? required_argument : no_argument, NULL,
                                    c->short_name ? c->short_name : (int)(LONG_ONLY_BASE + i) };
        if (c->short_name) {
            *shorts++ = c->short_name;
            if (c->arg)
                *shorts++ = ':';
        }
    }
    longs[NOPTIONS] = (struct option){ NULL, 0, NULL, 0 };
    *shorts = '\0';
}

static const cli_option *option_for(int c)
{
    if (c >= LONG_ONLY_BASE)
        return (size_t)(c - LONG_ONLY_BASE) < NOPTIONS ? &options[c - LONG_ONLY_BASE] : NULL;
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].short_name && options[i].short_name == c)
            return &options[i];
    return NULL;
}

static int apply(const cli_option *opt, cli_options *o, const char *arg, char *err, size_t errlen)
{
    switch (opt->kind) {
    case OPT_FLAG: *(bool *)((char *)o + opt->field) = true; return 0;
    case OPT_TEXT: *(const char **)((char *)o + opt->field) = arg; return 0;
    default: return opt->call(o, arg, err, errlen);
    }
}

int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->format = output_format_at(0);
    o->demo_board = "n300";
    struct option longs[NOPTIONS + 1];
    char shorts[2 + 2 * NOPTIONS];
    getopt_tables(longs, shorts);
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1;) {
        const cli_option *opt = c == ':' || c == '?' ? NULL : option_for(c);
        if (!opt) {
            snprintf(err, errlen, c == ':' ? "option '%s' needs a value" : "unknown option '%s'", argv[optind - 1]);
            return EXIT_USAGE;
        }
        int rc = apply(opt, o, optarg, err, errlen);
        if (rc != 0)
            return rc;
    }
    int rc = check_answers(argc, argv, o, err, errlen);
    if (rc != 0)
        return rc;
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (o->serve && (o->once || o->trace || o->demo)) {
        snprintf(err, errlen, "--serve runs alone: not with --once, -n, --trace or --demo");
        return EXIT_USAGE;
    }
    return 0;
}

int cli_exit_status(source_status st)
{
    switch (st) {
    case SRC_OK: return EXIT_OK;
    case SRC_MISSING: return EXIT_NOINPUT;
    case SRC_CORRUPT: return EXIT_DATAERR;
    default: return EXIT_IOERR;
    }
}

void cli_apply_overrides(const cli_options *o, l1top_config *cfg)
{
    if (o->theme) {
        snprintf(cfg->theme, sizeof cfg->theme, "%s", o->theme);
        snprintf(cfg->origin[CFG_THEME], sizeof cfg->origin[CFG_THEME], "command line");
    }
    const char *env_shm = getenv("L1TOP_SHM");
    if (o->shm) {
        snprintf(cfg->segment, sizeof cfg->segment, "%s", o->shm);
        snprintf(cfg->origin[CFG_SEGMENT], sizeof cfg->origin[CFG_SEGMENT], "command line");
    } else if (env_shm && *env_shm) { /* the environment wins over the file, as the flag does */
        snprintf(cfg->segment, sizeof cfg->segment, "%s", env_shm);
        snprintf(cfg->origin[CFG_SEGMENT], sizeof cfg->origin[CFG_SEGMENT], "$L1TOP_SHM");
    }
    if (o->delay_tenths) {
        cfg->refresh_ms = o->delay_tenths * 100u;
        snprintf(cfg->origin[CFG_REFRESH], sizeof cfg->origin[CFG_REFRESH], "command line");
    }
    if (o->output.ndevices) {
        memcpy(cfg->devices, o->output.devices, o->output.ndevices * sizeof cfg->devices[0]);
        cfg->ndevices = o->output.ndevices;
        snprintf(cfg->origin[CFG_DEVICES], sizeof cfg->origin[CFG_DEVICES], "command line");
    }
}

/* The help column: option names, then at least one space, then the text. */
#define HELP_TEXT_COLUMN 24

static void print_option_help(const cli_option *c)
{
    char lead[64];
    int n = c->short_name ? snprintf(lead, sizeof lead, "  -%c, --%s", c->short_name, c->name)
                          : snprintf(lead, sizeof lead, "      --%s", c->name);
    if (c->arg)
        n += snprintf(lead + n, sizeof lead - (size_t)n, " %s", c->arg);
    printf("%s%*s", lead, n < HELP_TEXT_COLUMN ? HELP_TEXT_COLUMN - n : 2, "");
    for (const char *line = c->help; *line;) {
        size_t len = strcspn(line, "\n");
        printf("%.*s\n", (int)len, line);
        line += len;
        if (*line == '\n' && *++line)
            printf("%*s", HELP_TEXT_COLUMN, "");
    }
}

void cli_print_help(const char *prog)
{
    printf("Usage: %s [options]\n"
           "Show where the L1 SRAM of Tenstorrent devices goes, live and per core.\n"
           "\n",
           prog);
    for (size_t i = 0; i < NOPTIONS; i++)
        print_option_help(&options[i]);
    printf("\nFormats (-f):\n");
    for (size_t i = 0; i < output_format_count(); i++)
        printf("  %-12s %s%s\n", output_format_at(i)->name, output_format_at(i)->help, i == 0 ? " (default)" : "");
    printf("\n"
           "Exit codes:\n"
           "   0  ok\n"
           "   1  a warning threshold was crossed; --fit: it does not fit; --diff: it grew past --max-growth\n"
           "   2  a critical threshold was crossed\n"
           "  64  usage error\n"
           "  65  corrupt or foreign segment, a malformed --trace or --diff file, or a bad --fit SPEC\n"
           "  66  no segment (start an instrumented program, l1sim, or try --demo), or no --trace file\n"
           "  70  internal error\n"
           "  74  I/O error\n"
           "  78  bad configuration or theme file\n"
           " 128+N  ended by signal N (129 hang-up or dead terminal, 130 SIGINT, 143 SIGTERM;\n"
           "        141 the output's reader went away, ended quietly like cat)\n"
           "\n"
           "--once evaluates thresholds and alerts on its one snapshot ('for' is ignored)\n"
           "and exits 1 or 2 when a warning or critical one fires.\n"
           "Environment: L1TOP_SHM (segment name), L1TOP_CONFIG, NO_COLOR.\n"
           "See l1top(1).\n");
}
