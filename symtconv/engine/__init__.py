"""The fast exact engine: proofs for real layer sizes, with millions of terms.

Explanation
===========

Every output of a transposed convolution is a *bilinear* polynomial in ``y`` and ``w``
with integer coefficients: a sum of products ``y[c, n]·w[c, j, m]``.  A whole layer is
therefore a set of integer triples ``(output, input, weight)`` (flat row-major indices
into ``x``, ``y`` and ``w``) with an integer coefficient each.  The engine stores such a
set as a :class:`TermSet`: every triple is packed into one int64 key::

    key = (output · |y| + input) · |w| + weight

(:class:`TermSpace` checks that ``|x|·|y|·|w| < 2**63``), the keys are sorted, equal
keys are merged by adding their coefficients, and zero coefficients are dropped.  That is
a canonical form: two sets of polynomials are equal exactly when their keys and
coefficients are equal, element for element.  Sorted by key means sorted by output, so
the terms of one output are contiguous.

Each method is *executed* on index arrays, with its own steps, never written down as a
formula for the answer:

- :func:`scatter_terms` (the reference): loop over the kernel taps ``m``; for all inputs
  ``n`` at once, ``y[n]·w[m]`` lands at ``s·n + d·m - p_begin`` when that is inside
  ``[0, o)``.
- :func:`transpose_terms`: build the nonzeros ``(row, column, tap)`` of the forward
  conv's matrix ``C`` from the forward definition (:func:`conv_matrix_entries`), one
  axis at a time and joined by Kronecker products, then apply ``Cᵀ``: each
  ``C[row, col] ∋ w[tap]`` times ``y[row]`` lands in output ``col``.  When the forward
  conv does not map the output size back to the input size (``output_padding >=
  stride``, which PyTorch accepts when ``output_padding < dilation``), ``Cᵀy`` has no
  meaning and :class:`~symtconv.errors.ShapeError` explains why.
- :func:`flip_and_pad_terms`: :func:`zero_insertion` (an index map of the stretched
  input, ``-1`` for an inserted zero), :func:`pad_or_crop` (a shift and a bounds check;
  a negative pad is a crop), :func:`flip_kernel` (reversed tap indices), and
  :func:`correlate` (stride 1, dilation ``d``, over the padded map), each its own step.
- :func:`vjp_terms`: run the forward conv as frameworks do (pad ``x``, dilated windows
  with stride ``s``) to get the trilinear terms ``y[n]·w[m]·x[j]`` of ``⟨y, conv(x)⟩``,
  then differentiate with respect to ``x``: the coefficient of ``x[j]`` is output ``j``.

:func:`prove_fast` compares every method with the scatter and fills the same
:class:`~symtconv.results.Proof` as the SymPy tier; a difference is reported as the first
differing outputs with their missing and extra terms.

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.engine import prove_fast, terms
>>> g = Geometry((3, 3), 3, stride=2, padding=1)
>>> proof = prove_fast(g)
>>> proof.proved, proof.outputs, proof.terms
(True, 25, 49)
>>> terms(g, "flip_and_pad").expression((0, 1, 1))
w_{0,0}*y_{1,1} + w_{0,2}*y_{1,0} + w_{2,0}*y_{0,1} + w_{2,2}*y_{0,0}

The package keeps the representation apart from what runs on it:
:mod:`~symtconv.engine.term_sets` (:class:`TermSpace`, :class:`TermSet`, the canonical form),
:mod:`~symtconv.engine.methods` (the four methods, executed on index arrays) and
:mod:`~symtconv.engine.comparison` (:func:`compare`, :func:`count_terms`, :func:`prove_fast`).

See Also
========

symtconv.results.Proof, symtconv.progress
"""

from .comparison import MAX_TERMS, compare, count_terms, prove_fast
from .methods import (
    METHOD_TERMS,
    MatrixEntries,
    conv_matrix_entries,
    correlate,
    flip_and_pad_terms,
    flip_kernel,
    pad_or_crop,
    scatter_terms,
    terms,
    transpose_terms,
    vjp_terms,
    zero_insertion,
)
from .term_sets import TermSet, TermSpace

__all__ = [
    "TermSpace",
    "TermSet",
    "MatrixEntries",
    "METHOD_TERMS",
    "MAX_TERMS",
    "prove_fast",
    "terms",
    "count_terms",
    "compare",
    "scatter_terms",
    "transpose_terms",
    "conv_matrix_entries",
    "flip_and_pad_terms",
    "zero_insertion",
    "pad_or_crop",
    "flip_kernel",
    "correlate",
    "vjp_terms",
]
