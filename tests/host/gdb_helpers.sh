#!/bin/bash
# tests/host/gdb_helpers.sh - the gdb commands against a real stopped kernel: QEMU's gdb stub,
# gdb in batch mode with tools/gdb/irqlab.py. (1) Stopped in FAT's completion routine for an
# associated IRP, in the RAM disk's DPC: irql says 2, irp shows the locations and the filter's
# completion routine, devstack/drvobj/pool/threads/dpcs/irptrace read the live structures.
# (2) A verifier stop with debug=break lands in gdb and analyze explains it; (3) without
# debug=break the same stop never enters the debugger.
set -euo pipefail
work=$(mktemp -d)
qemu_pid=
trap 'if [ -n "$qemu_pid" ]; then kill $qemu_pid 2>/dev/null || true; fi; rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
elf=${KERNEL%.bin}.elf
helpers=$here/../../tools/gdb/irqlab.py
fail() { echo "FAIL: $*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() { # append: QEMU stopped at the first instruction, its stub on a free port
    port=$(free_port)
    $QEMU -serial "file:$work/serial.log" -kernel "$KERNEL" -append "$1" -gdb "tcp:127.0.0.1:$port" -S \
        </dev/null >"$work/qemu.log" 2>&1 &
    qemu_pid=$!
    for _ in $(seq 50); do grep -q ":$port " <<<"$(ss -ltn 2>/dev/null)" && break; sleep 0.1; done
}
finish() { # waits for QEMU; its exit status in rc
    set +e; wait $qemu_pid; rc=$?; set -e; qemu_pid=
}
need() { grep -qF -- "$2" "$1" || { cat "$1"; fail "missing: $2"; }; }

# 1. Inside a completion routine, at DISPATCH_LEVEL.
start ""
timeout 120 gdb -q -batch -nx "$elf" -x "$helpers" -ex "target remote :$port" \
    -ex 'break FatFsdpPieceDone' -ex continue -ex 'info symbol $pc' -ex irql -ex 'irp Irp' \
    -ex 'irp Irp->AssociatedIrp.MasterIrp' -ex 'devstack DeviceObject' -ex 'drvobj RamDisk' \
    -ex 'pool FatB' -ex threads -ex dpcs -ex 'irptrace 12' -ex analyze -ex fltmc -ex kill >"$work/gdb1.log" 2>&1 || true
qemu_pid=
o=$work/gdb1.log
need "$o" "FatFsdpPieceDone in section .text"
need "$o" "CPU 0: IRQL 2 DISPATCH_LEVEL (CR8 2) - masks APC (0x1F), DPC/dispatch (0x2F)"
grep -qE '^  Flags 0x[0-9a-f]+ IRP_NOCACHE \| IRP_ASSOCIATED_IRP \| IRP_(READ|WRITE)_OPERATION$' "$o" || fail "assoc flags"
need "$o" "associated IRP of master"
# the associated IRP: FAT's own location current, the disk's below it
grep -qE '^  >   2 IRP_MJ_(READ|WRITE) +/0  [0-9a-f]{16} \\FileSystem\\FatDriver$' "$o" || fail "assoc IRP: current location"
grep -qE '^      1 IRP_MJ_(READ|WRITE) +/0  [0-9a-f]{16} \\Driver\\RamDisk$' "$o" || fail "assoc IRP: the disk's location"
# the master: the filter's location above FAT's current one
grep -qE '^      [3-9] IRP_MJ_(READ|WRITE) +/0  [0-9a-f]{16} \\FileSystem\\Filters\\IrqFilter$' "$o" || fail "master: filter"
grep -qE '^  >   [2-9] IRP_MJ_(READ|WRITE) +/0  [0-9a-f]{16} \\FileSystem\\FatDriver$' "$o" || fail "master: FAT current"
need "$o" "completion FltpReadWriteCompletion (context"
need "$o" "invoke on Success/Error/Cancel pending-returned"
grep -qE '^  [0-9a-f]{16} [0-9a-f]{16} +[0-9]+ \\FileSystem\\Filters\\IrqFilter' "$o" || fail "devstack: filter"
grep -qE '^> [0-9a-f]{16} [0-9a-f]{16} +2 \\FileSystem\\FatDriver' "$o" || fail "devstack: FAT marked"
a=$(grep -n 'IrqFilter$' "$o" | grep -E '^[0-9]+:  [0-9a-f]{16} ' | head -1 | cut -d: -f1)
b=$(grep -nE '^> [0-9a-f]{16} [0-9a-f]{16} +2 ' "$o" | head -1 | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || fail "devstack: the filter is not listed above FAT"
need "$o" "devices: "
need "$o" "(\\Device\\RamDisk0)"
need "$o" "[03] IRP_MJ_READ                      RdDispatchReadWrite"
grep -qE '^  FatB Nonp +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+  \\FileSystem\\FatDriver$' "$o" || fail "pool FatB"
grep -qE '^thread 4 [0-9a-f]+ initial +Running +prio  8 IRQL 2 \(running on CPU 0\)' "$o" || fail "threads: running"
need "$o" "waiting (WaitAny), reason WrQueue"
need "$o" "KiRetireDpcList"
need "$o" "processor 0: 0 DPCs queued, one running now"
grep -qE '^ +[0-9]+ isr +- +irp 0{16} loc  0 kernel +RdInterruptService +IRQL 5 ' "$o" || fail "irptrace: ISR"
need "$o" "analyze: no bug check has happened"
grep -qE '^Filter Name +Num Instances +Altitude$' "$o" || fail "fltmc: filters header"
grep -qE '^operations [0-9]+, pre calls [0-9]+, post calls [0-9]+, drained [0-9]+, posted when safe [0-9]+$' "$o" \
    || fail "fltmc: the Filter Manager's counters"
echo "completion routine: irql, irp, devstack, drvobj, pool, threads, dpcs, irptrace all read the stopped kernel"

# 2. A verifier stop with debug=break stops in gdb; analyze explains it; continue lets it halt.
start "ktest=iov.returned_pending_without_marking verifier=all debug=break"
timeout 120 gdb -q -batch -nx "$elf" -x "$helpers" -ex "target remote :$port" -ex kdbreaks -ex continue \
    -ex analyze -ex 'frame' -ex continue >"$work/gdb2.log" 2>&1 || true
finish
o=$work/gdb2.log
need "$o" "*** the kernel bug-checked (debug=break)"
need "$o" "*** selected the faulting frame: IopCallVerified"
need "$o" "BUGCHECK 0xc9 DRIVER_VERIFIER_IOMANAGER_VIOLATION"
need "$o" "Arg1: 000000000000023d  I/O Verifier rule 0x23d"
need "$o" "Arg2: "
need "$o" "routine/caller at fault KtpDispatch"
need "$o" "IRQL at the stop: 0 PASSIVE_LEVEL"
need "$o" "Culprit: driver \\Driver\\KtIo, routine KtpDispatch"
need "$o" "Last IRPs of \\Driver\\KtIo (newest first):"
need "$o" "IopCallVerified"
[ "$rc" = 37 ] || fail "after continue QEMU should exit with the bug-check status 37, got $rc"
echo "debug=break: the stop landed in gdb at IopCallVerified and analyze named KtpDispatch"

# 3. Without debug=break the debugger is never entered: the same stop halts on its own.
start "ktest=iov.returned_pending_without_marking verifier=all"
timeout 120 gdb -q -batch -nx "$elf" -x "$helpers" -ex "target remote :$port" -ex kdbreaks -ex continue \
    >"$work/gdb3.log" 2>&1 || true
finish
! grep -q "the kernel bug-checked (debug=break)" "$work/gdb3.log" || fail "stopped without debug=break"
[ "$rc" = 37 ] || fail "without debug=break QEMU should exit 37, got $rc"
echo "no debug=break: the bug check halted without entering the debugger"
exit 0
