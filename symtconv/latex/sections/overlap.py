"""The overlap section: how many y·w terms reach each output, per axis, and why the interior is
or is not uniform."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import sympy as sp

from ...console import plural as _plural
from ...overlap import AxisOverlap, Overlap
from ...overlap import overlap as overlap_of
from ..printer import Divides, ElidedMatrix, Gcd
from ..writer import _Writer
from .common import (
    _D,
    _I,
    _J,
    _K,
    _LANDS,
    _M,
    _N,
    _P,
    _S,
    _and_list,
    _axis,
    _interior_pattern,
    _on_axes,
    _printed_names,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..derivation import Derivation


def write_overlap(doc: Derivation, out: _Writer, figure: str | None = None) -> None:
    """How many ``y·w`` terms reach each output: per axis, then in N-d; why the
    interior is (not) uniform here."""
    g = doc.geometry
    ov = overlap_of(g)
    n = _printed_names(out)
    per_group = ov.channel_factor
    out.section("The overlap pattern: how many terms reach each output")
    out.say(
        "Each entry of {x} is a sum of products {product} (listed above). On an axis the "
        "product lands at {lands}, so the taps {m} that reach output {j} are those with "
        "{index} for an integer {n} with {inside}. Their number is the number of nonzeros "
        "in column {j} of the axis's pattern {T}"
        + (", and an entry of {x} receives the product of its axes' counts" if g.ndim > 1 else "")
        + (
            f", times the {per_group} input channels of its group (C_in/groups)"
            if per_group > 1
            else ""
        )
        + ". Away from the borders, where {interior}, every tap whose input index is an "
        "integer finds an input, and the count depends only on {j} modulo the stride.",
        product=f"{n['y']}_n {n['w']}_m",
        m=out.tex(_M),
        j=out.tex(_J),
        T="T",
        lands=out.tex(_LANDS),
        index=out.tex(sp.Eq(_J + _P - _D * _M, _S * _N)),
        n=out.tex(_N),
        inside=out.tex(sp.And(_N >= 0, _N <= _I - 1)),
        interior=rf"{out.tex(_D * (_K - 1))} \le j + p \le {out.tex(_S * (_I - 1))}",
        **n,
    )
    out.say(
        "Interior coverage is uniform — the same number of terms at every interior output, "
        "no checkerboard — exactly when {gcd} and {divides} on every axis"
        + ("; for {d1} simply {divides}, as here" if all(a.d == 1 for a in g.axes) else "")
        + ". With {g} the outputs with {skipped} receive no taps at all. (symtconv overlap "
        "--symbolic derives this with SymPy for symbolic s, k and d.)",
        d1=out.tex(sp.Eq(_D, 1)),
        gcd=f"{out.tex(Gcd(_D, _S))} = 1",
        divides=out.tex(Divides(_S, _K)),
        g=rf"g = {out.tex(Gcd(_D, _S))} > 1",
        skipped=out.tex(Divides(sp.Symbol("g"), _J + _P, holds=False)),
    )
    for r, axis in enumerate(ov.axes):
        _overlap_axis(doc, out, r, axis)
    _overlap_verdict(doc, out, ov, per_group)
    if figure is not None:
        out.figure(
            figure,
            "The overlap map: the number of terms reaching each output"
            + (
                ", the axes' counts along the edges and the interior outlined."
                if g.ndim == 2
                else ", per axis, the interior shaded."
            ),
        )


def _overlap_axis(doc: Derivation, out: _Writer, r: int, axis: AxisOverlap) -> None:
    g = doc.geometry
    ax, values = _axis(doc.geometry, r)
    sub = f"_{r + 1}" if g.ndim > 1 else ""
    j, count = sp.Symbol("j" + sub, integer=True), sp.Symbol("N" + sub)
    o = len(axis.counts)
    if g.ndim > 1:
        out.subsection(f"Axis {r + 1}")
    out.say(
        "The number of taps reaching each output index {range}:",
        range=rf"{out.tex(j)} = 0, \ldots, {o - 1}" if o > 1 else rf"{out.tex(j)} = 0",
    )
    counts = ElidedMatrix.of((1, o), lambda rc: axis.counts[rc[1]])
    out.display(f"{out.tex(count)} = {out.tex(counts)}")
    pattern = _interior_pattern(j, axis.interior)
    where = (
        "Away from the borders, for {range}, the count"
        if axis.interior_range is not None
        else "No output here is away from both borders (the input is too short for the "
        "kernel's span), so a border may cut taps off any count; away from the borders, on "
        "a longer input, the count"
    )
    first, last = axis.interior_range or (0, 0)
    periodic = (
        f" depends only on {{j}} modulo its period {axis.period}:"
        if axis.period > 1
        else " is the same everywhere:"
    )
    out.say(where + periodic, range=rf"{first} \le {out.tex(j)} \le {last}", j=out.tex(j))
    out.display(f"{out.tex(count)}({out.tex(j)}) = {out.tex(pattern)}")
    _overlap_borders(doc, out, axis, j, count)
    gcd = f"{out.tex(Gcd(ax.d, ax.s))} = {out.tex(Gcd(ax.d, ax.s), values)} = {axis.gcd}"
    levels = _and_list(sorted(set(axis.interior)))
    if axis.gcd > 1:
        out.say(
            "Since {gcd}, only the outputs with {divides} receive taps; the interior count "
            f"runs through {levels} (period {axis.period}): not uniform.",
            gcd=gcd + " > 1",
            divides=out.tex(Divides(axis.gcd, j + axis.padding)),
        )
    elif not axis.uniform:
        out.say(
            "Since {gcd} but {divides} ({k} is not a multiple of {s}), the interior count "
            f"alternates between {levels} (period {axis.period}): not uniform.",
            gcd=gcd,
            divides=out.tex(Divides(ax.s, ax.k, holds=False), values),
            k=out.tex(sp.Eq(ax.k, axis.kernel)),
            s=out.tex(sp.Eq(ax.s, axis.stride)),
        )
    else:
        out.say(
            "Since {gcd} and {divides}, every interior output receives {each} "
            + _plural(axis.kernel // axis.stride, "tap")
            + ": uniform.",
            gcd=gcd,
            divides=out.tex(Divides(ax.s, ax.k), values),
            each=f"{out.tex(ax.k / ax.s)} = {axis.kernel // axis.stride}",
        )


def _overlap_borders(doc: Derivation, out: _Writer, axis: AxisOverlap, j: Any, count: Any) -> None:
    """Where a border cuts taps off, or that it cuts none."""
    first, last = axis.interior_range or (0, -1)
    o = len(axis.counts)
    outside = [jj for jj in range(o) if not first <= jj <= last]
    # the interior pattern by j mod s; a border can only take taps away
    cut = [jj for jj in outside if axis.counts[jj] != axis.residues[jj % axis.stride]]
    if cut:
        shown = cut if len(cut) <= 8 else [*cut[:4], None, *cut[-4:]]
        listed = [
            r"\ldots"
            if jj is None
            else f"{out.tex(count)}({jj}) = {axis.counts[jj]} < {axis.residues[jj % axis.stride]}"
            for jj in shown
        ]
        out.say(
            "Near the borders some taps would need an input index outside {y}, so fewer "
            "reach than the pattern gives: {cut}.",
            cut=r",\ ".join(listed),
            y=_printed_names(out)["y"],
        )
    elif outside:
        where = "{outside}" if len(outside) <= 8 else f"all {len(outside)} of them"
        out.say(
            "The border outputs, " + where + ", lose no tap here: their counts follow the "
            "same pattern.",
            outside=rf"{out.tex(j)} \in {out.tex(sp.FiniteSet(*outside))}",
        )
    else:
        out.say("Every output is away from the borders.")


def _overlap_verdict(doc: Derivation, out: _Writer, ov: Overlap, per_group: int) -> None:
    """The N-d counts (2-D: as a matrix) and the verdict, with this geometry's reason."""
    g = doc.geometry
    axes = ov.axes
    n = _printed_names(out)
    if g.ndim > 1:
        out.subsection("Together")
    if g.ndim == 2:
        terms = ov.terms()
        out.say(
            "The number of terms of each entry {entry} of {x}, the product of the axes' "
            "counts" + (f" times {per_group}" if per_group > 1 else "") + ":",
            entry=rf"{n['x']}[j_1, j_2]",  # not x_{j_1, j_2}: no index of an index
            **n,
        )
        grid = ElidedMatrix.of(terms.shape, lambda rc: int(terms[rc]))
        out.display(out.tex(grid))
    # the counts interior outputs can have: a product of one interior count per axis
    per_axis = (set(axis.interior) for axis in axes)
    levels = sorted({per_group * math.prod(c) for c in itertools.product(*per_axis)})
    if all(axis.uniform for axis in axes):
        out.say(
            ("Here {gcd} and {divides} on every axis" if g.ndim > 1 else "Here {gcd} and {divides}")
            + ", so interior coverage is uniform: every interior output receives "
            + f"{levels[0]} {_plural(levels[0], 'term')} — no checkerboard.",
            gcd=f"{out.tex(Gcd(_D, _S))} = 1",
            divides=out.tex(Divides(_S, _K)),
        )
        return
    # one reason per distinct cause, with the axes it holds on
    reasons: dict[tuple[int, int, int], list[int]] = {}
    for r, axis in enumerate(axes):
        if not axis.uniform:
            key = (axis.gcd, 0, 0) if axis.gcd > 1 else (1, axis.kernel, axis.stride)
            reasons.setdefault(key, []).append(r + 1)
    parts: list[str] = []
    math_: dict[str, str] = {}
    for number, ((gcd, k, s), on) in enumerate(reasons.items()):
        if gcd > 1:
            parts.append(f"{{gcd{number}}} leaves outputs without taps")
            math_[f"gcd{number}"] = rf"{out.tex(Gcd(_D, _S))} = {gcd} > 1"
        else:
            parts.append(f"{{k{number}}} is not a multiple of {{s{number}}}")
            math_[f"k{number}"] = out.tex(sp.Eq(_K, k))
            math_[f"s{number}"] = out.tex(sp.Eq(_S, s))
        parts[-1] += _on_axes(on, g.ndim)
    uneven = sum(len(on) for on in reasons.values())
    if uneven > 1:
        pattern = "the checkerboard"
    elif g.ndim > 1:
        pattern = "stripes (one axis varies)"
    else:
        pattern = "the 1-d form of the checkerboard"
    out.say(
        "Here " + "; ".join(parts) + f", so interior outputs alternate between "
        f"{_and_list(levels)} terms — {pattern}.",
        **math_,
    )
