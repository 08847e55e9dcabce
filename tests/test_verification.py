"""verify() and `symtconv check`: wrong implementations are caught and diagnosed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import wrong_implementations as wrong

from symtconv.cli import main
from symtconv.numeric import conv_transpose
from symtconv.verification import verify

HERE = Path(__file__).resolve().parent


def _scatter_loop(case):
    """The definition, written out here: x[s·n + d·m - p] += y[n]·w[m], then the bias."""
    g = case.geometry
    per_in, per_out = g.in_channels // g.groups, g.out_channels // g.groups
    begins = [p[0] if isinstance(p, tuple) else p for p in g.padding]
    out = np.zeros((g.out_channels, *(int(o) for o in g.output_size)))
    for ci, *n in np.ndindex(*case.y.shape):
        group = ci // per_in
        for j, *m in np.ndindex(*case.w.shape[1:]):
            at = [s * nn + d * mm - b for s, nn, d, mm, b
                  in zip(g.stride, n, g.dilation, m, begins, strict=True)]
            if all(0 <= a < o for a, o in zip(at, out.shape[1:], strict=True)):
                out[(group * per_out + j, *at)] += case.y[(ci, *n)] * case.w[(ci, j, *m)]
    if case.bias is not None:
        out += case.bias.reshape(-1, *(1,) * g.ndim)
    return out


@pytest.fixture
def scatter_reference(monkeypatch):
    """verify's reference (symtconv.numeric) replaced by the loop above."""
    import symtconv.verification as verification

    monkeypatch.setattr(verification, "_reference", _scatter_loop)


def test_the_numeric_tier_passes_against_a_scatter_loop(scatter_reference):
    # symtconv.numeric (GEMM + col2im) as the implementation, a plain loop as the reference
    report = verify(conv_transpose, seed=0, max_examples=60, isolate=False)
    assert report.passed and bool(report), str(report)
    assert report.examples == 60


def test_a_from_scratch_implementation_passes_against_a_scatter_loop(scatter_reference):
    # flip-and-pad with loops (tests/wrong_implementations.py) against the scatter definition
    assert verify(wrong.correct, max_examples=60, seed=1)


def test_a_planted_mistake_fails_against_the_scatter_loop_too(scatter_reference):
    report = verify(wrong.kernel_not_flipped, max_examples=60, seed=1)
    assert not report and report.diagnosis == "kernel not flipped", str(report)


def _onnx_via_torch(torch):
    """ONNX ConvTranspose written on torch, from the operator's documented attributes: the
    full transposed convolution (padding 0), then crop ``pads`` = [begins..., ends...]."""

    def onnx_conv_transpose(X, W, B=None, *, kernel_shape, strides, pads, output_padding,
                            dilations, group):
        assert tuple(kernel_shape) == W.shape[2:]
        ndim = W.ndim - 2
        functional = getattr(torch.nn.functional, f"conv_transpose{ndim}d")
        full = functional(torch.from_numpy(X), torch.from_numpy(W),
                          None if B is None else torch.from_numpy(B), stride=tuple(strides),
                          output_padding=tuple(output_padding), dilation=tuple(dilations),
                          groups=group).numpy()
        crop = tuple(slice(b, n - e) for b, e, n in
                     zip(pads[:ndim], pads[ndim:], full.shape[2:], strict=True))
        return full[(..., *crop)]

    return onnx_conv_transpose


def test_onnx_convention_passes_an_onnx_implementation():
    torch = pytest.importorskip("torch", reason="the ONNX-on-torch kernel needs the 'torch' extra")
    assert verify(_onnx_via_torch(torch), "onnx", max_examples=100, seed=3)


def test_onnx_convention_catches_pads_read_as_pairs():
    from symtconv.conventions import onnx_conv_transpose

    def pads_as_pairs(X, W, B=None, *, pads, **attributes):
        # a classic porting mistake: [x1_begin, x1_end, x2_begin, x2_end] instead of ONNX's
        # [x1_begin, x2_begin, x1_end, x2_end]
        n = len(pads) // 2
        regrouped = [pads[2 * r] for r in range(n)] + [pads[2 * r + 1] for r in range(n)]
        return onnx_conv_transpose(X, W, B, pads=regrouped, **attributes)

    report = verify(pads_as_pairs, "onnx", max_examples=200, seed=4)
    assert not report and report.counterexample is not None
    assert report.counterexample.geometry.ndim >= 2, str(report)


def test_mixing_the_samples_of_a_batch_is_caught():
    report = verify(wrong.batch_mixed, max_examples=200, seed=5)
    assert not report, "batches of N > 1 are drawn"
    n = report.counterexample.batch
    assert n >= 2
    assert report.diagnosis == (
        f"samples of a batch mixed: each sample alone is right, a batch of {n} is not")


def test_an_implementation_wrong_only_on_later_batch_samples_is_caught():
    report = verify(wrong.later_samples_wrong, max_examples=200, seed=5)
    assert not report, str(report)
    n = report.counterexample.batch
    # the planted bug adds 1 to every sample after the first: samples 1..n-1 are wrong
    later = ", ".join(str(j) for j in range(1, n))
    assert report.diagnosis == (
        "wrong on later samples of a batch: each sample alone is right, but in a batch of "
        f"{n} sample{'s' if n > 2 else ''} {later} {'are' if n > 2 else 'is'} wrong")


def test_an_implementation_returning_none_is_reported_not_a_traceback():
    report = verify(lambda *args, **kwargs: None, max_examples=10, seed=0)
    assert not report
    assert report.diagnosis == "returned NoneType, not an array"


def test_cli_convention_choices_are_the_library_conventions():
    from symtconv.cli import build_parser
    from symtconv.verification import CONVENTIONS

    parser = build_parser()
    check = next(a for a in parser._subparsers._group_actions[0].choices["check"]._actions
                 if a.dest == "convention")
    assert tuple(check.choices) == CONVENTIONS


def test_torch_passes():
    torch = pytest.importorskip("torch", reason="the torch cross-check needs the 'torch' extra")

    def torch_conv_transpose(input, weight, bias=None, **kwargs):
        functional = getattr(torch.nn.functional, f"conv_transpose{weight.ndim - 2}d")
        return functional(torch.from_numpy(input), torch.from_numpy(weight),
                          None if bias is None else torch.from_numpy(bias), **kwargs).numpy()

    assert verify(torch_conv_transpose, max_examples=100, seed=2)


def test_the_torch_convention_passes_tensors():
    pytest.importorskip("torch", reason="the torch convention needs the 'torch' extra")
    assert verify(wrong.torch_functional, "torch", max_examples=60, seed=2)
    report = verify(wrong.torch_unflipped, "torch", max_examples=60, seed=2)
    assert not report and report.diagnosis == "kernel not flipped", str(report)


@pytest.mark.parametrize(
    ("implementation", "diagnosis"),
    [
        # the whole text: a label swapped between two mistakes fails here
        (wrong.kernel_not_flipped, "kernel not flipped"),
        (wrong.padding_too_large, "padding off by one (one row too many on each side)"),
        (wrong.padding_too_small, "padding off by one (one row too few on each side)"),
        (wrong.output_padding_ignored, "output_padding ignored"),
        (wrong.dilation_ignored, "dilation ignored"),
        (wrong.channels_swapped, "in/out channels swapped"),
        (wrong.stride_ignored, "stride misapplied (stride taken as 1)"),
        (wrong.bias_ignored, "bias ignored"),
    ],
)
def test_each_mistake_is_caught_and_diagnosed(implementation, diagnosis):
    report = verify(implementation, max_examples=100, seed=1)
    assert not report
    assert report.diagnosis == diagnosis, str(report)
    assert report.counterexample is not None


def test_the_counterexample_is_small_and_the_terms_are_right():
    import re

    report = verify(wrong.kernel_not_flipped, seed=1)
    case = report.counterexample
    assert case.geometry.ndim == 1 and case.geometry.in_channels == 1
    assert report.differences
    k = int(case.geometry.kernel_size[0])
    for difference in report.differences:
        # the unflipped kernel puts w[k-1-m] where w[m] belongs, and nothing else changes
        mirrored = re.sub(r"w_\{(\d+)\}", lambda m: f"w_{{{k - 1 - int(m[1])}}}", difference.got)
        assert sorted(mirrored.split(" + ")) == sorted(difference.expected.split(" + "))


def test_wrong_output_size_is_named():
    def one_too_long(input, weight, *args, **kwargs):
        out = conv_transpose(input, weight, *args, **kwargs)
        return np.concatenate([out, np.zeros_like(out[..., :1])], axis=-1)

    report = verify(one_too_long, seed=0, max_examples=50)
    g = report.explained.geometry  # one sample: (C_out, *o) with o from the size formula
    expected = (g.out_channels, *((i - 1) * s - 2 * p + d * (k - 1) + a + 1 for i, k, s, p, d, a
                                  in zip(g.input_size, g.kernel_size, g.stride, g.padding,
                                         g.dilation, g.output_padding, strict=True)))
    longer = (*expected[:-1], expected[-1] + 1)
    assert report.diagnosis == f"wrong output size: expected {expected}, got {longer}"


def test_json_and_exit_status_of_check(capsys):
    status = main(["check", f"{HERE / 'wrong_implementations.py'}:kernel_not_flipped",
                   "--seed", "1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert data["passed"] is False and data["diagnosis"] == "kernel not flipped"
    assert data["counterexample"]["kernel_size"] and data["differences"]
    assert main(["check", "symtconv.numeric:conv_transpose", "--max-examples", "30"]) == 0
    assert "PASSED" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("no_colon", "TARGET"),
        ("no_such_module_xyz:f", "cannot import"),
        ("symtconv.numeric:no_such_function", "no callable"),
        ("missing/file.py:f", "no such file"),
    ],
)
def test_usage_errors_exit_2(capsys, target, needle):
    assert main(["check", target]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err


def test_unknown_convention_exits_2(capsys):
    assert main(["check", "symtconv.numeric:conv_transpose", "--convention", "caffe"]) == 2
    assert "invalid choice" in capsys.readouterr().err
