"""General proofs: transposed convolution for *every* size, with symbolic parameters.

Explanation
===========

The other tiers prove the methods equal for one geometry at a time.  Here the sizes
and parameters are SymPy integer symbols (per axis ``i, k, s, p, d, a``), and each
method's output entry is *derived from that method's own steps* as a sum over the
input index ``n`` and the kernel tap ``m`` of ``y[n]·w[m]·[condition(j, n, m)]``:

- **scatter** (the definition): ``y[n]·w[m]`` lands at ``s·n + d·m`` of the full
  output, which is cropped by ``p`` at the start, so ``j = s·n + d·m - p``;
- **flip-and-pad**: zero insertion puts ``y[n]`` at ``s·n``, padding by
  ``P = d(k-1) - p`` (a crop when negative) moves it to ``s·n + P``, and the flipped
  tap ``m' = k-1-m`` reads ``j + d·m'`` of the padded sequence;
- **Cᵀ**: the ``(n, j)`` entry of the forward convolution's matrix, obtained as the
  Jacobian ``∂conv(x)[n]/∂x[j]`` with ``sympy.diff`` on ``Indexed``;
- **VJP**: ``∂⟨y, conv(x)⟩/∂x[j]``, again by ``sympy.diff``.

SymPy then shows that the conditions, the summation ranges and the output lengths
coincide.  Every claim is a :class:`Step` whose status is ``"proved"`` only when
SymPy established it (a difference simplified to 0, an inequality solved, a
structural equality), ``"failed"`` when a counterexample was found, and
``"undecided"`` otherwise.  The same machinery derives the output-size formula two
ways (:func:`output_size_derivation`) and reproduces Dumoulin & Visin's relationships
(:func:`relationships`).

Some facts are used as definitions, not proved by SymPy; they are listed in
:data:`ASSUMED` (and in every proof's ``to_dict()["assumed"]``): the definition of
``floor``, component-wise equality of multi-indices, that finite sums commute and
distribute over products, and that padding by a negative amount is a crop.

One concept per module: :mod:`~symtconv.general.symbols` (axis and channel symbols,
index algebra), :mod:`~symtconv.general.checks` (:class:`Step`, :func:`check_identity`,
the floor lemma, interval helpers), :mod:`~symtconv.general.sizes` (the output size,
derived), :mod:`~symtconv.general.models` (each method's entry, from its own steps),
:mod:`~symtconv.general.steps` (the comparing steps), :mod:`~symtconv.general.proof`
(:func:`prove_general`) and :mod:`~symtconv.general.relationships`.

Examples
========

>>> from symtconv.general import prove_general
>>> proof = prove_general()
>>> bool(proof)
True
>>> proof.entry
Eq(x[j], Sum(KroneckerDelta(j, d*m + n*s - p)*w[m]*y[n], (m, 0, k - 1), (n, 0, i - 1)))
>>> [s.name for s in proof.steps if s.status != "proved"]
[]

The output size, derived rather than typed in:

>>> from symtconv.general import output_size_derivation
>>> output_size_derivation().formula
a + d*k - d + i*s - 2*p - s + 1
"""

from __future__ import annotations

from .checks import ASSUMED, Step, check_identity
from .checks import Status as Status
from .models import METHOD_NAMES as METHOD_NAMES
from .models import EntryForm
from .proof import MAX_NDIM as MAX_NDIM
from .proof import GeneralProof, prove_general
from .relationships import Relationship, check_relationship, relationships
from .sizes import SizeDerivation, output_size_derivation

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
