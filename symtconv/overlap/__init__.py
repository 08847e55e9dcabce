"""Overlap (checkerboard) analysis: how many ``y·w`` terms reach each output position.

Explanation
===========

Per axis, the product ``y[n]·w[m]`` lands at ``j = s·n + d·m - p`` of the output
(``p`` is the crop at the low end, ``p_begin``).  Write ``t = j + p`` for the position
in the uncropped output.  For a tap ``m`` the input index is ``n = (t - d·m)/s``, so
``m`` reaches ``t`` exactly when

.. math::  d\\,m \\equiv t \\pmod{s} \\quad\\text{and}\\quad 0 \\le (t - d\\,m)/s \\le i - 1.

The number of such taps is the number of nonzeros in column ``j`` of the forward
convolution's matrix C (per channel pair), and the number of terms of ``x[j]`` in
``x = Cᵀy``.  :func:`derive_overlap` derives it with SymPy for symbolic ``s, k, d``
by solving the congruence with ``g = gcd(d, s)``, ``s = g·s'``, ``d = g·d'``:

- only positions ``t ≡ 0 (mod g)`` — output indices ``j ≡ -p (mod g)`` — receive
  taps; when ``g > 1`` the others receive **none**;
- for ``t = g·t'`` the taps are ``m ≡ m0 (mod s')`` with ``m0 = (e·t') mod s'`` and
  ``e`` the inverse of ``d'`` modulo ``s'``; away from the borders
  (``d(k-1) <= t <= s(i-1)``) their number is

  .. math::  N(t) = \\left\\lfloor \\frac{k - 1 - m_0}{s'} \\right\\rfloor + 1
             = q + [m_0 < \\rho], \\qquad k = q\\,s' + \\rho,\\ 0 \\le \\rho < s';

- as ``t'`` runs over ``Z/s'``, ``m0`` runs over every residue once, so in one period
  ``s`` of the output, ``ρ`` positions receive ``q+1`` taps, ``s' - ρ`` receive ``q``
  and ``s - s'`` receive none; the counts add up to ``k`` (each tap lands once per
  period), an average of ``k/s`` per position.

**Uniform interior coverage** (no checkerboard) holds exactly when
``gcd(d, s) = 1`` and ``s | k`` on every axis — for ``d = 1`` the familiar ``s | k``.
The interior pattern's least period is ``g`` when ``s' | k`` and ``s`` otherwise.
In N-d the count at a position is the product of the per-axis counts, times
``C_in/groups`` (the input channels feeding one output channel).

With ``output_padding >= stride`` (allowed by PyTorch while ``< dilation``) C has
more rows than ``y`` has entries; the counts here are those of the transposed
convolution (``n < i``), not of C's extra rows.

Examples
========

The seed's worked example: ``k = 3, s = 2`` — 2 does not divide 3, a checkerboard.

>>> from symtconv import Geometry
>>> from symtconv.overlap import overlap
>>> ov = overlap(Geometry((3, 3), 3, stride=2, padding=1))
>>> ov.axes[0].counts, ov.axes[0].interior, ov.axes[0].period, ov.uniform
((1, 2, 1, 2, 1), (1, 2), 2, False)
>>> ov.terms()
array([[1, 2, 1, 2, 1],
       [2, 4, 2, 4, 2],
       [1, 2, 1, 2, 1],
       [2, 4, 2, 4, 2],
       [1, 2, 1, 2, 1]])

With ``k = 4`` the interior is uniform; with dilation 2 and stride 2 half the
positions receive nothing:

>>> overlap(Geometry(4, 4, stride=2, padding=1)).axes[0].counts
(1, 2, 2, 2, 2, 2, 2, 1)
>>> overlap(Geometry(4, 2, stride=2, dilation=2)).axes[0].counts
(1, 0, 2, 0, 2, 0, 2, 0, 1)
"""

from .counts import (
    CONDITION,
    AxisOverlap,
    Overlap,
    interior_counts,
    is_uniform,
    least_period,
    overlap,
    taps_reaching,
)
from .derivation import ASSUMED, OverlapDerivation, derive_overlap

__all__ = [
    "ASSUMED",
    "CONDITION",
    "AxisOverlap",
    "Overlap",
    "OverlapDerivation",
    "derive_overlap",
    "interior_counts",
    "is_uniform",
    "least_period",
    "overlap",
    "taps_reaching",
]
