#!/bin/bash
# tools/mutations/run.sh - replays mutations: each NAME.sed names its file (# file:) and the
# suites that must catch it (# catches:). The tree is copied to a scratch directory, the sed
# script applied there, and those suites booted; a mutation the tests do not catch is reported.
# Usage: tools/mutations/run.sh [NAME ...]   (default: every *.sed here)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT/tools/mutations"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(ls *.sed | sed 's/\.sed$//'))
scratch=$(mktemp -d /tmp/irqlab-mutate.XXXXXX)
rc=0
for n in "${names[@]}"; do
    file=$(sed -n 's/^# file: *//p' "$n.sed")
    catches=$(sed -n 's/^# catches: *//p' "$n.sed")
    rm -rf "$scratch/tree" && mkdir -p "$scratch/tree"
    (cd "$ROOT" && tar --exclude=./build -cf - .) | (cd "$scratch/tree" && tar -xf -)
    [ -d "$ROOT/build" ] && cp -a "$ROOT/build" "$scratch/tree/build"
    before=$(md5sum < "$scratch/tree/$file")
    sed -i -f "$n.sed" "$scratch/tree/$file"
    if [ "$before" = "$(md5sum < "$scratch/tree/$file")" ]; then
        echo "mutation $n: sed changed nothing in $file (stale?)"; rc=1; continue
    fi
    out=$(cd "$scratch/tree" && KTEST_ONLY="$catches" make -j2 test 2>&1)
    if grep -q "^not ok" <<<"$out"; then
        echo "mutation $n: caught by $(echo "$out" | sed -n 's/^not ok //p' | tr '\n' ' ')"
    elif grep -q " error" <<<"$out"; then
        echo "mutation $n: does not build"; rc=1
    else
        echo "mutation $n: NOT caught by $catches"; rc=1
    fi
done
rm -rf "$scratch"
exit $rc
