# tools/gdb/itrace.py - `itrace FILE`: single-steps the current function to its return under
# QEMU's gdb stub and writes every instruction, then a count per function (inlined code under
# its own name), then the call sequence: where one call's instructions go (tools/itrace.sh).
import collections
import gdb


def _function_of(pc):
    block = gdb.block_for_pc(pc)
    while block is not None and block.function is None:
        block = block.superblock
    return block.function.name if block is not None else hex(pc)


class ITrace(gdb.Command):
    """itrace FILE: step the current function to its return, writing each instruction and a
    per-function count to FILE."""

    def __init__(self):
        super().__init__("itrace", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        out_path = arg.strip() or "itrace.txt"
        sp0 = int(gdb.parse_and_eval("$sp"))
        ret = int(gdb.parse_and_eval("*(unsigned long *)$sp"))  # stopped at the entry: the return address
        counts, runs, steps = collections.Counter(), [], 0
        with open(out_path, "w") as out:
            while steps < 200000:
                pc = int(gdb.parse_and_eval("$pc"))
                if pc == ret and int(gdb.parse_and_eval("$sp")) > sp0:
                    break
                name = _function_of(pc)
                counts[name] += 1
                steps += 1
                if runs and runs[-1][0] == name:
                    runs[-1][1] += 1
                else:
                    runs.append([name, 1])
                out.write(gdb.execute("x/i $pc", to_string=True).strip() + "\n")
                gdb.execute("stepi", to_string=True)
            out.write("TOTAL %d\n" % steps)
            for name, n in counts.most_common():
                out.write("%6d %s\n" % (n, name))
            out.write("SEQUENCE\n")
            for name, n in runs:
                out.write("%6d %s\n" % (n, name))
        print("itrace: %d instructions to %s" % (steps, out_path))


ITrace()
