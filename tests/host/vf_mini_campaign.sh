#!/bin/bash
# tests/host/vf_mini_campaign.sh - a small campaign over every fault class (tools/campaign.py):
# it must end with 0 hang, 0 reset, 0 corrupt and 0 bug check (a bug check is a finding to fix).
# MINI_RUNS boots (default 120: 12 a class, seeds 7000..7119), OPS=12 each, two at a time: about
# three minutes of make test on this shared machine (docs/fault-injection.md says why not more).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/tools/campaign.py" run --kernel "$KERNEL" --qemu "$QEMU" --runs "${MINI_RUNS:-120}" \
    --ops "${MINI_OPS:-12}" --timeout 60 --jobs 2 --seed 7000 --out "$work" >/dev/null 2>&1 || true
cat "$work/summary.txt" 2>/dev/null || true
[ -s "$work/results.csv" ] || { echo "FAIL: the campaign wrote no results.csv"; exit 1; }
python3 - "$work/results.csv" "${MINI_RUNS:-120}" <<'PY'
import csv, collections, sys
rows = list(csv.DictReader(open(sys.argv[1])))
c = collections.Counter(r["outcome"].split(":")[0] for r in rows)
classes = collections.Counter(r["class"] for r in rows)
faulted = sum(1 for r in rows if int(r["faults"] or 0) > 0)
bad = [r for r in rows if r["outcome"].split(":")[0] in ("hang", "reset", "corrupt", "bugcheck")]
for r in bad:
    print("FAIL:", r["outcome"], r["culprit"], r["check"], "->", r["replay"])
fail = bool(bad)
if len(rows) != int(sys.argv[2]):
    print("FAIL: %d rows for %s boots" % (len(rows), sys.argv[2])); fail = True
if len(classes) < 10:
    print("FAIL: only classes", sorted(classes)); fail = True
if faulted < len(rows) // 2:  # a campaign whose rules never fire proves nothing
    print("FAIL: only %d of %d boots had a fault injected" % (faulted, len(rows))); fail = True
print("mini campaign: %d boots over %d classes, %d with faults injected, %s" % (len(rows), len(classes), faulted,
                                                                                dict(sorted(c.items()))))
sys.exit(1 if fail else 0)
PY
