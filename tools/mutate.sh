#!/bin/bash
# tools/mutate.sh [MUTATION...] - breaks one rule at a time on purpose in a scratch copy of the
# tree and reports which tests caught it. Each tools/mutations/NAME.sed is a sed script with a
# header: `# file: PATH` (the file it edits), `# suites: a,b` or `# catches: a,b` (what KTEST_ONLY runs), `# rule:`
# (what it breaks). A mutation that nothing catches is SURVIVED; one whose sed changed nothing
# is NOT-APPLIED (the tree moved: fix the script). Exit status 1 if any survived.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
make -s -j2 build/kernel.bin >/dev/null || { echo "mutate: the unmutated tree does not build"; exit 2; }
QEMU_CMD=${QEMU_CMD:-"qemu-system-x86_64 -machine pc -cpu max -m 512M -no-reboot -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg -icount shift=4,sleep=off -rtc clock=vm"}
muts=("$@")
[ ${#muts[@]} -gt 0 ] || muts=(tools/mutations/*.sed)
scratch=$(mktemp -d /tmp/irqlab-mutate.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# One snapshot of the tree with its build (timestamps kept), so each mutation recompiles only
# the file it changes, and edits made meanwhile do not leak in.
mkdir "$scratch/base"
tar -C "$root" --exclude=.git --exclude=build/test-logs -cf - . | tar -C "$scratch/base" -xf -
survived=0
rows=()
for m in "${muts[@]}"; do
    [ -f "$m" ] || m=tools/mutations/$m.sed
    name=$(basename "$m" .sed)
    file=$(sed -n 's/^# file: *//p' "$m" | head -1)
    # `# suites:` names what to run; `# catches:` (the same syntax) names the test said to
    # catch it; with neither the whole suite runs.
    suites=$(sed -n 's/^# \(suites\|catches\): *//p' "$m" | head -1)
    rule=$(sed -n 's/^# rule: *//p' "$m" | head -1)
    rm -rf "$scratch/tree" && cp -a "$scratch/base" "$scratch/tree"
    cp "$scratch/tree/$file" "$scratch/orig"
    sed -i -f "$m" "$scratch/tree/$file"
    if cmp -s "$scratch/orig" "$scratch/tree/$file"; then
        rows+=("$(printf '%-34s %-12s %s' "$name" NOT-APPLIED "$rule")"); survived=1
        echo "mutate: ${rows[-1]}" >&2; continue
    fi
    if ! make -s -C "$scratch/tree" -j2 build/kernel.bin >"$scratch/build.log" 2>&1; then
        rows+=("$(printf '%-34s %-12s %s' "$name" NO-BUILD "$(grep -m1 error "$scratch/build.log")")"); survived=1
        echo "mutate: ${rows[-1]}" >&2; continue
    fi
    (cd "$scratch/tree" && python3 tools/ktest.py --kernel build/kernel.bin --qemu "$QEMU_CMD" \
        --only "$suites" --logs "$scratch/logs" >"$scratch/out" 2>&1)
    caught=$(sed -n 's/^# FAILED: \([^ ]*\).*/\1/p' "$scratch/out" | tr '\n' ' ')
    if [ -n "$caught" ]; then
        rows+=("$(printf '%-34s %-12s %s' "$name" CAUGHT "$caught")")
    else
        rows+=("$(printf '%-34s %-12s %s' "$name" SURVIVED "$rule ($(tail -1 "$scratch/out"))")"); survived=1
    fi
    echo "mutate: ${rows[-1]}" >&2 # the row at once, so an interrupted run still reports
done
printf '%-34s %-12s %s\n' MUTATION RESULT "CAUGHT BY (or what survived)"
printf '%s\n' "${rows[@]}"
exit $survived
