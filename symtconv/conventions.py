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

from .frameworks import *  # noqa: F403 (every public name of the package, its __all__)
from .frameworks import __all__ as __all__
from .frameworks.table import main as main

if __name__ == "__main__":
    sys.exit(main())
