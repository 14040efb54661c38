#!/bin/bash
# tests/host/vf_determinism.sh - the same options and seed give the same run, fault for fault,
# under -icount: two boots print identical FAULT lines; another rule seed prints others. Disk
# errors are rare at prob=2, so one disk rule fires for sure (nth=7): a tree change that moves
# the seeded draws cannot leave the class without a fault.
set -euo pipefail
faults() {
    # QEMU's exit is the kernel's status (33 for success): not a pipe failure here
    { timeout 180 $QEMU -serial stdio -kernel "$KERNEL" -append "experiment=fsstress,ops=80,seed=3 \
fault=lowres:prob=6,seed=$1/pending:prob=30,seed=$1/disk:prob=2,seed=$1/disk:nth=7/disk:reorder,jitter=200,seed=$1\
/cancel:prob=30,seed=$1/delay:site=worker,prob=50,max=2000,seed=$1/delay:site=dpc,prob=10,max=200,seed=$1 verifier=all" \
        </dev/null 2>&1 || true; } | tr -d '\r' | grep -E "^(FAULT|EXPERIMENT-RESULT|EXP-OP)"
}
a=$(faults 11); b=$(faults 11); c=$(faults 12)
n=$(echo "$a" | grep -c "^FAULT" || true)
echo "$a" | grep "^EXPERIMENT-RESULT"
[ "$n" -ge 20 ] || { echo "FAIL: only $n faults injected"; exit 1; }
for cls in lowres pending disk cancel delay; do
    echo "$a" | grep -q "^FAULT [0-9]* $cls " || { echo "FAIL: no $cls fault"; exit 1; }
done
[ "$a" = "$b" ] || { echo "FAIL: same seed, different runs"; diff <(echo "$a") <(echo "$b") | head; exit 1; }
[ "$a" != "$c" ] || { echo "FAIL: another seed gave the very same faults"; exit 1; }
echo "seed 11 twice: the same $n FAULT lines and operations; seed 12: different"
