#!/bin/bash
# tests/host/vf_mini_campaign.sh - a small campaign over every fault class (tools/campaign.py):
# it must end with 0 hang, 0 reset, 0 corrupt; a bug check would be a finding to fix.
# MINI_RUNS boots (default 64, 8 per class), so make test stays within a few minutes here.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/tools/campaign.py" run --kernel "$KERNEL" --qemu "$QEMU" --runs "${MINI_RUNS:-64}" --ops 40 \
    --jobs 2 --seed 5000 --out "$work" 2>/dev/null
python3 - "$work/results.csv" <<'PY'
import csv, collections, sys
rows = list(csv.DictReader(open(sys.argv[1])))
c = collections.Counter(r["outcome"].split(":")[0] for r in rows)
classes = {r["class"] for r in rows}
bad = [r for r in rows if r["outcome"].split(":")[0] in ("hang", "reset", "corrupt", "bugcheck")]
for r in bad:
    print("FAIL:", r["outcome"], r["check"], r["replay"])
if len(classes) < 10:
    print("FAIL: only classes", sorted(classes)); sys.exit(1)
print("mini campaign: %d boots, %s" % (len(rows), dict(c)))
sys.exit(1 if bad else 0)
PY
