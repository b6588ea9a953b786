/*
 * cli.c - see cli.h.
 */
#define _GNU_SOURCE
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "sources/source.h"

enum { OPT_DEMO = 256, OPT_DEMO_BOARD, OPT_NO_COLOR, OPT_FRAMES, OPT_PRINT_CONFIG, OPT_THEME, OPT_SOURCE, OPT_TTM_DIR, OPT_SYSFS_ROOT, OPT_TRACE, OPT_BOARD, OPT_SERVE, OPT_PER_PROCESS };

static const struct option long_opts[] = {
    { "once", no_argument, NULL, '1' },
    { "format", required_argument, NULL, 'f' },
    { "shm", required_argument, NULL, 's' },
    { "device", required_argument, NULL, 'D' },
    { "delay", required_argument, NULL, 'd' },
    { "demo", no_argument, NULL, OPT_DEMO },
    { "demo-board", required_argument, NULL, OPT_DEMO_BOARD },
    { "no-color", no_argument, NULL, OPT_NO_COLOR },
    { "frames", required_argument, NULL, OPT_FRAMES },
    { "config", required_argument, NULL, 'c' },
    { "iterations", required_argument, NULL, 'n' },
    { "source", required_argument, NULL, OPT_SOURCE },
    { "tt-metal-dir", required_argument, NULL, OPT_TTM_DIR },
    { "sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT },
    { "trace", required_argument, NULL, OPT_TRACE },
    { "board", required_argument, NULL, OPT_BOARD },
    { "serve", required_argument, NULL, OPT_SERVE },
    { "per-process-metrics", no_argument, NULL, OPT_PER_PROCESS },
    { "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
    { "theme", required_argument, NULL, OPT_THEME },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

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

int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->format = FORMAT_TEXT;
    o->demo_board = "n300";
    optind = 1;
    opterr = 0;
    int c;
    unsigned long v;
    while ((c = getopt_long(argc, argv, ":1f:s:D:d:c:n:hV", long_opts, NULL)) != -1) {
        switch (c) {
        case '1':
            o->once = true;
            break;
        case 'f':
            o->format_given = true;
            if (strcmp(optarg, "text") == 0)
                o->format = FORMAT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o->format = FORMAT_JSON;
            else if (strcmp(optarg, "prometheus") == 0)
                o->format = FORMAT_PROMETHEUS;
            else if (strcmp(optarg, "csv") == 0)
                o->format = FORMAT_CSV;
            else {
                snprintf(err, errlen, "unknown format '%s' (text, json, prometheus, csv)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 's':
            o->shm = optarg;
            break;
        case 'D':
            if (parse_ulong(optarg, UINT32_MAX, &v)) {
                snprintf(err, errlen, "--device takes a device number, not '%s'", optarg);
                return EXIT_USAGE;
            }
            if (o->output.ndevices == OUTPUT_MAX_DEVICE_FILTER) {
                snprintf(err, errlen, "too many --device options (at most %d)", OUTPUT_MAX_DEVICE_FILTER);
                return EXIT_USAGE;
            }
            o->output.devices[o->output.ndevices++] = (uint32_t)v;
            break;
        case 'd':
            if (parse_ulong(optarg, 600, &v) || v == 0) {
                snprintf(err, errlen, "--delay takes tenths of a second from 1 to 600, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->delay_tenths = (unsigned)v;
            break;
        case OPT_DEMO:
            o->demo = true;
            break;
        case OPT_DEMO_BOARD:
            if (!board_by_name(optarg)) {
                snprintf(err, errlen, "unknown board '%s' (e150, n150, n300, p100, p150, t3000, galaxy)", optarg);
                return EXIT_USAGE;
            }
            o->demo_board = optarg;
            break;
        case 'c':
            o->config_path = optarg;
            break;
        case 'n':
            if (parse_ulong(optarg, 100000000, &v) || v == 0) {
                snprintf(err, errlen, "-n takes a positive number of snapshots, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->iterations = (long)v;
            o->once = true;
            break;
        case OPT_SOURCE:
            if (strcmp(optarg, "l1top") == 0)
                o->source = SOURCE_L1TOP;
            else if (strcmp(optarg, "tt-metal") == 0)
                o->source = SOURCE_TTMETAL;
            else if (strcmp(optarg, "all") == 0)
                o->source = SOURCE_ALL;
            else {
                snprintf(err, errlen, "unknown source '%s' (l1top, tt-metal, all)", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_TTM_DIR:
            o->tt_metal_dir = optarg;
            break;
        case OPT_SYSFS_ROOT:
            o->sysfs_root = optarg;
            break;
        case OPT_TRACE:
            o->trace = optarg;
            break;
        case OPT_BOARD:
            if (!board_by_name(optarg)) {
                snprintf(err, errlen, "unknown board '%s' (e150, n150, n300, p100, p150, t3000, galaxy)", optarg);
                return EXIT_USAGE;
            }
            o->board = optarg;
            break;
        case OPT_SERVE:
            o->serve = optarg;
            break;
        case OPT_PER_PROCESS:
            o->output.per_process_metrics = true;
            break;
        case OPT_PRINT_CONFIG:
            o->print_config = true;
            break;
        case OPT_THEME:
            if (!*optarg || strchr(optarg, '/') || strlen(optarg) > 63) {
                snprintf(err, errlen, "--theme takes a theme name, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->theme = optarg;
            break;
        case OPT_NO_COLOR:
            o->no_color = true;
            break;
        case OPT_FRAMES:
            if (parse_ulong(optarg, 1000000, &v) || v == 0) {
                snprintf(err, errlen, "--frames takes a positive count, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->max_frames = (long)v;
            break;
        case 'h':
            o->help = true;
            break;
        case 'V':
            o->version = true;
            break;
        case ':':
            snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
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

void cli_print_help(const char *prog)
{
    printf("Usage: %s [options]\n"
           "Show where the L1 SRAM of Tenstorrent devices goes, live and per core.\n"
           "\n"
           "  -1, --once            print one snapshot and exit\n"
           "  -f, --format FMT      --once output: text (default), json, prometheus, csv\n"
           "  -n, --iterations N    print N snapshots at the refresh interval (JSON: one per line)\n"
           "  -s, --shm NAME        segment to read (default $L1TOP_SHM, else /l1top)\n"
           "  -D, --device N        show device N only (repeatable)\n"
           "      --source SRC      l1top (our segment), tt-metal (TT-Metal's allocator statistics\n"
           "                        files), all (default when such files exist)\n"
           "      --tt-metal-dir D  where tt_device_*_memory files are (default /dev/shm)\n"
           "      --sysfs-root DIR  read the driver's /sys and /proc files under DIR (tests)\n"
           "      --trace FILE      replay a ttnn graph capture; --once prints the state at the per-core peak\n"
           "      --board B         board of a trace that does not say (default: guessed from the trace)\n"
           "      --serve ADDR:PORT serve Prometheus metrics over HTTP (/metrics, /healthz), e.g.\n"
           "                        127.0.0.1:9617; refreshed on scrape, cached for the refresh interval\n"
           "      --per-process-metrics  Prometheus: add per-pid series (pid, comm labels; off by default)\n"
           "  -d, --delay TENTHS    refresh interval in tenths of a second (default: config, 10)\n"
           "  -c, --config FILE     configuration file (default: $L1TOP_CONFIG, then\n"
           "                        $XDG_CONFIG_HOME/l1top/config.yaml, /etc/l1top/config.yaml)\n"
           "      --print-config    print the effective configuration and where each part came from\n"
           "      --theme NAME      colour theme (default, light, mono, colorblind, high-contrast)\n"
           "      --demo            run a simulated workload (l1sim) on a private segment\n"
           "      --demo-board B    board for --demo: e150 n150 n300 p100 p150 t3000 galaxy\n"
           "      --no-color        monochrome display (also NO_COLOR)\n"
           "      --frames N        interactive: exit after N refreshes (for tests)\n"
           "  -h, --help            this help\n"
           "  -V, --version         version\n"
           "\n"
           "Exit codes:\n"
           "   0  ok\n"
           "   1  a warning threshold was crossed\n"
           "   2  a critical threshold was crossed\n"
           "  64  usage error\n"
           "  65  corrupt or foreign segment, or a malformed --trace file\n"
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
           "See l1top(1).\n",
           prog);
}
