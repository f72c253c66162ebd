#!/usr/bin/env python3
"""Benchmarks of the Python package nestmpi against its goals:

1. the round trip of a small call (goal: under 0.2 ms);
2. GetConnections of 500,000 connections into a pandas DataFrame (goal: under 1 s);
3. Create and Connect of the E/I network of examples/ei_network.json from Python, against the same
   network built by `nest-mpi run` from the network file (goal: within 10%).

Run from the repository: python3 bench/python_bench.py (make bench-python). Prints one line per
figure; --repeat N takes the best of N (default 3).
"""

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "python"))

import nestmpi as nest  # noqa: E402
from nestmpi import _client  # noqa: E402

EI_FILE = os.path.join(REPO, "examples", "ei_network.json")


def best(fn, repeat):
    """The smallest wall time of repeat calls of fn, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def round_trip(repeat, calls=5000):
    nest.ResetKernel()
    nest.GetKernelStatus("biological_time")

    def run():
        for _ in range(calls):
            nest.GetKernelStatus("biological_time")
    return best(run, repeat) / calls


def connections_to_pandas(repeat):
    nest.ResetKernel()
    pre = nest.Create("iaf_psc_alpha", 1000)
    post = nest.Create("iaf_psc_alpha", 500)
    nest.Connect(pre, post, "all_to_all", {"weight": nest.random.uniform(0.5, 1.5)})
    frames = []

    def run():
        frames.append(nest.GetConnections().get(("source", "target", "weight"), output="pandas"))
    t_three = best(run, repeat)
    assert len(frames[-1]) == 500_000, len(frames[-1])

    def run_all():
        frames.append(nest.GetConnections().get(output="pandas"))
    return t_three, best(run_all, repeat)


def ei_script():
    """The calls of examples/ei_network.json up to the first Simulate."""
    with open(EI_FILE) as f:
        net = json.load(f)
    script = []
    for call in net["script"]:
        if "Simulate" in call:
            break
        script.append(call)
    return net["kernel"], script


def ei_from_python(kernel):
    """Builds the E/I network with nestmpi, as the network file does, on a new server (as
    `nest-mpi run` starts a new process)."""
    nest.init(processes=1)
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus(dict(kernel, print_time=False))
    t0 = time.perf_counter()
    nest.CopyModel("stdp_synapse_hom", "e_syn", {"Wmax": 2.0})
    nest.CopyModel("static_synapse", "i_syn")
    vm = {"V_m": nest.random.normal(-65.0, 5.0)}
    e = nest.Create("iaf_psc_delta", 2000, params=vm)
    i = nest.Create("iaf_psc_delta", 500, params=vm)
    noise = nest.Create("poisson_generator", params={"rate": 800.0})
    spikes = nest.Create("spike_recorder")
    weights = nest.Create("weight_recorder", params={"senders": e[0:10]})
    nest.SetDefaults("e_syn", {"weight_recorder": weights})
    nest.Connect(e, e + i, {"rule": "fixed_indegree", "indegree": 200}, {"synapse_model": "e_syn", "weight": 1.0})
    nest.Connect(i, e + i, {"rule": "fixed_indegree", "indegree": 50}, {"synapse_model": "i_syn", "weight": -4.0})
    nest.Connect(noise, e + i, "all_to_all", {"weight": 1.0})
    nest.Connect(e + i, spikes)
    nest.GetKernelStatus("num_connections")  # the last call has been answered
    return time.perf_counter() - t0


def ei_from_file(kernel, script):
    """build_s of `nest-mpi run` on the network file cut before its Simulate."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ei_build.json")
        with open(path, "w") as f:
            json.dump({"kernel": dict(kernel, print_time=False), "script": copy.deepcopy(script)}, f)
        subprocess.run([_client.find_binary(False), "run", path, "--out", os.path.join(d, "out"), "--quiet"],
                       check=True)
        with open(os.path.join(d, "out", "run.json")) as f:
            return json.load(f)["timings"]["build_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    nest.set_verbosity("M_ERROR")
    rt = round_trip(args.repeat)
    print("round trip of a small call: %.3f ms (goal < 0.2 ms)" % (rt * 1e3))
    three, allkeys = connections_to_pandas(args.repeat)
    print("GetConnections of 500,000 connections into pandas: %.3f s for (source, target, weight), "
          "%.3f s for all keys (goal < 1 s)" % (three, allkeys))
    kernel, script = ei_script()
    py = best(lambda: ei_from_python(kernel), args.repeat)
    nf = best(lambda: ei_from_file(kernel, script), args.repeat)
    print("E/I network Create+Connect: %.3f s from Python, %.3f s from the network file (%+.1f%%, goal within 10%%)"
          % (py, nf, 100 * (py - nf) / nf))


if __name__ == "__main__":
    main()
