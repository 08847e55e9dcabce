"""The geometry of a transposed convolution: parameters, validation, size formulas.

A :class:`Geometry` is normalised and validated once, at the public boundary; every
other module takes one and trusts it.  Per axis it is an :class:`Axis`, and every size
formula is a small function of one axis (N-d is the product of the 1-D structure).

Notation (Dumoulin & Visin, per axis): ``i`` input length of the transposed conv,
``k`` kernel length, ``s`` stride, ``p`` padding (PyTorch meaning: a crop of the full
output; ``p_begin``/``p_end`` when asymmetric), ``a`` output_padding, ``d`` dilation,
``o`` output length.

Examples
========

>>> from symtconv import Geometry
>>> Geometry(input_size=(3, 3), kernel_size=3, stride=2, padding=1).output_size
(5, 5)
>>> Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6).output_shape
(6, 61, 61)

SymPy integer symbols give symbolic sizes and the conditions under which they are valid:

>>> import sympy as sp
>>> i, k, s = sp.symbols("i k s", integer=True, positive=True)
>>> Geometry(i, k, stride=s).output_size
(k + s*(i - 1),)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import mul
from typing import Any, TypeAlias

import sympy as sp

from .errors import ParameterError, ParameterTypeError
from .limits import (
    ENGINE_BYTES_PER_OUTPUT,
    ENGINE_BYTES_PER_TERM,
    NUMERIC_BLOCK_ENTRIES,
    Cost,
)

__all__ = [
    "Axis",
    "Geometry",
    "Size",
    "axis_terms",
    "floor_sum",
    "geometry_argument",
    "least_period",
    "pairs_up_to",
]

#: A size: a Python int, or a SymPy integer expression (SymPy ships no type hints).
Size: TypeAlias = Any


# --------------------------------------------------------------------------- #
# One axis: every formula is written once, here, for scalars.
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a transposed convolution.

    ``p_begin``/``p_end`` are the crops of the full output at the low and high end
    (PyTorch's symmetric ``padding=p`` is ``p_begin = p_end = p``).
    """

    i: Size
    k: Size
    s: Size
    p_begin: Size
    p_end: Size
    a: Size
    d: Size

    @property
    def effective_kernel(self) -> Size:
        """Span of the dilated kernel, ``d(k-1) + 1``."""
        return self.d * (self.k - 1) + 1

    @property
    def full_output(self) -> Size:
        """Length of the uncropped scatter, ``(i-1)s + d(k-1) + 1`` (``a`` not included)."""
        return (self.i - 1) * self.s + self.effective_kernel

    @property
    def output(self) -> Size:
        """Output length ``o = (i-1)s - p_begin - p_end + d(k-1) + a + 1``."""
        return self.full_output - self.p_begin - self.p_end + self.a

    @property
    def stretched(self) -> Size:
        """Length after inserting ``s-1`` zeros between inputs, ``(i-1)s + 1``."""
        return (self.i - 1) * self.s + 1

    @property
    def pad_before(self) -> Size:
        """Flip-and-pad's padding before the stretched input, ``d(k-1) - p_begin``.

        Negative means a crop.
        """
        return self.d * (self.k - 1) - self.p_begin

    @property
    def pad_after(self) -> Size:
        """Flip-and-pad's padding after the stretched input, ``d(k-1) - p_end + a``."""
        return self.d * (self.k - 1) - self.p_end + self.a

    @property
    def forward_output(self) -> Size:
        """Length the *forward* conv (same k, s, p, d) maps the output length ``o`` to.

        ``floor((o + p_begin + p_end - d(k-1) - 1)/s) + 1``; it equals ``i`` exactly when
        ``a < s``.
        """
        numerator = self.output + self.p_begin + self.p_end - self.d * (self.k - 1) - 1
        if _is_symbolic(self):
            return sp.floor(numerator / self.s) + 1
        return numerator // self.s + 1


def _is_symbolic(axis: Axis) -> bool:
    return any(isinstance(v, sp.Basic) for v in vars(axis).values())


# --------------------------------------------------------------------------- #
# Normalisation of user values
# --------------------------------------------------------------------------- #


def _show(value: Any) -> str:
    return repr(value) if not isinstance(value, sp.Basic) else str(value)


def _as_size(name: str, value: Any, shown: Any) -> Size:
    """One integer entry: a Python/NumPy int or a SymPy integer expression."""
    if isinstance(value, (bool, sp.logic.boolalg.BooleanAtom)):
        raise ParameterTypeError(f"{name} must be an integer, got {name}={_show(shown)} (a bool)")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        if isinstance(value, sp.Expr) and value.is_integer:
            return value
        raise ParameterTypeError(
            f"{name} must be an integer or a SymPy integer expression "
            f"(declare symbols with integer=True), got {name}={_show(shown)}"
        )
    raise ParameterTypeError(
        f"{name} must be an integer or a tuple of integers, got {name}={_show(shown)} "
        f"({type(value).__name__})"
    )


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (tuple, list))


def _ndim_of(values: dict[str, Any]) -> int:
    """The number of spatial axes: the common length of the per-axis tuples (1 if none)."""
    lengths = {name: len(v) for name, v in values.items() if _is_sequence(v)}
    if not lengths:
        return 1
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}={values[name]!r} ({n})" for name, n in lengths.items())
        raise ParameterError(
            f"per-axis values must all have one entry per axis, got different lengths: {shown}"
        )
    ndim = next(iter(lengths.values()))
    if ndim == 0:
        name = next(iter(lengths))
        raise ParameterError(f"{name} must have at least one axis, got {name}={values[name]!r}")
    return ndim


def _per_axis(name: str, value: Any, ndim: int) -> tuple[Size, ...]:
    if _is_sequence(value):
        return tuple(_as_size(name, v, value) for v in value)
    return (_as_size(name, value, value),) * ndim


def _padding_per_axis(value: Any, ndim: int) -> tuple[tuple[Size, Size], ...]:
    """Padding per axis as (begin, end); an axis entry may be an int or a pair."""
    entries = value if _is_sequence(value) else (value,) * ndim
    pairs = []
    for entry in entries:
        if _is_sequence(entry):
            if len(entry) != 2:
                raise ParameterError(
                    "padding must give one integer or one (begin, end) pair per axis, "
                    f"got padding={value!r}"
                )
            pairs.append(
                (_as_size("padding", entry[0], value), _as_size("padding", entry[1], value))
            )
        else:
            p = _as_size("padding", entry, value)
            pairs.append((p, p))
    return tuple(pairs)


def _channel(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, sp.Integer)):
        raise ParameterTypeError(f"{name} must be a positive integer, got {name}={value!r}")
    if int(value) < 1:
        raise ParameterError(f"{name} must be a positive integer, got {name}={int(value)}")
    return int(value)


def _truth(relation: Any) -> bool | None:
    """True/False when a (possibly symbolic) relation is decided, else None."""
    if isinstance(relation, bool):
        return relation
    if relation is sp.true or relation == sp.true:
        return True
    if relation is sp.false or relation == sp.false:
        return False
    return None


# --------------------------------------------------------------------------- #
# Geometry
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, init=False)
class Geometry:
    """Parameters of an N-d transposed convolution, with PyTorch's names and meaning.

    Explanation
    ===========

    Each per-axis parameter is an int (the same on every axis) or a tuple with one
    entry per axis; the number of axes comes from the tuples (1 when all are ints).
    ``padding`` may also give a ``(begin, end)`` pair per axis (an asymmetric crop of
    the full output).  Entries may be SymPy integer expressions: sizes are then
    symbolic and :attr:`conditions` holds what must be true for them to be valid,
    instead of an error.

    The geometry is validated once, here.  Allowed, per axis: ``kernel_size``,
    ``stride``, ``dilation`` >= 1; ``padding``, ``output_padding`` >= 0;
    ``output_padding < max(stride, dilation)`` (PyTorch's rule); output size >= 1.
    ``groups`` must divide both channel counts.

    Examples
    ========

    >>> g = Geometry(input_size=(3, 3), kernel_size=3, stride=2, padding=1)
    >>> g.ndim, g.output_size, g.weight_shape
    (2, (5, 5), (1, 1, 3, 3))
    >>> Geometry(4, 3, stride=0)
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: stride must be a positive integer on every axis, got stride=(0,)

    See Also
    ========

    symtconv.prove, symtconv.conv_matrix
    """

    input_size: tuple[Size, ...]
    kernel_size: tuple[Size, ...]
    stride: tuple[Size, ...]
    padding: tuple[Any, ...]
    output_padding: tuple[Size, ...]
    dilation: tuple[Size, ...]
    in_channels: int
    out_channels: int
    groups: int

    def __init__(
        self,
        input_size: Any,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        dilation: Any = 1,
        in_channels: Any = 1,
        out_channels: Any = 1,
        groups: Any = 1,
    ) -> None:
        spatial = {
            "input_size": input_size,
            "kernel_size": kernel_size,
            "stride": stride,
            "padding": padding,
            "output_padding": output_padding,
            "dilation": dilation,
        }
        ndim = _ndim_of(spatial)
        values = {
            name: _per_axis(name, v, ndim) for name, v in spatial.items() if name != "padding"
        }
        pads = _padding_per_axis(padding, ndim)
        # a symmetric pair is stored as one number, so that padding=1 == padding=((1, 1),)
        stored_padding = tuple(b if b == e else (b, e) for b, e in pads)

        for name, v in values.items():
            object.__setattr__(self, name, v)
        object.__setattr__(self, "padding", stored_padding)
        cin = _channel("in_channels", in_channels)
        cout = _channel("out_channels", out_channels)
        grp = _channel("groups", groups)
        object.__setattr__(self, "in_channels", cin)
        object.__setattr__(self, "out_channels", cout)
        object.__setattr__(self, "groups", grp)
        for name, count in (("in_channels", cin), ("out_channels", cout)):
            if count % grp:
                raise ParameterError(
                    f"{name} must be divisible by groups, got {name}={count} and groups={grp}"
                )
        object.__setattr__(self, "_conditions", self._validate())

    # -- validation --------------------------------------------------------- #

    def _validate(self) -> sp.Basic:
        """Raise on every violated rule; return the undecided (symbolic) rules."""
        undecided: list[Any] = []

        def check(relations: Iterable[Any], message: str) -> None:
            for rel in relations:
                truth = _truth(rel)
                if truth is False:
                    raise ParameterError(message)
                if truth is None:
                    undecided.append(rel)

        shown = self._shown
        check(
            (v >= 1 for v in self.input_size),
            "input_size must be a positive integer on every axis, "
            f"got input_size={shown('input_size')}",
        )
        for name in ("kernel_size", "stride", "dilation"):
            check(
                (v >= 1 for v in getattr(self, name)),
                f"{name} must be a positive integer on every axis, got {name}={shown(name)}",
            )
        check(
            (v >= 0 for ax in self.axes for v in (ax.p_begin, ax.p_end)),
            f"padding must be a non-negative integer on every axis, got padding={shown('padding')}",
        )
        check(
            (v >= 0 for v in self.output_padding),
            "output_padding must be a non-negative integer on every axis, "
            f"got output_padding={shown('output_padding')}",
        )
        check(
            (ax.a < _max(ax.s, ax.d) for ax in self.axes),
            "output_padding must be smaller than either stride or dilation on every axis, "
            f"got output_padding={shown('output_padding')} with stride={shown('stride')} "
            f"and dilation={shown('dilation')}",
        )
        check(
            (o >= 1 for o in self.output_size),
            "output size must be at least 1 on every axis, got output size "
            f"{self.output_size} = (input_size-1)*stride - 2*padding + dilation*(kernel_size-1) "
            f"+ output_padding + 1 for input_size={shown('input_size')}, "
            f"kernel_size={shown('kernel_size')}, stride={shown('stride')}, "
            f"padding={shown('padding')}, dilation={shown('dilation')}, "
            f"output_padding={shown('output_padding')}",
        )
        return sp.And(*undecided)

    def _shown(self, name: str) -> Any:
        return getattr(self, name)

    # -- structure ---------------------------------------------------------- #

    @property
    def ndim(self) -> int:
        """Number of spatial axes."""
        return len(self.input_size)

    @property
    def axes(self) -> tuple[Axis, ...]:
        """One :class:`Axis` per spatial axis."""
        return tuple(
            Axis(i, k, s, *_pair(p), a, d)
            for i, k, s, p, a, d in zip(
                self.input_size,
                self.kernel_size,
                self.stride,
                self.padding,
                self.output_padding,
                self.dilation,
                strict=False,
            )
        )

    @property
    def is_symbolic(self) -> bool:
        """Whether any size is a SymPy expression rather than a number."""
        return any(_is_symbolic(ax) for ax in self.axes)

    @property
    def is_symmetric(self) -> bool:
        """Whether every axis crops the same amount at both ends (PyTorch's padding)."""
        return all(not isinstance(p, tuple) for p in self.padding)

    @property
    def conditions(self) -> sp.Basic:
        """What must hold for a symbolic geometry to be valid (``True`` when concrete)."""
        return self._conditions  # type: ignore[attr-defined]

    @property
    def output_size(self) -> tuple[Size, ...]:
        """Spatial output size ``o`` per axis."""
        return tuple(_simplify(ax.output) for ax in self.axes)

    @property
    def forward_output_size(self) -> tuple[Size, ...]:
        """Size the forward convolution maps :attr:`output_size` back to, per axis."""
        return tuple(ax.forward_output for ax in self.axes)

    @property
    def is_adjoint(self) -> bool | sp.Basic:
        """Whether the transposed conv is ``Cᵀ`` of the forward conv of the same parameters.

        That needs the forward conv to map the output size back to the input size, which
        happens exactly when ``output_padding < stride`` on every axis.  PyTorch also
        accepts ``stride <= output_padding < dilation``; then it is not.
        """
        relation = sp.And(*(ax.a < ax.s for ax in self.axes))
        truth = _truth(relation)
        return relation if truth is None else truth

    @property
    def input_shape(self) -> tuple[Size, ...]:
        """Shape of the transposed conv's input ``y``: ``(C_in, *input_size)``."""
        return (self.in_channels, *self.input_size)

    @property
    def weight_shape(self) -> tuple[Size, ...]:
        """Shape of the weight ``w``: ``(C_in, C_out/groups, *kernel_size)`` (PyTorch's)."""
        return (self.in_channels, self.out_channels // self.groups, *self.kernel_size)

    @property
    def output_shape(self) -> tuple[Size, ...]:
        """Shape of the output ``x``: ``(C_out, *output_size)``."""
        return (self.out_channels, *self.output_size)

    def count_terms(self) -> Size:
        """Number of ``y·w`` products that land inside the output (the nonzeros of Cᵀy).

        Counted in closed form per axis (:func:`axis_terms`, a few dozen integer
        operations whatever the sizes), times the channel pairs ``C_in·C_out/groups``.

        >>> Geometry((64, 64), 4, stride=2, padding=1, in_channels=16, out_channels=16
        ...          ).count_terms()
        16516096
        >>> Geometry(10**19, 3).count_terms()
        30000000000000000000
        """
        if self.is_symbolic:
            raise ParameterTypeError(
                f"count_terms needs a concrete geometry, got {self.describe()}"
            )
        channel_pairs = self.in_channels * (self.out_channels // self.groups)
        return channel_pairs * reduce(mul, (axis_terms(ax) for ax in self.axes), 1)

    def cost(
        self, tier: str, *, batch: int = 1, itemsize: int = 8, objects: bool = False,
        what: str = "",
    ) -> Cost:
        """The cost of running ``tier`` on this geometry, estimated in closed form.

        Explanation
        ===========

        ``"sympy"``: ``y·w`` terms, and entries of ``y`` and ``x`` (one SymPy object
        each).  ``"engine"``: the fast engine's estimated peak bytes,
        :data:`~symtconv.limits.ENGINE_BYTES_PER_TERM` per term plus
        :data:`~symtconv.limits.ENGINE_BYTES_PER_OUTPUT` per output entry.
        ``"numeric"``: for ``batch`` samples of ``itemsize`` bytes, the output plus one
        block of GEMM columns (``C_out/g·Πk·Πi`` per channel, at least a million
        entries), and with ``objects`` (exact Python numbers, about a microsecond
        each) the products ``y·w`` the GEMM computes.  ``"overlap"``: the
        output positions of one channel.  ``"derive"``: the entries of ``y`` and ``x``,
        the terms of every axis added up (a document lists per-axis structure), and
        the overlap periods added up (the document derives each interior count).
        :func:`symtconv.limits.require` compares the result with the limits.

        >>> g = Geometry((3, 3), 3, stride=2, padding=1)
        >>> g.cost("sympy").quantities()
        {'terms': 49, 'entries': 34}
        >>> Geometry(3, 100_000, dilation=1_000).cost("engine").bytes > 2**31
        True
        """
        if self.is_symbolic:
            raise ParameterTypeError(f"cost needs a concrete geometry, got {self.describe()}")
        outputs = _prod(self.output_shape)
        if tier == "sympy":
            return Cost(tier, terms=self.count_terms(),
                        entries=_prod(self.input_shape) + outputs, what=what)
        if tier == "engine":
            terms = self.count_terms()
            return Cost(tier, terms=terms, what=what, bytes=ENGINE_BYTES_PER_TERM * terms
                        + ENGINE_BYTES_PER_OUTPUT * outputs)
        per_group = self.out_channels // self.groups
        if tier == "numeric":
            columns = self.groups * _prod(self.kernel_size) * _prod(self.input_size)
            block = max(NUMERIC_BLOCK_ENTRIES, columns)
            products = batch * self.in_channels * per_group * columns // self.groups
            return Cost(tier, bytes=itemsize * (batch * outputs + block),
                        products=products if objects else None, what=what)
        if tier == "overlap":
            return Cost(tier, cells=_prod(self.output_size), what=what)
        if tier == "derive":
            period = sum(least_period(*(int(v) for v in (ax.k, ax.s, ax.d))) for ax in self.axes)
            return Cost(tier, entries=_prod(self.input_shape) + outputs, period=period,
                        terms=sum(axis_terms(ax) for ax in self.axes), what=what)
        raise ParameterError(
            f"tier must be one of sympy, engine, numeric, overlap, derive, got tier={tier!r}"
        )

    def describe(self) -> str:
        """The parameters in PyTorch's keyword form, for messages and reports."""
        parts = [
            f"input_size={self.input_size}",
            f"kernel_size={self.kernel_size}",
            f"stride={self.stride}",
            f"padding={self.padding}",
        ]
        if any(a != 0 for a in self.output_padding):
            parts.append(f"output_padding={self.output_padding}")
        if any(d != 1 for d in self.dilation):
            parts.append(f"dilation={self.dilation}")
        if (self.in_channels, self.out_channels, self.groups) != (1, 1, 1):
            parts.append(
                f"in_channels={self.in_channels}, out_channels={self.out_channels}, "
                f"groups={self.groups}"
            )
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly parameters (symbolic entries as strings)."""

        def plain(v: Any) -> Any:
            if isinstance(v, tuple):
                return [plain(x) for x in v]
            return v if isinstance(v, int) else str(v)

        return {
            "input_size": plain(self.input_size),
            "kernel_size": plain(self.kernel_size),
            "stride": plain(self.stride),
            "padding": plain(self.padding),
            "output_padding": plain(self.output_padding),
            "dilation": plain(self.dilation),
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "groups": self.groups,
            "output_size": plain(self.output_size),
        }


def geometry_argument(value: Any, name: str = "geometry") -> Geometry:
    """``value`` if it is a :class:`Geometry`, else :class:`ParameterTypeError` naming it.

    >>> geometry_argument(None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterTypeError: geometry must be a symtconv.Geometry (e.g. ...
    ...got geometry=None (NoneType)
    """
    if not isinstance(value, Geometry):
        raise ParameterTypeError(
            f"{name} must be a symtconv.Geometry (e.g. Geometry(input_size=(3, 3), "
            f"kernel_size=3, stride=2)), got {name}={value!r:.60} ({type(value).__name__})"
        )
    return value


def least_period(k: int, s: int, d: int) -> int:
    """The least period of the interior overlap counts: ``g = gcd(d, s)`` if ``s/g``
    divides ``k``, else ``s`` (derived in :func:`symtconv.overlap.derive_overlap`).

    >>> from symtconv.overlap import least_period
    >>> least_period(3, 2, 1), least_period(4, 2, 1), least_period(2, 4, 2), least_period(3, 4, 2)
    (2, 1, 2, 4)
    """
    g = math.gcd(d, s)
    return g if k % (s // g) == 0 else s


def _max(a: Size, b: Size) -> Size:
    """``max`` for ints, ``sympy.Max`` once either side is symbolic."""
    return sp.Max(a, b) if isinstance(a, sp.Basic) or isinstance(b, sp.Basic) else max(a, b)


def _pair(padding: Any) -> tuple[Size, Size]:
    """A stored per-axis padding (a number, or a (begin, end) pair) as (begin, end)."""
    return padding if isinstance(padding, tuple) else (padding, padding)


def _prod(values: Iterable[Size]) -> int:
    return reduce(mul, (int(v) for v in values), 1)


def floor_sum(n: int, m: int, a: int, b: int) -> int:
    """``Σ_{x=0}^{n-1} floor((a·x + b)/m)`` for ``a, b >= 0``, ``m >= 1``, in O(log) steps.

    The Euclid-like reduction: take out ``floor(a/m)`` and ``floor(b/m)``, then swap the
    roles of ``a`` and ``m`` by counting the lattice points under the line the other way.

    >>> floor_sum(10, 3, 2, 1) == sum((2 * x + 1) // 3 for x in range(10))
    True
    """
    total = 0
    while n > 0:
        if a >= m:
            total += (n - 1) * n // 2 * (a // m)
            a %= m
        if b >= m:
            total += n * (b // m)
            b %= m
        y_max = a * n + b
        if y_max < m:
            break
        # the points under the line, counted by rows: n' = y_max // m rows
        n, b, m, a = y_max // m, y_max % m, a, m
    return total


def pairs_up_to(u: int, i: int, k: int, s: int, d: int) -> int:
    """``#{(n, m) : 0 <= n < i, 0 <= m < k, s·n + d·m <= u}`` in closed form."""
    if u < 0:
        return 0
    n_max = min(i - 1, u // s)
    # n <= n_full: every tap fits (u - s·n >= d(k-1)); beyond: floor((u - s·n)/d) + 1 taps
    n_full = min(n_max, (u - d * (k - 1)) // s) if u >= d * (k - 1) else -1
    total = (n_full + 1) * k
    first = n_full + 1
    if first <= n_max:
        count = n_max - first + 1
        # n = n_max - x for x = 0..count-1: floor((u - s·n_max + s·x)/d) + 1
        total += floor_sum(count, d, s, u - s * n_max) + count
    return total


def axis_terms(ax: Axis) -> int:
    """The ``y·w`` products of one axis that land in the output (``0 <= j < o``).

    ``j = s·n + d·m - p_begin``, so the products with ``p_begin <= s·n + d·m <=
    o - 1 + p_begin``: two lattice-point counts under a line (:func:`floor_sum`).

    >>> from symtconv import Geometry
    >>> axis_terms(Geometry(3, 3, stride=2, padding=1).axes[0])
    7
    """
    i, k, s, p, d = (int(v) for v in (ax.i, ax.k, ax.s, ax.p_begin, ax.d))
    o = int(ax.output)
    return pairs_up_to(o - 1 + p, i, k, s, d) - pairs_up_to(p - 1, i, k, s, d)


def _simplify(value: Size) -> Size:
    return int(value) if isinstance(value, sp.Integer) else value
