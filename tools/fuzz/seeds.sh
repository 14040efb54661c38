#!/bin/bash
# tools/fuzz/seeds.sh OUTDIR - the seed corpus: small FAT12/16/32 images from mkfs.fat, some with
# files, long names and a subdirectory (mtools), plus the regression images of fixed findings.
set -euo pipefail
out=$1
mkdir -p "$out"
export MTOOLS_SKIP_CHECK=1
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
printf 'hello fuzz\n' > "$w/HELLO.TXT"
head -c 5000 /dev/zero | tr '\0' 'x' > "$w/A long name.dat"
mk() { # name sectors mkfs-args...
    local name=$1 n=$2; shift 2
    rm -f "$out/$name.img"
    mkfs.fat "$@" -C "$out/$name.img" "$n" >/dev/null
}
mk fat12 360 -F 12 --invariant
mk fat16 4200 -F 16 -s 1 --invariant
mk fat32 66600 -F 32 -s 1 --invariant
truncate -s 1M "$out/fat32.img" # the harness's disk reads zeros past its input
for img in fat12 fat16; do
    cp "$out/$img.img" "$out/$img-files.img"
    mcopy -i "$out/$img-files.img" "$w/HELLO.TXT" "$w/A long name.dat" ::/
    mmd -i "$out/$img-files.img" ::/SUB
    mcopy -i "$out/$img-files.img" "$w/HELLO.TXT" ::/SUB/INNER.TXT
done
here=$(dirname "$0")
[ -d "$here/regress" ] && cp "$here"/regress/* "$out"/ 2>/dev/null || true
