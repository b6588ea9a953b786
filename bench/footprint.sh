#!/usr/bin/env bash
# l1top watching the middle scale (8 chips x 64 cores x 2,000 regions) at
# the default refresh for 10 s, next to htop running the same 10 s.
set -euo pipefail
B=${B:-build}
secs=${FOOTPRINT_SECONDS:-10}
sock="l1top-footprint-$$"
"$B/bench/bench_reader" --hold middle > "$B/bench/hold.out" &
holder=$!
# Closing the tmux server hangs up l1top and htop (both end on SIGHUP); their
# pids are ended explicitly too, so no run leaves a monitor behind.
l="" h=""
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  for p in $l $h $holder; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q ready "$B/bench/hold.out" 2>/dev/null && break; sleep 0.05; done
seg=$(awk '{print $2}' "$B/bench/hold.out")
tmux -L "$sock" new-session -d -s l1 -x 120 -y 40 "exec env L1TOP_CONFIG=/dev/null $B/l1top --shm $seg"
have_htop=0
if command -v htop >/dev/null; then
  tmux -L "$sock" new-session -d -s ht -x 120 -y 40 "exec htop"
  have_htop=1
fi
sleep 1
pid_of() { tmux -L "$sock" list-panes -t "$1" -F '#{pane_pid}'; }
# CPU time in ns from schedstat (clock ticks are 10 ms: too coarse for an idle monitor)
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
l=$(pid_of l1); l0=$(cpu_ns "$l")
if [ $have_htop = 1 ]; then h=$(pid_of ht); h0=$(cpu_ns "$h"); fi
sleep "$secs"
l1=$(cpu_ns "$l")
echo "footprint over ${secs}s at the default refresh (middle scale)"
printf '  l1top: CPU %.3f%%, RSS %d KiB\n' "$(echo "($l1 - $l0) / 10000000 / $secs" | bc -l)" "$(rss "$l")"
if [ $have_htop = 1 ]; then
  h1=$(cpu_ns "$h")
  printf '  htop : CPU %.3f%%, RSS %d KiB   (baseline, its default refresh: 1.5 s)\n' "$(echo "($h1 - $h0) / 10000000 / $secs" | bc -l)" "$(rss "$h")"
  printf '  ratio l1top/htop CPU: %.2f\n' "$(echo "($l1 - $l0) / ($h1 - $h0)" | bc -l)"
else
  echo "  htop : not installed (bash .ci/install-deps)"
fi
echo "  targets: CPU no higher than htop's, RSS <= 16 MB"
