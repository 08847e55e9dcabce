"""Exact evaluation: substitute integers or rationals into the symbolic result.

Examples
========

The seed's worked example, exactly.  The result always has the channel axis, shape
``(C_out, *o)``, also when the values leave theirs out (one channel): ``x[0]`` is the
5×5 map.  ``symtconv eval`` answers in kind, printing 5×5 for values given without a
channel axis.

>>> from symtconv import Geometry, evaluate
>>> g = Geometry((3, 3), 3, stride=2, padding=1)
>>> x = evaluate(g, [[9, 1, 3], [7, 8, 7], [8, 2, 2]], [[4, 2, 3], [1, 4, 3], [1, 1, 1]])
>>> x.shape
(1, 5, 5)
>>> x[0]
array([[36, 28, 4, 6, 12],
       [23, 63, 17, 56, 17],
       [28, 29, 32, 31, 28],
       [23, 47, 12, 29, 11],
       [32, 26, 8, 8, 8]], dtype=object)

Rationals stay rationals:

>>> evaluate(Geometry(2, 1), [1, "1/3"], ["1/2"]).tolist()
[[1/2, 1/6]]
"""

from __future__ import annotations

import numbers
import re
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from . import methods as _methods
from .errors import ParameterTypeError, ShapeError
from .geometry import Geometry, geometry_argument
from .tensors import check_sympy_size, input_symbols, weight_symbols

__all__ = ["as_exact", "evaluate", "substitute", "with_channels"]


#: A rational as a string: ``3``, ``-1/3``, ``0.25``, ``1e-3`` in ASCII digits, the
#: exponent at most 4 digits (``Fraction("1e100000000")`` would build a 10⁸-digit number).
_RATIONAL = re.compile(
    r"[+-]?[0-9]+(/[0-9]+)?|[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,4})?", re.ASCII
)


def _exact(value: Any, name: str) -> sp.Rational:
    if isinstance(value, (bool, np.bool_)):
        raise ParameterTypeError(f"{name} must hold integers or rationals, got {value!r}")
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, str) and _RATIONAL.fullmatch(value):
        try:
            return sp.Rational(Fraction(value))
        except (ValueError, ZeroDivisionError):
            pass
    raise ParameterTypeError(
        f"{name} must hold integers or rationals (such as 3 or '1/3') for exact evaluation, "
        f"got {value!r} ({type(value).__name__}); floating-point values go through "
        "symtconv.numeric"
    )


def as_exact(values: Any, name: str) -> np.ndarray:
    """A nested list or array of ints/rationals as an object array of SymPy rationals."""
    array = np.asarray(values, dtype=object)
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(*array.shape):
        out[index] = _exact(array[index], name)
    return out


def with_channels(values: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    """Add the leading channel axes of ``shape`` to ``values`` when they are left out."""
    if values.shape == shape:
        return values
    channel_axes = len(shape) - values.ndim
    if (
        channel_axes > 0
        and shape[:channel_axes] == (1,) * channel_axes
        and (values.shape == shape[channel_axes:])
    ):
        return values.reshape(shape)
    raise ShapeError(f"{name} has shape {values.shape}, but the geometry needs {shape}")


def substitute(
    expressions: np.ndarray, geometry: Geometry, y_values: Any, w_values: Any
) -> np.ndarray:
    """Replace the symbols ``y_{…}`` and ``w_{…}`` in ``expressions`` by exact values."""
    y = input_symbols(geometry)
    w = weight_symbols(geometry)
    y_num = with_channels(as_exact(y_values, "input values"), y.shape, "input values")
    w_num = with_channels(as_exact(w_values, "kernel values"), w.shape, "kernel values")
    mapping = dict(zip(y.flat, y_num.flat, strict=True))
    mapping.update(zip(w.flat, w_num.flat, strict=True))
    out = np.empty(expressions.shape, dtype=object)
    for index in np.ndindex(*expressions.shape):
        out[index] = sp.sympify(expressions[index]).xreplace(mapping)
    return out


def evaluate(geometry: Geometry, y_values: Any, w_values: Any) -> np.ndarray:
    """The transposed convolution of exact values, shape ``(C_out, o_1, …, o_N)`` always.

    Computes ``Cᵀ·vec(y)`` symbolically (the scatter definition when ``Cᵀ`` is not
    defined for the geometry) and substitutes the values — exact for integers and
    rationals.  ``y_values`` may leave out the channel axis for one channel, and
    ``w_values`` both channel axes for one channel pair; the result keeps its channel
    axis all the same (index it with ``[0]`` for the one output channel), so its shape
    does not depend on how the values were written.  (The command ``symtconv eval``
    answers in kind instead: without channels in the values it prints ``[0]``, shape
    ``(o_1, …, o_N)``.)

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.evaluate import evaluate
    >>> evaluate(Geometry(2, 2), [1, 2], [3, 4]).shape  # one channel, left out
    (1, 3)
    """
    check_sympy_size(geometry_argument(geometry))
    y, w = input_symbols(geometry), weight_symbols(geometry)
    method = _methods.transpose if geometry.is_adjoint is True else _methods.scatter
    return substitute(method(geometry, y, w), geometry, y_values, w_values)
