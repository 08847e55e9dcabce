"""symtconv: derive and prove the mathematics of transposed convolution with SymPy."""

from .errors import ParameterError, ParameterTypeError, ShapeError, SymtconvError, TooLargeError
from .evaluate import evaluate
from .geometry import Axis, Geometry
from .matrix import conv_matrix
from .proofs import prove
from .results import Proof

__all__ = [
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
