#!/usr/bin/env python3
"""tools/kbench.py - `make bench`: boots the kernel's benchmarks twice, once under
`-icount shift=0` (one TSC tick = one guest instruction: deterministic counts) and once in
plain TCG (wall time from the calibrated TSC), and prints one table with both; then the
file-system table (one row per workload, ratio to memcpy from the same boot), also as CSV.
With --peer DIR it builds and runs the Linux peer (a copy of DIR) and adds its figures."""
import argparse, csv, os, re, shlex, shutil, subprocess, sys, tempfile

# Our workload rows, in order, and the peer's RESULT name for each (None: the peer has none).
FS_ROWS = [("write", "write_64k_fsync", 65536), ("cold read 4 KiB", "read_4k", 4096),
           ("cold read 64 KiB", "read_64k", 65536), ("warm re-read 4 KiB", "cached_reread_4k", 4096),
           ("warm re-read 64 KiB", "cached_reread_64k", 65536), ("non-cached read 64 KiB", "read_64k_odirect", 65536),
           ("memcpy", None, 65536)]

def run_peer(src, runs, timeout):
    """Builds and boots the Linux peer from a scratch copy (its directory may be read-only);
    returns {name: MB/s} from the medians run.sh prints."""
    work = tempfile.mkdtemp(prefix="kbench-peer-")
    dst = os.path.join(work, "peer")
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("out"))
    # run.sh's own per-boot limit (300 s) is too short on a loaded machine: give each boot ours.
    env = dict(os.environ, RUNS=str(runs), TIMEOUT=os.environ.get("TIMEOUT", str(int(timeout / 4))))
    for script in ("build.sh", "run.sh"):
        try:
            p = subprocess.run(["bash", os.path.join(dst, script)], cwd=dst, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            print("kbench: peer %s took over %d s; no Linux figures this run" % (script, timeout))
            return {}
        if p.returncode:
            # Our own table is still printed: a failed peer costs its column, not the run.
            print("kbench: peer %s failed (status %d); no Linux figures this run. Its output ends:\n%s" %
                  (script, p.returncode, p.stdout.decode("utf-8", "replace")[-1500:]))
            return {}
    med = open(os.path.join(dst, "out", "logs", "median.txt")).read()
    shutil.rmtree(work, ignore_errors=True)
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^RESULT (\S+) \d+ \S+ (\S+)$", med, re.M)}

def boot(qemu, kernel, append, extra, timeout):
    cmd = shlex.split(qemu) + extra + ["-serial", "stdio", "-kernel", kernel, "-append", append]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    out = p.stdout.decode("utf-8", "replace").replace("\r", "")
    if "BENCH-DONE" not in out:
        sys.exit("kbench: benchmark boot failed (status %d):\n%s" % (p.returncode, out[-3000:]))
    hz = int(re.search(r"^BENCH-TSC-HZ (\d+)$", out, re.M).group(1))
    rows = [(m.group(1), int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"^BENCH (.+?) (\d+) (\d+)$", out, re.M)]
    sizes = {m.group(1): int(m.group(2)) for m in re.finditer(r"^BENCH-BYTES (.+?) (\d+)$", out, re.M)}
    return hz, rows, out, sizes

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--select", default="all")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--extra-append", default="")
    ap.add_argument("--disk", default="", help="FAT image for the file-system workload (-initrd)")
    ap.add_argument("--csv", default="", help="write the file-system table here as CSV")
    ap.add_argument("--peer", default="", help="directory of the Linux peer (build.sh, run.sh)")
    ap.add_argument("--peer-runs", type=int, default=3)
    ap.add_argument("--smp", default=os.environ.get("KBENCH_SMP", "2,4"),
                    help="processor counts the multiprocessor benchmark (kbench=smp) is booted with")
    a = ap.parse_args()
    append = ("kbench=%s %s" % (a.select, a.extra_append)).strip()
    disk = ["-initrd", a.disk] if a.disk else []
    _, icount_rows, _, _ = boot(a.qemu, a.kernel, append, ["-accel", "tcg", "-icount", "shift=0,sleep=off"] + disk, a.timeout)
    hz, wall_rows, wall_out, sizes = boot(a.qemu, a.kernel, append, ["-accel", "tcg"] + disk, a.timeout)
    wall = {n: (ops, t) for n, ops, t in wall_rows}
    extra = [l for l in wall_out.splitlines() if l.startswith("BENCH-INFO ")]
    print("%-40s %12s %14s %12s" % ("benchmark", "operations", "instr/op", "wall ns/op"))
    print("%-40s %12s %14s %12s" % ("-" * 40, "-" * 10, "-" * 12, "-" * 10))
    for name, ops, ticks in icount_rows:
        w = wall.get(name)
        ns = "%.1f" % (w[1] / w[0] / hz * 1e9) if w and w[0] else "-"
        print("%-40s %12d %14.1f %12s" % (name, ops, ticks / ops if ops else 0, ns))
    if sizes:
        print_fs_table(a, wall, hz, sizes, {n: (ops, t) for n, ops, t in icount_rows})
    for l in extra:
        print(l[len("BENCH-INFO "):])
    print("(instr/op: -icount shift=0, TSC ticks = guest instructions; wall: TCG, TSC at %d Hz)" % hz)
    if a.select in ("all", "smp"):
        print_smp_table(a, disk)

def print_smp_table(a, disk):
    """The multiprocessor rows: one boot per processor count, wall time only (-icount with
    several processors crawls, see smp_argv in tools/ktest.py), so they vary with host load."""
    rows = []
    for n in [n for n in a.smp.split(",") if n]:
        hz, r, out, _ = boot(a.qemu, a.kernel, ("kbench=smp " + a.extra_append).strip(),
                             ["-accel", "tcg", "-smp", n] + disk, a.timeout)
        rows += [(name, ops, t, hz) for name, ops, t in r]
        rows += [(l[len("BENCH-INFO "):], None, None, hz) for l in out.splitlines() if l.startswith("BENCH-INFO ")]
    if not rows:
        return
    print()
    print("%-40s %12s %12s" % ("multiprocessor (wall, TCG -smp N)", "operations", "wall ns/op"))
    for name, ops, t, hz in rows:
        if ops is None:
            print(name)
        else:
            print("%-40s %12d %12.1f" % (name, ops, t / ops / hz * 1e9 if ops else 0))

def print_fs_table(a, wall, hz, sizes, icount):
    """One row per workload: MB/s, requests/s and last the ratio to memcpy of the same boot;
    with the peer, its MB/s and our ratio to it follow in a second table. The printed table
    also gives the ratio in instructions (-icount boot): memcpy's instructions per byte over
    the row's, which host load does not move."""
    rate = {n: (sizes[n] / (wall[n][1] / hz), wall[n][0] / (wall[n][1] / hz)) for n in sizes if n in wall and wall[n][1]}
    mc = rate.get("memcpy", (0, 0))[0]
    per_byte = {n: icount[n][1] / sizes[n] for n in sizes if n in icount and icount[n][1]}
    peer = run_peer(a.peer, a.peer_runs, a.timeout * 4) if a.peer else {}
    print()
    print("%-24s %10s %12s %13s %10s" % ("file system (wall, TCG)", "MB/s", "requests/s", "instr/memcpy", "/memcpy"))
    rows = []
    for name, pname, chunk in FS_ROWS:
        if name not in rate:
            continue
        mbs, rps = rate[name][0] / 1e6, rate[name][1]
        ratio = rate[name][0] / mc if mc else 0
        iratio = per_byte["memcpy"] / per_byte[name] if name in per_byte and "memcpy" in per_byte else 0
        print("%-24s %10.1f %12.0f %13.3f %10.3f" % (name, mbs, rps, iratio, ratio))
        lin = peer.get(pname) if pname else None
        rows.append([name, "%.1f" % mbs, "%.0f" % rps, "%.3f" % ratio] +
                    (["%.1f" % lin if lin else "", "%.3f" % (mbs / lin) if lin else ""] if a.peer else []))
    if peer:
        print()
        print("%-24s %12s %12s %12s %10s" % ("same run, Linux peer", "IRQLab MB/s", "Linux MB/s", "Linux req/s", "IRQLab/Linux"))
        for name, pname, chunk in FS_ROWS:
            if name in rate and pname and pname in peer:
                print("%-24s %12.1f %12.1f %12.0f %10.2f" % (name, rate[name][0] / 1e6, peer[pname],
                      peer[pname] * 1e6 / chunk, rate[name][0] / 1e6 / peer[pname]))
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["workload", "mb_per_s", "requests_per_s", "ratio_to_memcpy"] +
                       (["linux_mb_per_s", "ratio_to_linux"] if a.peer else []))
            w.writerows(rows)
        print("(file-system table also in %s)" % a.csv)

if __name__ == "__main__":
    main()
