/*
 * telemetry.c - board telemetry from tt-kmd's sysfs and procfs files (see
 * telemetry.h), and telemetry as a source (source.h) that goes with every
 * live source.
 */
#define _GNU_SOURCE
#include "sources/telemetry.h"
#include "grow.h"
#include "safe_open.h"
#include "sources/source.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* a + "/" + b into out; false when it does not fit (the caller skips it). */
static bool join(char *out, size_t n, const char *a, const char *b)
{
    int w = snprintf(out, n, "%s/%s", a, b);
    return w > 0 && (size_t)w < n;
}

/* First line of a small file, trimmed; false if unreadable or empty. */
static bool read_line(const char *path, char *out, size_t n)
{
    char err[8]; /* the reason is not shown: an unreadable value is simply absent */
    int fd = safe_open_regular(path, 0, err, sizeof err);
    if (fd < 0)
        return false;
    ssize_t got = read(fd, out, n - 1);
    close(fd);
    if (got <= 0)
        return false;
    out[got] = '\0';
    out[strcspn(out, "\n")] = '\0';
    return out[0] != '\0';
}

static bool read_number(const char *path, double *v)
{
    char buf[64], *end;
    if (!read_line(path, buf, sizeof buf))
        return false;
    *v = strtod(buf, &end);
    return end != buf && (*end == '\0' || *end == ' ');
}

static bool is_hwmon(const char *name) { return strncmp(name, "hwmon", 5) == 0; }

/* The hwmon directory of a board, if any: DEV/device/hwmon/hwmonK. */
static bool find_hwmon(const char *dev, char *out, size_t n)
{
    char dir[PATH_MAX], name[256];
    return join(dir, sizeof dir, dev, "device/hwmon") && source_dir_find(dir, is_hwmon, name, sizeof name) &&
           join(out, n, dir, name);
}

/* The PCI address the device link points at ("0000:01:00.0"), which joins
 * l1top's series with the driver's and other exporters'. */
static void read_pci_bus(const char *dev, tt_board *b)
{
    char link[PATH_MAX], target[PATH_MAX];
    if (!join(link, sizeof link, dev, "device") || !realpath(link, target))
        return;
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    /* DDDD:BB:SS.F, hex digits: checked character by character (sscanf's %x
     * would accept signs, spaces and overflow). */
    static const char shape[] = "xxxx:xx:xx.x";
    bool ok = strlen(base) == sizeof shape - 1;
    for (size_t i = 0; ok && i < sizeof shape - 1; i++)
        ok = shape[i] == 'x' ? isxdigit((unsigned char)base[i]) != 0 : base[i] == shape[i];
    if (ok)
        snprintf(b->pci_bus, sizeof b->pci_bus, "%.12s", base); /* 12 checked above; gcc -O1 cannot see it */
}

static void read_pids(const char *root, int index, tt_board *b)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/proc/driver/tenstorrent/%d/pids", root, index);
    char err[8];
    FILE *f = safe_fopen_regular(path, 0, err, sizeof err);
    if (!f)
        return;
    char line[32];
    while (b->npids < TELEMETRY_MAX_PIDS && fgets(line, sizeof line, f)) {
        char *end;
        long pid = strtol(line, &end, 10);
        if (end != line && pid > 0 && pid <= INT32_MAX)
            b->pids[b->npids++] = (int32_t)pid;
    }
    fclose(f);
}

static int cmp_board(const void *a, const void *b)
{
    const tt_board *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

int telemetry_scan(const char *root, tt_board **out)
{
    *out = NULL;
    if (!root)
        root = "";
    char class_dir[PATH_MAX];
    snprintf(class_dir, sizeof class_dir, "%s/sys/class/tenstorrent", root);
    DIR *d = opendir(class_dir);
    if (!d)
        return 0; /* no driver: no panel, no error */
    size_t n = 0, cap = 0;
    tt_board *boards = NULL;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        /* tenstorrent!N, N a decimal index */
        if (strncmp(e->d_name, "tenstorrent!", 12) != 0)
            continue;
        char *end;
        long index = strtol(e->d_name + 12, &end, 10);
        if (end == e->d_name + 12 || *end || index < 0 || index > 65535)
            continue;
        if (grow_array((void **)&boards, &cap, n, 1, sizeof *boards) != 0) {
            rc = -1;
            break;
        }
        tt_board *b = &boards[n++];
        memset(b, 0, sizeof *b);
        b->index = (int)index;
        char dev[PATH_MAX], path[PATH_MAX], hw[PATH_MAX];
        if (!join(dev, sizeof dev, class_dir, e->d_name))
            continue;
        if (join(path, sizeof path, dev, "tt_card_type"))
            read_line(path, b->card_type, sizeof b->card_type);
        if (join(path, sizeof path, dev, "tt_asic_id") && read_line(path, b->asic_id, sizeof b->asic_id) &&
            b->asic_id[strspn(b->asic_id, "0123456789abcdefABCDEFx")] != '\0')
            b->asic_id[0] = '\0'; /* not what the driver prints: unknown rather than a wrong join key */
        read_pci_bus(dev, b);
        double v;
        if (join(path, sizeof path, dev, "tt_aiclk") && (b->has_aiclk = read_number(path, &v)))
            b->aiclk_mhz = (unsigned)v;
        if (find_hwmon(dev, hw, sizeof hw)) {
            if (join(path, sizeof path, hw, "temp1_input") && (b->has_temp = read_number(path, &v)))
                b->temp_c = v / 1000.0; /* millidegrees */
            if (join(path, sizeof path, hw, "power1_input") && (b->has_power = read_number(path, &v)))
                b->power_w = v / 1e6;   /* microwatts */
        }
        read_pids(root, (int)index, b);
    }
    closedir(d);
    if (rc != 0) {
        free(boards);
        return -1;
    }
    if (n > 1)
        qsort(boards, n, sizeof *boards, cmp_board);
    *out = boards;
    return (int)n;
}

/* ---------- as a source (source.h): goes with every live source ---------- */

static bool wanted(const source_params *p) { return source_wants_live(p); }

/* The sysfs root ("": the real one). */
static const char *root_of(const source_params *p) { return p->sysfs_root ? p->sysfs_root : ""; }

/* No driver, or no memory for its boards: no panel, never an error. */
static source_status fill(void *self, snapshot *s, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const source_path_state *t = self;
    int n = telemetry_scan(t->path, &s->boards);
    s->nboards = n > 0 ? (size_t)n : 0;
    return SRC_OK;
}

SOURCE_PATH_OPS(source_telemetry, "telemetry", true, wanted, root_of, fill);
