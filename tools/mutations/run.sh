#!/bin/sh
# tools/mutations/run.sh NAME SUITES - apply tools/mutations/NAME.sed in a scratch copy, build,
# run KTEST_ONLY=SUITES; prints CAUGHT when the tests fail, MISSED when they still pass.
set -e
name=$1; suites=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
file=$(sed -n '1s/^# \([^:]*\):.*/\1/p' "$src/tools/mutations/$name.sed")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$src" && git ls-files -co --exclude-standard | tar -cf - -T -) | (cd "$tmp" && tar -xf -)
sed -i -f "$src/tools/mutations/$name.sed" "$tmp/$file"
if cmp -s "$src/$file" "$tmp/$file"; then echo "$name: the sed script changed nothing"; exit 2; fi
make -C "$tmp" -j2 >/dev/null 2>&1 || { echo "$name: does not build"; exit 2; }
if (cd "$tmp" && KTEST_ONLY=$suites make test >"$tmp/out" 2>&1); then echo "MISSED $name"; tail -3 "$tmp/out"; exit 1; fi
echo "CAUGHT $name"; grep "^not ok" "$tmp/out" | head -5
