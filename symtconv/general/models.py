"""The symbolic models of the four methods: each one's output entry, from its own steps.

Explanation
===========

Each function builds ``x[c_out, *j]`` as a SymPy ``Sum`` of ``y·w`` times the
Kronecker deltas of that method's conditions, the way the method itself computes:

- :func:`_scatter_form`: ``y[n]·w[m]`` lands at ``s·n + d·m - p_b`` (the definition);
- :func:`_flip_and_pad_form`: zero insertion, padding, flipped kernel and stride-1
  correlation run on SymPy ``Lambda`` sequences;
- :func:`_transpose_form`: ``C[n, j] = ∂conv(x)[n]/∂x[j]`` by ``sympy.diff``;
- :func:`_vjp_form`: ``∂⟨y, conv(x)⟩/∂x[j]`` by ``sympy.diff``.

The models are data: :data:`MODELS` is a :class:`Models` (a frozen dataclass with one
builder per method, in the order they are derived), and :func:`prove_general` takes
``models=`` (default :data:`MODELS`).  Each builder is made of small named pieces, its
keyword arguments (where the scatter puts a term, the flipped tap, the forward conv's
zero padding, …), so a test plants a bug by swapping one piece::

    from functools import partial
    wrong = MODELS.replace(flip_and_pad=partial(_flip_and_pad_form, flipped_tap=lambda ax: ax.mp))
    assert not prove_general(models=wrong)      # an unflipped kernel is not proved

This is a testing hook (the proof of the real models is the product), and it is how the
test suite shows that every check of the proof can fail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import reduce
from operator import mul
from typing import Any

import sympy as sp

from .checks import _flatten
from .sizes import _AxisSizes
from .symbols import (
    _W,
    _X,
    _Y,
    _axis_delta,
    _AxisSymbols,
    _Channels,
    _deltas_of,
    _indices,
    _integer,
)


@dataclass(frozen=True)
class EntryForm:
    """One method's output entry ``x[c_out, *j]`` as a SymPy sum, as that method builds it.

    ``expression`` is a ``Sum`` over the channel, input and kernel indices of
    ``y·w·(Kronecker deltas)`` (the Iverson brackets of the method's conditions),
    with the summation ranges the method uses; ``conditions`` are the per-axis
    index equations read off the deltas; ``channel_condition`` the channel equations
    (``None`` without channels); ``input_lengths`` the number of ``y`` entries summed
    per axis and ``output_lengths`` the range of ``j`` per axis.
    """

    method: str
    expression: Any
    conditions: tuple[Any, ...]
    channel_condition: Any
    input_lengths: tuple[Any, ...]
    output_lengths: tuple[Any, ...]
    output_indices: tuple[sp.Symbol, ...]

    def at(self, values: Mapping[Any, Any]) -> Any:
        """The expression with the sizes replaced by ``values`` (see
        :meth:`GeneralProof.substitutions`)."""
        return self.expression.xreplace(dict(values))

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "expression": str(self.expression),
            "conditions": [str(c) for c in self.conditions],
            "channel_condition": None
            if self.channel_condition is None
            else str(self.channel_condition),
            "input_lengths": [str(v) for v in self.input_lengths],
            "output_lengths": [str(v) for v in self.output_lengths],
        }


def _form(
    method: str,
    expression: Any,
    axes: Sequence[_AxisSymbols],
    ch: _Channels | None,
    input_lengths: Sequence[Any],
    output_lengths: Sequence[Any],
    channel_condition: Any = None,
) -> EntryForm:
    summand, limits = _flatten(expression)
    conditions = []
    for ax in axes:
        delta = _axis_delta(summand, ax)
        conditions.append(None if delta is None else sp.Eq(*delta.args))
    if ch is not None and channel_condition is None:
        found = [dl for dl in _deltas_of(summand) if dl.has(ch.c_out)]
        channel_condition = sp.Eq(*found[0].args) if len(found) == 1 else None
    indices = ((ch.c_out,) if ch is not None else ()) + tuple(ax.j for ax in axes)
    return EntryForm(
        method=method,
        expression=sp.Sum(summand, *limits),
        conditions=tuple(conditions),
        channel_condition=channel_condition,
        input_lengths=tuple(input_lengths),
        output_lengths=tuple(output_lengths),
        output_indices=indices,
    )


def _scatter_channel(ch: _Channels) -> Any:
    """The output channel of ``y[c_in]·w[c_in, c_l]``: ``g·Q_out + c_l``, ``g = c_in // Q_in``."""
    return ch.group_of_input(ch.c_in) * ch.Q_out + ch.c_l


def _scatter_position(ax: _AxisSymbols) -> Any:
    """Where ``y[n]·w[m]`` lands: ``s·n + d·m`` of the full output, cropped by ``p_b``."""
    return ax.s * ax.n + ax.d * ax.m - ax.p_b


def _scatter_form(
    axes: Sequence[_AxisSymbols],
    ch: _Channels | None,
    sizes: Sequence[_AxisSizes],
    *,
    channel: Callable[[_Channels], Any] = _scatter_channel,
    position: Callable[[_AxisSymbols], Any] = _scatter_position,
) -> EntryForm:
    """x[c_out, j] collects y[c_in, n]·w[c_in, c_l, m] whose target is (c_out, j).

    The target of the term is channel ``g·Q_out + c_l`` with ``g = c_in // Q_in`` and,
    per axis, position ``s·n + d·m`` of the full output, which the crop moves to
    ``s·n + d·m - p_b``.  A multi-index equals ``(c_out, *j)`` iff every component does.
    """
    summand = _Y[_indices(ch, [ch.c_in] if ch else [], [ax.n for ax in axes])]
    summand *= _W[_indices(ch, [ch.c_in, ch.c_l] if ch else [], [ax.m for ax in axes])]
    limits: list[tuple[Any, Any, Any]] = []
    if ch is not None:
        summand *= sp.KroneckerDelta(ch.c_out, channel(ch))
        limits += [(ch.c_in, 0, ch.G * ch.Q_in - 1), (ch.c_l, 0, ch.Q_out - 1)]
    for ax in axes:
        summand *= sp.KroneckerDelta(ax.j, position(ax))
        limits += [(ax.n, 0, ax.i - 1), (ax.m, 0, ax.k - 1)]
    return _form(
        "scatter",
        sp.Sum(summand, *limits),
        axes,
        ch,
        [ax.i for ax in axes],
        [sz.scatter_length for sz in sizes],
    )


def _inserted_position(ax: _AxisSymbols) -> Any:
    """Zero insertion puts ``y[n]`` at ``s·n``."""
    return ax.s * ax.n


def _pad_shift(ax: _AxisSymbols) -> Any:
    """The pad before, ``d(k-1) - p_b`` (from :class:`symtconv.geometry.Axis`)."""
    return ax.axis.pad_before


def _flipped_tap(ax: _AxisSymbols) -> Any:
    """The flipped kernel's tap ``m'`` reads ``w[k-1-m']``."""
    return ax.k - 1 - ax.mp


def _flipped_taps(ax: _AxisSymbols) -> tuple[Any, Any]:
    """The flipped kernel's taps: ``m'`` from 0 to ``k - 1``."""
    return sp.S.Zero, ax.k - 1


def _flip_source_channel(ch: _Channels) -> Any:
    """The input channel read for output channel ``c_out``: ``g·Q_in + c_il``, with
    ``g = c_out // Q_out``."""
    return ch.group_of_output(ch.c_out) * ch.Q_in + ch.c_il


def _flip_and_pad_form(
    axes: Sequence[_AxisSymbols],
    ch: _Channels | None,
    sizes: Sequence[_AxisSizes],
    *,
    inserted: Callable[[_AxisSymbols], Any] = _inserted_position,
    shift: Callable[[_AxisSymbols], Any] = _pad_shift,
    flipped_tap: Callable[[_AxisSymbols], Any] = _flipped_tap,
    taps: Callable[[_AxisSymbols], tuple[Any, Any]] = _flipped_taps,
    source_channel: Callable[[_Channels], Any] = _flip_source_channel,
) -> EntryForm:
    """Run flip-and-pad's four steps on symbolic sequences (SymPy ``Lambda``)."""
    c = _integer("c")
    ts = [ax.t for ax in axes]
    # 1. zero insertion: z[c, t] = y[c, n] where t = s·n (per axis), else 0
    stretched = sp.Sum(
        _Y[_indices(ch, [c], [ax.n for ax in axes])]
        * reduce(mul, [sp.KroneckerDelta(ax.t, inserted(ax)) for ax in axes], sp.S.One),
        *[(ax.n, 0, ax.i - 1) for ax in axes],
    )
    z = sp.Lambda(tuple(_indices(ch, [c], ts)), stretched)
    # 2. pad by P = d(k-1) - p_b before (a crop when P < 0): u[t] = z[t - P]
    shifts = [shift(ax) for ax in axes]
    u = sp.Lambda(
        tuple(_indices(ch, [c], ts)),
        z(*_indices(ch, [c], [t - shift for t, shift in zip(ts, shifts, strict=True)])),
    )
    # 3. flip every spatial axis of the kernel; with channels, the equivalent direct
    #    convolution's weight for output channel c_out (group g = c_out // Q_out) and
    #    its local input channel c_il is w[g·Q_in + c_il, c_out mod Q_out, k-1-m'].
    mps = [ax.mp for ax in axes]
    flipped_taps = [flipped_tap(ax) for ax in axes]
    if ch is not None:
        source = source_channel(ch)
        kernel = sp.Lambda(
            (ch.c_out, ch.c_il, *mps), _W[(source, sp.Mod(ch.c_out, ch.Q_out), *flipped_taps)]
        )
        kernel_entry = kernel(ch.c_out, ch.c_il, *mps)
        read = u(source, *[ax.j + ax.d * ax.mp for ax in axes])
        channel_limits = [(ch.c_il, 0, ch.Q_in - 1)]
    else:
        kernel = sp.Lambda(tuple(mps), _W[tuple(flipped_taps)])
        kernel_entry = kernel(*mps)
        read = u(*[ax.j + ax.d * ax.mp for ax in axes])
        channel_limits = []
    # 4. correlate with stride 1 and dilation d: x[j] = sum_m' kernel[m'] u[j + d·m']
    result = sp.Sum(
        kernel_entry * read,
        *channel_limits,
        *[(mp, *taps(ax)) for mp, ax in zip(mps, axes, strict=True)],
    )
    # re-index the taps by m = k - 1 - m' (SymPy's change_index)
    for ax in axes:
        result = result.change_index(ax.mp, ax.k - 1 - ax.mp, ax.m)
    channel_condition = None
    if ch is not None:
        summand, _ = _flatten(result)
        (y_entry,) = [e for e in summand.atoms(sp.Indexed) if e.base == _Y]
        (w_entry,) = [e for e in summand.atoms(sp.Indexed) if e.base == _W]
        channel_condition = sp.And(
            sp.Eq(ch.c_in, y_entry.indices[0]),
            sp.Eq(ch.c_in, w_entry.indices[0]),
            sp.Eq(ch.c_l, w_entry.indices[1]),
        )
    return _form(
        "flip_and_pad",
        result,
        axes,
        ch,
        [ax.i for ax in axes],
        [sz.flip_length for sz in sizes],
        channel_condition,
    )


def _inside(t: Any, ax: _AxisSymbols) -> Any:
    """The forward conv's zero padding: ``x[t]`` is read only for ``0 <= t < o``."""
    return sp.And(t >= 0, t < ax.o)


def _forward_position(ax: _AxisSymbols) -> Any:
    """The forward conv's output ``n`` reads ``x`` at ``s·n + d·m - p_b`` with tap ``m``."""
    return ax.s * ax.n + ax.d * ax.m - ax.p_b


def _forward_tap(ax: _AxisSymbols) -> Any:
    """The forward conv's tap ``m`` reads the weight ``w[m]`` (no flip)."""
    return ax.m


def _forward_channel(ch: _Channels) -> Any:
    """The forward conv's output channel ``c_in`` reads ``x[g·Q_out + c_l]``, with
    ``g = c_in // Q_in``."""
    return ch.group_of_input(ch.c_in) * ch.Q_out + ch.c_l


def _forward_conv(
    axes: Sequence[_AxisSymbols],
    ch: _Channels | None,
    *,
    inside: Callable[[Any, _AxisSymbols], Any] = _inside,
    position: Callable[[_AxisSymbols], Any] = _forward_position,
    tap: Callable[[_AxisSymbols], Any] = _forward_tap,
    channel: Callable[[_Channels], Any] = _forward_channel,
) -> tuple[sp.Lambda, Any]:
    """The forward convolution of x (length o per axis, zero outside) as a Lambda of
    its output index, and the padding condition on a position tuple."""
    ts = [ax.t for ax in axes]
    c = _integer("c")
    within = sp.And(*[inside(t, ax) for t, ax in zip(ts, axes, strict=True)])
    padded_x = sp.Lambda(
        tuple(_indices(ch, [c], ts)),
        sp.Piecewise((_X[_indices(ch, [c], ts)], within), (0, True)),
    )
    positions = [position(ax) for ax in axes]
    if ch is not None:
        body = sp.Sum(
            _W[(ch.c_in, ch.c_l, *[tap(ax) for ax in axes])] * padded_x(channel(ch), *positions),
            (ch.c_l, 0, ch.Q_out - 1),
            *[(ax.m, 0, ax.k - 1) for ax in axes],
        )
        conv = sp.Lambda((ch.c_in, *[ax.n for ax in axes]), body)
    else:
        body = sp.Sum(
            _W[tuple(tap(ax) for ax in axes)] * padded_x(*positions),
            *[(ax.m, 0, ax.k - 1) for ax in axes],
        )
        conv = sp.Lambda(tuple(ax.n for ax in axes), body)
    return conv, within


def _forward_rows(ax: _AxisSymbols, sz: _AxisSizes) -> Any:
    """The forward conv's outputs (the rows of C): ``n`` from 0 to this, inclusive."""
    return sz.forward(ax.o) - 1


def _output_limits(
    axes: Sequence[_AxisSymbols],
    ch: _Channels | None,
    sizes: Sequence[_AxisSizes],
    rows: Callable[[_AxisSymbols, _AxisSizes], Any] = _forward_rows,
) -> list[tuple[Any, Any, Any]]:
    limits = [(ch.c_in, 0, ch.G * ch.Q_in - 1)] if ch is not None else []
    return limits + [(ax.n, 0, rows(ax, sz)) for ax, sz in zip(axes, sizes, strict=True)]


#: The forward convolution a model of Cᵀ or the VJP is built on.
_Forward = Callable[[Sequence[_AxisSymbols], "_Channels | None"], tuple[sp.Lambda, Any]]


def _transpose_form(
    axes: Sequence[_AxisSymbols],
    ch: _Channels | None,
    sizes: Sequence[_AxisSizes],
    *,
    forward: _Forward = _forward_conv,
    rows: Callable[[_AxisSymbols, _AxisSizes], Any] = _forward_rows,
) -> EntryForm:
    """(Cᵀy)[j] = Σ_n C[n, j]·y[n] with C[n, j] = ∂conv(x)[n]/∂x[j] (the Jacobian)."""
    conv, _ = forward(axes, ch)
    n_index = _indices(ch, [ch.c_in] if ch else [], [ax.n for ax in axes])
    x_entry = _X[_indices(ch, [ch.c_out] if ch else [], [ax.j for ax in axes])]
    entry = sp.diff(conv(*n_index), x_entry)  # C[n, j]
    # flatten before summing over n: Sum() applies piecewise_fold to its summand, which
    # would move C's padding Piecewise (its condition uses m) out of the sum over m
    # (sympy/sympy#12631, #17919)
    entry_summand, entry_limits = _flatten(entry)
    limits = _output_limits(axes, ch, sizes, rows)
    result = sp.Sum(entry_summand * _Y[n_index], *limits, *entry_limits)
    return _form(
        "transpose",
        result,
        axes,
        ch,
        [sp.expand(sz.forward(sz.scatter_length)) for sz in sizes],
        [ax.o for ax in axes],
    )


def _vjp_form(
    axes: Sequence[_AxisSymbols],
    ch: _Channels | None,
    sizes: Sequence[_AxisSizes],
    *,
    forward: _Forward = _forward_conv,
    rows: Callable[[_AxisSymbols, _AxisSizes], Any] = _forward_rows,
) -> EntryForm:
    """∂⟨y, conv(x)⟩/∂x[j] by ``sympy.diff``.

    The inner product is written as one flat sum before differentiating: SymPy 1.14's
    ``piecewise_fold`` would otherwise move the padding ``Piecewise`` (whose condition
    uses the inner summation index) out of the inner ``Sum`` (sympy/sympy#12631,
    #17919) and give a wrong expression.
    """
    conv, _ = forward(axes, ch)
    n_index = _indices(ch, [ch.c_in] if ch else [], [ax.n for ax in axes])
    inner, inner_limits = _flatten(conv(*n_index))
    pairing = sp.Sum(_Y[n_index] * inner, *_output_limits(axes, ch, sizes, rows), *inner_limits)
    x_entry = _X[_indices(ch, [ch.c_out] if ch else [], [ax.j for ax in axes])]
    result = sp.diff(pairing, x_entry)
    return _form(
        "vjp",
        result,
        axes,
        ch,
        [sp.expand(sz.forward(sz.scatter_length)) for sz in sizes],
        [ax.o for ax in axes],
    )


#: The methods, in the order they are derived.
METHOD_NAMES = ("scatter", "flip_and_pad", "transpose", "vjp")

#: A model: builds a method's output entry from the axis symbols, channels and sizes.
Builder = Callable[[Sequence[_AxisSymbols], _Channels | None, Sequence[_AxisSizes]], EntryForm]


@dataclass(frozen=True)
class Models:
    """The four methods' models, one builder per method (in :data:`METHOD_NAMES` order).

    Explanation
    ===========

    :func:`~symtconv.general.prove_general` runs the builders of the ``models`` it is
    given (default :data:`MODELS`, the real ones).  Frozen and hashable, so proofs of
    the same models are cached; :meth:`replace` swaps one builder, which is how a test
    plants a bug in one method and shows that the proof then fails.

    Examples
    ========

    >>> from symtconv.general.models import MODELS
    >>> [name for name, _ in MODELS.items()]
    ['scatter', 'flip_and_pad', 'transpose', 'vjp']
    """

    scatter: Builder = _scatter_form
    flip_and_pad: Builder = _flip_and_pad_form
    transpose: Builder = _transpose_form
    vjp: Builder = _vjp_form

    def items(self) -> list[tuple[str, Builder]]:
        """``(method, builder)`` pairs in the order the methods are derived."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def replace(self, **builders: Builder) -> Models:
        """A copy with some builders swapped (``flip_and_pad=...``)."""
        return replace(self, **builders)


#: The real models, the ones :func:`~symtconv.general.prove_general` proves by default.
MODELS = Models()
