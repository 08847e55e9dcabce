"""Comparing term sets: :func:`compare` (the first differing outputs, with their missing
and extra terms), :func:`count_terms`, and :func:`prove_fast`, which fills a
:class:`~symtconv.results.Proof` from every method compared with the scatter.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..errors import ParameterTypeError, ShapeError, TooLargeError
from ..geometry import Geometry
from ..progress import Reporter, reporter
from ..results import Comparison, Mismatch, Proof
from ..tensors import spatial_shape, term_name
from .blocks import _checked, plan
from .methods import (
    METHOD_TERMS,
    MethodTerms,
    _axes,
    _method,
    clear_caches,
    scatter_terms,
)
from .term_sets import Block, Index, TermSet, TermSpace, _run_starts

MethodsArgument = Mapping[str, MethodTerms] | Sequence[str] | str | None


#: A method given as a callable ``geometry -> TermSet`` (without a ``block`` parameter)
#: runs on the whole layer at once, so :func:`prove_fast` accepts at most this many terms
#: then (about 1 GiB at the peak).
WHOLE_LAYER_TERMS = 1 << 24


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
                ("output", a.space.layer_shape, b.space.layer_shape),
                ("input", a.space.input_shape, b.space.input_shape),
                ("weight", a.space.weight_shape, b.space.weight_shape),
            )
            if sa != sb
        ]
        boxes = [(sp.origin, sp.output_shape) for sp in (a.space, b.space)]
        if boxes[0] != boxes[1]:
            shapes.append(
                f"block of shape {boxes[0][1]} at {boxes[0][0]} differs from the "
                f"reference's block of shape {boxes[1][1]} at {boxes[1][0]}"
            )
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
    ends = np.append(starts[1:], outputs.size) if starts.size else starts
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
    """Number of ``y·w`` products landing inside the output, counted in closed form per axis
    (:meth:`symtconv.Geometry.count_terms`).

    >>> from symtconv import Geometry
    >>> count_terms(Geometry((64, 64), 4, stride=2, padding=1, in_channels=16, out_channels=16))
    16516096
    """
    _axes(geometry)  # a clear error for symbolic sizes
    return int(geometry.count_terms())


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


@dataclass
class _Tally:
    """One method's comparisons with the reference, block by block."""

    blocks: int = 0
    differing: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    others: int = 0
    undefined: str = ""

    def add(self, comparison: Comparison, limit: int = 3) -> None:
        self.blocks += 1
        if comparison.holds:
            return
        self.differing += comparison.differing
        self.mismatches.extend(comparison.mismatches[: limit - len(self.mismatches)])
        if comparison.detail and not comparison.detail.endswith("outputs differ"):
            if not self.details:
                self.details.append(comparison.detail)
            elif comparison.detail not in self.details:
                self.others += 1
        elif not comparison.mismatches and not self.details:
            self.details.append("differs")

    def result(self, name: str, terms: int, outputs: int, blocks: int) -> Comparison:
        if self.undefined:
            return Comparison(name, "scatter", False, detail=self.undefined)
        if self.blocks != blocks:  # every block must have been compared
            return Comparison(
                name, "scatter", None, detail=f"compared on {self.blocks} of {blocks} blocks"
            )
        if not self.differing and not self.details:
            where = f" in {blocks} blocks" if blocks > 1 else ""
            detail = f"identical sets of {terms} y·w terms{where}"
            return Comparison(name, "scatter", True, detail=detail)
        detail = "; ".join(self.details) or f"{self.differing} of {outputs} outputs differ"
        if self.others:
            detail += f" (and other differences in {self.others} more blocks)"
        return Comparison(
            name,
            "scatter",
            False,
            detail=detail,
            differing=self.differing,
            mismatches=tuple(self.mismatches),
        )


def _takes_block(build: MethodTerms) -> bool:
    """Whether ``build`` can be called as ``build(geometry, block)``."""
    try:
        parameters = inspect.signature(build).parameters
    except (TypeError, ValueError):
        return False
    return "block" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


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
    stride``) gives ``holds=False`` with the reason in ``detail``.

    The work runs in blocks of outputs (:func:`~symtconv.engine.blocks.plan`: ranges
    of output channels, or tiles of one channel's positions) that partition the
    outputs; each method is executed on each block and compared with the scatter of the
    same block, so the peak memory is that of one block (at most
    :data:`~symtconv.engine.blocks.BLOCK_TERMS` terms), not of the layer.  A
    16→16-channel 64×64 layer with a 4×4 kernel (16.5 million terms per method, 4 blocks)
    takes a few seconds and about 0.2 GB for the whole process (0.6 GB unblocked).
    Geometries past the limits of :func:`~symtconv.engine.blocks.estimate` (``MAX_TERMS``
    terms, the index maps' entries, the blocks, the key space) raise
    :class:`~symtconv.errors.TooLargeError` before any work.

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
    >>> def no_flip(g, block=None):
    ...     padded = pad_or_crop(zero_insertion(g), [1], [1])
    ...     return correlate(g, padded, np.arange(2), block)
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
        callables ``(geometry, block=None) -> TermSet`` (to check another
        implementation; a callable without a ``block`` parameter is called once for the
        whole layer, which is then limited to :data:`WHOLE_LAYER_TERMS` terms); the
        reference is the engine's ``'scatter'`` unless the mapping replaces it.
    progress : ``None`` (a bar on stderr, on a terminal, after two seconds), ``False``,
        ``True`` or a :class:`~symtconv.progress.Reporter`.

    See Also
    ========

    terms, compare, symtconv.engine.blocks.plan, symtconv.results.Proof
    """
    if not isinstance(geometry, Geometry):
        raise ParameterTypeError(
            f"geometry must be a symtconv.Geometry, got {type(geometry).__name__}"
        )
    started = time.perf_counter()
    builders = _builders(methods)
    blockwise = all(_takes_block(build) for build in builders.values())
    expected = _checked(geometry)[3]  # refuses past the layer-wide limits
    if blockwise:
        blocks: tuple[Block | None, ...] = plan(geometry)
    else:
        count = expected
        if count > WHOLE_LAYER_TERMS:
            raise TooLargeError(
                f"the fast engine: {count:,} y·w terms, but a method without a block "
                f"parameter runs on the whole layer, limited to WHOLE_LAYER_TERMS="
                f"{WHOLE_LAYER_TERMS:,} ({geometry.describe()}); give every method a "
                f"'block' parameter (build(geometry, block=None) -> TermSet)"
            )
        blocks = (None,)
    outputs = math.prod(spatial_shape(geometry, geometry.output_shape))
    tallies = {name: _Tally() for name in builders if name != "scatter"}
    terms = 0
    bar = reporter(progress)
    bar.start(len(blocks) * len(builders), "symtconv prove (fast engine)")
    try:
        for number, block in enumerate(blocks):
            where = f" (block {number + 1}/{len(blocks)})" if len(blocks) > 1 else ""
            bar.step("scatter" + where)
            reference = _built(builders["scatter"], geometry, "scatter", block)
            terms += len(reference)
            for name, build in builders.items():
                tally = tallies.get(name)
                if tally is None or tally.undefined:
                    continue
                bar.step(name + where)
                try:
                    method_terms = _built(build, geometry, name, block)
                except ShapeError as error:
                    tally.undefined = str(error)
                    continue
                tally.add(compare(method_terms, reference, method=name, reference="scatter"))
                del method_terms
            del reference
    finally:
        bar.finish()
        clear_caches()
    comparisons = [
        tally.result(name, terms, outputs, len(blocks)) for name, tally in tallies.items()
    ]
    if terms != expected:  # a block lost or counted twice by the reference itself
        comparisons.append(
            Comparison(
                "scatter",
                "count_terms",
                False,
                detail=f"the reference's blocks hold {terms:,} y·w terms, but the closed-form "
                f"count per axis is {expected:,}",
            )
        )
    notes = [
        "fast engine: every method executed on exact integer (output, y, w) term triples, "
        "compared in a sorted canonical form"
        + (
            f", in {len(blocks)} blocks that partition the outputs (the reference's terms "
            "add up to the closed-form count)"
            if len(blocks) > 1
            else ""
        )
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
        outputs=outputs,
        terms=terms,
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
    )


def _built(build: MethodTerms, geometry: Geometry, name: str, block: Block | None) -> TermSet:
    result = build(geometry) if block is None else build(geometry, block)
    if not isinstance(result, TermSet):
        raise ParameterTypeError(
            f"method {name!r} must return a symtconv.engine.TermSet, got {type(result).__name__}"
        )
    return result
