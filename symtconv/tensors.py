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

__all__ = [
    "input_symbols",
    "weight_symbols",
    "output_symbols",
    "term_name",
    "spatial_shape",
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


def _name(base: str, index: tuple[int, ...], drop: int) -> str:
    return f"{base}_{{{','.join(str(j) for j in index[drop:])}}}"


def _symbols(base: str, shape: tuple[int, ...], channel_axes: int, drop: bool) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    skip = channel_axes if drop else 0
    for index in np.ndindex(*shape):
        out[index] = sp.Symbol(_name(base, index, skip))
    return out


def _drops(shape: tuple[int, ...], channel_axes: int) -> bool:
    return all(n == 1 for n in shape[:channel_axes])


def input_symbols(geometry: Geometry, name: str = "y") -> np.ndarray:
    """Symbols for ``y``, shape ``(C_in, *i)``."""
    shape = spatial_shape(geometry, geometry.input_shape)
    return _symbols(_checked(name), shape, 1, _drops(shape, 1))


def weight_symbols(geometry: Geometry, name: str = "w") -> np.ndarray:
    """Symbols for ``w``, shape ``(C_in, C_out/groups, *k)`` (PyTorch's weight layout)."""
    shape = spatial_shape(geometry, geometry.weight_shape)
    return _symbols(_checked(name), shape, 2, _drops(shape, 2))


def output_symbols(geometry: Geometry, name: str = "x") -> np.ndarray:
    """Symbols for the output ``x``, shape ``(C_out, *o)`` (the forward conv's variable)."""
    shape = spatial_shape(geometry, geometry.output_shape)
    return _symbols(_checked(name), shape, 1, _drops(shape, 1))


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
