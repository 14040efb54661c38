#!/bin/bash
# tests/host/vf_powercut.sh - fault=powercut:nth=5: the machine stops dead after the fifth disk
# write, the disk is exported as it stood, and exactly the first five of ten numbered sector
# writes are on it (the rest of the disk is the built-in image, unchanged).
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
orig=$(dirname "$KERNEL")/default-disk.img
set +e
log=$(timeout 120 $QEMU -serial stdio -debugcon file:"$work/disk.img" -kernel "$KERNEL" \
      -append "ktest=vf.power_cut_leaves_exactly_the_first_n_writes_on_disk fault=powercut:nth=5 verifier=all" \
      </dev/null 2>&1 | tr -d '\r')
rc=$?
set -e
echo "$log" | grep -E "^(FAULT|VF-|RAMDISK-EXPORT|ok|not ok)" || true
[ $rc = 33 ] || { echo "FAIL: QEMU exit status $rc"; echo "$log" | tail -20; exit 1; }
grep -q "^VF-POWERCUT after write 5$" <<<"$log" || { echo "FAIL: no power cut after write 5"; exit 1; }
grep -q "^not ok" <<<"$log" && { echo "FAIL: the test went on after the cut"; exit 1; }
[ "$(stat -c %s "$work/disk.img")" = "$(stat -c %s "$orig")" ] || { echo "FAIL: export size"; exit 1; }
sector() { dd if="$1" bs=512 skip="$2" count=1 status=none | od -An -v -tx1 | tr -s ' \n' ' '; }
for i in $(seq 0 9); do
    got=$(sector "$work/disk.img" $((7100 + i)))
    if [ $i -lt 5 ]; then
        want=$(printf "%02x " $(yes $((0xA0 + i)) | head -512) | tr -s ' ')
        [ "$got" = " $want" ] || [ "$got" = "$want" ] || { echo "FAIL: write $((i + 1)) (sector $((7100 + i))) is not on disk"; exit 1; }
    else
        [ "$got" = "$(sector "$orig" $((7100 + i)))" ] || { echo "FAIL: write $((i + 1)) landed after the cut"; exit 1; }
    fi
done
# and nothing else changed: the disk is the built-in image outside those five sectors
cmp <(dd if="$work/disk.img" bs=512 count=7100 status=none) <(dd if="$orig" bs=512 count=7100 status=none)
cmp <(dd if="$work/disk.img" bs=512 skip=7105 status=none) <(dd if="$orig" bs=512 skip=7105 status=none)
echo "power cut after write 5: writes 1-5 on disk, 6-10 not, the rest unchanged"
