#!/usr/bin/env python3
"""tools/ktest.py - the host side of `make test`: boots the kernel once to list its tests,
then once per suite, and once alone for every test that must end in a bug check; every boot
has a timeout. Prints one KTAP v1 document (a suite per nested subtest) and ends with `N passed, N failed`."""
import argparse, concurrent.futures as cf, os, re, shlex, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap

EXIT_OK, EXIT_FAIL, EXIT_BUGCHECK, EXIT_DEADLINE = 33, 35, 37, 39
# A hang is found in guest time: every boot carries deadline=DEADLINE (kernel/ke/deadline.c),
# which host load cannot stretch; the longest suite needs about 13 s of it. The host timeout
# (--timeout) is only the backstop for a guest that spins with its clock masked.
DEADLINE = 300
ANY = "*"
NOVERIFIER_SUITES = ("irp", "iocomp", "iorule", "cancel", "ob", "fs", "fsstack", "fsunmount", "fstime", "fsoplock")

def boot(qemu, kernel, append, timeout, log_path, extra=()):
    # a boot option smp=N (a test's own, or --smp) also gives QEMU N processors
    if not re.search(r"(?:^| )deadline=", append):
        append += " deadline=%d" % DEADLINE
    smp = re.findall(r"(?:^| )smp=(\d+)", append)
    extra = list(extra) + (["-smp", smp[-1]] if smp else [])
    argv = shlex.split(qemu)
    if smp and int(smp[-1]) > 1:
        argv = smp_argv(argv)
    cmd = argv + ["-serial", "stdio", "-kernel", kernel, "-append", append] + extra
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        out, rc = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode("utf-8", "replace") + "\n[runner] TIMEOUT\n", None
    out = out.replace("\r", "")
    with open(log_path, "w") as f:
        f.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n" + out)
    return out, rc, time.time() - t0

def smp_argv(argv):
    """QEMU 7.2's -icount with several processors crawls (each switch between them costs
    about a millisecond of host time), so multiprocessor boots use single-threaded
    round-robin TCG without -icount: the processors still take turns on one host thread,
    and switch at every PAUSE, so the races the tests set up happen the same way each boot.
    The TSC then follows host time, so no multiprocessor test may wait on the TSC alone:
    tests/ktspin.h gives up only after enough PAUSE turns and enough time."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] == "-icount":
            i += 2
            continue
        out.append("tcg,thread=single" if argv[i] == "tcg" and out and out[-1] == "-accel" else argv[i])
        i += 1
    return out

def list_tests(args):
    out, rc, _ = boot(args.qemu, args.kernel, ("ktest=list " + args.options).strip(), args.timeout,
                      os.path.join(args.logs, "list.log"))
    bad = re.search(r"^bad boot option .*$", out, re.M)
    if bad:
        sys.exit("ktest: the kernel refused the options: " + bad.group(0))
    tests = []
    for m in re.finditer(r"^TEST (\S+)\.(\S+) (0x[0-9a-f]+) (.*)$", out, re.M):
        opts = m.group(4).strip()
        tests.append(dict(suite=m.group(1), name=m.group(2), code=int(m.group(3), 16),
                          opts="" if opts == "-" else opts))
    if "TEST-LIST-END" not in out or rc != EXIT_OK:
        sys.exit("ktest: the kernel did not list its tests (see %s/list.log)" % args.logs)
    return tests

def hang_reason(rc):
    if rc is None:
        return "hang (the host's timeout: the guest's clock was masked)"
    if rc == EXIT_DEADLINE:
        return "hang (still running after deadline=%d s of guest time)" % DEADLINE
    return ""

def tail(out, n=25):
    return "\n".join("    " + l for l in out.strip().splitlines()[-n:])

# Suites booted once more with extra options, so the same tests cover a second path:
# `fsnocache` opens every fs-suite file with FILE_NO_INTERMEDIATE_BUFFERING (the IRP path,
# no cache manager, no fast I/O) where the plain boot goes through the cache.
SUITE_VARIANTS = {"fs": ["fsnocache"]}

def run_suite(args, label, append, names, tag=""):
    out, rc, secs = boot(args.qemu, args.kernel, append, args.timeout, os.path.join(args.logs, label + ".log"))
    seen = {m.group(2): m.group(1) == "ok" for m in re.finditer(r"^(ok|not ok) \d+ (\S+)$", out, re.M)}
    results = []
    for n in names:
        plain = re.sub(r"@\w+\.", ".", n, count=1)  # SUITE@noverifier.NAME: the kernel prints SUITE.NAME
        if plain in seen:
            why = ""
            if not seen[plain]:
                # the assertion lines printed between this test's RUN line and its result
                m = re.search(r"^# RUN %s\n(.*?)^not ok" % re.escape(plain), out, re.M | re.S)
                why = m.group(1).strip() if m else "assertion failed"
            results.append((n + tag, seen[plain], why))
        else:
            why = hang_reason(rc) or "no result: boot ended with status %s" % rc
            if "BUGCHECK " in out:
                why = "unexpected bug check: " + re.search(r"^BUGCHECK .*$", out, re.M).group(0)
            results.append((n + tag, False, why + "\n" + tail(out)))
    return results, secs

def run_bugcheck(args, t):
    full = "%s.%s" % (t["suite"], t["name"])
    append = " ".join(x for x in ("ktest=" + full, t["opts"], args.options) if x)
    out, rc, secs = boot(args.qemu, args.kernel, append, args.timeout, os.path.join(args.logs, full + ".log"))
    exp = re.search(r"^EXPECT-BUGCHECK (0x[0-9a-f]+) (\S+) (\S+) (\S+) (\S+)$", out, re.M)
    got = re.search(r"^BUGCHECK (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+)$", out, re.M)
    if hang_reason(rc):
        return [(full, False, hang_reason(rc) + "\n" + tail(out))], secs
    if not got:
        return [(full, False, "no bug check (status %s), expected 0x%x\n%s" % (rc, t["code"], tail(out)))], secs
    if rc != EXIT_BUGCHECK:
        return [(full, False, "bug check line but exit status %s" % rc)], secs
    if not exp:
        return [(full, False, "test declared no parameters (KtExpectBugCheck) before its bug check\n" + tail(out))], secs
    code = int(got.group(1), 16)
    if code != t["code"]:
        return [(full, False, "bug check 0x%x, expected 0x%x\n%s" % (code, t["code"], tail(out)))], secs
    for i in range(2, 6):
        if exp.group(i) != ANY and int(exp.group(i), 16) != int(got.group(i), 16):
            return [(full, False, "P%d is %s, expected %s\n%s" % (i - 1, got.group(i), exp.group(i), tail(out)))], secs
    if not re.search(r"^Backtrace:\n\s+#0\s+\S+ [A-Za-z_]\w*\+0x", out, re.M):
        return [(full, False, "stop report has no symbolized backtrace\n" + tail(out))], secs
    return [(full, True, "bug check 0x%x (%s, %s, %s, %s) as declared" % ((code,) + got.groups()[1:]))], secs

def host_failure(out):
    """What a failing host script says: its FAIL: lines and the kernel's failures it quoted;
    the tail only when the script printed no FAIL: line."""
    lines = [l for l in out.splitlines() if l.startswith("FAIL:") or
             re.match(r"^\s*(not ok|# ASSERTION|BUGCHECK|bad boot option|\[runner\])", l)]
    return "\n".join(lines) if lines else tail(out, 10)

def run_host(args, script):
    """A host-side test: a script given the kernel and QEMU command; exit 0 means pass."""
    name = "host." + os.path.basename(script).rsplit(".", 1)[0]
    env = dict(os.environ, KERNEL=os.path.abspath(args.kernel), QEMU=args.qemu)
    t0 = time.time()
    try:
        p = subprocess.run(["bash", script], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=900, env=env)
        out, ok = p.stdout.decode("utf-8", "replace"), p.returncode == 0
    except subprocess.TimeoutExpired as e:
        out, ok = (e.stdout or b"").decode("utf-8", "replace") + "\n[runner] TIMEOUT", False
    with open(os.path.join(args.logs, name + ".log"), "w") as f:
        f.write(out)
    return [(name, ok, "" if ok else host_failure(out))], time.time() - t0

def job_names(kind, arg):
    """The full test names a job reports."""
    if kind == "bugcheck":
        return ["%s.%s" % (arg["suite"], arg["name"])]
    if kind == "host":
        return ["host." + os.path.basename(arg).rsplit(".", 1)[0]]
    return [n + (arg[3] if len(arg) > 3 else "") for n in arg[2]]

def log_name(name, jobs):
    for kind, arg in jobs:
        if kind == "suite" and name in arg[2]:
            return arg[0]
    return name

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--timeout", type=float, default=float(os.environ.get("KTEST_TIMEOUT", 1200)),
                    help="host seconds per boot, a backstop (hangs are found by the guest's deadline=)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--options", default="verifier=all", help="kernel options for every test boot")
    ap.add_argument("--logs", default="build/test-logs")
    ap.add_argument("--only", default=os.environ.get("KTEST_ONLY", ""), help="comma-separated suites or suite.test")
    ap.add_argument("--smp", default=os.environ.get("KTEST_SMP", ""),
                    help="comma-separated processor counts: every suite boot again at each (names get @smpN)")
    args = ap.parse_args()
    os.makedirs(args.logs, exist_ok=True)

    tests = list_tests(args)
    only = [o for o in args.only.split(",") if o]
    if only:
        tests = [t for t in tests if t["suite"] in only or "%s.%s" % (t["suite"], t["name"]) in only]
    full_names = ["%s.%s" % (t["suite"], t["name"]) for t in tests]
    jobs = []
    suites = {}
    for t in tests:
        full = "%s.%s" % (t["suite"], t["name"])
        if "hostonly" in t["opts"].split():
            continue  # booted by a tests/host script, with the image it prepares
        if t["code"]:
            jobs.append(("bugcheck", t))
        elif t["opts"]:
            jobs.append(("suite", (full, "ktest=%s %s %s" % (full, t["opts"], args.options), [full])))
        else:
            suites.setdefault(t["suite"], []).append(full)
    for s, names in suites.items():
        jobs.insert(0, ("suite", (s, "ktest=%s %s" % (s, args.options), names)))
        for v in SUITE_VARIANTS.get(s, []):
            jobs.insert(0, ("suite", (s + "-" + v, "ktest=%s %s %s" % (s, v, args.options), names, " [%s]" % v)))
        for n in [n for n in args.smp.split(",") if n]:
            jobs.insert(0, ("suite", ("%s@smp%s" % (s, n), "ktest=%s %s smp=%s" % (s, args.options, n), names,
                                      "@smp" + n)))
    # Users run with Verifier off (`make run`): the I/O, file-system and driver-stack suites
    # boot a second time that way, reported as SUITE@noverifier.
    if "verifier=none" not in args.options.split():
        for s in NOVERIFIER_SUITES:
            if s in suites:
                jobs.insert(0, ("suite", (s + "@noverifier", "ktest=%s verifier=none" % s,
                                          [n.replace(s + ".", s + "@noverifier.", 1) for n in suites[s]])))

    host_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "host")
    for script in sorted(os.listdir(host_dir)) if os.path.isdir(host_dir) else []:
        if script.endswith(".sh") and (not only or "host." + script[:-3] in only):
            jobs.append(("host", os.path.join(host_dir, script)))
    if not jobs:
        sys.exit("ktest: KTEST_ONLY=%s selects no test (see %s/list.log)" % (args.only, args.logs))
    # One KTAP v1 document: a plan of suites, each a nested subtest with its own plan, its
    # tests in catalogue order; a suite is printed as soon as all of its boots have ended.
    order = {}
    for kind, arg in jobs:
        for n in job_names(kind, arg):
            order.setdefault(n.split(".", 1)[0], []).append(n)
    rank = {n: i for i, n in enumerate(full_names)}
    pending = {}  # suite -> boots not yet ended
    for kind, arg in jobs:
        for s_ in {n.split(".", 1)[0] for n in job_names(kind, arg)}:
            pending[s_] = pending.get(s_, 0) + 1
    for s_ in order:
        order[s_].sort(key=lambda n: rank.get(n, len(rank)))
    doc = []
    def emit(text):
        doc.append(text)
        print(text, flush=True)
    emit("KTAP version 1\n1..%d" % len(order))
    passed = failed = 0
    failures, results, suite_no = [], {}, 0
    t0 = time.time()
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        runners = {"bugcheck": lambda a: run_bugcheck(args, a), "host": lambda a: run_host(args, a),
                   "suite": lambda a: run_suite(args, *a)}
        futs = {ex.submit(runners[kind], arg): job_names(kind, arg) for kind, arg in jobs}
        for f in cf.as_completed(futs):
            res, secs = f.result()
            for name, ok, why in res:
                results[name] = (ok, why)
            for s_ in {n.split(".", 1)[0] for n in futs[f]}:
                pending[s_] -= 1
                if pending[s_]:
                    continue
                suite_no += 1
                names = order[s_]
                emit("    KTAP version 1\n    # Subtest: %s\n    1..%d" % (s_, len(names)))
                for i, n in enumerate(names, 1):
                    ok, why = results.get(n, (False, "no result"))
                    if why:
                        emit("    # " + why.replace("\n", "\n    # "))
                    emit("    %s %d %s" % ("ok" if ok else "not ok", i, n.split(".", 1)[1]))
                    passed += ok
                    failed += not ok
                    if not ok:
                        failures.append(n)
                bad = [n for n in names if not results.get(n, (False,))[0]]
                emit("%s %d %s" % ("not ok" if bad else "ok", suite_no, s_))
    print("# %d boots in %.1f s (logs in %s)" % (len(jobs) + 1, time.time() - t0, args.logs))
    for n in failures:
        print("# FAILED: %s (log: %s)" % (n, os.path.join(args.logs, log_name(n, jobs) + ".log")))
    # The document must read back with the same counts (tools/ktap.py; `prove -e cat` reads
    # the same file as one test per suite).
    with open(os.path.join(args.logs, "ktap.txt"), "w") as f:
        f.write("\n".join(doc) + "\n")
    try:
        counts = ktap.parse("\n".join(doc))
    except ktap.KtapError as e:
        counts = str(e)
    if counts != (passed, failed):
        print("# ktap: the document reads back as %s, not %d passed, %d failed" % (counts, passed, failed))
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)

if __name__ == "__main__":
    main()
