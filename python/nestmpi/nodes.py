"""NodeCollection and SynapseCollection, with PyNEST 3's behaviour."""

import json

from . import _session
from .errors import NESTErrors

try:
    import numpy as _np
except ImportError:
    _np = None


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("output='pandas' needs pandas (apt install python3-pandas)") from None
    return pandas


class NodeCollection:
    """An ordered list of unique node ids, as returned by Create.

    Supports len, iteration (single-node collections), indexing and slicing (with steps),
    ``+`` (concatenation), ``in``, ``==``, ``get``/``set`` and attribute access to parameters
    (``nrn.V_m``, ``sr.events``).
    """

    def __init__(self, ids=(), model=None):
        if isinstance(ids, NodeCollection):
            ids = ids._ids
        if isinstance(ids, range):
            self.__dict__["_ids"] = ids
        else:
            ids = tuple(int(i) for i in _flat(ids))
            if len(set(ids)) != len(ids):
                raise NESTErrors.BadProperty("node collections must hold unique node ids", call="NodeCollection")
            if any(i < 1 for i in ids):
                raise NESTErrors.UnknownNode("node ids are positive integers", call="NodeCollection")
            self.__dict__["_ids"] = ids
        self.__dict__["_model"] = model
        self.__dict__["_generation"] = _session.generation()

    # ---- sequence ----

    def __len__(self):
        return len(self._ids)

    def __iter__(self):
        for i in self._ids:
            yield NodeCollection(range(i, i + 1), self._model)

    def __getitem__(self, key):
        if isinstance(key, slice):
            if key.step is not None and key.step < 1:
                raise NESTErrors.BadParameter("NodeCollection slices need a positive step", call="NodeCollection")
            return NodeCollection(self._ids[key], self._model)
        if _np is not None and isinstance(key, _np.integer):
            key = int(key)
        if isinstance(key, int):
            try:
                i = self._ids[key]
            except IndexError:
                raise IndexError("NodeCollection index %d out of range (%d nodes)" % (key, len(self))) from None
            return NodeCollection(range(i, i + 1), self._model)
        if isinstance(key, (list, tuple)) or (_np is not None and isinstance(key, _np.ndarray)):
            keys = list(key)
            if keys and all(isinstance(k, bool) or (_np is not None and isinstance(k, _np.bool_)) for k in keys):
                if len(keys) != len(self):
                    raise IndexError("a boolean index must have %d entries" % len(self))
                return NodeCollection([i for i, k in zip(self._ids, keys) if k], self._model)
            return NodeCollection([self._ids[int(k)] for k in keys], self._model)
        raise TypeError("NodeCollection indices are integers, slices or lists of integers, not %s" % type(key).__name__)

    def __add__(self, other):
        if isinstance(other, (list, tuple)):
            other = NodeCollection(other)
        if not isinstance(other, NodeCollection):
            return NotImplemented
        a, b = self._ids, other._ids
        if isinstance(a, range) and isinstance(b, range) and a.step == b.step == 1 and len(a) and a.stop == b.start:
            return NodeCollection(range(a.start, b.stop), self._model if self._model == other._model else None)
        return NodeCollection(tuple(a) + tuple(b), self._model if self._model == other._model else None)

    def __radd__(self, other):
        if isinstance(other, (list, tuple)):
            return NodeCollection(other) + self
        return NotImplemented

    def __contains__(self, item):
        if isinstance(item, NodeCollection):
            return all(i in self._ids for i in item._ids)
        return item in self._ids

    def __eq__(self, other):
        return isinstance(other, NodeCollection) and tuple(self._ids) == tuple(other._ids)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(tuple(self._ids))

    def __bool__(self):
        return len(self._ids) > 0

    def __repr__(self):
        if not self._ids:
            return "NodeCollection(<empty>)"
        model = self._model or "<mixed>"
        ids = self._ids
        if isinstance(ids, range) and ids.step == 1:
            return "NodeCollection(metadata=None, model=%s, size=%d, first=%d, last=%d)" % (model, len(ids), ids[0], ids[-1])
        return "NodeCollection(metadata=None, model=%s, size=%d, first=%d, last=%d, ids=%s)" % (
            model, len(ids), ids[0], ids[-1], list(ids)[:10])

    __str__ = __repr__

    def tolist(self):
        """The node ids as a list."""
        return list(self._ids)

    def index(self, node_id):
        """The position of a node id."""
        return list(self._ids).index(int(node_id))

    @property
    def global_id(self):
        """The node id (one node) or a tuple of them."""
        return self._ids[0] if len(self) == 1 else tuple(self._ids)

    def _ref(self):
        """The node reference of the protocol (a list of ids)."""
        _session.check_generation(self._generation, "NodeCollection")
        return list(self._ids)

    # ---- parameters ----

    def get(self, *params, output=""):
        """Parameters of the nodes, as PyNEST's NodeCollection.get.

        get() gives every parameter, get("V_m") one (a value for one node, a tuple for several),
        get(["V_m", "I_e"]) or get("V_m", "I_e") a dictionary, get("events", "times") one entry
        of a dictionary-valued parameter; output="pandas" gives a DataFrame indexed by node id,
        output="json" a JSON string.
        """
        if output not in ("", "pandas", "json"):
            raise NESTErrors.BadParameter("output must be '', 'pandas' or 'json', got %r" % (output,), call="get")
        if len(params) == 2 and isinstance(params[0], str) and isinstance(params[1], (str, list, tuple)):
            first = _status(self, [params[0]])
            if first and all(isinstance(d.get(params[0]), dict) for d in first):
                return self._nested(first, params[0], params[1], output)
        if len(params) == 1 and isinstance(params[0], (list, tuple)):
            keys, single = list(params[0]), False
        elif len(params) == 1 and isinstance(params[0], str):
            keys, single = [params[0]], True
        elif params:
            keys, single = list(params), False
        else:
            keys, single = None, False
        for k in keys or ():
            if not isinstance(k, str):
                raise NESTErrors.TypeMismatch("parameter names are strings, got %r" % (k,), call="get")
        status = _status(self, keys)
        if output == "pandas":
            return _frame(self, status, keys)
        if keys is None:
            keys = sorted({k for d in status for k in d})
        if single:
            vals = tuple(d.get(keys[0]) for d in status)
            result = vals[0] if len(vals) == 1 else vals
        elif len(status) == 1:
            result = {k: status[0].get(k) for k in keys}
        else:
            result = {k: tuple(d.get(k) for d in status) for k in keys}
        return _json(result) if output == "json" else result

    def _nested(self, first, key, sub, output):
        vals = [d[key] for d in first]
        if isinstance(sub, str):
            out = [v.get(sub) for v in vals]
        else:
            out = [{s: v.get(s) for s in sub} for v in vals]
        result = out[0] if len(out) == 1 else tuple(out)
        if output == "pandas":
            return _pandas().DataFrame(result if isinstance(result, dict) else {sub: result})
        return _json(result) if output == "json" else result

    def set(self, params=None, **kwargs):
        """Sets parameters: set({"I_e": 376.0}), set(I_e=376.0), a list of dictionaries (one per
        node) or lists of values with one value per node."""
        if params is not None and kwargs:
            raise TypeError("set takes a dictionary or keyword arguments, not both")
        params = kwargs if params is None else params
        _set_status(self, params, "set")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            raise AttributeError("cannot set %s of a NodeCollection" % name)
        self.set({name: value})

    def __getstate__(self):
        return {"ids": self._ids, "model": self._model}

    def __setstate__(self, state):
        self.__dict__["_ids"] = state["ids"]
        self.__dict__["_model"] = state["model"]
        self.__dict__["_generation"] = _session.generation()


def _flat(ids):
    """Node ids from ints, NodeCollections and (nested) lists or arrays of them."""
    if isinstance(ids, NodeCollection):
        yield from ids._ids
        return
    if isinstance(ids, (int,)) or (_np is not None and isinstance(ids, _np.integer)):
        yield int(ids)
        return
    for x in ids:
        if isinstance(x, (NodeCollection, list, tuple)) or (_np is not None and isinstance(x, _np.ndarray)):
            yield from _flat(x)
        else:
            if isinstance(x, bool) or not (isinstance(x, int) or (_np is not None and isinstance(x, _np.integer))):
                raise NESTErrors.TypeMismatch("node ids are integers, got %r" % (x,), call="NodeCollection")
            yield int(x)


def _status(nodes, keys):
    """The status dictionaries of the nodes (one per node, in order)."""
    if len(nodes) == 0:
        return []
    arg = {"nodes": nodes._ref()}
    if keys:
        arg["keys"] = keys
    return [node_values(d) for d in _session.server().call("GetStatus", arg, "GetStatus")]


# Parameters whose value is a set of nodes (a weight_recorder's senders and targets, a synapse
# model's weight_recorder): PyNEST gives them as NodeCollections.
_NODE_KEYS = ("senders", "targets", "weight_recorder")


def node_values(d):
    """Replaces node-valued parameters of a status dictionary by NodeCollections."""
    for key in _NODE_KEYS:
        v = d.get(key)
        if v is None or isinstance(v, dict):
            continue
        if isinstance(v, int):
            d[key] = NodeCollection([v]) if v > 0 else NodeCollection()
        elif _np is not None and isinstance(v, _np.ndarray) or isinstance(v, list):
            d[key] = NodeCollection([int(x) for x in v])
    return d


def _set_status(nodes, params, call):
    if isinstance(params, (list, tuple)):
        if len(params) != len(nodes):
            raise NESTErrors.DimensionMismatch(
                "a list of %d dictionaries for %d nodes" % (len(params), len(nodes)), call=call)
        if not all(isinstance(p, dict) for p in params):
            raise NESTErrors.TypeMismatch("a list of parameters holds dictionaries", call=call)
    elif not isinstance(params, dict):
        raise NESTErrors.TypeMismatch("parameters are a dictionary or a list of dictionaries, got %s"
                                      % type(params).__name__, call=call)
    if len(nodes) == 0:
        return
    _session.server().call("SetStatus", {"nodes": nodes._ref(), "params": params}, call)


def _json(value):
    def default(o):
        if _np is not None and isinstance(o, _np.ndarray):
            return o.tolist()
        if _np is not None and isinstance(o, _np.generic):
            return o.item()
        return str(o)
    return json.dumps(value, default=default)


def _frame(nodes, status, keys):
    pd = _pandas()
    if keys is None:
        keys = sorted({k for d in status for k in d})
    data = {k: [d.get(k) for d in status] for k in keys}
    frame = pd.DataFrame(data, index=pd.Index(nodes.tolist(), name="global_id"))
    return frame


class SynapseCollection:
    """The connections GetConnections selected: ``len``, ``get`` (also ``output="pandas"``),
    ``set`` and attribute access (``conns.weight``)."""

    def __init__(self, filt):
        self.__dict__["_filter"] = filt
        self.__dict__["_generation"] = _session.generation()

    def _query(self, keys=None):
        _session.check_generation(self._generation, "SynapseCollection")
        arg = dict(self._filter)
        if keys:
            arg["keys"] = list(keys)
        return _session.server().call("GetConnections", arg, "GetConnections")

    def __len__(self):
        return int(self._query(["source"])["n"])

    def __repr__(self):
        return "SynapseCollection(size=%d)" % len(self)

    def __iter__(self):
        raise NotImplementedError("iterating over a SynapseCollection is not supported by nestmpi; use get()")

    def __getitem__(self, key):
        raise NotImplementedError("indexing a SynapseCollection is not supported by nestmpi; use get()")

    def get(self, keys=None, output=""):
        """Connection parameters: get() all keys, get("weight") one (a list, or a value for one
        connection), get(["source", "weight"]) a dictionary of lists; output="pandas" gives a
        DataFrame with one column per key."""
        if output not in ("", "pandas", "json"):
            raise NESTErrors.BadParameter("output must be '', 'pandas' or 'json', got %r" % (output,), call="get")
        single = isinstance(keys, str)
        if single:
            keys = [keys]
        elif keys is not None:
            keys = list(keys)
            if not all(isinstance(k, str) for k in keys):
                raise NESTErrors.TypeMismatch("keys are strings", call="get")
        ans = self._query(keys)
        cols = dict(zip(ans["keys"], ans["columns"]))
        n = int(ans["n"])
        if output == "pandas":
            return _pandas().DataFrame({k: cols[k] for k in ans["keys"]})
        lists = {k: _tolist(v) for k, v in cols.items()}
        if single:
            col = lists[keys[0]]
            result = col[0] if n == 1 else col
        elif n == 1:
            result = {k: v[0] for k, v in lists.items()}
        else:
            result = lists
        return _json(result) if output == "json" else result

    def set(self, params=None, **kwargs):
        """Sets parameters of these connections: set(weight=2.0) for all, set(weight=[...]) with one
        value per connection (in the order of get), or a list of dictionaries, one per connection."""
        if params is not None and kwargs:
            raise TypeError("set takes a dictionary or keyword arguments, not both")
        params = kwargs if params is None else params
        if isinstance(params, (list, tuple)):
            params = _columns(params)
        if not isinstance(params, dict):
            raise NESTErrors.TypeMismatch("set takes a dictionary or a list of dictionaries", call="set")
        arg = dict(self._filter)
        arg["params"] = params
        _session.server().call("SetConnections", arg, "set")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name, value):
        self.set({name: value})


def _columns(dicts):
    """Turns a list of dictionaries (one per connection) into lists by key."""
    if not all(isinstance(d, dict) for d in dicts):
        raise NESTErrors.TypeMismatch("a list of parameters holds dictionaries", call="set")
    keys = {k for d in dicts for k in d}
    missing = [k for k in keys if any(k not in d for d in dicts)]
    if missing:
        raise NESTErrors.BadProperty("every dictionary must set the same keys (%s is missing in some)"
                                     % ", ".join(sorted(missing)), call="set")
    return {k: [d[k] for d in dicts] for k in sorted(keys)}


def _tolist(col):
    if _np is not None and isinstance(col, _np.ndarray):
        return col.tolist()
    return list(col)
