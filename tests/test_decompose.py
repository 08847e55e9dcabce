"""The sub-pixel decomposition: plan, apply, proofs, MAC counts, ONNX export, CLI."""

from __future__ import annotations

import dataclasses
import json
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symtconv
from symtconv import Geometry
from symtconv import strategies as sts
from symtconv.cli import main
from symtconv.decomposition import decompose, prove_concrete, prove_general
from symtconv.decomposition import plan as plan_module
from symtconv.errors import ParameterTypeError, ShapeError, TooLargeError
from symtconv.numeric import conv_transpose

SEED_Y = [[9, 1, 3], [7, 8, 7], [8, 2, 2]]
SEED_W = [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
SEED_X = [[36, 28, 4, 6, 12], [23, 63, 17, 56, 17], [28, 29, 32, 31, 28],
          [23, 47, 12, 29, 11], [32, 26, 8, 8, 8]]


def _reference(g: Geometry, y, w, bias=None):
    return conv_transpose(y, w, bias, stride=g.stride, padding=g.padding,
                          output_padding=g.output_padding, groups=g.groups,
                          dilation=g.dilation)


# --------------------------------------------------------------------------- #
# apply
# --------------------------------------------------------------------------- #


def test_seed_worked_example():
    plan = decompose(Geometry((3, 3), 3, stride=2, padding=1))
    x = plan.apply(np.array([SEED_Y]), np.array([[SEED_W]]))
    assert x.tolist() == [SEED_X]


def test_module_is_callable_from_the_package():
    g = Geometry((3, 3), 3, stride=2, padding=1)
    assert symtconv.decompose(g) == decompose(g)


@given(sts.geometry_and_arrays(sts.geometries(asymmetric=True)), st.booleans(), st.booleans())
def test_apply_equals_numeric_exactly(case, batched, with_bias):
    g, y, w = case
    y, w = y.astype(np.int64), w.astype(np.int64)
    if batched:
        y = np.stack([y, 2 - y])
    bias = np.arange(g.out_channels, dtype=np.int64) - 1 if with_bias else None
    got = decompose(g).apply(y, w, bias)
    expected = _reference(g, y, w, bias)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    assert (got == expected).all()


@given(sts.geometry_and_arrays(sts.geometries(max_ndim=2)))
def test_apply_runs_only_stride_one_convolutions(monkeypatch_module, case):
    g, y, w = case
    calls = []
    real = plan_module.conv

    def spy(x, weight, bias=None, **kwargs):
        calls.append(kwargs)
        return real(x, weight, bias, **kwargs)

    with monkeypatch_module.context() as m:
        m.setattr(plan_module, "conv", spy)
        m.setattr(symtconv.numeric, "conv_transpose", None)  # never called
        got = decompose(g).apply(y.astype(np.int64), w.astype(np.int64))
    assert [set(kw) for kw in calls] == [{"groups"}]  # stride, dilation, padding: defaults
    assert (got == _reference(g, y.astype(np.int64), w.astype(np.int64))).all()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as m:
        yield m


def test_float_inputs_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    g = Geometry((7, 6), (4, 3), stride=(3, 2), padding=(2, 1), output_padding=(1, 0),
                 in_channels=4, out_channels=6, groups=2)
    y = rng.standard_normal((2, *g.input_shape))
    w = rng.standard_normal(g.weight_shape)
    b = rng.standard_normal(g.out_channels)
    expected = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(y), torch.from_numpy(w), torch.from_numpy(b),
        **sts.torch_kwargs(g)).numpy()
    np.testing.assert_allclose(decompose(g).apply(y, w, b), expected, rtol=1e-12, atol=1e-12)


def test_bad_input_raises_our_errors():
    plan = decompose(Geometry(3, 3, stride=2, in_channels=2))
    with pytest.raises(ShapeError, match="weight must have shape"):
        plan.apply(np.ones((2, 3)), np.ones((2, 1, 2)))
    with pytest.raises(ShapeError, match="y must have shape"):
        plan.apply(np.ones((3, 3)), np.ones((2, 1, 3)))
    with pytest.raises(ShapeError, match="bias must have shape"):
        plan.apply(np.ones((2, 3)), np.ones((2, 1, 3)), np.ones(2))
    with pytest.raises(ParameterTypeError, match="y must hold numbers"):
        plan.apply(np.array([["a"] * 3] * 2), np.ones((2, 1, 3)))
    with pytest.raises(ParameterTypeError, match="Geometry"):
        decompose((3, 3))
    import sympy as sp

    with pytest.raises(ParameterTypeError, match="concrete geometry"):
        decompose(Geometry(sp.Symbol("i", integer=True, positive=True), 3))


def test_plan_structure_k4_s2_p1():
    # the classic 4x4, stride-2 upsampler: 2x2 sub-kernels, one phase per parity
    plan = decompose(Geometry((8, 8), 4, stride=2, padding=1, in_channels=3, out_channels=5))
    assert plan.sub_kernel == (2, 2)
    assert plan.conv_weight_shape == (20, 3, 2, 2)
    # phase r reads the taps m ≡ r + p (mod s) = r + 1 (mod 2), flipped
    assert plan.axes[0].taps == ((2, 0), (3, 1))
    assert plan.crop == ((1, 1), (1, 1))


# --------------------------------------------------------------------------- #
# MAC counts: closed form vs counted by brute-force loops here
# --------------------------------------------------------------------------- #


def _count_scatter(g):
    axes = g.axes
    formed = landed = 0
    for _c, _j in product(range(g.in_channels), range(g.out_channels // g.groups)):
        for n in product(*(range(ax.i) for ax in axes)):
            for m in product(*(range(ax.k) for ax in axes)):
                formed += 1
                if all(0 <= ax.s * nn + ax.d * mm - ax.p_begin < ax.output
                       for ax, nn, mm in zip(axes, n, m, strict=True)):
                    landed += 1
    return formed, landed


def _count_flip_and_pad(g):
    # correlate the zero-inserted, padded input (stride 1, dilation d): one multiply
    # per output position, kernel tap and input channel of the group
    padded = [(ax.i - 1) * ax.s + 1 + ax.pad_before + ax.pad_after for ax in g.axes]
    outputs = [n - ax.d * (ax.k - 1) for n, ax in zip(padded, g.axes, strict=True)]
    count = 0
    for _ in product(range(g.out_channels), *(range(o) for o in outputs)):
        for _ in product(range(g.in_channels // g.groups), *(range(ax.k) for ax in g.axes)):
            count += 1
    return count


def _counting_conv(counter):
    """A naive stride-1 convolution that counts its multiplies."""

    def conv(x, w, bias=None, groups=1):
        n_batch, _, *size = x.shape
        c_out, cin_g, *kernel = w.shape
        out_size = [s - k + 1 for s, k in zip(size, kernel, strict=True)]
        out = np.zeros((n_batch, c_out, *out_size), dtype=np.result_type(x, w))
        per_group = c_out // groups
        for b, oc, *q in product(range(n_batch), range(c_out), *map(range, out_size)):
            for c, *u in product(range(cin_g), *map(range, kernel)):
                ic = (oc // per_group) * cin_g + c
                pos = tuple(qq + uu for qq, uu in zip(q, u, strict=True))
                out[(b, oc, *q)] += x[(b, ic, *pos)] * w[(oc, c, *u)]
                counter[0] += 1 if b == 0 else 0
        if bias is not None:
            out += bias.reshape(-1, *(1,) * len(size))
        return out

    return conv


@settings(max_examples=25)
@given(sts.geometry_and_arrays(sts.geometries(max_ndim=2, max_input=3, asymmetric=True)))
def test_mac_counts_match_brute_force(monkeypatch_module, case):
    g, y, w = case
    plan = decompose(g)
    macs = plan.macs()
    formed, landed = _count_scatter(g)
    assert macs["scatter"] == formed
    assert macs["useful"] == landed
    assert macs["flip_and_pad"] == _count_flip_and_pad(g)
    counter = [0]
    with monkeypatch_module.context() as m:
        m.setattr(plan_module, "conv", _counting_conv(counter))
        x = plan.apply(y.astype(np.int64), w.astype(np.int64))
    assert macs["decomposition"] == counter[0]
    assert (x == _reference(g, y.astype(np.int64), w.astype(np.int64))).all()


def test_decomposition_saves_prod_s_for_large_layers():
    plan = decompose(Geometry((64, 64), 4, stride=2, padding=1))
    macs = plan.macs()
    # Q = 65, T = 2 per axis: (2·65·2)² vs (128·4)²: about a quarter
    assert macs["decomposition"] == (2 * 65 * 2) ** 2
    assert macs["flip_and_pad"] == (128 * 4) ** 2
    assert 0.25 <= macs["decomposition"] / macs["flip_and_pad"] < 0.26


# --------------------------------------------------------------------------- #
# proofs
# --------------------------------------------------------------------------- #


@given(sts.geometries(asymmetric=True))
def test_concrete_proof_holds(g):
    proof = prove_concrete(decompose(g))
    assert proof.proved
    assert proof.terms == g.count_terms()


def _with_taps(plan, axis, taps):
    axes = list(plan.axes)
    axes[axis] = dataclasses.replace(axes[axis], taps=taps)
    return dataclasses.replace(plan, axes=tuple(axes))


def test_concrete_proof_fails_for_a_wrong_phase():
    plan = decompose(Geometry((4, 3), 3, stride=2, padding=1, in_channels=2))
    taps = plan.axes[0].taps
    wrong = _with_taps(plan, 0, (taps[1], taps[0]))  # phases swapped on axis 0
    proof = prove_concrete(wrong)
    assert not proof.proved
    assert proof.comparisons[0].differing > 0
    assert proof.first_mismatch is not None
    # the same wrong plan also computes wrong numbers
    y, w = np.arange(24).reshape(2, 4, 3), np.arange(18).reshape(2, 1, 3, 3)
    assert not (wrong.apply(y, w) == _reference(plan.geometry, y, w)).all()


def test_concrete_proof_fails_for_a_wrong_crop():
    plan = decompose(Geometry(5, 3, stride=2, padding=1))
    ax = plan.axes[0]
    wrong = dataclasses.replace(plan, axes=(dataclasses.replace(
        ax, crop=(ax.crop[0] + 1, ax.crop[1] - 1) if ax.crop[1] else (0, ax.crop[0])),))
    assert not prove_concrete(wrong).proved


def test_concrete_proof_refuses_past_its_limit():
    g = Geometry((512, 512), 4, stride=2, in_channels=64, out_channels=64)
    with pytest.raises(TooLargeError, match="MAX_PROOF_TERMS"):
        prove_concrete(g)


def test_general_proof_holds():
    proof = prove_general()
    assert proof.proved
    assert all(step.status == "proved" for step in proof.steps)
    assert proof.to_dict()["proved"] is True


@pytest.mark.parametrize("tap", [
    lambda r, u, T, s: r + 1 + s * (T - 1 - u),  # tap class shifted by one
    lambda r, u, T, s: r + s * u,  # the sub-kernel not flipped
    lambda r, u, T, s: s * (T - 1 - u),  # every phase reads class 0
])
def test_general_proof_fails_for_a_wrong_tap_class(tap):
    proof = prove_general(tap=tap)
    assert not proof.proved
    assert any(step.status == "failed" for step in proof.steps)


# --------------------------------------------------------------------------- #
# ONNX export
# --------------------------------------------------------------------------- #

ALLOWED_OPS = {"Conv", "DepthToSpace", "Reshape", "Transpose", "Slice", "Pad"}


def _torch_conv_transpose(g, y, w, b=None):
    torch = pytest.importorskip("torch")
    f = getattr(torch.nn.functional, f"conv_transpose{g.ndim}d")
    t = torch.from_numpy
    return f(t(y), t(w), None if b is None else t(b), **sts.torch_kwargs(g)).numpy()


def _run_reference(model, feeds):
    from onnx.reference import ReferenceEvaluator

    return ReferenceEvaluator(model).run(None, feeds)[0]


@settings(max_examples=30)
@given(sts.geometry_and_arrays(sts.geometries()), st.booleans())
def test_onnx_export_runs_like_torch(case, with_bias):
    pytest.importorskip("onnx")
    from symtconv.decomposition import to_onnx

    g, y, w = case
    y = np.stack([y, 1 - y]).astype(np.float32)  # integers: float32 sums are exact
    w = w.astype(np.float32)
    b = np.arange(g.out_channels, dtype=np.float32) if with_bias else None
    model = to_onnx(decompose(g), w, b)
    assert {node.op_type for node in model.graph.node} <= ALLOWED_OPS
    assert model.opset_import[0].version >= 13
    expected = _torch_conv_transpose(g, y, w, b)
    got = _run_reference(model, {"y": y})
    assert got.shape == expected.shape
    assert (got == expected).all()
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    assert (session.run(None, {"y": y})[0] == expected).all()


@pytest.mark.parametrize(("geometry", "ops"), [
    # 2-D, equal strides: DepthToSpace
    (Geometry((3, 3), 3, stride=2, padding=1), ["Conv", "DepthToSpace", "Slice"]),
    # 1-D and unequal strides: Reshape/Transpose
    (Geometry(5, 4, stride=3, padding=1), ["Conv", "Reshape", "Transpose", "Reshape", "Slice"]),
    (Geometry((3, 4), 3, stride=(2, 3)), ["Conv", "Reshape", "Transpose", "Reshape", "Slice"]),
    # 3-D
    (Geometry((2, 3, 2), 2, stride=2, in_channels=2, out_channels=4, groups=2),
     ["Conv", "Reshape", "Transpose", "Reshape"]),
    # a padding larger than the kernel: y is cropped first (negative input padding)
    (Geometry(5, 2, stride=3, padding=4), ["Slice", "Conv", "Reshape", "Transpose",
                                           "Reshape", "Slice"]),
    # the kept outputs lie past the scatter (output_padding): pad, then crop y
    (Geometry(1, 2, stride=2, padding=((2, 0),), output_padding=1),
     ["Pad", "Slice", "Conv", "Reshape", "Transpose", "Reshape", "Slice"]),
    (Geometry((3, 3), 1, stride=1, padding=0), ["Conv"]),
])
def test_onnx_graph_shapes(geometry, ops):
    pytest.importorskip("onnx")
    from symtconv.decomposition import to_onnx

    rng = np.random.default_rng(1)
    w = rng.integers(-3, 4, geometry.weight_shape).astype(np.float64)
    y = rng.integers(-3, 4, (2, *geometry.input_shape)).astype(np.float64)
    model = to_onnx(decompose(geometry), w)
    assert [node.op_type for node in model.graph.node] == ops
    expected = _reference(geometry, y, w)
    assert (_run_reference(model, {"y": y}) == expected).all()
    # without a weight, the rearranged weight is the model's second input
    plan = decompose(geometry)
    free = to_onnx(plan, dtype=np.float64)
    assert [i.name for i in free.graph.input] == ["y", "w"]
    assert (_run_reference(free, {"y": y, "w": plan.rearrange_weight(w)}) == expected).all()


def test_onnx_export_bad_input():
    pytest.importorskip("onnx")
    from symtconv.decomposition import to_onnx

    plan = decompose(Geometry(3, 3, stride=2))
    with pytest.raises(ParameterTypeError, match="float32 or float64"):
        to_onnx(plan, np.ones((1, 1, 3), dtype=np.int64))
    with pytest.raises(ShapeError, match="weight must have shape"):
        to_onnx(plan, np.ones((1, 1, 4), dtype=np.float32))
    with pytest.raises(ParameterTypeError, match="weight's dtype"):
        to_onnx(plan, np.ones((1, 1, 3), dtype=np.float32), np.ones(1))


# --------------------------------------------------------------------------- #
# the command line
# --------------------------------------------------------------------------- #


def test_cli_json_is_one_document_and_proved(capsys):
    argv = ["decompose", "--input", "6", "5", "--kernel", "3", "--stride", "2", "--padding",
            "1", "--output-padding", "1", "--in-channels", "2", "--out-channels", "4",
            "--groups", "2", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["proved"] is True
    assert data["proofs"]["concrete"]["proved"] is True
    assert data["proofs"]["general"]["proved"] is True
    assert data["conv"]["weight_shape"] == [16, 1, 2, 2]
    assert "CRD" in data["pixel_shuffle"]["order"]


def test_cli_without_a_proof_does_not_claim_one(capsys):
    assert main(["decompose", "--input", "4", "--kernel", "3", "--stride", "2",
                 "--proof", "none", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["proved"] is False
    assert data["proofs"] == {}


def test_cli_onnx_with_weight_and_bias(tmp_path, capsys):
    pytest.importorskip("onnx")
    import onnx

    g = Geometry((4, 4), 4, stride=2, padding=1, in_channels=2, out_channels=3)
    rng = np.random.default_rng(2)
    w = rng.integers(-4, 5, g.weight_shape).astype(np.float32)
    b = np.array([1, -2, 3], dtype=np.float32)
    np.save(tmp_path / "w.npy", w)
    np.save(tmp_path / "b.npy", b)
    out = tmp_path / "sub.onnx"
    argv = ["decompose", "--input", "4", "4", "--kernel", "4", "--stride", "2", "--padding",
            "1", "--in-channels", "2", "--out-channels", "3", "--onnx", str(out),
            "--weight", str(tmp_path / "w.npy"), "--bias", str(tmp_path / "b.npy"),
            "--proof", "concrete", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["onnx"]["inputs"] == ["y"]
    y = rng.integers(-4, 5, (1, *g.input_shape)).astype(np.float32)
    got = _run_reference(onnx.load(str(out)), {"y": y})
    assert (got == _torch_conv_transpose(g, y, w, b)).all()


def test_cli_onnx_without_weight_gives_the_recipe(tmp_path, capsys):
    pytest.importorskip("onnx")
    out = tmp_path / "free.onnx"
    assert main(["decompose", "--input", "5", "--kernel", "3", "--stride", "2",
                 "--onnx", str(out), "--proof", "none", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["onnx"]["inputs"] == ["y", "w"]
    assert "rearrange_weight" in data["onnx"]["weight_recipe"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--weight", "{tmp}/w.npy"], "only used with --onnx"),
    (["--onnx", "{tmp}/m.onnx", "--weight", "{tmp}/int.npy"], "float32 or float64"),
    (["--onnx", "{tmp}/m.onnx", "--weight", "{tmp}/wrong.npy"], "must have PyTorch's shape"),
    (["--onnx", "{tmp}/m.onnx", "--weight", "{tmp}/text.npy"], "not a .npy file"),
    (["--onnx", "{tmp}/m.onnx", "--weight", "{tmp}/missing.npy"], "missing.npy"),
    (["--onnx", "{tmp}/no/such/dir/m.onnx", "--weight", "{tmp}/w.npy"], "m.onnx"),
    (["--stride", "0"], "stride"),
])
def test_cli_bad_input_one_line_exit_2(tmp_path, capsys, extra, message):
    pytest.importorskip("onnx")
    np.save(tmp_path / "w.npy", np.ones((1, 1, 3), dtype=np.float32))
    np.save(tmp_path / "int.npy", np.ones((1, 1, 3), dtype=np.int64))
    np.save(tmp_path / "wrong.npy", np.ones((1, 2, 3), dtype=np.float32))
    (tmp_path / "text.npy").write_text("not an array")
    argv = ["decompose", "--input", "4", "--kernel", "3", "--stride", "2"]
    argv += [a.replace("{tmp}", str(tmp_path)) for a in extra]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert message in captured.err


def test_cli_refuses_a_proof_too_large(capsys):
    argv = ["decompose", "--input", "512", "512", "--kernel", "4", "--stride", "2",
            "--in-channels", "64", "--out-channels", "64"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "MAX_PROOF_TERMS" in err and len(err.strip().splitlines()) == 1
    # the plan alone (no proof) is cheap
    assert main([*argv, "--proof", "none"]) == 0


def test_readme_example_runs():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S)
                if "symtconv.decompose(" in b]
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    plan = namespace["plan"]
    assert namespace["x"].tolist() == [SEED_X]
    assert (plan.sub_kernel, plan.input_pad, plan.crop) == ((2, 2), ((1, 0), (1, 0)),
                                                            ((1, 0), (1, 0)))


def test_onnx_export_refuses_a_weight_too_large():
    pytest.importorskip("onnx")
    from symtconv.decomposition import to_onnx

    g = Geometry((4, 4), 8, stride=4, in_channels=4096, out_channels=4096)
    with pytest.raises(TooLargeError, match="MAX_WEIGHT_ELEMENTS"):
        to_onnx(decompose(g))
