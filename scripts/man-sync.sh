#!/bin/sh
# scripts/man-sync.sh [--check] MAILSIFT - the field registry in
# mailsift.1 (the block after "prints the registry:") is what
# `MAILSIFT --list-fields` prints. Rewrites it, or with --check says
# whether it differs (exit 1) without touching the page.
set -eu
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
bin=${1:?usage: scripts/man-sync.sh [--check] MAILSIFT}
cd "$(dirname "$0")/.."
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.f"' EXIT
# roff: a backslash is \e; a line may not start with . or '
"$bin" --list-fields | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" > "$tmp.f"
awk -v f="$tmp.f" '
    state == 0 && /prints the registry:/ { state = 1 }
    state == 1 && /^\.nf$/ { print; while ((getline l < f) > 0) print l; state = 2; next }
    state == 2 { if (/^\.fi$/) { print; state = 3 } ; next }
    { print }
    END { if (state != 3) exit 3 }' mailsift.1 > "$tmp"
if [ $check = 1 ]; then
    if ! cmp -s "$tmp" mailsift.1; then
        echo "mailsift.1: the field table differs from --list-fields (run scripts/man-sync.sh $bin)" >&2
        diff mailsift.1 "$tmp" | head -20 >&2
        exit 1
    fi
    echo "man: field table matches --list-fields"
else
    cp "$tmp" mailsift.1
fi
