#!/usr/bin/env python3
"""Compare two builds of goroscope by paired, interleaved runs.

usage: bench/pair.py N OLD NEW -- ARGS...

Runs OLD and NEW with the same ARGS N times each, in pairs whose order
alternates (OLD NEW, NEW OLD, ...), output to /dev/null, and prints the
median wall time of each and the median, first and third quartile of the
ratio NEW/OLD within a pair. On a shared machine whose speed moves by half
between minutes, the ratio within a pair is what means something; a single
timed run of each does not. The environment passes through (for example
GOROSCOPE_THREADS=1). The two must exit alike (report's status may be 1).
"""
import statistics
import subprocess
import sys
import time


def run(binary, args):
    t0 = time.perf_counter()
    r = subprocess.run([binary] + args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if r.returncode < 0:
        sys.exit(f"pair.py: {binary} died of signal {-r.returncode}")
    return dt, r.returncode


def main(argv):
    if len(argv) < 5 or "--" not in argv or argv.index("--") != 3:
        sys.exit(__doc__.strip().split("\n\n")[1])
    n = int(argv[0]) if argv[0].isdigit() else 0
    if n < 2:
        sys.exit("pair.py: N must be 2 or more")
    old, new, args = argv[1], argv[2], argv[4:]
    told, tnew, ratio = [], [], []
    for i in range(n):
        if i % 2:
            b, rb = run(new, args)
            a, ra = run(old, args)
        else:
            a, ra = run(old, args)
            b, rb = run(new, args)
        if ra != rb:
            sys.exit(f"pair.py: {old} exited with {ra}, {new} with {rb}")
        told.append(a)
        tnew.append(b)
        ratio.append(b / a)
    q = statistics.quantiles(ratio, n=4)
    print(f"old {statistics.median(told) * 1000:.1f} ms, "
          f"new {statistics.median(tnew) * 1000:.1f} ms; "
          f"new/old median {statistics.median(ratio):.3f} "
          f"(quartiles {q[0]:.3f} {q[2]:.3f}, {n} pairs)")


if __name__ == "__main__":
    main(sys.argv[1:])
