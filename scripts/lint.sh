#!/bin/sh
# lint.sh - calls that have bitten parsers (STYLE.md 13) must not appear
# in the C sources, and printw must never get a non-literal format.
set -u
cd "$(dirname "$0")/.." || exit 1
files=$(ls main.c capture/*.c dissect/*.c ui/*.c fuzz/*.c bench/*.c 2>/dev/null)
bad=0
# shellcheck disable=SC2086
if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|gets|atoi|atol|sscanf|alloca)[[:space:]]*\(' $files; then
    bad=1
fi
# shellcheck disable=SC2086
if grep -nE '\b(mv)?w?printw[[:space:]]*\([^"]*,?[[:space:]]*[a-z_]+[[:space:]]*\)' $files | grep -v '"'; then
    bad=1
fi
if [ $bad = 0 ]; then
    echo "lint: 1 passed, 0 failed"
else
    echo "lint: 0 passed, 1 failed"
fi
exit $bad
