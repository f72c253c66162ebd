"""The session: the one server this Python process talks to, started on the first call."""

import atexit
import os

from ._client import LEVELS, Server
from .errors import NESTErrors


class _Session:
    """Holds the server, the number of processes it runs on and the kernel generation (which
    ResetKernel advances, invalidating older node collections)."""

    def __init__(self):
        self.server = None
        self.processes = None
        self.generation = 0
        self.verbosity = LEVELS["M_INFO"]
        self.started = False

    def requested_processes(self):
        if self.processes is not None:
            return self.processes
        env = os.environ.get("NESTMPI_PROCESSES", "").strip()
        if not env:
            return 1
        try:
            n = int(env)
        except ValueError:
            raise NESTErrors.BadParameter("NESTMPI_PROCESSES must be a positive integer, got %r" % env,
                                          call="init") from None
        if n < 1:
            raise NESTErrors.BadParameter("NESTMPI_PROCESSES must be a positive integer, got %d" % n, call="init")
        return n


_S = _Session()


def server():
    """The running server (started on first use). After the server died, every call raises."""
    if _S.server is None:
        if _S.started:
            raise NESTErrors.KernelException("the nest-mpi server was stopped; call nestmpi.init() to start a new one")
        _S.started = True
        _S.server = Server(_S.requested_processes())
        _S.server.verbosity = _S.verbosity
    return _S.server


def init(processes=None):
    """Starts a new server (ending the current one) on the given number of MPI processes."""
    if processes is not None and (not isinstance(processes, int) or isinstance(processes, bool) or processes < 1):
        raise NESTErrors.BadParameter("processes must be a positive integer, got %r" % (processes,), call="init")
    shutdown()
    _S.processes = processes
    _S.started = False
    _S.generation += 1
    server()


def shutdown():
    """Ends the server, if any."""
    if _S.server is not None:
        _S.server.close()
        _S.server = None


def generation():
    return _S.generation


def next_generation():
    _S.generation += 1


def check_generation(gen, what):
    if gen != _S.generation:
        raise NESTErrors.InvalidNodeCollection(
            "this %s was created before ResetKernel (or in another session) and is no longer valid" % what,
            call=what)


def set_verbosity(level):
    _S.verbosity = level
    if _S.server is not None:
        _S.server.verbosity = level


def get_verbosity():
    return _S.verbosity


atexit.register(shutdown)
