#!/bin/bash
# tools/gdb/run.sh - `make gdb`: QEMU stopped before the first instruction with its gdb stub on
# a free port (GDBPORT= picks one), the serial console in a file, then gdb with the IRQLab
# commands (tools/gdb/irqlab.py), stops on bug checks and DbgBreakPoint, and a breakpoint at
# KiSystemStartup. Environment: QEMU (command and machine flags), B, RUN_APPEND, GDB_ATTACH.
set -uo pipefail
B=${B:-build} here=$(cd "$(dirname "$0")" && pwd)
port=${GDBPORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
log=$B/serial.log
: > "$log"
$QEMU -serial "file:$log" -kernel "$B/kernel.bin" -append "kd debug=break ${RUN_APPEND:-}" \
    -gdb "tcp:127.0.0.1:$port" -S &
qemu=$!
trap 'kill $qemu 2>/dev/null' EXIT
echo "make gdb: QEMU's gdb stub is on port $port, stopped before the first instruction."
echo "  serial console: $log (watch it with: tail -f $log)"
echo "  attach from another terminal: gdb $B/kernel.elf -x $here/irqlab.py -ex 'target remote :$port'"
[ "${GDB_ATTACH:-yes}" = no ] && { wait $qemu; exit 0; }
sleep 0.5
gdb -q "$B/kernel.elf" -x "$here/irqlab.py" -ex "target remote :$port" -ex kdbreaks \
    -ex 'hbreak KiSystemStartup' -ex continue
