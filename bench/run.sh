#!/usr/bin/env bash
# make bench: every figure with its same-run baseline or ratio.
set -euo pipefail
B=${B:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
echo "== machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
"$B/bench/bench_writer"
echo
if command -v strace >/dev/null; then
  # The hot path makes no system call: 1,000 and 1,000,000 pairs make the
  # same number of calls (those are setup and teardown).
  # strace -c ends with a "total" row: % time, seconds, usecs/call, calls, [errors,] total
  count() { strace -f -c -o "$B/bench/strace.$1" "$B/bench/bench_writer" --loop "$1" >/dev/null 2>&1;
            awk '$NF == "total" {print $4}' "$B/bench/strace.$1"; }
  small=$(count 1000); big=$(count 1000000)
  echo "system calls: $small for 1,000 pairs, $big for 1,000,000 pairs -> $(( big - small )) on the hot path"
else
  echo "system calls: strace not installed (bash .ci/install-deps)"
fi
echo
"$B/bench/bench_reader" "$B/l1top"
echo
bash bench/footprint.sh
