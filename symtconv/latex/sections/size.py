"""The output-size section: the formula, and the forward convolution mapping the output size
back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from ..writer import _Writer
from .common import _O, _PLAIN, _axis, _forward_length, _o, _sizes

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..derivation import Derivation


def write_output_size(doc: Derivation, out: _Writer) -> None:
    """The output size per axis, and the forward convolution mapping it back to the input size."""
    g = doc.geometry
    out.section("The output size")
    out.say(
        "Zero insertion leaves {stretched} entries, padding adds {before} and {after}, and "
        "a stride-1 window of span {span} fits at",
        stretched=out.tex(_PLAIN.stretched),
        before=out.tex(_PLAIN.pad_before),
        after=out.tex(_PLAIN.pad_after),
        span=out.tex(_PLAIN.effective_kernel),
    )
    out.display(out.tex(sp.Eq(_O, _PLAIN.output)))
    out.say(
        "positions (the general document derives this two ways with SymPy: symtconv "
        "derive --general). Here"
    )
    rows = []
    for r in range(g.ndim):
        ax, values = _axis(doc.geometry, r)
        rows.append(
            (out.tex(_o(doc.geometry, r)), f"{out.tex(ax.output, values)} = {g.output_size[r]}")
        )
    out.align(rows)
    out.say("The forward convolution maps a length o back to the number of places its window fits,")
    rows = []
    for r in range(g.ndim):
        ax, values = _axis(doc.geometry, r)
        length = _forward_length(ax, _o(doc.geometry, r))
        value = int(length.xreplace(values))
        if value != g.forward_output_size[r]:  # the display formula must be Geometry's
            raise AssertionError(f"forward length {value} != {g.forward_output_size[r]}")
        rows.append((out.tex(length), f"{out.tex(length, values)} = {value}"))
    out.align(rows)
    if g.is_adjoint is True:
        out.say(
            "which is the input size. Exactly s output sizes, {sizes}, map back to it; "
            "output_padding {a} picks one of them, adding length at the high end and no "
            "data.",
            sizes=r"o - a, \ldots, o - a + s - 1",
            a=r"0 \le a < s",
        )
    else:
        out.say(
            "which is more than the input size: with {a} the shape relation of a "
            "transposed convolution breaks.",
            a=r"a \ge s",
        )
    out.say(
        f"So the output has shape {_sizes(g.output_shape)} "
        f"(1×{_sizes(g.output_shape)} with a batch of one)."
    )
