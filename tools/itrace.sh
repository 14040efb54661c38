#!/bin/bash
# tools/itrace.sh - where one call's instructions go: boots the kernel stopped under gdb, lets
# FUNC be entered SKIP times (warm-up), then single-steps the next call to its return and writes
# the trace with a count per function (tools/gdb/itrace.py). Slow (a few ms an instruction):
# for calls of thousands of instructions, not for whole workloads.
# usage: tools/itrace.sh FUNC SKIP OUT "KERNEL OPTIONS" [extra QEMU arguments, e.g. -initrd IMG]
set -uo pipefail
if [ $# -lt 4 ]; then
    echo "usage: tools/itrace.sh FUNC SKIP OUT \"KERNEL OPTIONS\" [QEMU ARGS...]" >&2
    exit 2
fi
func=$1 skip=$2 out=$3 append=$4
shift 4
B=${B:-build} here=$(cd "$(dirname "$0")" && pwd)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
qemu-system-x86_64 -machine pc -cpu max -m 512M -smp 1 -no-reboot -display none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg -serial "file:$B/itrace-serial.log" \
    -kernel "$B/kernel.bin" -append "$append" "$@" -gdb "tcp:127.0.0.1:$port" -S &
qemu=$!
trap 'kill $qemu 2>/dev/null' EXIT
sleep 0.5
timeout 600 gdb -q -batch "$B/kernel.elf" -x "$here/gdb/itrace.py" -ex "target remote :$port" \
    -ex "hbreak $func" -ex "ignore 1 $skip" -ex continue -ex delete -ex "itrace $out"
