"""Exact proofs that the methods agree: ``prove(geometry)``.

Explanation
===========

With symbolic ``y`` and ``w``, every output of a transposed convolution is a
polynomial in their entries.  :func:`prove` runs each method of
:mod:`symtconv.methods` on its own, expands every output, and compares the
polynomials with the definition (scatter) term by term.  Equal canonical polynomials
are a proof; any difference is reported with the first differing outputs and their
missing and extra terms.

When ``stride <= output_padding < dilation`` (PyTorch accepts it) the forward
convolution maps the output size back to *more* entries than ``y`` has, so ``Cᵀ·vec(y)``
and the VJP are not defined with the right shape: the proof says so, says what still
holds, and is not "proved".

Examples
========

>>> import symtconv
>>> proof = symtconv.prove(symtconv.Geometry((3, 3), 3, stride=2, padding=1))
>>> bool(proof), proof.outputs, proof.terms
(True, 25, 49)
>>> bad = symtconv.prove(symtconv.Geometry(3, 3, stride=1, dilation=2, output_padding=1))
>>> bool(bad), [c.holds for c in bad.comparisons]
(False, [False, True, False])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from . import methods as _methods
from .errors import NotAdjointError, ParameterError
from .geometry import Geometry, geometry_argument
from .results import METHODS, Comparison, Mismatch, Proof
from .tensors import (
    SYMPY_TERM_LIMIT,
    check_sympy_size,
    input_symbols,
    sympy_fits,
    term_name,
    weight_symbols,
)

__all__ = ["SYMPY_TERM_LIMIT", "prove", "prove_sympy"]

#: How many differing outputs a failed comparison lists.
MISMATCHES_SHOWN = 3

Canonical = dict[sp.Expr, sp.Expr]


def _canonical(expr: Any) -> Canonical:
    """An expanded polynomial as ``{monomial: coefficient}``, zero coefficients dropped."""
    terms = sp.expand(sp.sympify(expr)).as_coefficients_dict()
    return {m: c for m, c in terms.items() if c != 0}


def _factor_order(factor: sp.Basic) -> tuple[int, str]:
    name = str(factor)
    return ({"y": 0, "w": 1}.get(name[:1], 2), name)


def _term_text(monomial: sp.Expr, coefficient: sp.Expr) -> str:
    factors = sorted(sp.Mul.make_args(monomial), key=_factor_order)
    return term_name(coefficient, *factors)


def _compare(method: str, reference: np.ndarray, candidate: np.ndarray) -> Comparison:
    if candidate.shape != reference.shape:
        return Comparison(
            method,
            "scatter",
            False,
            f"the output sizes differ: {method} gives shape {candidate.shape}, the "
            f"definition (scatter) {reference.shape}",
        )
    mismatches: list[Mismatch] = []
    differing = 0
    for index in np.ndindex(*reference.shape):
        want, got = _canonical(reference[index]), _canonical(candidate[index])
        if want == got:
            continue
        differing += 1
        if len(mismatches) < MISMATCHES_SHOWN:
            excess = {m: got.get(m, 0) - want.get(m, 0) for m in {**want, **got}}
            missing = tuple(_term_text(m, -c) for m, c in excess.items() if c < 0)
            extra = tuple(_term_text(m, c) for m, c in excess.items() if c > 0)
            difference = sp.Add(*(c * m for m, c in excess.items()))
            mismatches.append(Mismatch(index, missing, extra, str(difference)))
    if differing:
        return Comparison(method, "scatter", False, "", differing, tuple(mismatches))
    return Comparison(method, "scatter", True)


Method = Callable[[Geometry, np.ndarray, np.ndarray], np.ndarray]


def _runners() -> dict[str, Method]:
    return {
        "scatter": _methods.scatter,
        "transpose": _methods.transpose,
        "flip_and_pad": lambda g, y, w: _methods.flip_and_pad(g, y, w).result,
        "vjp": _methods.vjp,
    }


def prove_sympy(
    geometry: Geometry,
    methods: Sequence[str] | None = None,
    *,
    implementations: dict[str, Method] | None = None,
) -> Proof:
    """Prove with plain SymPy expressions that the methods agree on ``geometry``.

    Parameters
    ==========

    geometry : Geometry
        Concrete sizes, at most :data:`SYMPY_TERM_LIMIT` terms.
    methods : sequence of str, optional
        Names from :data:`symtconv.results.METHODS`; all four by default.  The
        definition (``scatter``) is always the reference.
    implementations : dict, optional
        Replacement implementations by name (for testing that a wrong one is caught).
    """
    names = _method_names(methods)
    if geometry.is_symbolic:
        raise ParameterError(
            "prove needs concrete sizes, got a symbolic geometry; for symbolic sizes use "
            "symtconv.general.prove_general (CLI: symtconv prove --general)"
        )
    terms = check_sympy_size(geometry)
    start = time.perf_counter()
    runners = {**_runners(), **(implementations or {})}
    y, w = input_symbols(geometry), weight_symbols(geometry)
    reference = runners["scatter"](geometry, y, w)
    comparisons = []
    notes = []
    for name in names[1:]:
        try:
            candidate = runners[name](geometry, y, w)
        except NotAdjointError as error:
            comparisons.append(Comparison(name, "scatter", False, f"not defined: {error}"))
            continue
        comparisons.append(_compare(name, reference, candidate))
    if "transpose" in names and geometry.is_adjoint is False:
        extended = _compare("transpose", reference, _methods.transpose(geometry, y, w, extend=True))
        verdict = "equal (proved)" if extended.holds else "NOT equal"
        notes.append(
            "with y zero-extended to the forward convolution's size "
            f"{geometry.forward_output_size}, Cᵀ·vec(y) and the definition are {verdict}"
        )
    return Proof(
        geometry=geometry,
        engine="sympy",
        methods=tuple(names),
        comparisons=tuple(comparisons),
        outputs=int(np.prod(reference.shape)),
        terms=terms,
        seconds=time.perf_counter() - start,
        notes=tuple(notes),
    )


def _method_names(methods: Sequence[str] | None) -> list[str]:
    names = (
        list(METHODS) if methods is None else ["scatter", *(m for m in methods if m != "scatter")]
    )
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise ParameterError(
            f"methods must be among {', '.join(METHODS)}, got methods={list(methods or [])!r}"
        )
    if len(names) < 2:
        raise ParameterError(
            f"methods must name at least one method besides scatter, got methods={methods!r}"
        )
    return names


ENGINES = ("auto", "sympy", "fast")


def prove(
    geometry: Geometry, *, engine: str = "auto", methods: Sequence[str] | None = None
) -> Proof:
    """Prove exactly that the methods agree on ``geometry``; returns a :class:`Proof`.

    Explanation
    ===========

    ``engine="sympy"`` uses plain SymPy expressions (readable, limited to
    :data:`SYMPY_TERM_LIMIT` terms); ``engine="fast"`` uses the exact term engine of
    :mod:`symtconv.engine` for layers with millions of terms; ``"auto"`` picks by size.
    The proof object is truthy only if every method was proved equal to the definition.

    Examples
    ========

    >>> import symtconv
    >>> g = symtconv.Geometry((2, 3, 2), (2, 1, 2), stride=(1, 2, 2), dilation=(2, 1, 1),
    ...                       output_padding=(0, 1, 1), in_channels=2, out_channels=4, groups=2)
    >>> bool(symtconv.prove(g))
    True
    """
    geometry_argument(geometry)
    if engine not in ENGINES:
        raise ParameterError(f"engine must be one of {', '.join(ENGINES)}, got engine={engine!r}")
    if engine == "auto":
        engine = "sympy" if _sympy_sized(geometry) else "fast"
    if engine == "sympy":
        return prove_sympy(geometry, methods)
    from .engine import prove_fast

    if geometry.is_symbolic:
        raise ParameterError(
            "prove needs concrete sizes, got a symbolic geometry; for symbolic sizes use "
            "symtconv.general.prove_general (CLI: symtconv prove --general)"
        )
    _method_names(methods)  # the same validation and message as the SymPy tier
    return prove_fast(geometry, methods=None if methods is None else _method_names(methods))


#: ``engine="auto"`` uses SymPy up to this many ``y·w`` terms (about a second).
AUTO_SYMPY_TERMS = 1_000
#: ... and up to this many entries of ``y`` and ``x`` together.
AUTO_SYMPY_ENTRIES = 10_000


def _sympy_sized(geometry: Geometry) -> bool:
    return sympy_fits(geometry, AUTO_SYMPY_TERMS, AUTO_SYMPY_ENTRIES)
