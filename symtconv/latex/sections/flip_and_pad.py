"""The flip-and-pad section: zero insertion, padding or cropping, the flipped kernel, the
stride-1 correlation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from ...tensors import spatial_shape, symbol_name
from ..printer import ElidedSum, Grid, TensorSlice
from ..writer import _fits, _Writer
from .common import _D, _K, _P, _PLAIN, _S, _axis, _matrix_tex, _panels, _printed_names, _show

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..derivation import Derivation


def write_flip_and_pad(doc: Derivation, out: _Writer, figure: str | None = None) -> None:
    """Flip-and-pad step by step: zero insertion, pad or crop, flipped kernel, correlation."""
    g = doc.geometry
    n = _printed_names(out)
    shown, numbers = doc.symbols, doc.numbers
    out.section("Flip and pad, step by step")
    out.say(
        "The recipe of the blog post this project started from, in general form: insert "
        "zeros between the inputs, pad, flip the kernel, then convolve with stride 1. Each "
        "intermediate is shown with symbols"
        + (" and, after the second =, with the values." if numbers is not None else ".")
    )
    out.subsection("1. Zero insertion")
    out.say(
        "Put {gap} zeros between neighbouring entries of {y}: on each axis the length "
        "becomes {length}, here",
        gap=out.tex(_S - 1),
        length=out.tex(_PLAIN.stretched),
        **n,
    )
    rows = []
    for r in range(g.ndim):
        ax, values = _axis(doc.geometry, r)
        rows.append(
            (
                rf"\text{{axis {r + 1}: }} {out.tex(ax.stretched)}",
                f"{out.tex(ax.stretched, values)} = {g.axes[r].stretched}",
            )
        )
    out.align(rows)
    with_values = numbers.zero_inserted if numbers else None
    _show(out, _panels(out, shown.zero_inserted, "z", 1, with_values))
    out.subsection("2. Padding")
    out.say(
        "Pad {before} zeros before and {after} after, on every axis (a negative amount "
        "crops). For {d1} and {a0} both are the blog post's {seed}; in general they depend "
        "on the dilation and the output padding. Here",
        before=out.tex(_PLAIN.pad_before),
        after=out.tex(_PLAIN.pad_after),
        d1="d = 1",
        a0="a = 0",
        seed=out.tex(_K - _P - 1),
    )
    amounts = []
    for r, g_ax in enumerate(g.axes):
        ax, values = _axis(doc.geometry, r)
        axis = f" (axis {r + 1})" if g.ndim > 1 else ""
        for label, expr, value in (
            ("before", ax.pad_before, g_ax.pad_before),
            ("after", ax.pad_after, g_ax.pad_after),
        ):
            amounts.append(
                (
                    rf"\text{{{label}{axis}: }} {out.tex(expr)}",
                    f"{out.tex(expr, values)} = {value}",
                )
            )
    out.align(amounts)
    crops = [r + 1 for r, ax in enumerate(g.axes) if ax.pad_before < 0 or ax.pad_after < 0]
    if crops:
        out.say(
            f"A negative amount crops: on axis {', '.join(map(str, crops))} entries are "
            "removed instead of zeros added (this happens when {when}).",
            when=out.tex(_P > _D * (_K - 1)),
        )
    with_values = numbers.padded if numbers else None
    _show(out, _panels(out, shown.padded, "u", 1, with_values))
    out.subsection("3. Flipping the kernel")
    out.say(
        "Reverse the kernel on every spatial axis (top to bottom, left to right): {flip}.",
        flip=rf"\tilde{{{n['w']}}}_m = {n['w']}_{{k - 1 - m}}",
    )
    with_values = numbers.flipped if numbers else None
    _show(out, _panels(out, shown.flipped, "w", 2, with_values, "tilde"))
    out.subsection("4. Convolution with stride 1")
    out.say(
        "Slide the flipped kernel over the padded input with stride 1 and dilation {d} (a "
        "correlation, as deep-learning convolutions are), {sum}, summed over the input "
        "channels of the group. The output length per axis is the padded length minus the "
        "dilated kernel's span {span}, plus one. For example",
        d="d",
        sum=rf"{n['x']}_j = \sum_m u_{{j + d m}} \tilde{{{n['w']}}}_m",
        span=out.tex(_PLAIN.effective_kernel),
    )
    _window(doc, out)
    if numbers is not None:
        out.say("With the values, the result of flip-and-pad is")
        _show(out, _panels(out, numbers.result, "x", 1))
    if figure is not None:
        channels = g.in_channels * g.out_channels > 1
        out.figure(
            figure,
            "Flip-and-pad at a glance, in five panels: the input, zero insertion, padding, "
            "the flipped kernel and the output"
            + (" (channel 0 of {y}, the kernel {w00} and output channel 0)" if channels else "")
            + (
                ", with the values."
                if numbers is not None
                else ", whose cells give the number of y·w terms each output receives."
            ),
            y=n["y"],
            w00=out.tex(TensorSlice("w", (0, 0), g.ndim)),
        )


def _window(doc: Derivation, out: _Writer) -> None:
    """One output of flip-and-pad as the window of ``u`` against the flipped kernel."""
    g = doc.geometry
    w = _printed_names(out)["w"]
    shown = doc.symbols
    kernel = spatial_shape(g, g.kernel_size)
    dilation = [int(v) for v in g.dilation]
    target = tuple(min(1, int(o) - 1) for o in g.output_size)
    window = Grid(
        (1, *kernel),
        lambda index: shown.padded.get(
            (0, *(t + d * m for t, d, m in zip(target, dilation, index[1:], strict=True)))
        ),
    )
    flipped = Grid((1, *kernel), lambda index: shown.flipped.get((0, 0, *index[1:])))
    output = (0, *target)
    name = out.tex(sp.Symbol(symbol_name("x", output, shown.result.shape, 1)))
    many = g.in_channels // g.groups > 1
    channels = r"\sum_{c}" if many else ""
    pair = rf"\left\langle {_matrix_tex(out, window)},\ {_matrix_tex(out, flipped)} \right\rangle"
    total = out.tex(ElidedSum(shown.result.get(output)))
    wt = rf"\tilde{{{w}}}"
    named = not _fits(f"{name} = {channels}{pair}")
    if named:  # the two matrices side by side are too wide: name them, show them below
        out.display(rf"{name} = {channels}\left\langle U,\ {wt} \right\rangle = {total}")
        out.gather([f"U = {_matrix_tex(out, window)}", f"{wt} = {_matrix_tex(out, flipped)}"])
    else:
        out.display(f"{name} = {channels}{pair} = {total}")
    out.say(
        ("({U} is the window of {u}" if named else "(the window of {u}")
        + (" of input channel 0" if many else "")
        + " that this output reads, entrywise times {wt}, summed"
        + (" over the group's input channels" if many else "")
        + "). The proof below shows that every output equals the entry of {product} "
        "listed above.",
        U="U",
        u="u",
        wt=wt,
        product=r"C^{\top} \operatorname{vec}(y)",
    )
