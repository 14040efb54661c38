#!/bin/bash
# tests/host/boot_options.sh - a bad kernel command line is refused with one line naming the
# option and what it accepts and a failure exit (never a 1..0 "success"), good ones still boot,
# `help` prints the option table (ke/bootopts.c) and the README documents every row of it.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
fails=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: boot_options: $*"; fails=$((fails + 1)); }
boot() { timeout 120 $QEMU -serial stdio -kernel "$KERNEL" -append "$1" </dev/null 2>&1 | tr -d '\r'; return "${PIPESTATUS[0]}"; }

# option as given | words the refusal line must contain
while IFS='|' read -r opt want; do
    out=$(boot "$opt"); rc=$?
    lines=$(echo "$out" | grep -c "^bad boot option ")
    line=$(echo "$out" | grep "^bad boot option ")
    [ "$rc" = 35 ] || fail "'$opt': QEMU exit status $rc, expected 35 (HAL_EXIT_FAILURE)"
    [ "$lines" = 1 ] || fail "'$opt': $lines refusal lines, expected exactly 1"
    case "$line" in
        "bad boot option '${opt%% *}': "*"$want"*) echo "ok: '$opt' -> $line" ;;
        *) fail "'$opt': refusal line '$line' does not name the option and '$want'" ;;
    esac
    grep -q "^KTAP version" <<<"$out" && fail "'$opt': tests ran after the refusal"
done <<'CASES'
ktest=nosuchsuite|ktest accepts list, all, a suite name or SUITE.NAME
ktest=irql.no_such_test|ktest accepts
verifier=bogus|verifier accepts comma-separated words from all,none,irql,io
verifier=irql,,io|verifier accepts
hz=0|hz accepts a number from 10 to 10000
quantum=-1|quantum accepts a number from 1 to
ramdisk.latency=abc|ramdisk.latency accepts a number from 0 to
kbench=nosuch|kbench accepts no value, all or a benchmark name
ramdisk.sync=yes|ramdisk.sync accepts no value
nosuchoption=1|unknown option; known: help ktest
specialpool=toolongtag|specialpool accepts all or a pool tag
hz=0x|hz accepts a number
hz=99999999999999999999999|hz accepts a number
CASES

# Good options are accepted (the catalogue boot succeeds).
out=$(boot "ktest=list verifier=irql,io hz=0x3e8 quantum=3 ramdisk.latency=200 specialpool=KtSp ramdisk.sync irqltrim"); rc=$?
[ "$rc" = 33 ] && grep -q "^TEST-LIST-END" <<<"$out" || fail "valid options refused (status $rc): $(echo "$out" | grep '^bad boot option')"

# help prints the table; every row has a README line in "Kernel command line".
out=$(boot "help"); rc=$?
[ "$rc" = 33 ] || fail "help: exit status $rc, expected 33"
names=$(echo "$out" | sed -n 's/^BOOT-OPTION \([^:]*\):.*/\1/p')
[ "$(echo "$names" | grep -c .)" -ge 10 ] || fail "help printed $(echo "$names" | grep -c .) rows"
readme=$(sed -n '/^## Kernel command line/,/^## /p' "$here/README.md")
for n in $names; do
    grep -q "^| \`$n[\` =]" <<<"$readme" || fail "README 'Kernel command line' has no row for boot option $n"
done

# The host runner exits non-zero when the options it boots with are bad.
python3 "$here/tools/ktest.py" --kernel "$KERNEL" --qemu "$QEMU" --options "verifier=bogus" \
    --only irql --logs "$work/logs1" >"$work/badopt.out" 2>&1; rc=$?
grep -q "bad boot option 'verifier=bogus'" "$work/badopt.out" || fail "ktest.py did not show the refusal line: $(tail -2 "$work/badopt.out")"
[ "$rc" != 0 ] || fail "ktest.py --options verifier=bogus exited 0"
# ... and when KTEST_ONLY names nothing.
KTEST_ONLY=nosuchsuite python3 "$here/tools/ktest.py" --kernel "$KERNEL" --qemu "$QEMU" --logs "$work/logs2" >/dev/null 2>&1 \
    && fail "KTEST_ONLY=nosuchsuite exited 0"
[ "$fails" = 0 ]
