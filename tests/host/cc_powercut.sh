#!/bin/bash
# tests/host/cc_powercut.sh - a power cut before the lazy writer ran loses only unflushed data:
# the exported disk (fault=powercut through VfConfigure, kernel/vf) passes mtools' reading,
# KEEP.BIN holds what was flushed, sector 7990 the raw write the cut came after, and neither unflushed
# write (KEEP.BIN's overwrite, LOSE.BIN's data) is anywhere on the disk.
. "$(dirname "$0")/lib.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MTOOLS_SKIP_CHECK=1
rc=0
log=$(timeout 120 $QEMU -serial stdio -debugcon file:"$work/disk.img" -kernel "$KERNEL" \
      -append "ktest=cache.power_cut_before_the_lazy_writer_loses_only_unflushed_data cclazydelay=600000 verifier=all" \
      </dev/null 2>&1 | tr -d '\r') || rc=$?
echo "$log" | grep -E "^(FAULT|VF-|ok|not ok|# ASSERT)" || true
[ $rc = 33 ] || fail "QEMU exit status $rc (33: the power cut stops the emulator as a success)"
grep -q "^VF-POWERCUT after write" <<<"$log" || fail "no power cut: $(kernel_failures "$log")"
grep -q "^not ok" <<<"$log" && fail "the kernel test failed or went on after the cut: $(kernel_failures "$log")"
img=$work/disk.img
[ -s "$img" ] || fail "nothing exported"
python3 - "$img" "$work" <<'PY' || fail "flushed/unflushed check failed"
import sys
img = open(sys.argv[1], "rb").read()
want = b"".join(bytes([0x40 + k]) * 512 for k in range(16))
for name, fill in (("0xB5 (KEEP.BIN overwrite)", 0xB5), ("0xC6 (LOSE.BIN)", 0xC6)):
    if bytes([fill]) * 512 in img:
        sys.exit("unflushed %s reached the disk" % name)
if img[7990 * 512:7991 * 512] != bytes([0xD7]) * 512:
    sys.exit("the write before the cut (0xD7 at sector 7990) is not on the disk")
open(sys.argv[2] + "/want", "wb").write(want)
PY
mtype -i "$img" ::/KEEP.BIN > "$work/keep" || fail "KEEP.BIN not readable through the FAT"
cmp "$work/keep" "$work/want" || fail "KEEP.BIN differs from what was flushed"
echo "power cut before the lazy writer: flushed KEEP.BIN whole, unflushed writes lost, the write before the cut on disk"
