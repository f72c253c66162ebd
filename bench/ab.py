#!/usr/bin/env python3
"""Compare builds of nest-mpi on one benchmark by alternating their runs.

On a shared virtual machine one run's time moves by 10-40% with the host's load, even with no
CPU time stolen, so two builds measured minutes apart cannot be compared. This script runs the
same command with each binary in turn, --rounds times (A B A B ...), and prints for each binary
the minimum and median of every phase timer (s), the user CPU time of its runs (which time stolen
by the host does not inflate) and the share of CPU time stolen during them.

  python3 bench/ab.py --rounds 4 --cmd "bench brunel --threads 2" bin/nest-mpi /tmp/old/nest-mpi
  python3 bench/ab.py --cmd "run examples/ei_network.json --threads 2" NEW OLD

The command is given without --out and -q: each run writes to a fresh folder under --out.
Build the other binary from a worktree: `git worktree add /tmp/old COMMIT && (cd /tmp/old &&
go build -o nest-mpi ./cmd/nest-mpi)`.
"""

import argparse
import os
import resource
import shlex
import statistics
import sys

from goals import run

PHASES = ["time_construction_connect", "time_communicate_prepare", "time_update",
          "time_deliver_spike_data", "time_simulate"]


def phases(result):
    """The phase timers of one run (s), prepare plus simulate as 'simulate_s', and steal (%)."""
    run_json, steal = result
    t = run_json["timings"]
    row = {k.removeprefix("time_"): t.get(k, 0.0) for k in PHASES}
    row["simulate_s"] = t["simulate_s"]
    row["steal%"] = 100 * steal
    return row


def summary(rows):
    """Lines of min, median and every value per key."""
    lines = []
    for key in rows[0]:
        v = [r[key] for r in rows]
        lines.append(f"  {key:24s} min {min(v):8.3f}  median {statistics.median(v):8.3f}"
                     f"  all {' '.join(f'{x:.3f}' for x in v)}")
    return lines


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmd", required=True, help="nest-mpi arguments, e.g. 'bench brunel --threads 2'")
    ap.add_argument("--rounds", type=int, default=3, help="runs per binary (default 3)")
    ap.add_argument("--out", default="out/ab", help="folder for the runs' outputs (default out/ab)")
    ap.add_argument("bins", nargs="+", help="the binaries to compare")
    a = ap.parse_args(argv)
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    rows = [[] for _ in a.bins]  # by position: the same binary may be given twice
    for r in range(a.rounds):
        for i, b in enumerate(a.bins):
            out = os.path.join(a.out, f"{i}")
            cmd = [b] + shlex.split(a.cmd) + ["--out", out, "-q"]
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            rows[i].append(phases(run(cmd, out)))
            rows[i][-1]["user_cpu_s"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before
            print(f"round {r + 1}/{a.rounds}: {b}: simulate_s {rows[i][-1]['simulate_s']:.3f}",
                  file=sys.stderr)
    for b, rs in zip(a.bins, rows):
        print(b)
        print("\n".join(summary(rs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
