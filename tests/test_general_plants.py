"""Every check of the general proof can fail: a planted bug that only it catches.

Each test plants one bug — a wrong model (swapped in through ``prove_general(models=...)``,
see :mod:`symtconv.general.models`), a wrong size formula in :class:`symtconv.geometry.Axis`,
or a wrong definition a lemma starts from — and asserts that the proof is NOT proved, that
the check meant for that bug is the one that failed, and that every other step that is
not proved merely relies on it (its detail names the failing check).  The mutation run
(``python tools/mutants.py``) checks the converse: a weakened check makes one of these
tests fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def _forward_model(method: str, **pieces: Any) -> Models:
    """``MODELS`` with ``method`` (transpose or vjp) built on a wrong forward conv."""
    builder = {"transpose": _transpose_form, "vjp": _vjp_form}[method]
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


# --------------------------------------------------------------------------- #
# the methods' models: index, padding, rows, leak, N-d structure, final comparison
# --------------------------------------------------------------------------- #


def test_an_unflipped_kernel_is_caught_by_the_final_comparison() -> None:
    proof = prove_general(models=_flip_model(flipped_tap=lambda ax: ax.mp))
    final = "flip_and_pad equals scatter for every size"
    _assert_caught(proof, final)
    # the index conditions agree (the flip only moves the weight): only the sums differ
    step = next(s for s in proof.steps if s.name == final)
    assert "not identical" in step.detail and "w[k - m - 1]" in step.detail


@pytest.mark.parametrize("method", ["transpose", "vjp"])
def test_zero_padding_to_t_le_o_is_caught_by_the_padding_step(method: str) -> None:
    wrong = _forward_model(method, inside=lambda t, ax: sp.And(t >= 0, t <= ax.o))
    _assert_caught(
        prove_general(models=wrong), f"{method}: the zero padding of x adds no term for 0 <= j < o"
    )


@pytest.mark.parametrize("method", ["transpose", "vjp"])
def test_a_shifted_forward_conv_is_caught_by_the_index_step(method: str) -> None:
    wrong = _forward_model(method, position=lambda ax: _forward_position(ax) + 1)
    _assert_caught(prove_general(models=wrong), f"{method}: index condition is the scatter's")


@pytest.mark.parametrize(
    "pieces",
    [
        {"shift": lambda ax: _pad_shift(ax) + 1},
        {"inserted": lambda ax: ax.s * ax.n + 1},
    ],
    ids=["pad-by-one-more", "zero-insertion-off-by-one"],
)
def test_a_wrong_flip_and_pad_step_is_caught_by_the_index_step(
    pieces: dict[str, Callable[..., Any]],
) -> None:
    _assert_caught(
        prove_general(models=_flip_model(**pieces)),
        "flip_and_pad: index condition is the scatter's",
    )


def test_extra_rows_of_c_are_caught_by_the_rows_step() -> None:
    # one more floor(a/s) rows: the normal form (which sets floor(a/s) = 0 for a < s)
    # cannot see it, the rows step compares with i + floor(a/s)
    def rows(ax: Any, sz: Any) -> Any:
        return _forward_rows(ax, sz) + sp.floor(ax.a / ax.s)

    wrong = MODELS.replace(transpose=partial(_transpose_form, rows=rows))
    _assert_caught(prove_general(models=wrong), "transpose: y has i + floor(a/s) entries")


def test_an_index_outside_its_sum_is_caught_by_the_leak_step() -> None:
    # the forward conv reads with m' (flip-and-pad's tap), which no sum of it binds
    wrong = _forward_model("transpose", position=lambda ax: ax.s * ax.n + ax.d * ax.mp - ax.p_b)
    _assert_caught(
        prove_general(models=wrong),
        "transpose: no summation index escapes its sum",
        "transpose: index condition is the scatter's",
    )


def test_axes_mixed_are_caught_by_the_structure_step() -> None:
    wrong = _forward_model("vjp", position=lambda ax: _forward_position(ax) + ax.k - _int("k_2"))
    _assert_caught(
        prove_general(2, models=wrong),
        "vjp: the N-d condition is the product of the per-axis ones",
        "axis 1: vjp: index condition is the scatter's",
    )


# --------------------------------------------------------------------------- #
# channels and groups
# --------------------------------------------------------------------------- #


def test_a_wrong_scatter_group_mapping_is_caught_by_the_scatter_channel_step() -> None:
    def channel(ch: Any) -> Any:
        return ch.group_of_input(ch.c_in) * ch.Q_in + ch.c_l  # Q_in where Q_out belongs

    wrong = MODELS.replace(scatter=partial(_scatter_form, channel=channel))
    _assert_caught(
        prove_general(1, True, models=wrong),
        "channels: scatter's condition iff g_in = g_out and c_l = r_out",
        # the others are compared with the scatter's (wrong) condition, and differ
        "channels: transpose's condition is the scatter's",
        "channels: vjp's condition is the scatter's",
    )


def test_a_wrong_flip_and_pad_source_channel_is_caught_by_its_channel_step() -> None:
    def source(ch: Any) -> Any:
        return ch.group_of_output(ch.c_out) * ch.Q_out + ch.c_il

    _assert_caught(
        prove_general(1, True, models=_flip_model(source_channel=source)),
        "channels: flip_and_pad's condition iff g_in = g_out and c_l = r_out (and c_il = r_in)",
    )


@pytest.mark.parametrize("method", ["transpose", "vjp"])
def test_a_wrong_forward_channel_is_caught_by_the_channel_step(method: str) -> None:
    def channel(ch: Any) -> Any:
        return ch.group_of_input(ch.c_in) * ch.Q_out + ch.c_l + 1

    _assert_caught(
        prove_general(1, True, models=_forward_model(method, channel=channel)),
        f"channels: {method}'s condition is the scatter's",
    )


# --------------------------------------------------------------------------- #
# sizes, crops and the lemmas
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("attribute", "wrong", "expected"),
    [
        ("output", lambda ax: ax.full_output - ax.p_begin - ax.p_end, ["scatter: output length"]),
        ("stretched", lambda ax: ax.s * ax.i, ["flip-and-pad: stretched length"]),
        ("forward_output", lambda ax: ax.i + 1, ["forward conv: output length"]),
        (
            "pad_after",
            lambda ax: ax.d * (ax.k - 1) - ax.p_end,
            ["flip-and-pad: output length equals the scatter's", "the two routes agree"],
        ),
        (
            "pad_before",
            lambda ax: ax.d * (ax.k - 1) - ax.p_begin + 1,
            [
                "flip-and-pad: a negative pad is a crop, and no read leaves the sequence",
                "flip-and-pad: output length equals the scatter's",
                "the two routes agree",
                "flip_and_pad: index condition is the scatter's",
            ],
        ),
    ],
    ids=["output-without-a", "stretched", "forward-output", "pad-after", "pad-before-crop"],
)
def test_a_wrong_size_formula_is_caught_by_its_size_step(
    monkeypatch: pytest.MonkeyPatch,
    attribute: str,
    wrong: Callable[[Axis], Any],
    expected: list[str],
) -> None:
    monkeypatch.setattr(Axis, attribute, property(wrong))
    _assert_caught(prove_general(), *expected)


def _floor_wrong(x: Any, q: Any) -> list[Any]:
    return [sp.Le(q, x), sp.Le(x, q + 1)]  # floor(x) = q read as q <= x <= q + 1


def test_a_wrong_floor_definition_is_caught_by_the_floor_lemma(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks_module, "_floor_equals", _floor_wrong)
    _assert_caught(
        prove_general(), "floor lemma: floor(r/Q) = 0 iff 0 <= r < Q (integers, Q >= 1)"
    )


def test_a_wrong_floor_definition_is_caught_by_the_rows_condition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(steps_module, "_floor_equals", _floor_wrong)
    _assert_caught(prove_general(), "C has exactly i rows iff a < s")


def test_a_wrong_floor_definition_is_caught_by_the_size_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the sizes that map back to i are solved from the floor's definition: read wrongly,
    # s + 1 sizes map back and a reaches s
    monkeypatch.setattr(sizes_module, "_floor_equals", _floor_wrong)
    _assert_caught(
        prove_general(),
        "exactly s output sizes map back to i",
        "o = o_min + a maps back to i iff 0 <= a < s",
    )


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
