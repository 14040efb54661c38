#!/bin/sh
# tools/mutations/w11io-run.sh NAME SUITES - apply tools/mutations/NAME.sed to a scratch copy of
# the tree and run the named suites there; prints "caught" when they fail, "MISSED" otherwise.
set -e
name=$1 suites=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
scratch=/tmp/mut-$name
rm -rf "$scratch" && mkdir -p "$scratch"
(cd "$top" && tar --exclude=./build -cf - .) | (cd "$scratch" && tar xf -)
while IFS='|' read -r file expr; do
    case $file in ''|'#'*) continue ;; esac
    before=$(md5sum "$scratch/$file")
    sed -i "$expr" "$scratch/$file"
    [ "$before" != "$(md5sum "$scratch/$file")" ] || { echo "$name: mutation did not apply to $file"; exit 2; }
done < "$top/tools/mutations/$name.sed"
if (cd "$scratch" && KTEST_ONLY=$suites make -j2 test >"$scratch/mut.log" 2>&1); then
    echo "$name: MISSED (suites $suites stayed green)"; exit 1
fi
echo "$name: caught ($(grep -E '^[0-9]+ passed' "$scratch/mut.log" || echo 'build failed'))"
