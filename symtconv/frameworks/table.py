"""The documentation table (docs/conventions.md), generated from the code.

Explanation
===========

:func:`conventions_table` prints what each parameter means per framework, the
translation formulas (by SymPy, from the very functions the translations run), the
layouts, the proofs, the seed's example in each framework and the known deviations
from the ONNX specification.  ``python -m symtconv.conventions --table`` writes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import sympy as sp

from ..geometry import Axis
from .common import _NAMES, FRAMEWORKS
from .jax import _crop_from_jax_pads, _jax_output, _jax_pads, _jax_string_pads
from .keras import _keras_jax_pads
from .onnx import _onnx_split, _onnx_total
from .proofs import prove_conventions
from .pytorch import _torch_min_size
from .tensorflow import _tf_output_range, _tf_same_begin
from .translation import _layouts, _plain, convert

#: What each parameter means in each framework (rows of the docs table).
PARAMETER_TABLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("call", "`conv_transpose{1,2,3}d` / `ConvTranspose{1,2,3}d`", "`ConvTranspose` node",
     "`tf.nn.conv{1,2,3}d_transpose`", "`keras.layers.Conv{1,2,3}DTranspose`",
     "`jax.lax.conv_transpose`"),
    ("what it computes", "scatter `x[s·n + d·m - p] += y[n]·w[m]`", "the same as PyTorch",
     "gradient of `conv` w.r.t. its input", "`lax.conv_transpose` with `transpose_kernel=True` "
     "(JAX backend)", "correlation of the zero-inserted, padded input (no flip unless "
     "`transpose_kernel=True`)"),
    ("stride", "`stride`", "`strides`", "`strides`", "`strides`", "`strides`"),
    ("dilation", "`dilation` (< max(s, d) rule for `output_padding`)", "`dilations`",
     "`dilations` (the CPU kernels accept only 1)", "`dilation_rate` (not with `strides > 1`)",
     "`rhs_dilation`"),
    ("padding", "`padding=p`: crop p from **both** ends of the full output",
     "`pads=[x1_b, x2_b, …, x1_e, x2_e, …]`: crops, asymmetric; or `auto_pad`/`output_shape`",
     "`'SAME'`/`'VALID'`/explicit (2-D): the *forward* conv's padding",
     "`'valid'`/`'same'` only", "`[(lo, hi), …]`: padding of the zero-inserted **input**; "
     "`'SAME'`/`'VALID'` of the forward conv"),
    ("output size", "`(i-1)s - 2p + d(k-1) + a + 1`", "`s(i-1) + a + d(k-1)+1 - p_b - p_e`",
     "`output_shape` (required): any size conv maps back to i",
     "valid `(i-1)s + ek + a`; same `i·s` or `(i-1)s + ek%2 + a`",
     "`(i-1)s + lo + hi - d(k-1) + 1`"),
    ("extra length", "`output_padding` (or `forward(output_size=…)`)", "`output_padding`; "
     "`output_shape`", "through `output_shape`", "`output_padding` (< strides)",
     "through `hi`"),
    ("groups", "`groups`", "`group`", "none", "none", "none (`conv_general_dilated` has "
     "`feature_group_count`)"),
    ("weight", "`(C_in, C_out/groups, *k)`", "`(C, M/group, *k)`", "`[*k, out, in]`",
     "`(*k, filters, in)`", "`rhs` per `dimension_numbers`; `transpose_kernel` flips and "
     "swaps O/I"),
    ("data", "`(N, C, *spatial)`", "`(N, C, *spatial)`", "`data_format`, default channels last",
     "`data_format`, default channels last", "per `dimension_numbers` (default channels last)"),
    ("bias", "`bias` (C_out)", "`B` (M)", "none (add it)", "`use_bias`", "none (add it)"),
)


#: Where implementations deviate from the ONNX specification (each one asserted by a test).
DEVIATIONS: tuple[tuple[str, str, str], ...] = (
    ("onnx.reference.ReferenceEvaluator", "`output_shape` with `auto_pad` NOTSET (the default)",
     "derives no pads from `output_shape`: it scatters with zero pads into an output of "
     "`output_shape`, so a size that zero pads cannot give raises (col2im's shape check), and "
     "a smaller one that they can (with `output_padding`) keeps the first entries instead of "
     "the specification's split crop"),
    ("onnx.reference.ReferenceEvaluator", "`group > 1` with more than one input or output "
     "channel per group", "raises (wrong reshapes and slices of W and of the result)"),
    ("onnx.reference.ReferenceEvaluator", "`group > 1` with a bias B",
     "adds `B[0 … M/group-1]` to every group instead of each group's own entries"),
    ("onnx.reference.ReferenceEvaluator", "`output_padding >= strides` (allowed while "
     "`< dilations`), e.g. SAME with such an `output_padding`",
     "raises: its col2im assumes the forward conv maps the output back to the input"),
    ("onnx.shape_inference", "`auto_pad` SAME_UPPER/SAME_LOWER",
     "uses total padding `max(d(k-1)+1 - s, 0)` and adds `output_padding`: infers "
     "`i·s + output_padding` when `d(k-1)+1 >= s` and the natural size "
     "`(i-1)s + d(k-1)+1 + output_padding` when smaller; the specification says `i·s`"),
    ("PyTorch", "`forward(input, output_size=…)`",
     "accepts sizes up to `min + s - 1` only, although `output_padding` up to "
     "`max(s, d) - 1` is valid; symtconv's `torch_output_padding` agrees with PyTorch"),
)


def _formulas() -> list[tuple[str, str, str]]:
    """(framework, quantity, formula) rows, printed from the per-axis functions on symbols."""
    pos = {"integer": True, "positive": True}
    i, k, s, d = (sp.Symbol(n, **pos) for n in "iksd")
    pb, pe, a, o, p, lo, hi = (sp.Symbol(n, integer=True, nonnegative=True)
                               for n in ("p_b", "p_e", "a", "o", "p", "lo", "hi"))
    total = sp.Symbol("total", integer=True)
    rows = [
        ("symtconv", "output size", Axis(i, k, s, pb, pe, a, d).output),
        ("torch", "output_size -> output_padding", o - _torch_min_size(i, k, s, p, d)),
        ("torch", "valid output_size", sp.Interval(_torch_min_size(i, k, s, p, d),
                                                   _torch_min_size(i, k, s, p, d) + s - 1)),
        ("onnx", "total_padding (output_shape o)", _onnx_total(i, k, s, d, a, o)),
        ("onnx", "(begin, end), SAME_UPPER", _onnx_split(total, "SAME_UPPER", 22)),
        ("onnx", "(begin, end), NOTSET / SAME_LOWER", _onnx_split(total, "SAME_LOWER", 22)),
        ("onnx", "(begin, end), SAME_UPPER, opset 1", _onnx_split(total, "SAME_UPPER", 1)),
        ("jax", "(lo, hi) from the geometry", _jax_pads(k, d, pb, pe, a)),
        ("jax", "(p_begin, p_end - a) from (lo, hi)", _crop_from_jax_pads(k, d, lo, hi)),
        ("jax", "output size", _jax_output(i, k, s, d, lo, hi)),
        ("jax", "(lo, hi) for 'SAME'", _jax_string_pads(k, s, d, "SAME")),
        ("jax", "(lo, hi) for 'VALID'", _jax_string_pads(k, s, d, "VALID")),
        ("keras", "(lo, hi), 'valid', output_padding a", _keras_jax_pads(k, s, d, "valid", a)),
        ("keras", "(lo, hi), 'valid', output_padding None",
         _keras_jax_pads(k, s, d, "valid", None)),
        ("keras", "(lo, hi), 'same', output_padding a", _keras_jax_pads(k, s, d, "same", a)),
        ("keras", "(lo, hi), 'same', output_padding None", _keras_jax_pads(k, s, d, "same", None)),
        ("tf", "valid output_shape, 'SAME'", sp.Interval(*_tf_output_range(i, k, s, d, "SAME"))),
        ("tf", "valid output_shape, 'VALID'",
         sp.Interval(*_tf_output_range(i, k, s, d, "VALID"))),
        ("tf", "valid output_shape, explicit (p_b, p_e)",
         sp.Interval(*_tf_output_range(i, k, s, d, (pb, pe)))),
        ("tf", "begin crop for 'SAME'", _tf_same_begin(i, k, s, d, o)),
    ]
    return [(fw, what, f"`{sp.sstr(expr)}`") for fw, what, expr in rows]


def _layout_rows(ndim: int) -> list[tuple[str, str, str, str]]:
    rows = []
    for framework in FRAMEWORKS:
        layout = _layouts(framework, ndim)
        rows.append((
            _NAMES[framework],
            f"`{list(layout.weight.permute)}`",
            f"`{list(layout.weight.flip)}`",
            f"`{list(layout.data_in)}`",
        ))
    return rows


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def conventions_table() -> str:
    """The Markdown of docs/conventions.md, generated from this module.

    Examples
    ========

    >>> from symtconv.conventions import conventions_table
    >>> conventions_table().splitlines()[0]
    '# Transposed convolution in PyTorch, ONNX, TensorFlow, Keras and JAX'
    """
    names = [_NAMES[f] for f in FRAMEWORKS]
    seed = convert("torch", "torch", (32, 32), 3, stride=2, padding=2, in_channels=3,
                   out_channels=6)
    lines = [
        "# Transposed convolution in PyTorch, ONNX, TensorFlow, Keras and JAX",
        "",
        "<!-- generated by `python -m symtconv.conventions --table`; do not edit by hand -->",
        "",
        "Every framework computes the scatter `x[s·n + d·m - p_begin] += y[n]·w[m]`, cropped to",
        "the output, and names it differently. symtconv reads each framework's parameters into",
        "a canonical `Geometry` (PyTorch's names, a `(begin, end)` crop per axis) and writes",
        "them back (`symtconv.conventions`, `symtconv convert`). Only `p_end - output_padding`",
        "matters at the end of an axis, so the canonical form is PyTorch's",
        "`padding=p, output_padding=a` whenever PyTorch can express the operation.",
        "",
        "Notation per axis: `i` input length, `k` kernel, `s` stride, `d` dilation,",
        "`ek = d(k-1)+1`, `p_b`/`p_e` crops of the full output, `a` output_padding, `o` output",
        "length.",
        "",
        "## Parameters",
        "",
        *_md_table(["", *names], PARAMETER_TABLE),
        "",
        "## Translation formulas",
        "",
        "Printed by SymPy from the very functions the translations run:",
        "",
        *_md_table(["framework", "quantity", "formula"], _formulas()),
        "",
        "`//` and `floor` are floor division. A negative crop (ONNX pads from `output_shape`",
        "or SAME, JAX `hi`) appends zeros; a negative begin crop has no PyTorch form and is",
        "an error when reading (ONNX's `onnx_conv_transpose` still evaluates it).",
        "",
        "## Weight and data layouts",
        "",
        "How symtconv's writers lay out arrays, from PyTorch's weight `(C_in, C_out/groups, k_h,",
        "k_w)` and data `(N, C, H, W)` (2-D shown): `framework array = flip(transpose(torch",
        "array, permute), flip)`.",
        "",
        *_md_table(["framework", "weight permute", "weight flip", "data permute"],
                   _layout_rows(2)),
        "",
        "JAX with `transpose_kernel=False` needs the spatial axes flipped and O/I swapped;",
        "`symtconv convert --from jax` reads both from `dimension_numbers` and",
        "`transpose_kernel`.",
        "",
        "## Proofs (SymPy, every size at once)",
        "",
        *_md_table(["framework", "claim", "status"],
                   [(_NAMES[p.framework], p.claim, p.step.status) for p in prove_conventions()]),
        "",
        "## Example: the seed's `ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2)`",
        "",
        f"On a 32×32 input the output is {seed.output_size[0]}×{seed.output_size[1]}. "
        "In each framework:",
        "",
    ]
    for target in FRAMEWORKS:
        t = convert("torch", target, (32, 32), 3, stride=2, padding=2, in_channels=3,
                    out_channels=6)
        kwargs = json.dumps(_plain(t.kwargs))
        crop = "" if t.crop is None else f", then crop `{[list(c) for c in t.crop]}`"
        lines.append(f"- **{_NAMES[target]}**: `{t.call.function}` with `{kwargs}`; weight "
                     f"permute `{list(t.weight.permute)}`{crop}")
    lines += [
        "",
        "## Where implementations deviate from the specification",
        "",
        "symtconv's `onnx_conv_transpose` follows the ONNX specification; tests assert that",
        "each deviation below still exists, so this list stays true.",
        "",
        *_md_table(["implementation", "case", "behaviour"], DEVIATIONS),
        "",
    ]
    return "\n".join(lines)


def _default_docs_path() -> Path:
    return Path("docs") / "conventions.md"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m symtconv.conventions --table [PATH]``: write docs/conventions.md."""
    parser = argparse.ArgumentParser(prog="python -m symtconv.conventions",
                                     description="framework conventions for transposed conv")
    parser.add_argument("--table", nargs="?", const=str(_default_docs_path()), metavar="PATH",
                        help="write the conventions table (default docs/conventions.md)")
    args = parser.parse_args(argv)
    if args.table is None:
        parser.print_help()
        return 0
    path = Path(args.table)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(conventions_table(), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0
