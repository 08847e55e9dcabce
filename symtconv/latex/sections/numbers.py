"""The numbers section: the exact values substituted, checked against the expected output."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..printer import Grid
from ..writer import _Writer
from .common import _checked_cells, _panels, _printed_names, _same, _show

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..derivation import Derivation


def write_numbers(doc: Derivation, out: _Writer) -> None:
    """The given values substituted, compared with the expected output if there is one."""
    numbers = doc.numbers
    assert numbers is not None
    n = _printed_names(out)
    out.section("The numbers")
    out.say("The values")
    _show(out, _panels(out, numbers.y, "y", 1), _panels(out, numbers.w, "w", 2))
    out.say(
        "substituted into {product} give the output",
        product=rf"C^{{\top}} \operatorname{{vec}}({n['y']})",
    )
    _show(out, _panels(out, numbers.transposed, "x", 1))
    cells = _checked_cells(numbers.transposed.shape)
    which = (
        "entry for entry"
        if len(cells) == math.prod(numbers.transposed.shape)
        else f"on the {len(cells)} entries checked (those at the corners)"
    )
    same = _same(numbers.transposed, numbers.result, cells)
    text = "Flip-and-pad on the values gives " + (
        f"the same numbers, {which}." if same else "DIFFERENT numbers."
    )
    if doc.expected is not None:
        matches = _same(numbers.transposed, Grid.of(doc.expected), cells)
        text += (" This is " if matches else " This is NOT ") + doc.expected_label
        text += "." if len(cells) == doc.expected.size else f" ({which})."
    out.say(text)
