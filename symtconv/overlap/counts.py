"""The overlap on integers: :func:`overlap` counts, per output position, the ``y·w`` terms
that reach it (from one period of the pattern and the borders), and :func:`taps_reaching`,
:func:`interior_counts`, :func:`is_uniform` evaluate the derived formulas.

See :mod:`symtconv.overlap` for the mathematics and :mod:`symtconv.overlap.derivation` for
its derivation with symbolic ``s, k, d``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..console import plural
from ..errors import ParameterTypeError, TooLargeError
from ..geometry import Axis, Geometry, least_period
from ..limits import Cost, limit, require
from ..runs import Computed, Run, border_cost, border_values, periodic_cost, periodic_pattern

#: The uniformity condition, as :meth:`Overlap.to_dict` reports it.
CONDITION = (
    "the interior coverage is uniform (no checkerboard) iff gcd(d, s) = 1 and s | k on "
    "every axis; with g = gcd(d, s) > 1 the positions j with j + p not divisible by g "
    "receive no taps at all"
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
