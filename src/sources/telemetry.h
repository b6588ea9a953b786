/*
 * telemetry.h - source: board telemetry from the Tenstorrent kernel driver
 * (tt-kmd), when it is loaded: /sys/class/tenstorrent/tenstorrent!N/
 * (tt_card_type, tt_asic_id, the device link's PCI address, tt_aiclk, device/hwmon/hwmon*\/temp1_input in m°C and
 * power1_input in µW) and /proc/driver/tenstorrent/N/pids. A root prefix
 * points the same reads at a fixture tree for tests. No driver: no boards,
 * no error.
 */
#ifndef L1TOP_TELEMETRY_H
#define L1TOP_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TELEMETRY_MAX_PIDS 64

typedef struct {
    int index;                  /* N of /dev/tenstorrent/N */
    char card_type[32];         /* "n300", "" unknown */
    char asic_id[24];           /* tt_asic_id as the driver prints it ("0x..."), "" unknown */
    char pci_bus[16];           /* "0000:01:00.0" from the device link, "" unknown */
    bool has_aiclk, has_temp, has_power;
    unsigned aiclk_mhz;
    double temp_c, power_w;
    int32_t pids[TELEMETRY_MAX_PIDS];
    size_t npids;
} tt_board;

/* Boards under root ("" or NULL: the real /), sorted by index. Returns the
 * count (0 when the driver is absent), or -1 when memory ran out. */
int telemetry_scan(const char *root, tt_board **out);

#endif
