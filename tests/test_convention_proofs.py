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


_TF_END = (
    "SAME: the net end crop is after - unread, with after = total - total//2 and "
    "unread = o + total - ((i-1)s + ek) (the entries of the padded x no window reads)"
)


def _tf_total(i: Any, k: Any, s: Any, d: Any, out: Any) -> Any:
    """TF's SAME total padding, from the specification: max((i-1)s + ek - out, 0)."""
    return sp.Max((i - 1) * s + d * (k - 1) + 1 - out, 0)


def _end_is_after(i: Any, k: Any, s: Any, d: Any, out: Any) -> Any:
    """The forward conv's pad after, total - total//2, taken as the end crop: wrong when the
    full scatter is shorter than the output (then zeros must be appended)."""
    total = _tf_total(i, k, s, d, out)
    return total - sp.floor(total / 2)


def _end_larger_by_one(i: Any, k: Any, s: Any, d: Any, out: Any) -> Any:
    """One entry too many cropped at the end."""
    return (i - 1) * s + d * (k - 1) + 1 - out - sp.floor(_tf_total(i, k, s, d, out) / 2) + 1


@pytest.mark.parametrize("wrong", [_end_is_after, _end_larger_by_one], ids=["after", "plus-one"])
def test_tf_same_end_crop_wrong_fails(monkeypatch: pytest.MonkeyPatch, wrong: Any) -> None:
    assert _TF_END in [p.claim for p in prove_conventions() if p]
    monkeypatch.setattr(proofs_module, "_tf_same_end", wrong)
    proofs = prove_conventions()
    assert bool(proofs) is False  # the README's documented check
    assert _failed_claims(proofs) == [_TF_END]  # the begin crop is still right


def test_the_tf_reader_uses_the_proved_end_crop() -> None:
    # from_tf's crops are the functions prove_conventions proves: TF's own numbers for
    # conv2d SAME (REFERENCE.md), counted here by brute force over the forward windows
    from symtconv.conventions import from_tf

    for i, k, s, o in [(3, 3, 2, 6), (3, 3, 2, 5), (2, 1, 3, 6), (4, 2, 3, 12), (2, 3, 1, 2)]:
        total = max((i - 1) * s + k - o, 0)
        before = total // 2
        # the forward conv's windows start at s·n - before in x and cover k entries;
        # the last x index any window reads, plus one, is where the transposed output's
        # scatter ends; the rest of x (up to o) gets zeros
        reach = max(s * n - before + k for n in range(i))
        g = from_tf((i,), k, output_shape=(o,), strides=s, padding="SAME")
        begin, end = g.axes[0].p_begin, int(g.axes[0].p_end) - int(g.axes[0].a)
        assert (begin, end) == (before, reach - o), (i, k, s, o)
        assert g.output_size == (o,)
