"""The convention proofs can fail: planted mistakes in the padding splits are caught.

``prove_conventions`` runs the readers' own per-axis formulas on SymPy symbols.  Each test
here swaps one formula for a wrong one (as the planted bugs of issue 13 did) and asserts
that the claims about it fail and that ``bool(prove_conventions())`` — the check the
README documents — is then False.  The wrong formulas are written here, from the
specifications' words (REFERENCE.md), not copied from the code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sympy as sp

from symtconv.conventions import ConventionProofs, prove_conventions
from symtconv.frameworks import proofs as proofs_module


def _failed_claims(proofs: ConventionProofs) -> list[str]:
    return [p.claim for p in proofs if not p]


def test_every_claim_is_proved_and_the_result_is_a_sequence() -> None:
    proofs = prove_conventions()
    assert isinstance(proofs, ConventionProofs)
    assert bool(proofs) and proofs.proved and proofs.failed == ()
    assert len(proofs) == len(list(proofs)) == len(proofs.proofs) > 20
    assert proofs[0] is proofs.proofs[0] and proofs[-2:] == proofs.proofs[-2:]
    data = proofs.to_dict()
    json.dumps(data)
    assert data["proved"] is True and len(data["claims"]) == len(proofs)
    assert {c["status"] for c in data["claims"]} == {"proved"}
    # the split claims name the specification's formula
    splits = [p.claim for p in proofs if "split (ConvTranspose" in p.claim]
    assert len(splits) == 6
    assert "SAME_UPPER split (ConvTranspose-11+): begin = total//2, end = total - total//2" in (
        " ".join(splits)
    )


def test_the_table_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for columns in (80, 132):
        monkeypatch.setenv("COLUMNS", str(columns))
        text = str(prove_conventions())
        lines = text.splitlines()
        assert lines[0].startswith("PROVED: ")
        assert lines[1].split() == ["framework", "claim", "status"]
        assert max(map(len, lines)) <= columns
        # every claim's status is in the table, once per claim
        assert sum(line.endswith("  proved") for line in lines) == len(prove_conventions())


def _swapped_split(total: Any, auto_pad: str, opset: int) -> tuple[Any, Any]:
    """ONNX's split with SAME_UPPER and SAME_LOWER swapped (the planted mistake)."""
    small = total // 2
    lower_first = auto_pad == "SAME_UPPER"  # wrong: UPPER puts the smaller half first
    if opset < 11:
        lower_first = not lower_first
    return (total - small, small) if lower_first else (small, total - small)


def _not_inverted_before_11(total: Any, auto_pad: str, opset: int) -> tuple[Any, Any]:
    """The opset >= 11 split used for ConvTranspose-1 too (the inversion forgotten)."""
    small = total // 2
    return (small, total - small) if auto_pad == "SAME_UPPER" else (total - small, small)


def test_onnx_upper_lower_swapped_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    before = prove_conventions()
    monkeypatch.setattr(proofs_module, "_onnx_split", _swapped_split)
    proofs = prove_conventions()
    assert not proofs and proofs.to_dict()["proved"] is False
    failed = _failed_claims(proofs)
    assert len(failed) == 6 and all("split (ConvTranspose" in c for c in failed)
    # the claims on the total alone still hold: they could not see the swap
    assert all(p for p in proofs if "give output size" in p.claim and p.framework == "onnx")
    assert len(proofs) == len(before)
    text = str(proofs)
    assert text.startswith("NOT PROVED: ") and "not proved: [failed] ONNX: SAME_UPPER" in text


def test_onnx_opset_1_not_inverted_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proofs_module, "_onnx_split", _not_inverted_before_11)
    failed = _failed_claims(prove_conventions())
    assert failed and all("(ConvTranspose-1)" in c for c in failed)
    assert len(failed) == 3


@pytest.mark.parametrize("shift", [1, -1])
def test_tf_same_begin_moved_by_one_fails(monkeypatch: pytest.MonkeyPatch, shift: int) -> None:
    real = proofs_module._tf_same_begin

    def moved(i: Any, k: Any, s: Any, d: Any, out: Any) -> Any:
        return real(i, k, s, d, out) + shift

    monkeypatch.setattr(proofs_module, "_tf_same_begin", moved)
    proofs = prove_conventions()
    assert bool(proofs) is False  # the README's documented check
    failed = _failed_claims(proofs)
    assert "SAME: the begin crop is before = total//2 with total = max((i-1)s + ek - o, 0)" in (
        failed
    )


def test_tf_same_begin_larger_half_first_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def larger_first(i: Any, k: Any, s: Any, d: Any, out: Any) -> Any:
        total = sp.Max((i - 1) * s + d * (k - 1) + 1 - out, 0)
        return total - sp.floor(total / 2)

    monkeypatch.setattr(proofs_module, "_tf_same_begin", larger_first)
    assert any(c.startswith("SAME: the begin crop") for c in _failed_claims(prove_conventions()))


def test_jax_pads_without_output_padding_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    def pads(k: Any, d: Any, pb: Any, pe: Any, a: Any) -> tuple[Any, Any]:
        return d * (k - 1) - pb, d * (k - 1) - pe  # output_padding forgotten

    monkeypatch.setattr(proofs_module, "_jax_pads", pads)
    proofs = prove_conventions()
    assert not proofs
    assert any(p.framework == "jax" and "output size" in p.claim for p in proofs.failed)
