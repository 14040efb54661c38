#!/bin/bash
# tests/host/vf_campaign_runner.sh - the campaign runner classifies a planted hang, a planted
# bug check (code and P1) and a planted corruption (a byte changed on disk behind FAT's back)
# correctly, and hands boots to GNU parallel with --sshlogin : (this machine as an ssh host).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { python3 "$here/tools/campaign.py" one --kernel "$KERNEL" --qemu "$QEMU" --ops 30 --seed 4 "$@"; }
outcome() { python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r["outcome"], r["check"])'; }
got=$(run --plant hang --timeout 12 | outcome)  # a hang never ends: 12 s of host time says so
[ "$got" = "hang " ] || { echo "FAIL: planted hang classified '$got'"; exit 1; }
got=$(run --plant bugcheck | outcome)
[ "$got" = "bugcheck:0xe2/0x1234 " ] || { echo "FAIL: planted bug check classified '$got'"; exit 1; }
got=$(run --plant corrupt | outcome)
case "$got" in "corrupt data") ;; *) echo "FAIL: planted corruption classified '$got'"; exit 1 ;; esac
got=$(run | outcome)
[ "$got" = "ok " ] || { echo "FAIL: a clean boot classified '$got'"; exit 1; }
echo "planted hang, bug check 0xE2/0x1234, corruption and a clean boot: classified hang, bugcheck, corrupt, ok"
"$here/tools/need.sh" parallel parallel
python3 "$here/tools/campaign.py" run --kernel "$KERNEL" --qemu "$QEMU" --runs 4 --ops 20 --jobs 2 \
    --sshlogin : --out "$work/c" >/dev/null
head -1 "$work/c/results.csv" | grep -q "outcome" || { echo "FAIL: CSV header"; exit 1; }
[ "$(($(wc -l < "$work/c/results.csv") - 1))" = 4 ] || { echo "FAIL: GNU parallel rows"; cat "$work/c/results.csv"; exit 1; }
[ -s "$work/c/outcomes.png" ] && [ -s "$work/c/summary.txt" ] || { echo "FAIL: summary or chart missing"; exit 1; }
echo "GNU parallel --sshlogin : ran 4 boots; CSV, summary and chart written"
# An interrupted campaign goes on where it stopped (--resume), only on the kernel and OPS it began with.
camp() { python3 "$here/tools/campaign.py" run --qemu "$QEMU" --ops 12 --jobs 2 --seed 30 --out "$work/r" "$@"; }
camp --kernel "$KERNEL" --runs 2 >/dev/null 2>&1
printf '{"seed": 3' >> "$work/r/rows.jsonl"  # the row being written when the campaign was stopped
got=$(camp --kernel "$KERNEL" --runs 4 --resume 2>/dev/null)
case "$got" in "campaign: resuming: 2 of 4 boots done in "*) ;; *) echo "FAIL: resume said '${got%%$'\n'*}'"; exit 1 ;; esac
[ "$(($(wc -l < "$work/r/results.csv") - 1))" = 4 ] || { echo "FAIL: resumed CSV rows"; cat "$work/r/results.csv"; exit 1; }
[ "$(cut -d, -f1 "$work/r/results.csv" | sort -n | tr '\n' ' ')" = "seed 30 31 32 33 " ] ||
    { echo "FAIL: resumed seeds"; cut -d, -f1 "$work/r/results.csv"; exit 1; }
grep -q "(2 invocations, resumed)" "$work/r/summary.txt" || { echo "FAIL: summary"; cat "$work/r/summary.txt"; exit 1; }
cp "$KERNEL" "$work/other.bin" && printf x >> "$work/other.bin"
if got=$(camp --kernel "$work/other.bin" --runs 4 --resume 2>&1); then echo "FAIL: resumed on another kernel"; exit 1; fi
case "$got" in *"holds a campaign of another kernel"*) ;; *) echo "FAIL: other kernel: '$got'"; exit 1 ;; esac
if got=$(camp --kernel "$KERNEL" --runs 4 --resume --ops 13 2>&1); then echo "FAIL: resumed with other OPS"; exit 1; fi
echo "a campaign stopped after 2 of 4 boots resumed to 4 rows; another kernel and another OPS refused"
