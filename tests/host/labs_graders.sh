#!/bin/bash
# tests/host/labs_graders.sh - every lab's grader tells right from wrong: the skeleton scores
# at most the lab's skeleton_max, the reference solution scores full marks, and each wrong
# solution (labs/*/variants/*) fails exactly the tests its `expect` file names. Two flavours
# are graded at a time; the lab kernels are linked from the objects `make test` just built.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=()
for g in labs/*/grade.json; do
    lab=$(basename "$(dirname "$g")")
    case " ${LABS:-$lab} " in *" $lab "*) ;; *) continue ;; esac # LABS="a b" checks only those
    jobs+=("$lab skeleton" "$lab solution")
    for v in labs/$lab/variants/*/; do
        [ -f "$v/wrong.patch" ] && jobs+=("$lab $(basename "$v")")
    done
done

grade_one() { # LAB FLAVOUR -> $work/LAB.FLAVOUR.{out,json}
    local lab=$1 fl=$2 args=() dir
    case $fl in
        skeleton) dir=build/lab-$lab ;;
        solution) args=(SOLUTION=1); dir=build/lab-$lab-solution ;;
        *) args=(VARIANT=$fl); dir=build/lab-$lab-variant-$fl ;;
    esac
    make -s --no-print-directory grade LAB=$lab "${args[@]}" > "$work/$lab.$fl.out" 2>&1
    cp "$dir/results.json" "$work/$lab.$fl.json" 2>/dev/null
}
export -f grade_one
export work
printf '%s\n' "${jobs[@]}" | xargs -P 2 -L 1 bash -c 'grade_one $0 $1'

fail=0
for j in "${jobs[@]}"; do
    set -- $j
    lab=$1 fl=$2
    verdict=$(python3 - "$lab" "$fl" "$work/$lab.$fl.json" <<'PY'
import json, os, sys
lab, fl, res = sys.argv[1:]
meta = json.load(open("labs/%s/grade.json" % lab))
try:
    r = json.load(open(res))
except Exception:
    print("FAIL no results.json"); sys.exit()
total = sum(t["points"] for t in meta["tests"])
failed = sorted(t["name"] for t in r["tests"] if t["score"] < t["max_score"])
names = sorted(t["name"] for t in meta["tests"])
if sorted(t["name"] for t in r["tests"]) != names:
    print("FAIL results.json does not list every test")
elif fl == "skeleton":
    lim = meta.get("skeleton_max", 0)
    print(("ok" if r["score"] <= lim else "FAIL") + " skeleton %d/%d (at most %d)" % (r["score"], total, lim))
elif fl == "solution":
    print(("ok" if r["score"] == total else "FAIL") + " solution %d/%d, failed: %s" % (r["score"], total, " ".join(failed) or "-"))
else:
    want = sorted(open("labs/%s/variants/%s/expect" % (lab, fl)).read().split())
    print(("ok" if failed == want else "FAIL") + " variant %s %d/%d, failed: %s; expected to fail: %s"
          % (fl, r["score"], total, " ".join(failed) or "-", " ".join(want)))
PY
)
    echo "$lab: $verdict"
    case $verdict in
        ok*) ;;
        *) fail=1; sed 's/^/    /' "$work/$lab.$fl.out" | tail -40 ;;
    esac
done
exit $fail
