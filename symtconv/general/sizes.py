"""The output size of a transposed convolution, derived two ways for symbolic sizes.

Explanation
===========

Route (a), flip-and-pad: the lengths of the zero-inserted and padded input and of the
stride-1 correlation.  Route (b): the forward convolution's output length, inverted
with the definition of ``floor``.  :func:`_derive_sizes` does both for one axis (the
general proof uses it too); :func:`output_size_derivation` is the public result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp

from ..geometry import Geometry
from ..notation import prose
from .checks import (
    _FLOOR_DEFINITION,
    Step,
    _combine,
    _extremes,
    _floor_equals,
    _integer_interval,
    check_identity,
)
from .symbols import _axis_symbols, _AxisSymbols, _integer


def _crop_parts(ax: _AxisSymbols, flip_length: Any, padded: Any) -> tuple[list[Step], str]:
    """Negative pads are crops: when p > d(k-1); the window never leaves the sequence.

    The checks (parts of a step) and what they show.  Where the pad turns negative is
    reported, not checked: it is a property of ``Geometry.pad_before``, which the index
    step pins (a wrong pad shifts every read), so no bug could fail such a check alone.
    """
    geometry_axis = ax.axis
    solved = _integer_interval([geometry_axis.pad_before < 0], ax.p_b)
    window = _extremes(ax.j + ax.d * ax.mp, [(ax.j, 0, flip_length - 1), (ax.mp, 0, ax.k - 1)])
    if solved is None or window is None or solved[0] is None:
        return [Step("crops", "undecided", "not solved")], "crops not solved"
    parts = [
        check_identity("first read", window[0], 0),
        check_identity("last read", window[1], padded - 1),
    ]
    detail = (
        f"padding d(k-1) - p < 0 iff p >= {solved[0]} (SymPy); u[t] = z[t - P] for every "
        f"0 <= t < {padded} whatever the sign of P (P < 0 drops the first -P entries); "
        f"the correlation reads t = j + d·m' from {window[0]} to {window[1]}, exactly the "
        "padded (or cropped) sequence"
    )
    return parts, detail


def _last_output(count: Any) -> Any:
    """The forward conv's outputs are ``n = 0 .. count - 1``: the last index, ``count - 1``.

    Route (b) inverts ``floor(U(o)) = _last_output(i)`` for ``o`` (a testing hook: the
    test suite plants an inversion off by one here).
    """
    return count - 1


@dataclass(frozen=True)
class _AxisSizes:
    scatter_length: Any  # output length of the scatter (derived from its extent)
    stretched: Any  # length after zero insertion
    padded: Any  # length after padding (or cropping) the stretched input
    flip_length: Any  # output length of flip-and-pad's correlation
    forward: sp.Lambda  # length o -> the forward convolution's output length
    forward_bound: Any  # the real upper bound U(o) on the forward output index
    o_min: Any
    o_max: Any
    a_range: tuple[Any, Any]
    window: Any  # span of the dilated kernel, d(k-1) + 1
    steps: tuple[Step, ...]


def _derive_sizes(ax: _AxisSymbols) -> _AxisSizes:
    i, k, s, d, p_b, p_e, a = ax.i, ax.k, ax.s, ax.d, ax.p_b, ax.p_e, ax.a
    n, m, mp, j, o = ax.n, ax.m, ax.mp, ax.j, ax.o
    geometry_axis = ax.axis
    steps: list[Step] = []
    undecided = sp.Symbol("undecided")

    # Scatter: y[n]·w[m] lands at s·n + d·m of the full output; its extent over the box
    # 0 <= n < i, 0 <= m < k; then a at the high end, crops p_b and p_e.
    extent = _extremes(s * n + d * m, [(n, 0, i - 1), (m, 0, k - 1)])
    if extent is None:
        steps.append(Step(ax.label + "scatter extent", "undecided", "not decided"))
        scatter_length: Any = undecided
    else:
        lowest, highest = extent
        scatter_length = sp.expand(highest - lowest + 1 + a - p_b - p_e)
        steps.append(
            check_identity(
                ax.label + "scatter: output length",
                scatter_length,
                geometry_axis.output,
                detail=(
                    f"positions s·n + d·m run from {lowest} to {highest} (slopes s, d > 0); "
                    "plus a at the high end, minus the crops p_b, p_e; compared with "
                    "symtconv.geometry"
                ),
            )
        )

    # Flip-and-pad: zero insertion puts y[n] at s·n.
    span = _extremes(s * n, [(n, 0, i - 1)])
    stretched: Any = undecided if span is None else sp.expand(span[1] - span[0] + 1)
    steps.append(
        check_identity(
            ax.label + "flip-and-pad: stretched length",
            stretched,
            geometry_axis.stretched,
            detail="y[n] sits at s·n for 0 <= n < i, the s-1 zeros fill the gaps",
        )
    )
    padded = sp.expand(stretched + geometry_axis.pad_before + geometry_axis.pad_after)
    window = _extremes(d * mp, [(mp, 0, k - 1)])
    positions = (
        None if window is None else _integer_interval([j >= 0, j + window[1] <= padded - 1], j)
    )
    if positions is None or None in positions:
        flip_length: Any = undecided
        flip_step = Step(ax.label + "flip-and-pad: output length", "undecided", "not solved")
        steps.append(flip_step)
    else:
        flip_length = sp.expand(positions[1] - positions[0] + 1)
        same = check_identity(
            "output length",
            flip_length,
            scatter_length,
            detail=(
                f"padded length {padded}; the window j + d·m' (0 <= m' < k) fits iff "
                f"{positions[0]} <= j <= {positions[1]} (SymPy solved the inequalities)"
            ),
        )
        # where the pad turns into a crop, and the reads at both ends, follow from this
        # length and the pad (no bug can fail them alone): parts of this step
        crop, crop_detail = _crop_parts(ax, flip_length, padded)
        flip_step = _combine(
            ax.label + "flip-and-pad: output length equals the scatter's; a negative pad is "
            "a crop, and no read leaves the sequence",
            [same, *crop],
            f"{same.detail}; {crop_detail}",
            same.expression,
        )
        steps.append(flip_step)

    # Forward convolution on a length-o input, padded by p_b and p_e: output n exists
    # iff its whole window s·n - p_b + d·m (0 <= m < k) lies inside [-p_b, o - 1 + p_e].
    reach = _extremes(s * n + d * m - p_b, [(m, 0, k - 1)])
    rows = (
        None if reach is None else _integer_interval([reach[0] >= -p_b, reach[1] <= o - 1 + p_e], n)
    )
    if rows is None or None in rows:
        forward = sp.Lambda(o, undecided)
        bound: Any = undecided
        steps.append(Step(ax.label + "forward length", "undecided", "not solved"))
    else:
        forward = sp.Lambda(o, sp.expand(rows[1] - rows[0] + 1))
        bound = rows[1].args[0] if isinstance(rows[1], sp.floor) else rows[1]
        # the round trip at the derived length follows from the first part with
        # "scatter: output length" (Geometry's forward_output is i + floor(a/s)): no bug
        # can fail it alone, so it is a part of this step, not a step of its own
        steps.append(
            _combine(
                ax.label + "forward conv: output length, which maps o back to i + floor(a/s)",
                [
                    check_identity(
                        "at Geometry's output size",
                        forward(geometry_axis.output),
                        geometry_axis.forward_output,
                    ),
                    check_identity(
                        "at the derived output length", forward(scatter_length), i + sp.floor(a / s)
                    ),
                ],
                f"the window of output n fits iff {rows[0]} <= n <= {rows[1]} (SymPy solved "
                "the inequalities); compared with symtconv.geometry, and at the derived output "
                f"length: {forward(scatter_length)} = i + floor(a/s) (the round trip)",
            )
        )

    # Inverting floor(U(o)) + 1 = i: by the definition of floor, i - 1 <= U(o) < i.
    last = _last_output(i)
    sizes = _integer_interval(_floor_equals(bound, last), o)
    offset = _integer("a")  # o = o_min + offset, with no sign assumed
    if sizes is None or None in sizes:
        o_min: Any = undecided
        o_max: Any = undecided
        a_range: tuple[Any, Any] = (undecided, undecided)
        steps.append(Step(ax.label + "sizes mapping back to i", "undecided", "not solved"))
    else:
        o_min, o_max = (sp.expand(v) for v in sizes)
        solved = _integer_interval(_floor_equals(bound.subs(o, o_min + offset), last), offset)
        if solved is None or None in solved:
            a_range = (undecided, undecided)
            parts = [Step("output_padding range", "undecided", "not solved")]
        else:
            a_range = (solved[0], solved[1])
            parts = [
                check_identity("lowest a", solved[0], 0),
                check_identity("highest a", solved[1], s - 1),
            ]
        # o = o_min + a maps back iff 0 <= a <= o_max - o_min: the same fact as the count
        # (no bug can fail one alone), so one step
        steps.append(
            _combine(
                ax.label + "exactly s output sizes map back to i: o = o_min + a with 0 <= a < s",
                [check_identity("how many", o_max - o_min + 1, s), *parts],
                f"{_FLOOR_DEFINITION}; SymPy solved for o: {o_min} <= o <= {o_max}, and "
                f"i - 1 <= U(o_min + a) < i for a: {a_range[0]} <= a <= {a_range[1]}",
            )
        )
    # route (b) at the scatter's length, and route (a) (flip-and-pad) at it too
    route_b = o_min + a
    steps.append(
        _combine(
            ax.label + "the two routes agree",
            [
                check_identity("route (b) is the scatter's output length", route_b, scatter_length),
                flip_step,
            ],
            f"flip-and-pad length {flip_length} vs the smallest size mapping back to i, plus a, "
            f"{route_b}: both are the scatter's output length",
            sp.Eq(flip_length, route_b),
        )
    )
    return _AxisSizes(
        scatter_length=scatter_length,
        stretched=stretched,
        padded=padded,
        flip_length=flip_length,
        forward=forward,
        forward_bound=bound,
        o_min=o_min,
        o_max=o_max,
        a_range=a_range,
        window=undecided if window is None else sp.expand(window[1] - window[0] + 1),
        steps=tuple(steps),
    )


@dataclass(frozen=True)
class SizeDerivation:
    """The output size ``o`` derived from flip-and-pad and from the forward conv.

    Explanation
    ===========

    Route (a), flip-and-pad: the zero-inserted input has ``stretched`` entries; the
    pads ``d(k-1) - p`` and ``d(k-1) - p + a`` give ``padded``; a stride-1 window of
    span ``window = d(k-1) + 1`` fits at ``padded - window + 1`` positions: that is
    :attr:`formula`.  Route (b): the forward conv maps a length ``o`` to
    :attr:`forward` (derived from where its window fits); by the definition of
    ``floor`` the ``o`` with ``forward = i`` are ``o_min <= o <= o_max``, exactly
    ``s`` sizes, so ``o = o_min + a`` with ``0 <= a < s``.

    Examples
    ========

    >>> from symtconv.general import output_size_derivation
    >>> sd = output_size_derivation()
    >>> sd.o_min, sd.o_max
    (d*k - d + i*s - 2*p - s + 1, d*k - d + i*s - 2*p)
    >>> sd.output_padding, sd.round_trip, bool(sd)
    ((0, s - 1), i + floor(a/s), True)
    >>> import sympy as sp
    >>> formula = sp.parse_expr(sd.to_dict()["formula"])
    >>> sp.expand(formula - sp.parse_expr("(i-1)*s - 2*p + d*(k-1) + a + 1"))
    0
    """

    formula: Any
    stretched: Any
    padded: Any
    window: Any
    forward: Any
    o_min: Any
    o_max: Any
    output_padding: tuple[Any, Any]
    round_trip: Any
    steps: tuple[Step, ...]
    symbols: Mapping[str, sp.Symbol]

    @property
    def proved(self) -> bool:
        """Whether every step of both routes (and their agreement) was proved."""
        return all(step.status == "proved" for step in self.steps)

    def __bool__(self) -> bool:
        return self.proved

    @property
    def sizes(self) -> sp.Range:
        """The set of output sizes the forward conv maps back to ``i``."""
        return sp.Range(self.o_min, self.o_max + 1)

    @property
    def route_a(self) -> str:
        """Route (a) as the sum it is: stretched + pads - window + 1."""
        s = self.symbols
        before = s["d"] * (s["k"] - 1) - s["p"]
        return f"({self.stretched}) + ({before}) + ({before + s['a']}) - ({self.window}) + 1"

    def __str__(self) -> str:
        lines = [
            prose(line)
            for line in [
                f"o = {self.formula}" + ("" if self.proved else "  (NOT fully proved)"),
                f"  (a) flip-and-pad: {self.route_a}",
                f"  (b) forward conv: floor-formula {self.forward} = i  iff  "
                f"{self.o_min} <= o <= {self.o_max}, i.e. o = o_min + a with "
                f"{self.output_padding[0]} <= a <= {self.output_padding[1]}",
                f"  forward conv of the output: {self.round_trip}",
            ]
        ]
        lines += [f"  {step}" for step in self.steps]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """``{"formula", "latex", "proved", "routes": {"flip_and_pad", "inverse_forward"},
        "valid_sizes", "output_padding", "round_trip", "steps"}`` (expressions as
        strings that ``sympy.parse_expr`` reads back)."""
        return {
            "formula": str(self.formula),
            "latex": sp.latex(self.formula),
            "proved": self.proved,
            "routes": {
                "flip_and_pad": {
                    "stretched": str(self.stretched),
                    "padded": str(self.padded),
                    "window": str(self.window),
                    "sum": self.route_a,
                    "output": str(self.formula),
                },
                "inverse_forward": {
                    "forward": str(self.forward),
                    "o_min": str(self.o_min),
                    "o_max": str(self.o_max),
                },
            },
            "valid_sizes": {"min": str(self.o_min), "max": str(self.o_max)},
            "output_padding": {
                "min": str(self.output_padding[0]),
                "max": str(self.output_padding[1]),
            },
            "round_trip": str(self.round_trip),
            "steps": [step.to_dict() for step in self.steps],
        }

    def _latex(self, printer: Any) -> str:
        o = sp.Symbol("o")
        return printer._print(sp.Eq(o, self.formula))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"


@cache
def output_size_derivation() -> SizeDerivation:
    """Derive the output size of a transposed convolution, two ways, with SymPy.

    Explanation
    ===========

    Nothing here is typed in as an answer: lengths come from the extremes of index
    expressions over their ranges, and the inequalities are solved by SymPy.  The
    result is compared with :class:`symtconv.Geometry`'s formula as a last check.

    Examples
    ========

    >>> from symtconv.general import output_size_derivation
    >>> sd = output_size_derivation()
    >>> sd.formula
    a + d*k - d + i*s - 2*p - s + 1
    >>> sd.sizes
    Range(d*k - d + i*s - 2*p - s + 1, d*k - d + i*s - 2*p + 1, 1)

    See Also
    ========

    prove_general, relationships
    """
    ax = _axis_symbols(None, asymmetric=False)
    sizes = _derive_sizes(ax)
    o_symbol = ax.o
    steps = list(sizes.steps)
    steps.append(
        check_identity(
            "agrees with Geometry.output_size",
            sizes.flip_length,
            Geometry(ax.i, ax.k, ax.s, ax.p_b, ax.a, ax.d).output_size[0],
        )
    )
    return SizeDerivation(
        formula=sizes.flip_length,
        stretched=sizes.stretched,
        padded=sizes.padded,
        window=sizes.window,
        forward=sizes.forward(o_symbol),
        o_min=sizes.o_min,
        o_max=sizes.o_max,
        output_padding=sizes.a_range,
        round_trip=sp.expand(sizes.forward(sizes.flip_length)),
        steps=tuple(steps),
        symbols={
            "i": ax.i,
            "k": ax.k,
            "s": ax.s,
            "p": ax.p_b,
            "d": ax.d,
            "a": ax.a,
            "o": o_symbol,
        },
    )
