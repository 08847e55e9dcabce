"""Every check of the general proof can fail: a planted bug that only it catches.

Each entry of :data:`PLANTS` plants one bug — a wrong model (swapped in through
``prove_general(models=...)``, see :mod:`symtconv.general.models`), a wrong size formula in
:class:`symtconv.geometry.Axis`, or a wrong definition a step starts from (a module-level
hook monkeypatched) — and the test asserts that the proof is NOT proved, that the steps
the plant lists are the ones that failed, and that every other step that is not proved
merely relies on them (its detail names one).  The meta-test
:func:`test_every_step_has_a_plant_only_it_catches` collects the steps of the real proofs
(1-D, channels with groups, asymmetric crops, N-d) and asserts that each is the only step
some plant is caught by (a step no bug could fail alone would have to be listed in
:data:`IMPLIED`; there is none: such checks are parts of the step that implies them).
The mutation run (``python tools/mutants.py``) checks the converse: a weakened check makes
one of these tests fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
import sympy as sp

from symtconv.cli import main
from symtconv.general import GeneralProof, prove_general
from symtconv.general import checks as checks_module
from symtconv.general import models as models_module
from symtconv.general import sizes as sizes_module
from symtconv.general import steps as steps_module
from symtconv.general.models import (
    MODELS,
    Models,
    _flip_and_pad_form,
    _forward_conv,
    _forward_position,
    _forward_rows,
    _pad_shift,
    _scatter_form,
    _scatter_position,
    _transpose_form,
    _vjp_form,
)
from symtconv.general.proof import _prove
from symtconv.geometry import Axis


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    _prove.cache_clear()
    yield
    _prove.cache_clear()


def _int(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


BUILDERS = {"transpose": _transpose_form, "vjp": _vjp_form}


def _forward_model(method: str, **pieces: Any) -> Models:
    """``MODELS`` with ``method`` (transpose or vjp) built on a wrong forward conv."""
    builder = BUILDERS[method]
    return MODELS.replace(**{method: partial(builder, forward=partial(_forward_conv, **pieces))})


def _flip_model(**pieces: Any) -> Models:
    return MODELS.replace(flip_and_pad=partial(_flip_and_pad_form, **pieces))


def _assert_caught(proof: GeneralProof, *expected: str) -> None:
    """Not proved; each ``expected`` step (by name) not proved; every other step that is
    not proved names one of them in its detail (it only relies on it)."""
    assert not proof and proof.to_dict()["proved"] is False
    assert str(proof).startswith("NOT PROVED:")
    weak = {s.name: s for s in proof.steps if s.status != "proved"}
    missing = [name for name in expected if name not in weak]
    assert not missing, f"{missing} proved; not proved: {sorted(weak)}"
    for name, step in weak.items():
        if name not in expected:
            assert any(e in step.detail for e in expected), f"{name} failed on its own"


#: Plants a bug (with ``monkeypatch`` where it patches a module) and returns the models
#: to prove.
Planter = Callable[[pytest.MonkeyPatch], Models]


@dataclass(frozen=True)
class Plant:
    """One planted bug and the steps of the proof that catch it (``catches``)."""

    id: str
    catches: tuple[str, ...]
    plant: Planter
    ndim: int = 1
    groups: bool = False
    #: the proof with separate begin and end crops (p_b, p_e), for a bug that mixes them
    asymmetric: bool = False
    #: steps that rely on a caught one and must not be proved either
    relying: tuple[str, ...] = ()


def _models(models: Models) -> Planter:
    return lambda monkeypatch: models


def _patch(target: Any, name: str, value: Any) -> Planter:
    def plant(monkeypatch: pytest.MonkeyPatch) -> Models:
        monkeypatch.setattr(target, name, value)
        return MODELS

    return plant


def _floor_wrong(x: Any, q: Any) -> list[Any]:
    return [sp.Le(q, x), sp.Le(x, q + 1)]  # floor(x) = q read as q <= x <= q + 1


def _extra_rows(ax: Any, sz: Any) -> Any:
    # one more floor(a/s) rows: the normal form (which sets floor(a/s) = 0 for a < s)
    # cannot see it, the rows step compares with i + floor(a/s)
    return _forward_rows(ax, sz) + sp.floor(ax.a / ax.s)


def _wrong_scatter_channel(ch: Any) -> Any:
    return ch.group_of_input(ch.c_in) * ch.Q_in + ch.c_l  # Q_in where Q_out belongs


def _wrong_flip_source(ch: Any) -> Any:
    return ch.group_of_output(ch.c_out) * ch.Q_out + ch.c_il  # Q_out where Q_in belongs


def _wrong_forward_channel(ch: Any) -> Any:
    return ch.group_of_input(ch.c_in) * ch.Q_out + ch.c_l + 1


def _mixed(ax: Any) -> Any:
    """0 on axis 2, k_1 - k_2 on axis 1: added to an axis-1 position, it mixes the axes."""
    return ax.k - _int("k_2")


_AXIS_1 = "axis 1: "
_INDEX = "{}: index condition is the scatter's"
_FLIP_LENGTH = (
    "flip-and-pad: output length equals the scatter's; a negative pad is a crop, and no read "
    "leaves the sequence"
)
_SCATTER_CHANNEL = "channels: scatter's condition iff g_in = g_out and c_l = r_out"
_FLIP_CHANNEL = (
    "channels: flip_and_pad's condition iff g_in = g_out and c_l = r_out (and c_il = r_in)"
)
_ZERO_EXTENDED = (
    "with s <= a: the floor(a/s) extra rows of C add 0 to Cᵀ of y extended by zeros"
)

#: Every planted bug.  The meta-test below checks that each step of the real proof is the
#: only step some plant is caught by (or, for the few steps in ``IMPLIED``, one of them).
PLANTS: tuple[Plant, ...] = (
    # --- the methods' models ---------------------------------------------------------------
    Plant(
        "unflipped-kernel",
        ("flip_and_pad equals scatter for every size",),
        _models(_flip_model(flipped_tap=lambda ax: ax.mp)),
    ),
    Plant(
        "flip-and-pad-with-k+1-taps",
        ("flip-and-pad: the flip m' = k-1-m maps the taps 0..k-1 onto themselves",),
        _models(_flip_model(taps=lambda ax: (0, ax.k))),
    ),
    Plant(
        "flip-and-pad-pads-one-more",
        (_INDEX.format("flip_and_pad"),),
        _models(_flip_model(shift=lambda ax: _pad_shift(ax) + 1)),
    ),
    Plant(
        "flip-and-pad-zero-insertion-off-by-one",
        (_INDEX.format("flip_and_pad"),),
        _models(_flip_model(inserted=lambda ax: ax.s * ax.n + 1)),
    ),
    *[
        plant
        for method in ("transpose", "vjp")
        for plant in (
            Plant(
                f"{method}-zero-padding-t<=o",
                (f"{method}: the zero padding of x adds no term for 0 <= j < o",),
                _models(
                    _forward_model(method, inside=lambda t, ax: sp.And(t >= 0, t <= ax.o))
                ),
            ),
            Plant(
                f"{method}-forward-conv-shifted",
                (_INDEX.format(method),),
                _models(_forward_model(method, position=lambda ax: _forward_position(ax) + 1)),
            ),
            Plant(
                f"{method}-extra-rows",
                (f"{method}: y has i + floor(a/s) entries",),
                _models(MODELS.replace(**{method: partial(BUILDERS[method], rows=_extra_rows)})),
            ),
            Plant(
                # the weight read with flip-and-pad's tap m', which no sum of it binds
                f"{method}-weight-read-with-m'",
                (f"{method}: no summation index escapes its sum",),
                _models(_forward_model(method, tap=lambda ax: ax.mp)),
            ),
            Plant(
                # the position read with m' too: the index condition changes as well
                f"{method}-position-read-with-m'",
                (f"{method}: no summation index escapes its sum", _INDEX.format(method)),
                _models(
                    _forward_model(
                        method, position=lambda ax: ax.s * ax.n + ax.d * ax.mp - ax.p_b
                    )
                ),
            ),
            Plant(
                # a forward conv with a flipped kernel: same conditions, other weights
                f"{method}-forward-kernel-flipped",
                (f"{method} equals scatter for every size when 0 <= a < s",),
                _models(_forward_model(method, tap=lambda ax: ax.k - 1 - ax.m)),
            ),
        )
    ],
    # --- N-d: one plant per method mixing the axes -----------------------------------------
    Plant(
        "scatter-mixes-axes",
        (
            # the others are compared with the scatter's (wrong) condition, and differ
            *[_AXIS_1 + _INDEX.format(m) for m in ("flip_and_pad", "transpose", "vjp")],
        ),
        _models(
            MODELS.replace(
                scatter=partial(
                    _scatter_form, position=lambda ax: _scatter_position(ax) + _mixed(ax)
                )
            )
        ),
        ndim=2,
    ),
    Plant(
        "flip-and-pad-mixes-axes",
        (_AXIS_1 + _INDEX.format("flip_and_pad"),),
        _models(_flip_model(shift=lambda ax: _pad_shift(ax) + _mixed(ax))),
        ndim=2,
    ),
    *[
        Plant(
            f"{method}-mixes-axes",
            (_AXIS_1 + _INDEX.format(method),),
            _models(
                _forward_model(method, position=lambda ax: _forward_position(ax) + _mixed(ax))
            ),
            ndim=2,
        )
        for method in ("transpose", "vjp")
    ],
    # --- channels and groups ---------------------------------------------------------------
    Plant(
        "channels-interleaved-groups",
        ("channels: coordinates c = g·Q + r (0 <= r < Q) are unique",),
        _patch(steps_module, "_group_coordinate", lambda q, g, r: r * q + g),
        groups=True,
        relying=(_SCATTER_CHANNEL, _FLIP_CHANNEL),
    ),
    Plant(
        "scatter-group-mapping",
        (_SCATTER_CHANNEL,),
        _models(MODELS.replace(scatter=partial(_scatter_form, channel=_wrong_scatter_channel))),
        groups=True,
        # compared with the scatter's (wrong) condition, and relying on its meaning
        relying=tuple(f"channels: {m}'s condition is the scatter's" for m in ("transpose", "vjp")),
    ),
    Plant(
        "flip-and-pad-source-channel",
        (_FLIP_CHANNEL,),
        _models(_flip_model(source_channel=_wrong_flip_source)),
        groups=True,
    ),
    *[
        Plant(
            f"{method}-forward-channel",
            (f"channels: {method}'s condition is the scatter's",),
            _models(_forward_model(method, channel=_wrong_forward_channel)),
            groups=True,
        )
        for method in ("transpose", "vjp")
    ],
    # --- sizes (Geometry's formulas and the derivation), crops and lemmas ------------------
    Plant(
        "geometry-output-without-a",
        ("scatter: output length",),
        _patch(Axis, "output", property(lambda ax: ax.full_output - ax.p_begin - ax.p_end)),
    ),
    Plant(
        "geometry-stretched",
        ("flip-and-pad: stretched length",),
        _patch(Axis, "stretched", property(lambda ax: ax.s * ax.i)),
    ),
    Plant(
        "geometry-forward-output",
        ("forward conv: output length, which maps o back to i + floor(a/s)",),
        _patch(Axis, "forward_output", property(lambda ax: ax.i + 1)),
    ),
    Plant(
        "geometry-pad-after-without-a",
        (_FLIP_LENGTH,),
        _patch(Axis, "pad_after", property(lambda ax: ax.d * (ax.k - 1) - ax.p_end)),
        relying=("the two routes agree",),
    ),
    # --- begin and end crops mixed up: only the asymmetric proof can tell ---------------
    *[
        Plant(
            f"{method}-forward-crops-with-p_end",
            (_INDEX.format(method),),
            _models(_forward_model(
                method, position=lambda ax: _forward_position(ax) + ax.p_b - ax.p_e)),
            asymmetric=True,
        )
        for method in ("transpose", "vjp")
    ],
    Plant(
        "scatter-crops-with-p_end",
        tuple(_INDEX.format(m) for m in ("flip_and_pad", "transpose", "vjp")),
        _models(MODELS.replace(scatter=partial(
            _scatter_form, position=lambda ax: _scatter_position(ax) + ax.p_b - ax.p_e))),
        asymmetric=True,
    ),
    Plant(
        "geometry-pad-before-with-p_end",
        (_FLIP_LENGTH, _INDEX.format("flip_and_pad")),
        _patch(Axis, "pad_before", property(lambda ax: ax.d * (ax.k - 1) - ax.p_end)),
        asymmetric=True,
    ),
    Plant(
        "geometry-pad-before-plus-one",
        (_FLIP_LENGTH, _INDEX.format("flip_and_pad")),
        _patch(Axis, "pad_before", property(lambda ax: ax.d * (ax.k - 1) - ax.p_begin + 1)),
    ),
    Plant(
        "route-b-inverts-to-i-not-i-1",
        ("the two routes agree",),
        _patch(sizes_module, "_last_output", lambda count: count),
    ),
    Plant(
        "floor-definition-in-the-lemma",
        ("floor lemma: floor(r/Q) = 0 iff 0 <= r < Q (integers, Q >= 1)",),
        _patch(checks_module, "_floor_equals", _floor_wrong),
    ),
    Plant(
        "floor-definition-in-the-rows-condition",
        ("C has exactly i rows iff a < s",),
        _patch(steps_module, "_floor_equals", _floor_wrong),
    ),
    Plant(
        # the sizes that map back to i are solved from the floor's definition: read
        # wrongly, s + 1 sizes map back and a reaches s
        "floor-definition-in-the-sizes",
        ("exactly s output sizes map back to i: o = o_min + a with 0 <= a < s",),
        _patch(sizes_module, "_floor_equals", _floor_wrong),
    ),
    Plant(
        # y_ext[i] = y[i]: the first extra row of C meets an entry y does not have
        "zero-extension-one-late",
        (_ZERO_EXTENDED,),
        _patch(
            steps_module,
            "_zero_extended",
            lambda ax: sp.Piecewise((sp.IndexedBase("y")[ax.n], ax.n <= ax.i), (0, True)),
        ),
    ),
)

#: Steps no single bug can fail alone, so no plant catches them only, and why (none: a step
#: whose checks other steps imply is merged into them as a part).
IMPLIED: dict[str, str] = {}


@pytest.mark.parametrize("plant", PLANTS, ids=lambda plant: plant.id)
def test_a_planted_bug_is_caught_by_its_step(
    monkeypatch: pytest.MonkeyPatch, plant: Plant
) -> None:
    models = plant.plant(monkeypatch)
    proof = prove_general(plant.ndim, plant.groups, asymmetric=plant.asymmetric, models=models)
    _assert_caught(proof, *plant.catches)
    weak = {s.name for s in proof.steps if not s}
    assert set(plant.relying) <= weak, set(plant.relying) - weak


def _unlabelled(name: str) -> str:
    return re.sub(r"^axis \d+: ", "", name)


def test_every_step_has_a_plant_only_it_catches() -> None:
    names: dict[str, None] = {}
    for ndim, groups, asymmetric in [(1, False, False), (1, True, True), (2, True, False)]:
        for step in prove_general(ndim, groups, asymmetric=asymmetric).steps:
            names[_unlabelled(step.name)] = None
    caught = {p.id: {_unlabelled(n) for n in p.catches} for p in PLANTS}
    only = {next(iter(c)) for c in caught.values() if len(c) == 1}
    anywhere = set().union(*caught.values())
    missing = [n for n in names if n not in only and n not in IMPLIED]
    assert not missing, f"steps no plant catches alone: {missing}"
    assert not [n for n in names if n not in anywhere], "steps no plant catches at all"
    # the table names real steps, and IMPLIED lists only steps without a plant of their own
    assert anywhere <= set(names), anywhere - set(names)
    assert set(IMPLIED) <= set(names) and not set(IMPLIED) & only


def test_an_unflipped_kernel_is_shown_in_the_final_comparison() -> None:
    proof = prove_general(models=_flip_model(flipped_tap=lambda ax: ax.mp))
    # the index conditions agree (the flip only moves the weight): only the sums differ
    step = next(s for s in proof.steps if s.name == "flip_and_pad equals scatter for every size")
    assert "not identical" in step.detail and "w[k - m - 1]" in step.detail


# --------------------------------------------------------------------------- #
# the hook itself and the command line
# --------------------------------------------------------------------------- #


def test_the_real_models_are_the_default_and_are_proved() -> None:
    assert prove_general(models=MODELS) is prove_general()
    assert prove_general(models=Models())
    assert [name for name, _ in MODELS.items()] == ["scatter", "flip_and_pad", "transpose", "vjp"]


def test_models_must_be_models() -> None:
    from symtconv import ParameterError

    with pytest.raises(ParameterError, match="models must be"):
        prove_general(models={"scatter": _scatter_form})  # type: ignore[arg-type]


def test_cli_prove_general_exits_1_on_a_planted_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prove", "--general"]) == 0
    assert capsys.readouterr().out.startswith("PROVED")
    monkeypatch.setattr(models_module, "MODELS", _flip_model(flipped_tap=lambda ax: ax.mp))
    _prove.cache_clear()
    assert main(["prove", "--general"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT PROVED") and "[undecided] flip_and_pad equals scatter" in out
