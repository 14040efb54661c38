#!/usr/bin/env python3
"""tools/grade.py - the autograder behind `make grade LAB=name`: boots the lab kernel once per
graded test (a bug check in one test costs only that test), prints `name: OK 10/10` or
`name: FAIL 0/10` with the reason in the student's terms, then `Score: N/M`, and writes
results.json in Gradescope's autograder format. Every boot has a timeout."""
import argparse, concurrent.futures as cf, json, os, re, shlex, subprocess, sys, time

EXIT_OK, EXIT_FAIL, EXIT_BUGCHECK, EXIT_DEADLINE = 33, 35, 37, 39

def boot(qemu, kernel, append, timeout):
    cmd = shlex.split(qemu) + ["-serial", "stdio", "-kernel", kernel, "-append", append]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.stdout.decode("utf-8", "replace").replace("\r", ""), p.returncode, cmd
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode("utf-8", "replace").replace("\r", ""), None, cmd

def stop_key_lines(out):
    """The stop report's lines a student needs: the STOP line and its name, the IRQL, the
    culprit, the top of the backtrace, and the IRP trace the lab kernel appends."""
    lines, keep = out.splitlines(), []
    try:
        i = next(n for n, l in enumerate(lines) if l.startswith("*** STOP:"))
    except StopIteration:
        return []
    keep += lines[i:i + 2]
    for n, l in enumerate(lines[i:], i):
        if l.startswith(("IRQL at bug check", "Culprit:", "DDI compliance:")):
            keep.append(l)
        elif l.startswith("Backtrace:"):
            keep += lines[n:n + 6]
        elif l.startswith("IRP trace"):
            keep += [t for t in lines[n:n + 40] if t.startswith(("IRP trace", "  "))][:17]
            break
    return keep

def explain_stop(lab, code, p1, culprit):
    stops = lab.get("stops", {})
    for key in ("0x%x/0x%x" % (code, p1), "0x%x" % code):
        if key in stops:
            return stops[key].replace("{routine}", culprit or "your driver")
    return "your driver stopped the machine with bug check 0x%X (P1 0x%X)" % (code, p1)

def grade_one(args, lab, test, base_opts):
    full = "%s.%s" % (lab["suite"], test["name"])
    # The hang limit is guest time (the kernel's deadline=S), which host load cannot stretch;
    # the host's own timeout, well beyond it, only catches a guest that masked its clock.
    limit = test.get("timeout", args.timeout)
    append = " ".join(x for x in ("ktest=" + full, test.get("options", base_opts), "deadline=%d" % limit) if x)
    out, rc, cmd = boot(args.qemu, args.kernel, append, limit * 8 + 60)
    log = os.path.join(args.logs, test["name"] + ".log")
    with open(log, "w") as f:
        f.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n" + out)
    passed = re.search(r"^ok \d+ %s$" % re.escape(full), out, re.M) is not None and rc == EXIT_OK
    if passed:
        return test, True, ""
    why = []
    said = [m.group(1) for m in re.finditer(r"^# LAB: (.*)$", out, re.M)]
    got = re.search(r"^BUGCHECK (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+)$", out, re.M)
    if got:
        code, p1 = int(got.group(1), 16), int(got.group(2), 16)
        m = re.search(r"^Culprit: driver \S+, routine ([A-Za-z_]\w*)", out, re.M)
        culprit = m.group(1) if m else None
        if not culprit:  # the innermost frame of the lab's own code, else the top one
            frames = re.findall(r"^\s+#\d+\s+\S+ ([A-Za-z_]\w*)\+0x", out, re.M)
            culprit = next((f for f in frames if f.startswith(lab.get("prefix", "Lab"))), frames[0] if frames else None)
        why.append(explain_stop(lab, code, p1, culprit))
        why += said
        why += ["  " + l for l in stop_key_lines(out)]
    elif rc in (None, EXIT_DEADLINE):
        why.append("the boot did not finish in %d s%s: your driver hung (a deadlock, a spin that never ends, "
                   "or an IRP nobody completed)" % (limit if rc else limit * 8 + 60,
                                                    " of guest time" if rc else " (the clock was masked)"))
        why += said
        why += ["  " + l for l in out.strip().splitlines()[-6:]]
    elif "1..0" in out:
        why.append("the grader test %s is not in this kernel (rebuild with make grade)" % full)
    else:
        why += said or [test.get("explain", "the check failed")]
        why += ["  " + m.group(0) for m in re.finditer(r"^# ASSERTION FAILED.*$", out, re.M)][:3]
        if rc not in (EXIT_OK, EXIT_FAIL):
            why.append("  (boot ended with QEMU status %s)" % rc)
    why.append("  log: %s" % log)
    return test, False, "\n".join(why)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", required=True, help="the lab folder, with grade.json")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--timeout", type=float, default=25)
    ap.add_argument("--jobs", type=int, default=min(os.cpu_count() or 2, 4))
    ap.add_argument("--results", required=True)
    ap.add_argument("--what", default="")
    args = ap.parse_args()
    with open(os.path.join(args.lab, "grade.json")) as f:
        lab = json.load(f)
    args.logs = os.path.join(os.path.dirname(args.results), "grade-logs")
    os.makedirs(args.logs, exist_ok=True)
    print("== grading lab %s (%s): %d tests, one boot each ==" % (lab["suite"], args.what, len(lab["tests"])), flush=True)
    t0 = time.time()
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        results = list(ex.map(lambda t: grade_one(args, lab, t, lab.get("options", "verifier=all")), lab["tests"]))
    score = total = 0
    tests = []
    for test, ok, why in results:
        pts = test["points"]
        got = pts if ok else 0
        score += got
        total += pts
        line = "%s: %s %d/%d" % (test["name"], "OK" if ok else "FAIL", got, pts)
        print(line)
        if why:
            print("    " + why.replace("\n", "\n    "))
        tests.append({"name": test["name"], "score": got, "max_score": pts,
                      "output": (test.get("checks", "") + ("\n" + why if why else "")).strip()})
    print("Score: %d/%d" % (score, total))
    with open(args.results, "w") as f:
        json.dump({"score": score, "execution_time": round(time.time() - t0, 1), "tests": tests,
                   "output": "lab %s: %d/%d" % (lab["suite"], score, total)}, f, indent=2)
    print("(%s written in %.1f s; boot logs in %s)" % (args.results, time.time() - t0, args.logs))

if __name__ == "__main__":
    main()
