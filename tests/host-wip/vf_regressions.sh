#!/bin/bash
# tests/host/vf_regressions.sh - the campaign findings, replayed from their seeds: each once
# ended corrupt (docs/fault-injection.md, Findings); none may again.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
io='lowres:site=irp,prob=20,seed=S/lowres:site=mdl,prob=20,seed=S/lowres:site=fsdreq,prob=10,seed=S'
fails=0
# ops seed fault
while read -r ops seed fault; do
    row=$(python3 "$here/tools/campaign.py" one --kernel "$KERNEL" --qemu "$QEMU" --ops "$ops" --seed "$seed" \
          --fault "$fault")
    got=$(echo "$row" | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r["outcome"], r["faults"], r["check"])')
    echo "ops=$ops seed=$seed $fault: $got"
    case "$got" in ok*|handled*) ;; *) echo "FAIL: regression"; fails=$((fails + 1)) ;; esac
done <<EOF2
150 2 lowres:prob=10,seed=3
150 2 lowres:prob=10,seed=4
150 2 lowres:prob=10,seed=5
60 8 powercut:prob=3,seed=8
60 16 powercut:prob=3,seed=16
60 110 ${io//S/110}
60 118 ${io//S/118}
60 137 disk:op=write,prob=6,torn=1,status=data,seed=137
40 5006 disk:jitter=400,reorder,spurious=20,seed=5006
40 5054 disk:jitter=400,reorder,spurious=20,seed=5054
EOF2
[ $fails = 0 ]
