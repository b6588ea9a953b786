#!/usr/bin/env bash
# `l1top --once` under valgrind (memcheck) on a real segment, in every
# format and with alerts firing: no error, no leak.
set -euo pipefail
B=${B:-build}
seg="/l1top-vg-$$"
export L1TOP_CONFIG=/dev/null
L1TOP_SHM=$seg "$B/tests/fixture_writer" declare 0 wormhole_b0 8 8 \
  record 0 cb 0,0,3,7 0x19180 700000 cb record 0 l1_buffer 0,0,7,7 0x90000 300000 buf \
  interleaved 0 0x150000 133120 2048 act > /tmp/l1top-vg-$$.out &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f /dev/shm$seg /tmp/l1top-vg-$$.*' EXIT
for _ in $(seq 100); do grep -q ready /tmp/l1top-vg-$$.out && break; sleep 0.05; done
printf 'thresholds: {warning: 10%%, critical: 20%%}\nalerts:\n  - {name: cb, metric: circular_buffers, above: 1KiB}\n' > /tmp/l1top-vg-$$.yaml
pass=0 fail=0
# Each run: the arguments and the exit code l1top itself must give.
run() {
  local want=$1; shift
  local rc=0
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    "$B/l1top" --once --shm "$seg" "$@" > /dev/null 2> /tmp/l1top-vg-$$.err || rc=$?
  if [ "$rc" -ne "$want" ] || [ -s /tmp/l1top-vg-$$.err ]; then
    echo "FAIL: l1top --once $* exited $rc (want $want) under valgrind:"; cat /tmp/l1top-vg-$$.err
    fail=$((fail+1))
  else
    pass=$((pass+1))
  fi
}
run 0 --format text
run 0 --format json
run 2 --format json -c /tmp/l1top-vg-$$.yaml
run 2 --format text -c /tmp/l1top-vg-$$.yaml
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
