#!/bin/bash
# tools/mutate.sh MUTATION.sed... - replays recorded mutations (tools/mutations/*.sed): each is
# applied to a scratch copy of the tree, which is built and tested with the suites its
# "# catches:" line names; a mutation the tests do not catch is reported. Exit 1 if any survives.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
survived=0
for m in "$@"; do
    file=$(sed -n 's/^# file: //p' "$m"); catches=$(sed -n 's/^# catches: //p' "$m")
    scratch=$(mktemp -d)
    (cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$scratch")
    cp -r "$root/build/default-disk.img" "$scratch/" 2>/dev/null || true
    sed -i -f "$m" "$scratch/$file"
    if cmp -s "$root/$file" "$scratch/$file"; then
        echo "MUTATION $(basename "$m"): did not apply to $file"; survived=1; rm -rf "$scratch"; continue
    fi
    if ! (cd "$scratch" && make -j2 build/kernel.bin >/dev/null 2>&1); then
        echo "MUTATION $(basename "$m"): does not build"; survived=1
    elif (cd "$scratch" && KTEST_ONLY="$catches" make test 2>&1 | tail -1 | grep -q " 0 failed"); then
        echo "MUTATION $(basename "$m"): SURVIVED ($catches still passes)"; survived=1
    else
        echo "MUTATION $(basename "$m"): caught by $catches"
    fi
    rm -rf "$scratch"
done
exit $survived
