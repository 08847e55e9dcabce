"""Framework conventions: PyTorch, ONNX, TensorFlow, Keras and JAX, translated exactly.

Explanation
===========

Every framework computes the same operation — the scatter
``x[s·n + d·m - p_begin] += y[n]·w[m]`` cropped to the output — but each one names and
parametrises it its own way: PyTorch crops ``padding`` from both ends of the full
output and adds ``output_padding`` at the high end; ONNX crops ``pads`` (asymmetric)
or derives them from ``output_shape``/``auto_pad``; TensorFlow defines the operation
as the gradient of a convolution whose input has ``output_shape``; Keras derives
everything from ``padding='valid'|'same'`` and ``output_padding``; JAX pads the
zero-inserted input instead (``lo = d(k-1) - p_begin``, ``hi = d(k-1) - p_end + a``)
and correlates, flipping the kernel only with ``transpose_kernel=True``.

The canonical meeting point is a :class:`~symtconv.Geometry` (PyTorch's names, with a
``(begin, end)`` crop per axis).  Two geometries describe the same operation exactly
when they agree on everything except how the end crop is split between ``p_end``
and ``output_padding``: only ``p_end - output_padding`` matters.  Readers
(``from_torch`` … ``from_jax``) therefore return the :func:`canonical` geometry — the
PyTorch form ``padding=p, output_padding=a`` whenever PyTorch can express the
operation, else an asymmetric crop — so that a round trip
``F -> Geometry -> G -> Geometry`` gives the very same object.

Writers (``to_torch`` … ``to_jax``) return a :class:`Call`: the keyword arguments of
the target's call, how PyTorch's weight is rearranged for it, and an extra ``crop`` of
its output when the target cannot express the padding (reported, never dropped).
:func:`convert` chains a reader and a writer into a :class:`Translation`.

Every per-axis formula is a small function written once, for Python ints and SymPy
integer symbols alike; :func:`prove_conventions` runs those very functions on
symbols and lets SymPy show that each translation gives the same output size and
the same scatter positions.

One concept per module: :mod:`~symtconv.frameworks.common` (the canonical geometry,
:class:`Call`, :class:`Transform`, layouts, the shared scalar helpers), one module per
framework with its reader, writer and own formulas (:mod:`~symtconv.frameworks.pytorch`,
:mod:`~symtconv.frameworks.onnx`, :mod:`~symtconv.frameworks.tensorflow`,
:mod:`~symtconv.frameworks.keras`, :mod:`~symtconv.frameworks.jax`),
:mod:`~symtconv.frameworks.translation` (``read``, ``write``, ``convert``, ``translate``),
:mod:`~symtconv.frameworks.proofs` and :mod:`~symtconv.frameworks.table` (the generated
docs/conventions.md).  :mod:`symtconv.conventions` is the documented import path; it
re-exports the names below.

Examples
========

The seed's ``ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2)`` in JAX:

>>> from symtconv.conventions import convert
>>> t = convert("torch", "jax", (32, 32), kernel_size=3, stride=2, padding=2,
...             in_channels=3, out_channels=6)
>>> t.kwargs["padding"], t.kwargs["transpose_kernel"], t.output_size
(((0, 0), (0, 0)), True, (61, 61))

ONNX ``SAME_UPPER`` crops asymmetrically, which PyTorch cannot express; the
translation says which crop is left to do:

>>> t = convert("onnx", "torch", (3, 3), kernel_shape=(3, 3), strides=(2, 2),
...             auto_pad="SAME_UPPER")
>>> t.geometry.padding, t.kwargs["padding"], t.crop
(((0, 1), (0, 1)), (0, 0), ((0, 1), (0, 1)))

The weight layouts differ too (Keras keeps ``(*k, out, in)``):

>>> convert("torch", "keras", 4, kernel_size=3, out_channels=2).weight.permute
(2, 1, 0)
"""

from __future__ import annotations

from .common import FRAMEWORKS, Call, Transform, canonical, same_operation
from .jax import from_jax, to_jax
from .keras import from_keras, to_keras
from .onnx import from_onnx, onnx_conv_transpose, onnx_pads, to_onnx
from .proofs import ConventionProof, ConventionProofs, prove_conventions
from .pytorch import from_torch, to_torch, torch_output_padding
from .table import DEVIATIONS, PARAMETER_TABLE, conventions_table
from .tensorflow import from_tf, to_tf
from .translation import ATTRIBUTES, Translation, convert, read, translate, write

__all__ = [
    "ATTRIBUTES",
    "DEVIATIONS",
    "FRAMEWORKS",
    "PARAMETER_TABLE",
    "Call",
    "ConventionProof",
    "ConventionProofs",
    "Transform",
    "Translation",
    "canonical",
    "conventions_table",
    "convert",
    "from_jax",
    "from_keras",
    "from_onnx",
    "from_tf",
    "from_torch",
    "onnx_conv_transpose",
    "onnx_pads",
    "prove_conventions",
    "read",
    "same_operation",
    "to_jax",
    "to_keras",
    "to_onnx",
    "to_tf",
    "to_torch",
    "torch_output_padding",
    "translate",
    "write",
]
