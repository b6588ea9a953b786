#!/usr/bin/env bash
# integrations/prometheus: the rules pass `promtool check rules` and their
# unit tests (`promtool test rules`); the Grafana dashboard is valid JSON
# whose every query is valid PromQL (promtool parses it as a recording
# rule); and every l1top_* metric the rules or the dashboard name is one
# that l1top really exports (so a rename cannot leave them behind).
set -u
B=${B:-build}
here=integrations/prometheus
pass=0 fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
tmp=$(mktemp -d /tmp/l1top-promfiles-XXXXXX)
seg=/l1top-promfiles-$$
cleanup() { [ -n "${sim:-}" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null; rm -rf "$tmp"; rm -f "/dev/shm${seg}"; }
trap cleanup EXIT

promtool check rules "$here/l1top-rules.yml" >"$tmp/out" 2>&1; check "promtool check rules" $?
(cd "$here" && promtool test rules rules-test.yml) >"$tmp/out" 2>&1; rc=$?
check "promtool test rules" $rc; [ $rc = 0 ] || cat "$tmp/out"

jq -e '.panels | length > 0 and all(.[]; (.targets | length) > 0)' "$here/l1top-dashboard.json" >/dev/null
check "dashboard is JSON with a query in every panel" $?
{
    echo "groups:"; echo "  - name: dashboard"; echo "    rules:"
    jq -r '.panels[].targets[].expr | gsub("\\$[a-z_]+"; ".*")' "$here/l1top-dashboard.json" |
        awk '{ gsub(/'\''/, "'\'''\''"); printf "      - record: dashboard:expr%d\n        expr: '\''%s'\''\n", NR, $0 }'
} >"$tmp/dash-rules.yml"
promtool check rules "$tmp/dash-rules.yml" >"$tmp/out" 2>&1; rc=$?
check "every dashboard query is valid PromQL" $rc; [ $rc = 0 ] || cat "$tmp/out" "$tmp/dash-rules.yml"

# What l1top exports, from a real segment written by l1sim.
L1TOP_SHM=$seg "$B/l1sim" --board n150 --duration 60 >/dev/null 2>&1 &
sim=$!
for _ in $(seq 100); do
    L1TOP_CONFIG=/dev/null "$B/l1top" --once --format prometheus --shm "$seg" >"$tmp/metrics" 2>/dev/null && break
    sleep 0.05
done
names=$(cat "$here/l1top-rules.yml" "$here/l1top-dashboard.json" | grep -o 'l1top_[a-z0-9_]*' | sort -u)
for n in $names; do
    grep -q "^# TYPE $n " "$tmp/metrics"; check "l1top exports $n (named in the rules or dashboard)" $?
done
echo "prometheus files: $pass passed, $fail failed"
[ "$fail" = 0 ]
