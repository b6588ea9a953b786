#!/usr/bin/env bash
# The idle TUI next to htop: l1top watching a segment that holds still, at
# 1 s and at 10 Hz, each beside htop at the same refresh for the same
# seconds, at three scales (1x64x500, 8x64x2,000 per chip, 32x140x10,000).
# CPU from /proc/PID/schedstat (ns), RSS from /proc/PID/status.
set -euo pipefail
B=${B:-build}
secs=${FOOTPRINT_SECONDS:-5}
base="l1top-footprint-$$"
sock="$base"
holder=
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; fi
}
trap cleanup EXIT
have_htop=0
command -v htop >/dev/null && have_htop=1
pid_of() { tmux -L "$sock" list-panes -t "$1" -F '#{pane_pid}'; }
# CPU time in ns from schedstat (clock ticks are 10 ms: too coarse for an idle monitor)
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
pct() { echo "$1 / 10000000 / $secs" | bc -l; }

echo "footprint: idle TUI over ${secs}s per run, next to htop at the same refresh"
printf '  %-8s %-6s %12s %10s %12s %10s %8s\n' scale refresh "l1top CPU%" "RSS KiB" "htop CPU%" "RSS KiB" ratio
for scale in small middle large; do
  out="$B/bench/hold.$scale.out"
  "$B/bench/bench_reader" --hold "$scale" > "$out" &
  holder=$!
  for _ in $(seq 200); do grep -q ready "$out" 2>/dev/null && break; sleep 0.05; done
  seg=$(awk '{print $2}' "$out")
  for tenths in 10 1; do
    sock="$base-$scale-$tenths" # a fresh server per run: no race with the last one's exit
    tmux -L "$sock" new-session -d -s l1 -x 160 -y 45 "exec env L1TOP_CONFIG=/dev/null $B/l1top --shm $seg -d $tenths"
    [ $have_htop = 1 ] && tmux -L "$sock" new-session -d -s ht -x 160 -y 45 "exec htop -d $tenths"
    sleep 1 # both have drawn their first screens
    l=$(pid_of l1); l0=$(cpu_ns "$l")
    if [ $have_htop = 1 ]; then h=$(pid_of ht); h0=$(cpu_ns "$h"); fi
    sleep "$secs"
    l1=$(cpu_ns "$l"); lr=$(rss "$l")
    label=$([ "$tenths" = 10 ] && echo "1 s" || echo "10 Hz")
    if [ $have_htop = 1 ]; then
      h1=$(cpu_ns "$h"); hr=$(rss "$h")
      printf '  %-8s %-6s %12.3f %10d %12.3f %10d %8.2f\n' "$scale" "$label" "$(pct $((l1 - l0)))" "$lr" \
        "$(pct $((h1 - h0)))" "$hr" "$(echo "($l1 - $l0) / ($h1 - $h0)" | bc -l)"
    else
      printf '  %-8s %-6s %12.3f %10d   htop not installed (bash .ci/install-deps)\n' "$scale" "$label" \
        "$(pct $((l1 - l0)))" "$lr"
    fi
    tmux -L "$sock" kill-server 2>/dev/null || true
  done
  kill "$holder"; wait "$holder" 2>/dev/null || true; holder=
done
echo "  targets: l1top CPU no higher than htop's at the same refresh"
