"""The general proof: scatter, flip-and-pad, Cᵀy and the VJP agree for every size.

Explanation
===========

:func:`prove_general` builds each method's entry (:mod:`symtconv.general.models`),
derives the sizes (:mod:`symtconv.general.sizes`), runs the comparing steps
(:mod:`symtconv.general.steps`) and collects them in a :class:`GeneralProof`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sympy as sp

from ..console import html_text
from ..errors import ParameterError
from ..geometry import Geometry
from ..notation import inline, prose
from . import models as _models
from .checks import ASSUMED, Step, _check_equal_structure, _combine, _flatten, _floor_lemma
from .models import METHOD_NAMES, EntryForm, Models
from .sizes import _AxisSizes, _derive_sizes
from .steps import (
    _channel_steps,
    _index_step,
    _leak_step,
    _normal_form,
    _padding_step,
    _regrouped,
    _reindex_step,
    _rows_condition_steps,
    _rows_steps,
)
from .symbols import _W, _X, _Y, _axis_symbols, _AxisSymbols, _Channels, _indices


@dataclass(frozen=True)
class GeneralProof:
    """The four methods agree for every size: the result of :func:`prove_general`.

    Truthy only when every step was proved.  ``entry`` is the common output entry
    (an ``Eq``), ``forms`` each method's entry as derived from its own steps,
    ``conditions`` the side conditions as ``(SymPy boolean, meaning)`` pairs and
    ``symbols`` every symbol by name (``"i"``, ``"k_2"``, ``"Q_in"``, ``"y"``, …).

    Examples
    ========

    >>> from symtconv.general import prove_general
    >>> proof = prove_general()
    >>> proof.to_dict()["proved"], len(proof.steps) > 10
    (True, True)
    >>> proof.forms["transpose"].input_lengths
    (i + floor(a/s),)
    """

    ndim: int
    groups: bool
    asymmetric: bool
    entry: Any
    forms: Mapping[str, EntryForm]
    steps: tuple[Step, ...]
    conditions: tuple[tuple[Any, str], ...]
    symbols: Mapping[str, Any]
    _axes: tuple[_AxisSymbols, ...] = field(repr=False, default=())
    _channels: _Channels | None = field(repr=False, default=None)

    @property
    def proved(self) -> bool:
        """True only when every step is proved."""
        return bool(self.steps) and all(step.status == "proved" for step in self.steps)

    def __bool__(self) -> bool:
        return self.proved

    @property
    def undecided(self) -> tuple[Step, ...]:
        """The steps SymPy did not decide."""
        return tuple(s for s in self.steps if s.status == "undecided")

    @property
    def statement(self) -> str:
        """The theorem, in words."""
        axes = "per axis " if self.ndim > 1 else ""
        pads = "p_b, p_e" if self.asymmetric else "p"
        where = (
            f"For all integers {axes}i, k, s, d >= 1, {pads} >= 0, a >= 0"
            + (", groups G >= 1 with C_in = G·Q_in, C_out = G·Q_out" if self.groups else "")
            + f" and every output index with 0 <= j < o{' on each axis' if self.ndim > 1 else ''}"
        )
        return (
            f"{where}: scatter, flip-and-pad, Cᵀy and the VJP all give {self.entry}. "
            "Scatter and flip-and-pad agree for every a >= 0 (a negative pad d(k-1) - p is a "
            "crop); Cᵀy and the VJP need 0 <= a < s on every axis, because the forward "
            "convolution of the same stride maps o to i + floor(a/s) entries, so with "
            "s <= a (< d, which PyTorch allows) C has floor(a/s) rows too many (shown: they "
            "add 0 to Cᵀ of y extended by zeros; the full entry is proved for a < s only)."
        )

    def substitutions(self, geometry: Geometry) -> dict[Any, int]:
        """Values of this proof's symbols for a concrete ``geometry`` (to specialise).

        ``o`` (the forward conv's input length) is set to the geometry's output size.
        """
        if geometry.is_symbolic:
            raise ParameterError(
                f"substitutions need a concrete geometry, got {geometry.describe()}"
            )
        if geometry.ndim != self.ndim:
            raise ParameterError(
                f"the proof has ndim={self.ndim}, got a geometry with ndim={geometry.ndim}"
            )
        if not self.groups and (geometry.in_channels, geometry.out_channels) != (1, 1):
            raise ParameterError(
                "this proof has no channels; use prove_general(groups=True) for "
                f"in_channels={geometry.in_channels}, out_channels={geometry.out_channels}"
            )
        values: dict[Any, int] = {}
        axes = self._axes
        for ax, concrete, o in zip(axes, geometry.axes, geometry.output_size, strict=True):
            values.update(
                {
                    ax.i: int(concrete.i),
                    ax.k: int(concrete.k),
                    ax.s: int(concrete.s),
                    ax.d: int(concrete.d),
                    ax.a: int(concrete.a),
                    ax.o: int(o),
                }
            )
            if ax.p_b == ax.p_e:
                if concrete.p_begin != concrete.p_end:
                    raise ParameterError(
                        "this proof has symmetric padding; use prove_general(asymmetric=True) "
                        f"for padding={geometry.padding}"
                    )
                values[ax.p_b] = int(concrete.p_begin)
            else:
                values[ax.p_b], values[ax.p_e] = int(concrete.p_begin), int(concrete.p_end)
        ch = self._channels
        if ch is not None:
            values.update(
                {
                    ch.G: geometry.groups,
                    ch.Q_in: geometry.in_channels // geometry.groups,
                    ch.Q_out: geometry.out_channels // geometry.groups,
                }
            )
        return values

    def __str__(self) -> str:
        return self.text()

    def text(self, display: str | None = None) -> str:
        """The proof for a reader: the verdict and statement, the steps, the side
        conditions and what is taken as definitions, formulas in a textbook's notation.
        With ``display`` (the entry set as a displayed formula), the statement points to it
        and it stands below instead of in the sentence."""
        verdict = "PROVED" if self.proved else "NOT PROVED"
        if display is None:
            lines = [f"{verdict}: {prose(self.statement)}", "steps:"]
        else:
            statement = prose(self.statement.replace(str(self.entry), "the entry below"))
            lines = [f"{verdict}: {statement}", "", display, "", "steps:"]
        lines += [f"  {step}" for step in self.steps]
        lines.append("side conditions:")
        lines += [f"  {inline(cond)}  ({prose(meaning)})" for cond, meaning in self.conditions]
        lines.append("taken as definitions (not proved by SymPy):")
        lines += [f"  {prose(fact)}" for fact in ASSUMED]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """``{"proved", "statement", "entry", "ndim", "groups", "asymmetric", "steps",
        "conditions", "forms", "undecided"}``."""
        return {
            "proved": self.proved,
            "statement": self.statement,
            "entry": str(self.entry),
            "entry_latex": sp.latex(self.entry),
            "ndim": self.ndim,
            "groups": self.groups,
            "asymmetric": self.asymmetric,
            "steps": [s.to_dict() for s in self.steps],
            "conditions": [
                {"condition": str(cond), "meaning": meaning} for cond, meaning in self.conditions
            ],
            "forms": {name: form.to_dict() for name, form in self.forms.items()},
            "undecided": [s.name for s in self.undecided],
            "assumed": list(ASSUMED),
        }

    def _latex(self, printer: Any) -> str:
        ranges = r",\quad ".join(
            printer._print(cond) for cond, meaning in self.conditions if "range" in meaning
        )
        return printer._print(self.entry) + (rf",\qquad {ranges}" if ranges else "")

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"

    def _repr_html_(self) -> str:
        """Jupyter's HTML view: the text, every step with its formulas."""
        return html_text(str(self))


def _ranges(
    axes: Sequence[_AxisSymbols], ch: _Channels | None, sizes: Sequence[_AxisSizes]
) -> list[tuple[Any, str]]:
    conds: list[tuple[Any, str]] = []
    if ch is not None:
        conds += [
            (sp.And(ch.c_out >= 0, ch.c_out < ch.G * ch.Q_out), "output channel range"),
            (sp.And(ch.c_in >= 0, ch.c_in < ch.G * ch.Q_in), "input channel range"),
            (sp.And(ch.c_l >= 0, ch.c_l < ch.Q_out), "weight's output-channel range"),
        ]
    for ax, sz in zip(axes, sizes, strict=True):
        conds += [
            (sp.And(ax.j >= 0, ax.j < sz.scatter_length), f"{ax.label}output index range (o)"),
            (sp.And(ax.n >= 0, ax.n < ax.i), f"{ax.label}input index range"),
            (sp.And(ax.m >= 0, ax.m < ax.k), f"{ax.label}kernel tap range"),
        ]
    return conds


def _side_conditions(axes: Sequence[_AxisSymbols]) -> list[tuple[Any, str]]:
    conds: list[tuple[Any, str]] = []
    for ax in axes:
        geometry_axis = ax.axis
        conds += [
            (sp.Ge(geometry_axis.output, 1), f"{ax.label}output size at least 1"),
            (sp.Lt(ax.a, ax.s), f"{ax.label}needed for Cᵀy and the VJP (C has i rows)"),
            (sp.Lt(ax.a, sp.Max(ax.s, ax.d)), f"{ax.label}PyTorch's rule for output_padding"),
            (
                sp.Lt(geometry_axis.pad_before, 0),
                f"{ax.label}when true, flip-and-pad crops instead of padding before",
            ),
        ]
    return conds


#: :func:`prove_general` takes 1 to this many axes (six take about 12 s).
MAX_NDIM = 6


def prove_general(
    ndim: int = 1, groups: bool = False, *, asymmetric: bool = False, models: Models | None = None
) -> GeneralProof:
    """Prove that scatter, flip-and-pad, Cᵀy and the VJP agree for every size.

    Explanation
    ===========

    Builds each method's output entry from the method's own steps on SymPy
    ``Indexed`` objects (see the module docstring), then checks with SymPy that the
    index conditions, the summation ranges, the output lengths and (with
    ``groups=True``) the channel conditions coincide.  The N-d case is the product
    of the per-axis structure; channels follow PyTorch's grouped layout.  Each claim
    becomes a :class:`Step`; nothing undecided is reported as proved.

    Examples
    ========

    >>> from symtconv.general import prove_general
    >>> proof = prove_general(2)
    >>> bool(proof), proof.entry.rhs.limits[0]
    (True, (m_1, 0, k_1 - 1))
    >>> proof.conditions[0]
    ((j_1 >= 0) & (j_1 < a_1 + d_1*k_1 - d_1 + i_1*s_1 - 2*p_1 - s_1 + 1),
     'axis 1: output index range (o)')

    Parameters
    ==========

    ndim : number of spatial axes (symbols get the suffix ``_1``, ``_2``, … when > 1).
    groups : add channels with groups: ``y[c_in, n]``, ``w[c_in, c_l, m]``,
        ``x[c_out, j]`` with ``C_in = G·Q_in``, ``C_out = G·Q_out``.
    asymmetric : separate crops ``p_b``, ``p_e`` at the two ends of each axis.
    models : the methods' models (a :class:`~symtconv.general.models.Models`); ``None``
        means :data:`symtconv.general.models.MODELS`, the real ones, looked up at call
        time.  A testing hook: the test suite plants a bug in one model and shows that
        the check meant to catch it fails (see :mod:`symtconv.general.models`).

    See Also
    ========

    output_size_derivation, relationships, symtconv.prove
    """
    if not isinstance(ndim, int) or isinstance(ndim, bool) or not 1 <= ndim <= MAX_NDIM:
        raise ParameterError(
            f"ndim must be an integer from 1 to {MAX_NDIM}, got ndim={ndim!r} (the proof "
            "is one identity per axis; each axis adds seconds and SymPy's recursion depth)"
        )
    if models is None:
        models = _models.MODELS
    if not isinstance(models, Models):
        raise ParameterError(
            f"models must be a symtconv.general.models.Models, got models={models!r}"
        )
    return _prove(ndim, bool(groups), bool(asymmetric), models)


@cache
def _prove(ndim: int, groups: bool, asymmetric: bool, models: Models) -> GeneralProof:
    """:func:`prove_general` after validation, cached per arguments."""
    axes = [_axis_symbols(None if ndim == 1 else r + 1, asymmetric) for r in range(ndim)]
    ch = _Channels() if groups else None
    lemma = _floor_lemma()
    steps: list[Step] = [lemma]
    sizes = []
    for ax in axes:
        derived = _derive_sizes(ax)
        sizes.append(derived)
        steps += derived.steps

    forms = {name: model(axes, ch, sizes) for name, model in models.items()}
    reference = forms["scatter"]
    hows = {
        "flip_and_pad": "y[n] at s·n after zero insertion, shifted by the pad d(k-1) - p, "
        "read by the flipped tap k-1-m at j + d(k-1-m)",
        "transpose": "C[n, j] = ∂conv(x)[n]/∂x[j] by sympy.diff",
        "vjp": "∂⟨y, conv(x)⟩/∂x[j] by sympy.diff",
    }
    own: dict[str, list[Step]] = {m: [] for m in METHOD_NAMES}
    summands: dict[str, Any] = {m: _flatten(forms[m].expression)[0] for m in METHOD_NAMES}
    own["flip_and_pad"].append(_reindex_step(forms["flip_and_pad"], axes))
    for method in ("transpose", "vjp"):
        own[method].append(_leak_step(forms[method], axes, ch))
        padding, summands[method] = _padding_step(forms[method], axes)
        own[method].append(padding)
    for method in ("flip_and_pad", "transpose", "vjp"):
        for r, ax in enumerate(axes):
            own[method].append(_index_step(forms[method], reference, ax, r, hows[method]))
    for method in ("transpose", "vjp"):
        own[method] += _rows_steps(forms[method], axes, sizes)
    rows_condition = _rows_condition_steps(axes, lemma)
    channel_steps = _channel_steps(forms, ch, lemma) if ch is not None else []
    common = list(steps)
    for method in METHOD_NAMES:
        steps += own[method]
    steps += rows_condition + channel_steps

    # Finally: each method's sum, with the proven-equal pieces replaced, is the scatter's.
    scatter_sum = _normal_form(reference, summands["scatter"], axes, reference, sizes)
    for method in ("flip_and_pad", "transpose", "vjp"):
        mine = _normal_form(forms[method], summands[method], axes, reference, sizes)
        target = scatter_sum
        topic = "flip-and-pad" if method == "flip_and_pad" else "forward conv"
        relied = [s for s in common if s is lemma or "scatter:" in s.name or topic in s.name] + own[
            method
        ]
        if method in ("transpose", "vjp"):
            relied += rows_condition
        if ch is not None:
            relied += [s for s in channel_steps if "coordinates" in s.name or method in s.name]
            if method == "flip_and_pad":
                target = _regrouped(scatter_sum, ch)
        condition = " when 0 <= a < s" if method in ("transpose", "vjp") else ""
        steps.append(
            _combine(
                f"{method} equals scatter for every size{condition}",
                [
                    *relied,
                    _check_equal_structure(
                        "same sum", mine, target, "the normalised sums are identical"
                    ),
                ],
                f"with the steps above, {method}'s entry is the same SymPy Sum as the scatter's",
                sp.Eq(mine, target, evaluate=False),
            )
        )

    x_entry = _X[_indices(ch, [ch.c_out] if ch else [], [ax.j for ax in axes])]
    entry = sp.Eq(x_entry, scatter_sum)
    conditions = _ranges(axes, ch, sizes) + _side_conditions(axes)
    return GeneralProof(
        ndim=ndim,
        groups=groups,
        asymmetric=asymmetric,
        entry=entry,
        forms=forms,
        steps=tuple(steps),
        conditions=tuple(conditions),
        symbols=_symbol_table(axes, ch),
        _axes=tuple(axes),
        _channels=ch,
    )


def _symbol_table(axes: Sequence[_AxisSymbols], ch: _Channels | None) -> dict[str, Any]:
    table: dict[str, Any] = {"y": _Y, "w": _W, "x": _X}
    for ax in axes:
        for sym in (*ax.parameters, ax.o, ax.j, ax.n, ax.m):
            table[str(sym)] = sym
    if ch is not None:
        for sym in (ch.G, ch.Q_in, ch.Q_out, ch.c_in, ch.c_out, ch.c_l, ch.c_il):
            table[str(sym)] = sym
    return table
