"""nestmpi: PyNEST 3's interface to the nest-mpi simulator.

``import nestmpi as nest`` and a PyNEST script runs on nest-mpi: every call goes to a
``nest-mpi serve`` process (started on the first call; ``nestmpi.init(processes=N)`` or the
environment variable NESTMPI_PROCESSES=N starts it under mpirun on N MPI processes). The
binaries are found through NESTMPI_BIN and NESTMPI_MPI_BIN, else in the repository's bin/ beside
this package, else on PATH.

Errors raise PyNEST's classes (``nest.NESTError``, ``nest.kernel.NESTErrors.BadProperty``, ...);
a call or argument nestmpi does not support raises NotImplementedError naming it.
"""

import builtins as _builtins
import sys as _sys
import os as _os
import types as _types

from . import _session
from . import kernel  # noqa: F401
from . import math  # noqa: F401
from . import random  # noqa: F401
from ._client import LEVELS as _LEVELS
from .errors import NESTError, NESTErrors
from .nodes import NodeCollection, SynapseCollection

try:
    import numpy as _np
except ImportError:
    _np = None

__all__ = [
    "Cleanup", "Connect", "CopyModel", "Create", "GetConnections", "GetDefaults", "GetKernelStatus",
    "GetStatus", "Models", "NESTError", "NESTErrors", "NodeCollection", "NumProcesses", "Prepare",
    "Rank", "ResetKernel", "Run", "RunManager", "SetDefaults", "SetKernelStatus", "SetStatus",
    "Simulate", "SynapseCollection", "get_verbosity", "help", "init", "set_verbosity",
]


def _call(name, value=None, pyname=None):
    return _session.server().call(name, value, pyname or name)


def init(processes=None):
    """Starts a new kernel on the given number of MPI processes (1: no MPI), ending the current
    session. Without a call to init, the first call starts one (NESTMPI_PROCESSES processes)."""
    _session.init(processes)


# ---- verbosity ----

class verbosity:  # noqa: N801 (PyNEST's name)
    """Verbosity levels, as ``nest.verbosity.M_WARNING``."""


for _name, _level in _LEVELS.items():
    setattr(verbosity, _name, _level)


def set_verbosity(level):
    """Sets which messages of the kernel are shown: "M_ALL", ..., "M_WARNING", "M_ERROR", ..."""
    if isinstance(level, str):
        if level not in _LEVELS:
            raise NESTErrors.BadParameter("unknown verbosity %r; the levels are %s" % (level, ", ".join(_LEVELS)),
                                          call="set_verbosity")
        level = _LEVELS[level]
    if not isinstance(level, int):
        raise NESTErrors.TypeMismatch("verbosity is a level name or number", call="set_verbosity")
    _session.set_verbosity(level)


def get_verbosity():
    """Returns the verbosity level (a number)."""
    return _session.get_verbosity()


# ---- kernel ----

def ResetKernel():
    """Resets the kernel: forgets all nodes, connections and models made since the start."""
    _call("ResetKernel", {})
    _session.next_generation()


def SetKernelStatus(params):
    """Sets kernel parameters (resolution, rng_seed, local_num_threads, print_time, ...)."""
    if not isinstance(params, dict):
        raise NESTErrors.TypeMismatch("SetKernelStatus takes a dictionary", call="SetKernelStatus")
    _call("SetKernelStatus", params)


def set(**kwargs):  # noqa: A001 (PyNEST's name)
    """Sets kernel parameters as keyword arguments (nest.set(resolution=0.1))."""
    SetKernelStatus(kwargs)


def GetKernelStatus(keys=None):
    """Returns the kernel status: a dictionary, one value (keys a string) or a tuple of values."""
    if keys is None:
        return _call("GetKernelStatus", {})
    if isinstance(keys, str):
        return _call("GetKernelStatus", {"keys": [keys]})[keys]
    if isinstance(keys, (list, tuple)):
        d = _call("GetKernelStatus", {"keys": list(keys)})
        return tuple(d[k] for k in keys)
    raise NESTErrors.TypeMismatch("keys is a string or a list of strings", call="GetKernelStatus")


def get(*keys):
    """Returns kernel parameters (nest.get("resolution"))."""
    if not keys:
        return GetKernelStatus()
    if len(keys) == 1:
        return GetKernelStatus(keys[0])
    return dict(zip(keys, GetKernelStatus(list(keys))))


def NumProcesses():
    """Returns the number of MPI processes of the kernel."""
    return GetKernelStatus("num_processes")


def Rank():
    """Returns the rank of this process: 0 (the Python process talks to rank 0, which answers for
    all ranks)."""
    _session.server()
    return 0


def Install(module_name):
    """Extension modules are not supported (raises NotImplementedError)."""
    raise NotImplementedError("Install(%r): extension modules are not supported by nestmpi" % (module_name,))


# ---- models ----

def Models(mtype="all", sel=None):
    """Returns the names of the models: mtype "all", "nodes" or "synapses"; sel keeps the names
    that contain it."""
    if mtype not in ("all", "nodes", "synapses"):
        raise NESTErrors.BadParameter("mtype must be 'all', 'nodes' or 'synapses', got %r" % (mtype,), call="Models")
    names = list(_call("Models", {}))
    if mtype != "all":
        keep = []
        for name in names:
            et = GetDefaults(name, "element_type")
            if (et == "synapse") == (mtype == "synapses"):
                keep.append(name)
        names = keep
    if sel is not None:
        names = [n for n in names if sel in n]
    return tuple(sorted(names))


def GetDefaults(model, keys=None, output=""):
    """Returns a model's defaults: a dictionary, one value (keys a string) or a tuple."""
    _model_name(model, "GetDefaults")
    from .nodes import node_values
    if keys is None:
        d = node_values(_call("GetDefaults", {"model": model}))
    elif isinstance(keys, str):
        return node_values(_call("GetDefaults", {"model": model, "keys": [keys]}))[keys]
    elif isinstance(keys, (list, tuple)):
        d = node_values(_call("GetDefaults", {"model": model, "keys": list(keys)}))
        return tuple(d[k] for k in keys)
    else:
        raise NESTErrors.TypeMismatch("keys is a string or a list of strings", call="GetDefaults")
    if output == "json":
        from .nodes import _json
        return _json(d)
    return d


def SetDefaults(model, params, val=None):
    """Sets a model's defaults: SetDefaults(model, {...}) or SetDefaults(model, key, value)."""
    _model_name(model, "SetDefaults")
    if isinstance(params, str):
        params = {params: val}
    if not isinstance(params, dict):
        raise NESTErrors.TypeMismatch("SetDefaults takes a dictionary of parameters", call="SetDefaults")
    _call("SetDefaults", {"model": model, "params": params})


def CopyModel(existing, new, params=None):
    """Copies a model under a new name, with changed defaults."""
    _model_name(existing, "CopyModel")
    _model_name(new, "CopyModel")
    arg = {"old": existing, "new": new}
    if params is not None:
        if not isinstance(params, dict):
            raise NESTErrors.TypeMismatch("CopyModel takes a dictionary of parameters", call="CopyModel")
        arg["params"] = params
    _call("CopyModel", arg)


def _model_name(model, call):
    if not isinstance(model, str):
        raise NESTErrors.TypeMismatch("a model name is a string, got %s" % type(model).__name__, call=call)


def help(obj=None, return_text=False):  # noqa: A001 (PyNEST's name)
    """Prints (or returns) the documentation of a model."""
    if obj is None:
        text = ("nestmpi: PyNEST's interface to nest-mpi. nest.Models() lists the models; "
                "nest.help('iaf_psc_alpha') documents one.")
    else:
        _model_name(obj, "help")
        text = _call("help", {"model": obj})
    if return_text:
        return text
    print(text)
    return None


# ---- nodes ----

def Create(model, n=None, params=None, positions=None):
    """Creates n nodes of a model and returns their NodeCollection.

    params is a dictionary (values may be lists or arrays with one value per node, or
    nest.random parameters) or a list of n dictionaries. As in PyNEST, an array longer than n
    gives its first n values (with a warning).
    """
    _model_name(model, "Create")
    if positions is not None:
        raise NotImplementedError("Create(positions=...): spatial networks are not supported by nestmpi")
    if isinstance(n, (dict, list, tuple)) and params is None:
        n, params = None, n
    if isinstance(params, (list, tuple)):
        if n is None:
            n = len(params)
    if n is None:
        n = 1
    if _np is not None and isinstance(n, _np.integer):
        n = int(n)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise NESTErrors.TypeMismatch("n must be a positive integer, got %r" % (n,), call="Create")
    arg = {"model": model, "n": n}
    if isinstance(params, dict):
        arg["params"] = _fit_lengths(model, n, params)
    elif isinstance(params, (list, tuple)):
        if len(params) != n:
            raise NESTErrors.DimensionMismatch("a list of %d dictionaries for n = %d nodes" % (len(params), n),
                                               call="Create")
        if not all(isinstance(p, dict) for p in params):
            raise NESTErrors.TypeMismatch("a list of parameters holds dictionaries", call="Create")
        arg["params"] = list(params)
    elif params is not None:
        raise NESTErrors.TypeMismatch("params is a dictionary or a list of dictionaries, got %s"
                                      % type(params).__name__, call="Create")
    ids = _call("Create", arg)
    return NodeCollection(range(ids["first"], ids["last"] + 1), model)


def _is_array(v):
    if isinstance(v, (list, tuple)):
        return True
    return _np is not None and isinstance(v, _np.ndarray) or type(v).__module__.startswith("pandas")


def _fit_lengths(model, n, params):
    """Cuts per-node arrays longer than n to their first n values, with a warning (PyNEST does
    this silently); parameters whose value is itself a list (spike_times, ...) are kept."""
    long_keys = [k for k, v in params.items() if _is_array(v) and len(v) > n]
    if not long_keys:
        return params
    defaults = GetDefaults(model)
    out = dict(params)
    for k in long_keys:
        if _is_array(defaults.get(k)) or (_np is not None and isinstance(defaults.get(k), _np.ndarray)):
            continue
        _warn("Create(%r, n=%d): %s has %d values; using the first %d, as NEST does"
              % (model, n, k, len(params[k]), n))
        v = params[k]
        out[k] = v[:n] if not type(v).__module__.startswith("pandas") else v.values[:n]
    return out


def _warn(message):
    """Prints a one-line warning (shown at verbosity M_WARNING and below)."""
    if _session.get_verbosity() <= _LEVELS["M_WARNING"]:
        print("nestmpi: warning: " + message, file=_sys.stderr, flush=True)


def _nodes(x, call, what="nodes"):
    """Converts a node argument (NodeCollection, a list of them, ids) to a NodeCollection."""
    if isinstance(x, NodeCollection):
        return x
    if isinstance(x, (list, tuple, range)) or (_np is not None and isinstance(x, _np.ndarray)):
        try:
            return NodeCollection(x)
        except NESTError as e:
            raise type(e)(e.errormessage, e.errorname, call) from None
    if isinstance(x, int) and not isinstance(x, bool):
        return NodeCollection([x])
    raise NESTErrors.TypeMismatch("%s must be a NodeCollection (or a list of node ids), got %s"
                                  % (what, type(x).__name__), call=call)


def GetStatus(nodes, keys=None, output=""):
    """Returns the status of nodes (the old form): a tuple of dictionaries, of values (keys a
    string) or of tuples (keys a list)."""
    if isinstance(nodes, SynapseCollection):
        return nodes.get(keys, output=output)
    nc = _nodes(nodes, "GetStatus")
    if keys is None:
        status = nodes_status(nc, None)
        result = tuple(status)
    elif isinstance(keys, str):
        status = nodes_status(nc, [keys])
        result = tuple(d[keys] for d in status)
    elif isinstance(keys, (list, tuple)):
        status = nodes_status(nc, list(keys))
        result = tuple(tuple(d[k] for k in keys) for d in status)
    else:
        raise NESTErrors.TypeMismatch("keys is a string or a list of strings", call="GetStatus")
    if output == "json":
        from .nodes import _json
        return _json(result)
    return result


def nodes_status(nc, keys):
    from .nodes import _status
    return _status(nc, keys)


def SetStatus(nodes, params, val=None):
    """Sets the status of nodes (the old form): a dictionary, a list of dictionaries (one per
    node) or SetStatus(nodes, key, value)."""
    if isinstance(params, str):
        if isinstance(val, (list, tuple)) and len(val) == len(_nodes(nodes, "SetStatus")):
            params = [{params: v} for v in val]
        else:
            params = {params: val}
    if isinstance(nodes, SynapseCollection):
        nodes.set(params)
        return
    from .nodes import _set_status
    _set_status(_nodes(nodes, "SetStatus"), params, "SetStatus")


# ---- connections ----

def _one_to_one(conn_spec):
    if isinstance(conn_spec, str):
        return conn_spec == "one_to_one"
    if isinstance(conn_spec, dict):
        return conn_spec.get("rule") == "one_to_one"
    return False


def _id_array(x):
    """The ids of an id array argument (None if x is a node collection or a list of them)."""
    if isinstance(x, NodeCollection):
        return None
    if isinstance(x, (list, tuple)) and any(isinstance(e, NodeCollection) for e in x):
        return None
    if _np is not None and isinstance(x, _np.ndarray):
        if x.dtype.kind not in "iu":
            raise NESTErrors.TypeMismatch("node id arrays hold integers, got %s" % x.dtype, call="Connect")
        return x
    if isinstance(x, (list, tuple, range)):
        return list(x)
    return None


def Connect(pre, post, conn_spec=None, syn_spec=None, return_synapsecollection=False):
    """Connects pre to post with a rule (conn_spec, default all_to_all) and synapses (syn_spec).

    pre and post are NodeCollections (a list of them is joined), or arrays of node ids: with
    "one_to_one", arrays may repeat ids and position i connects pre[i] to post[i], with syn_spec
    arrays giving each connection its weight, delay, ... (NEST's array connection).
    """
    if syn_spec is not None and not isinstance(syn_spec, (str, dict)):
        if isinstance(syn_spec, (list, tuple)):
            raise NotImplementedError("Connect: collocated synapses (a list of syn_specs) are not supported by nestmpi")
        raise NESTErrors.TypeMismatch("syn_spec is a synapse model name or a dictionary", call="Connect")
    if conn_spec is not None and not isinstance(conn_spec, (str, dict)):
        raise NESTErrors.TypeMismatch("conn_spec is a rule name or a dictionary", call="Connect")
    pa, qa = _id_array(pre), _id_array(post)
    if (pa is not None or qa is not None) and _one_to_one(conn_spec):
        pa = pa if pa is not None else _nodes(pre, "Connect", "pre").tolist()
        qa = qa if qa is not None else _nodes(post, "Connect", "post").tolist()
        if len(pa) != len(qa):
            raise NESTErrors.ArgumentType("Connect with id arrays needs pre and post of equal length, got %d and %d"
                                          % (len(pa), len(qa)), call="Connect")
        arg = {"pre": {"ids": pa}, "post": {"ids": qa}, "conn_spec": "one_to_one"}
    else:
        arg = {"pre": _nodes(pre, "Connect", "pre"), "post": _nodes(post, "Connect", "post")}
        if conn_spec is not None:
            arg["conn_spec"] = conn_spec
    if syn_spec is not None:
        arg["syn_spec"] = syn_spec
    _call("Connect", arg)
    if return_synapsecollection:
        src = arg["pre"] if isinstance(arg["pre"], NodeCollection) else NodeCollection(sorted(_builtins.set(_ints(pa))))
        tgt = arg["post"] if isinstance(arg["post"], NodeCollection) else NodeCollection(sorted(_builtins.set(_ints(qa))))
        model = syn_spec if isinstance(syn_spec, str) else (syn_spec or {}).get("synapse_model")
        return GetConnections(src, tgt, model)
    return None


def _ints(a):
    return a.tolist() if hasattr(a, "tolist") else list(a)


def GetConnections(source=None, target=None, synapse_model=None, synapse_label=None):
    """Returns the connections from source to target (NodeCollections) of a synapse model."""
    if synapse_label is not None:
        raise NotImplementedError("GetConnections(synapse_label=...) is not supported by nestmpi")
    filt = {}
    if source is not None:
        filt["source"] = _nodes(source, "GetConnections", "source")
    if target is not None:
        filt["target"] = _nodes(target, "GetConnections", "target")
    if synapse_model is not None:
        _model_name(synapse_model, "GetConnections")
        filt["synapse_model"] = synapse_model
    _session.server()
    return SynapseCollection(filt)


# ---- simulation ----

def _time(t, call):
    if _np is not None and isinstance(t, _np.generic):
        t = t.item()
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        raise NESTErrors.TypeMismatch("the time is a number of ms, got %s" % type(t).__name__, call=call)
    return float(t)


def Simulate(t):
    """Simulates for t ms."""
    _call("Simulate", _time(t, "Simulate"))


def Store(dir):
    """Write a full checkpoint of the simulation to the folder dir (a nest-mpi extension of PyNEST).

    Everything a continuation needs is stored: time, every neuron's and synapse's state, spikes
    in flight, generators, recorders with their events, models and random streams. Under MPI every
    rank writes its own shard. Restore(dir) makes a kernel the stored one again.
    """
    _call("Store", {"dir": _os.path.abspath(str(dir))})


def Restore(dir):
    """Make the kernel the one stored by Store(dir) (a nest-mpi extension of PyNEST).

    Node collections made before become invalid (as after ResetKernel); the stored nodes keep
    their ids, so nest.NodeCollection(ids) gives them back. Threads and ranks may differ from the
    stored run's as long as their product (the number of virtual processes) is the same.
    """
    _call("Restore", {"dir": _os.path.abspath(str(dir))})


def Prepare():
    """Prepares the kernel for Run calls."""
    _call("Prepare", {})


def Run(t):
    """Simulates for t ms after Prepare; Run may be called many times before Cleanup."""
    _call("Run", _time(t, "Run"))


def Cleanup():
    """Ends a series of Run calls."""
    _call("Cleanup", {})


class RunManager:
    """Context manager for Prepare, Run, Run, ..., Cleanup: ``with nest.RunManager(): nest.Run(10)``."""

    def __enter__(self):
        Prepare()
        return self

    def __exit__(self, *exc):
        Cleanup()
        return False


# ---- kernel attributes (nest.resolution = 0.1) ----

_KERNEL_KEYS = frozenset((
    "biological_time", "data_path", "data_prefix", "dict_miss_is_error", "local_num_threads",
    "local_spike_counter", "max_delay", "min_delay", "ms_per_tic", "network_size", "num_connections",
    "num_processes", "overwrite_files", "print_time", "resolution", "rng_seed", "rng_type", "rng_types",
    "tics_per_ms", "tics_per_step", "time_collocate_spike_data", "time_communicate_prepare",
    "time_communicate_spike_data", "time_construction_connect", "time_construction_create",
    "time_deliver_spike_data", "time_simulate", "time_update", "to_do", "total_num_virtual_procs",
    "T_max", "T_min", "keep_source_table", "sort_connections_by_source", "use_compressed_spikes",
    "max_buffer_size_spike_data", "buffer_size_spike_data", "growth_factor_buffer_spike_data",
    "off_grid_spiking", "recording_backends", "stimulation_backends", "memory_size",
    "update_time_limit", "min_update_time", "max_update_time",
))


# PyNEST functions nestmpi does not offer: calling one raises NotImplementedError naming it.
_UNSUPPORTED = frozenset((
    "Disconnect", "GetNodes", "GetLocalNodeCollection", "GetLocalVPs", "PrintNodes", "GetPosition",
    "Displacement", "Distance", "DumpLayerNodes", "DumpLayerConnections", "FindCenterElement",
    "FindNearestElement", "PlotLayer", "PlotTargets", "PlotProbabilityParameter", "SelectNodesByMask",
    "CreateMask", "CreateParameter", "TripartiteConnect", "EnableStructuralPlasticity",
    "DisableStructuralPlasticity", "SetAcceptableLatency", "SetMaxBuffered", "sli_func", "sli_run",
    "sli_push", "sli_pop", "helpdesk", "GetLocalNodeCollection", "load_model",
))


def _unsupported(name):
    def fn(*args, **kwargs):
        raise NotImplementedError("nest.%s is not supported by nestmpi" % name)
    fn.__name__ = name
    fn.__doc__ = "Not supported by nestmpi: raises NotImplementedError."
    return fn


class _NestModule(_types.ModuleType):
    """The package module: kernel parameters read and set as attributes."""

    def __getattr__(self, name):
        if name in _KERNEL_KEYS:
            return GetKernelStatus(name)
        if name in _UNSUPPORTED:
            return _unsupported(name)
        raise AttributeError("module 'nestmpi' has no attribute %r" % name)

    def __setattr__(self, name, value):
        if name in _KERNEL_KEYS:
            SetKernelStatus({name: value})
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _NestModule
