#!/bin/bash
# tests/host/grub_boot.sh - the kernel boots through GRUB's Multiboot loader too, not only
# QEMU's: build a GRUB rescue ISO around kernel.bin, boot it, and run the IRQL suite there.
. "$(dirname "$0")/lib.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/iso/boot/grub"
cp "$KERNEL" "$work/iso/boot/kernel.bin"
cat > "$work/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
menuentry irqlab { multiboot /boot/kernel.bin ktest=irql verifier=all
boot }
CFG
grub-file --is-x86-multiboot "$work/iso/boot/kernel.bin"
grub-mkrescue -o "$work/irqlab.iso" "$work/iso" >/dev/null 2>&1
rc=0 # QEMU exits 33 on success
out=$(timeout 120 $QEMU -serial stdio -cdrom "$work/irqlab.iso" </dev/null 2>&1) || rc=$?
echo "$out" | tr -d '\r' | grep -E '^# KTEST-DONE' || true
[ $rc = 33 ] || fail "the IRQL suite booted by GRUB ended with status $rc:
$(kernel_failures "$out")"
grep -Eq '^# KTEST-DONE [1-9][0-9]* tests, 0 failed' <<<"${out//$'\r'/}" || fail "no passing KTEST-DONE line:
$(kernel_failures "$out")"
