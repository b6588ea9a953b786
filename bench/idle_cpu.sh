#!/bin/sh
# bench/idle_cpu.sh BEFORE AFTER [RUNS] - the TUI's CPU while nothing
# changes (bench/RESULTS.md section 9): a fixture_writer holds one CB on 64
# cores; two TUIs, BEFORE and AFTER (l1top binaries), run side by side in
# one private tmux server at 160x40 with -d 10; after 1.5 s of start-up the
# CPU ticks (utime + stime, /proc/PID/stat) of each over 10 s, RUNS times.
set -eu
before=$1 after=$2 runs=${3:-3}
build=${B:-build}
seg=/l1top-idle-$$
sock=idle-$$
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
L1TOP_SHM=$seg "$build/tests/fixture_writer" declare 0 wormhole_b0 8 8 \
    record 0 cb 0,0,7,7 0x20000 65536 idle >/dev/null &
writer=$!
trap 'tmux -L $sock kill-server 2>/dev/null || true; kill $writer 2>/dev/null || true; rm -f /dev/shm$seg' EXIT
sleep 0.5
echo "ticks over 10 s (CLK_TCK $hz): before after"
i=0
while [ "$i" -lt "$runs" ]; do
    tmux -L "$sock" new-session -d -x 160 -y 40 "exec env L1TOP_SHM=$seg $before -d 10"
    tmux -L "$sock" split-window -h "exec env L1TOP_SHM=$seg $after -d 10"
    sleep 1.5
    set -- $(tmux -L "$sock" list-panes -F '#{pane_pid}')
    b0=$(ticks "$1") a0=$(ticks "$2")
    sleep 10
    b1=$(ticks "$1") a1=$(ticks "$2")
    echo "run $((i + 1)): $((b1 - b0)) $((a1 - a0))"
    tmux -L "$sock" kill-server
    sleep 0.5 # the server goes before the next run starts one
    i=$((i + 1))
done
