"""Term sets: the exact canonical form of bilinear polynomials in ``y`` and ``w``.

Explanation
===========

A :class:`TermSet` holds integer triples ``(output, input, weight)`` (flat row-major
indices into ``x``, ``y`` and ``w``) with an integer coefficient each, every triple packed
into one int64 key ``(output · |y| + input) · |w| + weight`` of its :class:`TermSpace`.
The keys are sorted, equal keys merged by adding their coefficients and zero coefficients
dropped: two sets of polynomials are equal exactly when their keys and coefficients are.
The methods that build term sets are in :mod:`symtconv.engine.methods`; comparing them is
:mod:`symtconv.engine.comparison`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy as sp

from ..errors import ParameterTypeError, ShapeError, TooLargeError
from ..geometry import Geometry
from ..tensors import input_symbols, spatial_shape, symbol_name, weight_symbols

Index = npt.NDArray[np.int64]


_INT = np.int64


_KEY_LIMIT = 2**63 - 1


def _empty() -> Index:
    return np.zeros(0, dtype=_INT)


# --------------------------------------------------------------------------- #
# The index space and the key encoding
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class TermSpace:
    """The shapes of ``x``, ``y`` and ``w``, and the int64 key of a term ``x[o] ∋ y·w``.

    Explanation
    ===========

    ``key = (output · inputs + input) · weights + weight`` with flat row-major indices,
    so keys sort by output first.  Every key must fit in an int64, which needs
    ``outputs · inputs · weights < 2**63``; a larger space raises
    :class:`~symtconv.errors.TooLargeError`.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> space = TermSpace.of(Geometry((3, 3), 3, stride=2, padding=1))
    >>> space.output_shape, space.input_shape, space.weight_shape
    ((1, 5, 5), (1, 3, 3), (1, 1, 3, 3))
    >>> key = space.encode(7, 4, 2)
    >>> int(key), [int(v) for v in space.decode(key)]
    (605, [7, 4, 2])
    >>> space.input_name(4), space.weight_name(2), space.output_index(7)
    ('y_{1,1}', 'w_{0,2}', (0, 1, 2))
    """

    output_shape: tuple[int, ...]
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]

    def __post_init__(self) -> None:
        for name in ("output_shape", "input_shape", "weight_shape"):
            shape = tuple(int(v) for v in getattr(self, name))
            if not shape or any(v < 1 for v in shape):
                raise ShapeError(f"{name} must be a non-empty tuple of positive sizes, got {shape}")
            object.__setattr__(self, name, shape)
        if self.size - 1 > _KEY_LIMIT:
            raise TooLargeError(
                "the fast engine packs a term x[o] ∋ y·w into one int64 key, which needs "
                f"outputs·inputs·weights < 2**63; got {self.outputs}·{self.inputs}·"
                f"{self.weights} = {self.size} (output shape {self.output_shape}, "
                f"input shape {self.input_shape}, weight shape {self.weight_shape})"
            )

    @classmethod
    def of(cls, geometry: Geometry) -> TermSpace:
        """The space of a concrete geometry (a symbolic one raises ``ParameterTypeError``)."""
        return cls(
            spatial_shape(geometry, geometry.output_shape),
            spatial_shape(geometry, geometry.input_shape),
            spatial_shape(geometry, geometry.weight_shape),
        )

    @property
    def outputs(self) -> int:
        """Number of entries of ``x``."""
        return math.prod(self.output_shape)

    @property
    def inputs(self) -> int:
        """Number of entries of ``y``."""
        return math.prod(self.input_shape)

    @property
    def weights(self) -> int:
        """Number of entries of ``w``."""
        return math.prod(self.weight_shape)

    @property
    def size(self) -> int:
        """Number of possible keys, ``outputs · inputs · weights``."""
        return self.outputs * self.inputs * self.weights

    @property
    def output_stride(self) -> int:
        """The key distance between consecutive outputs, ``inputs · weights``."""
        return self.inputs * self.weights

    def encode(self, outputs: Any, inputs: Any, weights: Any, *, out: Index | None = None) -> Index:
        """Keys of the terms with flat indices ``outputs``, ``inputs``, ``weights``.

        ``out`` (which may be ``outputs`` itself) receives the keys without a new array.
        """
        out = np.multiply(np.asarray(outputs, dtype=_INT), self.inputs, out=out)
        out += np.asarray(inputs, dtype=_INT)
        out *= self.weights
        out += np.asarray(weights, dtype=_INT)
        return out

    def decode(self, keys: Any) -> tuple[Index, Index, Index]:
        """Flat ``(output, input, weight)`` indices of ``keys``."""
        keys = np.asarray(keys, dtype=_INT)
        outputs, rest = np.divmod(keys, self.output_stride)
        inputs, weights = np.divmod(rest, self.weights)
        return outputs, inputs, weights

    def output_index(self, flat: int) -> tuple[int, ...]:
        """The index ``(channel, *spatial)`` of output number ``flat``."""
        return tuple(int(v) for v in np.unravel_index(int(flat), self.output_shape))

    def input_name(self, flat: int) -> str:
        """The symbol name of ``y``'s entry number ``flat``, e.g. ``y_{0,1}``."""
        index = tuple(int(v) for v in np.unravel_index(int(flat), self.input_shape))
        return symbol_name("y", index, self.input_shape, 1)

    def weight_name(self, flat: int) -> str:
        """The symbol name of ``w``'s entry number ``flat``, e.g. ``w_{2}``."""
        index = tuple(int(v) for v in np.unravel_index(int(flat), self.weight_shape))
        return symbol_name("w", index, self.weight_shape, 2)

    def union(self, other: TermSpace) -> TermSpace:
        """The smallest space holding both (shapes of the same rank only)."""
        return TermSpace(
            *(
                tuple(max(u, v) for u, v in zip(a, b, strict=True))
                for a, b in (
                    (self.output_shape, other.output_shape),
                    (self.input_shape, other.input_shape),
                    (self.weight_shape, other.weight_shape),
                )
            )
        )

    def ranks_match(self, other: TermSpace) -> bool:
        """Whether the two spaces have shapes of the same ranks."""
        return (
            len(self.output_shape) == len(other.output_shape)
            and len(self.input_shape) == len(other.input_shape)
            and len(self.weight_shape) == len(other.weight_shape)
        )


# --------------------------------------------------------------------------- #
# The canonical term set
# --------------------------------------------------------------------------- #


def _run_starts(sorted_keys: Index) -> Index:
    """Positions where a new key begins in a sorted key array."""
    n = sorted_keys.size
    new = np.empty(n, dtype=bool)
    if n:
        new[0] = True
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    return np.flatnonzero(new)


def _ones(n: int) -> Index:
    """``n`` coefficients 1, as a read-only view that takes no memory."""
    return np.broadcast_to(np.ones(1, dtype=_INT), (n,))


def _canonical(keys: Index, coefficients: Index | None) -> tuple[Index, Index]:
    """Sort ``keys`` (in place), merge equal keys, drop zero coefficients."""
    n = keys.size
    if coefficients is None:
        keys.sort()
        if not np.any(keys[1:] == keys[:-1]):
            return keys, _ones(n)
        starts = _run_starts(keys)
        counts = np.diff(np.append(starts, n)).astype(_INT)
        return keys[starts], counts
    if coefficients.shape != keys.shape:
        raise ShapeError(
            f"a term set needs one coefficient per key, got {keys.size} keys and "
            f"coefficients of shape {coefficients.shape}"
        )
    if n:
        largest = max(int(coefficients.max()), -int(coefficients.min()))
        if largest * n > _KEY_LIMIT:
            raise TooLargeError(
                "merging these coefficients could overflow int64: "
                f"{n} terms with coefficients up to {largest} in absolute value"
            )
    order = np.argsort(keys, kind="stable")
    keys, coefficients = keys[order], coefficients[order]
    starts = _run_starts(keys)
    sums = np.add.reduceat(coefficients, starts) if n else _empty()
    keep = sums != 0
    return keys[starts][keep], sums[keep].astype(_INT)


class TermSet:
    """An exact set of bilinear polynomials in ``y`` and ``w``, one per output.

    Explanation
    ===========

    Stored canonically (see the module docstring): ``keys`` sorted and distinct,
    ``coefficients`` the nonzero integer coefficient of each key, both read-only int64
    arrays.  Equality is exact equality of every output polynomial.  Term sets add and
    subtract; :meth:`expression` turns one output into a SymPy expression and
    :meth:`from_sympy` reads SymPy's outputs back, so the engine and the SymPy tier can
    check each other.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> g = Geometry(3, 2, stride=2)
    >>> space = TermSpace.of(g)
    >>> ts = TermSet.from_indices(space, outputs=[1, 1, 0], inputs=[0, 0, 0], weights=[1, 1, 0])
    >>> len(ts), ts.output_terms((0, 1))
    (2, [(2, (0, 0), (0, 0, 1))])
    >>> ts.expression((0, 1))
    2*w_{1}*y_{0}
    >>> ts - ts == TermSet.from_indices(space, [], [], [])
    True
    """

    __slots__ = ("coefficients", "keys", "space")
    __hash__ = None  # type: ignore[assignment]

    space: TermSpace
    keys: Index
    coefficients: Index

    def __init__(self, space: TermSpace, keys: Any = (), coefficients: Any = None) -> None:
        """Canonicalise ``keys`` (with coefficient 1 each, unless ``coefficients``)."""
        keys = np.array(keys, dtype=_INT).reshape(-1)  # a copy, sorted in place below
        if keys.size and (int(keys.min()) < 0 or int(keys.max()) >= space.size):
            raise ShapeError(
                f"term keys must lie in [0, {space.size}) for output shape "
                f"{space.output_shape}, input shape {space.input_shape} and weight shape "
                f"{space.weight_shape}; got keys from {int(keys.min())} to {int(keys.max())}"
            )
        coeffs = None
        if coefficients is not None:
            coeffs = np.asarray(coefficients)
            if coeffs.size and not np.issubdtype(coeffs.dtype, np.integer):
                raise ParameterTypeError(
                    f"coefficients must be integers, got an array of dtype {coeffs.dtype}"
                )
            coeffs = coeffs.astype(_INT).reshape(-1)
        self._set(space, *_canonical(keys, coeffs))

    def _set(self, space: TermSpace, keys: Index, coefficients: Index) -> None:
        keys.flags.writeable = False
        coefficients.flags.writeable = False
        object.__setattr__(self, "space", space)
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "coefficients", coefficients)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"TermSet is immutable; cannot set {name}")

    @classmethod
    def _trusted(cls, space: TermSpace, keys: Index, coefficients: Index) -> TermSet:
        """Wrap arrays that are already canonical."""
        new = cls.__new__(cls)
        new._set(space, keys, coefficients)
        return new

    @classmethod
    def _from_owned_keys(cls, space: TermSpace, keys: Index) -> TermSet:
        """Canonicalise keys built by the engine itself (sorted in place, no copy)."""
        return cls._trusted(space, *_canonical(keys, None))

    # -- construction --------------------------------------------------------- #

    @classmethod
    def from_indices(
        cls,
        space: TermSpace,
        outputs: Any,
        inputs: Any,
        weights: Any,
        coefficients: Any = None,
    ) -> TermSet:
        """The term set with terms ``x[outputs] ∋ c·y[inputs]·w[weights]`` (flat indices)."""
        arrays = []
        for name, values, bound in (
            ("outputs", outputs, space.outputs),
            ("inputs", inputs, space.inputs),
            ("weights", weights, space.weights),
        ):
            array = np.asarray(values, dtype=_INT).reshape(-1)
            if array.size and (int(array.min()) < 0 or int(array.max()) >= bound):
                raise ShapeError(
                    f"{name} must be flat indices in [0, {bound}), got values from "
                    f"{int(array.min())} to {int(array.max())}"
                )
            arrays.append(array)
        if len({a.size for a in arrays}) > 1:
            raise ShapeError(
                "outputs, inputs and weights must have one entry per term, got "
                f"{', '.join(str(a.size) for a in arrays)} entries"
            )
        keys = space.encode(*arrays)
        if coefficients is None:
            return cls._from_owned_keys(space, keys)
        return cls(space, keys, coefficients)

    @classmethod
    def from_sympy(cls, geometry: Geometry, outputs: Any) -> TermSet:
        """Read an array of SymPy outputs (shape ``(C_out, *o)``) as a term set.

        Each output must be a polynomial whose terms are an integer times one ``y`` symbol
        times one ``w`` symbol, named as in :mod:`symtconv.tensors`.

        >>> import numpy as np, sympy as sp
        >>> from symtconv import Geometry
        >>> from symtconv.engine import terms
        >>> g = Geometry(2, 1)
        >>> y0, y1, w0 = sp.symbols("y_{0} y_{1} w_{0}")
        >>> TermSet.from_sympy(g, np.array([[y0 * w0, 3 * w0 * y1]])) == terms(g, "scatter")
        False
        >>> TermSet.from_sympy(g, np.array([[y0 * w0, y1 * w0]])) == terms(g, "scatter")
        True
        """
        space = TermSpace.of(geometry)
        array = np.asarray(outputs, dtype=object)
        if array.shape != space.output_shape:
            raise ShapeError(
                f"outputs must have the geometry's output shape {space.output_shape}, "
                f"got shape {array.shape}"
            )
        y_flat = {s: j for j, s in enumerate(input_symbols(geometry).reshape(-1))}
        w_flat = {s: j for j, s in enumerate(weight_symbols(geometry).reshape(-1))}
        out_idx: list[int] = []
        in_idx: list[int] = []
        w_idx: list[int] = []
        coeffs: list[int] = []
        for flat, expression in enumerate(array.reshape(-1)):
            expanded = sp.expand(sp.sympify(expression))
            if expanded == 0:
                continue
            for monomial, coefficient in expanded.as_coefficients_dict().items():
                factors = monomial.as_ordered_factors() if monomial.is_Mul else [monomial]
                ys = [f for f in factors if f in y_flat]
                ws = [f for f in factors if f in w_flat]
                if (
                    not (coefficient.is_Integer and len(ys) == 1 and len(ws) == 1)
                    or len(factors) != 2
                ):
                    raise ShapeError(
                        f"output {space.output_index(flat)} is not a bilinear polynomial in "
                        f"y and w with integer coefficients: it has the term "
                        f"{coefficient * monomial}"
                    )
                out_idx.append(flat)
                in_idx.append(y_flat[ys[0]])
                w_idx.append(w_flat[ws[0]])
                coeffs.append(int(coefficient))
        return cls.from_indices(space, out_idx, in_idx, w_idx, np.array(coeffs, dtype=_INT))

    # -- arithmetic and comparison --------------------------------------------- #

    def __len__(self) -> int:
        """Number of distinct terms (nonzero coefficients)."""
        return int(self.keys.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TermSet):
            return NotImplemented
        return (
            self.space == other.space
            and np.array_equal(self.keys, other.keys)
            and np.array_equal(self.coefficients, other.coefficients)
        )

    def _same_space(self, other: TermSet) -> None:
        if not isinstance(other, TermSet):
            raise ParameterTypeError(f"expected a TermSet, got {type(other).__name__}")
        if self.space != other.space:
            raise ShapeError(f"term sets live in different spaces: {self.space} and {other.space}")

    def __add__(self, other: TermSet) -> TermSet:
        self._same_space(other)
        keys = np.concatenate([self.keys, other.keys])
        coefficients = np.concatenate([self.coefficients, other.coefficients])
        return TermSet._trusted(self.space, *_canonical(keys, coefficients))

    def __neg__(self) -> TermSet:
        return TermSet._trusted(self.space, self.keys.copy(), -self.coefficients)

    def __sub__(self, other: TermSet) -> TermSet:
        return self + (-other)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            TermSet._trusted,
            (self.space, np.array(self.keys), np.array(self.coefficients)),
        )

    def __repr__(self) -> str:
        return (
            f"TermSet({len(self)} terms, output shape {self.space.output_shape}, "
            f"{self.nonzero_outputs()} nonzero outputs)"
        )

    def in_space(self, space: TermSpace) -> TermSet:
        """The same terms, keyed in a larger ``space`` (e.g. a :meth:`TermSpace.union`)."""
        if space == self.space:
            return self
        outputs, inputs, weights = self.space.decode(self.keys)
        as_index = [
            np.unravel_index(flat, shape)
            for flat, shape in (
                (outputs, self.space.output_shape),
                (inputs, self.space.input_shape),
                (weights, self.space.weight_shape),
            )
        ]
        flats = [
            np.ravel_multi_index(index, shape).astype(_INT)
            for index, shape in zip(
                as_index, (space.output_shape, space.input_shape, space.weight_shape), strict=True
            )
        ]
        outputs, inputs, weights = flats
        return TermSet.from_indices(space, outputs, inputs, weights, self.coefficients)

    # -- reading -------------------------------------------------------------- #

    def nonzero_outputs(self) -> int:
        """Number of outputs whose polynomial is not zero."""
        return int(_run_starts(self.keys // self.space.output_stride).size)

    def triples(self) -> tuple[Index, Index, Index]:
        """Flat ``(output, input, weight)`` indices of every term, in key order."""
        return self.space.decode(self.keys)

    def _slice(self, flat: int) -> slice:
        stride = self.space.output_stride
        lo, hi = np.searchsorted(self.keys, [flat * stride, (flat + 1) * stride])
        return slice(int(lo), int(hi))

    def _flat_output(self, index: Sequence[int]) -> int:
        index = tuple(int(v) for v in index)
        if len(index) != len(self.space.output_shape) or not all(
            0 <= v < n for v, n in zip(index, self.space.output_shape, strict=True)
        ):
            raise ShapeError(
                f"output index must be (channel, *spatial) inside {self.space.output_shape}, "
                f"got {index}"
            )
        return int(np.ravel_multi_index(index, self.space.output_shape))

    def output_terms(
        self, index: Sequence[int]
    ) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
        """The terms ``(coefficient, y index, w index)`` of the output at ``index``."""
        part = self._slice(self._flat_output(index))
        _, inputs, weights = self.space.decode(self.keys[part])
        return [
            (
                int(c),
                tuple(int(v) for v in np.unravel_index(int(n), self.space.input_shape)),
                tuple(int(v) for v in np.unravel_index(int(m), self.space.weight_shape)),
            )
            for c, n, m in zip(self.coefficients[part], inputs, weights, strict=True)
        ]

    def expression(self, index: Sequence[int]) -> sp.Expr:
        """The output at ``index = (channel, *spatial)`` as a SymPy expression.

        Symbols are named as in :mod:`symtconv.tensors`, so the result can be compared
        with the SymPy tier directly.
        """
        part = self._slice(self._flat_output(index))
        _, inputs, weights = self.space.decode(self.keys[part])
        return sp.Add(
            *(
                sp.Integer(int(c))
                * sp.Symbol(self.space.input_name(n))
                * sp.Symbol(self.space.weight_name(m))
                for c, n, m in zip(self.coefficients[part], inputs, weights, strict=True)
            )
        )

    def evaluate(self, y: Any, w: Any) -> np.ndarray:
        """The outputs for numbers: ``x[o] = Σ c·y[n]·w[m]`` over the terms of ``o``.

        Exact for integer arrays that do not overflow int64, and for object arrays of
        Python ints or fractions.

        >>> from symtconv import Geometry
        >>> from symtconv.engine import terms
        >>> g = Geometry((3, 3), 3, stride=2, padding=1)
        >>> y = [[[9, 1, 3], [7, 8, 7], [8, 2, 2]]]
        >>> w = [[[[4, 2, 3], [1, 4, 3], [1, 1, 1]]]]
        >>> terms(g, "flip_and_pad").evaluate(y, w)[0]
        array([[36, 28,  4,  6, 12],
               [23, 63, 17, 56, 17],
               [28, 29, 32, 31, 28],
               [23, 47, 12, 29, 11],
               [32, 26,  8,  8,  8]])
        """
        y, w = np.asarray(y), np.asarray(w)
        for name, array, shape in (
            ("y", y, self.space.input_shape),
            ("w", w, self.space.weight_shape),
        ):
            if array.shape != shape:
                raise ShapeError(f"{name} must have shape {shape}, got shape {array.shape}")
        outputs, inputs, weights = self.triples()
        values = self.coefficients * y.reshape(-1)[inputs] * w.reshape(-1)[weights]
        x = np.zeros(self.space.outputs, dtype=values.dtype)
        np.add.at(x, outputs, values)
        return x.reshape(self.space.output_shape)

    def to_sympy(self) -> np.ndarray:
        """Every output as a SymPy expression, in an object array of the output shape."""
        out = np.empty(self.space.output_shape, dtype=object)
        for index in np.ndindex(*self.space.output_shape):
            out[index] = self.expression(index)
        return out


# --------------------------------------------------------------------------- #
