#!/bin/bash
# tests/host/ktap_document.sh - `make test`'s output is one KTAP v1 document that TAP consumers
# count right: a run with one real failure (a Verifier bug-check test booted with verifier=none,
# so no bug check comes) reads back as one failed suite in prove and as the runner's own
# `N passed, 1 failed` in tools/ktap.py; bug-check tests are `ok` with their stop code beside.
. "$(dirname "$0")/lib.bash"
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rc=0
python3 "$here/tools/ktest.py" --kernel "$KERNEL" --qemu "$QEMU" --jobs 1 --logs "$work/logs" --options "verifier=none" \
    --only dpc,apc.verifier_leave_critical_region_never_entered,apc.thread_exit_inside_critical_region >"$work/out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "runner exit status $rc with a failing test, expected 1: $(tail -3 "$work/out")"
summary=$(tail -1 "$work/out")
case "$summary" in *" passed, 1 failed") ;; *) fail "summary '$summary', expected one failure" ;; esac
[ "$(python3 "$here/tools/ktap.py" "$work/logs/ktap.txt" || true)" = "$summary" ] || fail "tools/ktap.py reads '$(python3 "$here/tools/ktap.py" "$work/logs/ktap.txt" || true)', runner said '$summary'"
# the printed document and the saved one are the same
sed -n '/^KTAP version 1$/,/^# [0-9]* boots in/p' "$work/out" | sed '$d' | cmp - "$work/logs/ktap.txt" || fail "printed and saved KTAP differ"
grep -q '^    not ok [0-9]* verifier_leave_critical_region_never_entered$' "$work/out" || fail "the failing test is not a nested 'not ok'"
grep -q '^    # bug check 0x20 (0x0, 0xffff, 0x0, 0x0) as declared$' "$work/out" || fail "bug-check test has no stop-code diagnostic"
grep -q '^not ok [0-9] apc$' "$work/out" || fail "suite apc not reported 'not ok'"
grep -q '^ok [0-9] dpc$' "$work/out" || fail "suite dpc not reported 'ok'"
prv=$(prove -e cat "$work/logs/ktap.txt" 2>&1 || true)
grep -q "Failed 1/2 subtests" <<<"$prv" || fail "prove did not read 1 of 2 suites failed: $prv"
echo "ktap document: $summary; prove: $(echo "$prv" | grep -o 'Failed 1/2 subtests')"
