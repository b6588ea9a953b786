#!/usr/bin/env bash
# A client built exactly as a user would: `make install` into a prefix, then
# only `pkg-config --cflags --libs --static l1top` to compile examples/instrument.c.
# Checks what `l1top --once --format json` reports for it, byte for byte.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
seg="/l1top-pc-$$"
pass=0 fail=0
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$stage"; rm -f "/dev/shm${seg}"; }
trap cleanup EXIT
check() { if [ "$2" = "$3" ]; then pass=$((pass+1)); else echo "FAIL: $1: got '$2', want '$3'"; fail=$((fail+1)); fi; }

export L1TOP_CONFIG=/dev/null  # hermetic: no user configuration
make -C "$here" -s install PREFIX="$stage/usr" B="${B:-build}" SAN="${SAN:-}" >/dev/null
export PKG_CONFIG_PATH="$stage/usr/lib/pkgconfig"
flags=$(pkg-config --cflags --libs --static l1top)
cc -std=c11 -Wall -Werror ${SAN:-} -o "$stage/instrument" "$here/examples/instrument.c" $flags
check "links against the installed library" "$(ldd "$stage/instrument" | grep -c "$stage/usr/lib/libl1top.so")" 1

L1TOP_SHM="$seg" "$stage/instrument" 20 > "$stage/out" &
pid=$!
for _ in $(seq 100); do grep -q recorded "$stage/out" 2>/dev/null && break; sleep 0.05; done
json=$("$stage/usr/bin/l1top" --once --format json --shm "$seg")
core() { jq -r ".devices[0].cores_detail[] | select(.x==$1 and .y==$2) | .$3" <<<"$json"; }
# 1024 pages of 2048 B over 64 banks: 16 pages (32768 B) per bank.
check "core (0,0) l1_buffers" "$(core 0 0 l1_buffers)" 32768
check "core (7,7) circular_buffers" "$(core 7 7 circular_buffers)" 262144
check "core (3,4) kernel_code" "$(core 3 4 kernel_code)" 32768
check "core (3,4) firmware" "$(core 3 4 firmware)" $((0x7FF0))
check "core (3,4) kernel_config" "$(core 3 4 kernel_config)" $((0x19400 - 0x7FF0 - 32768))
check "invariant on every core" \
  "$(jq '[.devices[0].cores_detail[] | .l1_buffers+.l1_small+.circular_buffers+.kernel_code+.semaphores+.runtime+.kernel_config+.firmware+.free] | unique' <<<"$json" -c)" \
  "[1499136]"
check "process listed" "$(jq -r '.devices[0].processes[0].name' <<<"$json")" instrument
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
make -C "$here" -s uninstall PREFIX="$stage/usr" B="${B:-build}" >/dev/null
check "uninstall removes the library" "$(ls "$stage/usr/lib" 2>/dev/null | grep -c l1top || true)" 0
echo "pkgconfig: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
