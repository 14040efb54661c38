#!/bin/bash
# tests/host/deadline.sh - deadline=S ends a boot that hangs after S seconds of guest time,
# with its line and QEMU status 39, whatever the host's load; a boot that finishes is untouched.
set -uo pipefail
fail() { echo "FAIL: deadline: $*"; exit 1; }
boot() { timeout 120 $QEMU -serial stdio -kernel "$KERNEL" -append "$1" </dev/null 2>&1 | tr -d '\r'; return "${PIPESTATUS[0]}"; }

# A planted hang (the workload waits forever on an event nobody sets).
out=$(boot "experiment=fsstress,ops=20,seed=1,plant=hang deadline=3"); rc=$?
[ "$rc" = 39 ] || fail "planted hang: QEMU status $rc, expected 39 (HAL_EXIT_DEADLINE)"
grep -q "^DEADLINE: the boot was still running after 3 s of guest time (deadline=3)" <<<"$out" \
    || fail "no DEADLINE line: $(tail -3 <<<"$out")"
echo "ok: planted hang ended by deadline=3"

# A boot that finishes well inside its deadline ends normally.
out=$(boot "ktest=irql deadline=600"); rc=$?
[ "$rc" = 33 ] || fail "irql suite with deadline=600: QEMU status $rc, expected 33"
! grep -q "^DEADLINE" <<<"$out" || fail "DEADLINE on a boot that finished"
echo "ok: a finishing boot is untouched"
