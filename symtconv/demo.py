"""The seed's worked example, end to end: what ``symtconv demo`` shows.

The blog post this project started from computes ``nn.ConvTranspose2d`` with
``k=3, s=2, p=1`` on a 3×3 input twice: with PyTorch, and by hand — insert zeros
between the inputs (元素填充), pad the border (周围填充), flip the kernel (参数翻转),
then convolve with stride 1 (输出结果).  The demo does the same with symbols, proves
that the hand recipe, ``Cᵀ·vec(y)``, the scatter definition and the gradient agree,
then substitutes the post's numbers.

Examples
========

>>> from symtconv.demo import seed_demo
>>> demo = seed_demo()
>>> demo.matches_seed, bool(demo.proof)
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from . import methods as _methods
from .console import formula, grid, html_text, terminal_width
from .evaluate import substitute
from .geometry import Geometry
from .matrix import conv_matrix
from .proofs import prove
from .results import Proof
from .tensors import input_symbols, weight_symbols

__all__ = ["SEED_INPUT", "SEED_KERNEL", "SEED_OUTPUT", "Demo", "seed_demo", "format_grid"]

#: The seed's input, kernel and published output (PyTorch's conv_transpose2d, s=2, p=1).
SEED_INPUT = [[9, 1, 3], [7, 8, 7], [8, 2, 2]]
SEED_KERNEL = [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
SEED_OUTPUT = [
    [36, 28, 4, 6, 12],
    [23, 63, 17, 56, 17],
    [28, 29, 32, 31, 28],
    [23, 47, 12, 29, 11],
    [32, 26, 8, 8, 8],
]
#: The seed's shape example: ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2).
SEED_SHAPE_EXAMPLE = Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6)


def format_grid(array: Any, width: int | None = None) -> str:
    """A 2-D array (numbers or symbols) as aligned rows, like PyTorch prints tensors;
    with ``width``, in labelled column blocks when wider (:func:`symtconv.console.grid`)."""
    return grid(array, width)


def _labelled(label: str, array: Any, width: int | None) -> list[str]:
    """``label (rows×columns):`` and the matrix below it."""
    rows, columns = np.asarray(array, dtype=object).shape
    return [f"{label} ({rows}×{columns}):", format_grid(array, width)]


def _plain(array: np.ndarray) -> list[Any]:
    return [[int(v) for v in row] for row in array]


@dataclass(frozen=True)
class Demo:
    """Everything the demo shows, as data; ``str()`` is the text, ``to_dict()`` the JSON."""

    geometry: Geometry
    y: np.ndarray
    w: np.ndarray
    matrix: sp.SparseMatrix
    transposed: np.ndarray
    steps: _methods.FlipAndPad
    proof: Proof
    numeric_steps: _methods.FlipAndPad
    output: np.ndarray

    @property
    def matches_seed(self) -> bool:
        """Whether the substituted result is the seed's published 5×5 output."""
        return _plain(self.output[0]) == SEED_OUTPUT

    def __str__(self) -> str:
        return self.text(terminal_width())

    def text(self, width: int | None = None) -> str:
        """The demo as text; with ``width``, matrices wider than that are split into
        labelled column blocks (the CLI also wraps the prose to the terminal)."""
        g = self.geometry
        s = self.numeric_steps
        lines = [
            "symtconv demo — the seed's worked example: nn.ConvTranspose2d, kernel 3×3, "
            "stride 2, padding 1, on a 3×3 input",
            f"output size per axis: o = (i-1)s - 2p + d(k-1) + a + 1 = (3-1)·2 - 2·1 + 1·2 + 0 + 1"
            f" = {g.output_size[0]}",
            "",
            "1. symbolic input y and kernel w, and the seed's numbers for them",
            *_labelled("y, symbols", self.y[0], width),
            *_labelled("y, the seed's numbers", SEED_INPUT, width),
            *_labelled("w, symbols", self.w[0, 0], width),
            *_labelled("w, the seed's numbers", SEED_KERNEL, width),
            "",
            f"2. the forward convolution's matrix C ({self.matrix.rows}×{self.matrix.cols}; "
            "row = entry of y, column = entry of x; C[n, j] = w[m] where j = s·n + d·m - p), "
            "its nonzeros row by row:",
        ]
        lines += [
            f"   row y_{{{n // 3},{n % 3}}}: "
            + ", ".join(
                f"x_{{{j // 5},{j % 5}}}←{self.matrix[n, j]}"
                for j in range(self.matrix.cols)
                if self.matrix[n, j] != 0
            )
            for n in range(self.matrix.rows)
        ]
        lines += ["", "3. Cᵀ·vec(y), entry by entry"]
        lines += [
            f"   x_{{{j},{jj}}} = {formula(self.transposed[0, j, jj], 10**6)}"
            for j in range(5)
            for jj in range(5)
        ]
        lines += [
            "",
            "4. flip-and-pad, step by step (symbols, then the seed's numbers)",
            "zero insertion (元素填充): s-1 = 1 zero between entries",
            *_labelled("symbols", self.steps.zero_inserted[0], width),
            *_labelled("the seed's numbers", s.zero_inserted[0], width),
            "padding (周围填充): d(k-1)-p = 1 on every side",
            *_labelled("symbols", self.steps.padded[0], width),
            *_labelled("the seed's numbers", s.padded[0], width),
            "flipped kernel (参数翻转): w[k-1-m] on each axis",
            *_labelled("symbols", self.steps.flipped[0, 0], width),
            *_labelled("the seed's numbers", s.flipped[0, 0], width),
            "result (输出结果): stride-1 correlation of the padded input with the flipped kernel",
            "symbols: the 25 entries of step 3 (step 5 proves them equal)",
            *_labelled("the seed's numbers", s.result[0], width),
            "",
            "5. exact proof",
            str(self.proof),
            "",
            "6. the seed's numbers substituted into Cᵀ·vec(y)",
            *_labelled("x", self.output[0], width),
            "matches the seed's published output: " + ("yes" if self.matches_seed else "NO"),
            "",
            f"the seed's shape example: ConvTranspose2d(3, 6, kernel_size=3, stride=2, "
            f"padding=2) on 1×3×32×32 gives 1×{SEED_SHAPE_EXAMPLE.out_channels}×"
            + "×".join(str(o) for o in SEED_SHAPE_EXAMPLE.output_size),
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter's view: the text (80 columns) in a ``<pre>`` block, not the dataclass."""
        return html_text(self.text(80))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (what ``symtconv demo --json`` prints)."""
        s = self.numeric_steps
        return {
            "geometry": self.geometry.to_dict(),
            "input": [[str(v) for v in row] for row in self.y[0]],
            "kernel": [[str(v) for v in row] for row in self.w[0, 0]],
            "transposed": [[str(v) for v in row] for row in self.transposed[0]],
            "steps": {
                "zero_inserted": _plain(s.zero_inserted[0]),
                "padded": _plain(s.padded[0]),
                "flipped_kernel": _plain(s.flipped[0, 0]),
                "result": _plain(s.result[0]),
            },
            "proof": self.proof.to_dict(),
            "output": _plain(self.output[0]),
            "matches_seed": self.matches_seed,
            "shape_example": {
                "geometry": SEED_SHAPE_EXAMPLE.to_dict(),
                "output_shape": [1, *SEED_SHAPE_EXAMPLE.output_shape],
            },
        }


def seed_demo() -> Demo:
    """Run the seed's worked example symbolically, prove it, substitute its numbers."""
    g = Geometry((3, 3), 3, stride=2, padding=1)
    y, w = input_symbols(g), weight_symbols(g)
    transposed = _methods.transpose(g, y, w)
    numbers_y = np.array([SEED_INPUT], dtype=object)
    numbers_w = np.array([[SEED_KERNEL]], dtype=object)
    return Demo(
        geometry=g,
        y=y,
        w=w,
        matrix=conv_matrix(g, w),
        transposed=transposed,
        steps=_methods.flip_and_pad(g, y, w),
        proof=prove(g, engine="sympy"),
        numeric_steps=_methods.flip_and_pad(g, numbers_y, numbers_w),
        output=substitute(transposed, g, SEED_INPUT, SEED_KERNEL),
    )
