"""The connection to a ``nest-mpi serve`` process: starting it, the line protocol, values.

A call is one JSON line ``{"Name": value}``; the answer is one line ``{"ok": value}`` or
``{"error": {"name": ..., "message": ...}}`` (see the Go package kernel/serve). Lists of numbers
travel as typed arrays ``{"$array": "float64"|"int64", "data": base64}`` in both directions.
"""

import array
import base64
import json
import math
import os
import shutil
import subprocess
import sys
import threading

from .errors import NESTErrors

try:
    import numpy as _np
except ImportError:  # numpy is optional, as in PyNEST's pure-Python parts
    _np = None

#: Verbosity levels (PyNEST's M_* names).
LEVELS = {"M_ALL": 0, "M_DEBUG": 5, "M_STATUS": 7, "M_INFO": 10, "M_DEPRECATED": 18,
          "M_WARNING": 20, "M_ERROR": 30, "M_FATAL": 40, "M_QUIET": 100}

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_REPO_BIN = os.path.join(os.path.dirname(os.path.dirname(_PACKAGE_DIR)), "bin")


def find_binary(mpi):
    """Returns the path of nest-mpi (or nest-mpi-mpi): $NESTMPI_BIN / $NESTMPI_MPI_BIN, the
    repository's bin/ beside the package, or PATH."""
    name, env = ("nest-mpi-mpi", "NESTMPI_MPI_BIN") if mpi else ("nest-mpi", "NESTMPI_BIN")
    path = os.environ.get(env)
    if path:
        if not os.access(path, os.X_OK):
            raise NESTErrors.KernelException("%s=%s is not an executable file" % (env, path), call="init")
        return path
    candidate = os.path.join(_REPO_BIN, name)
    if os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which(name)
    if found:
        return found
    raise NESTErrors.KernelException(
        "cannot find the %s binary: set %s, run make in the repository, or put it on PATH" % (name, env),
        call="init")


def mpirun_command(processes):
    """Returns the launcher prefix for an MPI server of the given number of processes."""
    launcher = os.environ.get("NESTMPI_MPIRUN") or shutil.which("mpirun") or shutil.which("mpiexec")
    if not launcher:
        raise NESTErrors.KernelException(
            "cannot start %d processes: mpirun is not installed (make mpi-deps installs OpenMPI)" % processes,
            call="init")
    cmd = [launcher, "-np", str(processes)]
    try:
        version = subprocess.run([launcher, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        version = ""
    if "Open MPI" in version or "OpenRTE" in version:
        cmd += ["--oversubscribe", "--bind-to", "none"]
    return cmd


class Server:
    """One ``nest-mpi serve`` process (or an mpirun of several) answering calls one by one."""

    def __init__(self, processes=1):
        self.processes = processes
        self.verbosity = LEVELS["M_INFO"]
        self._tail = []
        self._at_line_start = True
        env = dict(os.environ)
        if processes > 1:
            cmd = mpirun_command(processes) + [find_binary(True), "serve"]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
                env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        else:
            cmd = [find_binary(False), "serve"]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=env, bufsize=1 << 20)
        except OSError as e:
            raise NESTErrors.KernelException("cannot start %s: %s" % (" ".join(cmd), e), call="init") from None
        self._out = self.proc.stdout
        self._in = self.proc.stdin
        self._stderr_thread = threading.Thread(target=self._forward_stderr, daemon=True)
        self._stderr_thread.start()

    # ---- standard error of the server ----

    def _forward_stderr(self):
        """Copies the server's notes and progress to sys.stderr, filtered by verbosity."""
        fd = self.proc.stderr.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            text = chunk.decode("utf-8", "replace")
            for piece in text.splitlines(keepends=True):
                self._emit(piece)

    def _emit(self, piece):
        start = self._at_line_start
        self._at_line_start = piece.endswith("\n")
        if start:
            stripped = piece.strip()
            if stripped:
                self._tail = (self._tail + [stripped])[-5:]
            if piece.startswith("Note:") and self.verbosity > LEVELS["M_INFO"]:
                return
            if piece.startswith("Warning:") and self.verbosity > LEVELS["M_WARNING"]:
                return
        try:
            sys.stderr.write(piece)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    # ---- calls ----

    def alive(self):
        return self.proc.poll() is None

    def _died(self, call):
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._stderr_thread.join(timeout=2)
        last = ("; it said: " + " | ".join(self._tail[-2:])) if self._tail else ""
        return NESTErrors.KernelException(
            "the nest-mpi server has ended (exit status %s)%s; start a new session" % (code, last), call=call)

    def call(self, name, value=None, pyname=None):
        """Sends one call and returns the value of its answer; a NEST error raises its class."""
        pyname = pyname or name
        line = json.dumps({name: encode(value)}, separators=(",", ":"), allow_nan=False)
        try:
            self._in.write(line.encode("utf-8") + b"\n")
            self._in.flush()
            answer = self._out.readline()
        except (BrokenPipeError, OSError, ValueError):
            raise self._died(pyname) from None
        if not answer:
            raise self._died(pyname)
        reply = json.loads(answer, object_hook=_decode_object)
        if "error" in reply:
            err = reply["error"]
            raise NESTErrors.error(err.get("name", "NESTError"), err.get("message", ""), pyname)
        return reply.get("ok")

    def close(self):
        """Ends the server (closing its input ends it)."""
        if self.proc.poll() is None:
            try:
                self._in.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr_thread.join(timeout=5)
        for f in (self._in, self._out, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass


# ---- values ----

def _typed_array(kind, data):
    raw = base64.b64encode(data).decode("ascii")
    return {"$array": kind, "data": raw}


def encode(v):
    """Converts a Python value into the protocol's JSON value."""
    from .nodes import NodeCollection, SynapseCollection  # noqa: F401 (import cycle)
    from .random import Parameter
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if math.isnan(v):
            raise NESTErrors.BadParameter("NaN is not a valid parameter value", call="encode")
        return v
    if isinstance(v, NodeCollection):
        return v._ref()
    if isinstance(v, Parameter):
        return v.spec()
    if isinstance(v, dict):
        return {str(k): encode(x) for k, x in v.items()}
    if _np is not None:
        if isinstance(v, _np.generic):
            return encode(v.item())
        if isinstance(v, _np.ndarray) or _is_pandas(v):
            a = _np.asarray(v)
            if a.ndim == 1 and a.dtype.kind in "iu":
                return _typed_array("int64", a.astype("<i8").tobytes())
            if a.ndim == 1 and a.dtype.kind == "f":
                if not _np.all(_np.isfinite(a)):
                    return [encode(float(x)) for x in a]
                return _typed_array("float64", a.astype("<f8").tobytes())
            if a.ndim == 1 and a.dtype.kind == "b":
                return [bool(x) for x in a]
            return [encode(x) for x in a.tolist()]
    if isinstance(v, (list, tuple, range)):
        if len(v) > 16 and all(type(x) is float and math.isfinite(x) for x in v):
            return _typed_array("float64", array.array("d", v).tobytes())
        if len(v) > 16 and all(type(x) is int for x in v):
            return _typed_array("int64", array.array("q", v).tobytes())
        return [encode(x) for x in v]
    if hasattr(v, "__float__"):
        return encode(float(v))
    raise NESTErrors.TypeMismatch("cannot pass a value of type %s to NEST" % type(v).__name__, call="encode")


def _is_pandas(v):
    return type(v).__module__.startswith("pandas")


def _decode_object(d):
    kind = d.get("$array")
    if kind is None or len(d) != 2:
        return d
    raw = base64.b64decode(d["data"])
    if _np is not None:
        return _np.frombuffer(raw, dtype="<f8" if kind == "float64" else "<i8").copy()
    a = array.array("d" if kind == "float64" else "q")
    a.frombytes(raw)
    if sys.byteorder != "little":
        a.byteswap()
    return a.tolist()
