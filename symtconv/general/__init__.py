"""General proofs: transposed convolution for every size (see :mod:`symtconv.general.proof`)."""

from .proof import (
    ASSUMED,
    MAX_NDIM as MAX_NDIM,
    METHOD_NAMES as METHOD_NAMES,
    EntryForm,
    GeneralProof,
    Relationship,
    SizeDerivation,
    Status as Status,
    Step,
    check_identity,
    check_relationship,
    output_size_derivation,
    prove_general,
    relationships,
)

__all__ = [
    "ASSUMED",
    "EntryForm",
    "GeneralProof",
    "Relationship",
    "SizeDerivation",
    "Step",
    "check_identity",
    "check_relationship",
    "output_size_derivation",
    "prove_general",
    "relationships",
]
