#!/bin/bash
# tools/mutate.sh - replays recorded mutations: each tools/mutations/*.sed breaks one rule in a
# scratch copy of the tree, names the file it edits ("# file:") and the suites that must go red
# ("# suites:"); the copy is built and those suites run. KILLED is good, SURVIVED is a hole.
# usage: tools/mutate.sh [tools/mutations/NAME.sed ...]   (default: all of them)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- "$root"/tools/mutations/*.sed
killed=0 survived=0 broken=0
for m in "$@"; do
    name=$(basename "$m" .sed)
    file=$(sed -n 's/^# file: //p' "$m")
    suites=$(sed -n 's/^# suites: //p' "$m")
    scratch=$(mktemp -d /tmp/mutate.XXXXXX)
    (cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$scratch")
    cp "$scratch/$file" "$scratch/$file.orig"
    sed -i -f "$m" "$scratch/$file"
    if cmp -s "$scratch/$file" "$scratch/$file.orig"; then
        echo "BROKEN   $name: the script did not change $file"; broken=$((broken + 1))
    elif ! make -C "$scratch" -j2 >"$scratch/build.log" 2>&1; then
        echo "BROKEN   $name: the mutant does not build (see $scratch/build.log)"; broken=$((broken + 1)); continue
    elif KTEST_ONLY="$suites" make -C "$scratch" test >"$scratch/test.log" 2>&1; then
        echo "SURVIVED $name ($suites all passed)"; survived=$((survived + 1))
    else
        echo "KILLED   $name: $(grep -m3 '^not ok' "$scratch/test.log" | tr '\n' ' ')"; killed=$((killed + 1))
    fi
    rm -rf "$scratch"
done
echo "$killed killed, $survived survived, $broken broken"
[ $survived -eq 0 ] && [ $broken -eq 0 ]
