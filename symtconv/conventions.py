"""Framework conventions: PyTorch, ONNX, TensorFlow, Keras and JAX, translated exactly.

The documented import path of the package :mod:`symtconv.frameworks`, where the code
lives: one module per framework with its reader, writer and own formulas, the
canonical geometry in ``common``, then ``translation``, ``proofs`` and ``table``.  This
module re-exports the package's public names, so ``from symtconv.conventions import
convert, onnx_conv_transpose, prove_conventions`` keeps working, and
``python -m symtconv.conventions --table`` writes docs/conventions.md.
"""

from __future__ import annotations

import sys

from .frameworks import (
    ATTRIBUTES,
    DEVIATIONS,
    FRAMEWORKS,
    PARAMETER_TABLE,
    Call,
    ConventionProof,
    ConventionProofs,
    Transform,
    Translation,
    canonical,
    conventions_table,
    convert,
    from_jax,
    from_keras,
    from_onnx,
    from_tf,
    from_torch,
    onnx_conv_transpose,
    onnx_pads,
    prove_conventions,
    read,
    same_operation,
    to_jax,
    to_keras,
    to_onnx,
    to_tf,
    to_torch,
    torch_output_padding,
    translate,
    write,
)
from .frameworks.table import main as main

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


if __name__ == "__main__":
    sys.exit(main())
