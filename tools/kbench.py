#!/usr/bin/env python3
"""tools/kbench.py - `make bench`: boots the kernel's benchmarks twice, once under
`-icount shift=0` (one TSC tick = one guest instruction: deterministic counts) and once in
plain TCG (wall time from the calibrated TSC), and prints one table with both."""
import argparse, re, shlex, subprocess, sys

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
        print()
        print("%-44s %10s %12s %14s" % ("file-system workload (wall, TCG)", "MB/s", "IRPs/s", "stack/memcpy"))
        mc = [n for n in sizes if n.startswith("memcpy")]
        mc_rate = sizes[mc[0]] / (wall[mc[0]][1] / hz) if mc and mc[0] in wall else 0
        for n, b in sizes.items():
            if n not in wall:
                continue
            secs = wall[n][1] / hz
            rate = b / secs
            print("%-44s %10.1f %12.0f %14s" % (n, rate / 1e6, wall[n][0] / secs,
                  "%.3f" % (rate / mc_rate) if mc_rate and not n.startswith("memcpy") else "-"))
    for l in extra:
        print(l[len("BENCH-INFO "):])
    print("(instr/op: -icount shift=0, TSC ticks = guest instructions; wall: TCG, TSC at %d Hz)" % hz)

if __name__ == "__main__":
    main()
