#!/usr/bin/env python3
"""tools/ktap.py - a small KTAP v1 reader: checks a document's structure (version line, plan,
nested subtests indented by four spaces, each with its own plan and numbered results, a parent
`ok` only when all its children pass) and counts the leaf tests. `ktap.py FILE` prints
`N passed, N failed` as ktest.py does, or one line saying what is malformed, and exits non-zero."""
import re, sys

RESULT = re.compile(r"^(ok|not ok) (\d+)(?: (?:- )?([^#]*?))?\s*(?:#\s*(.*))?$")

class KtapError(Exception):
    pass

def _parse(lines, i, indent):
    """Parses one (sub)document at `indent` starting at lines[i]; returns (leaf passed, leaf
    failed, all ok, next index)."""
    pad = " " * indent
    if i >= len(lines) or lines[i] != pad + "KTAP version 1":
        raise KtapError("line %d: expected '%sKTAP version 1'" % (i + 1, pad))
    i += 1
    while i < len(lines) and lines[i].startswith(pad + "#"):
        i += 1
    m = re.match(r"^%s1\.\.(\d+)$" % pad, lines[i]) if i < len(lines) else None
    if not m:
        raise KtapError("line %d: expected a plan '%s1..N'" % (i + 1, pad))
    plan, i = int(m.group(1)), i + 1
    passed = failed = number = 0
    child = None  # (passed, failed, ok) of the subtest just read, waiting for its result line
    while i < len(lines) and number < plan:
        line = lines[i]
        if line == pad + "    KTAP version 1":
            if child:
                raise KtapError("line %d: subtest without a result line" % (i + 1))
            p, f, ok, i = _parse(lines, i, indent + 4)
            child = (p, f, ok)
            continue
        if not line.startswith(pad) or line.startswith(pad + " ") or line[indent:].startswith("#"):
            i += 1  # diagnostics and other output
            continue
        r = RESULT.match(line[indent:])
        if not r:
            i += 1
            continue
        number += 1
        if int(r.group(2)) != number:
            raise KtapError("line %d: test number %s, expected %d" % (i + 1, r.group(2), number))
        ok = r.group(1) == "ok" or (r.group(4) or "").upper().startswith("SKIP")
        if child:
            if ok and not child[2]:
                raise KtapError("line %d: '%s' is ok but a subtest of it failed" % (i + 1, r.group(3)))
            passed, failed, child = passed + child[0], failed + child[1], None
        else:
            passed, failed = passed + ok, failed + (not ok)
        i += 1
    if number != plan:
        raise KtapError("plan 1..%d but %d results" % (plan, number))
    return passed, failed, failed == 0, i

def parse(text):
    """Leaf (passed, failed) of a KTAP v1 document; lines before the version line are ignored."""
    lines = text.splitlines()
    start = next((k for k, l in enumerate(lines) if l == "KTAP version 1"), None)
    if start is None:
        raise KtapError("no 'KTAP version 1' line")
    p, f, _, _ = _parse(lines, start, 0)
    return p, f

if __name__ == "__main__":
    try:
        p, f = parse(open(sys.argv[1]).read())
    except KtapError as e:
        sys.exit("ktap: malformed: %s" % e)
    print("%d passed, %d failed" % (p, f))
    sys.exit(1 if f else 0)
