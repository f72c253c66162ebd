"""Functions on parameters, as ``nest.math``: ``redraw`` (the others raise NotImplementedError)."""

import copy

from .random import Parameter


def redraw(value, min=float("-inf"), max=float("inf")):  # noqa: A002 (PyNEST's argument names)
    """Returns the parameter with values outside [min, max] drawn again."""
    if not isinstance(value, Parameter):
        raise NotImplementedError("nest.math.redraw of %s is not supported by nestmpi (give a nest.random parameter)"
                                  % type(value).__name__)
    p = copy.copy(value)
    p.bounds = (min, max)
    return p


def _unsupported(name):
    def fn(*args, **kwargs):
        raise NotImplementedError("nest.math.%s is not supported by nestmpi" % name)
    fn.__name__ = name
    fn.__doc__ = "Not supported by nestmpi (raises NotImplementedError)."
    return fn


exp = _unsupported("exp")
sin = _unsupported("sin")
cos = _unsupported("cos")
min = _unsupported("min")  # noqa: A001
max = _unsupported("max")  # noqa: A001
