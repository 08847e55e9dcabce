"""Comparing term sets: :func:`compare` (the first differing outputs, with their missing
and extra terms), :func:`count_terms`, and :func:`prove_fast`, which fills a
:class:`~symtconv.results.Proof` from every method compared with the scatter.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import sympy as sp

from ..errors import ParameterTypeError, ShapeError, TooLargeError
from ..geometry import Geometry
from ..progress import Reporter, reporter
from ..results import Comparison, Mismatch, Proof
from ..tensors import term_name
from .methods import (
    METHOD_TERMS,
    MethodTerms,
    _axes,
    _method,
    scatter_terms,
)
from .term_sets import Index, TermSet, TermSpace, _run_starts

MethodsArgument = Mapping[str, MethodTerms] | Sequence[str] | str | None


#: :func:`prove_fast` refuses geometries with more ``y·w`` terms than this (about 4 GB).
MAX_TERMS = 100_000_000


def _term_text(names: TermSpace, coefficient: int, y_flat: int, w_flat: int) -> str:
    return term_name(coefficient, names.input_name(y_flat), names.weight_name(w_flat))


def _difference_text(names: TermSpace, coefficients: Index, inputs: Index, weights: Index) -> str:
    """``method - reference`` for one output, printed by SymPy (as the SymPy tier does)."""
    return str(
        sp.Add(
            *(
                sp.Integer(int(c))
                * sp.Symbol(names.input_name(n))
                * sp.Symbol(names.weight_name(m))
                for c, n, m in zip(coefficients, inputs, weights, strict=True)
            )
        )
    )


def compare(
    method_terms: TermSet,
    reference_terms: TermSet,
    *,
    method: str = "method",
    reference: str = "scatter",
    limit: int = 3,
) -> Comparison:
    """Compare two term sets exactly; name the first ``limit`` differing outputs.

    Explanation
    ===========

    Equal spaces and equal canonical arrays prove equality.  Otherwise the difference
    ``method - reference`` is itself a term set; its outputs are the differing outputs,
    and in each, a negative coefficient is a term the method lacks (*missing*) and a
    positive one a term it has in excess (*extra*).  Term sets of different shapes (a
    method that gets the output size wrong) are compared in the union of both shapes,
    and the comparison fails.  Names follow the reference's shapes.

    >>> from symtconv import Geometry
    >>> from symtconv.engine import TermSet, terms
    >>> g = Geometry(3, 2, stride=2)
    >>> good, bad = terms(g, "scatter"), terms(g, "scatter")
    >>> bad = bad - TermSet.from_indices(good.space, [1], [0], [1])  # drop y_0·w_1
    >>> comparison = compare(bad, good, method="planted")
    >>> comparison.holds, comparison.differing
    (False, 1)
    >>> print(comparison.mismatches[0])
    x[0, 1]: method - reference = -w_{1}*y_{0}
        missing: y_{0}·w_{1}
    """
    names = reference_terms.space
    detail = ""
    a, b = method_terms, reference_terms
    if a.space != b.space:
        shapes = [
            f"{what} shape {sa} differs from the reference's {sb}"
            for what, sa, sb in (
                ("output", a.space.output_shape, b.space.output_shape),
                ("input", a.space.input_shape, b.space.input_shape),
                ("weight", a.space.weight_shape, b.space.weight_shape),
            )
            if sa != sb
        ]
        detail = "; ".join(shapes)
        if not a.space.ranks_match(b.space):
            return Comparison(method, reference, False, detail=detail)
        union = a.space.union(b.space)
        a, b = a.in_space(union), b.in_space(union)
    elif np.array_equal(a.keys, b.keys) and np.array_equal(a.coefficients, b.coefficients):
        return Comparison(method, reference, True, detail=f"identical sets of {len(a)} y·w terms")

    difference = a - b
    outputs, inputs, weights = difference.triples()
    starts = _run_starts(outputs)
    ends = np.append(starts[1:], outputs.size)
    mismatches = []
    for start, end in zip(starts[:limit], ends[:limit], strict=True):
        part = slice(int(start), int(end))
        coefficients = difference.coefficients[part]
        missing = tuple(
            _term_text(names, -int(c), int(n), int(m))
            for c, n, m in zip(coefficients, inputs[part], weights[part], strict=True)
            if c < 0
        )
        extra = tuple(
            _term_text(names, int(c), int(n), int(m))
            for c, n, m in zip(coefficients, inputs[part], weights[part], strict=True)
            if c > 0
        )
        mismatches.append(
            Mismatch(
                output=difference.space.output_index(int(outputs[start])),
                missing=missing,
                extra=extra,
                difference=_difference_text(names, coefficients, inputs[part], weights[part]),
            )
        )
    if not detail:
        detail = f"{starts.size} of {difference.space.outputs} outputs differ"
    return Comparison(
        method,
        reference,
        False,
        detail=detail,
        differing=int(starts.size),
        mismatches=tuple(mismatches),
    )


def count_terms(geometry: Geometry) -> int:
    """Number of ``y·w`` products landing inside the output, counted per axis with NumPy.

    >>> from symtconv import Geometry
    >>> count_terms(Geometry((64, 64), 4, stride=2, padding=1, in_channels=16, out_channels=16))
    16516096
    """
    total = geometry.in_channels * (geometry.out_channels // geometry.groups)
    for ax in _axes(geometry):
        lands = ax.s * np.arange(ax.i)[:, None] + ax.d * np.arange(ax.k)[None, :] - ax.p_begin
        total *= int(np.count_nonzero((lands >= 0) & (lands < ax.o)))
    return total


def _builders(methods: MethodsArgument) -> dict[str, MethodTerms]:
    """Method name -> implementation, with the reference 'scatter' first."""
    chosen: dict[str, MethodTerms] = {"scatter": scatter_terms}
    if methods is None:
        chosen.update(METHOD_TERMS)
    elif isinstance(methods, Mapping):
        for name, build in methods.items():
            if not callable(build):
                raise ParameterTypeError(
                    f"methods must map names to callables geometry -> TermSet, got "
                    f"{name!r}: {build!r}"
                )
            chosen[str(name)] = build
    else:
        names: Iterable[str] = (methods,) if isinstance(methods, str) else methods
        for name in names:
            chosen[name] = _method(name)
    return chosen


def prove_fast(
    geometry: Geometry,
    *,
    methods: MethodsArgument = None,
    progress: Reporter | bool | None = None,
) -> Proof:
    """Prove exactly that the methods agree on a concrete geometry, at any practical size.

    Explanation
    ===========

    Builds the :class:`TermSet` of the reference ``'scatter'`` and of every other
    method, executing each method's own steps, and compares them exactly.  A method that
    is not defined for the geometry (``Cᵀy`` and the VJP when ``output_padding >=
    stride``) gives ``holds=False`` with the reason in ``detail``.  A 16→16-channel
    64×64 layer with a 4×4 kernel (16.5 million terms per method) takes about three
    seconds and 0.6 GB; geometries with more than :data:`MAX_TERMS` terms raise
    :class:`~symtconv.errors.TooLargeError` instead of exhausting memory.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> g = Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6)
    >>> proof = prove_fast(g)
    >>> proof.proved, proof.engine, proof.terms
    (True, 'fast', 152352)

    A planted mistake is found and named (here: the kernel is not flipped):

    >>> from symtconv.engine import correlate, pad_or_crop, zero_insertion
    >>> g = Geometry(3, 2, stride=2, padding=0)
    >>> def no_flip(g):
    ...     padded = pad_or_crop(zero_insertion(g), [1], [1])
    ...     return correlate(g, padded, np.arange(2))
    >>> proof = prove_fast(g, methods={"flip_and_pad": no_flip})
    >>> proof.proved
    False
    >>> print(proof.first_mismatch)
    x[0, 0]: method - reference = -w_{0}*y_{0} + w_{1}*y_{0}
        missing: y_{0}·w_{0}
        extra:   y_{0}·w_{1}

    Parameters
    ==========

    geometry : a concrete :class:`~symtconv.geometry.Geometry`.
    methods : ``None`` (all four), names from ``METHODS``, or a mapping from names to
        callables ``geometry -> TermSet`` (to check another implementation); the
        reference is the engine's ``'scatter'`` unless the mapping replaces it.
    progress : ``None`` (a bar on stderr, on a terminal, after two seconds), ``False``,
        ``True`` or a :class:`~symtconv.progress.Reporter`.

    See Also
    ========

    terms, compare, symtconv.results.Proof
    """
    if not isinstance(geometry, Geometry):
        raise ParameterTypeError(
            f"geometry must be a symtconv.Geometry, got {type(geometry).__name__}"
        )
    started = time.perf_counter()
    space = TermSpace.of(geometry)  # concrete sizes and an int64-sized key space, or a clear error
    count = count_terms(geometry)
    if count > MAX_TERMS:
        raise TooLargeError(
            f"the fast engine handles at most MAX_TERMS={MAX_TERMS:,} y·w terms "
            f"(about 40 bytes each at the peak), and this geometry ({geometry.describe()}) "
            f"has {count:,}"
        )
    builders = _builders(methods)
    comparisons = []
    bar = reporter(progress)
    bar.start(len(builders), "symtconv prove (fast engine)")
    try:
        bar.step("scatter")
        reference = _built(builders["scatter"], geometry, "scatter")
        for name, build in builders.items():
            if name == "scatter":
                continue
            bar.step(name)
            try:
                method_terms = _built(build, geometry, name)
            except ShapeError as error:
                comparisons.append(Comparison(name, "scatter", False, detail=str(error)))
                continue
            comparisons.append(compare(method_terms, reference, method=name, reference="scatter"))
            del method_terms
    finally:
        bar.finish()
    notes = [
        "fast engine: every method executed on exact integer (output, y, w) term triples, "
        "compared in a sorted canonical form"
    ]
    if geometry.is_adjoint is not True:
        notes.append(
            "output_padding >= stride on some axis: the transposed conv is not Cᵀ of the "
            "convolution with the same parameters (PyTorch allows it when output_padding < "
            "dilation)"
        )
    return Proof(
        geometry=geometry,
        engine="fast",
        methods=tuple(builders),
        comparisons=tuple(comparisons),
        outputs=space.outputs,
        terms=len(reference),
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )


def _built(build: MethodTerms, geometry: Geometry, name: str) -> TermSet:
    result = build(geometry)
    if not isinstance(result, TermSet):
        raise ParameterTypeError(
            f"method {name!r} must return a symtconv.engine.TermSet, got {type(result).__name__}"
        )
    return result
