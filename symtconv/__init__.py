"""symtconv: derive and prove the mathematics of transposed convolution with SymPy."""

from .errors import ParameterError, ParameterTypeError, ShapeError, SymtconvError, TooLargeError
from .evaluate import evaluate
from .geometry import Axis, Geometry
from .matrix import conv_matrix
from .proofs import prove
from .results import Proof

__all__ = [
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
