#!/usr/bin/env python3
"""tools/campaign.py - fault-injection campaigns on the host: boots the kernel with
`experiment=fsstress` under fault= rules, one boot per seed, classifies each boot (ok, handled,
bugcheck:<code>/<p1>, hang, reset, corrupt; docs/fault-injection.md), and writes
build/campaign/results.csv, summary.txt and outcomes.png (gnuplot).

  campaign.py run --runs N [--fault SPEC] [--mode random|nth] [--jobs J] [--sshlogin S] [--resume]
  campaign.py one --seed S --fault SPEC      (one boot; prints its CSV row as JSON: GNU parallel)
  campaign.py replay --seed S --fault SPEC   (one boot, keeping its serial log and disk)
"""
import argparse, collections, concurrent.futures as cf, csv, json, os, re, shlex, shutil, subprocess
import hashlib, sys, tempfile, time, zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
EXIT_OK, EXIT_FAIL, EXIT_BUGCHECK = 33, 35, 37
# Every class when --fault is not given: a spec per class, the rule seed appended per boot.
CLASSES = [
    ("none", ""),
    ("lowres", "lowres:prob=8"),
    ("lowres-io", "lowres:site=irp,prob=20/lowres:site=mdl,prob=20/lowres:site=fsdreq,prob=10"),
    ("pending", "pending:prob=50"),
    ("disk-error", "disk:prob=4"),
    ("disk-torn", "disk:op=write,prob=6,torn=1,status=data"),
    ("disk-timing", "disk:jitter=400,reorder,spurious=20"),
    ("powercut", "powercut:prob=3"),
    # FAT serves Zw requests in the caller's thread: forced pending puts them in flight to cancel
    ("cancel", "pending:prob=50/cancel:prob=50"),
    ("delay", "delay:site=worker,prob=50,max=3000/delay:site=dpc,prob=20,max=300/pending:prob=20"),
]
FIELDS = ["seed", "class", "fault", "outcome", "code", "p1", "p2", "p3", "p4", "culprit", "check", "faults",
          "duration_s", "replay"]


def with_seed(spec, seed):
    """Appends seed=S to every rule of SPEC that does not name its own."""
    if not spec:
        return ""
    return "/".join(r if "seed=" in r else r + ("," if ":" in r else ":") + "seed=%d" % seed
                    for r in spec.split("/"))


def kernel_options(args, seed, fault, plant=""):
    exp = "fsstress,ops=%d,seed=%d" % (args.ops, seed) + (",plant=" + plant if plant else "")
    return " ".join(x for x in ("experiment=" + exp, "fault=" + fault if fault else "", "verifier=all",
                                "ramdisk.exporttrim") if x)


def boot(args, options, workdir):
    disk = os.path.join(workdir, "disk.img")
    cmd = shlex.split(args.qemu) + ["-serial", "stdio", "-debugcon", "file:" + disk, "-kernel", args.kernel,
                                    "-append", options]
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=args.timeout)
        out, rc = p.stdout.decode("utf-8", "replace").replace("\r", ""), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode("utf-8", "replace").replace("\r", "") + "\n[campaign] TIMEOUT\n", None
    return out, rc, time.time() - t0, disk, cmd


def restore_disk(out, disk):
    """The export leaves the all-zero tail out (ramdisk.exporttrim): put it back."""
    m = re.search(r"^RAMDISK-EXPORT-BEGIN (\d+) of (\d+)$", out, re.M)
    if not m or not os.path.exists(disk):
        return False
    if os.path.getsize(disk) < int(m.group(1)):
        return False  # the export was cut short
    with open(disk, "r+b") as f:
        f.truncate(int(m.group(2)))
    return True


def fsck(disk):
    p = subprocess.run(["fsck.fat", "-n", disk], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode == 0, p.stdout.decode("utf-8", "replace")


# What a power cut (or a failed metadata write) may leave on a FAT volume written in IRQLab's order (FAT before directory
# entry): leaked clusters, a chain longer than the size, the second FAT behind the first.
# fsck repairs these without losing acknowledged data; anything else is corruption.
REPAIRABLE = [r"FATs differ but appear to be intact", r"Using first FAT", r"Reclaimed \d+ unused clusters?",
              r"File size is \d+ bytes, cluster chain length is > \d+ bytes", r"Truncating file to \d+ bytes",
              r"Free cluster summary wrong", r"Leaving filesystem unchanged", r"^fsck\.fat ", r"files, \d+/\d+ clusters",
              r"^/\S*$"]


def fsck_problems(log):
    """The lines of fsck's report that are not repairable leftovers of a power cut."""
    bad = []
    for line in log.strip().splitlines():
        line = line.strip()
        if line and not any(re.search(p, line) for p in REPAIRABLE):
            bad.append(line)
    return bad


def durable_ok(out, disk):
    """After a power cut: every file flushed and not touched since is on disk as flushed."""
    durable = {}
    for m in re.finditer(r"^EXP-(DURABLE|MUT) (\S+)(?: (\d+) ([0-9a-f]{8}))?$", out, re.M):
        if m.group(1) == "DURABLE":
            durable[m.group(2)] = (int(m.group(3)), int(m.group(4), 16))
        else:
            durable.pop(m.group(2), None)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    for path, (size, crc) in sorted(durable.items()):
        p = subprocess.run(["mtype", "-i", disk, "::" + path.replace("\\", "/")], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env)
        if p.returncode != 0 or len(p.stdout) != size or (zlib.crc32(p.stdout) & 0xFFFFFFFF) != crc:
            return False, "durable-lost %s" % path
    return True, ""


def classify(out, rc, disk):
    """(outcome, code, p1..p4, culprit, check, faults)"""
    r = dict(code="", p1="", p2="", p3="", p4="", culprit="", check="", faults="0")
    m = re.search(r"^VF-TOTAL faults=(\d+)$", out, re.M)
    if m:
        r["faults"] = m.group(1)
    m = re.search(r"^BUGCHECK (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+)$", out, re.M)
    if m:
        r.update(code=m.group(1), p1=m.group(2), p2=m.group(3), p3=m.group(4), p4=m.group(5))
        c = re.search(r"^Culprit: driver (\S+), routine (\S+)", out, re.M)
        if c:
            r["culprit"] = "%s!%s" % (c.group(1), c.group(2))
        else:
            b = re.search(r"^\s+#0\s+\S+ (\S+)", out, re.M)
            r["culprit"] = b.group(1) if b else ""
        return "bugcheck:%s/%s" % (m.group(1), m.group(2)), r
    if rc is None:
        return "hang", r
    if "VF-POWERCUT" in out:
        if not restore_disk(out, disk):
            return "reset", dict(r, check="power cut without a complete export")
        ok, log = fsck(disk)
        bad = fsck_problems(log) if not ok else []
        if bad:
            return "corrupt", dict(r, check="fsck: " + bad[0][:80])
        if not ok:
            r["check"] = "fsck-repairable"
        ok, why = durable_ok(out, disk)
        return ("handled", r) if ok else ("corrupt", dict(r, check=why))
    m = re.search(r"^EXPERIMENT-RESULT (\S+) .* check=(\S+)$", out, re.M)
    if not m or rc != EXIT_OK:
        return "reset", dict(r, check="exit status %s, no result line" % rc)
    outcome, check = m.group(1), m.group(2)
    r["check"] = "" if check == "-" else check
    if outcome != "corrupt":
        if not restore_disk(out, disk):
            return "corrupt", dict(r, check="disk export missing")
        ok, log = fsck(disk)
        if not ok:
            # a failed request may leave what fsck reclaims (FastFat marks the volume dirty for
            # chkdsk); with no fault injected, or anything worse, it is corruption
            bad = fsck_problems(log) if int(r["faults"]) else log.strip().splitlines()
            if bad:
                return "corrupt", dict(r, check="fsck: " + " / ".join(bad)[:100])
            r["check"] = "fsck-repairable"
    return outcome, r


def run_one(args, seed, cls, fault, keep=None, plant=""):
    options = kernel_options(args, seed, fault, plant)
    workdir = keep or tempfile.mkdtemp(prefix="campaign-")
    os.makedirs(workdir, exist_ok=True)
    try:
        out, rc, secs, disk, cmd = boot(args, options, workdir)
        outcome, r = classify(out, rc, disk)
        if keep:
            with open(os.path.join(keep, "serial.log"), "w") as f:
                f.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n" + out)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    replay = "make replay SEED=%d OPTS=%s OPS=%d" % (seed, shlex.quote(fault) if fault else "''", args.ops)
    return dict(r, seed=seed, **{"class": cls}, fault=fault, outcome=outcome, duration_s="%.2f" % secs,
                replay=replay)


def plan(args):
    """[(seed, class, fault)] for the campaign."""
    if args.mode == "nth":
        spec = args.fault or "lowres:"
        count = count_calls(args, spec)
        n = min(count, args.runs) if args.runs else count
        sep = "," if ":" in spec and not spec.endswith(":") else ("" if spec.endswith(":") else ":")
        return [(args.seed, "nth", spec + sep + "nth=%d" % i) for i in range(1, n + 1)]
    jobs = []
    classes = [("custom", args.fault)] if args.fault else CLASSES
    for i in range(args.runs):
        cls, spec = classes[i % len(classes)]
        seed = args.seed + i
        jobs.append((seed, cls, with_seed(spec, seed)))
    return jobs


def count_calls(args, spec):
    """One boot with nth=0 (count, never fail): how many calls the rule matches."""
    sep = "," if ":" in spec and not spec.endswith(":") else ("" if spec.endswith(":") else ":")
    with tempfile.TemporaryDirectory() as d:
        out, rc, _, _, _ = boot(args, kernel_options(args, args.seed, spec + sep + "nth=0"), d)
    m = re.search(r"^VF-RULE 0 \S+ matched=(\d+)", out, re.M)
    if not m:
        sys.exit("campaign: the counting boot printed no VF-RULE line (status %s)" % rc)
    print("campaign: %s matches %s calls in this workload" % (spec, m.group(1)), flush=True)
    return int(m.group(1))


class Progress:
    def __init__(self, total, before=()):
        self.total, self.t0, self.counts = total, time.time(), collections.Counter()
        self.before = self.done = len(before)  # rows a resumed campaign already had: counted, not timed
        for row in before:
            self.counts[row["outcome"].split(":")[0]] += 1

    def add(self, row):
        self.done += 1
        self.counts[row["outcome"].split(":")[0]] += 1
        el = time.time() - self.t0
        eta = el / (self.done - self.before) * (self.total - self.done)
        width = 30
        bar = "#" * (width * self.done // self.total) + "." * (width - width * self.done // self.total)
        counts = " ".join("%s=%d" % kv for kv in sorted(self.counts.items()))
        end = "\n" if self.done == self.total or not sys.stderr.isatty() else ""
        sys.stderr.write("\r[%s] %d/%d %s ETA %dm%02ds%s" % (bar, self.done, self.total, counts, eta // 60,
                                                              eta % 60, end))
        sys.stderr.flush()


def run_parallel(args, jobs, record):
    """Hands the boots to GNU parallel (--sshlogin / --sshloginfile): each host runs
    `campaign.py one` in the same checkout path and prints its row as JSON."""
    me = os.path.abspath(__file__)
    lines = []
    for seed, cls, fault in jobs:
        lines.append(" ".join(shlex.quote(x) for x in [
            sys.executable, me, "one", "--kernel", os.path.abspath(args.kernel), "--qemu", args.qemu, "--ops",
            str(args.ops), "--timeout", str(args.timeout), "--seed", str(seed), "--class", cls, "--fault", fault]))
    cmd = ["parallel", "--will-cite", "--jobs", str(args.jobs), "--line-buffer"]
    if args.sshloginfile:
        cmd += ["--sshloginfile", args.sshloginfile]
    if args.sshlogin:
        cmd += ["--sshlogin", args.sshlogin]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    p.stdin.write("\n".join(lines) + "\n")
    p.stdin.close()
    for line in p.stdout:
        if line.startswith("{"):
            record(json.loads(line))
    p.wait()


def kernel_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def resume_state(args, jobs):
    """--resume: the rows an interrupted campaign in args.out already holds, the jobs still to run,
    and its wall time so far.
    campaign.json names the kernel and the workload they came from; rows from another kernel,
    another OPS or another plan are refused, so a resumed campaign is still one kernel's."""
    meta_path, rows_path = os.path.join(args.out, "campaign.json"), os.path.join(args.out, "rows.jsonl")
    if not os.path.exists(meta_path) or not os.path.exists(rows_path):
        sys.exit("campaign: nothing to resume in %s (no campaign.json or rows.jsonl)" % args.out)
    meta = json.load(open(meta_path))
    if meta.get("kernel_sha256") != kernel_digest(args.kernel):
        sys.exit("campaign: %s holds a campaign of another kernel (sha256 %s...): run without RESUME=1 to start anew"
                 % (args.out, meta.get("kernel_sha256", "?")[:12]))
    if meta.get("ops") != args.ops:
        sys.exit("campaign: %s ran OPS=%s, not %d: resume with the same OPS" % (args.out, meta.get("ops"), args.ops))
    planned = {(s, c, f) for s, c, f in jobs}
    old = []
    for line in open(rows_path):
        try:
            row = json.loads(line)
        except ValueError:
            continue  # the line being written when the campaign was stopped
        key = (int(row["seed"]), row["class"], row["fault"])
        if key not in planned:
            sys.exit("campaign: %s holds seed %s (%s), which this plan does not: give the same RUNS, SEED and FAULT"
                     % (args.out, row["seed"], row["fault"] or row["class"]))
        planned.discard(key)
        old.append(row)
    with open(rows_path, "w") as f:  # drop a half-written last line, so appended rows start on their own
        f.writelines(json.dumps(r) + "\n" for r in old)
    return old, [j for j in jobs if j in planned], float(meta.get("wall_s", 0)), int(meta.get("invocations", 1))


def save_meta(args, wall, invocations):
    meta = dict(kernel_sha256=args.digest, ops=args.ops, runs=args.runs, seed=args.seed, fault=args.fault,
                mode=args.mode, wall_s=round(wall, 1), invocations=invocations)
    tmp = os.path.join(args.out, "campaign.json.tmp")
    with open(tmp, "w") as f:
        json.dump(meta, f)
    os.replace(tmp, os.path.join(args.out, "campaign.json"))


def write_outputs(args, rows, wall, invocations=1):
    os.makedirs(args.out, exist_ok=True)
    rows.sort(key=lambda r: (r["class"], int(r["seed"]), r["fault"]))
    with open(os.path.join(args.out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in FIELDS})
    kinds = ["ok", "handled", "bugcheck", "hang", "reset", "corrupt"]
    table = collections.OrderedDict()
    for r in rows:
        table.setdefault(r["class"], collections.Counter())[r["outcome"].split(":")[0]] += 1
    lines = ["campaign: %d boots in %.1f s wall (%.1f boots/min), jobs=%d, kernel sha256 %s" % (
                 len(rows), wall, len(rows) / wall * 60 if wall else 0, args.jobs, args.digest[:12]) +
             (" (%d invocations, resumed)" % invocations if invocations > 1 else ""),
             "%-12s %6s" % ("class", "boots") + "".join(" %8s" % k for k in kinds) + " %8s" % "faults"]
    total = collections.Counter()
    faults = collections.Counter()
    for r in rows:
        faults[r["class"]] += int(r.get("faults") or 0)
    for cls, c in table.items():
        total.update(c)
        lines.append("%-12s %6d" % (cls, sum(c.values())) + "".join(" %8d" % c[k] for k in kinds) +
                     " %8d" % faults[cls])
    lines.append("%-12s %6d" % ("total", len(rows)) + "".join(" %8d" % total[k] for k in kinds) +
                 " %8d" % sum(faults.values()))
    for r in rows:
        if r["outcome"].split(":")[0] in ("bugcheck", "hang", "reset", "corrupt"):
            lines.append("  %s seed=%s %s %s %s -> %s" % (r["outcome"], r["seed"], r["fault"], r["culprit"],
                                                          r["check"], r["replay"]))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    chart(args, table, kinds)
    return total


def chart(args, table, kinds):
    """outcomes.png: one stacked bar per class, drawn by gnuplot."""
    if subprocess.run([os.path.join(ROOT, "tools", "need.sh"), "gnuplot", "gnuplot-nox"]).returncode != 0:
        return
    dat = os.path.join(args.out, "outcomes.dat")
    with open(dat, "w") as f:
        f.write("class " + " ".join(kinds) + "\n")
        for cls, c in table.items():
            f.write(cls + " " + " ".join(str(c[k]) for k in kinds) + "\n")
    png = os.path.join(args.out, "outcomes.png")
    script = """set terminal png size 900,480
set output '%s'
set title 'IRQLab fault-injection campaign: outcome per class (%d boots)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set key outside right top
set ylabel 'boots'
set xtics rotate by -30
plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)
""" % (png, sum(sum(c.values()) for c in table.values()), len(kinds) + 1, dat)
    subprocess.run(["gnuplot"], input=script.encode(), check=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["run", "one", "replay", "bench"])
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "kernel.bin"))
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "0") or 0))
    ap.add_argument("--fault", default="")
    ap.add_argument("--class", dest="cls", default="custom")
    ap.add_argument("--mode", default="random", choices=["random", "nth"])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", type=int, default=60)
    ap.add_argument("--plant", default="", help="hang, bugcheck or corrupt: a planted failure (runner tests)")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "campaign"))
    ap.add_argument("--sshlogin", default="")
    ap.add_argument("--sshloginfile", default="")
    ap.add_argument("--resume", action="store_true", help="go on with the interrupted campaign in --out")
    args = ap.parse_args()

    if args.command == "one":
        print(json.dumps(run_one(args, args.seed, args.cls, args.fault, plant=args.plant)), flush=True)
        return
    if args.command == "replay":
        keep = os.path.join(ROOT, "build", "replay")
        row = run_one(args, args.seed, args.cls, args.fault, keep=keep, plant=args.plant)
        print("replay: %s (faults %s, %s s); serial log %s/serial.log, disk %s/disk.img" % (
            row["outcome"], row["faults"], row["duration_s"], keep, keep))
        return
    if args.command == "bench" and not args.runs:
        args.runs = 2 * len(CLASSES)  # every class twice: `make bench`'s campaign-throughput row
    if not args.runs and args.mode != "nth":
        sys.exit("campaign: give RUNS=N")
    args.digest = kernel_digest(args.kernel)
    jobs = plan(args)
    planned = len(jobs)
    old, wall0, invocations = [], 0.0, 0
    if args.resume:
        old, jobs, wall0, invocations = resume_state(args, jobs)
        print("campaign: resuming: %d of %d boots done in %.0f s, %d to go" % (len(old), planned, wall0, len(jobs)),
              flush=True)
    invocations += 1
    progress = Progress(planned, old)
    t0 = time.time()
    rows = list(old)
    os.makedirs(args.out, exist_ok=True)
    save_meta(args, wall0, invocations)
    # Each row as soon as its boot ends (rows.jsonl), with the wall time so far (campaign.json):
    # a long campaign can be read before the CSV is written, and RESUME=1 goes on after an interruption.
    with open(os.path.join(args.out, "rows.jsonl"), "a" if args.resume else "w") as live:
        def record(row):
            rows.append(row)
            live.write(json.dumps(row) + "\n")
            live.flush()
            save_meta(args, wall0 + time.time() - t0, invocations)
            progress.add(row)
        if args.sshlogin or args.sshloginfile:
            run_parallel(args, jobs, record)
        else:
            with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
                for f in cf.as_completed([ex.submit(run_one, args, s, c, fl) for s, c, fl in jobs]):
                    record(f.result())
    wall = wall0 + time.time() - t0
    total = write_outputs(args, rows, wall, invocations)
    if args.command == "bench":
        print("%-40s %12d %14s %12s" % ("campaign throughput (boots/min, jobs=%d)" % args.jobs, len(rows),
                                        "%.1f" % (len(rows) / wall * 60 if wall else 0), "-"))
    sys.exit(1 if len(rows) != planned else 0)


if __name__ == "__main__":
    main()
