#!/usr/bin/env bash
# layers.sh - the arrows between the layers point one way (docs/architecture.md):
#   lib/ (libl1top) includes nothing of src/;
#   src/model/ includes no source, view or command-line header;
#   src/views/ includes no source header (views read the model and feeds), nor
#   any cli/ header (the TUI takes a tui_options, not the command line; the
#   quit flag and the theme's colours are the views'), except, until the alert
#   engine and the configuration's types leave cli/, cli/config.h and
#   cli/alerts.h.
# Fails naming every include that breaks a rule. Run by `make check`.
set -u
cd "$(dirname "$0")/.." || exit 2

bad=0
# rule NAME PATTERN FILES...: no line of FILES may match PATTERN.
rule() {
    rule_except "$1" "$2" '^$' "${@:3}"
}

# rule_except NAME PATTERN EXCEPT FILES...: no line of FILES may match
# PATTERN unless it matches EXCEPT too (matched against "FILE:LINE:text").
rule_except() {
    local name=$1 pattern=$2 except=$3
    shift 3
    local hits
    hits=$(grep -nHE "$pattern" "$@" 2>/dev/null | grep -vE "$except")
    if [ -n "$hits" ]; then
        echo "layers: $name:"
        echo "$hits" | sed 's/^/  /'
        bad=1
    fi
}

inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*"'
rule "lib/ includes src/" "$inc(model|sources|views|cli)/" lib/*.[ch]
rule "the model includes a source" "${inc}sources/" src/model/*.[ch]
rule "the model includes a view or the command line" "$inc(views|cli)/" src/model/*.[ch]
rule "a view includes a source" "${inc}sources/" src/views/*.[ch]
rule_except "a view includes a cli/ header" "${inc}cli/" '"cli/(config|alerts)\.h"$' src/views/*.[ch]

if [ "$bad" -ne 0 ]; then
    echo "layers: FAILED (see docs/architecture.md)"
    exit 1
fi
echo "layers: ok"
