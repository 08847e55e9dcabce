"""Overlap (checkerboard) analysis: how many ``y·w`` terms reach each output position.

Explanation
===========

Per axis, the product ``y[n]·w[m]`` lands at ``j = s·n + d·m - p`` of the output
(``p`` is the crop at the low end, ``p_begin``).  Write ``t = j + p`` for the position
in the uncropped output.  For a tap ``m`` the input index is ``n = (t - d·m)/s``, so
``m`` reaches ``t`` exactly when

.. math::  d\\,m \\equiv t \\pmod{s} \\quad\\text{and}\\quad 0 \\le (t - d\\,m)/s \\le i - 1.

The number of such taps is the number of nonzeros in column ``j`` of the forward
convolution's matrix C (per channel pair), and the number of terms of ``x[j]`` in
``x = Cᵀy``.  :func:`derive_overlap` derives it with SymPy for symbolic ``s, k, d``
by solving the congruence with ``g = gcd(d, s)``, ``s = g·s'``, ``d = g·d'``:

- only positions ``t ≡ 0 (mod g)`` — output indices ``j ≡ -p (mod g)`` — receive
  taps; when ``g > 1`` the others receive **none**;
- for ``t = g·t'`` the taps are ``m ≡ m0 (mod s')`` with ``m0 = (e·t') mod s'`` and
  ``e`` the inverse of ``d'`` modulo ``s'``; away from the borders
  (``d(k-1) <= t <= s(i-1)``) their number is

  .. math::  N(t) = \\left\\lfloor \\frac{k - 1 - m_0}{s'} \\right\\rfloor + 1
             = q + [m_0 < \\rho], \\qquad k = q\\,s' + \\rho,\\ 0 \\le \\rho < s';

- as ``t'`` runs over ``Z/s'``, ``m0`` runs over every residue once, so in one period
  ``s`` of the output, ``ρ`` positions receive ``q+1`` taps, ``s' - ρ`` receive ``q``
  and ``s - s'`` receive none; the counts add up to ``k`` (each tap lands once per
  period), an average of ``k/s`` per position.

**Uniform interior coverage** (no checkerboard) holds exactly when
``gcd(d, s) = 1`` and ``s | k`` on every axis — for ``d = 1`` the familiar ``s | k``.
The interior pattern's least period is ``g`` when ``s' | k`` and ``s`` otherwise.
In N-d the count at a position is the product of the per-axis counts, times
``C_in/groups`` (the input channels feeding one output channel).

With ``output_padding >= stride`` (allowed by PyTorch while ``< dilation``) C has
more rows than ``y`` has entries; the counts here are those of the transposed
convolution (``n < i``), not of C's extra rows.

Examples
========

The seed's worked example: ``k = 3, s = 2`` — 2 does not divide 3, a checkerboard.

>>> from symtconv import Geometry
>>> from symtconv.overlap import overlap
>>> ov = overlap(Geometry((3, 3), 3, stride=2, padding=1))
>>> ov.axes[0].counts, ov.axes[0].interior, ov.axes[0].period, ov.uniform
((1, 2, 1, 2, 1), (1, 2), 2, False)
>>> ov.terms()
array([[1, 2, 1, 2, 1],
       [2, 4, 2, 4, 2],
       [1, 2, 1, 2, 1],
       [2, 4, 2, 4, 2],
       [1, 2, 1, 2, 1]])

With ``k = 4`` the interior is uniform; with dilation 2 and stride 2 half the
positions receive nothing:

>>> overlap(Geometry(4, 4, stride=2, padding=1)).axes[0].counts
(1, 2, 2, 2, 2, 2, 2, 1)
>>> overlap(Geometry(4, 2, stride=2, dilation=2)).axes[0].counts
(1, 0, 2, 0, 2, 0, 2, 0, 1)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import sympy as sp

from .console import plural
from .errors import ParameterTypeError, TooLargeError
from .general import Step, check_identity
from .general.checks import _combine
from .geometry import Axis, Geometry, least_period
from .limits import Cost, limit, require
from .notation import inline, prose
from .runs import Computed, Run, border_cost, border_values, periodic_cost, periodic_pattern

__all__ = [
    "ASSUMED",
    "CONDITION",
    "AxisOverlap",
    "Overlap",
    "OverlapDerivation",
    "derive_overlap",
    "interior_counts",
    "is_uniform",
    "least_period",
    "overlap",
    "taps_reaching",
]

_Status = Literal["proved", "checked", "assumed", "undecided", "failed"]

#: The uniformity condition, as :meth:`Overlap.to_dict` reports it.
CONDITION = (
    "the interior coverage is uniform (no checkerboard) iff gcd(d, s) = 1 and s | k on "
    "every axis; with g = gcd(d, s) > 1 the positions j with j + p not divisible by g "
    "receive no taps at all"
)

#: Facts the derivation takes as known rather than checking with SymPy.
ASSUMED = (
    "g = gcd(d, s) gives d = g·d', s = g·s' with gcd(d', s') = 1",
    "Bézout: since gcd(d', s') = 1, d' has an inverse e modulo s' (e·d' = 1 + s'·h)",
    "Euclid's lemma: gcd(d', s') = 1 and s' | d'·x imply s' | x (one solution class)",
    "floor(x) = c iff c <= x < c + 1; ceiling(x) = c iff c - 1 < x <= c",
    "the integers u with A <= u <= B number max(0, floor(B) - ceiling(A) + 1)",
    "a subset of Z/s' invariant under adding c is invariant under the subgroup that c "
    "generates, h·Z/s' with h = gcd(c, s'), and so is a union of its cosets",
)


# --------------------------------------------------------------------------- #
# The derived formulas on integers (what overlap() evaluates)
# --------------------------------------------------------------------------- #


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def taps_reaching(t: int, k: int, s: int, d: int, i: int | None = None) -> int:
    """The number of taps ``m`` that reach position ``t`` of the uncropped output.

    Explanation
    ===========

    Counts ``m`` in ``[0, k)`` with ``d·m ≡ t (mod s)`` and ``0 <= (t - d·m)/s <= i-1``
    by the derived formula (see :func:`derive_overlap`): no taps unless
    ``g = gcd(d, s)`` divides ``t``; otherwise the taps are ``m ≡ m0 (mod s')`` inside
    ``[max(0, ceil((t - s(i-1))/d)), min(k-1, floor(t/d))]``.  With ``i=None`` the
    position is taken as interior (no border effect).

    Examples
    ========

    >>> from symtconv.overlap import taps_reaching
    >>> [taps_reaching(t, 3, 2, 1) for t in range(4)]
    [2, 1, 2, 1]
    >>> [taps_reaching(t, 3, 2, 1, i=3) for t in range(7)]
    [1, 1, 2, 1, 2, 1, 1]
    """
    g = math.gcd(d, s)
    if t % g:
        return 0
    s1 = s // g
    m0 = pow(d // g, -1, s1) * (t // g) % s1  # the solution class of d'·m ≡ t' (mod s')
    lo, hi = 0, k - 1
    if i is not None:  # 0 <= t - d·m <= s(i-1), solved for m
        lo, hi = max(lo, _ceil_div(t - s * (i - 1), d)), min(hi, t // d)
    return max(0, (hi - m0) // s1 - _ceil_div(lo - m0, s1) + 1)


def interior_counts(k: int, s: int, d: int) -> tuple[int, ...]:
    """Interior taps per position ``t mod s`` of the uncropped output, ``t = 0..s-1``.

    >>> from symtconv.overlap import interior_counts
    >>> interior_counts(3, 2, 1), interior_counts(4, 2, 1), interior_counts(3, 4, 2)
    ((2, 1), (2, 2), (2, 0, 1, 0))
    """
    return tuple(taps_reaching(t, k, s, d) for t in range(s))


def is_uniform(k: int, s: int, d: int) -> bool:
    """Whether every interior position receives the same number of taps (``k/s``).

    >>> from symtconv.overlap import is_uniform
    >>> is_uniform(3, 2, 1), is_uniform(4, 2, 1), is_uniform(4, 2, 2), is_uniform(6, 3, 2)
    (False, True, False, True)
    """
    return math.gcd(d, s) == 1 and k % s == 0


# --------------------------------------------------------------------------- #
# The analysis of one geometry
# --------------------------------------------------------------------------- #


def _runs(i: int, k: int, s: int, d: int, p: int, o: int, what: str) -> tuple[Run, ...]:
    """The counts of one axis as runs: the two borders listed, the middle one period.

    In the uncropped output ``t = j + p`` runs over ``[0, T]``, ``T = s(i-1) + d(k-1)``.
    Between ``A = min(s(i-1), d(k-1))`` and ``B = max(...)`` the count is periodic: with
    ``d(k-1) <= s(i-1)`` every tap can reach (the interior, period ``s``); otherwise every
    input can, and by the symmetry ``(n, s) <-> (m, d)`` of ``t = s·n + d·m`` the count is
    :func:`taps_reaching` with ``i`` taps, stride ``d`` and dilation ``s`` (period ``d``).
    The borders ``[0, A)`` and ``(B, T]`` hold ``A`` positions each; output_padding past
    ``T`` adds zeros.  The cost is estimated and checked first
    (:func:`symtconv.limits.require`, limit ``overlap.entries``).
    """
    total = s * (i - 1) + d * (k - 1)
    taps_first = d * (k - 1) <= s * (i - 1)
    a, b = min(s * (i - 1), d * (k - 1)), max(s * (i - 1), d * (k - 1))
    middle = (k, s, d) if taps_first else (i, d, s)
    lo, hi = p, p + o - 1  # the t of the output

    def clipped(t0: int, t1: int) -> tuple[int, int]:
        return max(t0, lo), min(t1, hi)

    head, mid, tail = clipped(0, a - 1), clipped(a, b), clipped(b + 1, total)
    listed = sum(border_cost(t0, t1, i, k, s, d) for t0, t1 in (head, tail))
    require(Cost("overlap", entries=listed + periodic_cost(*middle), what=what))
    runs = []
    for t0, t1 in (head, mid, tail):
        if t0 > t1:
            continue
        start, stop = t0 - p, t1 - p + 1
        if (t0, t1) == mid:
            period, values = periodic_pattern(*middle)
            runs.append(Run(start, stop, period, p % period, values))
        else:
            values = border_values(t0, t1, i, k, s, d, lambda t: taps_reaching(t, k, s, d, i))
            runs.append(Run(start, stop, stop - start, -start % (stop - start), values))
    if hi > total:  # output_padding past the last product
        start = max(total + 1, lo) - p
        runs.append(Run(start, o, 1, 0, ((0, 1),)))
    return tuple(runs)


@dataclass(frozen=True)
class AxisOverlap:
    """The overlap on one axis of a concrete geometry.

    ``counts[j]`` is the number of taps reaching output index ``j``; ``residues[r]``
    the interior count at every ``j ≡ r (mod s)``; ``interior`` the first ``period``
    of them (the pattern by ``j mod period``); ``interior_range`` the first and last
    ``j`` where no border cuts taps off (``None`` when there is none).  ``runs``
    describe all ``length`` counts compactly (:class:`symtconv.runs.Run`): the borders
    listed, the periodic middle as one period.  Sequences longer than the
    ``overlap.entries`` limit are :class:`symtconv.runs.Computed` (indexable, each entry
    in O(1)) instead of tuples, and their JSON is ``null``.
    """

    counts: Sequence[int]
    residues: Sequence[int]
    period: int
    interior: Sequence[int]
    interior_range: tuple[int, int] | None
    uniform: bool
    kernel: int
    stride: int
    dilation: int
    padding: int
    gcd: int
    length: int = 0
    runs: tuple[Run, ...] | None = None

    @property
    def reason(self) -> str:
        """Why the interior is, or is not, uniform."""
        k, s, d, g = self.kernel, self.stride, self.dilation, self.gcd
        if g > 1:
            return (
                f"gcd(d, s) = gcd({d}, {s}) = {g} > 1: only j with j + {self.padding} "
                f"divisible by {g} receive taps"
            )
        if k % s:
            return f"s = {s} does not divide k = {k}"
        return f"gcd(d, s) = 1 and s | k: every interior position receives k/s = {k // s}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form: counts, residues, period, interior, interior_range, uniform, ...,
        length and runs (sequences past the ``overlap.entries`` limit are ``null``)."""
        return {
            "counts": _listed(self.counts),
            "period": self.period,
            "uniform": self.uniform,
            "interior": _listed(self.interior),
            "residues": _listed(self.residues),
            "interior_range": None if self.interior_range is None else list(self.interior_range),
            "kernel": self.kernel,
            "stride": self.stride,
            "dilation": self.dilation,
            "padding": self.padding,
            "gcd": self.gcd,
            "reason": self.reason,
            "length": self.length,
            "runs": None if self.runs is None else [run.to_dict() for run in self.runs],
        }


def _listed(values: Sequence[int]) -> list[int] | None:
    return None if isinstance(values, Computed) else list(values)


def _sequence(length: int, entry: Callable[[int], int]) -> Sequence[int]:
    """A tuple up to the ``overlap.entries`` limit, else a :class:`Computed` sequence."""
    listable = limit("overlap.entries")
    if length <= listable:
        return tuple(entry(j) for j in range(length))
    return Computed(length, entry, listable)


def _axis_overlap(ax: Axis, o: int, what: str = "overlap") -> AxisOverlap:
    i, k, s, d, p = (int(v) for v in (ax.i, ax.k, ax.s, ax.d, ax.p_begin))
    counts = _sequence(o, lambda j: taps_reaching(j + p, k, s, d, i))
    try:
        runs: tuple[Run, ...] | None = _runs(i, k, s, d, p, o, what)
    except TooLargeError:
        if isinstance(counts, Computed):
            raise  # neither listed nor summarised: refuse
        runs = None
    residues = _sequence(s, lambda r: taps_reaching(r + p, k, s, d))
    period = least_period(k, s, d)
    # interior: d(k-1) <= t <= s(i-1), with t = j + p, inside the output
    first, last = max(0, d * (k - 1) - p), min(o - 1, s * (i - 1) - p)
    return AxisOverlap(
        counts=counts,
        residues=residues,
        period=period,
        interior=residues[:period] if isinstance(residues, tuple) else _sequence(
            period, lambda r: taps_reaching(r + p, k, s, d)),
        interior_range=(first, last) if first <= last else None,
        uniform=is_uniform(k, s, d),
        kernel=k,
        stride=s,
        dilation=d,
        padding=p,
        gcd=math.gcd(d, s),
        length=o,
        runs=runs,
    )


@dataclass(frozen=True)
class Overlap:
    """How many ``y·w`` terms reach each output position of a concrete geometry.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.overlap import overlap
    >>> ov = overlap(Geometry(5, 3, stride=3, dilation=2, in_channels=2))
    >>> print(ov)  # doctest: +NORMALIZE_WHITESPACE
    overlap: y·w terms reaching each output position (input_size=(5,), kernel_size=(3,),
      stride=(3,), padding=(0,), dilation=(2,), in_channels=2, out_channels=1, groups=1)
    axis 1: i=5, k=3, s=3, d=2, p=0 -> o=17
      counts:   1 0 1 1 1 1 1 1 1 1 1 1 1 1 1 0 1
      interior: 1 (j mod 1), period 1, for j in [4, 12]
      uniform: gcd(d, s) = 1 and s | k: every interior position receives k/s = 1
    terms per output position: the product of the axis counts, times 2 input channels per
      group (C_in/groups)
    the interior coverage is uniform (no checkerboard) iff gcd(d, s) = 1 and s | k on every
      axis; with g = gcd(d, s) > 1 the positions j with j + p not divisible by g receive no
      taps at all
    """

    geometry: Geometry
    axes: tuple[AxisOverlap, ...]

    @property
    def channel_factor(self) -> int:
        """Input channels feeding one output channel, ``C_in/groups``."""
        return self.geometry.in_channels // self.geometry.groups

    @property
    def uniform(self) -> bool:
        """Uniform interior coverage on every axis (so in N-d)."""
        return all(ax.uniform for ax in self.axes)

    @property
    def period(self) -> tuple[int, ...]:
        """The least period of the interior pattern, per axis."""
        return tuple(ax.period for ax in self.axes)

    def terms(self) -> np.ndarray:
        """Terms reaching each position of one output channel, shape ``output_size``.

        The product of the per-axis counts times ``C_in/groups``: the number of nonzeros
        in each column of C (for ``output_padding < stride``).
        """
        require(self.geometry.cost("overlap", what="the overlap grid (Overlap.terms())"))
        grid = np.array(self.channel_factor, dtype=np.int64)
        for ax in self.axes:
            grid = np.multiply.outer(grid, np.array(ax.counts, dtype=np.int64))
        return grid

    def __str__(self) -> str:
        g = self.geometry
        lines = [f"overlap: y·w terms reaching each output position ({g.describe()})"]
        for n, (ax, geo, o) in enumerate(
            zip(self.axes, g.axes, g.output_size, strict=True), start=1
        ):
            where = (
                "no interior position"
                if ax.interior_range is None
                else f"for j in [{ax.interior_range[0]}, {ax.interior_range[1]}]"
            )
            lines.append(
                f"axis {n}: i={geo.i}, k={ax.kernel}, s={ax.stride}, d={ax.dilation}, "
                f"p={ax.padding} -> o={o}"
            )
            if isinstance(ax.counts, Computed) and ax.runs is not None:
                lines += ["  counts, in runs (value×repeats):"] + [f"    {run}" for run in ax.runs]
            else:
                lines.append("  counts:   " + " ".join(str(c) for c in ax.counts))
            pattern = (
                f"{ax.period:,} values (see the runs)"
                if isinstance(ax.interior, Computed)
                else " ".join(str(c) for c in ax.interior)
            )
            lines += [
                f"  interior: {pattern} (j mod {ax.period}), period {ax.period}, {where}",
                f"  {'uniform' if ax.uniform else 'NOT uniform'}: {ax.reason}",
            ]
        factor = self.channel_factor
        lines.append(
            "terms per output position: the product of the axis counts, times "
            f"{factor} input {plural(factor, 'channel')} per group (C_in/groups)"
        )
        lines.append(CONDITION)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """``{"axes": [...], "uniform", "period", "channel_factor", "condition", "geometry"}``."""
        return {
            "axes": [ax.to_dict() for ax in self.axes],
            "uniform": self.uniform,
            "period": list(self.period),
            "channel_factor": self.channel_factor,
            "condition": CONDITION,
            "geometry": self.geometry.to_dict(),
        }


def overlap(geometry: Geometry) -> Overlap:
    """The overlap analysis of a concrete geometry.

    Explanation
    ===========

    Evaluates the formulas of :func:`derive_overlap` on every output index of every
    axis.  For symbolic sizes use :func:`derive_overlap`.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.overlap import overlap
    >>> ov = overlap(Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6))
    >>> ov.axes[0].interior, ov.period, ov.terms().shape, int(ov.terms()[30, 30])
    ((2, 1), (2, 2), (61, 61), 12)

    See Also
    ========

    derive_overlap, symtconv.conv_matrix
    """
    if geometry.is_symbolic:
        raise ParameterTypeError(
            "overlap() needs a concrete geometry, got symbolic sizes "
            f"({geometry.describe()}); derive_overlap() gives the formulas for symbolic s, k, d"
        )
    return Overlap(
        geometry,
        tuple(
            _axis_overlap(ax, int(o))
            for ax, o in zip(geometry.axes, geometry.output_size, strict=True)
        ),
    )


# --------------------------------------------------------------------------- #
# The derivation, with symbolic s, k, d
# --------------------------------------------------------------------------- #


def _sign_step(name: str, expr: Any, slack: Mapping[Any, Any], sign: str, detail: str) -> Step:
    """Proved when ``expr`` (after writing variables with non-negative slacks) has ``sign``.

    ``sign`` is ``"nonnegative"``, ``"positive"`` or ``"negative"``.
    """
    # as given (SymPy knows e.g. floor((k-1)/s') >= 0), or expanded with the slacks in
    candidates = [sp.sympify(expr).subs(slack), sp.expand(sp.expand(expr).subs(slack))]
    known = [value for value in candidates if getattr(value, f"is_{sign}")]
    value = known[0] if known else candidates[-1]
    status: _Status = "proved" if known else "undecided"
    relation, symbol = {
        "nonnegative": (sp.Ge, ">="),
        "positive": (sp.Gt, ">"),
        "negative": (sp.Lt, "<"),
    }[sign]
    return Step(name, status, f"{detail}: {value} {symbol} 0", relation(value, 0, evaluate=False))


@dataclass(frozen=True)
class OverlapDerivation:
    """The taps reaching a position, derived for symbolic ``s, k, d`` (and ``i``).

    Explanation
    ===========

    ``interior`` is ``N(t)`` away from the borders (``in_class`` the same in terms of
    ``s'`` and the tap class ``m_0``) and ``count`` the exact number for
    every ``t`` (with input length ``i``), both SymPy expressions in ``t, i, k, s, d``
    and the two derived quantities ``g = gcd(d, s)`` and ``e``, the inverse of ``d/g``
    modulo ``s/g``; :meth:`interior_at` and :meth:`count_at` substitute them.
    ``period`` and ``condition`` are the least period and the uniformity condition.
    Every step is a :class:`symtconv.general.Step`; :data:`ASSUMED` lists the number
    theory used as known.  ``exhaustive`` records the brute-force check of every
    formula and claim on a range of small values.

    Examples
    ========

    >>> from symtconv.overlap import derive_overlap
    >>> od = derive_overlap()
    >>> bool(od), od.condition
    (True, Eq(g, 1) & Eq(Mod(k, s), 0))
    >>> od.in_class
    floor((k - m_0 - 1)/s') + 1
    >>> od.interior
    Piecewise((floor(g*(k - 1 - Mod(e*t, s)/g)/s) + 1, Eq(Mod(t, g), 0)), (0, True))
    >>> od.interior_at(t=2, k=3, s=2, d=1), od.count_at(t=0, i=3, k=3, s=2, d=1)
    (2, 1)
    """

    interior: Any
    in_class: Any
    count: Any
    split: Any
    period: Any
    condition: Any
    steps: tuple[Step, ...]
    symbols: Mapping[str, sp.Symbol]
    exhaustive: Mapping[str, Any]

    @property
    def proved(self) -> bool:
        """Whether every step was proved by SymPy; the brute-force cross-check (bounded:
        ``"checked"``, never ``"proved"``) must not have failed."""
        return all(
            step.status == "proved"
            or (step.status == "checked" and step.name.startswith("brute force agrees"))
            for step in self.steps
        )

    def __bool__(self) -> bool:
        return self.proved

    def _values(self, **values: int) -> dict[sp.Symbol, int]:
        s, d = values["s"], values["d"]
        g = math.gcd(d, s)
        subs = {self.symbols[name]: v for name, v in values.items()}
        subs[self.symbols["g"]] = g
        subs[self.symbols["e"]] = pow(d // g, -1, s // g)
        return subs

    def interior_at(self, *, t: int, k: int, s: int, d: int) -> int:
        """``N(t)`` for numbers, evaluated exactly from the SymPy expression."""
        return int(self.interior.xreplace(self._values(t=t, k=k, s=s, d=d)))

    def count_at(self, *, t: int, i: int, k: int, s: int, d: int) -> int:
        """The exact count at ``t`` for numbers, from the SymPy expression."""
        return int(self.count.xreplace(self._values(t=t, i=i, k=k, s=s, d=d)))

    def __str__(self) -> str:
        lines = [
            "taps reaching position t = j + p of the uncropped output "
            "(g = gcd(d, s), e = inverse of d/g mod s/g):",
            f"  interior:  N(t) = {inline(self.in_class)} if g | t, else 0",
            "             with s' = s/g and m_0 = (e·t/g) mod s' (the tap class reaching t)",
            f"             = {inline(self.split)}  for k = q·s' + ρ, 0 ≤ ρ < s'",
            f"  with borders: {inline(self.count)}",
            f"  least period: {inline(self.period)}",
            f"  uniform iff: {inline(self.condition)}",
        ]
        lines += [f"  {step}" for step in self.steps]
        lines.append("assumed: " + "; ".join(prose(fact) for fact in ASSUMED))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (expressions as strings ``sympy.parse_expr`` reads back)."""
        return {
            "interior": str(self.interior),
            "interior_latex": sp.latex(self.interior),
            # s' = s/g, so that parse_expr reads it back
            "in_class": str(
                self.in_class.subs(self.symbols["s'"], self.symbols["s"] / self.symbols["g"])
            ),
            "split": str(self.split),
            "count": str(self.count),
            "period": str(self.period),
            "condition": str(self.condition),
            "condition_text": CONDITION,
            "proved": self.proved,
            "steps": [step.to_dict() for step in self.steps],
            "assumed": list(ASSUMED),
            "exhaustive": dict(self.exhaustive),
        }

    def _latex(self, printer: Any) -> str:
        n = sp.Function("N")(self.symbols["t"])
        return printer._print(sp.Eq(n, self.interior))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"


def _names() -> dict[str, sp.Symbol]:
    pos = {"integer": True, "positive": True}
    nonneg = {"integer": True, "nonnegative": True}
    names: dict[str, sp.Symbol] = {
        name: sp.Symbol(name, **pos) for name in ("i", "k", "s", "d", "g", "s'", "d'")
    }
    names.update({name: sp.Symbol(name, integer=True) for name in ("t", "t'", "m", "c", "u", "h")})
    names.update({name: sp.Symbol(name, **nonneg) for name in ("e", "m_0", "q", "rho", "v", "w")})
    return names


def _congruence_steps(x: Mapping[str, sp.Symbol]) -> list[Step]:
    t, m, c, g, s1, d1, tp, e, h, u = (
        x[n] for n in ("t", "m", "c", "g", "s'", "d'", "t'", "e", "h", "u")
    )
    s, d = x["s"], x["d"]
    # d·m ≡ t (mod s): d·m - t = s·c for an integer c; solve for t with d = g·d', s = g·s'
    (t_solved,) = sp.solve(sp.Eq(d * m - t, s * c).subs({d: g * d1, s: g * s1}), t)
    quotient = sp.factor(t_solved) / g
    integral = (
        sp.cancel(quotient).is_polynomial()
        and sp.Poly(sp.cancel(quotient), *sorted(quotient.free_symbols, key=str)).domain == sp.ZZ
    )
    steps = [
        Step(
            "only t divisible by g receive taps",
            "proved" if integral else "undecided",
            f"d·m - t = s·c with d = g·d', s = g·s' gives t = {t_solved} "
            f"= g·({sp.cancel(quotient)}), an integer multiple of g",
            sp.Eq(t, g * sp.cancel(quotient), evaluate=False),
        )
    ]
    # t = g·t': d'·m ≡ t' (mod s'); with e·d' = 1 + s'·h, m = e·t' + s'·u solves it
    residual = sp.expand(d1 * (e * tp + s1 * u) - tp).subs(e, (1 + s1 * h) / d1)
    ratio = sp.cancel(residual / s1)
    steps.append(
        Step(
            "the taps form one class m ≡ e·t' (mod s')",
            "proved" if ratio.is_polynomial() and sp.denom(ratio) == 1 else "undecided",
            f"d'·(e·t' + s'·u) - t' = s'·({ratio}) with e·d' = 1 + s'·h; "
            "other solutions differ by a multiple of s' (Euclid's lemma)",
            sp.Eq(sp.expand(d1 * (e * tp + s1 * u) - tp), s1 * ratio, evaluate=False),
        )
    )
    # t' -> e·t' is a bijection of Z/s' (its inverse is multiplication by d')
    back = sp.expand(d1 * e * tp - tp).subs(e, (1 + s1 * h) / d1)
    steps.append(
        Step(
            "m0 = e·t' mod s' runs over every residue once",
            "proved" if sp.expand(back - s1 * h * tp) == 0 else "undecided",
            f"d'·(e·t') - t' = {sp.expand(back)}, a multiple of s': multiplying by d' undoes "
            "multiplying by e modulo s', so t' -> e·t' mod s' is a bijection of Z/s'",
        )
    )
    return steps


def _counting_steps(x: Mapping[str, sp.Symbol]) -> tuple[list[Step], Any, Any]:
    """Taps in [0, k) of the class m0 + s'·u, and the split k = q·s' + ρ."""
    k, s1, u, m0, q, rho, v, w = (x[n] for n in ("k", "s'", "u", "m_0", "q", "rho", "v", "w"))
    solved = sp.reduce_inequalities([m0 + s1 * u >= 0, m0 + s1 * u <= k - 1], [u])
    lower = next(rel.lts for rel in solved.args if rel.gts == u)
    upper = next(rel.gts for rel in solved.args if rel.lts == u)
    # least integer u >= lower is 0: -1 < -m0/s' <= 0 (m0 = s' - 1 - v, v >= 0)
    steps = [
        _combine(
            "the least tap of the class is m0",
            [
                _sign_step("lower <= 0", -lower * s1, {}, "nonnegative", "-(lower)·s'"),
                _sign_step(
                    "lower > -1",
                    (lower + 1) * s1,
                    {m0: s1 - 1 - v},
                    "positive",
                    "(lower + 1)·s' with m0 = s' - 1 - v",
                ),
            ],
            f"{solved} solved by SymPy; ceiling({lower}) = 0 since -1 < {lower} <= 0",
        )
    ]
    interior = sp.floor(upper) + 1
    # the integers 0..floor(upper) number floor(upper) + 1 (an assumed count, see
    # ASSUMED) once that is >= 0, i.e. upper > -1: (upper + 1)·s' = k + v > 0
    steps.append(
        _combine(
            "interior count",
            [
                _sign_step("upper > -1", (upper + 1) * s1, {m0: s1 - 1 - v}, "positive",
                           "(upper + 1)·s' with m0 = s' - 1 - v"),
                check_identity("taps of the class", sp.Sum(1, (u, 0, sp.floor(upper))).doit(),
                               interior, detail="Σ 1 over u = 0..floor(upper), SymPy"),
            ],
            f"u runs over 0..floor({upper}), not empty or negative since {upper} > -1: "
            f"N = {interior}",
            sp.Eq(sp.Symbol("N"), interior, evaluate=False),
        )
    )
    # k = q·s' + ρ, 0 <= ρ < s':  N = q + 1 + floor((ρ - 1 - m0)/s')
    x_rest = (rho - 1 - m0) / s1
    steps.append(
        check_identity(
            "split k = q·s' + ρ",
            interior.subs(k, q * s1 + rho),
            q + 1 + sp.floor(x_rest),
            detail="floor(q + x) = q + floor(x) for integer q",
        )
    )
    # floor((ρ-1-m0)/s') = 0 for m0 < ρ and -1 for m0 >= ρ
    below = [  # m0 = ρ - 1 - v; ρ = s' - 1 - w
        _sign_step("x >= 0", x_rest * s1, {m0: rho - 1 - v}, "nonnegative", "m0 = ρ-1-v"),
        _sign_step(
            "x < 1",
            (x_rest - 1) * s1,
            {rho: s1 - 1 - w},
            "negative",
            "ρ = s'-1-w",
        ),
    ]
    above = [  # m0 = ρ + v; s' = m0 + 1 + w
        _sign_step("x < 0", x_rest * s1, {m0: rho + v}, "negative", "m0 = ρ+v"),
        _sign_step(
            "x >= -1",
            (x_rest + 1) * s1,
            {s1: m0 + 1 + w},
            "nonnegative",
            "s' = m0+1+w",
        ),
    ]
    split = sp.Piecewise((q + 1, m0 < rho), (q, True))
    steps.append(
        _combine(
            "N = q + [m0 < ρ]",
            [*below, *above],
            f"floor({x_rest}) is 0 when m0 < ρ and -1 when m0 ≥ ρ (definition of floor): "
            f"N = {split}",
        )
    )
    # one period: Σ over the s' classes = k; the other s - s' positions get 0
    total = sp.Sum(q + 1, (m0, 0, rho - 1)).doit() + sp.Sum(q, (m0, rho, s1 - 1)).doit()
    steps.append(
        check_identity(
            "each tap lands once per period",
            total,
            q * s1 + rho,
            detail="ρ classes with q+1 taps and s'-ρ with q",
        )
    )
    return steps, interior, split


def _uniform_steps(x: Mapping[str, sp.Symbol], interior: Any, split: Any) -> list[Step]:
    s1, m0, q, rho, v, w = (x[n] for n in ("s'", "m_0", "q", "rho", "v", "w"))
    at_zero = interior.subs(m0, 0)
    steps = [
        _combine(
            "g > 1 is never uniform",
            [_sign_step("N(0) >= 1", at_zero - 1, {}, "nonnegative", "N(0) - 1")],
            f"t = 1 gets no taps (g does not divide 1), t = 0 gets N(0) = {at_zero} >= 1",
        ),
        check_identity(
            "g = 1 and s | k is uniform",
            split.subs(rho, 0),
            q,
            detail="ρ = 0 (s' = s divides k): every class gets q = k/s taps",
        ),
        _combine(
            "g = 1 and s ∤ k is not uniform",
            [
                _sign_step(
                    "m0 = s'-1 >= ρ",
                    s1 - 1 - rho,
                    {s1: rho + 1 + w},
                    "nonnegative",
                    "ρ < s', s' = ρ + 1 + w",
                )
            ],
            "0 < ρ < s': the class m0 = 0 gets q+1 and the class m0 = s'-1 gets q",
        ),
    ]
    # least period: if s' | k, N(t) = (k/s')·[g | t], period g; otherwise a period P is a
    # multiple of g and P/g a period of [m0 < ρ] on Z/s', i.e. {0..ρ-1} a union of
    # cosets of h·Z/s' (h | s', h < s'): then s' - h <= ρ - 1 and ρ <= h - 1, so
    # s' <= 2h - 2; but s' = h·c2 with c2 >= 2 — contradiction:
    h, c2 = sp.Symbol("h", integer=True, positive=True), sp.Symbol("c_2", integer=True)
    steps.append(
        _combine(
            "least period: g if s' | k, else s",
            [
                _sign_step(
                    "2h - 2 < s'",
                    h * c2 - (2 * h - 2),
                    {c2: 2 + v},
                    "positive",
                    "s' = h·c2 - (2h - 2) with c2 = 2 + v",
                )
            ],
            "s' | k: N(t) = (k/s')·[g | t]; s' ∤ k: a shorter period would make {0..ρ-1} a "
            "union of cosets of a proper subgroup h·Z/s', forcing s' ≤ 2h - 2 < s'",
        )
    )
    return steps


def _border_steps(x: Mapping[str, sp.Symbol]) -> tuple[list[Step], Any, Any]:
    """Which taps survive at the borders: 0 <= (t - d·m)/s <= i - 1."""
    t, m, i, s, d = (x[n] for n in ("t", "m", "i", "s", "d"))
    solved = sp.reduce_inequalities([t - d * m >= 0, t - d * m <= s * (i - 1)], [m])
    upper = next(rel.gts for rel in solved.args if rel.lts == m)
    lower = next(rel.lts for rel in solved.args if rel.gts == m)
    lo, hi = sp.Max(0, sp.ceiling(lower)), sp.Min(x["k"] - 1, sp.floor(upper))
    # interior: over d(k-1) <= t <= s(i-1) and 0 <= m <= k-1, t - d·m is smallest at
    # (t, m) = (d(k-1), k-1) and largest at (s(i-1), 0)
    k = x["k"]
    smallest = (t - d * m).subs({t: d * (k - 1), m: k - 1})
    largest = (t - d * m).subs({t: s * (i - 1), m: 0})
    steps = [
        _combine(
            "taps at the borders",
            [  # by hand: d·m <= t iff m <= t/d, and t - d·m <= s(i-1) iff m >= (t - s(i-1))/d
                check_identity("highest tap", upper, t / d, detail="d > 0"),
                check_identity("lowest tap", lower, (t - s * (i - 1)) / d, detail="d > 0"),
            ],
            f"0 <= t - d·m <= s(i-1) solved by SymPy: {solved}; the integer taps are "
            f"{lo} <= m <= {hi}",
            solved,
        ),
        check_identity(
            "interior: n >= 0",
            smallest,
            0,
            detail="t - d·m at t = d(k-1), m = k-1 (slopes +1 in t, -d in m)",
        ),
        check_identity(
            "interior: n <= i-1", largest / s, i - 1, detail="(t - d·m)/s at t = s(i-1), m = 0"
        ),
    ]
    return steps, lo, hi


def _brute(t: int, k: int, s: int, d: int, i: int | None = None) -> int:
    """Count taps by enumerating ``m`` (and ``n``): the independent check."""
    if i is None:
        return sum(1 for m in range(k) if (t - d * m) % s == 0)
    return sum(1 for n in range(i) for m in range(k) if s * n + d * m == t)


def _least_period(values: tuple[int, ...]) -> int:
    n = len(values)
    return next(
        p for p in range(1, n + 1) if all(values[r] == values[(r + p) % n] for r in range(n))
    )


def _exhaustive(
    interior: Callable[..., Any], count: Callable[..., Any], limits: Mapping[str, int]
) -> dict[str, Any]:
    mismatches: list[str] = []
    cases = 0
    top_s, top_d, top_k = limits["s"], limits["d"], limits["k"]
    for s in range(1, top_s + 1):
        for d in range(1, top_d + 1):
            g = math.gcd(d, s)
            e = pow(d // g, -1, s // g)
            for k in range(1, top_k + 1):
                brute = tuple(_brute(t, k, s, d) for t in range(s))
                formula = tuple(int(interior(t, k, s, d, g, e)) for t in range(s))
                checks = {
                    "N(t)": (formula, brute),
                    "uniform": (g == 1 and k % s == 0, len(set(brute)) == 1),
                    "period": (g if k % (s // g) == 0 else s, _least_period(brute)),
                }
                for name, (derived, seen) in checks.items():
                    cases += 1
                    if derived != seen:
                        mismatches.append(f"{name} at s={s}, d={d}, k={k}: {derived} != {seen}")
    for s in range(1, limits["border_s"] + 1):
        for d in range(1, limits["border_d"] + 1):
            g = math.gcd(d, s)
            e = pow(d // g, -1, s // g)
            for k in range(1, limits["border_k"] + 1):
                for i in range(1, limits["i"] + 1):
                    for t in range(-1, s * (i - 1) + d * (k - 1) + 3):
                        cases += 1
                        derived = int(count(t, i, k, s, d, g, e))
                        if derived != _brute(t, k, s, d, i):
                            mismatches.append(f"count at t={t}, i={i}, k={k}, s={s}, d={d}")
    return {"limits": dict(limits), "cases": cases, "mismatches": mismatches[:10]}


def _exhaustive_bounds(limits: Mapping[str, int]) -> str:
    """The brute-force check's ranges in words: ``s <= 8, d <= 8, k <= 12; with borders ...``."""
    names = (("s", "border_s"), ("d", "border_d"), ("k", "border_k"), ("i", "i"))
    border = ", ".join(f"{key} <= {limits[name]}" for key, name in names)
    return ", ".join(f"{key} <= {limits[key]}" for key in "sdk") + f"; with borders {border}"


#: Ranges of the brute-force check inside :func:`derive_overlap`.
EXHAUSTIVE_LIMITS = {"s": 8, "d": 8, "k": 12, "border_s": 4, "border_d": 3, "border_k": 5, "i": 5}


@cache
def derive_overlap() -> OverlapDerivation:
    """Derive the number of taps reaching each output position, for symbolic ``s, k, d``.

    Explanation
    ===========

    1. ``d·m ≡ t (mod s)`` is solved with ``g = gcd(d, s)``: ``t`` must be a multiple
       ``g·t'`` (SymPy solves ``d·m - t = s·c`` for ``t``), and then the taps form the
       single class ``m ≡ e·t' (mod s')``;
    2. the taps of that class in ``[0, k)`` are counted by solving
       ``0 <= m0 + s'·u <= k-1`` for ``u``: ``N = floor((k-1-m0)/s') + 1``;
    3. with ``k = q·s' + ρ`` this is ``q + [m0 < ρ]``, and since ``m0`` runs over
       ``Z/s'`` once per period, ``ρ`` positions get ``q+1``, ``s'-ρ`` get ``q`` and
       the ``s - s'`` positions not divisible by ``g`` get 0 (total ``k``);
    4. uniform iff ``g = 1`` and ``s | k``; least period ``g`` if ``s' | k`` else ``s``;
    5. at the borders the tap range is cut to
       ``[max(0, ceil((t - s(i-1))/d)), min(k-1, floor(t/d))]``; the interior is
       ``d(k-1) <= t <= s(i-1)``.

    Each formula and claim is also compared with brute-force enumeration for every
    ``s, d <= 8``, ``k <= 12`` (and, with borders, ``s <= 4, d <= 3, k <= 5, i <= 5``);
    ``exhaustive`` reports it, and a mismatch marks the derivation failed.

    Examples
    ========

    >>> from symtconv.overlap import derive_overlap
    >>> od = derive_overlap()
    >>> od.split, od.period
    (Piecewise((q + 1, m_0 < rho), (q, True)), Piecewise((g, Eq(Mod(k, s/g), 0)), (s, True)))
    >>> od.exhaustive["mismatches"], od.exhaustive["cases"] > 5000
    ([], True)

    See Also
    ========

    overlap, symtconv.general.prove_general
    """
    x = _names()
    t, k, s, g, e, m0, s1 = (x[n] for n in ("t", "k", "s", "g", "e", "m_0", "s'"))
    steps = _congruence_steps(x)
    counting, interior_m0, split = _counting_steps(x)
    steps += counting
    steps += _uniform_steps(x, interior_m0, split)
    border, lo, hi = _border_steps(x)
    steps += border

    # back in s, d, t: s' = s/g, m0 = Mod(e·t/g, s/g); none when g does not divide t
    in_s = {s1: s / g}
    m0_of_t = sp.Mod(e * t / g, s / g)
    interior = sp.Piecewise(
        (interior_m0.subs(in_s).subs(m0, m0_of_t), sp.Eq(sp.Mod(t, g), 0)), (0, True)
    )
    per_class = sp.floor((hi - m0) / s1) - sp.ceiling((lo - m0) / s1) + 1
    count = sp.Piecewise(
        (sp.Max(0, per_class.subs(in_s).subs(m0, m0_of_t)), sp.Eq(sp.Mod(t, g), 0)), (0, True)
    )
    period = sp.Piecewise((g, sp.Eq(sp.Mod(k, s / g), 0)), (s, True))
    condition = sp.And(sp.Eq(g, 1), sp.Eq(sp.Mod(k, s), 0))

    args_i = (t, k, s, x["d"], g, e)
    args_c = (t, x["i"], k, s, x["d"], g, e)
    exhaustive = _exhaustive(
        sp.lambdify(args_i, interior, "math"),
        sp.lambdify(args_c, count, "math"),
        EXHAUSTIVE_LIMITS,
    )
    # a bounded enumeration: "checked" (with its bounds), never "proved"
    status: _Status = "failed" if exhaustive["mismatches"] else "checked"
    limits = _exhaustive_bounds(EXHAUSTIVE_LIMITS)
    steps.append(
        Step(
            f"brute force agrees (checked for {limits})",
            status,
            f"N(t), count(t), uniformity and least period against enumeration of (n, m): "
            f"{exhaustive['cases']} cases, {len(exhaustive['mismatches'])} mismatches (a "
            "bounded check, not a proof; the steps above are the proof)",
        )
    )
    return OverlapDerivation(
        interior=interior,
        in_class=interior_m0,
        count=count,
        split=split,
        period=period,
        condition=condition,
        steps=tuple(steps),
        symbols=x,
        exhaustive=exhaustive,
    )
