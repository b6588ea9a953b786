#!/bin/bash
# bench/record.sh [SECONDS] [l1sim options...] - the size of a --record
# recording of an l1sim workload, extrapolated to 10 minutes, then the
# replay's step cost on it (bench_recording). Defaults: 30 s of
# llama-prefill (the busiest workload: the most records and releases per
# op) on the default board (n300, 2 chips) at l1sim's default op time.
# Not in CI: it runs for SECONDS. Everything it makes is pid-named and
# removed at the end.
set -u
B=${B:-build}
SECS=${1:-30}
shift || true
SIM_ARGS=("$@")
[ ${#SIM_ARGS[@]} -eq 0 ] && SIM_ARGS=(--workload llama-prefill)
shm=/l1top-bench-rec-$$
rec=/tmp/l1top-bench-rec-$$.l1rec
log=/tmp/l1top-bench-rec-$$.log
cleanup() {
    [ -n "${sim:-}" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
    rm -f "/dev/shm$shm" "$rec" "$log"
}
trap cleanup EXIT

"$B/l1sim" --shm "$shm" "${SIM_ARGS[@]}" >/dev/null &
sim=$!
sleep 0.5
"$B/l1top" --record "$rec" --duration "$SECS" --shm "$shm" 2>"$log" || { cat "$log"; exit 1; }
kill "$sim" && wait "$sim" 2>/dev/null
sim=
# "l1top: FILE: N bytes (M before zstd) in K chunks"
read -r bytes raw chunks < <(sed -nE 's/.*: ([0-9]+) bytes \(([0-9]+) before zstd\) in ([0-9]+) chunks.*/\1 \2 \3/p' "$log")
changes=$(L1TOP_CONFIG=/dev/null "$B/l1top" --replay "$rec" --once --format json 2>/dev/null |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["peaks"]["changes"])')
echo "record: l1sim ${SIM_ARGS[*]}, ${SECS} s: $changes changes, $raw raw bytes -> $bytes bytes in $chunks chunks"
awk -v b="$bytes" -v r="$raw" -v s="$SECS" -v c="$changes" 'BEGIN {
    printf "  %.1f changes/s, %.1f raw B/change, %.1f B/change in the file, zstd %.1fx\n", c / s, r / c, b / c, r / b
    printf "  %.1f KB/s -> 10 min: %.1f MB (target < 50 MB: %s)\n", b / s / 1e3, b / s * 600 / 1e6,
           b / s * 600 < 50e6 ? "met" : "NOT met" }'
"$B/bench/bench_recording" "$rec"
