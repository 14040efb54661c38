# tools/gdb/irqlab.py - WinDbg-style kernel-debugger commands for IRQLab under gdb: irql, irp,
# devstack, drvobj, pool, threads, dpcs, irptrace, analyze. They read kernel memory through
# gdb (the symbols and types of build/kernel.elf); nothing calls into the stopped kernel.
# Loaded by `make gdb`; by hand: gdb build/kernel.elf -x tools/gdb/irqlab.py -ex 'target remote :PORT'
import gdb

IRQL_NAMES = {0: "PASSIVE_LEVEL", 1: "APC_LEVEL", 2: "DISPATCH_LEVEL", 12: "PROFILE_LEVEL",
              13: "CLOCK_LEVEL", 14: "IPI_LEVEL", 15: "HIGH_LEVEL"}
MAJOR = ["IRP_MJ_CREATE", "IRP_MJ_CREATE_NAMED_PIPE", "IRP_MJ_CLOSE", "IRP_MJ_READ", "IRP_MJ_WRITE",
         "IRP_MJ_QUERY_INFORMATION", "IRP_MJ_SET_INFORMATION", "IRP_MJ_QUERY_EA", "IRP_MJ_SET_EA",
         "IRP_MJ_FLUSH_BUFFERS", "IRP_MJ_QUERY_VOLUME_INFORMATION", "IRP_MJ_SET_VOLUME_INFORMATION",
         "IRP_MJ_DIRECTORY_CONTROL", "IRP_MJ_FILE_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CONTROL",
         "IRP_MJ_INTERNAL_DEVICE_CONTROL", "IRP_MJ_SHUTDOWN", "IRP_MJ_LOCK_CONTROL", "IRP_MJ_CLEANUP",
         "IRP_MJ_CREATE_MAILSLOT", "IRP_MJ_QUERY_SECURITY", "IRP_MJ_SET_SECURITY", "IRP_MJ_POWER",
         "IRP_MJ_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CHANGE", "IRP_MJ_QUERY_QUOTA", "IRP_MJ_SET_QUOTA",
         "IRP_MJ_PNP"]
IRP_FLAGS = [(0x1, "IRP_NOCACHE"), (0x2, "IRP_PAGING_IO"), (0x4, "IRP_SYNCHRONOUS_API"),
             (0x8, "IRP_ASSOCIATED_IRP"), (0x10, "IRP_BUFFERED_IO"), (0x20, "IRP_DEALLOCATE_BUFFER"),
             (0x40, "IRP_INPUT_OPERATION"), (0x80, "IRP_CREATE_OPERATION"), (0x100, "IRP_READ_OPERATION"),
             (0x200, "IRP_WRITE_OPERATION"), (0x400, "IRP_CLOSE_OPERATION"), (0x800, "IRP_DEFER_IO_COMPLETION")]
THREAD_STATES = ["Initialized", "Ready", "Running", "Standby", "Terminated", "Waiting"]
WAIT_REASONS = ["Executive", "FreePage", "PageIn", "PoolAllocation", "DelayExecution", "Suspended",
                "UserRequest", "WrExecutive", "WrFreePage", "WrPageIn", "WrPoolAllocation",
                "WrDelayExecution", "WrSuspended", "WrUserRequest", "WrEventPair", "WrQueue",
                "WrLpcReceive", "WrLpcReply", "WrVirtualMemory", "WrPageOut", "WrRendezvous"]
OBJECT_TYPES = {0: "NotificationEvent", 1: "SynchronizationEvent", 2: "Mutant", 5: "Semaphore",
                6: "Thread", 8: "NotificationTimer", 9: "SynchronizationTimer"}
TRACE_KINDS = ["?", "dispatch", "completion", "complete", "isr", "dpc"]
# A few statuses by name (the kernel's own table is RtlNtStatusName's).
STATUS = {0: "STATUS_SUCCESS", 0x103: "STATUS_PENDING", 0xC0000016: "STATUS_MORE_PROCESSING_REQUIRED",
          0xC000000D: "STATUS_INVALID_PARAMETER", 0xC0000010: "STATUS_INVALID_DEVICE_REQUEST",
          0xC000014F: "STATUS_UNRECOGNIZED_VOLUME", 0xC0000120: "STATUS_CANCELLED",
          0xC0000034: "STATUS_OBJECT_NAME_NOT_FOUND", 0xC0000022: "STATUS_ACCESS_DENIED",
          0x80000003: "STATUS_BREAKPOINT", 0xC0000005: "STATUS_ACCESS_VIOLATION"}


# ---- reading kernel memory ----
def ev(expr):
    return gdb.parse_and_eval(expr)


def global_var(name):
    """A kernel global (static ones too) or None when this kernel has no such symbol."""
    try:
        return ev(name)
    except gdb.error:
        return None


_TYPES = {}


def lookup(typename):
    """A kernel type by name, searched in every compilation unit (gdb.lookup_type looks only
    where the program stopped, and a unit describes only the types it uses)."""
    if typename not in _TYPES:
        try:
            _TYPES[typename] = gdb.lookup_type(typename)
        except gdb.error:
            sym = None
            for domain in (gdb.SYMBOL_VAR_DOMAIN, gdb.SYMBOL_STRUCT_DOMAIN):
                for name in (typename, "_" + typename):
                    if sym is None:
                        sym = gdb.lookup_static_symbol(name, domain) or gdb.lookup_global_symbol(name, domain)
            if sym is None:
                raise gdb.error("no type named %s in the kernel's symbols" % typename)
            _TYPES[typename] = sym.type
    return _TYPES[typename]


def ptr(v):
    code = v.type.strip_typedefs().code
    return int(v.cast(lookup("unsigned long long"))) if code == gdb.TYPE_CODE_PTR else int(v)


def as_type(addr, typename):
    return gdb.Value(addr).cast(lookup(typename).pointer()).dereference()


def read_u64(addr):
    return int(as_type(addr, "unsigned long long"))


def symbol(addr):
    """'Routine+0x12' for a code address, '-' for NULL."""
    if not addr:
        return "-"
    try:
        out = gdb.execute("info symbol 0x%x" % addr, to_string=True).strip()
    except gdb.error:
        return "0x%x" % addr
    if out.startswith("No symbol"):
        return "0x%x" % addr
    name = out.split(" in section")[0].replace(" + ", "+")
    return name


def cstring(v):
    try:
        return v.string() if ptr(v) else "-"
    except gdb.error:
        return "?"


def ustring(u):
    """A UNICODE_STRING value as text."""
    n, buf = int(u["Length"]) // 2, ptr(u["Buffer"])
    if not buf or not n:
        return ""
    data = gdb.selected_inferior().read_memory(buf, 2 * n).tobytes()
    return data.decode("utf-16-le", "replace")


def irql_name(irql):
    return IRQL_NAMES.get(irql, "DIRQL" if 3 <= irql <= 11 else "?")


def status_name(st):
    st &= 0xFFFFFFFF
    return STATUS.get(st, "0x%08x" % st)


def driver_name(drv):
    """The name of a DRIVER_OBJECT, given as a pointer or as the object."""
    if drv.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        if not ptr(drv):
            return "-"
        drv = drv.dereference()
    return ustring(drv["DriverName"])


def object_name(body_addr):
    """The name in the object header before an object body (devices, drivers), or ''."""
    hdr_t = lookup("OBJECT_HEADER")
    body_off = [f.bitpos // 8 for f in hdr_t.fields() if f.name == "Body"][0]
    return ustring(as_type(body_addr - body_off, "OBJECT_HEADER")["Name"])


def list_entries(head_addr, typename, field):
    """Yields the addresses of the records linked through LIST_ENTRY field from head_addr."""
    t = lookup(typename)
    off = [f.bitpos // 8 for f in t.fields() if f.name == field][0]
    e = ptr(as_type(head_addr, "LIST_ENTRY")["Flink"])
    n = 0
    while e and e != head_addr and n < 4096:
        yield e - off
        e = ptr(as_type(e, "LIST_ENTRY")["Flink"])
        n += 1


def processors():
    """(number, KPRCB value) for each processor the kernel has: an array KiProcessorBlock when
    the kernel is SMP, else the one KiProcessorBlock0."""
    arr = global_var("KiProcessorBlock")
    if arr is not None and arr.type.code == gdb.TYPE_CODE_ARRAY:
        out = []
        lo, hi = arr.type.range()
        started = global_var("KeNumberProcessors")
        if started is not None and 0 < int(started) <= hi + 1:
            hi = lo + int(started) - 1
        for i in range(lo, hi + 1):
            p = arr[i]
            if p.type.code == gdb.TYPE_CODE_PTR:
                if ptr(p):
                    out.append((i, p.dereference()))
            else:
                out.append((i, p))
        return out
    p0 = global_var("KiProcessorBlock0")
    return [(0, p0)] if p0 is not None else []


def rbp_backtrace(rbp, rip, depth=12, indent="    "):
    lines = ["%s#0  %016x %s" % (indent, rip, symbol(rip))]
    for i in range(1, depth):
        if rbp < 0xffff800000000000 or rbp & 7:
            break
        try:
            ret, nxt = read_u64(rbp + 8), read_u64(rbp)
        except gdb.MemoryError:
            break
        if not ret:
            break
        lines.append("%s#%d  %016x %s" % (indent, i, ret, symbol(ret - 1)))
        if nxt <= rbp:
            break
        rbp = nxt
    return "\n".join(lines)


class IrqlabCommand(gdb.Command):
    def __init__(self, name):
        super().__init__(name, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            self.run(arg.strip())
        except gdb.error as e:
            print("%s: %s (is the kernel stopped with symbols loaded?)" % (self.__class__.__name__.lower(), e))


# ---- irql ----
def masked_by(irql):
    classes = []
    if irql >= 1:
        classes.append("APC (0x1F)")
    if irql >= 2:
        classes.append("DPC/dispatch (0x2F)")
    if irql >= 3:
        classes.append("device vectors 0x30-0x%02x" % (min(irql, 12) * 16 + 15))
    if irql >= 13:
        classes.append("clock (0xD1)")
    if irql >= 14:
        classes.append("IPI")
    return ", ".join(classes) if classes else "nothing"


class Irql(IrqlabCommand):
    """irql: each processor's IRQL (its CR8) and which interrupts it holds back."""
    def __init__(self):
        super().__init__("irql")

    def run(self, arg):
        inf = gdb.selected_inferior()
        here = gdb.selected_thread()
        for t in sorted(inf.threads(), key=lambda t: t.num):
            t.switch()
            cr8 = int(ev("$cr8"))
            print("CPU %d: IRQL %d %s (CR8 %d) - masks %s" % (t.num - 1, cr8, irql_name(cr8), cr8, masked_by(cr8)))
        if here:
            here.switch()
        for n, prcb in processors():
            print("  processor block %d: DPC routine active %d, DPCs queued %d, interrupt nesting %d"
                  % (n, int(prcb["DpcRoutineActive"]), int(prcb["DpcQueueDepth"]), int(prcb["InterruptNesting"])))


# ---- irp ----
class Irp(IrqlabCommand):
    """irp ADDR: an IRP like WinDbg's !irp - flags, status, each stack location (major/minor,
    device, driver, completion routine and when it is invoked), the current one marked '>'."""
    def __init__(self):
        super().__init__("irp")

    def run(self, arg):
        if not arg:
            print("usage: irp ADDRESS")
            return
        addr = ptr(ev(arg)) if not arg.startswith("0x") else int(arg, 16)
        irp = as_type(addr, "IRP")
        if int(irp["Type"]) != 6:
            print("irp %x: Type %d is not IO_TYPE_IRP (6): not an IRP, or freed" % (addr, int(irp["Type"])))
        flags = int(irp["Flags"])
        names = [n for bit, n in IRP_FLAGS if flags & bit]
        count, cur = int(irp["StackCount"]), int(irp["CurrentLocation"])
        st = int(irp["IoStatus"]["Status"])
        print("IRP %x: %d stack locations, current %d%s" % (addr, count, cur,
              " (past the top: completed)" if cur > count else ""))
        print("  Flags 0x%x %s" % (flags, " | ".join(names)))
        print("  IoStatus %s (0x%08x), Information %d; PendingReturned %d, Cancel %d"
              % (status_name(st), st & 0xFFFFFFFF, int(irp["IoStatus"]["Information"]),
                 int(irp["PendingReturned"]), int(irp["Cancel"])))
        print("  Thread %x, MdlAddress %x, UserIosb %x, UserEvent %x"
              % (ptr(irp["Tail"]["Overlay"]["Thread"]), ptr(irp["MdlAddress"]), ptr(irp["UserIosb"]),
                 ptr(irp["UserEvent"])))
        if flags & 0x8:
            print("  associated IRP of master %x" % ptr(irp["AssociatedIrp"]["MasterIrp"]))
        loc_t = lookup("IO_STACK_LOCATION")
        base = addr + lookup("IRP").sizeof
        print("     loc major/minor                          device           driver / completion routine")
        for i in range(count, 0, -1):
            sp = as_type(base + (i - 1) * loc_t.sizeof, "IO_STACK_LOCATION")
            mj, mn, ctl = int(sp["MajorFunction"]), int(sp["MinorFunction"]), int(sp["Control"])
            dev = ptr(sp["DeviceObject"])
            drv = driver_name(as_type(dev, "DEVICE_OBJECT")["DriverObject"]) if dev else "-"
            mark = ">" if i == cur else " "
            print("  %s %3d %-30s/%-2d %016x %s" % (mark, i, MAJOR[mj] if mj < len(MAJOR) else "?", mn, dev, drv))
            routine = ptr(sp["CompletionRoutine"])
            ctl_names = [n for b, n in ((0x40, "Success"), (0x80, "Error"), (0x20, "Cancel")) if ctl & b]
            extra = " pending-returned" if ctl & 1 else ""
            if routine:
                print("          completion %s (context %x), invoke on %s%s"
                      % (symbol(routine), ptr(sp["Context"]), "/".join(ctl_names) or "never", extra))
            elif extra:
                print("          %s" % extra.strip())


# ---- devstack, drvobj ----
class Devstack(IrqlabCommand):
    """devstack DEV: the device stack DEV is in, top first, like WinDbg's !devstack."""
    def __init__(self):
        super().__init__("devstack")

    def run(self, arg):
        if not arg:
            print("usage: devstack DEVICE_OBJECT")
            return
        d = ptr(ev(arg))
        top = d
        while ptr(as_type(top, "DEVICE_OBJECT")["AttachedDevice"]):
            top = ptr(as_type(top, "DEVICE_OBJECT")["AttachedDevice"])
        print("  !DevObj          !DrvObj          StackSize Driver / device name")
        while top:
            dev = as_type(top, "DEVICE_OBJECT")
            drv = ptr(dev["DriverObject"])
            mark = ">" if top == d else " "
            name = object_name(top)
            print("%s %016x %016x %9d %s%s" % (mark, top, drv, int(dev["StackSize"]),
                  driver_name(dev["DriverObject"]), "  " + name if name else ""))
            ext = ptr(dev["DeviceObjectExtension"])
            top = ptr(as_type(ext, "DEVOBJ_EXTENSION")["AttachedTo"]) if ext else 0


def find_driver(name):
    head = global_var("ObpNamespace")
    if head is None:
        return None
    want = name.lower().lstrip("\\")
    for h in list_entries(ptr(head.address), "OBJECT_HEADER", "NamespaceEntry"):
        hdr = as_type(h, "OBJECT_HEADER")
        full = ustring(hdr["Name"])
        if cstring(hdr["Type"].dereference()["Name"]) != "Driver":
            continue
        if full.lower().lstrip("\\") == want or full.lower().rsplit("\\", 1)[-1] == want:
            body_off = [f.bitpos // 8 for f in lookup("OBJECT_HEADER").fields() if f.name == "Body"][0]
            return h + body_off
    return None


class Drvobj(IrqlabCommand):
    """drvobj NAME: a driver object by name (\\Driver\\RamDisk or just RamDisk): its devices,
    dispatch routines and unload routine, like WinDbg's !drvobj."""
    def __init__(self):
        super().__init__("drvobj")

    def run(self, arg):
        if not arg:
            print("usage: drvobj NAME")
            return
        addr = find_driver(arg) if not arg.startswith("0x") else int(arg, 16)
        if not addr:
            print("drvobj: no driver object named %s" % arg)
            return
        drv = as_type(addr, "DRIVER_OBJECT")
        print("Driver object %x: %s" % (addr, driver_name(drv)))
        d, devs = ptr(drv["DeviceObject"]), []
        while d and len(devs) < 64:
            devs.append(d)
            d = ptr(as_type(d, "DEVICE_OBJECT")["NextDevice"])
        print("  devices: %s" % (" ".join("%x%s" % (x, " (" + object_name(x) + ")" if object_name(x) else "")
                                          for x in devs) or "none"))
        print("  DriverEntry %s, DriverUnload %s, FastIoDispatch %x" % (symbol(ptr(drv["DriverInit"])),
              symbol(ptr(drv["DriverUnload"])), ptr(drv["FastIoDispatch"])))
        for i, name in enumerate(MAJOR):
            r = ptr(drv["MajorFunction"][i])
            s = symbol(r)
            if r and not s.startswith("IopInvalidDeviceRequest"):
                print("  [%02x] %-32s %s" % (i, name, s))


# ---- pool ----
def tag_text(tag):
    return "".join(chr((tag >> (8 * i)) & 0xFF) if 0x20 <= (tag >> (8 * i)) & 0xFF < 0x7F else "." for i in range(4))


class Pool(IrqlabCommand):
    """pool [TAG]: pool use per tag and driver from the kernel's tracking (like !poolused)."""
    def __init__(self):
        super().__init__("pool")

    def run(self, arg):
        tags, drivers = global_var("MipTags"), global_var("MipDrivers")
        if tags is None:
            print("pool: this kernel has no MipTags table")
            return
        lo, hi = tags.type.range()
        rows = []
        for i in range(lo, hi + 1):
            e = tags[i]
            if not int(e["Used"]):
                continue
            t = tag_text(int(e["Tag"]))
            if arg and t.rstrip() != arg[:4].rstrip():
                continue
            owner = int(e["Owner"])
            dname = drivers[owner - 1]["Name"].string() if owner and drivers is not None else "(kernel)"
            allocs, frees = int(e["Allocations"]), int(e["Frees"])
            rows.append((int(e["Bytes"]), t, "Paged" if int(e["PoolType"]) == 1 else "Nonp", allocs, frees, dname))
        print("  Tag  Type     Allocs    Frees    Outst      Bytes  Driver")
        for b, t, ty, a, f, d in sorted(rows, key=lambda r: -r[0]):
            print("  %-4s %-5s %9d %8d %8d %10d  %s" % (t, ty, a, f, a - f, b, d))
        if not rows:
            print("  no allocation with tag %s" % arg)


# ---- threads, dpcs ----
def current_threads():
    return {ptr(p["CurrentThread"]): n for n, p in processors()}


class Threads(IrqlabCommand):
    """threads: every thread - state, priority, IRQL, wait reason and objects, backtrace."""
    def __init__(self):
        super().__init__("threads")

    def run(self, arg):
        head = global_var("KiThreadListHead")
        if head is None:
            print("threads: no KiThreadListHead")
            return
        running = current_threads()
        for t in list_entries(ptr(head.address), "KTHREAD", "ThreadListEntry"):
            th = as_type(t, "KTHREAD")
            state = int(th["State"])
            sname = THREAD_STATES[state] if state < len(THREAD_STATES) else "?"
            line = "thread %d %x %-15s %-9s prio %2d" % (int(th["Id"]), t, th["Name"].string(), sname,
                                                       int(th["Priority"]))
            if t in running:
                line += " IRQL %d (running on CPU %d)" % (int(ev("$cr8")), running[t])
            elif state == 5:
                line += " IRQL %d" % int(th["WaitIrql"])
            print(line + " start " + symbol(ptr(th["StartRoutine"])) if ptr(th["StartRoutine"]) else line)
            if state == 5:
                reason = int(th["WaitReason"])
                print("    waiting (%s), reason %s" % ("WaitAll" if int(th["WaitType"]) == 0 else "WaitAny",
                                                      WAIT_REASONS[reason] if reason < len(WAIT_REASONS) else reason))
                wb = ptr(th["WaitBlockList"])
                for i in range(min(int(th["WaitCount"]), 64)):
                    obj = ptr(as_type(wb + i * lookup("KWAIT_BLOCK").sizeof, "KWAIT_BLOCK")["Object"])
                    ty = int(as_type(obj, "DISPATCHER_HEADER")["Type"])
                    print("      on %s %x (%s)" % (OBJECT_TYPES.get(ty, "object"), obj, symbol(obj)))
            if t in running:
                print(rbp_backtrace(int(ev("$rbp")), int(ev("$pc")), 8))
            elif state in (1, 5) and ptr(th["SavedRsp"]):
                # KiSwapContext pushed flags, rbp, rbx, r12-r15: rbp is 5 slots up, the return 7.
                sp = ptr(th["SavedRsp"])
                print(rbp_backtrace(read_u64(sp + 40), read_u64(sp + 56), 8))


class Dpcs(IrqlabCommand):
    """dpcs: each processor's queued DPCs, in the order they will run."""
    def __init__(self):
        super().__init__("dpcs")

    def run(self, arg):
        for n, prcb in processors():
            head = ptr(prcb["DpcListHead"].address)
            items = list(list_entries(head, "KDPC", "DpcListEntry"))
            print("processor %d: %d DPCs queued%s" % (n, len(items),
                  ", one running now" if int(prcb["DpcRoutineActive"]) else ""))
            for d in items:
                dpc = as_type(d, "KDPC")
                imp = int(dpc["Importance"])
                print("  KDPC %x %-22s context %x args %x %x (%s)" % (
                    d, symbol(ptr(dpc["DeferredRoutine"])), ptr(dpc["DeferredContext"]),
                    ptr(dpc["SystemArgument1"]), ptr(dpc["SystemArgument2"]),
                    ["LowImportance", "MediumImportance", "HighImportance"][imp] if imp < 3 else imp))


# ---- irptrace ----
def trace_records(last):
    ring, nxt = global_var("IopTraceRing"), global_var("IopTraceNext")
    if ring is None or nxt is None:
        return []
    size = ring.type.range()[1] + 1
    end = int(nxt)
    start = max(0, end - min(last, size))
    return [ring[s % size] for s in range(start, end)]


def trace_line(r):
    kind = int(r["Kind"])
    io = kind <= 3
    drv = driver_name(r["DriverObject"]) if io and ptr(r["DriverObject"]) else ("kernel" if not io else "-")
    return "%6d %-10s %-24s irp %016x loc %2d %-28s %-26s IRQL %d %s%s" % (
        int(r["Sequence"]), TRACE_KINDS[kind] if kind < len(TRACE_KINDS) else "?",
        MAJOR[int(r["MajorFunction"])] if io and int(r["MajorFunction"]) < len(MAJOR) else "-",
        ptr(r["Irp"]), int(r["Location"]), drv, symbol(ptr(r["Routine"])), int(r["Irql"]),
        status_name(int(r["Status"])), " pending" if int(r["PendingReturned"]) else "")


class Irptrace(IrqlabCommand):
    """irptrace [N]: the last N (default 20) IRP trace records, oldest first, each logged when
    its routine returned."""
    def __init__(self):
        super().__init__("irptrace")

    def run(self, arg):
        recs = trace_records(int(arg) if arg else 20)
        print("IRP trace, %d records (logged when each routine returned):" % len(recs))
        for r in recs:
            print(trace_line(r))


# ---- analyze ----
def bugcheck_name(code):
    names = global_var("KipNames")
    if names is not None:
        lo, hi = names.type.range()
        for i in range(lo, hi + 1):
            if int(names[i]["Code"]) == code:
                return names[i]["Name"].string()
    return "?"


def explain(code, p):
    """Parameters in words, as Microsoft's bug check reference gives them."""
    if code in (0x0A, 0xD1):
        return ["memory referenced %x" % p[0], "IRQL at the time %d (%s)" % (p[1], irql_name(p[1])),
                "access: %s" % {0: "read", 1: "write", 8: "execute"}.get(p[2], p[2]),
                "instruction address %s" % symbol(p[3])]
    if code == 0x1E:
        return ["exception %s (0x%x)" % (status_name(p[0]), p[0]), "at %s" % symbol(p[1]),
                "exception information %x %x" % (p[2], p[3])]
    if code == 0x44:
        return ["IRP %x completed twice" % p[0], "", "", ""]
    if code == 0x35:
        return ["IRP %x had no stack location left for IoCallDriver" % p[0], "", "", ""]
    if code == 0xC4:
        return ["Driver Verifier rule 0x%x" % p[0], "P2 %x" % p[1], "P3 %x" % p[2], "P4 %x" % p[3]]
    if code == 0xC9:
        return ["I/O Verifier rule 0x%x" % p[0], "routine/caller at fault %s" % symbol(p[1]),
                "IRP %x" % p[2], "device %x" % p[3]]
    if code == 0x50:
        return ["memory referenced %x" % p[0], "access: %s" % {0: "read", 1: "write", 2: "execute"}.get(p[1], p[1]),
                "instruction %s" % symbol(p[2]), "reserved %x" % p[3]]
    return ["P%d 0x%x" % (i + 1, v) for i, v in enumerate(p)]


class Analyze(IrqlabCommand):
    """analyze: after a bug check, like WinDbg's !analyze -v - code and name, parameters in
    words, culprit driver and routine, IRQL, backtrace, and the culprit's last IRPs."""
    def __init__(self):
        super().__init__("analyze")

    def run(self, arg):
        data = global_var("KiBugCheckData")
        if data is None or int(data[0]) == 0:
            print("analyze: no bug check has happened (KiBugCheckData[0] is 0)")
            return
        code = int(data[0])
        p = [int(data[i]) for i in range(1, 5)]
        print("BUGCHECK 0x%x %s" % (code, bugcheck_name(code)))
        for i, words in enumerate(explain(code, p)):
            print("  Arg%d: %016x  %s" % (i + 1, p[i], words))
        irql = global_var("KiBugCheckIrql")
        if irql is not None:
            print("IRQL at the stop: %d %s" % (int(irql), irql_name(int(irql))))
        drv, routine = global_var("KipCulpritDriver"), global_var("KipCulpritRoutine")
        culprit = cstring(drv) if drv is not None and ptr(drv) else None
        if culprit or (routine is not None and ptr(routine)):
            print("Culprit: driver %s, routine %s" % (culprit or "?", symbol(ptr(routine)) if routine is not None else "?"))
        tf = global_var("KiBugCheckTrapFrame")
        print("Backtrace:")
        if tf is not None and ptr(tf):
            f = tf.dereference()
            print("  (from the trap frame: the faulting instruction first)")
            print(rbp_backtrace(int(f["Rbp"]), int(f["Rip"]), 16, "  "))
        else:
            print(gdb.execute("bt 16", to_string=True).rstrip())
        if culprit:
            seen = []
            for r in reversed(trace_records(1024)):
                if int(r["Kind"]) <= 3 and ptr(r["DriverObject"]) and driver_name(r["DriverObject"]) == culprit:
                    if ptr(r["Irp"]) not in seen:
                        seen.append(ptr(r["Irp"]))
                        print(("Last IRPs of %s (newest first):" % culprit) if len(seen) == 1 else "", end="")
                        print("\n  " + trace_line(r), end="")
                if len(seen) >= 5:
                    break
            print()


# ---- stops: land on the faulting frame ----
MACHINERY = ("Kd", "Kip", "KeBugCheck", "KiBugCheck", "IopVerifierStop", "Vf", "KiHandleException",
             "KiTrapDispatch", "KiPageFault", "MiBadIrqlFault")


def on_stop(event):
    if not isinstance(event, gdb.BreakpointEvent):
        return
    try:
        f = gdb.newest_frame()
        name = f.name() or ""
    except gdb.error:
        return
    if name == "KdBugCheckBreak":
        print("*** the kernel bug-checked (debug=break): `analyze` explains it, `continue` lets it halt")
        while f and (f.name() or "").startswith(MACHINERY):
            f = f.older()
        if f:
            f.select()
            print("*** selected the faulting frame: %s" % (f.name() or "?"))
    elif name == "KdBreakPointTrap":
        tf = ev("TrapFrame").dereference()
        print("*** DbgBreakPoint at %s: `continue` resumes after it" % symbol(int(tf["Rip"]) - 1))
        print(rbp_backtrace(int(tf["Rbp"]), int(tf["Rip"]) - 1, 8))


class Irqlab(IrqlabCommand):
    """irqlab: lists the IRQLab commands."""
    def __init__(self):
        super().__init__("irqlab")

    def run(self, arg):
        for c in COMMANDS:
            print("  %-10s %s" % (c.__class__.__name__.lower(), (c.__doc__ or "").split("\n")[0].split(": ", 1)[-1]))


class Kdbreaks(IrqlabCommand):
    """kdbreaks: breakpoints where the kernel enters the debugger - KdBugCheckBreak (a bug check
    with debug=break) and KdBreakPointTrap (DbgBreakPoint with kd) - when the kernel has them."""
    def __init__(self):
        super().__init__("kdbreaks")

    def run(self, arg):
        for name in ("KdBugCheckBreak", "KdBreakPointTrap"):
            if gdb.lookup_global_symbol(name) is not None or global_var(name) is not None:
                gdb.Breakpoint(name, internal=False)


# ---- fltmc ----
def records(head_addr, typename, field):
    return [as_type(a, typename) for a in list_entries(head_addr, typename, field)]


class Fltmc(IrqlabCommand):
    """fltmc: the Filter Manager's minifilters (altitude, instances) and each volume's instances
    from the top, like `fltmc filters` and `fltmc instances`, read from FltpGlobals."""
    def __init__(self):
        super().__init__("fltmc")

    def run(self, arg):
        g = global_var("FltpGlobals")
        if g is None:
            print("fltmc: this kernel has no Filter Manager")
            return
        base = ptr(g.address)
        gt = lookup("FLTP_GLOBALS")
        offs = {f.name: f.bitpos // 8 for f in gt.fields()}
        filters = records(base + offs["Filters"], "FLT_FILTER", "Link")
        print("%-32s %13s %12s" % ("Filter Name", "Num Instances", "Altitude"))
        for f in filters:
            n = len(records(ptr(f["Instances"].address), "FLT_INSTANCE", "FilterLink"))
            print("%-32s %13d %12d" % (ustring(as_type(ptr(f["Driver"]), "DRIVER_OBJECT")["DriverName"]), n,
                                       int(f["Altitude"])))
        print("\n%-32s %-32s %8s" % ("Volume Name", "Instance Name", "Altitude"))
        for v in records(base + offs["Volumes"], "FLT_VOLUME", "Link"):
            for i in records(ptr(v["Instances"].address), "FLT_INSTANCE", "VolumeLink"):
                print("%-32s %-32s %8d" % (ustring(v["Name"]), ustring(i["Name"]), int(i["Altitude"])))
        print("operations %d, pre calls %d, post calls %d, drained %d, posted when safe %d"
              % (int(g["Operations"]), int(g["PreCalls"]), int(g["PostCalls"]), int(g["Drained"]),
                 int(g["SafePosted"])))


COMMANDS = [Irql(), Irp(), Devstack(), Drvobj(), Pool(), Threads(), Dpcs(), Irptrace(), Analyze(), Kdbreaks(),
            Fltmc()]
Irqlab()
gdb.events.stop.connect(on_stop)
print("IRQLab gdb commands loaded: irql, irp, devstack, drvobj, pool, threads, dpcs, irptrace, analyze,"
      " kdbreaks, fltmc (`irqlab` lists them)")
