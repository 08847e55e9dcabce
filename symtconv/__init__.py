"""symtconv: derive and prove the mathematics of transposed convolution with SymPy."""

from .errors import ParameterError, ParameterTypeError, ShapeError, SymtconvError, TooLargeError
from .geometry import Axis, Geometry

__all__ = [
    "Axis",
    "Geometry",
    "SymtconvError",
    "ParameterError",
    "ParameterTypeError",
    "ShapeError",
    "TooLargeError",
]
