/*
 * format.h - pure formatting helpers shared by the text writers and the
 * TUI: human-readable sizes, percentages, timestamps.
 */
#ifndef L1TOP_FORMAT_H
#define L1TOP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* "512 B", "12.0 KiB", "1.43 MiB", "2.00 GiB"; returns buf. */
char *format_bytes(uint64_t bytes, char *buf, size_t n);
/* In a fixed unit: 0 auto (as format_bytes), 1 B, 2 KiB, 3 MiB. */
char *format_bytes_unit(uint64_t bytes, int unit, char *buf, size_t n);
/* ISO 8601 UTC with seconds: "2026-11-25T22:05:40Z"; returns buf. */
char *format_iso8601(uint64_t unix_ns, char *buf, size_t n);
/* The same with milliseconds: "2026-06-01T12:00:00.123Z". */
char *format_iso8601_ms(uint64_t unix_ns, char *buf, size_t n);
/* Ascending ids as ranges: "0-13", "0-3,8", "-" when none. With width > 0
 * the text is cut at a comma to fit in width columns, "+N" saying how many
 * ids were left out ("0,3,6+8"). Returns buf. */
char *format_id_ranges(const uint32_t *ids, size_t n, int width, char *buf, size_t len);
/* Hex address "0x19180"; returns buf. */
char *format_addr(uint32_t addr, char *buf, size_t n);

#endif
