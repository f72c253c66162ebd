"""PyNEST's ``nest.kernel`` names: the exception classes (``NESTError``, ``NESTErrors``)."""

from .errors import NESTError, NESTErrors  # noqa: F401
