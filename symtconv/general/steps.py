"""The steps of the general proof that compare the methods' entries with the scatter's.

Explanation
===========

Index conditions solved and compared, the zero padding of ``x`` removed on the
support of the deltas, no summation index leaking, the N-d product structure, the
channel conditions in group coordinates, flip-and-pad's crops and re-indexed taps,
the rows of ``C`` (``i + floor(a/s)``) and the normal form each sum is brought to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from .checks import (
    _FLOOR_DEFINITION,
    Step,
    _check_equal_structure,
    _combine,
    _flatten,
    _floor_equals,
    _integer_interval,
    _normalise,
    _sorted_sum,
    check_identity,
)
from .models import EntryForm
from .sizes import _AxisSizes
from .symbols import _W, _X, _Y, _axis_delta, _AxisSymbols, _Channels, _deltas_of, _integer


def _solve_for(condition: Any, var: sp.Symbol) -> Any:
    if condition is None:
        return None
    solutions = sp.solve(condition, var)
    return sp.expand(solutions[0]) if len(solutions) == 1 else None


def _index_step(form: EntryForm, reference: EntryForm, ax: _AxisSymbols, r: int, how: str) -> Step:
    name = f"{ax.label}{form.method}: index condition is the scatter's"
    mine = _solve_for(form.conditions[r], ax.j)
    theirs = _solve_for(reference.conditions[r], ax.j)
    if mine is None or theirs is None:
        return Step(name, "undecided", f"could not solve {form.conditions[r]} for {ax.j}")
    step = check_identity(
        name,
        mine,
        theirs,
        detail=f"{how}: {form.conditions[r]}; solved for {ax.j}",
    )
    if not ax.label:
        return step
    # N-d: the condition is in this axis's symbols only, so the N-d condition is the
    # product of the per-axis ones (a part of this step: a condition that mixes axes
    # differs from the scatter's, so no bug can fail it alone)
    own = set(ax.parameters) | {ax.j, ax.n, ax.m, ax.mp, ax.t, ax.o}
    foreign = sorted(form.conditions[r].free_symbols - own, key=str)
    alone = Step(
        "in this axis's symbols",
        "failed" if foreign else "proved",
        f"{form.conditions[r]} uses {foreign}" if foreign else "no other axis's symbols",
    )
    return _combine(
        name,
        [step, alone],
        f"{step.detail}; in {ax.label.strip(': ')}'s symbols only, so the N-d condition is "
        "the product of the per-axis ones",
        step.expression,
    )


def _padding_step(form: EntryForm, axes: Sequence[_AxisSymbols]) -> tuple[Step, Any]:
    """Remove the zero padding of x: on the support of the deltas it is the j range.

    Returns the step and the summand without the ``Piecewise``.
    """
    summand, _ = _flatten(form.expression)
    pieces = list(summand.atoms(sp.Piecewise))
    name = f"{form.method}: the zero padding of x adds no term for 0 <= j < o"
    if len(pieces) != 1 or len(pieces[0].args) != 2 or pieces[0].args[1].cond is not sp.true:
        return Step(name, "undecided", f"unexpected form {summand}"), summand
    (piece,) = pieces
    inner, condition = piece.args[0].expr, piece.args[0].cond
    # on the support of delta(j, s·n + d·m - p) the position is j: solve for n and
    # substitute into the condition
    support = {}
    for ax in axes:
        delta = _axis_delta(inner, ax)
        solution = _solve_for(None if delta is None else sp.Eq(*delta.args), ax.n)
        if solution is None:
            return Step(name, "undecided", f"no unique n on the support of {delta}"), summand
        support[ax.n] = solution
    on_support = sp.simplify(condition.xreplace(support))
    expected = sp.And(*[sp.And(ax.j >= 0, ax.j < ax.o) for ax in axes])
    step = _check_equal_structure(
        name,
        on_support,
        sp.simplify(expected),
        f"SymPy's derivative is Piecewise((δ·…, {condition}), (0, True)); on the support "
        f"of the deltas the condition becomes {on_support}, the range of the output index",
    )
    return step, summand.xreplace({piece: inner})


def _leak_step(form: EntryForm, axes: Sequence[_AxisSymbols], ch: _Channels | None) -> Step:
    """No summation index may appear free in the derived entry (a SymPy sanity check)."""
    free = {sym for sym in form.expression.free_symbols if isinstance(sym, sp.Symbol)}
    allowed = set(form.output_indices) | {_Y.label, _W.label, _X.label}
    for ax in axes:
        allowed |= set(ax.parameters) | {ax.o}
    if ch is not None:
        allowed |= {ch.G, ch.Q_in, ch.Q_out}
    leaked = sorted(free - allowed, key=str)
    name = f"{form.method}: no summation index escapes its sum"
    if leaked:
        return Step(name, "failed", f"free symbols {leaked} in {form.expression}")
    return Step(name, "proved", f"free symbols: {sorted(free, key=str)}")


def _group_coordinate(q: Any, g: Any, r: Any) -> Any:
    """Channel ``g·Q + r``: local channel ``r`` (``0 <= r < Q``) of group ``g``, the groups'
    channels contiguous (PyTorch's layout; a testing hook for the channel steps)."""
    return g * q + r


def _channel_steps(forms: Mapping[str, EntryForm], ch: _Channels, lemma: Step) -> list[Step]:
    """The channel condition, in group coordinates c = g·Q + r (0 <= r < Q)."""
    g_in, g_out = _integer("g_in"), _integer("g_out")
    r_in, r_out = _integer("r_in"), _integer("r_out")
    coordinates = {
        ch.c_in: _group_coordinate(ch.Q_in, g_in, r_in),
        ch.c_out: _group_coordinate(ch.Q_out, g_out, r_out),
    }
    small = {r_in: ch.Q_in, r_out: ch.Q_out, ch.c_l: ch.Q_out, ch.c_il: ch.Q_in}
    uses = f"uses the floor lemma ({lemma.status}) for {', '.join(map(str, small))}"

    def reduce_floors(expr: Any) -> Any:
        # floor(g + r/Q) = g + floor(r/Q) is SymPy's own evaluation; floor(r/Q) = 0 by
        # the floor lemma, for the remainders r in [0, Q)
        expr = _normalise(sp.sympify(expr).xreplace(coordinates))
        return sp.expand(expr.xreplace({sp.floor(r / q): 0 for r, q in small.items()}))

    unique = _combine(
        "channels: coordinates c = g·Q + r (0 <= r < Q) are unique",
        [
            check_identity("quotient", reduce_floors(sp.floor(ch.c_in / ch.Q_in)), g_in),
            check_identity("remainder", reduce_floors(sp.Mod(ch.c_in, ch.Q_in)), r_in),
            check_identity("quotient", reduce_floors(sp.floor(ch.c_out / ch.Q_out)), g_out),
            check_identity("remainder", reduce_floors(sp.Mod(ch.c_out, ch.Q_out)), r_out),
        ],
        f"floor((g·Q + r)/Q) = g and (g·Q + r) mod Q = r, for c_in and c_out; {uses}",
    )
    steps = [unique]
    scatter = forms["scatter"].channel_condition
    lhs, rhs = reduce_floors(scatter.lhs), reduce_floors(scatter.rhs)
    steps.append(
        _combine(
            "channels: scatter's condition iff g_in = g_out and c_l = r_out",
            [
                check_identity("quotients", reduce_floors(sp.floor(lhs / ch.Q_out)), g_out),
                check_identity("quotients", reduce_floors(sp.floor(rhs / ch.Q_out)), g_in),
                check_identity("remainders", lhs - ch.Q_out * g_out, r_out),
                check_identity("remainders", rhs - ch.Q_out * g_in, ch.c_l),
                check_identity("converse", (lhs - rhs).xreplace({g_out: g_in, r_out: ch.c_l}), 0),
                unique,  # the reductions above are in these coordinates
            ],
            f"{scatter} reads {sp.Eq(lhs, rhs)}; dividing both sides by Q_out gives the "
            f"quotients (groups) and remainders (local channels)",
        )
    )
    flip = forms["flip_and_pad"].channel_condition
    equations = flip.args if isinstance(flip, sp.And) else (flip,)
    sources = [eq.rhs for eq in equations if eq.lhs == ch.c_in]
    locals_ = [eq.rhs for eq in equations if eq.lhs == ch.c_l]
    parts: list[Step] = []
    if len(sources) != 1 or len(locals_) != 1:
        # two different channels for y and w would show up as two equations for c_in
        parts.append(Step("form", "failed", f"y and w read different channels: {flip}"))
    else:
        lhs_in, rhs_in = reduce_floors(ch.c_in), reduce_floors(sources[0])
        parts += [
            check_identity("quotients", reduce_floors(sp.floor(lhs_in / ch.Q_in)), g_in),
            check_identity("quotients", reduce_floors(sp.floor(rhs_in / ch.Q_in)), g_out),
            check_identity("remainders", lhs_in - ch.Q_in * g_in, r_in),
            check_identity("remainders", rhs_in - ch.Q_in * g_out, ch.c_il),
            check_identity("local output channel", reduce_floors(locals_[0]), r_out),
        ]
    parts.append(unique)  # the reductions above are in these coordinates
    steps.append(
        _combine(
            "channels: flip_and_pad's condition iff g_in = g_out and c_l = r_out (and c_il = r_in)",
            parts,
            f"{flip} (read off the indices of y and w); the sum over c_il in [0, Q_in) "
            "meets each input channel of the group exactly once",
        )
    )
    scatter_step = steps[1]
    for method in ("transpose", "vjp"):
        cond = forms[method].channel_condition
        name = f"channels: {method}'s condition is the scatter's"
        same = check_identity(
            name,
            _solve_for(cond, ch.c_out) if cond is not None else sp.Symbol("undecided"),
            _solve_for(scatter, ch.c_out),
            detail=f"SymPy's derivative gives {cond}",
        )
        # what the scatter's condition means (g_in = g_out, c_l = r_out) is its own step:
        # this one relies on it
        steps.append(_combine(name, [same, scatter_step], same.detail, same.expression))
    return steps


def _reindex_step(form: EntryForm, axes: Sequence[_AxisSymbols]) -> Step:
    _, limits = _flatten(form.expression)
    found = {lim[0]: (lim[1], lim[2]) for lim in limits}
    parts = []
    for ax in axes:
        lo, hi = found.get(ax.m, (None, None))
        parts.append(check_identity(f"{ax.label}lowest tap", lo if lo is not None else sp.nan, 0))
        parts.append(
            check_identity(f"{ax.label}highest tap", hi if hi is not None else sp.nan, ax.k - 1)
        )
    return _combine(
        "flip-and-pad: the flip m' = k-1-m maps the taps 0..k-1 onto themselves",
        parts,
        "SymPy's Sum.change_index turned the limits of m' into these limits of m",
    )


def _rows_steps(
    form: EntryForm, axes: Sequence[_AxisSymbols], sizes: Sequence[_AxisSizes]
) -> list[Step]:
    steps = []
    _, limits = _flatten(form.expression)
    uppers = {var: hi for var, _, hi in limits}
    for ax, sz in zip(axes, sizes, strict=True):
        # the rows of C are the forward conv's outputs: n runs to the form's upper limit
        rows = uppers[ax.n] + 1
        at_o = sp.expand(rows.xreplace({ax.o: sz.scatter_length}))
        extra = sp.floor(ax.a / ax.s)
        steps.append(
            check_identity(
                f"{ax.label}{form.method}: y has i + floor(a/s) entries",
                at_o,
                ax.i + extra,
                detail="the forward conv's output length at the derived o",
            )
        )
    return steps


def _zero_extended(ax: _AxisSymbols) -> Any:
    """``y`` extended by zeros past its ``i`` entries: ``y_ext[n] = y[n]`` for ``n < i``, else 0
    (a testing hook for the step on C's extra rows)."""
    return sp.Piecewise((_Y[ax.n], ax.n < ax.i), (0, True))


def _rows_condition_steps(axes: Sequence[_AxisSymbols], lemma: Step) -> list[Step]:
    steps = []
    for ax in axes:
        quotient = _integer("q")
        offset = _integer(str(ax.a))  # no sign assumed, so SymPy must find a >= 0 itself
        exact = _integer_interval(_floor_equals(offset / ax.s, 0), offset)
        more = sp.reduce_inequalities([offset / ax.s >= 1], offset)
        parts = [lemma]
        shown = "?" if exact is None else f"{exact[0]} <= a <= {exact[1]}"
        if exact is None or None in exact:
            parts.append(Step("solve", "undecided", "not solved"))
        else:
            parts.append(check_identity("lowest a", exact[0], 0))
            parts.append(check_identity("highest a", exact[1], ax.s - 1))
        steps.append(
            _combine(
                f"{ax.label}C has exactly i rows iff a < s",
                parts,
                f"floor(a/s) = 0 iff 0 <= a/s < 1 iff {shown}; floor(a/s) >= 1 iff {more} "
                f"({_FLOOR_DEFINITION})",
                sp.Equivalent(sp.Eq(sp.floor(ax.a / ax.s), 0), sp.Lt(ax.a, ax.s)),
            )
        )
        # with q = floor(a/s) >= 1 extra rows, zero-extending y gives back the scatter:
        # the extra terms are sums of y_ext[n] = 0 over n = i .. i + q - 1
        r = _integer("r", nonnegative=True)
        y_ext = _zero_extended(ax)
        c_entry = sp.Function("C")(ax.n, ax.j)  # any entry of C
        tail = sp.Sum(c_entry * y_ext, (ax.n, ax.i, ax.i + quotient - 1)).change_index(
            ax.n, ax.n - ax.i, r
        )
        steps.append(
            check_identity(
                f"{ax.label}with s <= a: the floor(a/s) extra rows of C add 0 to Cᵀ of y extended "
                "by zeros",
                tail.doit(),
                0,
                detail=(
                    f"the rows n = i .. i + floor(a/s) - 1 of C meet y_ext[n] = 0, so "
                    f"Σ C[n, j]·y_ext[n] over them is "
                    f"{tail} (index shifted n = i + r, r >= 0)"
                ),
            )
        )
    return steps


def _normal_form(
    form: EntryForm,
    summand: Any,
    axes: Sequence[_AxisSymbols],
    reference: EntryForm,
    sizes: Sequence[_AxisSizes],
) -> Any:
    """``form`` with each proven-equal condition replaced by the scatter's, and (for
    Cᵀ and the VJP) o by its derived value and floor(a/s) by 0 (rows step, a < s)."""
    ref_summand, _ = _flatten(reference.expression)
    _, limits = _flatten(form.expression)
    replace = {}
    for ax in axes:
        mine, theirs = _axis_delta(summand, ax), _axis_delta(ref_summand, ax)
        if mine is not None and theirs is not None:
            replace[mine] = theirs
    summand = summand.xreplace(replace)
    lengths = {ax.o: sz.scatter_length for ax, sz in zip(axes, sizes, strict=True)}
    zero = {sp.floor(ax.a / ax.s): 0 for ax in axes}
    fixed = []
    for var, lo, hi in limits:
        hi = sp.expand(sp.sympify(hi).xreplace(lengths)).xreplace(zero)
        fixed.append((var, lo, hi))
    return _sorted_sum(summand, fixed)


def _regrouped(scatter_sum: Any, ch: _Channels) -> Any:
    """The scatter sum with its channel pairs parametrised as flip-and-pad does:
    c_in = (c_out // Q_out)·Q_in + c_il, c_l = c_out mod Q_out (the channel steps)."""
    summand, limits = _flatten(scatter_sum)
    group = ch.group_of_output(ch.c_out)
    change = {ch.c_in: group * ch.Q_in + ch.c_il, ch.c_l: sp.Mod(ch.c_out, ch.Q_out)}
    delta = next(dl for dl in _deltas_of(summand) if dl.has(ch.c_out))
    summand = summand.xreplace({delta: 1}).xreplace(change)
    kept = [lim for lim in limits if lim[0] not in (ch.c_in, ch.c_l)]
    return _sorted_sum(summand, [*kept, (ch.c_il, 0, ch.Q_in - 1)])
