"""Proofs that the sub-pixel decomposition computes the transposed convolution.

Explanation
===========

Two tiers, each executing the decomposition's own index arithmetic:

- :func:`prove_concrete` (the fast exact engine): ``y`` and ``w`` become index maps
  (every entry its own flat index, ``-1`` for a zero), the plan's own steps run on them
  (:func:`~symtconv.decomposition.plan.pad_or_crop` of ``y``,
  :meth:`~symtconv.decomposition.plan.Decomposition.rearrange_weight` of ``w``, the
  stride-1 correlation forming one ``y·w`` term per nonzero pair, then
  :func:`~symtconv.decomposition.plan.pixel_shuffle` and
  :func:`~symtconv.decomposition.plan.crop` of the map of conv positions); the resulting
  :class:`~symtconv.engine.TermSet` is compared exactly with the engine's scatter.
- :func:`prove_general` (SymPy, one axis, symbolic ``i, k, s, p_begin, p_end, a, d``):
  the plan's own formulas (:func:`~symtconv.decomposition.plan.axis_numbers`,
  :func:`~symtconv.decomposition.plan.tap_position`) evaluated on symbols; SymPy shows that
  output ``j`` receives ``y[n]·w[m]`` from the decomposition exactly when the scatter
  sends it there (``s·n + d·m - p_begin = j``), and that phase ``r`` holds the taps
  with ``d·m ≡ r ≡ j + p_begin (mod s)``.

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.decomposition import decompose, prove_concrete, prove_general
>>> bool(prove_concrete(decompose(Geometry((3, 4), 3, stride=(2, 3), padding=1))))
True
>>> bool(prove_general())
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..engine import TermSet, TermSpace, compare, scatter_terms
from ..errors import ParameterTypeError
from ..general import Step, check_identity
from ..geometry import Geometry
from ..limits import Cost, require
from ..notation import inline, prose
from ..results import Proof
from .plan import Decomposition, axis_numbers, crop, decompose, pad_or_crop, pixel_shuffle
from .plan import tap_position as _tap_position

__all__ = [
    "DecompositionProof",
    "decomposition_terms",
    "proof_cost",
    "prove_concrete",
    "prove_general",
]

def proof_cost(plan: Decomposition) -> int:
    """Candidate ``y·w`` pairs the concrete proof forms: the conv's multiply-adds.

    >>> from symtconv import Geometry
    >>> proof_cost(decompose(Geometry(4, 3, stride=2)))
    20
    """
    return plan.macs()["decomposition"]


# --------------------------------------------------------------------------- #
# The concrete tier: the plan executed on index maps
# --------------------------------------------------------------------------- #


def decomposition_terms(plan: Decomposition) -> TermSet:
    """The decomposition's output polynomials, executed on index maps.

    >>> from symtconv import Geometry
    >>> from symtconv.engine import terms
    >>> g = Geometry(3, 3, stride=2, padding=1)
    >>> decomposition_terms(decompose(g)) == terms(g, "scatter")
    True
    """
    g = plan.geometry
    base = TermSpace.of(g)
    y_map = np.arange(base.inputs, dtype=np.int64).reshape(1, *base.input_shape)
    padded = pad_or_crop(y_map, plan.input_pad, fill=-1)[0]  # (C_in, *(Q + T - 1))
    w_map = plan.rearrange_weight(
        np.arange(base.weights, dtype=np.int64).reshape(base.weight_shape), fill=-1
    )  # (C_out·Πs, C_in/g, *T)
    groups = g.groups
    cin_g, coutp_g = g.in_channels // groups, w_map.shape[0] // groups
    lengths, kernel = plan.phase_length, plan.sub_kernel
    positions = math.prod(lengths)
    z_count = w_map.shape[0] * positions
    z_base = np.arange(z_count, dtype=np.int64).reshape(groups, coutp_g, 1, positions)
    zs, ys, ws = [], [], []
    # the stride-1 correlation: z[oc, q] += ypad[c, q + u] · wc[oc, c, u]
    for u in np.ndindex(*kernel):
        window = padded[
            (slice(None), *(slice(t, t + q) for t, q in zip(u, lengths, strict=True)))
        ].reshape(groups, 1, cin_g, positions)
        tap = w_map[(slice(None), slice(None), *u)].reshape(groups, coutp_g, cin_g, 1)
        y_b, w_b, z_b = np.broadcast_arrays(window, tap, z_base)
        keep = (y_b >= 0) & (w_b >= 0)
        zs.append(z_b[keep])
        ys.append(y_b[keep])
        ws.append(w_b[keep])
    z = np.concatenate(zs) if zs else np.zeros(0, np.int64)
    # the pixel shuffle and the crop, run on the map of conv positions
    z_map = np.arange(z_count, dtype=np.int64).reshape(1, w_map.shape[0], *lengths)
    final = crop(pixel_shuffle(z_map, plan.stride), plan.crop)[0]
    space = TermSpace(final.shape, base.input_shape, base.weight_shape)
    lands = np.full(z_count, -1, dtype=np.int64)
    lands[final.reshape(-1)] = np.arange(final.size, dtype=np.int64)
    out = lands[z]
    inside = out >= 0
    y = np.concatenate(ys)[inside] if ys else z
    w = np.concatenate(ws)[inside] if ws else z
    return TermSet.from_indices(space, out[inside], y, w)


def prove_concrete(plan: Decomposition | Geometry) -> Proof:
    """Prove exactly, on the fast engine, that ``plan`` computes the scatter.

    A geometry is decomposed first.  Refuses (``TooLargeError``) past the limit
    ``decompose.terms`` (:data:`symtconv.limits.LIMITS`) of candidate pairs
    (:func:`proof_cost`), before any work.

    >>> from symtconv import Geometry
    >>> proof = prove_concrete(Geometry((5,), 4, stride=3, padding=2, dilation=2))
    >>> proof.proved, proof.methods
    (True, ('scatter', 'decomposition'))
    """
    if isinstance(plan, Geometry):
        plan = decompose(plan)
    if not isinstance(plan, Decomposition):
        raise ParameterTypeError(
            f"plan must be a Decomposition or a Geometry, got {type(plan).__name__}"
        )
    require(Cost("decompose", terms=proof_cost(plan),
                  what=f"the concrete proof of the decomposition ({plan.geometry.describe()})"))
    started = time.perf_counter()
    reference = scatter_terms(plan.geometry)
    comparison = compare(
        decomposition_terms(plan), reference, method="decomposition", reference="scatter"
    )
    return Proof(
        geometry=plan.geometry,
        engine="fast",
        methods=("scatter", "decomposition"),
        comparisons=(comparison,),
        outputs=reference.space.outputs,
        terms=len(reference),
        seconds=time.perf_counter() - started,
        notes=(
            "fast engine: the decomposition's own steps (input pad/crop, weight "
            "rearrangement, stride-1 correlation, pixel shuffle, crop) executed on index "
            "maps of y and w, compared with the scatter in canonical form",
        ),
    )


# --------------------------------------------------------------------------- #
# The general tier: symbolic sizes
# --------------------------------------------------------------------------- #

#: What :func:`prove_general` takes as given rather than proving with SymPy.
ASSUMED = (
    "floor is non-decreasing: 0 <= m <= k-1 gives 0 <= floor(d*m/s) <= floor(d*(k-1)/s)",
    "a correlation z[q] = Σ_u v[q + u]·h[u] and padding v[t] = y[t - P0] (y is 0 outside "
    "0 <= t < i; negative P0 is a crop)",
    "the pixel shuffle puts phase channel r's entry q at position s*q + r, for 0 <= r < s",
    "N-d: every step acts per axis, and a multi-index equals another iff every "
    "component does; channels and groups are untouched by the rewrite",
)


@dataclass(frozen=True)
class DecompositionProof:
    """The symbolic proof of the decomposition: its steps and what was assumed."""

    steps: tuple[Step, ...]
    assumed: tuple[str, ...]
    seconds: float

    @property
    def proved(self) -> bool:
        """True only when SymPy proved every step."""
        return bool(self.steps) and all(step.status == "proved" for step in self.steps)

    def __bool__(self) -> bool:
        return self.proved

    def __str__(self) -> str:
        verdict = "PROVED" if self.proved else "NOT PROVED"
        lines = [
            f"{verdict}: the sub-pixel decomposition equals the scatter for symbolic "
            "i, k, s, p_begin, p_end, a, d (one axis)",
            *(_step_text(step) for step in self.steps),
            "assumed:",
            *(f"  - {prose(text)}" for text in self.assumed),
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "proved": self.proved,
            "steps": [step.to_dict() for step in self.steps],
            "assumed": list(self.assumed),
            "seconds": round(self.seconds, 3),
        }


def _step_text(step: Step) -> str:
    """``str(step)``, with an outcome ``lhs = rhs`` set from the expressions themselves:
    SymPy's text of a ``Mod`` need not read back as written (``Mod(p + s - 1, s)`` reads
    as ``Mod(p - 1, s)``), and :func:`~symtconv.notation.prose` then keeps it as text."""
    expression = step.expression
    if isinstance(expression, sp.Eq):
        lhs, rhs = expression.args
        raw = f"{lhs} = {rhs}"
        if step.detail.endswith(raw):
            before = step.detail[: -len(raw)]
            return (f"[{step.status}] {prose(step.name)}: {prose(before)}"
                    f"{inline(lhs)} = {inline(rhs)}")
    return str(step)


def prove_general(
    tap: Callable[[Any, Any, Any, Any], Any] = _tap_position,
) -> DecompositionProof:
    """Prove the decomposition for every size at once (one axis; N-d is per axis).

    Explanation
    ===========

    With ``J' = j + crop_begin = s·q' + r`` the interleaved position of output ``j``,
    the decomposition gives output ``j`` the terms ``y[n]·w[m]`` with
    ``n = q' + u - P0`` and ``d·m = tap(r, u, T, s)`` for ``0 <= u < T``.  SymPy shows:

    1. each such term is one the scatter sends to ``j``: ``s·n + d·m - p_begin = j``;
    2. each scatter term ``(n, m)`` of ``j`` is produced, by the one ``u`` that reads
       ``y[n]``, which reads tap ``m``: ``tap(r, u, T, s) = d·m``, with
       ``T - 1 - u = floor(d·m/s)``, inside ``[0, T-1]``;
    3. the phase: ``r ≡ j + p_begin (mod s)``, so phase ``r`` holds the taps with
       ``d·m ≡ r (mod s)``;
    4. lengths: the padded input has ``Q + T - 1`` entries (the conv gives ``Q``), the
       crop is ``(p_begin mod s, (-(p_begin + o)) mod s)``, both in ``[0, s)``.

    ``tap`` replaces the plan's tap rule (to watch a wrong one fail).

    >>> proof = prove_general(tap=lambda r, u, T, s: r + 1 + s * (T - 1 - u))
    >>> proof.proved, proof.steps[0].status
    (False, 'failed')
    """
    started = time.perf_counter()
    pos = {"integer": True, "positive": True}
    nonneg = {"integer": True, "nonnegative": True}
    i, k, s, d = (sp.Symbol(name, **pos) for name in ("i", "k", "s", "d"))
    # the crops named as the text names them (p_begin, p_end), in the formulas too
    pb, pe, a = (sp.Symbol(name, **nonneg) for name in ("p_begin", "p_end", "a"))
    n, m, j, u = (sp.Symbol(name, integer=True) for name in ("n", "m", "j", "u"))
    nums = axis_numbers(i, k, s, pb, pe, a, d)
    T, P0, P1, Q = nums["T"], nums["P0"], nums["P1"], nums["Q"]
    begin, end, o = nums["crop_begin"], nums["crop_end"], nums["o"]

    def phase(jj: Any) -> tuple[Any, Any]:
        # the pixel shuffle, inverted: interleaved position J' = s·q' + r
        shifted = jj + begin
        q = sp.floor(shifted / s)
        return q, shifted - s * q

    steps = []
    q, r = phase(j)
    steps.append(check_identity(
        "decomposition terms land where the scatter sends them",
        s * (q + u - P0) + tap(r, u, T, s) - pb, j,
        detail="n = q' + u - P0 and d·m = tap(r, u): s·n + d·m - p_begin",
    ))
    q_s, r_s = phase(s * n + d * m - pb)  # output j of a scatter term (n, m)
    u_s = n - q_s + P0  # the one position u whose window reads y[n]
    steps.append(check_identity(
        "every scatter term is produced: the u reading y[n] reads tap m",
        tap(r_s, u_s, T, s), d * m,
        detail="j = s·n + d·m - p_begin, u = n - q' + P0: tap(r, u)",
    ))
    steps.append(check_identity(
        "that u is a position of the sub-kernel: T - 1 - u = floor(d·m/s), in [0, T-1]",
        T - 1 - u_s, sp.floor(d * m / s),
        detail="and T - 1 = floor(d(k-1)/s), so 0 <= u <= T-1 for 0 <= m <= k-1 "
        "(floor is non-decreasing)",
    ))
    steps.append(check_identity(
        "phase r of output j is (j + p_begin) mod s",
        sp.Mod(r - j - pb, s), 0,
        detail="so phase r holds the taps with d·m ≡ r ≡ j + p_begin (mod s)",
    ))
    steps.append(check_identity(
        "the padded input has Q + T - 1 entries (the stride-1 conv gives Q)",
        i + P0 + P1, Q + T - 1,
    ))
    steps.append(check_identity("the crop before is p_begin mod s", begin, sp.Mod(pb, s)))
    steps.append(check_identity(
        "the crop after is (-(p_begin + o)) mod s, in [0, s)",
        end, sp.Mod(-(pb + o), s),
    ))
    return DecompositionProof(tuple(steps), ASSUMED, time.perf_counter() - started)
