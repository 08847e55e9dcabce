"""The fast exact engine: proofs for real layer sizes, with millions of terms.

Explanation
===========

Every output of a transposed convolution is a *bilinear* polynomial in ``y`` and ``w``
with integer coefficients: a sum of products ``y[c, n]·w[c, j, m]``.  A whole layer is
therefore a set of integer triples ``(output, input, weight)`` (flat row-major indices
into ``x``, ``y`` and ``w``) with an integer coefficient each.  The engine stores such a
set as a :class:`TermSet`: every triple is packed into one int64 key::

    key = (output · |y| + input) · |w| + weight

(:class:`TermSpace` checks that ``|x|·|y|·|w| < 2**63``), the keys are sorted, equal
keys are merged by adding their coefficients, and zero coefficients are dropped.  That is
a canonical form: two sets of polynomials are equal exactly when their keys and
coefficients are equal, element for element.  Sorted by key means sorted by output, so
the terms of one output are contiguous.

Each method is *executed* on index arrays, with its own steps, never written down as a
formula for the answer:

- :func:`scatter_terms` (the reference): loop over the kernel taps ``m``; for all inputs
  ``n`` at once, ``y[n]·w[m]`` lands at ``s·n + d·m - p_begin`` when that is inside
  ``[0, o)``.
- :func:`transpose_terms`: build the nonzeros ``(row, column, tap)`` of the forward
  conv's matrix ``C`` from the forward definition (:func:`conv_matrix_entries`), one
  axis at a time and joined by Kronecker products, then apply ``Cᵀ``: each
  ``C[row, col] ∋ w[tap]`` times ``y[row]`` lands in output ``col``.  When the forward
  conv does not map the output size back to the input size (``output_padding >=
  stride``, which PyTorch accepts when ``output_padding < dilation``), ``Cᵀy`` has no
  meaning and :class:`~symtconv.errors.ShapeError` explains why.
- :func:`flip_and_pad_terms`: :func:`zero_insertion` (an index map of the stretched
  input, ``-1`` for an inserted zero), :func:`pad_or_crop` (a shift and a bounds check;
  a negative pad is a crop), :func:`flip_kernel` (reversed tap indices), and
  :func:`correlate` (stride 1, dilation ``d``, over the padded map), each its own step.
- :func:`vjp_terms`: run the forward conv as frameworks do (pad ``x``, dilated windows
  with stride ``s``) to get the trilinear terms ``y[n]·w[m]·x[j]`` of ``⟨y, conv(x)⟩``,
  then differentiate with respect to ``x``: the coefficient of ``x[j]`` is output ``j``.

:func:`prove_fast` compares every method with the scatter and fills the same
:class:`~symtconv.results.Proof` as the SymPy tier; a difference is reported as the first
differing outputs with their missing and extra terms.

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.engine import prove_fast, terms
>>> g = Geometry((3, 3), 3, stride=2, padding=1)
>>> proof = prove_fast(g)
>>> proof.proved, proof.outputs, proof.terms
(True, 25, 49)
>>> terms(g, "flip_and_pad").expression((0, 1, 1))
w_{0,0}*y_{1,1} + w_{0,2}*y_{1,0} + w_{2,0}*y_{0,1} + w_{2,2}*y_{0,0}

See Also
========

symtconv.results.Proof, symtconv.progress
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import sympy as sp

from ..errors import NotAdjointError, ParameterError, ParameterTypeError, ShapeError, TooLargeError
from ..geometry import Geometry
from ..progress import Reporter, reporter
from ..results import Comparison, Mismatch, Proof
from ..tensors import input_symbols, spatial_shape, symbol_name, term_name, weight_symbols

__all__ = [
    "TermSpace",
    "TermSet",
    "MatrixEntries",
    "METHOD_TERMS",
    "MAX_TERMS",
    "prove_fast",
    "terms",
    "count_terms",
    "compare",
    "scatter_terms",
    "transpose_terms",
    "conv_matrix_entries",
    "flip_and_pad_terms",
    "zero_insertion",
    "pad_or_crop",
    "flip_kernel",
    "correlate",
    "vjp_terms",
]

Index = npt.NDArray[np.int64]
#: A method of the engine: the term set of a geometry's output.
MethodTerms = Callable[[Geometry], "TermSet"]
MethodsArgument = Mapping[str, MethodTerms] | Sequence[str] | str | None

_INT = np.int64
#: :func:`prove_fast` refuses geometries with more ``y·w`` terms than this (about 4 GB).
MAX_TERMS = 100_000_000
_KEY_LIMIT = 2**63 - 1


def _empty() -> Index:
    return np.zeros(0, dtype=_INT)


def _strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Row-major strides (in elements) of ``shape``."""
    return tuple(math.prod(shape[j + 1 :]) for j in range(len(shape)))


def _outer_sum(parts: Sequence[Index]) -> Index:
    """All sums ``parts[0][a] + parts[1][b] + ...``, row-major (axis 0 slowest)."""
    if not parts:
        return np.zeros(1, dtype=_INT)
    return np.asarray(reduce(np.add.outer, parts), dtype=_INT).reshape(-1)


def _outer_blocks(channel_keys: Index, spatial_blocks: Sequence[Index]) -> Index:
    """``channel_keys[a] + block[b]`` for every block, concatenated (one allocation)."""
    total = channel_keys.size * sum(block.size for block in spatial_blocks)
    keys = np.empty(total, dtype=_INT)
    start = 0
    for block in spatial_blocks:
        size = channel_keys.size * block.size
        np.add.outer(channel_keys, block, out=keys[start : start + size].reshape(-1, block.size))
        start += size
    return keys


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
# The geometry, per axis, as plain integers
# --------------------------------------------------------------------------- #


class _Axis(NamedTuple):
    i: int
    k: int
    s: int
    p_begin: int
    p_end: int
    a: int
    d: int
    o: int


def _axes(geometry: Geometry) -> tuple[_Axis, ...]:
    spatial_shape(geometry, geometry.output_size)  # a clear error for symbolic sizes
    return tuple(
        _Axis(*(int(v) for v in (ax.i, ax.k, ax.s, ax.p_begin, ax.p_end, ax.a, ax.d, ax.output)))
        for ax in geometry.axes
    )


def _channels_per_group(geometry: Geometry) -> tuple[int, int]:
    """``(C_in/groups, C_out/groups)``."""
    return geometry.in_channels // geometry.groups, geometry.out_channels // geometry.groups


def _not_adjoint(geometry: Geometry, what: str, rows: int, entries: int) -> str:
    """Why ``Cᵀy`` (or the VJP) has no meaning when ``output_padding >= stride``."""
    reasons = []
    for n, ax in enumerate(_axes(geometry)):
        forward = (ax.o + ax.p_begin + ax.p_end - ax.d * (ax.k - 1) - 1) // ax.s + 1
        if forward != ax.i:
            reasons.append(
                f"on axis {n} output_padding={ax.a} >= stride={ax.s}, so the forward conv "
                f"maps the output length {ax.o} to {forward}, not to the input length {ax.i}"
            )
    return (
        f"{what} is not defined for this geometry: the forward convolution's output has "
        f"{rows} entries but y has {entries} ({'; '.join(reasons)}). PyTorch accepts it "
        "because output_padding < dilation, but the transposed conv is then not the "
        "transpose (nor the gradient) of the convolution with the same parameters"
    )


# --------------------------------------------------------------------------- #
# Method 1: scatter (the definition, and the reference)
# --------------------------------------------------------------------------- #


def scatter_terms(geometry: Geometry) -> TermSet:
    """The scatter definition: ``x[s·n + d·m - p_begin] += y[n]·w[m]`` for all ``n, m``.

    Loops over the kernel taps ``m`` (N-d), and for each tap places every input at once:
    per axis the landing position is ``s·n + d·m - p_begin``, dropped outside
    ``[0, o)``; the N-d block is the product of the axes.  Input channel ``c`` of group
    ``g = c // (C_in/groups)`` feeds output channel ``g·(C_out/groups) + j`` through
    ``w[c, j]``.

    >>> from symtconv import Geometry
    >>> ts = scatter_terms(Geometry(2, 2, stride=2))
    >>> [str(ts.expression((0, j))) for j in range(4)]
    ['w_{0}*y_{0}', 'w_{1}*y_{0}', 'w_{0}*y_{1}', 'w_{1}*y_{1}']
    """
    space = TermSpace.of(geometry)
    axes = _axes(geometry)
    in_per_group, out_per_group = _channels_per_group(geometry)
    out_strides = _strides([ax.o for ax in axes])
    in_strides = _strides([ax.i for ax in axes])
    tap_strides = _strides([ax.k for ax in axes])
    spatial_outputs = math.prod(ax.o for ax in axes)
    spatial_inputs = math.prod(ax.i for ax in axes)
    taps = math.prod(ax.k for ax in axes)
    per_output, per_input = space.output_stride, space.weights

    # channels: input channel c, weight column j, output channel g·(C_out/groups) + j
    c = np.arange(geometry.in_channels, dtype=_INT)[:, None]
    j = np.arange(out_per_group, dtype=_INT)[None, :]
    out_channel = (c // in_per_group) * out_per_group + j
    channel_keys = (
        out_channel * (spatial_outputs * per_output)
        + c * (spatial_inputs * per_input)
        + (c * out_per_group + j) * taps
    ).reshape(-1)

    blocks = []
    for tap in itertools.product(*(range(ax.k) for ax in axes)):
        per_axis = []
        for ax, m, out_stride, in_stride in zip(axes, tap, out_strides, in_strides, strict=True):
            n = np.arange(ax.i, dtype=_INT)
            lands = ax.s * n + ax.d * m - ax.p_begin
            inside = (lands >= 0) & (lands < ax.o)
            per_axis.append(
                lands[inside] * (out_stride * per_output) + n[inside] * (in_stride * per_input)
            )
        spatial = _outer_sum(per_axis) + sum(m * t for m, t in zip(tap, tap_strides, strict=True))
        if spatial.size:
            blocks.append(spatial)
    return TermSet._from_owned_keys(space, _outer_blocks(channel_keys, blocks))


# --------------------------------------------------------------------------- #
# Method 2: Cᵀy
# --------------------------------------------------------------------------- #


class MatrixEntries(NamedTuple):
    """The nonzeros of the forward conv's matrix ``C``: ``C[rows[e], columns[e]] ∋ w[weights[e]]``.

    ``shape`` is ``(C_in · Π forward_output, C_out · Π o)``; all indices are flat
    row-major (rows over ``(C_in, *forward_output)``, columns over ``x``'s
    ``(C_out, *o)``, weights over ``w``).
    """

    rows: Index
    columns: Index
    weights: Index
    shape: tuple[int, int]


def conv_matrix_entries(geometry: Geometry) -> MatrixEntries:
    """The nonzeros of ``C``, built from the forward convolution's definition.

    Explanation
    ===========

    The forward conv (same ``k, s, p, d``) maps ``x`` (length ``o``) to
    ``conv(x)[n] = Σ_m w[m]·x[s·n + d·m - p_begin]``, so ``C[n, j]`` holds ``w[m]``
    exactly when ``j = s·n + d·m - p_begin`` is inside ``[0, o)``; its rows ``n`` run
    over the forward output length ``floor((o + p_begin + p_end - d(k-1) - 1)/s) + 1``.
    The N-d matrix is the Kronecker product of the per-axis ones (rows, columns and
    taps are all row-major), and with channels ``C`` has a block ``w[c, j, :]`` in block
    row ``c`` and block column ``g·(C_out/groups) + j``.

    >>> from symtconv import Geometry
    >>> C = conv_matrix_entries(Geometry(2, 2, stride=2))   # o = 4: C is 2×4
    >>> C.shape, C.rows.tolist(), C.columns.tolist(), C.weights.tolist()
    ((2, 4), [0, 0, 1, 1], [0, 1, 2, 3], [0, 1, 0, 1])
    """
    axes = _axes(geometry)
    in_per_group, out_per_group = _channels_per_group(geometry)

    # one axis: rows n of the forward output, taps m, column s·n + d·m - p_begin
    rows, columns, taps = np.zeros(1, _INT), np.zeros(1, _INT), np.zeros(1, _INT)
    forward_sizes = []
    for ax in axes:
        forward = (ax.o + ax.p_begin + ax.p_end - ax.d * (ax.k - 1) - 1) // ax.s + 1
        forward_sizes.append(forward)
        n = np.arange(forward, dtype=_INT)[:, None]
        m = np.arange(ax.k, dtype=_INT)[None, :]
        column = ax.s * n + ax.d * m - ax.p_begin
        inside = (column >= 0) & (column < ax.o)
        axis_rows, axis_taps = np.nonzero(inside)
        axis_columns = column[inside]
        # Kronecker product with the axes so far: (r, c, t) -> (r·F + r', c·o + c', t·k + t')
        rows = np.add.outer(rows * forward, axis_rows).reshape(-1)
        columns = np.add.outer(columns * ax.o, axis_columns).reshape(-1)
        taps = np.add.outer(taps * ax.k, axis_taps).reshape(-1)

    spatial_rows = math.prod(forward_sizes)
    spatial_columns = math.prod(ax.o for ax in axes)
    spatial_taps = math.prod(ax.k for ax in axes)
    # channel blocks: y channel c (row) reads x channel g·(C_out/groups) + j through w[c, j]
    c = np.arange(geometry.in_channels, dtype=_INT)[:, None]
    j = np.arange(out_per_group, dtype=_INT)[None, :]
    block_row = np.broadcast_to(c, (geometry.in_channels, out_per_group)).reshape(-1)
    block_column = ((c // in_per_group) * out_per_group + j).reshape(-1)
    block_weight = (c * out_per_group + j).reshape(-1)
    return MatrixEntries(
        rows=np.add.outer(block_row * spatial_rows, rows).reshape(-1),
        columns=np.add.outer(block_column * spatial_columns, columns).reshape(-1),
        weights=np.add.outer(block_weight * spatial_taps, taps).reshape(-1),
        shape=(geometry.in_channels * spatial_rows, geometry.out_channels * spatial_columns),
    )


def transpose_terms(geometry: Geometry) -> TermSet:
    """``Cᵀ·vec(y)``: each nonzero ``C[n, j] ∋ w[m]`` times ``y[n]`` lands in output ``j``.

    Raises :class:`~symtconv.errors.NotAdjointError` when ``C`` has a different number of rows
    than ``y`` has entries (``output_padding >= stride`` on some axis): then ``Cᵀy`` is
    not defined.

    >>> from symtconv import Geometry
    >>> transpose_terms(Geometry(3, 2, stride=2)) == scatter_terms(Geometry(3, 2, stride=2))
    True
    >>> transpose_terms(Geometry(3, 2, stride=1, dilation=3, output_padding=1))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.NotAdjointError: Cᵀy is not defined for this geometry: ...
    """
    space = TermSpace.of(geometry)
    C = conv_matrix_entries(geometry)
    if C.shape[0] != space.inputs:
        raise NotAdjointError(_not_adjoint(geometry, "Cᵀy", C.shape[0], space.inputs))
    # Cᵀ[j, n] = C[n, j]: the entry multiplies y[n] and adds into output j.  (Keys are
    # written over C.columns, which is not needed afterwards; every index is in range by
    # construction of C and the row check above.)
    keys = space.encode(C.columns, C.rows, C.weights, out=C.columns)
    return TermSet._from_owned_keys(space, keys)


# --------------------------------------------------------------------------- #
# Method 3: flip-and-pad, one step at a time
# --------------------------------------------------------------------------- #


def zero_insertion(geometry: Geometry) -> Index:
    """Step 1: the stretched input, as an index map.

    Insert ``s-1`` zeros between neighbouring inputs (length ``(i-1)s+1`` per axis).
    Entry ``u`` holds the flat spatial index of the input placed there, ``-1`` for an
    inserted zero.

    >>> from symtconv import Geometry
    >>> zero_insertion(Geometry(3, 3, stride=2)).tolist()
    [0, -1, 1, -1, 2]
    """
    axes = _axes(geometry)
    stretched = np.full([(ax.i - 1) * ax.s + 1 for ax in axes], -1, dtype=_INT)
    every_stride = tuple(slice(None, None, ax.s) for ax in axes)
    stretched[every_stride] = np.arange(math.prod(ax.i for ax in axes), dtype=_INT).reshape(
        [ax.i for ax in axes]
    )
    return stretched


def pad_or_crop(index_map: Index, before: Sequence[int], after: Sequence[int]) -> Index:
    """Step 2: pad ``before``/``after`` cells of zeros (``-1``) per axis; negative = crop.

    >>> pad_or_crop(np.array([0, -1, 1]), [2], [-1]).tolist()
    [-1, -1, 0, -1]
    """
    index_map = np.asarray(index_map, dtype=_INT)
    if not len(before) == len(after) == index_map.ndim:
        raise ShapeError(
            f"pad_or_crop needs one before/after amount per axis of a {index_map.ndim}-d map, "
            f"got before={tuple(before)}, after={tuple(after)}"
        )
    new_shape = [n + b + a for n, b, a in zip(index_map.shape, before, after, strict=True)]
    if any(n < 1 for n in new_shape):
        raise ShapeError(
            f"padding {tuple(before)} before and {tuple(after)} after leaves nothing of a map "
            f"of shape {index_map.shape}"
        )
    padded = np.full(new_shape, -1, dtype=_INT)
    source, target = [], []
    for n, b, new in zip(index_map.shape, before, new_shape, strict=True):
        start, stop = max(0, -b), min(n, new - b)  # what survives a crop
        source.append(slice(start, max(start, stop)))
        target.append(slice(start + b, max(start, stop) + b))
    padded[tuple(target)] = index_map[tuple(source)]
    return padded


def flip_kernel(geometry: Geometry) -> Index:
    """Step 3: the flipped kernel, as a map of tap indices.

    Entry ``f`` holds the flat index of the tap ``k-1-f`` (every spatial axis reversed).

    >>> from symtconv import Geometry
    >>> flip_kernel(Geometry((2, 2), (2, 3))).tolist()
    [[5, 4, 3], [2, 1, 0]]
    """
    kernel = [int(ax.k) for ax in _axes(geometry)]
    taps = np.arange(math.prod(kernel), dtype=_INT).reshape(kernel)
    return np.ascontiguousarray(taps[(slice(None, None, -1),) * len(kernel)])


def correlate(geometry: Geometry, padded: Index, kernel: Index) -> TermSet:
    """Step 4: correlate the padded input map with the kernel map, stride 1, dilation ``d``.

    ``out[t] = Σ_f padded[t + d·f] · kernel[f]``; each nonzero cell of ``padded`` (a ``y``
    index) and kernel cell (a tap of ``w``) gives one term of output ``t``.  The output
    length is ``len(padded) - d(k-1)`` per axis.  Output channel ``co`` of group
    ``g = co // (C_out/groups)`` sums its group's input channels ``c``, each with
    ``w[c, co % (C_out/groups)]``.

    >>> from symtconv import Geometry
    >>> g = Geometry(2, 2)
    >>> correlate(g, np.array([-1, 0, 1, -1]), np.array([1, 0])) == scatter_terms(g)
    True
    """
    padded = np.asarray(padded, dtype=_INT)
    kernel = np.asarray(kernel, dtype=_INT)
    axes = _axes(geometry)
    base = TermSpace.of(geometry)
    if padded.ndim != len(axes) or kernel.ndim != len(axes):
        raise ShapeError(
            f"correlate needs {len(axes)}-d maps, got a padded map of shape {padded.shape} "
            f"and a kernel map of shape {kernel.shape}"
        )
    dilations = [ax.d for ax in axes]
    out_size = [
        n - d * (k - 1) for n, d, k in zip(padded.shape, dilations, kernel.shape, strict=True)
    ]
    if any(n < 1 for n in out_size):
        raise ShapeError(
            f"a padded map of shape {padded.shape} is shorter than the dilated kernel "
            f"({kernel.shape}, dilation {tuple(dilations)})"
        )
    space = TermSpace((geometry.out_channels, *out_size), base.input_shape, base.weight_shape)
    in_per_group, out_per_group = _channels_per_group(geometry)
    spatial_outputs = math.prod(out_size)
    spatial_inputs = math.prod(ax.i for ax in axes)
    taps = math.prod(ax.k for ax in axes)
    per_output, per_input = space.output_stride, space.weights

    # channels, by output channel: co = g·(C_out/groups) + j reads c in group g via w[c, j]
    co = np.arange(geometry.out_channels, dtype=_INT)[:, None]
    group, j = co // out_per_group, co % out_per_group
    c = group * in_per_group + np.arange(in_per_group, dtype=_INT)[None, :]
    channel_keys = (
        co * (spatial_outputs * per_output)
        + c * (spatial_inputs * per_input)
        + (c * out_per_group + j) * taps
    ).reshape(-1)

    t = np.arange(spatial_outputs, dtype=_INT)
    blocks = []
    for f in np.ndindex(*kernel.shape):
        window = padded[
            tuple(
                slice(d * fa, d * fa + n) for d, fa, n in zip(dilations, f, out_size, strict=True)
            )
        ].reshape(-1)
        nonzero = window >= 0
        spatial = t[nonzero] * per_output + window[nonzero] * per_input + int(kernel[f])
        if spatial.size:
            blocks.append(spatial)
    return TermSet._from_owned_keys(space, _outer_blocks(channel_keys, blocks))


def flip_and_pad_terms(geometry: Geometry) -> TermSet:
    """Flip-and-pad: zero insertion, padding ``d(k-1)-p``, flipped kernel, correlation.

    >>> from symtconv import Geometry
    >>> g = Geometry((5, 4), 3, stride=(2, 3), padding=((1, 3), 0), dilation=2)
    >>> flip_and_pad_terms(g) == scatter_terms(g)
    True
    """
    axes = _axes(geometry)
    stretched = zero_insertion(geometry)
    padded = pad_or_crop(
        stretched,
        before=[ax.d * (ax.k - 1) - ax.p_begin for ax in axes],
        after=[ax.d * (ax.k - 1) - ax.p_end + ax.a for ax in axes],
    )
    return correlate(geometry, padded, flip_kernel(geometry))


# --------------------------------------------------------------------------- #
# Method 4: the VJP of the forward convolution
# --------------------------------------------------------------------------- #


def vjp_terms(geometry: Geometry) -> TermSet:
    """The gradient of ``⟨y, conv(x)⟩`` with respect to ``x``.

    Runs the forward conv as frameworks do (pad ``x`` by ``p_begin``/``p_end``, take the
    dilated windows with stride ``s``), pairs its output ``n`` with ``y[n]`` to get the
    trilinear terms ``y[n]·w[m]·x[j]`` of the inner product, then differentiates: the
    term contributes ``y[n]·w[m]`` to output ``j``.  Raises
    :class:`~symtconv.errors.NotAdjointError` when ``conv(x)`` and ``y`` differ in shape.

    >>> from symtconv import Geometry
    >>> g = Geometry((4, 3), 2, stride=2, padding=1, output_padding=1)
    >>> vjp_terms(g) == scatter_terms(g)
    True
    """
    space = TermSpace.of(geometry)
    axes = _axes(geometry)
    in_per_group, out_per_group = _channels_per_group(geometry)

    # the forward conv's input x, padded with zeros (-1) by p_begin, p_end
    x_map = np.arange(math.prod(ax.o for ax in axes), dtype=_INT).reshape([ax.o for ax in axes])
    padded = pad_or_crop(x_map, [ax.p_begin for ax in axes], [ax.p_end for ax in axes])
    forward = [
        (n - ax.d * (ax.k - 1) - 1) // ax.s + 1 for n, ax in zip(padded.shape, axes, strict=True)
    ]
    rows = geometry.in_channels * math.prod(forward)
    if rows != space.inputs:
        raise NotAdjointError(
            _not_adjoint(geometry, "the VJP ∂⟨y, conv(x)⟩/∂x", rows, space.inputs)
        )

    # trilinear key: ((y · |w|) + w) · |x| + x  (y-major: the forward conv's own order)
    n_x, n_w = space.outputs, space.weights
    spatial_x = math.prod(ax.o for ax in axes)
    spatial_y = math.prod(forward)
    taps = math.prod(ax.k for ax in axes)
    # y channel c reads x channels g·(C_out/groups) + j through w[c, j]
    c = np.arange(geometry.in_channels, dtype=_INT)[:, None]
    j = np.arange(out_per_group, dtype=_INT)[None, :]
    channel_keys = (
        (c * (spatial_y * n_w) + (c * out_per_group + j) * taps) * n_x
        + ((c // in_per_group) * out_per_group + j) * spatial_x
    ).reshape(-1)

    n = np.arange(spatial_y, dtype=_INT)
    tap_strides = _strides([ax.k for ax in axes])
    blocks = []
    for tap in itertools.product(*(range(ax.k) for ax in axes)):
        window = padded[
            tuple(
                slice(ax.d * m, ax.d * m + ax.s * (f - 1) + 1, ax.s)
                for ax, m, f in zip(axes, tap, forward, strict=True)
            )
        ].reshape(-1)
        reads_x = window >= 0
        m_flat = sum(m * t for m, t in zip(tap, tap_strides, strict=True))
        spatial = (n[reads_x] * n_w + m_flat) * n_x + window[reads_x]
        if spatial.size:
            blocks.append(spatial)
    trilinear = _outer_blocks(channel_keys, blocks)

    # ∂/∂x[j] of y·w·x[j] is y·w: the x index becomes the output index
    yw = np.empty_like(trilinear)
    x_index = trilinear  # reused in place: the remainder is the x index
    np.divmod(trilinear, n_x, out=(yw, x_index))
    x_index *= space.output_stride
    x_index += yw
    del yw
    return TermSet._from_owned_keys(space, x_index)


# --------------------------------------------------------------------------- #
# Public entry points
# --------------------------------------------------------------------------- #

#: The engine's implementation of each method, by the names of :data:`symtconv.results.METHODS`.
METHOD_TERMS: dict[str, MethodTerms] = {
    "scatter": scatter_terms,
    "transpose": transpose_terms,
    "flip_and_pad": flip_and_pad_terms,
    "vjp": vjp_terms,
}


def terms(geometry: Geometry, method: str = "scatter") -> TermSet:
    """The exact output polynomials of ``method`` (one of ``METHODS``) as a :class:`TermSet`.

    >>> from symtconv import Geometry
    >>> g = Geometry(3, 2, stride=2, in_channels=2, out_channels=2, groups=2)
    >>> ts = terms(g, "vjp")
    >>> len(ts), ts.expression((1, 2))
    (12, w_{1,0,0}*y_{1,1})
    >>> terms(g, "conv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: method must be one of 'scatter', ..., got method='conv'
    """
    return _method(method)(geometry)


def _method(name: str) -> MethodTerms:
    if name not in METHOD_TERMS:
        allowed = ", ".join(repr(n) for n in METHOD_TERMS)
        raise ParameterError(f"method must be one of {allowed}, got method={name!r}")
    return METHOD_TERMS[name]


def _term_text(names: TermSpace, coefficient: int, y_flat: int, w_flat: int) -> str:
    return term_name(coefficient, names.input_name(y_flat), names.weight_name(w_flat))


def _difference_text(names: TermSpace, coefficients: Index, inputs: Index, weights: Index) -> str:
    """``method - reference`` for one output, printed by SymPy (as the SymPy tier does)."""
    return str(
        sp.Add(
            *(
                sp.Integer(int(c))
                * sp.Symbol(names.input_name(n))
                * sp.Symbol(names.weight_name(m))
                for c, n, m in zip(coefficients, inputs, weights, strict=True)
            )
        )
    )


def compare(
    method_terms: TermSet,
    reference_terms: TermSet,
    *,
    method: str = "method",
    reference: str = "scatter",
    limit: int = 3,
) -> Comparison:
    """Compare two term sets exactly; name the first ``limit`` differing outputs.

    Explanation
    ===========

    Equal spaces and equal canonical arrays prove equality.  Otherwise the difference
    ``method - reference`` is itself a term set; its outputs are the differing outputs,
    and in each, a negative coefficient is a term the method lacks (*missing*) and a
    positive one a term it has in excess (*extra*).  Term sets of different shapes (a
    method that gets the output size wrong) are compared in the union of both shapes,
    and the comparison fails.  Names follow the reference's shapes.

    >>> from symtconv import Geometry
    >>> g = Geometry(3, 2, stride=2)
    >>> good, bad = terms(g, "scatter"), terms(g, "scatter")
    >>> bad = bad - TermSet.from_indices(good.space, [1], [0], [1])  # drop y_0·w_1
    >>> comparison = compare(bad, good, method="planted")
    >>> comparison.holds, comparison.differing
    (False, 1)
    >>> print(comparison.mismatches[0])
    x[0, 1]: method - reference = -w_{1}*y_{0}
        missing: y_{0}·w_{1}
    """
    names = reference_terms.space
    detail = ""
    a, b = method_terms, reference_terms
    if a.space != b.space:
        shapes = [
            f"{what} shape {sa} differs from the reference's {sb}"
            for what, sa, sb in (
                ("output", a.space.output_shape, b.space.output_shape),
                ("input", a.space.input_shape, b.space.input_shape),
                ("weight", a.space.weight_shape, b.space.weight_shape),
            )
            if sa != sb
        ]
        detail = "; ".join(shapes)
        if not a.space.ranks_match(b.space):
            return Comparison(method, reference, False, detail=detail)
        union = a.space.union(b.space)
        a, b = a.in_space(union), b.in_space(union)
    elif np.array_equal(a.keys, b.keys) and np.array_equal(a.coefficients, b.coefficients):
        return Comparison(method, reference, True, detail=f"identical sets of {len(a)} y·w terms")

    difference = a - b
    outputs, inputs, weights = difference.triples()
    starts = _run_starts(outputs)
    ends = np.append(starts[1:], outputs.size)
    mismatches = []
    for start, end in zip(starts[:limit], ends[:limit], strict=True):
        part = slice(int(start), int(end))
        coefficients = difference.coefficients[part]
        missing = tuple(
            _term_text(names, -int(c), int(n), int(m))
            for c, n, m in zip(coefficients, inputs[part], weights[part], strict=True)
            if c < 0
        )
        extra = tuple(
            _term_text(names, int(c), int(n), int(m))
            for c, n, m in zip(coefficients, inputs[part], weights[part], strict=True)
            if c > 0
        )
        mismatches.append(
            Mismatch(
                output=difference.space.output_index(int(outputs[start])),
                missing=missing,
                extra=extra,
                difference=_difference_text(names, coefficients, inputs[part], weights[part]),
            )
        )
    if not detail:
        detail = f"{starts.size} of {difference.space.outputs} outputs differ"
    return Comparison(
        method,
        reference,
        False,
        detail=detail,
        differing=int(starts.size),
        mismatches=tuple(mismatches),
    )


def count_terms(geometry: Geometry) -> int:
    """Number of ``y·w`` products landing inside the output, counted per axis with NumPy.

    >>> from symtconv import Geometry
    >>> count_terms(Geometry((64, 64), 4, stride=2, padding=1, in_channels=16, out_channels=16))
    16516096
    """
    total = geometry.in_channels * (geometry.out_channels // geometry.groups)
    for ax in _axes(geometry):
        lands = ax.s * np.arange(ax.i)[:, None] + ax.d * np.arange(ax.k)[None, :] - ax.p_begin
        total *= int(np.count_nonzero((lands >= 0) & (lands < ax.o)))
    return total


def _builders(methods: MethodsArgument) -> dict[str, MethodTerms]:
    """Method name -> implementation, with the reference 'scatter' first."""
    chosen: dict[str, MethodTerms] = {"scatter": scatter_terms}
    if methods is None:
        chosen.update(METHOD_TERMS)
    elif isinstance(methods, Mapping):
        for name, build in methods.items():
            if not callable(build):
                raise ParameterTypeError(
                    f"methods must map names to callables geometry -> TermSet, got "
                    f"{name!r}: {build!r}"
                )
            chosen[str(name)] = build
    else:
        names: Iterable[str] = (methods,) if isinstance(methods, str) else methods
        for name in names:
            chosen[name] = _method(name)
    return chosen


def prove_fast(
    geometry: Geometry,
    *,
    methods: MethodsArgument = None,
    progress: Reporter | bool | None = None,
) -> Proof:
    """Prove exactly that the methods agree on a concrete geometry, at any practical size.

    Explanation
    ===========

    Builds the :class:`TermSet` of the reference ``'scatter'`` and of every other
    method, executing each method's own steps, and compares them exactly.  A method that
    is not defined for the geometry (``Cᵀy`` and the VJP when ``output_padding >=
    stride``) gives ``holds=False`` with the reason in ``detail``.  A 16→16-channel
    64×64 layer with a 4×4 kernel (16.5 million terms per method) takes about three
    seconds and 0.6 GB; geometries with more than :data:`MAX_TERMS` terms raise
    :class:`~symtconv.errors.TooLargeError` instead of exhausting memory.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> g = Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6)
    >>> proof = prove_fast(g)
    >>> proof.proved, proof.engine, proof.terms
    (True, 'fast', 152352)

    A planted mistake is found and named (here: the kernel is not flipped):

    >>> g = Geometry(3, 2, stride=2, padding=0)
    >>> def no_flip(g):
    ...     padded = pad_or_crop(zero_insertion(g), [1], [1])
    ...     return correlate(g, padded, np.arange(2))
    >>> proof = prove_fast(g, methods={"flip_and_pad": no_flip})
    >>> proof.proved
    False
    >>> print(proof.first_mismatch)
    x[0, 0]: method - reference = -w_{0}*y_{0} + w_{1}*y_{0}
        missing: y_{0}·w_{0}
        extra:   y_{0}·w_{1}

    Parameters
    ==========

    geometry : a concrete :class:`~symtconv.geometry.Geometry`.
    methods : ``None`` (all four), names from ``METHODS``, or a mapping from names to
        callables ``geometry -> TermSet`` (to check another implementation); the
        reference is the engine's ``'scatter'`` unless the mapping replaces it.
    progress : ``None`` (a bar on stderr, on a terminal, after two seconds), ``False``,
        ``True`` or a :class:`~symtconv.progress.Reporter`.

    See Also
    ========

    terms, compare, symtconv.results.Proof
    """
    if not isinstance(geometry, Geometry):
        raise ParameterTypeError(
            f"geometry must be a symtconv.Geometry, got {type(geometry).__name__}"
        )
    started = time.perf_counter()
    space = TermSpace.of(geometry)  # concrete sizes and an int64-sized key space, or a clear error
    count = count_terms(geometry)
    if count > MAX_TERMS:
        raise TooLargeError(
            f"the fast engine handles at most MAX_TERMS={MAX_TERMS:,} y·w terms "
            f"(about 40 bytes each at the peak), and this geometry ({geometry.describe()}) "
            f"has {count:,}"
        )
    builders = _builders(methods)
    comparisons = []
    bar = reporter(progress)
    bar.start(len(builders), "symtconv prove (fast engine)")
    try:
        bar.step("scatter")
        reference = _built(builders["scatter"], geometry, "scatter")
        for name, build in builders.items():
            if name == "scatter":
                continue
            bar.step(name)
            try:
                method_terms = _built(build, geometry, name)
            except ShapeError as error:
                comparisons.append(Comparison(name, "scatter", False, detail=str(error)))
                continue
            comparisons.append(compare(method_terms, reference, method=name, reference="scatter"))
            del method_terms
    finally:
        bar.finish()
    notes = [
        "fast engine: every method executed on exact integer (output, y, w) term triples, "
        "compared in a sorted canonical form"
    ]
    if geometry.is_adjoint is not True:
        notes.append(
            "output_padding >= stride on some axis: the transposed conv is not Cᵀ of the "
            "convolution with the same parameters (PyTorch allows it when output_padding < "
            "dilation)"
        )
    return Proof(
        geometry=geometry,
        engine="fast",
        methods=tuple(builders),
        comparisons=tuple(comparisons),
        outputs=space.outputs,
        terms=len(reference),
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )


def _built(build: MethodTerms, geometry: Geometry, name: str) -> TermSet:
    result = build(geometry)
    if not isinstance(result, TermSet):
        raise ParameterTypeError(
            f"method {name!r} must return a symtconv.engine.TermSet, got {type(result).__name__}"
        )
    return result
