#!/usr/bin/env bash
# layers.sh - the arrows between the layers point one way (docs/architecture.md):
#   lib/ (libl1top) includes nothing of src/;
#   src/model/ includes no source, view or command-line header;
#   src/views/ includes no source header (views read the model and feeds), nor
#   cli/cli.h (the TUI takes a tui_options, not the command line).
# Fails naming every include that breaks a rule. Run by `make check`.
set -u
cd "$(dirname "$0")/.." || exit 2

bad=0
# rule NAME PATTERN FILES...: no line of FILES may match PATTERN.
rule() {
    local name=$1 pattern=$2
    shift 2
    local hits
    hits=$(grep -nHE "$pattern" "$@" 2>/dev/null)
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
rule "a view includes the command line (cli_options)" "${inc}cli/cli\.h" src/views/*.[ch]

if [ "$bad" -ne 0 ]; then
    echo "layers: FAILED (see docs/architecture.md)"
    exit 1
fi
echo "layers: ok"
