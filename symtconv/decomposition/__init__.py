"""The sub-pixel (polyphase) decomposition of a transposed convolution.

A transposed convolution with stride ``s`` is one stride-1 convolution to
``C_out·Πs`` channels, a pixel shuffle (depth-to-space, ``CRD`` order) and a crop: no
zero insertion, and ``1/Πs`` of flip-and-pad's multiply-adds.  :func:`decompose` plans
it for any concrete geometry (N axes, channels, groups, padding, output_padding,
dilation); the plan applies itself to arrays, proves itself on the fast engine
(:func:`prove_concrete`), and :func:`prove_general` proves the index map for symbolic
sizes.  :func:`to_onnx` writes it as an ONNX model (``Conv``, ``DepthToSpace`` or
``Reshape``/``Transpose``, ``Slice``/``Pad``).

``symtconv.decompose(geometry)`` is :func:`decompose`, as ``symtconv.verify`` is
:func:`symtconv.verification.verify`.

Examples
========

>>> import symtconv
>>> from symtconv import Geometry
>>> plan = symtconv.decompose(Geometry((8, 8), 4, stride=2, padding=1))
>>> plan.sub_kernel, plan.crop
((2, 2), ((1, 1), (1, 1)))
>>> bool(symtconv.decomposition.prove_concrete(plan))
True
"""

from __future__ import annotations

from typing import Any

from .plan import AxisPlan, Decomposition, decompose, pixel_shuffle
from .proofs import (
    MAX_PROOF_TERMS,
    DecompositionProof,
    decomposition_terms,
    proof_cost,
    prove_concrete,
    prove_general,
)

__all__ = [
    "AxisPlan",
    "Decomposition",
    "DecompositionProof",
    "MAX_PROOF_TERMS",
    "decompose",
    "decomposition_terms",
    "pixel_shuffle",
    "proof_cost",
    "prove_concrete",
    "prove_general",
    "to_onnx",
]


def __getattr__(name: str) -> Any:
    # the ONNX export needs the onnx extra: imported on first use only
    if name == "to_onnx":
        from .export import to_onnx

        return to_onnx
    raise AttributeError(f"module 'symtconv.decomposition' has no attribute {name!r}")

