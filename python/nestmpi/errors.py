"""NEST's exception classes, as PyNEST names them.

Every error of the kernel is raised as ``NESTErrors.<Name>`` (``NESTErrors.BadProperty``,
``NESTErrors.UnknownModelName``, ...), a subclass of :class:`NESTError`, so that code written for
PyNEST catches it.
"""


class NESTError(Exception):
    """Base of every error NEST reports.

    Attributes:
        errorname: NEST's name of the error (``"BadProperty"``).
        errormessage: the message, without the name.
        call: the PyNEST function that failed (``"SetStatus"``).
    """

    def __init__(self, message="", errorname="NESTError", call=""):
        if call and message.startswith(call + ": "):
            message = message[len(call) + 2:]
        self.errorname = errorname
        self.errormessage = message
        self.call = call
        where = " in %s" % call if call else ""
        super().__init__("%s%s: %s" % (errorname, where, message))


# The names the kernel uses; any other name the server sends gets a class on first use.
_KNOWN = (
    "BadProperty", "BadParameter", "BadDelay", "TypeMismatch", "UnaccessedDictionaryEntry",
    "UnknownModelName", "NewModelNameExists", "UnknownSynapseType", "UnknownNode",
    "UnknownReceptorType", "IllegalConnection", "NotImplemented", "KernelException", "IOError",
    "DimensionMismatch", "RangeCheck", "KeyError", "InvalidNodeCollection", "InternalError",
    "NumericalInstability", "ArgumentType",
)


class _ErrorNamespace:
    """``NESTErrors``: one exception class per NEST error name, created on first use."""

    NESTError = NESTError

    def __init__(self):
        for name in _KNOWN:
            self._make(name)

    def _make(self, name):
        cls = type(name, (NESTError,), {"__doc__": "NEST's %s error." % name,
                                        "__module__": "nestmpi.errors"})
        setattr(self, name, cls)
        return cls

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._make(name)

    def error(self, name, message, call=""):
        """Returns the exception for a NEST error name and message."""
        cls = getattr(self, name) if name and name.isidentifier() else NESTError
        return cls(message, name or "NESTError", call)


NESTErrors = _ErrorNamespace()
