#!/bin/bash
# tools/run.sh - `make run`: boots the demo in QEMU, then checks on the host what the kernel
# wrote back (the disk through debugcon, the IRP trace through a second debugcon at port 0x402) and draws the IRP journey.
# Environment: QEMU (command and machine flags), KERNEL, B (build folder), DISK, MEM (MiB),
# RUN_APPEND, DISPLAY_WINDOW (1: a VGA window), PYTHON.
set -uo pipefail
B=${B:-build} PYTHON=${PYTHON:-python3} here=$(dirname "$0")
out=$B/disk-out.img trace=$B/irp-trace.jsonl svg=$B/irp-journey.svg png=$B/irp-journey.png
rm -f "$out" "$trace" "$svg" "$png"

# The RAM disk is a boot module held in guest memory beside the kernel's ~30 MiB, so the guest
# gets the image's size plus 128 MiB (512 MiB at least) unless MEM= says otherwise.
need=512 initrd=()
if [ -n "${DISK:-}" ]; then
    [ -f "$DISK" ] || { echo "make run: DISK=$DISK: no such file"; exit 1; }
    mib=$(( ($(stat -c %s "$DISK") + 1048575) / 1048576 ))
    [ $((mib + 128)) -gt $need ] && need=$((mib + 128))
    initrd=(-initrd "$DISK")
fi
mem=${MEM:-$need}
if [ "$mem" -lt "$need" ]; then
    echo "make run: DISK=$DISK is $mib MiB; the guest needs MEM=$need (MiB) or more, MEM=$mem is too small"
    exit 1
fi
display=(-display none)
[ "${DISPLAY_WINDOW:-}" = 1 ] && display=(-display "${QEMU_DISPLAY:-gtk}") RUN_APPEND="${RUN_APPEND:-} console=80"
echo "make run: QEMU with $mem MiB of memory"
echo "make run: the IRP trace comes back to $trace, the disk to $out"
$QEMU -m "$mem" "${display[@]}" -serial stdio -debugcon "file:$out" \
    -chardev "file,id=trace,path=$trace" -device isa-debugcon,iobase=0x402,chardev=trace \
    -kernel "$KERNEL" "${initrd[@]}" -append "${RUN_APPEND:-}"
rc=$?
[ $rc = 33 ] || [ $rc = 0 ] || { echo "make run: QEMU exit status $rc"; exit 1; }

if [ -s "$out" ]; then
    echo "== host side: fsck.fat -n and mdir on the image the kernel wrote ($out) =="
    fsck.fat -n "$out"
    MTOOLS_SKIP_CHECK=1 mdir -i "$out" ::/DEMO
else
    echo "== host side: the kernel wrote no disk back (see its DEMO line above): nothing to check =="
fi
if [ -s "$trace" ] && $PYTHON "$here/irpjourney.py" "$trace" -o "$svg" --auto; then
    if command -v rsvg-convert >/dev/null 2>&1 && rsvg-convert -o "$png" "$svg"; then
        echo "The IRP journey picture: $svg (and $png)"
    else
        echo "The IRP journey picture: $svg"
    fi
fi
