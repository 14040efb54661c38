#!/bin/bash
# tools/grade_class.sh LAB SUBMISSIONS [OUT] - grades every submission of a lab: each folder
# SUBMISSIONS/<student>/ holds that student's copy of the lab's files (e.g. cfilter.c). Writes
# OUT/<student>/results.json (Gradescope's format; a submission that does not build gets
# score 0 and the compiler's errors) and OUT/scores.csv (student, score, max, one column per
# test). The teacher's own tree is not touched. Default OUT: build/class-LAB.
set -uo pipefail
lab=${1:?usage: tools/grade_class.sh LAB SUBMISSIONS [OUT]} subs=${2:?usage: tools/grade_class.sh LAB SUBMISSIONS [OUT]}
out=${3:-build/class-$lab}
cd "$(dirname "$0")/.."
[ -f "labs/$lab/grade.json" ] || { echo "grade_class: no lab '$lab' (labs/*/grade.json)" >&2; exit 2; }
mkdir -p "$out"
tests=$(python3 -c 'import json,sys; print(" ".join(t["name"] for t in json.load(open(sys.argv[1]))["tests"]))' "labs/$lab/grade.json")
echo "student,score,max_score,${tests// /,}" > "$out/scores.csv"
for dir in "$subs"/*/; do
    who=$(basename "$dir")
    mkdir -p "$out/$who"
    if make -s --no-print-directory grade LAB="$lab" STUDENT="${dir%/}" > "$out/$who/grade.txt" 2>&1; then
        cp "build/lab-$lab-student-$who/results.json" "$out/$who/results.json"
    else  # it did not build (or a file is missing): zero, with the reason
        python3 - "$lab" "$out/$who/grade.txt" "$out/$who/results.json" <<'PY'
import json, sys
lab, log, res = sys.argv[1:]
meta = json.load(open("labs/%s/grade.json" % lab))
why = "your submission did not build:\n" + open(log).read()[-3000:]
json.dump({"score": 0, "output": why, "tests": [{"name": t["name"], "score": 0, "max_score": t["points"],
           "output": "not run: the submission did not build"} for t in meta["tests"]]}, open(res, "w"), indent=2)
PY
    fi
    python3 - "$who" "$out/$who/results.json" >> "$out/scores.csv" <<'PY'
import json, sys
who, res = sys.argv[1:]
r = json.load(open(res))
print(",".join([who, str(r["score"]), str(sum(t["max_score"] for t in r["tests"]))] + [str(t["score"]) for t in r["tests"]]))
PY
    echo "$who: $(tail -1 "$out/scores.csv" | cut -d, -f2-3 | tr , /)"
done
echo "scores: $out/scores.csv"
