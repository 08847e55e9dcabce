"""Symbolic tensors: the input ``y``, the weight ``w`` and the output ``x`` as SymPy symbols.

Arrays are NumPy object arrays of SymPy symbols, so the methods in
:mod:`symtconv.methods` run on them exactly as they run on numbers.  Names print well
in LaTeX: ``y_{0,1,2}`` is channel 0, row 1, column 2; the channel indices are dropped
when a tensor has a single channel (``y_{1,2}``).

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.tensors import input_symbols, weight_symbols
>>> g = Geometry((2, 2), 2)
>>> input_symbols(g)[0]
array([[y_{0,0}, y_{0,1}],
       [y_{1,0}, y_{1,1}]], dtype=object)
>>> w = weight_symbols(Geometry(3, 2, in_channels=2, out_channels=4, groups=2))
>>> w.shape, w[1, 0, 1]
((2, 2, 2), w_{1,0,1})
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from .errors import ParameterTypeError, ShapeError
from .geometry import Geometry
from .limits import limit, require

__all__ = [
    "SYMPY_ENTRY_LIMIT",
    "SYMPY_TERM_LIMIT",
    "check_sympy_size",
    "input_symbols",
    "weight_symbols",
    "output_symbols",
    "term_name",
    "symbol_name",
    "spatial_shape",
    "sympy_fits",
    "sympy_load",
    "squeeze_channels",
]


def spatial_shape(geometry: Geometry, sizes: Sequence[object]) -> tuple[int, ...]:
    """Concrete integer sizes, or a clear error for a symbolic geometry."""
    if geometry.is_symbolic:
        raise ParameterTypeError(
            "symbolic tensors need concrete sizes; got a geometry with symbolic sizes "
            f"({geometry.describe()}); use symtconv.general for symbolic sizes"
        )
    return tuple(int(v) for v in sizes)  # type: ignore[call-overload]


#: The SymPy tier refuses geometries with more ``y·w`` terms than this (tens of seconds).
SYMPY_TERM_LIMIT = limit("sympy.terms")


#: ... and geometries whose input and output have more entries than this together (one
#: SymPy object each: a huge stride makes a huge, almost empty output from few terms).
SYMPY_ENTRY_LIMIT = limit("sympy.entries")


def sympy_load(geometry: Geometry) -> tuple[int, int]:
    """``(terms, entries)``: the ``y·w`` products and the entries of ``y`` and ``x``.

    >>> from symtconv import Geometry
    >>> sympy_load(Geometry((3, 3), 3, stride=2, padding=1))
    (49, 34)
    """
    spatial_shape(geometry, geometry.input_shape)  # a clear error for symbolic sizes
    cost = geometry.cost("sympy")
    return int(cost.terms or 0), int(cost.entries or 0)


def sympy_fits(
    geometry: Geometry, terms: int = SYMPY_TERM_LIMIT, entries: int = SYMPY_ENTRY_LIMIT
) -> bool:
    """Whether ``geometry`` is concrete and within ``terms`` products and ``entries``
    entries (by default the SymPy tier's limits, :func:`check_sympy_size`)."""
    if geometry.is_symbolic:
        return False
    load = sympy_load(geometry)
    return load[0] <= terms and load[1] <= entries


def check_sympy_size(geometry: Geometry, what: str = "") -> int:
    """The number of ``y·w`` terms, or :class:`TooLargeError` past the SymPy tier's limits
    (:data:`SYMPY_TERM_LIMIT` terms, :data:`SYMPY_ENTRY_LIMIT` entries; see
    :mod:`symtconv.limits`)."""
    spatial_shape(geometry, geometry.input_shape)
    cost = geometry.cost("sympy", what=what or geometry.describe())
    require(cost)
    return int(cost.terms or 0)


def symbol_name(
    base: str, index: tuple[int, ...], shape: tuple[int, ...], channel_axes: int
) -> str:
    """The name of one entry, e.g. ``y_{0,1,2}``.

    The first ``channel_axes`` indices are channels; they are left out of the name when
    all channel axes of ``shape`` have length 1.

    >>> symbol_name("w", (0, 0, 2, 1), (1, 1, 3, 3), 2)
    'w_{2,1}'
    >>> symbol_name("y", (1, 0, 2), (2, 3, 3), 1)
    'y_{1,0,2}'
    """
    drop = channel_axes if all(n == 1 for n in shape[:channel_axes]) else 0
    return f"{base}_{{{','.join(str(j) for j in index[drop:])}}}"


def _symbols(base: str, shape: tuple[int, ...], channel_axes: int) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        out[index] = sp.Symbol(symbol_name(base, index, shape, channel_axes))
    return out


def input_symbols(geometry: Geometry, name: str = "y") -> np.ndarray:
    """Symbols for ``y``, shape ``(C_in, *i)``."""
    shape = spatial_shape(geometry, geometry.input_shape)
    return _symbols(_checked(name), shape, 1)


def weight_symbols(geometry: Geometry, name: str = "w") -> np.ndarray:
    """Symbols for ``w``, shape ``(C_in, C_out/groups, *k)`` (PyTorch's weight layout)."""
    shape = spatial_shape(geometry, geometry.weight_shape)
    return _symbols(_checked(name), shape, 2)


def output_symbols(geometry: Geometry, name: str = "x") -> np.ndarray:
    """Symbols for the output ``x``, shape ``(C_out, *o)`` (the forward conv's variable)."""
    shape = spatial_shape(geometry, geometry.output_shape)
    return _symbols(_checked(name), shape, 1)


def squeeze_channels(array: np.ndarray, channel_axes: int) -> np.ndarray:
    """Drop ``channel_axes`` leading axes of length 1."""
    if array.shape[:channel_axes] != (1,) * channel_axes:
        raise ShapeError(
            f"cannot drop {channel_axes} channel axes of an array of shape {array.shape}"
        )
    return array.reshape(array.shape[channel_axes:])


def term_name(coefficient: object, *factors: object) -> str:
    """A readable product such as ``y_{0,1}·w_{2}`` or ``2·y_{0}·w_{1}``."""
    parts = [str(f) for f in factors]
    if coefficient != 1:
        parts.insert(0, str(coefficient))
    return "·".join(parts)


def _checked(name: str) -> str:
    if not (isinstance(name, str) and name.isidentifier() and name.isascii()):
        raise ParameterTypeError(
            f"a tensor name must be a plain ASCII identifier such as 'y', got name={name!r}"
        )
    return name
