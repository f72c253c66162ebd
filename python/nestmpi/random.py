"""Random parameters, as ``nest.random``: ``normal``, ``uniform``, ``uniform_int``, ``lognormal``
and ``exponential``. A parameter is drawn by the kernel, node by node (Create, SetStatus) or
connection by connection (syn_spec), from the kernel's random streams."""


class Parameter:
    """A random parameter: a NEST 3 distribution name and its arguments."""

    def __init__(self, distribution, **args):
        self.distribution = distribution
        self.args = args
        self.bounds = None  # (min, max) of nest.math.redraw

    def spec(self):
        """The network-file form: {"distribution": ..., arguments..., "redraw": {...}}."""
        d = {"distribution": self.distribution}
        d.update({k: float(v) for k, v in self.args.items()})
        if self.bounds is not None:
            lo, hi = self.bounds
            r = {}
            if lo != float("-inf"):
                r["min"] = float(lo)
            if hi != float("inf"):
                r["max"] = float(hi)
            d["redraw"] = r
        return d

    def __repr__(self):
        return "<nestmpi.random.Parameter %s>" % self.spec()

    def _unsupported(self, *_):
        raise NotImplementedError("arithmetic on nest.random parameters is not supported by nestmpi")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unsupported
    __truediv__ = __rtruediv__ = __pow__ = __neg__ = _unsupported


def normal(mean=0.0, std=1.0):
    """Normally distributed values."""
    return Parameter("normal", mean=mean, std=std)


def uniform(min=0.0, max=1.0):  # noqa: A002 (PyNEST's argument names)
    """Uniformly distributed values in [min, max)."""
    return Parameter("uniform", min=min, max=max)


def uniform_int(max):  # noqa: A002
    """Uniformly distributed integers in [0, max)."""
    return Parameter("uniform_int", max=max)


def lognormal(mean=0.0, std=1.0):
    """Log-normally distributed values (mean and std of the underlying normal)."""
    return Parameter("lognormal", mean=mean, std=std)


def exponential(beta=1.0):
    """Exponentially distributed values with scale beta."""
    return Parameter("exponential", beta=beta)
