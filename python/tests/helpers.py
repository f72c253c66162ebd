"""Shared helpers of the nestmpi tests: paths, CSV tables, network-file runs, script runs."""

import csv
import os
import runpy
import shutil
import subprocess
import sys
import tempfile

os.environ.setdefault("MPLBACKEND", "Agg")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "python"))

import nestmpi as nest  # noqa: E402
from nestmpi import _client  # noqa: E402

EXAMPLES = os.path.join(REPO, "examples", "python")
DATA = os.path.join(HERE, "data")


def read_csv(path):
    """A CSV table as a dictionary of columns (numbers as floats where they parse)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    cols = {}
    for row in rows:
        for k, v in row.items():
            try:
                v = float(v)
            except ValueError:
                pass
            cols.setdefault(k, []).append(v)
    return cols


def reference(name):
    return read_csv(os.path.join(DATA, name))


def run_network_file(name, *flags):
    """Runs examples/<name> with nest-mpi run; returns {file name: columns} of its CSV outputs."""
    out = tempfile.mkdtemp(prefix="nestmpi-test-")
    try:
        subprocess.run([_client.find_binary(False), "run", os.path.join(REPO, "examples", name),
                        "--out", out, "--quiet", *flags], check=True, capture_output=True)
        return {f: read_csv(os.path.join(out, f)) for f in os.listdir(out) if f.endswith(".csv")}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run_script(name, cwd=None):
    """Runs examples/python/<name> on a reset kernel in this process; returns its globals."""
    nest.ResetKernel()
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        return runpy.run_path(os.path.join(EXAMPLES, name), run_name="__main__")
    finally:
        os.chdir(old)


def mpi_available():
    """Whether 2-process tests can run (mpirun and nest-mpi-mpi present)."""
    try:
        _client.find_binary(True)
    except nest.NESTError:
        return False
    return bool(os.environ.get("NESTMPI_MPIRUN") or shutil.which("mpirun"))
