#!/usr/bin/env python3
"""Measure the benchmark goals of nest-mpi on this machine and print them as a Markdown table.

Runs, with the binaries given (build them first: `make build`, and `make build-mpi` for the
2-rank row):

  hpc_benchmark scale 1, static and plastic, 1 rank x 2 threads (and 2 ranks x 1 thread);
  the microcircuit at full scale (with --microcircuit: about 4.5 GiB and 2-3 minutes);
  Brunel with 1 and 2 threads; the E/I network with STDP (examples/ei_network.json), 2 threads.

Each figure is the minimum over --repeat runs (the peak memory: the largest). Times are wall
clock, so run it on an otherwise idle machine (or under `chrt -f 50`). On a virtual machine the
host may take the CPUs away: each line reports the share of CPU time stolen during its runs
(/proc/stat), and a run with more than a few percent says little about the code.

  python3 bench/goals.py [--bin bin/nest-mpi] [--mpi-bin bin/nest-mpi-mpi] [--repeat 2]
                         [--microcircuit] [--out out/goals]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys


def cpu_times():
    """The machine's CPU times from /proc/stat (user, nice, system, idle, ..., steal), or None."""
    try:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def stolen(before, after):
    """The share of CPU time stolen by the host between two cpu_times (0 when unknown)."""
    if not before or not after or len(before) < 8:
        return 0.0
    d = [b - a for a, b in zip(before, after)]
    return d[7] / sum(d) if sum(d) > 0 else 0.0


def run(cmd, out):
    """Runs one benchmark command and returns its run.json and the share of CPU time stolen."""
    if os.path.isdir(out):
        shutil.rmtree(out)
    before = cpu_times()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    steal = stolen(before, cpu_times())
    with open(os.path.join(out, "run.json")) as f:
        return json.load(f), steal


def figures(result):
    """The figures of one run: build and simulate time (s), peak (GiB), spikes, steal (%)."""
    run_json, steal = result
    t = run_json["timings"]
    return {
        "build": t["build_s"],
        "simulate": t["simulate_s"],
        "prepare": t.get("time_communicate_prepare", 0.0),
        "deliver": t.get("time_deliver_spike_data", 0.0),
        "peak": run_json["memory"]["peak_rss_bytes"] / 2**30,
        "spikes": run_json["counts"]["spikes"],
        "steal%": 100 * steal,
    }


def best(runs):
    """The minimum of each time and the largest peak over runs of one configuration."""
    out = {k: min(r[k] for r in runs) for k in ("build", "simulate", "prepare", "deliver")}
    out["peak"] = max(r["peak"] for r in runs)
    out["spikes"] = runs[0]["spikes"]
    out["steal%"] = max(r["steal%"] for r in runs)
    return out


def measure(name, cmd, out, repeat):
    runs = [figures(run(cmd, out)) for _ in range(repeat)]
    print(f"  {name}: " + ", ".join(f"{k} {v:.3g}" for k, v in best(runs).items()), file=sys.stderr)
    return best(runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="bin/nest-mpi")
    ap.add_argument("--mpi-bin", default="bin/nest-mpi-mpi")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--microcircuit", action="store_true", help="also the full-scale microcircuit")
    ap.add_argument("--out", default="out/goals")
    a = ap.parse_args()
    nm, o, rep = a.bin, a.out, a.repeat

    def bench(name, *flags, threads=2):
        return [nm, "bench", name, "--threads", str(threads), "--out", os.path.join(o, name + "".join(flags) + f"_t{threads}"), "-q", *flags]

    rows = []
    hpc = measure("hpc static", bench("hpc_benchmark"), os.path.join(o, "hpc_benchmark_t2"), rep)
    rows += [("hpc_benchmark static", "build", "<= 3.5 s", f"{hpc['build']:.2f} s"),
             ("", "simulate", "<= 3.5 s", f"{hpc['simulate']:.2f} s (Prepare {hpc['prepare']:.2f} s)"),
             ("", "peak", "<= 2.5 GiB", f"{hpc['peak']:.2f} GiB")]
    mpirun = shutil.which("mpirun")
    if mpirun and os.path.exists(a.mpi_bin):
        out2 = os.path.join(o, "hpc_benchmark_2x1")
        cmd = [mpirun, "-np", "2", a.mpi_bin, "bench", "hpc_benchmark", "--threads", "1", "--out", out2, "-q"]
        h2 = measure("hpc static 2x1", cmd, out2, rep)
        rows.append(("", "2 ranks x 1 thread, per rank", "<= 1.25 GiB", f"{h2['peak']:.2f} GiB"))
    pl = measure("hpc plastic", bench("hpc_benchmark", "--plastic"), os.path.join(o, "hpc_benchmark--plastic_t2"), rep)
    rows += [("hpc_benchmark plastic", "simulate", "<= 8 s", f"{pl['simulate']:.2f} s (deliver {pl['deliver']:.2f} s)"),
             ("", "peak", "<= 3.5 GiB", f"{pl['peak']:.2f} GiB")]
    if a.microcircuit:
        mc = measure("microcircuit", bench("microcircuit"), os.path.join(o, "microcircuit_t2"), 1)
        rows += [("microcircuit full scale", "build", "<= 30 s", f"{mc['build']:.1f} s"),
                 ("", "simulate 1.5 s", "<= 30 s", f"{mc['simulate']:.1f} s (Prepare {mc['prepare']:.1f} s)"),
                 ("", "peak", "<= 6 GiB", f"{mc['peak']:.2f} GiB")]
    b2 = measure("brunel 2 threads", bench("brunel"), os.path.join(o, "brunel_t2"), rep)
    b1 = measure("brunel 1 thread", bench("brunel", threads=1), os.path.join(o, "brunel_t1"), rep)
    rows += [("Brunel", "simulate", "<= 2.5 s", f"{b2['simulate']:.2f} s"),
             ("", "peak", "<= 350 MiB", f"{b2['peak'] * 1024:.0f} MiB"),
             ("", "1 -> 2 threads speed-up", ">= 1.8", f"{b1['simulate'] / b2['simulate']:.2f}")]
    ei_out = os.path.join(o, "ei_network_t2")
    ei = measure("E/I STDP", [nm, "run", "examples/ei_network.json", "--threads", "2", "--out", ei_out, "-q"], ei_out, rep)
    rows.append(("E/I network with STDP", "simulate", "<= 0.6 s", f"{ei['simulate']:.2f} s"))

    print("| network | figure | goal | measured |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    measured = [hpc, pl, b2, b1, ei] + ([mc] if a.microcircuit else [])
    print(f"\nCPU time stolen by the host during a run: up to {max(m['steal%'] for m in measured):.1f}%")


if __name__ == "__main__":
    main()
