/*
 * telemetry.h - board telemetry from the Tenstorrent kernel driver
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

#include "model/extras.h"

/* Boards under root ("" or NULL: the real /), sorted by index, in the
 * model's tt_board. Returns the count (0 when the driver is absent), or -1
 * when memory ran out. */
int telemetry_scan(const char *root, tt_board **out);

#endif
