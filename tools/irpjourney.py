#!/usr/bin/env python3
"""tools/irpjourney.py - draws the journey of chosen IRPs from the kernel's IRP trace (JSON
lines, io/tracedump.c) as an SVG sequence diagram: a lane per device plus the ISR and DPC,
an arrow for each IoCallDriver, completion-routine call and return, each step's IRQL as a
coloured band, STATUS_PENDING and PendingReturned marked, associated IRPs boxed under their
master.

  irpjourney.py TRACE.jsonl -o OUT.svg [--irp 0xADDR ... [--seq N]] [--auto]

--auto picks the last top-level request whose journey contains an interrupt (the demo's read
from the disk). Exit status 1 with one line when the trace has nothing to draw."""
import argparse
import json
import sys
from xml.sax.saxutils import escape

IRQL_BANDS = [  # (lowest IRQL, name, colour)
    (0, "PASSIVE_LEVEL", "#e8f5e9"),
    (1, "APC_LEVEL", "#fff9c4"),
    (2, "DISPATCH_LEVEL", "#ffe0b2"),
    (3, "DIRQL", "#ffcdd2"),
]
ROW, LANE, LEFT, TOP = 30, 190, 230, 120


def band(irql):
    best = IRQL_BANDS[0]
    for b in IRQL_BANDS:
        if irql >= b[0]:
            best = b
    return best


def load(path):
    recs = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue  # a line cut short when the guest stopped
            if "seq" in r:
                recs.append(r)
    return recs


def pick_auto(recs):
    """The last top-level IRP (the outermost call of its IRP) with an ISR inside its call, a read
    if there is one."""
    isr = [r["seq"] for r in recs if r["kind"] == "isr"]
    best = read = None
    for r in recs:
        if r["kind"] != "dispatch" or "master" in r:
            continue
        outer = [x for x in recs if x.get("irp") == r["irp"] and x["kind"] == "dispatch"
                 and x["called_at"] <= r["called_at"] and x["seq"] > r["seq"]]
        if outer:
            continue
        if any(r["called_at"] <= s < r["seq"] for s in isr):
            best = r
            if r.get("major") == "IRP_MJ_READ":
                read = r
    best = read or best
    return ([best["irp"]], best["called_at"]) if best else ([], None)


def outermost(recs, irp):
    """The outermost dispatch records of irp: one per time it was sent down the stack."""
    calls = [r for r in recs if r["kind"] == "dispatch" and r.get("irp") == irp]
    return [r for r in calls if not any(x["called_at"] <= r["called_at"] and x["seq"] > r["seq"] for x in calls)]


def select(recs, irps, at=None):
    """Each chosen IRP's last journey (an address can be reused once an IRP is freed): from its
    outermost call to its last record before it was sent again, with its associated IRPs and
    the ISRs and DPCs that ran meanwhile."""
    spans = []
    for irp in irps:
        tops = outermost(recs, irp)
        if not tops:
            continue
        starts = [t["called_at"] for t in tops if at is None or t["called_at"] <= at]
        if not starts:
            continue
        lo = starts[-1]
        later = [t["called_at"] for t in tops if t["called_at"] > lo]
        end = later[0] if later else float("inf")
        hi = max(r["seq"] for r in recs if r.get("irp") == irp and lo <= r["seq"] < end)
        spans.append((lo, hi))
    if not spans:
        return []
    chosen = set(irps) | {r["irp"] for r in recs if r.get("master") in irps}
    inside = lambda r: any(lo <= r["called_at"] and r["seq"] <= hi for lo, hi in spans)
    return [r for r in recs if inside(r) and (r.get("irp") in chosen or r["kind"] in ("isr", "dpc"))]


def events(recs):
    ev = []
    for r in recs:
        if r["kind"] == "complete":
            ev.append((r["seq"] * 4096 + 2048, "instant", r))
            continue
        ev.append((r["called_at"] * 4096 + 1024 - (r["seq"] - r["called_at"]), "call", r))
        ev.append((r["seq"] * 4096 + 2048, "return", r))
    ev.sort(key=lambda e: e[0])
    return [(k, r) for _, k, r in ev]


def short(name):
    return name.rsplit("\\", 1)[-1] if name else "?"


def hexshort(a):
    return "..." + a[-4:] if a else "?"


class Diagram:
    def __init__(self):
        self.lanes = ["caller"]
        self.lane_label = {"caller": ("requesting thread", "ZwReadFile / I/O manager")}
        self.body = []
        self.rows = []  # (y, irql)
        self.groups = {}  # associated irp -> [first y, last y, master]

    def lane(self, r):
        if r["kind"] in ("isr", "dpc"):
            key = r["kind"]
            self.lane_label.setdefault(key, ("ISR" if key == "isr" else "DPC", r["routine"]))
        elif r.get("device") and r["device"] != "0x0":
            key = r["device"]
            self.lane_label.setdefault(key, (short(r.get("driver")), "device " + hexshort(r["device"])))
        else:
            key = "caller"
        if key not in self.lanes:
            self.lanes.append(key)
        return key

    def order_lanes(self):
        devs = [l for l in self.lanes if l not in ("caller", "isr", "dpc")]
        self.lanes = ["caller"] + devs + [l for l in ("isr", "dpc") if l in self.lanes]

    def x(self, lane):
        return LEFT + self.lanes.index(lane) * LANE


def layout(evs):
    d = Diagram()
    for _, r in evs:  # lanes first, in order of appearance
        d.lane(r)
    d.order_lanes()
    stack = []
    steps = []
    for i, (kind, r) in enumerate(evs):
        y = TOP + 40 + i * ROW
        here = stack[-1] if stack else "caller"
        target = d.lane(r)
        if kind == "call":
            steps.append((y, kind, r, here, target))
            stack.append(target)
        elif kind == "return":
            if stack:
                stack.pop()
            back = stack[-1] if stack else "caller"
            steps.append((y, kind, r, target, back))
        else:
            steps.append((y, kind, r, here, here))
        d.rows.append((y, r["irql"]))
        if r.get("master"):
            g = d.groups.setdefault(r["irp"], [y, y, r["master"]])
            g[1] = y
    return d, steps


def label(kind, r):
    if kind == "call":
        if r["kind"] == "dispatch":
            return "IoCallDriver %s -> %s (irp %s, location %d)" % (
                r["major"], r["routine"], hexshort(r["irp"]), r["location"])
        if r["kind"] == "completion":
            return "completion routine %s (irp %s)%s" % (
                r["routine"], hexshort(r["irp"]), ", PendingReturned" if r.get("pending") else "")
        if r["kind"] == "isr":
            return "interrupt: %s at IRQL %d" % (r["routine"], r["irql"])
        return "DPC %s" % r["routine"]
    if kind == "return":
        if r["kind"] in ("isr", "dpc"):
            return "%s returns" % r["routine"]
        marked = ", location marked pending" if r["kind"] == "dispatch" and r.get("pending") else ""
        return "%s returns %s%s" % (r["routine"], r.get("status_name", "?"), marked)
    return "IoCompleteRequest(irp %s) %s" % (hexshort(r["irp"]), r.get("status_name", "?"))


def render(d, steps, title):
    width = LEFT + len(d.lanes) * LANE + 260
    height = TOP + 40 + len(steps) * ROW + 60
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
         'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">' % (width, height, width, height),
         '<title>%s</title>' % escape(title),
         '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
         '<path d="M0,0 L10,4 L0,8 z" fill="#333"/></marker></defs>',
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="12" y="24" font-size="16" font-weight="bold">%s</text>' % escape(title)]
    # legend
    lx = 12
    for _, name, colour in IRQL_BANDS:
        o.append('<rect class="legend" x="%d" y="36" width="14" height="14" fill="%s" stroke="#999"/>' % (lx, colour))
        o.append('<text x="%d" y="48">%s</text>' % (lx + 18, name))
        lx += 140
    o.append('<text x="%d" y="48" fill="#c62828" font-weight="bold">STATUS_PENDING</text>' % lx)
    o.append('<text x="%d" y="48" fill="#1565c0">PendingReturned</text>' % (lx + 130))
    # IRQL bands: one per step, the whole width
    for y, irql in d.rows:
        _, name, colour = band(irql)
        o.append('<rect class="irql-band" data-irql="%d" x="0" y="%d" width="%d" height="%d" fill="%s"/>'
                 % (irql, y - ROW // 2, width, ROW, colour))
        o.append('<text x="12" y="%d" fill="#555">IRQL %d %s</text>' % (y + 4, irql, name if irql < 3 else "DIRQL"))
    # associated IRPs, boxed and labelled with their master
    for irp, (y0, y1, master) in d.groups.items():
        o.append('<rect class="associated" x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#6a1b9a" '
                 'stroke-dasharray="6,3" rx="8"/>' % (LEFT - 40, y0 - ROW // 2 + 2, len(d.lanes) * LANE + 200,
                                                     y1 - y0 + ROW - 4))
        o.append('<text x="%d" y="%d" fill="#6a1b9a" font-style="italic"><title>%s of %s</title>'
                 'associated IRP %s of master %s</text>'
                 % (LEFT - 34, y0 + 4, escape(irp), escape(master), hexshort(irp), hexshort(master)))
    # lanes
    for lane in d.lanes:
        x = d.x(lane)
        top, sub = d.lane_label[lane]
        o.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#90a4ae" stroke-width="2"/>' % (x, TOP, x, height - 30))
        o.append('<rect x="%d" y="%d" width="%d" height="36" rx="5" fill="#eceff1" stroke="#607d8b"/>'
                 % (x - LANE // 2 + 10, TOP - 40, LANE - 20))
        o.append('<text class="lane" x="%d" y="%d" text-anchor="middle" font-weight="bold">%s</text>'
                 % (x, TOP - 24, escape(top)))
        o.append('<text x="%d" y="%d" text-anchor="middle" font-size="10">%s</text>' % (x, TOP - 10, escape(sub)))
    # steps
    for y, kind, r, src, dst in steps:
        x1, x2 = d.x(src), d.x(dst)
        text = label(kind, r)
        pending = kind == "return" and r.get("status_name") == "STATUS_PENDING"
        colour = "#c62828" if pending else "#333"
        cls = "step %s %s" % (kind, r["kind"])
        if x1 == x2:
            o.append('<circle class="%s" cx="%d" cy="%d" r="5" fill="%s"/>' % (cls, x1, y, colour))
            tx = x1 + 10
        else:
            dash = ' stroke-dasharray="5,3"' if kind == "return" else ""
            o.append('<line class="%s" x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.6"%s '
                     'marker-end="url(#arrow)"/>' % (cls, x1, y, x2, y, colour, dash))
            tx = min(x1, x2) + 8
        weight = ' font-weight="bold"' if pending else ""
        fill = "#1565c0" if kind == "call" and r["kind"] == "completion" and r.get("pending") else colour
        o.append('<text x="%d" y="%d" fill="%s"%s>%s</text>' % (tx, y - 5, fill, weight, escape(text)))
    o.append('<text x="12" y="%d" font-size="10" fill="#555">Rows are in the order things happened: the kernel '
             'logs a call when it returns; each call is drawn where it began.</text>' % (height - 12))
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--irp", action="append", default=[], help="an IRP address from the trace (repeatable)")
    ap.add_argument("--seq", type=int, help="draw the journey that began at or before this sequence number")
    ap.add_argument("--auto", action="store_true", help="the last top-level IRP with an interrupt in it")
    a = ap.parse_args()
    recs = load(a.trace)
    irps, at = [i.lower() for i in a.irp], a.seq
    if not irps and a.auto:
        irps, at = pick_auto(recs)
    chosen = select(recs, irps, at) if irps else []
    if not chosen:
        print("irpjourney: nothing to draw in %s (%d records; IRPs asked for: %s)"
              % (a.trace, len(recs), ", ".join(irps) or "none"), file=sys.stderr)
        return 1
    evs = events(chosen)
    d, steps = layout(evs)
    top = [r for r in chosen if r.get("irp") in irps]
    title = "IRP journey: %s irp %s" % (top[0].get("major", "?") if top else "?", ", ".join(irps))
    with open(a.output, "w", encoding="utf-8") as f:
        f.write(render(d, steps, title))
    return 0


if __name__ == "__main__":
    sys.exit(main())
