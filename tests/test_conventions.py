"""Tests for symtconv.conventions: framework conventions, translated and checked for real.

Every translation is checked against something independent of the code under test:
symtconv's numeric tier on the canonical geometry, the real packages (PyTorch, the ONNX
backend test cases and models, onnx.reference, onnx.shape_inference, JAX, Keras with the
JAX backend), and — for TensorFlow, which is not installed here — the definition of
``conv2d_transpose`` as the gradient of ``conv2d``, with the forward padding computed
from TensorFlow's documented rule.  Missing packages skip with a reason.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symtconv import Geometry
from symtconv import strategies as sts
from symtconv.cli import main
from symtconv.conventions import (
    DEVIATIONS,
    FRAMEWORKS,
    Transform,
    canonical,
    conventions_table,
    convert,
    from_jax,
    from_keras,
    from_onnx,
    from_tf,
    from_torch,
    onnx_conv_transpose,
    onnx_pads,
    prove_conventions,
    read,
    same_operation,
    to_jax,
    to_keras,
    to_onnx,
    to_tf,
    to_torch,
    torch_output_padding,
    translate,
    write,
)
from symtconv.errors import ParameterError, ParameterTypeError, SymtconvError
from symtconv.numeric import conv, conv_transpose

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None
try:
    import onnx
    from onnx import helper as onnx_helper
    from onnx.reference import ReferenceEvaluator
except ImportError:  # pragma: no cover
    onnx = None
try:
    import jax
    import jax.numpy as jnp
except ImportError:  # pragma: no cover
    jax = None
os.environ.setdefault("KERAS_BACKEND", "jax")
try:
    import keras

    if keras.backend.backend() != "jax":  # pragma: no cover
        keras = None
except Exception:  # pragma: no cover - not installed, or its backend is missing
    keras = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed "
                                     "(pip install 'symtconv[torch]')")
requires_onnx = pytest.mark.skipif(onnx is None, reason="onnx is not installed "
                                   "(pip install 'symtconv[onnx]')")
requires_jax = pytest.mark.skipif(jax is None, reason="JAX is not installed "
                                  "(pip install 'symtconv[jax]')")
requires_keras = pytest.mark.skipif(keras is None, reason="Keras 3 with the JAX backend is not "
                                    "installed (pip install 'symtconv[keras]', KERAS_BACKEND=jax)")

DOCS = Path(__file__).resolve().parents[1] / "docs" / "conventions.md"
#: Examples for property tests that run real packages (JAX and Keras compile per shape).
REAL = settings(max_examples=15, deadline=None)
KERAS = settings(max_examples=10, deadline=None)


# --------------------------------------------------------------------------- #
# Helpers: the reference computation and running the real packages
# --------------------------------------------------------------------------- #


def reference(g: Geometry, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """symtconv's numeric transposed convolution of a geometry (PyTorch's layouts)."""
    return conv_transpose(y, w, stride=g.stride, padding=g.padding,
                          output_padding=g.output_padding, groups=g.groups, dilation=g.dilation)


def integers(shape: tuple[int, ...], seed: int = 0, dtype: Any = np.float32) -> np.ndarray:
    """Small integers (exact in float32 sums)."""
    return np.random.default_rng(seed).integers(-4, 5, size=shape).astype(dtype)


def run_torch(kwargs: dict[str, Any], x: np.ndarray, w: np.ndarray) -> np.ndarray:
    function = getattr(torch.nn.functional, f"conv_transpose{w.ndim - 2}d")
    return function(torch.from_numpy(np.array(x)), torch.from_numpy(np.array(w)),
                    **kwargs).numpy()


def run_jax(kwargs: dict[str, Any], x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.asarray(jax.lax.conv_transpose(jnp.asarray(x), jnp.asarray(w), **kwargs))


def onnx_node(attrs: dict[str, Any], bias: bool = False) -> Any:
    inputs = ["X", "W", "B"] if bias else ["X", "W"]
    return onnx_helper.make_node("ConvTranspose", inputs, ["Y"], **attrs)


def run_onnx_reference(attrs: dict[str, Any], X: np.ndarray, W: np.ndarray,
                       B: np.ndarray | None = None) -> np.ndarray:
    feeds = {"X": X, "W": W} | ({} if B is None else {"B": B})
    return ReferenceEvaluator(onnx_node(attrs, B is not None)).run(None, feeds)[0]


def onnx_inferred_shape(attrs: dict[str, Any], x_shape: tuple[int, ...],
                        w_shape: tuple[int, ...]) -> list[int]:
    """The output shape onnx.shape_inference (C++) gives a ConvTranspose node."""
    value = onnx_helper.make_tensor_value_info
    graph = onnx_helper.make_graph(
        [onnx_node(attrs)], "g",
        [value("X", onnx.TensorProto.FLOAT, list(x_shape)),
         value("W", onnx.TensorProto.FLOAT, list(w_shape))],
        [value("Y", onnx.TensorProto.FLOAT, None)],
    )
    model = onnx_helper.make_model(graph, opset_imports=[onnx_helper.make_opsetid("", 22)])
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    return [d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]


def run_keras(kwargs: dict[str, Any], x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    layer = getattr(keras.layers, f"Conv{x.ndim - 2}DTranspose")(use_bias=False, **kwargs)
    layer.build(x.shape)
    layer.kernel.assign(kernel)
    return np.asarray(layer(x))


def read_back(framework: str, g: Geometry, kwargs: dict[str, Any]) -> Geometry:
    """Read a writer's kwargs back, with the sizes a real call would take from arrays."""
    kw = dict(kwargs)
    if framework == "torch":
        return read("torch", g.input_size, g.kernel_size, in_channels=g.in_channels,
                    out_channels=g.out_channels, **kw)
    if framework == "onnx":
        return read("onnx", g.input_size, in_channels=g.in_channels,
                    out_channels=g.out_channels, **kw)
    if framework == "tf":
        return read("tf", g.input_size, g.kernel_size, in_channels=g.in_channels, **kw)
    if framework == "keras":
        return read("keras", g.input_size, in_channels=g.in_channels, **kw)
    return read("jax", g.input_size, g.kernel_size, in_channels=g.in_channels,
                out_channels=g.out_channels, **kw)


def cropped(array: np.ndarray, crop: Any) -> np.ndarray:
    """Crop (negative: pad zeros) the spatial axes of an (N, C, *spatial) array."""
    if crop is None:
        return array
    for j, (lo, hi) in enumerate(crop):
        axis = 2 + j
        array = np.pad(array, [(0, 0)] * axis + [(max(-lo, 0), max(-hi, 0))]
                       + [(0, 0)] * (array.ndim - axis - 1))
        index = [slice(None)] * array.ndim
        index[axis] = slice(max(lo, 0), array.shape[axis] - max(hi, 0))
        array = array[tuple(index)]
    return array


# --------------------------------------------------------------------------- #
# The canonical form
# --------------------------------------------------------------------------- #


@given(sts.geometries(asymmetric=True))
def test_canonical_is_the_same_operation_and_idempotent(g):
    c = canonical(g)
    assert canonical(c) == c
    assert same_operation(g, c)
    y, w = integers(g.input_shape, 1, np.int64), integers(g.weight_shape, 2, np.int64)
    assert np.array_equal(reference(c, y, w), reference(g, y, w))


def test_canonical_prefers_pytorch_form():
    g = Geometry((3, 3), 3, stride=2, padding=[(1, 0), (2, 0)])
    c = canonical(g)
    # axis 0: begin 1, net end 0 -> padding 1, output_padding 1; axis 1: 2 - 0 = 2 >= s
    assert c.padding == (1, (2, 0)) and c.output_padding == (1, 0)
    assert not same_operation(g, Geometry((3, 3), 3, stride=2, padding=1))


# --------------------------------------------------------------------------- #
# Round trips F -> Geometry -> G -> Geometry, for every pair of frameworks
# --------------------------------------------------------------------------- #


def _expected_refusal(framework: str, g: Geometry, error: Exception) -> bool:
    text = str(error)
    if framework in ("tf", "keras", "jax") and g.groups > 1:
        return "no groups" in text
    if framework == "keras":
        return "strides > 1 together with dilation_rate > 1" in text
    return False


@given(sts.geometries(asymmetric=True, max_groups=2), st.sampled_from(FRAMEWORKS))
def test_write_then_read_gives_the_same_operation(g, framework):
    try:
        call = write(framework, g)
    except ParameterError as error:
        assert _expected_refusal(framework, g, error), error
        return
    back = read_back(framework, g, call.kwargs)
    y = integers((1, *g.input_shape), 3, np.int64)
    w = integers(g.weight_shape, 4, np.int64)
    got = cropped(reference(back, y, w), call.crop)
    assert np.array_equal(got, reference(g, y, w))
    if call.crop is None:
        assert back == canonical(g)


@given(sts.geometries(asymmetric=True, max_groups=1), st.sampled_from(FRAMEWORKS),
       st.sampled_from(FRAMEWORKS))
def test_round_trip_between_frameworks(g, source, target):
    """source's call -> Geometry -> target's call -> Geometry: the same canonical geometry."""
    try:
        first = write(source, g)
        if first.crop is not None:  # the source cannot state g itself (covered above)
            return
        translation = convert(source, target, g.input_size,
                              **_sizes_for(source, g), **first.kwargs)
    except ParameterError as error:
        assert _expected_refusal(source, g, error) or _expected_refusal(target, g, error)
        return
    assert translation.geometry == canonical(g)
    if translation.crop is None:
        assert read_back(target, g, translation.kwargs) == canonical(g)


def _sizes_for(framework: str, g: Geometry) -> dict[str, Any]:
    """What a real call takes from its arrays rather than from its parameters."""
    sizes: dict[str, Any] = {"in_channels": g.in_channels}
    if framework in ("torch", "tf", "jax"):
        sizes["kernel_size"] = g.kernel_size
    if framework in ("torch", "onnx", "jax"):
        sizes["out_channels"] = g.out_channels
    return sizes


@given(sts.geometries(asymmetric=True, max_groups=1, max_ndim=2),
       st.sampled_from(FRAMEWORKS), st.sampled_from(FRAMEWORKS))
def test_translated_arrays_give_the_same_values(g, source, target):
    """prepare/finish with the weight and data transforms, run through numeric stand-ins.

    Each framework is played by symtconv's numeric tier on the geometry read back from
    the call, with the framework's layouts undone by independent transposes.
    """
    try:
        t = translate(g, target, source=source)
    except ParameterError as error:
        assert _expected_refusal(source, g, error) or _expected_refusal(target, g, error)
        return
    nd = g.ndim
    last = (0, *range(2, nd + 2), 1)
    layout = {"tf": last, "keras": last}
    y = integers((2, *g.input_shape), 5, np.int64)
    w = integers(g.weight_shape, 6, np.int64)
    # the source's arrays, laid out independently of the module
    torch_to_source_w = {"tf": (*range(2, nd + 2), 1, 0), "keras": (*range(2, nd + 2), 1, 0)}
    y_src = np.transpose(y, layout.get(source, tuple(range(nd + 2))))
    w_src = np.transpose(w, torch_to_source_w.get(source, tuple(range(nd + 2))))
    y_t, w_t = t.prepare(y_src, w_src)
    # the target runs in its layout: undo it independently, compute, redo it
    back_w = {"tf": (nd + 1, nd, *range(nd)), "keras": (nd + 1, nd, *range(nd))}
    w_torch = np.transpose(w_t, back_w.get(target, tuple(range(nd + 2))))
    y_torch = np.transpose(y_t, np.argsort(layout.get(target, tuple(range(nd + 2)))))
    back = read_back(target, g, t.kwargs)
    out = np.transpose(reference(back, y_torch, w_torch), layout.get(target, tuple(range(nd + 2))))
    result = t.finish(out)
    expected = np.transpose(reference(g, y, w), layout.get(source, tuple(range(nd + 2))))
    assert np.array_equal(result, expected)


def test_transform_composition_and_inverse():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 9, size=(2, 3, 4, 5))
    a = Transform((2, 0, 3, 1), (0, 2))
    b = Transform((1, 3, 0, 2), (3,))
    assert np.array_equal(a.then(b).apply(x), b.apply(a.apply(x)))
    assert np.array_equal(a.inverse().apply(a.apply(x)), x)
    assert np.array_equal(a.then(a.inverse()).apply(x), x)


# --------------------------------------------------------------------------- #
# The symbolic proofs and the formulas against the real sources
# --------------------------------------------------------------------------- #


def test_every_translation_formula_is_proved():
    proofs = prove_conventions()
    assert {p.framework for p in proofs} == set(FRAMEWORKS)
    assert [str(p) for p in proofs if not p] == []
    # a wrong formula is not "proved": JAX's hi without output_padding
    from symtconv.frameworks.jax import _jax_output
    from symtconv.general import check_identity
    from symtconv.geometry import Axis

    i, k, s, d, pb, pe, a = (sp.Symbol(n, integer=True, positive=True)
                             for n in ("i", "k", "s", "d", "p_b", "p_e", "a"))
    wrong = _jax_output(i, k, s, d, d * (k - 1) - pb, d * (k - 1) - pe)
    assert check_identity("wrong", wrong, Axis(i, k, s, pb, pe, a, d).output).status == "failed"


@requires_jax
def test_jax_string_padding_is_jaxs_own():
    from jax._src.lax.convolution import _conv_transpose_padding

    from symtconv.frameworks.jax import _jax_string_pads

    for k in range(1, 6):
        for s in range(1, 5):
            for d in range(1, 4):
                ek = d * (k - 1) + 1
                for mode in ("SAME", "VALID"):
                    assert _jax_string_pads(k, s, d, mode) == _conv_transpose_padding(ek, s, mode)


@requires_keras
def test_keras_padding_and_sizes_are_keras_own():
    from keras.src.backend.common import backend_utils as bu

    from symtconv.frameworks.keras import _keras_jax_pads, _keras_output

    for k in range(1, 6):
        for s in range(1, 4):
            for d in range(1, 3):
                for mode in ("valid", "same"):
                    for op in (None, *range(s)):
                        assert _keras_jax_pads(k, s, d, mode, op) == (
                            bu._convert_conv_transpose_padding_args_from_keras_to_jax(
                                k, s, d, mode, op))
                        for i in range(1, 4):
                            assert _keras_output(i, k, s, d, mode, op) == (
                                bu._get_output_shape_given_tf_padding(i, k, s, mode, op, d))


# --------------------------------------------------------------------------- #
# PyTorch
# --------------------------------------------------------------------------- #


def test_torch_output_size_range_and_error():
    assert torch_output_padding((5, 5), 3, (10, 10), stride=2, padding=1) == (1, 1)
    assert torch_output_padding(5, 3, (1, 4, 9), stride=2, padding=1) == (0,)
    with pytest.raises(ParameterError, match=r"valid sizes range from \[9\] to \[10\]"):
        torch_output_padding(5, 3, 11, stride=2, padding=1)
    # PyTorch's bound ignores dilation: output_padding 1 < d is valid, output_size refuses it
    assert from_torch(4, 2, output_padding=1, dilation=3).output_size == (8,)
    with pytest.raises(ParameterError, match="valid sizes range"):
        from_torch(4, 2, dilation=3, output_size=8)


@requires_torch
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2),
       st.integers(1, 3), st.integers(-1, 3))
def test_torch_output_size_agrees_with_torch(i, k, s, p, d, extra):
    layer = torch.nn.ConvTranspose1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
    size = (i - 1) * s - 2 * p + d * (k - 1) + 1 + extra
    assume(size >= 1)
    try:
        ours = from_torch(i, k, stride=s, padding=p, dilation=d, output_size=[size])
    except ParameterError:
        ours = None
    try:
        with torch.no_grad():
            theirs = layer(torch.zeros(1, 1, i), output_size=[size]).shape[-1]
    except (ValueError, RuntimeError):
        theirs = None
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert ours.output_size == (theirs,)
        w = integers((1, 1, k), 7)
        y = integers((1, 1, i), 8)
        layer.weight.data = torch.from_numpy(w)
        with torch.no_grad():
            expected = layer(torch.from_numpy(y), output_size=[size]).numpy()
        np.testing.assert_array_equal(reference(ours, y, w), expected)


@requires_torch
@REAL
@given(sts.geometries(asymmetric=True, max_groups=2, max_input=3))
def test_to_torch_runs_in_torch(g):
    """PyTorch with the translated kwargs, then the crop, is the geometry (asymmetric too)."""
    call = to_torch(g)
    y, w = integers((2, *g.input_shape), 9), integers(g.weight_shape, 10)
    np.testing.assert_array_equal(cropped(run_torch(call.kwargs, y, w), call.crop),
                                  reference(g, y, w))


# --------------------------------------------------------------------------- #
# ONNX: the specification, the backend cases, the shipped models, onnx.reference
# --------------------------------------------------------------------------- #


def _attributes(node: Any) -> dict[str, Any]:
    values = {a.name: onnx_helper.get_attribute_value(a) for a in node.attribute}
    return {k: v.decode() if isinstance(v, bytes) else v for k, v in values.items()}


@pytest.fixture(scope="module")
def onnx_backend_cases():
    """onnx's own ConvTranspose node tests, rebuilt in memory (the wheel lacks the files)."""
    if onnx is None:
        pytest.skip("onnx is not installed (pip install 'symtconv[onnx]')")
    import warnings

    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases("ConvTranspose")
    return [c for c in cases if c.model.graph.node[0].op_type == "ConvTranspose"]


@requires_onnx
def test_all_onnx_backend_cases_pass(onnx_backend_cases):
    names = {c.name for c in onnx_backend_cases}
    assert len(names) == 11 and "test_convtranspose_output_shape" in names
    for case in onnx_backend_cases:
        node = case.model.graph.node[0]
        attrs = _attributes(node)
        inputs, (expected,) = case.data_sets[0]
        got = onnx_conv_transpose(*inputs, **attrs)
        assert got.shape == expected.shape, case.name
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6, err_msg=case.name)
        # the same node read into a Geometry and computed by the numeric tier
        X, W = inputs[:2]
        g = from_onnx(X.shape[2:], W.shape[2:], in_channels=X.shape[1],
                      out_channels=W.shape[1] * attrs.get("group", 1),
                      **{k: v for k, v in attrs.items() if k != "kernel_shape"})
        bias = inputs[2] if len(inputs) > 2 else None
        np.testing.assert_allclose(reference(g, X, W) + (0 if bias is None else bias.reshape(
            -1, *(1,) * g.ndim)), expected, rtol=1e-6, atol=1e-6, err_msg=case.name)


@requires_onnx
@pytest.mark.parametrize("model", ["pytorch-converted/test_ConvTranspose2d",
                                   "pytorch-converted/test_ConvTranspose2d_no_bias",
                                   "pytorch-operator/test_operator_convtranspose"])
def test_onnx_wheel_models(model):
    from onnx import numpy_helper

    folder = Path(onnx.__file__).parent / "backend" / "test" / "data" / model
    graph = onnx.load(str(folder / "model.onnx")).graph
    (node,) = [n for n in graph.node if n.op_type == "ConvTranspose"]
    tensors = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    data = folder / "test_data_set_0"
    feed = [numpy_helper.to_array(onnx.load_tensor(str(data / "input_0.pb")))]
    expected = numpy_helper.to_array(onnx.load_tensor(str(data / "output_0.pb")))
    args = [tensors.get(name) if name in tensors else feed.pop(0) for name in node.input]
    attrs = _attributes(node)
    np.testing.assert_allclose(onnx_conv_transpose(*args, **attrs), expected,
                               rtol=1e-4, atol=1e-5)
    if torch is not None:  # ONNX -> PyTorch, run for real
        X, W = args[:2]
        t = convert("onnx", "torch", X.shape[2:], in_channels=X.shape[1],
                    out_channels=W.shape[1] * attrs.get("group", 1), **attrs)
        bias = None if len(args) < 3 else torch.from_numpy(np.array(args[2]))
        function = getattr(torch.nn.functional, f"conv_transpose{X.ndim - 2}d")
        out = function(torch.from_numpy(np.array(X)), torch.from_numpy(np.array(W)), bias,
                       **t.kwargs).numpy()
        np.testing.assert_allclose(t.finish(out), expected, rtol=1e-4, atol=1e-5)


def test_onnx_pads_follow_the_specification():
    # total = 2·2 + 0 + 3 - 6 = 1: SAME_UPPER puts the odd pixel at the end, LOWER at the start
    assert onnx_pads((3,), (3,), strides=(2,), auto_pad="SAME_UPPER") == ((0, 1),)
    assert onnx_pads((3,), (3,), strides=(2,), auto_pad="SAME_LOWER") == ((1, 0),)
    assert onnx_pads((3,), (3,), strides=(2,), output_shape=(6,)) == ((1, 0),)
    # opset 1 had the split the other way round
    assert onnx_pads((3,), (3,), strides=(2,), auto_pad="SAME_UPPER", opset=1) == ((1, 0),)
    # output_padding takes part in the pads, not in the size
    assert onnx_pads((3,), (3,), strides=(2,), auto_pad="SAME_UPPER",
                     output_padding=(1,)) == ((1, 1),)
    assert onnx_pads((3,), (3,), pads=(1, 2), auto_pad="NOTSET") == ((1, 2),)
    with pytest.raises(ParameterError, match="pads cannot be used together"):
        onnx_pads((3,), (3,), pads=(1, 2), auto_pad="VALID")
    # k=1, s=2: SAME output i·s = 6 needs total -1: floor split puts a zero at the start
    g = np.array([[[1.0, 2.0, 3.0]]])
    out = onnx_conv_transpose(g, np.ones((1, 1, 1)), strides=[2], auto_pad="SAME_UPPER")
    assert out.tolist() == [[[0.0, 1.0, 0.0, 2.0, 0.0, 3.0]]]
    with pytest.raises(ParameterError, match="zero"):
        from_onnx((3,), (1,), strides=(2,), auto_pad="SAME_UPPER")


@st.composite
def onnx_attributes(draw):
    """ONNX attributes in the reference evaluator's working domain (group 1, a < s)."""
    g = draw(sts.geometries(asymmetric=True, adjoint=True, max_groups=1, max_ndim=2,
                            max_input=3))
    mode = draw(st.sampled_from(["pads", "SAME_UPPER", "SAME_LOWER", "output_shape", "VALID"]))
    attrs = dict(to_onnx(g).kwargs)
    if mode != "pads":
        del attrs["pads"]
    if mode in ("SAME_UPPER", "SAME_LOWER"):
        attrs["auto_pad"] = mode
        if draw(st.booleans()):
            attrs["output_shape"] = list(g.output_size)
    elif mode == "output_shape":
        attrs["auto_pad"] = draw(st.sampled_from(["SAME_UPPER", "SAME_LOWER"]))
        attrs["output_shape"] = list(g.output_size)
    elif mode == "VALID":
        attrs["auto_pad"] = "VALID"
    return g, attrs


@requires_onnx
@REAL
@given(onnx_attributes())
def test_onnx_reference_agrees_with_the_spec_in_its_domain(case):
    g, attrs = case
    X, W = integers((2, *g.input_shape), 11), integers(g.weight_shape, 12)
    B = integers((g.out_channels,), 13)
    ours = onnx_conv_transpose(X, W, B, **attrs)
    np.testing.assert_allclose(run_onnx_reference(attrs, X, W, B), ours, atol=1e-4)
    try:
        geometry = from_onnx(g.input_size, g.kernel_size, in_channels=g.in_channels,
                             out_channels=g.out_channels, **{k: v for k, v in attrs.items()
                                                             if k != "kernel_shape"})
    except ParameterError as error:  # zeros before the output: no PyTorch geometry
        assert re.search(r"\d+ zeros? before the output", str(error)), str(error)
        return
    np.testing.assert_allclose(reference(geometry, X, W) + B.reshape(-1, *(1,) * g.ndim),
                               ours, atol=1e-4)


@requires_onnx
@REAL
@given(sts.geometries(asymmetric=True, max_groups=2, max_input=3))
def test_onnx_shape_inference_agrees_for_explicit_pads(g):
    attrs = to_onnx(g).kwargs
    shape = onnx_inferred_shape(attrs, (1, *g.input_shape), g.weight_shape)
    assert shape == [1, g.out_channels, *g.output_size]


@requires_onnx
@requires_torch
@REAL
@given(sts.geometries(asymmetric=True, max_groups=2, max_input=3))
def test_torch_and_onnx_for_real(g):
    """torch -> onnx and onnx -> torch, with PyTorch and onnx.reference running."""
    y, w = integers((2, *g.input_shape), 14), integers(g.weight_shape, 15)
    b = integers((g.out_channels,), 16)
    expected = reference(g, y, w) + b.reshape(-1, *(1,) * g.ndim)
    onnx_attrs = to_onnx(g).kwargs
    np.testing.assert_allclose(onnx_conv_transpose(y, w, b, **onnx_attrs), expected, atol=1e-4)
    in_domain = g.groups == 1 and all(a < s for a, s in zip(onnx_attrs["output_padding"],
                                                            g.stride, strict=True))
    if in_domain:
        np.testing.assert_allclose(run_onnx_reference(onnx_attrs, y, w, b), expected, atol=1e-4)
    # onnx -> torch: run PyTorch with the translation
    t = convert("onnx", "torch", g.input_size, in_channels=g.in_channels,
                out_channels=g.out_channels, **onnx_attrs)
    x, weight = t.prepare(y, w)
    function = getattr(torch.nn.functional, f"conv_transpose{g.ndim}d")
    out = function(torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(b),
                   **t.kwargs).numpy()
    np.testing.assert_allclose(t.finish(out), expected, atol=1e-4)
    if g.is_symmetric:  # torch -> onnx: PyTorch's own call, then onnx.reference
        kwargs = dict(stride=g.stride, padding=g.padding, output_padding=g.output_padding,
                      groups=g.groups, dilation=g.dilation)
        torch_out = run_torch(kwargs, y, w) + b.reshape(-1, *(1,) * g.ndim)
        t2 = convert("torch", "onnx", g.input_size, g.kernel_size, in_channels=g.in_channels,
                     out_channels=g.out_channels, **kwargs)
        np.testing.assert_allclose(onnx_conv_transpose(y, w, b, **t2.kwargs), torch_out,
                                   atol=1e-4)


# --- documented deviations of implementations from the specification ------- #


def _deviation(implementation: str, case: str) -> None:
    """The deviation is listed in the docs (so this test and the doc stay together)."""
    assert any(d[0] == implementation and case in d[1] for d in DEVIATIONS), case


@requires_onnx
def test_deviation_reference_output_shape_without_auto_pad():
    _deviation("onnx.reference.ReferenceEvaluator", "`output_shape` with `auto_pad` NOTSET")
    X = np.array([[[1, 2, 3, 4]]], dtype=np.float32)
    W = np.array([[[1, 10, 100]]], dtype=np.float32)
    natural = onnx_conv_transpose(X, W, strides=[2], output_padding=[1])  # length 10
    # smaller by one: the spec crops 1 at the start (NOTSET: larger half first) ...
    spec = onnx_conv_transpose(X, W, strides=[2], output_padding=[1], output_shape=[9])
    np.testing.assert_array_equal(spec, natural[..., 1:])
    # ... the reference keeps the first nine entries
    got = run_onnx_reference({"strides": [2], "output_padding": [1], "output_shape": [9]}, X, W)
    np.testing.assert_array_equal(got, natural[..., :9])
    # a size zero pads cannot give: the reference raises, the spec crops (1, 1)
    with pytest.raises(ValueError):
        run_onnx_reference({"strides": [2], "output_shape": [7]}, X, W)
    assert onnx_conv_transpose(X, W, strides=[2], output_shape=[7]).shape == (1, 1, 7)
    # with auto_pad SAME_* the reference derives the pads like the spec
    attrs = {"strides": [2], "output_shape": [7], "auto_pad": "SAME_LOWER"}
    np.testing.assert_array_equal(run_onnx_reference(attrs, X, W),
                                  onnx_conv_transpose(X, W, **attrs))


@requires_onnx
def test_deviation_reference_groups():
    _deviation("onnx.reference.ReferenceEvaluator", "more than one input or output channel")
    _deviation("onnx.reference.ReferenceEvaluator", "`group > 1` with a bias B")
    X, W = integers((1, 4, 3, 3), 17), integers((4, 2, 2, 2), 18)
    with pytest.raises(ValueError):
        run_onnx_reference({"group": 2}, X, W)
    spec = onnx_conv_transpose(X, W, group=2)
    g = Geometry((3, 3), 2, in_channels=4, out_channels=4, groups=2)
    np.testing.assert_array_equal(spec, reference(g, X, W))
    # one channel per group: right without a bias, wrong bias with one
    X, W = integers((1, 2, 3, 3), 19), integers((2, 1, 2, 2), 20)
    B = np.array([1.0, 100.0], dtype=np.float32)
    np.testing.assert_array_equal(run_onnx_reference({"group": 2}, X, W),
                                  onnx_conv_transpose(X, W, group=2))
    got = run_onnx_reference({"group": 2}, X, W, B)
    spec = onnx_conv_transpose(X, W, B, group=2)
    np.testing.assert_array_equal(got[:, 0], spec[:, 0])
    np.testing.assert_array_equal(got[:, 1], spec[:, 1] - 99.0)  # B[0] instead of B[1]


@requires_onnx
def test_deviation_reference_output_padding_at_least_stride():
    _deviation("onnx.reference.ReferenceEvaluator", "`output_padding >= strides`")
    X, W = integers((1, 1, 3), 21), integers((1, 1, 2), 22)
    for attrs in ({"dilations": [2], "output_padding": [1]},
                  {"dilations": [2], "output_padding": [1], "auto_pad": "SAME_UPPER"}):
        with pytest.raises(ValueError):
            run_onnx_reference(attrs, X, W)
        spec = onnx_conv_transpose(X, W, **attrs)
        assert spec.shape[-1] == (3 if "auto_pad" in attrs else 6)
    g = Geometry(3, 2, dilation=2, output_padding=1)
    np.testing.assert_array_equal(onnx_conv_transpose(X, W, dilations=[2], output_padding=[1]),
                                  reference(g, X, W))


@requires_onnx
def test_deviation_shape_inference_same():
    _deviation("onnx.shape_inference", "`auto_pad` SAME_UPPER/SAME_LOWER")
    for i, k, s, d, a in [(3, 3, 2, 1, 1), (3, 1, 2, 1, 0), (4, 2, 3, 2, 1), (2, 3, 1, 2, 1)]:
        attrs = {"strides": [s], "dilations": [d], "output_padding": [a],
                 "auto_pad": "SAME_UPPER"}
        ek = d * (k - 1) + 1
        inferred = onnx_inferred_shape(attrs, (1, 1, i), (1, 1, k))[-1]
        assert inferred == (i - 1) * s + ek + a - max(ek - s, 0)
        assert onnx_conv_transpose(np.ones((1, 1, i)), np.ones((1, 1, k)),
                                   **attrs).shape[-1] == i * s
    assert onnx_inferred_shape({"strides": [2], "output_padding": [1], "auto_pad": "SAME_UPPER"},
                               (1, 1, 3), (1, 1, 3))[-1] == 7  # the spec says 6


@requires_torch
def test_deviation_torch_output_size_ignores_dilation():
    _deviation("PyTorch", "output_size")
    layer = torch.nn.ConvTranspose1d(1, 1, 2, dilation=3, bias=False)
    with torch.no_grad():
        assert layer(torch.zeros(1, 1, 4)).shape[-1] == 7
        with pytest.raises(ValueError, match="valid sizes range"):
            layer(torch.zeros(1, 1, 4), output_size=[8])
        assert torch.nn.functional.conv_transpose1d(
            torch.zeros(1, 1, 4), layer.weight, dilation=3, output_padding=1).shape[-1] == 8


# --------------------------------------------------------------------------- #
# JAX
# --------------------------------------------------------------------------- #


@requires_jax
@REAL
@given(sts.geometries(asymmetric=True, max_groups=1, max_input=3))
def test_torch_to_jax_for_real(g):
    """PyTorch's conv_transpose and lax.conv_transpose with the converted kwargs."""
    y, w = integers((2, *g.input_shape), 23), integers(g.weight_shape, 24)
    expected = reference(g, y, w)
    if torch is not None and g.is_symmetric:
        kwargs = dict(stride=g.stride, padding=g.padding, output_padding=g.output_padding,
                      dilation=g.dilation)
        expected = run_torch(kwargs, y, w)
        t = convert("torch", "jax", g.input_size, g.kernel_size, in_channels=g.in_channels,
                    out_channels=g.out_channels, **kwargs)
    else:
        t = translate(g, "jax")
    assert t.crop is None and t.kwargs["transpose_kernel"] is True
    x, weight = t.prepare(y, w)
    np.testing.assert_allclose(t.finish(run_jax(t.kwargs, x, weight)), expected, atol=1e-4)


@st.composite
def jax_calls(draw):
    """lax.conv_transpose arguments: layouts, transpose_kernel, SAME/VALID or explicit pads."""
    ndim = draw(st.integers(1, 2))
    i = [draw(st.integers(1, 3)) for _ in range(ndim)]
    k = [draw(st.integers(1, 3)) for _ in range(ndim)]
    s = [draw(st.integers(1, 3)) for _ in range(ndim)]
    d = [draw(st.integers(1, 2)) for _ in range(ndim)]
    mode = draw(st.sampled_from(["SAME", "VALID", "explicit"]))
    if mode == "explicit":
        padding = []
        for ij, kj, sj, dj in zip(i, k, s, d, strict=True):
            full = (ij - 1) * sj + dj * (kj - 1) + 1
            begin = draw(st.integers(0, full - 1))
            net = draw(st.integers(-(max(sj, dj) - 1), full - begin - 1))
            padding.append((dj * (kj - 1) - begin, dj * (kj - 1) - net))
    else:
        padding = mode
    letters = "HW"[:ndim]
    specs = draw(st.sampled_from([None, ("NC" + letters, "OI" + letters, "NC" + letters),
                                  ("N" + letters + "C", letters + "IO", "NC" + letters)]))
    return {"sizes": i, "kernel": k, "cin": draw(st.integers(1, 2)),
            "cout": draw(st.integers(1, 2)),
            "kwargs": {"strides": tuple(s), "padding": padding, "rhs_dilation": tuple(d),
                       "dimension_numbers": specs,
                       "transpose_kernel": draw(st.booleans())}}


def _jax_shapes(call: dict[str, Any]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    ndim = len(call["sizes"])
    specs = call["kwargs"]["dimension_numbers"] or {1: ("NHC", "HIO", "NHC"),
                                                    2: ("NHWC", "HWIO", "NHWC")}[ndim]
    lhs, rhs, _ = specs
    spatial = [c for c in rhs if c not in "OI"]
    tk = call["kwargs"]["transpose_kernel"]
    size = {"N": 2, "C": call["cin"]} | dict(zip(spatial, call["sizes"], strict=True))
    ksize = {"O": call["cin"] if tk else call["cout"], "I": call["cout"] if tk else call["cin"]}
    ksize |= dict(zip(spatial, call["kernel"], strict=True))
    return tuple(size[c] for c in lhs), tuple(ksize[c] for c in rhs)


@requires_jax
@requires_torch
@REAL
@given(jax_calls())
def test_jax_to_torch_for_real(call):
    """lax.conv_transpose in any layout, then PyTorch with the translation."""
    x_shape, w_shape = _jax_shapes(call)
    x, w = integers(x_shape, 25), integers(w_shape, 26)
    expected = run_jax(call["kwargs"], x, w)
    t = convert("jax", "torch", tuple(call["sizes"]), tuple(call["kernel"]),
                in_channels=call["cin"], out_channels=call["cout"], **call["kwargs"])
    xt, wt = t.prepare(x, w)
    got = t.finish(run_torch(t.kwargs, xt, wt))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_jax_pads_and_refusals():
    g = from_jax((4,), 3, strides=(2,), padding=[(1, 2)])
    assert (g.padding, g.output_padding) == ((1,), (1,))
    assert from_jax((4,), 3, strides=(2,), padding=[(1, 1)], use_consistent_padding=True) == \
        from_torch(4, 3, stride=2, padding=1)
    with pytest.raises(ParameterError, match="zero"):
        from_jax((4,), 3, strides=(2,), padding=[(3, 2)])
    with pytest.raises(ParameterError, match="no groups"):
        to_jax(Geometry(4, 3, in_channels=2, out_channels=2, groups=2))


# --------------------------------------------------------------------------- #
# Keras (3, JAX backend) and TensorFlow (by its definition)
# --------------------------------------------------------------------------- #


@st.composite
def keras_layers(draw):
    ndim = draw(st.integers(1, 2))
    s = draw(st.integers(1, 3))
    d = 1 if s > 1 else draw(st.integers(1, 2))
    op = draw(st.one_of(st.none(), st.integers(0, s - 1)))
    kwargs = {"filters": draw(st.integers(1, 2)), "kernel_size": draw(st.integers(1, 3)),
              "strides": s, "padding": draw(st.sampled_from(["valid", "same"])),
              "output_padding": op, "dilation_rate": d}
    return draw(st.integers(1, 3)), ndim, draw(st.integers(1, 2)), kwargs


@requires_keras
@KERAS
@given(keras_layers())
def test_keras_layers_for_real(case):
    """keras.layers.Conv*DTranspose against the geometry from_keras reads."""
    i, ndim, cin, kwargs = case
    try:
        t = convert("keras", "torch", (i,) * ndim, in_channels=cin, **kwargs)
    except ParameterError as error:  # Keras's own output length < 1
        assert "output size must be at least 1" in str(error)
        return
    x = integers((2, *(i,) * ndim, cin), 27)
    kernel = integers((*(kwargs["kernel_size"],) * ndim, kwargs["filters"], cin), 28)
    expected = run_keras(kwargs, x, kernel)
    xt, wt = t.prepare(x, kernel)
    # the target, PyTorch, played by the numeric tier (PyTorch's signature and semantics)
    got = t.finish(conv_transpose(xt, wt, **t.kwargs))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-4)


@requires_keras
@KERAS
@given(sts.geometries(asymmetric=True, max_groups=1, max_ndim=2, max_input=3))
def test_to_keras_runs_in_keras(g):
    try:
        t = translate(g, "keras")
    except ParameterError as error:
        assert _expected_refusal("keras", g, error)
        return
    y, w = integers((2, *g.input_shape), 29), integers(g.weight_shape, 30)
    x, kernel = t.prepare(y, w)
    got = t.finish(run_keras(t.kwargs, x, kernel))
    np.testing.assert_allclose(got, reference(g, y, w), atol=1e-4)


def _tf_forward_pads(o: int, i: int, k: int, s: int, d: int, padding: Any) -> tuple[int, int]:
    """The forward conv's padding by TensorFlow's documented rule (written out here)."""
    ek = d * (k - 1) + 1
    if padding == "VALID":
        return 0, 0
    if padding == "SAME":
        total = max((-(-o // s) - 1) * s + ek - o, 0)
        return total // 2, total - total // 2
    return tuple(padding)


@st.composite
def tf_calls(draw):
    ndim = draw(st.integers(1, 3))
    modes = ["SAME", "VALID", "explicit"] if ndim == 2 else ["SAME", "VALID"]
    mode = draw(st.sampled_from(modes))
    axes = []
    for _ in range(ndim):
        i, k, s, d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                      draw(st.integers(1, 3)), draw(st.integers(1, 2)))
        ek = d * (k - 1) + 1
        pad = mode if mode != "explicit" else (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
        if mode == "SAME":
            o = draw(st.integers((i - 1) * s + 1, i * s))
        else:
            low = (i - 1) * s + ek - (0 if mode == "VALID" else sum(pad))
            assume(low + s - 1 >= 1)
            o = draw(st.integers(max(low, 1), low + s - 1))
        axes.append((i, k, s, d, o, pad))
    return ndim, mode, axes, draw(st.integers(1, 2)), draw(st.integers(1, 2))


@given(tf_calls())
def test_tf_is_the_gradient_of_conv(case):
    """from_tf's geometry is the adjoint of conv with TF's padding (the dot test, exact)."""
    ndim, mode, axes, cin, cout = case
    i, k, s, d, o, pads = (tuple(ax[n] for ax in axes) for n in range(6))
    padding = mode if mode != "explicit" else [[0, 0], *map(list, pads), [0, 0]]
    t = convert("tf", "torch", i, k, in_channels=cin, output_shape=(1, *o, cout), strides=s,
                padding=padding, dilations=d)
    assert t.output_size == o
    filters = integers((*k, cout, cin), 31, np.int64)  # TF's [*k, out, in]
    # conv2d's filter is [*k, in_fwd, out_fwd] = the same array: as (out_fwd, in_fwd, *k)
    forward_weight = np.transpose(filters, (ndim + 1, ndim, *range(ndim)))
    forward_pads = [_tf_forward_pads(*args) for args in zip(o, i, k, s, d, pads, strict=True)]
    x = integers((1, cout, *o), 32, np.int64)
    y_fwd = conv(x, forward_weight, stride=s, padding=forward_pads, dilation=d)
    assert y_fwd.shape[2:] == i  # output_shape is one conv maps back to the input size
    y = integers((1, cin, *i), 33, np.int64)
    back = reference(t.geometry, y, t.weight.apply(filters))
    assert back.shape == x.shape
    assert int(np.vdot(y_fwd, y)) == int(np.vdot(x, back))


def test_tf_writer_prefers_same_and_valid():
    assert to_tf(Geometry((3, 3), 3, stride=2, padding=[(0, 1), (0, 1)])).kwargs[
        "padding"] == "SAME"
    assert to_tf(Geometry(3, 3, stride=2, output_padding=1)).kwargs["padding"] == "VALID"
    # TF's SAME crops total // 2 first: PyTorch's padding=1 here is SAME
    assert to_tf(Geometry((3, 3), 3, stride=2, padding=1)).kwargs["padding"] == "SAME"
    call = to_tf(Geometry((3, 3), 3, stride=2, padding=[(2, 0), (2, 0)]))  # explicit pairs
    assert call.kwargs["padding"] == [[0, 0], [2, 0], [2, 0], [0, 0]] and call.crop is None
    call = to_tf(Geometry(3, 3, stride=2, padding=[(2, 0)]))  # 1-D: no explicit pairs
    assert call.kwargs["padding"] == "VALID" and call.crop == ((2, 0),)
    assert any("CPU" in note for note in to_tf(Geometry(3, 2, dilation=2)).notes)
    with pytest.raises(ParameterError, match=r"valid sizes are 5\.\.6"):
        from_tf(3, 3, output_shape=7, strides=2, padding="SAME")


# --------------------------------------------------------------------------- #
# Errors that teach
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(("call", "error", "needle"), [
    (lambda: from_torch(4, 3, padding="same"), ParameterError, "padding='same'"),
    (lambda: from_torch(4, 3, padding_mode="reflect"), ParameterError, "padding_mode"),
    (lambda: from_torch(4, 3, stride=0), ParameterError, "stride"),
    (lambda: from_onnx((3,), (3,), auto_pad="SAME"), ParameterError, "auto_pad"),
    (lambda: from_onnx((3,), (3,), pads=[1]), ParameterError, "pads"),
    (lambda: from_onnx((3, 3), (3, 3), strides=[2]), ParameterError, "strides needs one entry"),
    (lambda: from_onnx((3, 3), [3]), ParameterError, "kernel_shape needs one entry"),
    (lambda: from_onnx((3,), (3,), strides=[2], output_padding=[2]), ParameterError,
     "output_padding"),
    (lambda: from_tf((3, 3), 3, output_shape=(6, 6), padding="same"), ParameterError,
     "'SAME', 'VALID'"),
    (lambda: from_tf(3, 3, output_shape=6, padding=[[1, 1]]), ParameterError, "conv1d"),
    (lambda: from_keras(3, 3, filters=1, strides=2, dilation_rate=2), ParameterError,
     "dilation_rate"),
    (lambda: from_keras(3, 3, filters=1, strides=2, output_padding=2), ParameterError,
     "output_padding"),
    (lambda: from_jax(3, 3, strides=1, padding="FULL"), ParameterError, "padding"),
    (lambda: from_jax(3, 3, strides=1, padding="SAME", dimension_numbers=("NC", "OI", "NC")),
     ParameterError, "dimension_numbers"),
    (lambda: to_keras(Geometry(3, 3, stride=2, dilation=2)), ParameterError, "dilation_rate"),
    (lambda: to_tf(Geometry(3, 3, in_channels=2, out_channels=2, groups=2)), ParameterError,
     "no groups"),
    (lambda: read("onnx", 3, kernel_shape=3, padding=1), ParameterTypeError, "'padding'"),
    (lambda: read("caffe", 3, 3), ParameterError, "torch, onnx, tf, keras, jax"),
    (lambda: read("torch", 3, 3, output_padding=2), ParameterError, "PyTorch's parameters"),
])
def test_errors_name_the_framework_and_parameter(call, error, needle):
    with pytest.raises(error) as info:
        call()
    assert needle in str(info.value)
    assert isinstance(info.value, (SymtconvError, TypeError))


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_convert_json(capsys):
    status, out, _ = run_cli(capsys, "convert", "--from", "torch", "--to", "jax", "--input", "32",
                             "32", "--kernel", "3", "--stride", "2", "--padding", "2",
                             "--in-channels", "3", "--out-channels", "6", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["kwargs"] == {"strides": [2, 2], "padding": [[0, 0], [0, 0]],
                              "rhs_dilation": [1, 1],
                              "dimension_numbers": ["NCHW", "OIHW", "NCHW"],
                              "transpose_kernel": True}
    assert data["weight"] == {"permute": [0, 1, 2, 3], "flip": []}
    assert data["crop"] is None and data["output_size"] == [61, 61]


def test_cli_convert_attrs_and_crop(capsys):
    attrs = json.dumps({"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"})
    status, out, _ = run_cli(capsys, "convert", "--from", "onnx", "--to", "torch", "--input",
                             "3", "3", "--attrs", attrs, "--json")
    assert status == 0
    data = json.loads(out)
    assert data["kwargs"]["padding"] == [0, 0] and data["crop"] == [[0, 1], [0, 1]]
    assert data["output_size"] == [6, 6]
    status, out, _ = run_cli(capsys, "convert", "--from", "onnx", "--to", "torch", "--input",
                             "3", "3", "--attrs", attrs)
    assert status == 0 and "crop: [[0, 1], [0, 1]]" in out and "padding=" in out
    keras_attrs = json.dumps({"kernel_size": 3, "filters": 2, "strides": 2, "padding": "same"})
    status, out, _ = run_cli(capsys, "convert", "--from", "keras", "--to", "tf", "--input", "4",
                             "4", "--attrs", keras_attrs, "--json", "--batch", "8")
    data = json.loads(out)
    assert status == 0 and data["kwargs"]["output_shape"] == [8, 8, 8, 2]
    assert data["kwargs"]["padding"] == "SAME" and data["weight"]["permute"] == [0, 1, 2, 3]
    status, out, _ = run_cli(capsys, "convert", "--from", "torch", "--to", "onnx", "--input",
                             "5", "--attrs", json.dumps({"kernel_size": 3, "stride": 2,
                                                         "output_size": [12]}), "--json")
    assert status == 0 and json.loads(out)["kwargs"]["output_padding"] == [1]


@requires_jax
def test_cli_json_kwargs_go_straight_into_jax(capsys):
    status, out, _ = run_cli(capsys, "convert", "--from", "torch", "--to", "jax", "--input", "5",
                             "4", "--kernel", "3", "2", "--stride", "2", "--padding", "1", "0:1",
                             "--output-padding", "1", "0", "--in-channels", "2",
                             "--out-channels", "3", "--json")
    assert status == 0
    data = json.loads(out)
    g = Geometry((5, 4), (3, 2), stride=2, padding=(1, (0, 1)), output_padding=(1, 0),
                 in_channels=2, out_channels=3)
    y, w = integers((1, *g.input_shape), 34), integers(g.weight_shape, 35)
    got = jax.lax.conv_transpose(y, w, **data["kwargs"])  # JSON lists, as they come
    assert data["output_size"] == list(g.output_size) == list(got.shape[2:])
    np.testing.assert_allclose(np.asarray(got), reference(g, y, w), atol=1e-4)


@pytest.mark.parametrize(("argv", "needle"), [
    (["--from", "torch", "--to", "jax", "--input", "4", "--kernel", "3", "--groups", "2",
      "--in-channels", "2", "--out-channels", "2"], "no groups"),
    (["--from", "onnx", "--to", "torch", "--input", "3", "--attrs", '{"kernel_shape": [3], '
      '"bogus": 1}'], "bogus"),
    (["--from", "onnx", "--to", "torch", "--input", "3", "--attrs", "[1]"], "JSON object"),
    (["--from", "onnx", "--to", "torch", "--input", "3", "--attrs", "{"], "JSON"),
    (["--from", "onnx", "--to", "torch", "--input", "3", "--stride", "2", "--attrs", "{}"],
     "--stride"),
    (["--from", "tf", "--to", "torch", "--input", "3", "--kernel", "3", "--attrs",
      '{"output_shape": [9], "strides": 2, "padding": "SAME"}'], "valid sizes"),
    (["--from", "mxnet", "--to", "torch", "--input", "3", "--kernel", "3"], "mxnet"),
])
def test_cli_convert_errors(capsys, argv, needle):
    status, out, err = run_cli(capsys, "convert", *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and needle in err


# --------------------------------------------------------------------------- #
# The generated documentation
# --------------------------------------------------------------------------- #


def test_docs_conventions_md_is_up_to_date(tmp_path):
    from symtconv.conventions import main as conventions_main

    target = tmp_path / "conventions.md"
    assert conventions_main(["--table", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == conventions_table()
    assert DOCS.read_text(encoding="utf-8") == conventions_table(), (
        "docs/conventions.md is stale: run `python -m symtconv.conventions --table`"
    )
    text = conventions_table()
    for framework in ("PyTorch", "ONNX", "TensorFlow", "Keras", "JAX"):
        assert framework in text
    assert "| undecided |" not in text and "| failed |" not in text
