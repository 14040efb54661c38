#!/bin/bash
# tests/host/fat_damaged_images.sh - damaged boot sector, BPB and directory entry: the kernel
# refuses the volume or the file with the NTSTATUS Windows gives, never crashes or hangs.
. "$(dirname "$0")/lib.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MTOOLS_SKIP_CHECK=1
base=$work/base.img
mkfs.fat -F 16 -s 1 -C "$base" 8192 >/dev/null
printf 'data' > "$work/HOST.TXT"
mcopy -i "$base" "$work/HOST.TXT" ::/HOST.TXT
run() { # name expected-status patch-command...
    local name=$1 expect=$2; shift 2
    cp "$base" "$work/$name.img"
    "$@" "$work/$name.img"
    rc=0 # QEMU exits 33 on success
    log=$(timeout 120 $QEMU -serial stdio -kernel "$KERNEL" -initrd "$work/$name.img" \
          -append "ktest=fshost.damaged_image_is_refused_cleanly fsexpect=$expect verifier=all" </dev/null 2>&1) || rc=$?
    [ $rc = 33 ] || fail "$name: expected $expect, kernel run ended with status $rc:
$(kernel_failures "$log")"
    echo "$name: refused with $expect"
}
zero_boot() { dd if=/dev/zero of="$1" bs=512 count=1 conv=notrunc status=none; }
bad_cluster_size() { printf '\x03' | dd of="$1" bs=1 seek=13 conv=notrunc status=none; }
huge_volume() { # 16-bit total sectors 0, 32-bit total far beyond the 8 MiB disk
    printf '\x00\x00' | dd of="$1" bs=1 seek=19 conv=notrunc status=none
    printf '\x00\x00\x10\x00' | dd of="$1" bs=1 seek=32 conv=notrunc status=none
}
# HOST.TXT's directory entry is the root's first: point its first cluster far past the end
bad_dirent() {
    local res=$(od -An -tu2 -j14 -N2 "$1") nfat=$(od -An -tu1 -j16 -N1 "$1") fsz=$(od -An -tu2 -j22 -N2 "$1")
    local root=$(( (res + nfat * fsz) * 512 ))
    printf '\xf0\xff' | dd of="$1" bs=1 seek=$((root + 26)) conv=notrunc status=none
}
run zeroed-boot-sector 0xC000014F zero_boot
# a FAT boot sector (jump, signature, "FAT" type string) with an impossible BPB is corrupt
run bad-sectors-per-cluster 0xC0000032 bad_cluster_size
run volume-larger-than-disk 0xC0000032 huge_volume
run dirent-past-the-end 0xC0000032 bad_dirent
