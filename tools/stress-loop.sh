#!/bin/bash
# tools/stress-loop.sh [N] - runs the whole `make test` N times (default 20) in a row while
# `stress` loads every CPU beside it, and reports the runs that failed. Test boots run in
# virtual time (-icount), so the load may only make runs slower, never change a result.
# STRESS_CPUS=n sets the load (default: the number of CPUs); logs go to build/stress-loop/.
# STRESS_CPUS=0 runs no `stress`: for two loops in two clones side by side, each the other's
# load (the issue's "two parallel make test").
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
cpus=${STRESS_CPUS:-$(nproc)}
[ "$cpus" = 0 ] || tools/need.sh stress stress || exit 1
make -s -j2 build/kernel.bin >/dev/null || { echo "stress-loop: the tree does not build"; exit 2; }
out=build/stress-loop
rm -rf "$out" && mkdir -p "$out"
load=
if [ "$cpus" != 0 ]; then
    stress --cpu "$cpus" --timeout 86400 >/dev/null 2>&1 &
    load=$!
fi
trap '[ -z "$load" ] || { kill "$load" 2>/dev/null; wait "$load" 2>/dev/null; }' EXIT
failed=0
for i in $(seq 1 "$n"); do
    t0=$(date +%s)
    make -s test >"$out/run$i.log" 2>&1
    rc=$?
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/run$i.log" | tail -1)
    if [ $rc != 0 ]; then
        failed=$((failed + 1))
        cp -r build/test-logs "$out/run$i-test-logs"
        echo "run $i/$n: FAILED ($summary) in $(( $(date +%s) - t0 )) s:"
        grep '^# FAILED:' "$out/run$i.log" | sed 's/^/    /'
    else
        echo "run $i/$n: $summary in $(( $(date +%s) - t0 )) s"
    fi
done
echo "stress-loop: $failed of $n runs failed under stress --cpu $cpus"
[ $failed = 0 ]
