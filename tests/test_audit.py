"""Tests of symtconv.audit: ONNX files and PyTorch modules, every finding, the CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from symtconv.audit import FINDINGS, ModelError, audit_onnx, audit_specs, audit_torch
from symtconv.cli import main
from symtconv.errors import MissingDependencyError, TooLargeError

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- #
# helpers: models built with onnx.helper, a brute-force transposed convolution
# --------------------------------------------------------------------------- #


def one_node(attrs: dict[str, Any], x: Any = (1, 1, 3, 3), w: Any = (1, 1, 3, 3), *,
             opset: int = 13, out: Any = ("N", "C", "H", "W"), bias: bool = False) -> Any:
    names = ["X", "W"] + (["B"] if bias else [])
    node = helper.make_node("ConvTranspose", names, ["Y"], name="up", **attrs)
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, list(x)),
              helper.make_tensor_value_info("W", TensorProto.FLOAT, list(w))]
    if bias:
        inputs.append(helper.make_tensor_value_info("B", TensorProto.FLOAT, [w[1]]))
    graph = helper.make_graph([node], "g", inputs,
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, list(out))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    return model


def save(model: Any, path: Path) -> str:
    onnx.save(model, str(path))
    return str(path)


def brute_1d(y: list[int], w: list[int], s: int, d: int, begin: int, end: int) -> list[int]:
    """The scatter definition written out: full output, then crop (negative: zeros)."""
    full = [0] * ((len(y) - 1) * s + d * (len(w) - 1) + 1)
    for n, yn in enumerate(y):
        for m, wm in enumerate(w):
            full[s * n + d * m] += yn * wm
    full = [0] * max(-begin, 0) + full + [0] * max(-end, 0)
    return full[max(begin, 0): len(full) - max(end, 0)]


def codes(audit: Any) -> set[str]:
    return {f.code for f in audit.findings}


def finding(audit: Any, code: str) -> Any:
    return next(f for f in audit.findings if f.code == code)


# --------------------------------------------------------------------------- #
# every finding code, on models built with onnx.helper
# --------------------------------------------------------------------------- #


def test_asymmetric_padding_crop_reproduces_the_onnx_output():
    torch = pytest.importorskip("torch")
    ort = pytest.importorskip("onnxruntime")
    model = one_node({"strides": [2, 2], "auto_pad": "SAME_UPPER"})
    audit = audit_onnx(model, targets=["torch"])
    assert codes(audit) == {"asymmetric-padding", "checkerboard"}
    layer = audit.layers[0]
    assert layer.output_shape == (1, 1, 6, 6)
    # PyTorch with the reported kwargs, then the reported crop, equals ONNX Runtime
    rng = np.random.default_rng(1)
    x = rng.integers(-3, 4, (1, 1, 3, 3)).astype(np.float32)
    w = rng.integers(-3, 4, (1, 1, 3, 3)).astype(np.float32)
    t = layer.translations["torch"]
    got = torch.nn.functional.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w),
                                               **t.kwargs).numpy()
    got = t.finish(got)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    want = session.run(["Y"], {"X": x, "W": w})[0]
    assert got.shape == want.shape == (1, 1, 6, 6)
    assert (got == want).all()
    assert finding(audit, "asymmetric-padding").detail["crop"] == [[0, 1], [0, 1]]


def test_output_padding_not_adjoint_and_the_proof_fails():
    model = one_node({"strides": [1, 1], "dilations": [2, 2], "output_padding": [1, 1]})
    audit = audit_onnx(model, targets=["onnx"], prove=True)
    assert "output-padding-not-adjoint" in codes(audit)
    layer = audit.layers[0]
    assert layer.proved is False
    # the forward conv (k=3, d=2, s=1) of the 8-long output has 8 - 4 = 4 entries, not 3
    o = layer.output_shape[-1]
    assert o == 8
    assert finding(audit, "output-padding-not-adjoint").detail["forward_output_size"] == [
        o - 2 * 2, o - 2 * 2]


def test_auto_pad_with_output_padding():
    model = one_node({"strides": [2, 2], "auto_pad": "SAME_LOWER", "output_padding": [1, 0]})
    audit = audit_onnx(model, targets=["torch"])
    assert "auto-pad-with-output-padding" in codes(audit)
    # the specification: SAME keeps output = input·stride, output_padding only moves the crop
    assert audit.layers[0].output_shape == (1, 1, 6, 6)
    # the explicit pads it suggests give the same output, entry by entry (ONNX Runtime)
    ort = pytest.importorskip("onnxruntime")
    detail = finding(audit, "auto-pad-with-output-padding").detail
    explicit = one_node({"strides": [2, 2], "pads": detail["pads"],
                         "output_padding": detail["explicit_output_padding"]})
    rng = np.random.default_rng(3)
    feeds = {"X": rng.integers(-3, 4, (1, 1, 3, 3)).astype(np.float32),
             "W": rng.integers(-3, 4, (1, 1, 3, 3)).astype(np.float32)}
    outputs = [ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
               .run(["Y"], feeds)[0] for m in (model, explicit)]
    assert outputs[0].shape == (1, 1, 6, 6) and (outputs[0] == outputs[1]).all()


@pytest.mark.parametrize("opset", [10, 11, 17])
def test_output_shape_attribute_splits_by_opset(opset):
    # natural sizes 9 (s=3) and 7 (s=2); output_shape 8 and 6: total padding 1 on each axis
    model = one_node({"strides": [3, 2], "output_shape": [8, 6], "pads": [5, 5, 5, 5]},
                     opset=opset)
    audit = audit_onnx(model, targets=["torch"])
    f = finding(audit, "output-shape-attribute")
    total = 1
    # ConvTranspose-1 (opsets 1-10) writes begin = total/2 unless SAME_UPPER; 11+ the reverse
    begin = total // 2 if opset < 11 else total - total // 2
    assert f.detail["crops"] == [[begin, total - begin]] * 2
    assert "ignored" in f.message and f"opset {opset}" in f.message
    assert audit.layers[0].output_shape == (1, 1, 8, 6)
    assert ("asymmetric-padding" in codes(audit)) == (opset < 11)
    # the geometry computes the brute-force scatter with those crops
    y, w = [3, -1, 2], [1, 2, 5]
    g = audit.layers[0].spec.geometry
    from symtconv.numeric import conv_transpose

    row = conv_transpose(np.array([[y]]), np.array([[w]]), stride=g.stride[1],
                         padding=[g.padding[1]], output_padding=g.output_padding[1])
    assert row[0, 0].tolist() == brute_1d(y, w, 2, 1, begin, total - begin)


def test_checkerboard_counts_match_a_brute_force_count():
    model = one_node({"strides": [2, 3], "pads": [1, 0, 1, 0]}, w=(2, 1, 3, 3),
                     x=(1, 2, 5, 5))
    audit = audit_onnx(model, targets=["onnx"])
    f = finding(audit, "checkerboard")
    for axis, (k, s) in enumerate([(3, 2), (3, 3)]):
        p = [1, 0][axis]
        i = 5
        # taps reaching output j = s·n + m - p, counted by a loop over n and m
        o = (i - 1) * s + k - 2 * p
        counts = [sum(1 for n in range(i) for m in range(k) if s * n + m - p == j)
                  for j in range(o)]
        first, last = k - 1 - p, (i - 1) * s - p  # no border cuts taps off in between
        detail = f.detail["axes"][axis]
        interior = [counts[j] for j in range(first, last + 1)]
        assert interior == [detail["interior"][j % detail["period"]]
                            for j in range(first, last + 1)]
        assert detail["uniform"] == (len(set(interior)) == 1)
    assert f.detail["channel_factor"] == 2


def test_no_checkerboard_when_s_divides_k():
    model = one_node({"strides": [2, 2], "pads": [1, 1, 1, 1]}, w=(1, 1, 4, 4))
    assert codes(audit_onnx(model, targets=["onnx"])) == set()


def test_shape_mismatch_with_the_declared_output():
    model = one_node({"strides": [2, 2], "pads": [1, 1, 1, 1]}, out=(1, 1, 6, 6))
    audit = audit_onnx(model, targets=["onnx"])
    f = finding(audit, "shape-mismatch")
    assert f.detail == {"declared": [1, 1, 6, 6], "computed": [1, 1, 5, 5]}


def test_shapes_are_carried_through_other_operators_and_value_info():
    nodes = [
        helper.make_node("ConvTranspose", ["X", "W1"], ["a"], name="up1", strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["a"], ["b"]),
        helper.make_node("ConvTranspose", ["b", "W2"], ["Y"], name="up2", strides=[2, 2]),
    ]
    w1 = numpy_helper.from_array(np.ones((4, 2, 4, 4), np.float32), "W1")
    w2 = numpy_helper.from_array(np.ones((2, 3, 2, 2), np.float32), "W2")
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4, 5, 7])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 3, 20, 28])],
        initializer=[w1, w2],
        value_info=[helper.make_tensor_value_info("b", TensorProto.FLOAT, ["N", 2, 10, 15])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    audit = audit_onnx(model, targets=["torch"])
    assert [layer.output_shape for layer in audit.layers] == [("N", 2, 10, 14), ("N", 3, 20, 28)]
    assert [layer.spec.input_shape for layer in audit.layers] == [("N", 4, 5, 7),
                                                                  ("N", 2, 10, 14)]
    mismatch = [f for f in audit.findings if f.code == "shape-mismatch"]
    assert len(mismatch) == 1 and mismatch[0].detail["declared"] == ["N", 2, 10, 15]


def test_dynamic_spatial_sizes_need_input_shape():
    model = one_node({"strides": [2, 2]}, x=("N", 1, "H", "W"))
    with pytest.raises(ModelError, match="--input-shape"):
        audit_onnx(model)
    audit = audit_onnx(model, input_shape=(2, 1, 4, 5), targets=["onnx"])
    assert audit.layers[0].output_shape == (2, 1, 9, 11)


# --------------------------------------------------------------------------- #
# runtime: a real ONNX Runtime agrees; a planted deviation is reported
# --------------------------------------------------------------------------- #


def test_runtime_agrees_on_plain_layers():
    pytest.importorskip("onnxruntime")
    model = one_node({"strides": [2, 1], "pads": [1, 0, 0, 2], "dilations": [1, 2],
                      "group": 2}, x=(1, 4, 4, 5), w=(4, 3, 3, 2), bias=True)
    audit = audit_onnx(model, targets=["onnx"], runtime="onnxruntime")
    assert "runtime-deviation" not in codes(audit)
    assert "equal to symtconv's numeric tier on all" in audit.layers[0].runtime


def test_planted_runtime_deviation(monkeypatch):
    import symtconv.audit.runtime as runtime

    def off_by_one(attributes, x, w, b, opset):
        from symtconv.numeric import conv_transpose

        g = dict(attributes)
        y = conv_transpose(x.astype(np.float64), w.astype(np.float64), b, stride=g["strides"],
                           padding=[(1, 1), (1, 1)])
        y[0, 0, 2, 3] += 1
        return y.astype(np.float32)

    monkeypatch.setattr(runtime, "run_onnxruntime", off_by_one)
    model = one_node({"strides": [2, 2], "pads": [1, 1, 1, 1]})
    audit = audit_onnx(model, targets=["onnx"], runtime="onnxruntime")
    f = finding(audit, "runtime-deviation")
    assert f.detail["index"] == [0, 0, 2, 3]
    assert f.detail["differing"] == 1
    assert f.detail["runtime_value"] == f.detail["expected"] + 1


def test_runtime_that_raises_is_a_deviation(monkeypatch):
    import symtconv.audit.runtime as runtime

    def refuse(*args):
        raise RuntimeError("not implemented")

    monkeypatch.setattr(runtime, "run_onnxruntime", refuse)
    audit = audit_onnx(one_node({"strides": [2, 2]}), targets=["onnx"], runtime="onnxruntime")
    assert "not implemented" in finding(audit, "runtime-deviation").message


# --------------------------------------------------------------------------- #
# the ONNX package's own ConvTranspose backend models
# --------------------------------------------------------------------------- #


def _backend_cases() -> list[Any]:
    from onnx.backend.test.case.node import collect_testcases

    return [case for case in collect_testcases("ConvTranspose") if case.data_sets]


def test_backend_models_shapes_and_values():
    from symtconv.numeric import conv_transpose

    cases = _backend_cases()
    assert len(cases) >= 10
    for case in cases:
        audit = audit_onnx(case.model, targets=["torch", "onnx"])
        (layer,) = audit.layers
        inputs, outputs = case.data_sets[0]
        expected = outputs[0]
        assert layer.output_shape == expected.shape, case.name
        assert "shape-mismatch" not in layer.codes, case.name
        g = layer.spec.geometry
        got = conv_transpose(inputs[0].astype(np.float64), inputs[1].astype(np.float64),
                             None if len(inputs) < 3 else inputs[2], stride=g.stride,
                             padding=g.padding, output_padding=g.output_padding,
                             groups=g.groups, dilation=g.dilation)
        assert np.allclose(got, expected), case.name
    names = {case.name: audit_onnx(case.model, targets=["onnx"]) for case in cases}
    assert "output-shape-attribute" in codes(names["test_convtranspose_output_shape"])


def test_pytorch_converted_backend_files():
    data = Path(onnx.__file__).parent / "backend" / "test" / "data" / "pytorch-converted"
    files = sorted(data.glob("test_ConvTranspose2d*/model.onnx"))
    if not files:
        pytest.skip("this onnx wheel ships no pytorch-converted models")
    for path in files:
        out = onnx.TensorProto()
        out.ParseFromString((path.parent / "test_data_set_0" / "output_0.pb").read_bytes())
        audit = audit_onnx(path, targets=["torch"])
        assert [layer.output_shape for layer in audit.layers] == [tuple(out.dims)]


# --------------------------------------------------------------------------- #
# PyTorch: a DCGAN-style generator, traced shapes equal a real forward pass
# --------------------------------------------------------------------------- #


def dcgan(channels: tuple[int, ...] = (16, 32, 16, 8, 4, 3)) -> Any:
    pytest.importorskip("torch")
    from symtconv.audit.examples import dcgan as make

    return make(channels)


def test_dcgan_traced_shapes_equal_a_real_forward_pass():
    torch = pytest.importorskip("torch")
    net = dcgan()
    shapes: list[tuple[int, ...]] = []
    handles = [m.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape)))
               for m in net.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    with torch.no_grad():
        final = net.eval()(torch.randn(2, 16, 1, 1))
    for h in handles:
        h.remove()
    audit = audit_torch(net, (2, 16, 1, 1), targets=["onnx", "jax"], prove=True)
    assert [layer.output_shape for layer in audit.layers] == shapes
    assert audit.layers[-1].output_shape == tuple(final.shape) == (2, 3, 64, 64)
    assert [layer.name for layer in audit.layers] == ["0", "3", "6", "9", "12"]
    assert all(layer.proved for layer in audit.layers)
    assert not audit.findings


def test_torch_output_size_argument_and_a_layer_called_twice():
    torch = pytest.importorskip("torch")

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.up = torch.nn.ConvTranspose1d(2, 2, 3, stride=2, padding=1)

        def forward(self, x):
            return self.up(self.up(x), output_size=[14])

    net = Net()
    audit = audit_torch(net, (1, 2, 4), targets=["torch"])
    with torch.no_grad():
        real = net(torch.zeros(1, 2, 4))
    assert [layer.name for layer in audit.layers] == ["up", "up#2"]
    assert audit.layers[-1].output_shape == tuple(real.shape) == (1, 2, 14)
    assert audit.layers[-1].spec.geometry.output_padding == (1,)
    assert "checkerboard" in audit.layers[0].codes


def test_torch_runtime_through_onnx_export_attributes():
    pytest.importorskip("onnxruntime")
    torch = pytest.importorskip("torch")
    net = torch.nn.ConvTranspose2d(2, 4, 3, stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
                                   groups=2, dilation=(1, 2))
    audit = audit_torch(net, (1, 2, 3, 4), runtime="onnxruntime", targets=["onnx"])
    assert "runtime-deviation" not in codes(audit)
    assert audit.layers[0].runtime is not None


# --------------------------------------------------------------------------- #
# the command line
# --------------------------------------------------------------------------- #

GENERATOR = '''
import torch.nn as nn

def make():
    return nn.Sequential(nn.ConvTranspose2d(8, 4, 4, 2, 1), nn.ReLU(),
                         nn.ConvTranspose2d(4, 2, 3, 2, 1))

def broken():
    raise RuntimeError("no weights here")

def not_a_module():
    return 42
'''


@pytest.fixture()
def generator(tmp_path: Path) -> Path:
    pytest.importorskip("torch")
    path = tmp_path / "gen.py"
    path.write_text(GENERATOR)
    return path


def test_cli_torch_json_and_strict(generator, capsys):
    assert main(["audit", f"{generator}:make", "--input-shape", "1", "8", "5", "5",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [layer["output_shape"] for layer in data["layers"]] == [[1, 4, 10, 10],
                                                                  [1, 2, 19, 19]]
    assert set(data["layers"][0]) >= {"name", "op", "input_shape", "output_shape", "geometry",
                                      "translations", "findings", "proved"}
    assert data["layers"][1]["findings"][0]["code"] == "checkerboard"
    assert data["summary"]["findings"] == 1
    assert main(["audit", f"{generator}:make", "--input-shape", "1", "8", "5", "5",
                 "--strict", "--to", "torch"]) == 1
    text = capsys.readouterr().out
    assert "checkerboard" in text and "ConvTranspose2d" in text


@pytest.mark.parametrize("args, message", [
    ([":make"], "--input-shape"),
    ([":broken", "--input-shape", "1", "8", "2", "2"], "no weights here"),
    ([":not_a_module", "--input-shape", "1", "8", "2", "2"], "torch.nn.Module"),
    ([":make", "--input-shape", "1", "3", "2", "2"], "forward pass"),
    ([":missing", "--input-shape", "1", "8", "2", "2"], "missing"),
    ([":make", "--input-shape", "1", "8", "0", "2"], "positive"),
    ([":make", "--input-shape", "1", "8", "x", "2"], "expected an integer"),
])
def test_cli_torch_errors_one_line_exit_2(generator, capsys, args, message):
    assert main(["audit", f"{generator}{args[0]}", *args[1:]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize("content", [b"", b"garbage that is not protobuf\xff\x00", None])
def test_cli_corrupt_onnx(tmp_path, capsys, content):
    path = tmp_path / "model.onnx"
    if content is None:  # a truncated real model
        data = one_node({"strides": [2, 2]}).SerializeToString()
        content = data[: len(data) // 2]
    path.write_bytes(content)
    assert main(["audit", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_missing_file_and_checker_failure(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nothere.onnx")]) == 2
    assert "no such file" in capsys.readouterr().err
    node = helper.make_node("ConvTranspose", ["X"], ["Y"])  # W missing: invalid
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 1, 3, 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 1, 5, 5])])
    path = save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
                tmp_path / "bad.onnx")
    assert main(["audit", path]) == 2
    assert capsys.readouterr().err.startswith("symtconv: error: corrupt ONNX model")
    wrong = save(one_node({"kernel_shape": [2, 2]}), tmp_path / "kernel.onnx")
    assert main(["audit", wrong]) == 2
    assert "kernel_shape=[2, 2] but W of shape [1, 1, 3, 3]" in capsys.readouterr().err
    channels = save(one_node({}, x=(1, 2, 3, 3)), tmp_path / "channels.onnx")
    assert main(["audit", channels]) == 2
    assert "channels" in capsys.readouterr().err


def test_cli_onnx_every_code_and_strict(tmp_path, capsys):
    paths = [
        save(one_node({"strides": [2, 2], "auto_pad": "SAME_UPPER", "output_padding": [1, 1]}),
             tmp_path / "a.onnx"),
        save(one_node({"strides": [1, 1], "dilations": [2, 2], "output_padding": [1, 1]}),
             tmp_path / "b.onnx"),
        save(one_node({"strides": [3, 2], "output_shape": [8, 6]}, opset=10),
             tmp_path / "c.onnx"),
        save(one_node({"strides": [2, 2]}, out=(1, 1, 9, 9)), tmp_path / "d.onnx"),
    ]
    seen = set()
    for path in paths:
        assert main(["audit", path, "--json", "--to", "torch"]) == 0
        data = json.loads(capsys.readouterr().out)
        seen |= {f["code"] for layer in data["layers"] for f in layer["findings"]}
        assert main(["audit", path, "--strict"]) == 1
        capsys.readouterr()
    assert seen == set(FINDINGS) - {"runtime-deviation"}


def test_cli_prove_limit(tmp_path, capsys, monkeypatch):
    import symtconv.audit.report as report

    path = save(one_node({"strides": [2, 2]}), tmp_path / "m.onnx")
    monkeypatch.setattr(report, "MAX_PROVE_TERMS", 10)
    assert main(["audit", path, "--prove"]) == 2
    assert "MAX_PROVE_TERMS" in capsys.readouterr().err
    assert main(["audit", path]) == 0  # without --prove the audit runs
    with pytest.raises(TooLargeError):
        audit_onnx(path, prove=True)


def test_audit_cost_in_closed_form():
    from symtconv import Geometry
    from symtconv.audit import LayerSpec, audit_cost

    g = Geometry((4, 4), 3, stride=2, padding=1, in_channels=2, out_channels=3)
    spec = LayerSpec("a", "ConvTranspose2d", "torch", (1, 2, 4, 4), g)
    cost = audit_cost([spec, spec], prove=True, runtime="onnxruntime")
    brute = sum(1 for ci in range(2) for co in range(3) for n0 in range(4) for m0 in range(3)
                for n1 in range(4) for m1 in range(3)
                if 0 <= 2 * n0 + m0 - 1 < 7 and 0 <= 2 * n1 + m1 - 1 < 7)
    assert cost["prove_terms"] == brute  # one distinct geometry
    assert cost["runtime_entries"] == 2 * (2 * 16 + 2 * 3 * 9 + 3 * 49)
    assert cost["layers"] == 2


def test_missing_onnx_is_a_clear_message(monkeypatch, tmp_path, capsys):
    path = save(one_node({"strides": [2, 2]}), tmp_path / "m.onnx")
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'symtconv\[onnx\]'"):
        audit_onnx(path)
    assert main(["audit", path]) == 2
    assert "pip install" in capsys.readouterr().err


def test_missing_torch_is_a_clear_message(monkeypatch, generator, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)
    assert main(["audit", f"{generator}:make", "--input-shape", "1", "8", "2", "2"]) == 2
    assert "pip install 'symtconv[torch]'" in capsys.readouterr().err


def test_unknown_target_and_runtime():
    from symtconv import Geometry
    from symtconv.audit import LayerSpec

    spec = LayerSpec("a", "ConvTranspose1d", "torch", (1, 1, 3), Geometry(3, 3))
    with pytest.raises(ValueError, match="targets"):
        audit_specs("m", "torch", [spec], targets=["caffe"])
    with pytest.raises(ValueError, match="runtime"):
        audit_specs("m", "torch", [spec], runtime="tvm")


def test_groups_cannot_go_to_jax_and_say_why():
    from symtconv import Geometry
    from symtconv.audit import LayerSpec

    g = Geometry(3, 3, in_channels=2, out_channels=2, groups=2)
    audit = audit_specs("m", "torch", [LayerSpec("a", "ConvTranspose1d", "torch", (1, 2, 3), g)],
                        targets=["jax", "torch"])
    assert isinstance(audit.layers[0].translations["jax"], str)
    assert "groups" in audit.layers[0].translations["jax"]
    assert audit.to_dict()["layers"][0]["translations"]["jax"]["error"]


def test_cli_subprocess_one_json_document(tmp_path):
    path = save(one_node({"strides": [2, 2], "pads": [1, 1, 1, 1]}), tmp_path / "m.onnx")
    run = subprocess.run([sys.executable, "-m", "symtconv", "audit", path, "--json"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["model"] == path and data["opset"] == 13
    assert data["layers"][0]["output_shape"] == [1, 1, 5, 5]
    assert math.prod(data["layers"][0]["output_shape"]) == 25


# --------------------------------------------------------------------------- #
# property: any geometry written as an ONNX node is read back, and each finding fires
# exactly when a brute-force check in this file says it should
# --------------------------------------------------------------------------- #

from hypothesis import given, settings  # noqa: E402

from symtconv import strategies as sts  # noqa: E402


def _uniform_interior(k: int, s: int, d: int) -> bool:
    """Taps reaching each position far from the borders, counted by a loop over n and m."""
    i = 4 * (k * d + s) + 8
    counts = [sum(1 for n in range(i) for m in range(k) if s * n + d * m == t)
              for t in range(d * (k - 1), s * (i - 1) + 1)]
    return len(set(counts)) == 1


@settings(max_examples=60)
@given(sts.geometries(max_ndim=2, asymmetric=True))
def test_any_geometry_round_trips_through_an_onnx_node(g):
    from symtconv.conventions import to_onnx

    attrs = {k: list(v) if isinstance(v, tuple) else v for k, v in to_onnx(g).kwargs.items()}
    w = (g.in_channels, g.out_channels // g.groups, *g.kernel_size)
    model = one_node(attrs, x=(1, g.in_channels, *g.input_size), w=w,
                     out=("N", "C", *(f"S{n}" for n in range(g.ndim))))
    (layer,) = audit_onnx(model, targets=["torch"]).layers
    raw = []  # from the node's attributes, as the model states them
    for n, ax in enumerate(g.axes):
        i, k, s, d = (int(v) for v in (ax.i, ax.k, ax.s, ax.d))
        a = attrs["output_padding"][n]
        begin, end = attrs["pads"][n], attrs["pads"][n + g.ndim]
        o = (i - 1) * s + d * (k - 1) + 1 - begin - end + a
        raw.append((i, k, s, d, a, begin, end, o))
    assert layer.output_shape == (1, g.out_channels, *(r[-1] for r in raw))
    not_adjoint = any((o + b + e - d * (k - 1) - 1) // s + 1 != i
                      for i, k, s, d, a, b, e, o in raw)
    assert ("output-padding-not-adjoint" in layer.codes) == not_adjoint
    checkerboard = not all(_uniform_interior(k, s, d) for _, k, s, d, *_ in raw)
    assert ("checkerboard" in layer.codes) == checkerboard
    # PyTorch: padding p crops both ends, output_padding 0 <= a' < max(s, d) adds at the end
    torch_ok = all(0 <= b - (e - a) < max(s, d) for _, _, s, d, a, b, e, _ in raw)
    assert ("asymmetric-padding" in layer.codes) == (not torch_ok)
    assert "shape-mismatch" not in layer.codes


def test_output_padding_at_least_stride_that_is_still_a_transpose():
    # PyTorch accepts padding=1, output_padding=1 with stride 1 < dilation 2: the same
    # operation as crops (1, 0) without output_padding, which is Cᵀ of its forward conv
    torch = pytest.importorskip("torch")
    net = torch.nn.ConvTranspose1d(1, 1, 2, stride=1, padding=1, output_padding=1, dilation=2)
    (layer,) = audit_torch(net, (1, 1, 3), targets=["onnx"], prove=True).layers
    f = next(f for f in layer.findings if f.code == "output-padding-not-adjoint")
    assert f.detail["adjoint_form"]["padding"] == [[1, 0]]
    assert layer.proved is True and "written as" in layer.proof
    # ... and the brute-force scatter with crops (1, 0) is what PyTorch computes
    y, w = [2, -1, 3], [1, 4]
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[w]], dtype=torch.float32))
        net.bias.zero_()
        got = net(torch.tensor([[y]], dtype=torch.float32))[0, 0].tolist()
    assert got == brute_1d(y, w, 1, 2, 1, 0)
