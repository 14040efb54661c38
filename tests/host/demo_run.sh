#!/bin/bash
# tests/host/demo_run.sh - `make run` (tools/run.sh) as a user meets it: the demo on the
# built-in disk explains itself and draws the IRP journey (a real XML parse and a real render);
# an empty mkfs.fat volume gets the files the demo needs; a text file, an ext4 image and a
# 0-byte file get one line with the NTSTATUS name and no fsck; a disk too big for MEM= is
# refused before boot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MTOOLS_SKIP_CHECK=1
QEMU=${QEMU/-m 512M/}
fail() { echo "FAIL: $*"; exit 1; }
demo() { # name [DISK]: runs tools/run.sh with its own build folder; output in $work/$1.out
    mkdir -p "$work/$1"
    B=$work/$1 DISK=${2:-} RUN_APPEND=${RUN_APPEND:-} QEMU="$QEMU" KERNEL=$KERNEL timeout 300 "$here/../../tools/run.sh" \
        >"$work/$1.out" 2>&1 </dev/null || { tail -20 "$work/$1.out"; fail "$1: run.sh exit status $?"; }
}

# 1. The built-in disk.
demo builtin
out=$work/builtin.out
long=$(sed '/^Demo done/q' "$out" | grep -v '^make run:' | awk 'length($0) >= 100' | head -3) # the kernel's lines
[ -z "$long" ] || fail "lines of 100 columns or more:"$'\n'"$long"
grep -q "The disk's ISR ran at IRQL 5, measured" "$out" || fail "no measured ISR IRQL"
grep -q -- "-> interrupt: ISR RdInterruptService at IRQL 5" "$out" || fail "no ISR step in the journey"
grep -q "IRP_MJ_READ irp" "$out" || fail "no IRP_MJ_READ in the journey"
grep -q "reason WrQueue" "$out" || fail "wait reasons are not named"
grep -q "volumes attached 1," "$out" || fail "the filter's attach count is not 1 after the mount"
grep -q "FatF .*\\\\FileSystem\\\\FatDriver" "$out" || fail "the pool report does not name FAT's driver"
! grep -q "mj 0x\|reason [0-9]" "$out" || fail "raw numbers where names belong"
n=$(grep -c "  Notice: " "$out"); [ "$n" -ge 6 ] || fail "only $n sections end with a Notice"
# the journey reads top-down: the filter's call comes before the ISR, which comes before the
# disk's dispatch routine returning STATUS_PENDING
a=$(grep -n -- "-> IrqFilter FltReadWrite IRP_MJ_READ" "$out" | tail -1 | cut -d: -f1)
b=$(grep -n -- "-> interrupt: ISR" "$out" | tail -1 | cut -d: -f1)
c=$(grep -n -- "<- RdDispatchReadWrite returns STATUS_PENDING" "$out" | tail -1 | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] || fail "journey out of order ($a $b $c)"
grep -q "fsck.fat" "$out" || fail "no fsck on the disk the kernel wrote"

# 1b. console=80, what `make run DISPLAY=1` passes for the VGA window: the journey's steps fit
# 80 columns and name IRPs by their last four hex digits.
RUN_APPEND=console=80 demo narrow
steps=$(sed -n '/In the order it happened/,/The trace logs/p' "$work/narrow.out" | grep -E '^  [0-9]+  ')
[ "$(grep -c . <<<"$steps")" -ge 10 ] || fail "console=80: the journey has too few steps"
wide=$(awk 'length($0) > 80' <<<"$steps")
[ -z "$wide" ] || fail "console=80: journey steps wider than 80 columns:"$'\n'"$wide"
grep -q "IRP_MJ_READ irp \.\.[0-9a-f]\{4\} loc" <<<"$steps" || fail "console=80: IRPs not shortened"
grep -q "IRP_MJ_READ irp ffff" "$out" || fail "console=100: IRPs not printed in full"
svg=$work/builtin/irp-journey.svg
[ -s "$svg" ] || fail "no $svg"
grep -q "The IRP journey picture: $svg" "$out" || fail "run.sh does not say where the picture is"
xmllint --noout "$svg"
python3 - "$svg" "$work/builtin/irp-trace.jsonl" <<'PY'
import json, sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
lanes = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "lane"]
for want in ("IrqFilter", "FatDriver", "RamDisk", "ISR", "DPC"):
    assert want in lanes, "lane %s missing: %s" % (want, lanes)
bands = {int(r.get("data-irql")) for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "irql-band"}
assert {0, 2, 5} <= bands, "IRQL bands %s" % bands
assert any(r.get("class") == "associated" for r in root.iter("{http://www.w3.org/2000/svg}rect")), "no associated box"
assert any("returns STATUS_PENDING" in t for t in texts), "STATUS_PENDING not marked"
assert any("PendingReturned" in t and "completion routine" in t for t in texts), "PendingReturned not marked"
steps = [e for e in root.iter() if (e.get("class") or "").startswith("step ")]
calls = [e for e in steps if " call " in e.get("class") + " "]
rets = [e for e in steps if " return " in e.get("class") + " "]
assert len(calls) == len(rets) and len(calls) >= 7, "calls %d returns %d" % (len(calls), len(rets))
recs = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
assert recs[0].get("trace") == "irqlab-irp", recs[0]
assert all("seq" in r and "irql" in r for r in recs[1:])
print("svg: %d lanes, %d steps, IRQL bands %s" % (len(lanes), len(steps), sorted(bands)))
PY
png=$work/builtin/irp-journey.png
[ -s "$png" ] || fail "no PNG rendered"
python3 - "$png" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", d[16:24])
assert w > 800 and h > 300, (w, h)
print("png: %dx%d" % (w, h))
PY

# 2. An empty FAT volume: the demo creates what it needs, the host sees it.
mkfs.fat -C "$work/empty.img" 2048 >/dev/null # whatever mkfs.fat picks (FAT12 here)
demo empty "$work/empty.img"
grep -q "HELLO.TXT is not there (STATUS_OBJECT_NAME_NOT_FOUND): creating it" "$work/empty.out" || fail "empty: HELLO.TXT"
grep -q "NUMBERS.TXT is not there: creating it: STATUS_SUCCESS" "$work/empty.out" || fail "empty: NUMBERS.TXT"
grep -q -- "-> interrupt: ISR" "$work/empty.out" || fail "empty: the traced read never reached the disk"
mdir -i "$work/empty/disk-out.img" ::/DOCS/NESTED | grep NUMBERS >/dev/null || fail "empty: NUMBERS.TXT not on the disk"
mtype -i "$work/empty/disk-out.img" ::/HELLO.TXT | grep "Hello from IRQLab" >/dev/null || fail "empty: HELLO.TXT text"

# 3. Not FAT at all: one line with the status and its name, and no fsck.
printf 'just some text, not a file system\n' > "$work/text.img"
: > "$work/zero.img"
disks="text zero"
if command -v mkfs.ext4 >/dev/null 2>&1; then
    mkfs.ext4 -q -F "$work/ext4.img" 4M && disks="$disks ext4"
fi
for d in $disks; do
    demo "bad-$d" "$work/$d.img"
    o=$work/bad-$d.out
    [ "$(grep -c '^DEMO: the disk is not usable: STATUS_UNRECOGNIZED_VOLUME (0xc000014f)' "$o")" = 1 ] \
        || { cat "$o" | tail; fail "$d: no STATUS_UNRECOGNIZED_VOLUME line"; }
    ! grep -q "fsck.fat\|STOP" "$o" || fail "$d: fsck ran or the kernel stopped"
    grep -q "the kernel wrote no disk back" "$o" || fail "$d: the host does not say why it checks nothing"
    echo "$d: refused with STATUS_UNRECOGNIZED_VOLUME, no fsck"
done

# 4. A disk larger than MEM= is refused before boot, with the memory it needs.
truncate -s 500M "$work/big.img"
set +e
msg=$(B=$work/big DISK=$work/big.img MEM=256 QEMU=false KERNEL=$KERNEL "$here/../../tools/run.sh" 2>&1)
rc=$?
set -e
[ $rc = 1 ] && grep -q "needs MEM=628 (MiB) or more, MEM=256 is too small" <<<"$msg" || fail "big: $rc $msg"
echo "big: $msg"
echo "demo_run: all checks passed"
