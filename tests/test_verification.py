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


def test_the_numeric_reference_passes():
    report = verify(conv_transpose, seed=0)
    assert report.passed and bool(report)
    assert report.examples >= 200


def test_a_correct_from_scratch_implementation_passes():
    assert verify(wrong.correct, max_examples=100, seed=1)


def test_torch_passes():
    torch = pytest.importorskip("torch", reason="the torch cross-check needs the 'torch' extra")

    def torch_conv_transpose(input, weight, bias=None, **kwargs):
        functional = getattr(torch.nn.functional, f"conv_transpose{weight.ndim - 2}d")
        return functional(torch.from_numpy(input), torch.from_numpy(weight),
                          None if bias is None else torch.from_numpy(bias), **kwargs).numpy()

    assert verify(torch_conv_transpose, max_examples=100, seed=2)


@pytest.mark.parametrize(
    ("implementation", "diagnosis"),
    [
        (wrong.kernel_not_flipped, "kernel not flipped"),
        (wrong.padding_too_large, "padding off by one"),
        (wrong.padding_too_small, "padding off by one"),
        (wrong.output_padding_ignored, "output_padding ignored"),
        (wrong.dilation_ignored, "dilation ignored"),
        (wrong.channels_swapped, "in/out channels swapped"),
        (wrong.stride_ignored, "stride misapplied"),
        (wrong.bias_ignored, "bias ignored"),
    ],
)
def test_each_mistake_is_caught_and_diagnosed(implementation, diagnosis):
    report = verify(implementation, max_examples=100, seed=1)
    assert not report
    assert report.diagnosis.startswith(diagnosis), str(report)
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

    assert verify(one_too_long, seed=0).diagnosis.startswith("wrong output size")


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
