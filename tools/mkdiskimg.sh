#!/bin/bash
# tools/mkdiskimg.sh OUT [MIB] [FAT_OPTS] - builds a FAT disk image with mkfs.fat and fills
# it with mcopy: the built-in default disk that `make run` mounts, and test images.
set -euo pipefail
out=$1 mib=${2:-4} opts=${3:--F 16 -s 1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$out"
mkfs.fat $opts --invariant -i 1a2b3c4d -n IRQLAB -C "$out" $((mib * 1024)) >/dev/null
printf 'Hello from a FAT volume made by mkfs.fat and filled by mcopy.\n' > "$tmp/HELLO.TXT"
printf 'IRQLab reads this through filter -> FAT -> RAM disk.\n' > "$tmp/Long file name example.txt"
for i in $(seq 0 4095); do printf '%08d\n' $i; done > "$tmp/NUMBERS.TXT"
# fixed time stamps (files and directories: mtools honours SOURCE_DATE_EPOCH), so the default
# image is byte-for-byte the same on every build
export MTOOLS_SKIP_CHECK=1 SOURCE_DATE_EPOCH=1704110400 TZ=UTC
mcopy -i "$out" "$tmp/HELLO.TXT" ::/HELLO.TXT
mmd -i "$out" ::/DOCS
mmd -i "$out" ::/DOCS/NESTED
mcopy -i "$out" "$tmp/Long file name example.txt" "::/DOCS/Long file name example.txt"
mcopy -i "$out" "$tmp/NUMBERS.TXT" ::/DOCS/NESTED/NUMBERS.TXT
