"""The exceptions symtconv raises.

Every error is a :class:`SymtconvError`, and also the builtin exception that fits
(``ValueError`` for a wrong value, ``TypeError`` for the wrong kind), so callers can
catch either.  Messages name the parameter, the value received and what is allowed.
"""

from __future__ import annotations

__all__ = [
    "SymtconvError",
    "ParameterError",
    "ParameterTypeError",
    "ShapeError",
    "NotAdjointError",
    "TooLargeError",
    "MissingDependencyError",
]


class SymtconvError(Exception):
    """Base class of every error symtconv raises on purpose."""


class ParameterError(SymtconvError, ValueError):
    """A parameter has a value outside its allowed range."""


class ParameterTypeError(SymtconvError, TypeError):
    """A parameter has the wrong kind (a float, a string, a bool, ...)."""


class ShapeError(SymtconvError, ValueError):
    """Arrays whose shapes do not fit together or do not fit the geometry."""


class NotAdjointError(ShapeError):
    """``Cᵀ·vec(y)`` (or the VJP) is not defined with the right shape for this geometry.

    Raised when ``output_padding >= stride`` on some axis (PyTorch allows it while
    ``output_padding < dilation``): the forward convolution then maps the output size to
    more entries than the transposed convolution's input has.
    """


class TooLargeError(SymtconvError, ValueError):
    """A geometry too large for the tier that was asked to handle it."""


class MissingDependencyError(SymtconvError, ImportError):
    """An optional dependency needed by one feature is not installed."""
