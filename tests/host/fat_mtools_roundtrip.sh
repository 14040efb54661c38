#!/bin/bash
# tests/host/fat_mtools_roundtrip.sh - an image made by mkfs.fat and filled with mcopy is read
# correctly by the kernel (FAT12, FAT16 and FAT32); what the kernel wrote passes fsck.fat -n and
# its files match byte for byte through mtype. The kernel leaves the image's all-zero tail out of
# the export (ramdisk.exporttrim: debugcon is a host write per byte); it is put back here.
# The file the kernel created carries today's UTC date (the CMOS clock; yesterday's if the
# run crossed midnight), not FAT's 1980-01-01 default.
. "$(dirname "$0")/lib.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MTOOLS_SKIP_CHECK=1
for spec in "12 2" "16 8 -s 1" "32 34 -s 1"; do
    set -- $spec
    img=$work/fat$1.img out=$work/fat$1.out
    mkfs.fat -F "$1" ${3:-} ${4:-} -C "$img" $(($2 * 1024)) >/dev/null
    for i in $(seq 0 999); do printf '0123456789'; done > "$work/HOST.TXT"
    printf 'nested' > "$work/long.txt"
    mcopy -i "$img" "$work/HOST.TXT" ::/HOST.TXT
    mmd -i "$img" ::/SUB
    mcopy -i "$img" "$work/long.txt" "::/SUB/A rather long name.txt"
    rc=0 # QEMU exits 33 on success
    log=$(timeout 120 $QEMU -serial stdio -debugcon "file:$out" -kernel "$KERNEL" -initrd "$img" \
          -append "ktest=fshost.mcopy_image_read_and_written verifier=all ramdisk.exporttrim" </dev/null 2>&1) || rc=$?
    echo "$log" | grep -E '^(ok|not ok|#)' || true
    [ $rc = 33 ] || fail "FAT$1: kernel run failed (status $rc):
$(kernel_failures "$log")"
    grep -q "FAT: mounted FAT$1 volume" <<<"$log" || fail "FAT$1: not mounted as FAT$1"
    grep -q "FAT: volume device .* deleted" <<<"$log" || fail "FAT$1: volume not deleted at dismount"
    streamed=$(echo "$log" | sed -n "s/^RAMDISK-EXPORT-BEGIN \([0-9]*\) of $(stat -c %s "$img")\r*$/\1/p")
    [ -n "$streamed" ] && [ "$(stat -c %s "$out")" = "$streamed" ] || fail "FAT$1: export incomplete"
    truncate -s "$(stat -c %s "$img")" "$out"
    fsck.fat -n "$out"
    for i in $(seq 0 1923); do printf 'abcdefghijklmnopqrstuvwxyz'; done | head -c 50000 > "$work/expect.txt"
    mtype -i "$out" ::/KERNEL/WROTE.TXT > "$work/got.txt"
    cmp "$work/expect.txt" "$work/got.txt"
    [ "$(mtype -i "$out" ::/HOST.TXT)" = "rewritten by IRQLab" ]
    if mtype -i "$out" "::/SUB/A rather long name.txt" >/dev/null 2>&1; then fail "FAT$1: deleted file still there"; fi
    stamp=$(mdir -i "$out" ::/KERNEL/WROTE.TXT | awk '$1 == "WROTE" { print $4 }')
    case "$stamp" in
    "$(date -u +%Y-%m-%d)" | "$(date -u -d yesterday +%Y-%m-%d)") ;;
    *) fail "FAT$1: KERNEL/WROTE.TXT dated '$stamp', not today ($(date -u +%Y-%m-%d))" ;;
    esac
    echo "FAT$1: kernel read the mcopy image, fsck.fat clean, files match, dated $stamp"
done
