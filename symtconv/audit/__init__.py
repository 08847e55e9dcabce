"""Model audit: every transposed convolution of an ONNX file or a PyTorch module.

Explanation
===========

For each ``ConvTranspose`` (ONNX) or ``torch.nn.ConvTranspose1d/2d/3d`` of a model:
its input and output shapes, the canonical geometry, the translation into each
framework with the crop left to do, and findings — the traps people hit when moving
models between frameworks (codes in :data:`FINDINGS`).  Optionally each layer is
proved exactly (``prove=True``) and run in ONNX Runtime (``runtime="onnxruntime"``).

``onnx``, ``onnxruntime`` and ``torch`` are optional: each is imported only by the
reader or runner that needs it.

Examples
========

The analysis of one layer needs neither (the readers build the same spec from a model):

>>> from symtconv import Geometry
>>> from symtconv.audit import LayerSpec, audit_specs
>>> spec = LayerSpec("up", "ConvTranspose1d", "torch", (1, 1, 4),
...                  Geometry(4, 3, stride=2, dilation=3, output_padding=2))
>>> audit = audit_specs("example", "torch", [spec], targets=["onnx"])
>>> audit.layers[0].codes
('output-padding-not-adjoint', 'checkerboard')
>>> audit.summary()["findings"], bool(audit)
(2, False)
"""

from .layers import FINDINGS, Finding, Layer, LayerSpec
from .onnx_model import ModelError
from .report import (
    MAX_LAYERS,
    MAX_PROVE_TERMS,
    MAX_RUNTIME_ENTRIES,
    Audit,
    audit_cost,
    audit_onnx,
    audit_specs,
    audit_torch,
)
from .runtime import RUNTIMES

__all__ = [
    "FINDINGS",
    "MAX_LAYERS",
    "MAX_PROVE_TERMS",
    "MAX_RUNTIME_ENTRIES",
    "RUNTIMES",
    "Audit",
    "Finding",
    "Layer",
    "LayerSpec",
    "ModelError",
    "audit_cost",
    "audit_onnx",
    "audit_specs",
    "audit_torch",
]
