"""The sections of a concrete derivation, one module per group, each a function of the
:class:`~symtconv.latex.derivation.Derivation` and the document being written.

In document order: :mod:`.inputs` (setup and notation, the tensors), :mod:`.matrix` (C and
Cᵀ·vec(y)), :mod:`.flip_and_pad`, :mod:`.size` (the output size), :mod:`.overlap`,
:mod:`.proof` and :mod:`.numbers`; :mod:`.common` holds what they share.
"""

from .flip_and_pad import write_flip_and_pad
from .inputs import write_setup, write_tensors
from .matrix import write_matrix, write_transpose
from .numbers import write_numbers
from .overlap import write_overlap
from .proof import write_proof
from .size import write_output_size

__all__ = [
    "write_setup",
    "write_tensors",
    "write_matrix",
    "write_transpose",
    "write_flip_and_pad",
    "write_output_size",
    "write_overlap",
    "write_proof",
    "write_numbers",
]
