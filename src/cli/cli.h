/*
 * cli.h - l1top's command line: options, exit codes and the help text.
 * Parsing is pure (no I/O beyond the error message buffer) so it is unit
 * tested directly.
 */
#ifndef L1TOP_CLI_H
#define L1TOP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/config.h"
#include "model/feed.h"
#include "views/output.h"

/* Exit codes (sysexits.h where one fits). */
enum {
    EXIT_OK = 0,
    EXIT_WARNING = 1,     /* a warning threshold crossed */
    EXIT_CRITICAL = 2,    /* a critical threshold crossed */
    EXIT_USAGE = 64,      /* EX_USAGE */
    EXIT_DATAERR = 65,    /* EX_DATAERR: corrupt or foreign segment */
    EXIT_NOINPUT = 66,    /* EX_NOINPUT: no segment */
    EXIT_SOFTWARE = 70,   /* EX_SOFTWARE: internal error */
    EXIT_CANTCREAT = 73,  /* EX_CANTCREAT: --record cannot create its file */
    EXIT_IOERR = 74,      /* EX_IOERR */
    EXIT_CONFIGERR = 78,  /* EX_CONFIG: bad configuration or theme */
};

/* Limits of the option values. */
#define CLI_MAX_DELAY_TENTHS 600     /* one minute */
#define CLI_MAX_ITERATIONS 100000000
#define CLI_MAX_FRAMES 1000000
#define CLI_MAX_DURATION_S 31536000 /* --duration: a year */
#define CLI_MAX_THEME_NAME 64       /* with the NUL: theme.name's size */
#define CLI_MAX_GROWTH_PCT 1e9      /* --max-growth */

typedef struct {
    bool once;
    bool help;
    bool version;
    bool demo;
    bool no_color;
    const output_format *format; /* -f: from the registry (output.h) */
    bool format_given;          /* -f/--format named: batch even without --once */
    const char *shm;            /* NULL: $L1TOP_SHM or /l1top */
    const char *demo_board;     /* default n300 */
    unsigned delay_tenths;      /* refresh interval, tenths of a second; 0 = from the config */
    const char *config_path;    /* -c FILE */
    bool print_config;
    const char *theme;          /* --theme NAME */
    long max_frames;            /* TUI: exit after N frames (tests), 0 = never */
    long iterations;            /* -n: batch snapshots to print (implies --once) */
    int source;                 /* source_sel: auto, l1top, tt-metal, all */
    const char *tt_metal_dir;   /* default /dev/shm */
    const char *sysfs_root;     /* --sysfs-root: prefix for /sys and /proc driver files */
    const char *trace;          /* --trace FILE: replay a ttnn graph capture */
    const char *replay;         /* --replay FILE: a --record recording (read like a --trace) */
    const char *record;         /* --record FILE: record the live sources, no TUI */
    double duration;            /* --duration SECS: how long --record runs (0: until a signal) */
    const char *board;          /* --board: for traces without a devices section */
    const char *serve;          /* --serve ADDR:PORT: Prometheus exporter over HTTP */
    const char *fit;            /* --fit SPEC: will it fit (answers.c) */
    const char *diff_a, *diff_b; /* --diff A B: two snapshots or traces compared */
    bool max_growth_given;      /* --max-growth PCT: --diff exits 1 past it */
    double max_growth;
    output_options output;      /* device filter */
} cli_options;

/* The exit status of a reading that went st (EXIT_OK, 66, 65, 74). */
int cli_exit_status(source_status st);

/* 0 on success; else EXIT_USAGE with a one-line message in err. */
int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t errlen);

/* Command-line settings win over the configuration file's. */
void cli_apply_overrides(const cli_options *o, l1top_config *cfg);

/* Help text for -h (program name given). */
void cli_print_help(const char *prog);

#endif
