"""symtconv: derive and prove the mathematics of transposed convolution with SymPy.

A transposed convolution is multiplication by ``Cᵀ``, with ``C`` the sparse matrix of the
forward convolution.  symtconv proves exactly that ``Cᵀ·vec(y)``, the flip-and-pad
recipe, the scatter definition and the gradient of the forward convolution agree, and
checks real implementations against them.

Main entry points
=================

- :class:`Geometry` -- a layer's parameters (PyTorch's names), its sizes and shapes.
- :func:`prove` -- exact proof that the methods agree on one geometry; a :class:`Proof`.
- :func:`symtconv.general.prove_general` -- the same identity for every size at once
  (symbolic ``i, k, s, p, d, a``); :func:`symtconv.conventions.prove_conventions` for
  the frameworks' padding conventions.
- :func:`evaluate` -- exact output of integer or rational values, shape ``(C_out, *o)``;
  :mod:`symtconv.numeric` for floating point (PyTorch's signature on numpy arrays).
- :func:`verify` -- check an implementation against the definition with hypothesis
  (needs the ``test`` extra); ``symtconv check`` runs it from the command line.
- :func:`decompose` -- the sub-pixel rewrite: a stride-1 convolution, a pixel shuffle
  and a crop, proved; ONNX export.
- :func:`conv_matrix` -- the matrix ``C`` itself; :mod:`symtconv.overlap` the
  checkerboard; :mod:`symtconv.latex` derivation documents; :mod:`symtconv.figures`.
- The command line: ``symtconv --help`` (``size``, ``prove``, ``eval``, ``demo``,
  ``check``, ``derive``, ``decompose``, ...).

Results print themselves as text (``str``), JSON (``to_dict()``) and, in Jupyter, LaTeX
(``_repr_latex_``) or HTML (``_repr_html_``).

Examples
========

>>> import symtconv
>>> bool(symtconv.prove(symtconv.Geometry((3, 3), 3, stride=2, padding=1)))
True
"""

from .errors import ParameterError, ParameterTypeError, ShapeError, SymtconvError, TooLargeError
from .evaluate import evaluate
from .geometry import Axis, Geometry
from .matrix import conv_matrix
from .proofs import prove
from .results import Proof

#: The package version, the one source of truth (pyproject.toml reads it from here).
__version__ = "0.1.0"

__all__ = [
    "__version__",
    "verify",
    "decompose",
    "evaluate",
    "prove",
    "Proof",
    "conv_matrix",
    "Axis",
    "Geometry",
    "SymtconvError",
    "ParameterError",
    "ParameterTypeError",
    "ShapeError",
    "TooLargeError",
]


def __getattr__(name: str) -> object:
    # verify needs hypothesis (the test extra): imported on first use only
    if name == "verify":
        from .verification import verify

        return verify
    if name == "decompose":  # the sub-pixel decomposition
        from .decomposition import decompose

        return decompose
    raise AttributeError(f"module 'symtconv' has no attribute {name!r}")


def __dir__() -> list[str]:
    # the lazily imported entry points too, so that help(symtconv) lists them; verify only
    # when hypothesis is there to import (pydoc tolerates no other error than AttributeError)
    import importlib.util

    names = set(globals()) | set(__all__)
    if importlib.util.find_spec("hypothesis") is None:
        names.discard("verify")
    return sorted(names)
