"""Verify a transposed-convolution implementation, and explain what it gets wrong.

Explanation
===========

:func:`verify` drives a callable with hypothesis over geometries (1-D to 3-D, channels,
groups, stride, padding, dilation, output_padding, bias, unbatched or batches of one to
three samples) and compares it with the exact reference
(:func:`symtconv.numeric.conv_transpose`, itself checked against the SymPy tier and
PyTorch).  On a failure hypothesis shrinks the case to the
smallest failing geometry; then symtconv recovers *which* ``y·w`` products land in
*which* outputs by calling the implementation with one-hot inputs and weights, lists
the differing outputs as expected vs. got terms, and names the likely mistake when it
recognises one (kernel not flipped, padding off by one, output_padding ignored,
dilation ignored, in/out channels swapped, stride misapplied, wrong output size).

Needs hypothesis (``pip install 'symtconv[test]'``).

Examples
========

>>> import numpy as np
>>> from symtconv.numeric import conv_transpose
>>> from symtconv.verification import verify
>>> bool(verify(conv_transpose, max_examples=20, seed=0))
True

An implementation that forgets to flip the kernel:

>>> def unflipped(input, weight, *args, **kwargs):
...     spatial = tuple(range(2, np.ndim(weight)))
...     return conv_transpose(input, np.flip(weight, spatial), *args, **kwargs)
>>> report = verify(unflipped, max_examples=50, seed=0)
>>> bool(report), report.diagnosis
(False, 'kernel not flipped')

Verifying a callable that takes torch tensors: wrap it so it takes and returns numpy
arrays, e.g. ``lambda x, w, b=None, **kw: f(torch.from_numpy(x), torch.from_numpy(w),
None if b is None else torch.from_numpy(b), **kw).numpy()``.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .conventions import to_onnx
from .errors import MissingDependencyError, ParameterError
from .geometry import Geometry
from .numeric import conv_transpose
from .tensors import symbol_name

try:
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise MissingDependencyError(
        "symtconv.verification needs hypothesis: pip install 'symtconv[test]'"
    ) from error

from . import strategies as sts

__all__ = ["CONVENTIONS", "Case", "Difference", "Verification", "verify"]

#: Conventions a callable can follow: ``"torch"`` (``torch.nn.functional.conv_transpose*d``)
#: and ``"onnx"`` (the ONNX ConvTranspose operator's inputs and attributes).
CONVENTIONS = ("torch", "onnx")


# --------------------------------------------------------------------------- #
# cases and calls
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Case:
    """One input to the implementation: a geometry, integer arrays, bias, batching."""

    geometry: Geometry
    y: np.ndarray
    w: np.ndarray
    bias: np.ndarray | None
    batched: bool
    #: Whose signature the call uses (one of :data:`CONVENTIONS`).
    convention: str = "torch"
    #: More samples after ``y`` in a batched call (each checked like ``y``), so that an
    #: implementation mixing the samples of a batch is caught.
    others: tuple[np.ndarray, ...] = ()

    @property
    def batch(self) -> int:
        """``N`` of a batched call (0 for an unbatched one)."""
        return 1 + len(self.others) if self.batched else 0

    def to_dict(self) -> dict[str, Any]:
        data = self.geometry.to_dict()
        data.update(bias=self.bias is not None, batched=self.batched, batch=self.batch,
                    input_shape=list(self.y.shape), weight_shape=list(self.w.shape))
        return data


@st.composite
def _cases(draw: st.DrawFn, convention: str = "torch") -> Case:
    g = draw(sts.geometries(max_input=4, max_kernel=3, max_stride=3, max_dilation=2))
    y = draw(sts.integer_arrays(tuple(int(v) for v in g.input_shape), -3, 3))
    w = draw(sts.integer_arrays(tuple(int(v) for v in g.weight_shape), -3, 3))
    bias = draw(st.none() | sts.integer_arrays((g.out_channels,), -3, 3))
    batched = convention == "onnx" or draw(st.booleans())  # ONNX's X is always (N, C, *i)
    others = tuple(
        draw(sts.integer_arrays(y.shape, -3, 3)).astype(np.float64)
        for _ in range(draw(st.integers(0, 2)) if batched else 0)
    )
    return Case(g, y.astype(np.float64), w.astype(np.float64),
                None if bias is None else bias.astype(np.float64), batched, convention, others)


def _kwargs(g: Geometry) -> dict[str, Any]:
    return {"stride": g.stride, "padding": g.padding, "output_padding": g.output_padding,
            "groups": g.groups, "dilation": g.dilation}


def _call(fn: Callable[..., Any], case: Case) -> np.ndarray:
    """The output for the first sample, ``y`` (see :func:`_call_all`)."""
    return _call_all(fn, case)[0]


def _call_all(fn: Callable[..., Any], case: Case) -> list[np.ndarray]:
    """Call ``fn`` with its convention's signature; the output of each sample, unbatched.

    ``"torch"``: ``fn(input, weight, bias, stride=, padding=, output_padding=, groups=,
    dilation=)``; ``"onnx"``: ``fn(X, W, B, kernel_shape=, strides=, pads=,
    output_padding=, dilations=, group=)`` with the attributes of
    :func:`symtconv.conventions.to_onnx` (the weight layout is the same).
    """
    y = np.stack([case.y, *case.others]) if case.batched else case.y
    if case.convention == "onnx":
        call = to_onnx(case.geometry)
        assert call.crop is None  # ONNX's pads express every crop
        result = fn(y, case.w, case.bias, **call.kwargs)
    else:
        result = fn(y, case.w, case.bias, **_kwargs(case.geometry))
    if result is None or np.ndim(result) == 0:
        raise TypeError(f"the implementation returned {type(result).__name__}, not an array")
    out = np.asarray(result, dtype=np.float64)
    if case.batched:
        if out.ndim != case.y.ndim + 1 or out.shape[0] != case.batch:
            raise ValueError(f"batched input of shape {y.shape} gave output shape {out.shape}")
        return list(out)
    return [out]


def _reference(case: Case) -> np.ndarray:
    return conv_transpose(case.y, case.w, case.bias, **_kwargs(case.geometry))


def _agrees(fn: Callable[..., Any], case: Case) -> bool:
    try:
        outputs = _call_all(fn, case)
    except Exception:
        return False
    for got, y in zip(outputs, (case.y, *case.others), strict=True):
        expected = _reference(replace(case, y=y, others=()))
        if got.shape != expected.shape or not np.array_equal(got, expected):
            return False
    return True


# --------------------------------------------------------------------------- #
# term recovery with one-hot inputs
# --------------------------------------------------------------------------- #


def _term_map(fn: Callable[..., Any], case: Case) -> tuple[tuple[int, ...], dict[tuple, list]]:
    """Output shape and, per output index, the ``(coefficient, y index, w index)`` terms.

    Found by calling ``fn`` without bias on every one-hot pair ``y = e_n``, ``w = e_m``
    (a transposed convolution is bilinear in ``y`` and ``w``).
    """
    terms: dict[tuple, list] = {}
    shape: tuple[int, ...] = ()
    for n in np.ndindex(*case.y.shape):
        y = np.zeros_like(case.y)
        y[n] = 1
        for m in np.ndindex(*case.w.shape):
            w = np.zeros_like(case.w)
            w[m] = 1
            out = _call(fn, replace(case, y=y, w=w, bias=None, others=()))
            shape = out.shape
            for index in zip(*np.nonzero(out), strict=True):
                terms.setdefault(tuple(int(j) for j in index), []).append((out[index], n, m))
    return shape, terms


def _terms_text(case: Case, terms: list) -> str:
    if not terms:
        return "0"
    g = case.geometry
    parts = []
    for coefficient, n, m in sorted(terms, key=lambda t: (t[1], t[2])):
        name = (symbol_name("y", n, g.input_shape, 1) + "·"
                + symbol_name("w", m, g.weight_shape, 2))
        c = int(coefficient) if float(coefficient).is_integer() else float(coefficient)
        parts.append(name if c == 1 else f"{c}·{name}")
    return " + ".join(parts)


@dataclass(frozen=True)
class Difference:
    """One output that differs: its index and the expected and received terms."""

    output: tuple[int, ...]
    expected: str
    got: str

    def __str__(self) -> str:
        index = ", ".join(str(j) for j in self.output)
        return f"x[{index}]: expected {self.expected}, got {self.got}"

    def to_dict(self) -> dict[str, Any]:
        return {"output": list(self.output), "expected": self.expected, "got": self.got}


def _differences(fn: Callable[..., Any], case: Case, limit: int) -> list[Difference]:
    _, want = _term_map(conv_transpose, replace(case, convention="torch"))  # the reference
    _, got = _term_map(fn, case)
    out = []
    for index in sorted(set(want) | set(got)):
        a, b = sorted(want.get(index, []), key=repr), sorted(got.get(index, []), key=repr)
        if _terms_text(case, a) != _terms_text(case, b):
            out.append(Difference(index, _terms_text(case, a), _terms_text(case, b)))
            if len(out) == limit:
                break
    return out


# --------------------------------------------------------------------------- #
# diagnosis: which known mistake reproduces the implementation?
# --------------------------------------------------------------------------- #


def _flip(w: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
    return np.flip(w, tuple(range(2, w.ndim)) if axes is None else axes)


def _swap_channels(w: np.ndarray, g: Geometry) -> np.ndarray:
    """The weight read as (C_out/groups, C_in/groups, …) per group: in/out swapped."""
    groups = g.groups
    per_in, per_out = g.in_channels // groups, g.out_channels // groups
    if per_in != per_out:
        raise ValueError("in/out swap needs as many input as output channels per group")
    blocks = w.reshape(groups, per_in, per_out, *w.shape[2:])
    return np.swapaxes(blocks, 1, 2).reshape(w.shape)


def _window(
    case: Case,
    *,
    stride: Any = None,
    dilation: Any = None,
    crops: list[tuple[int, int]] | None = None,
    output_padding: Any = None,
    weight: np.ndarray | None = None,
    bias: bool = True,
) -> np.ndarray:
    """A permissive reference: the full scatter (no crop), then any window of it.

    Unlike :func:`conv_transpose` it accepts crops and output paddings that PyTorch would
    refuse (a crop of -1 is one zero added), so that a mistaken implementation can be
    matched whatever parameters it effectively used.
    """
    g = case.geometry
    full = conv_transpose(case.y, case.w if weight is None else weight, None,
                          stride=g.stride if stride is None else stride,
                          dilation=g.dilation if dilation is None else dilation,
                          groups=g.groups)
    pads = crops or [p if isinstance(p, tuple) else (p, p) for p in g.padding]
    extra = g.output_padding if output_padding is None else _tuple(output_padding, g.ndim)
    lengths = [n - b - e + a for n, (b, e), a in zip(full.shape[1:], pads, extra, strict=True)]
    if min(lengths) < 0:
        raise ValueError("negative output size")
    out = np.zeros((full.shape[0], *lengths))
    source = tuple(slice(max(0, b), min(n, b + length))
                   for n, (b, _), length in zip(full.shape[1:], pads, lengths, strict=True))
    target = tuple(slice(sl.start - b, sl.stop - b)
                   for sl, (b, _) in zip(source, pads, strict=True))
    out[(slice(None), *target)] = full[(slice(None), *source)]
    if bias and case.bias is not None:
        out += case.bias.reshape(-1, *(1,) * g.ndim)
    return out


def _tuple(value: Any, ndim: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, tuple) else (value,) * ndim


def _mistakes(g: Geometry) -> list[tuple[str, Callable[[Case], np.ndarray]]]:
    """Candidate mistakes, each as a (wrong) reference of its own."""
    pads = [p if isinstance(p, tuple) else (p, p) for p in g.padding]

    def shifted(delta_begin: int, delta_end: int) -> Callable[[Case], np.ndarray]:
        crops = [(b + delta_begin, e + delta_end) for b, e in pads]
        return lambda c: _window(c, crops=crops)

    return [
        ("kernel not flipped", lambda c: _window(c, weight=_flip(c.w))),
        ("bias ignored", lambda c: _window(c, bias=False)),
        ("in/out channels swapped", lambda c: _window(c, weight=_swap_channels(c.w, g))),
        ("output_padding ignored", lambda c: _window(c, output_padding=0)),
        ("dilation ignored", lambda c: _window(c, dilation=1)),
        ("stride misapplied (stride taken as 1)", lambda c: _window(c, stride=1)),
        ("stride misapplied (stride and dilation exchanged)",
         lambda c: _window(c, stride=g.dilation, dilation=g.stride)),
        ("padding off by one (one row too many on each side)", shifted(-1, -1)),
        ("padding off by one (one row too few on each side)", shifted(1, 1)),
        ("padding off by one (output shifted by one)", shifted(1, -1)),
        ("padding off by one (output shifted by one)", shifted(-1, 1)),
    ]


def _probe_cases(case: Case, count: int = 3) -> list[Case]:
    """The counterexample and a few more random arrays on its geometry."""
    rng = np.random.default_rng(0)
    more = [
        replace(case, y=rng.integers(-5, 6, case.y.shape).astype(np.float64),
                w=rng.integers(-5, 6, case.w.shape).astype(np.float64))
        for _ in range(count)
    ]
    return [case, *more]


def _diagnose(fn: Callable[..., Any], case: Case) -> str:
    if case.others and _agrees(fn, replace(case, others=())):
        return (f"samples of a batch mixed: each sample alone is right, a batch of "
                f"{case.batch} is not")
    try:
        got = [_call(fn, c) for c in _probe_cases(case)]
    except Exception as error:
        return f"the implementation raised {type(error).__name__}: {error}"
    for name, wrong in _mistakes(case.geometry):
        try:
            if all(np.array_equal(g, wrong(c)) for g, c in zip(got, _probe_cases(case),
                                                              strict=True)):
                return name
        except Exception:
            continue
    expected = _reference(case).shape
    if got[0].shape != expected:
        return f"wrong output size: expected {expected}, got {got[0].shape}"
    return "not recognised: see the differing terms"


# --------------------------------------------------------------------------- #
# the report
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`; truthy only if every example passed."""

    passed: bool
    examples: int
    seconds: float
    counterexample: Case | None = None
    #: The case the diagnosis and differences are read from: the counterexample, or, when
    #: that one makes the implementation raise, the first case with wrong values instead.
    explained: Case | None = None
    diagnosis: str = ""
    differences: tuple[Difference, ...] = field(default=())
    error: str = ""

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:
            return (f"PASSED: {self.examples} examples agree exactly with the reference "
                    f"({self.seconds:.1f} s)")
        assert self.counterexample is not None
        case = self.counterexample
        lines = [
            f"FAILED after {self.examples} examples; smallest failing case:",
            f"  {case.geometry.describe()}",
            f"  input shape {case.y.shape}"
            f"{f' (batched as N={case.batch})' if case.batched else ''}, "
            f"weight shape {case.w.shape}, bias {'yes' if case.bias is not None else 'no'}",
        ]
        if self.error:
            lines.append(f"  the implementation raised: {self.error}")
        if self.explained is not None and self.explained is not case:
            lines += [
                "a case where it returns wrong values instead of raising:",
                f"  {self.explained.geometry.describe()}",
            ]
        if self.differences:
            lines.append("differing outputs (terms recovered with one-hot inputs):")
            lines += [f"  {d}" for d in self.differences]
        lines.append(f"diagnosis: {self.diagnosis}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """What ``symtconv check --json`` prints."""
        return {
            "passed": self.passed,
            "examples": self.examples,
            "counterexample": None if self.counterexample is None
            else self.counterexample.to_dict(),
            "explained": None if self.explained is None else self.explained.to_dict(),
            "diagnosis": self.diagnosis or None,
            "differences": [d.to_dict() for d in self.differences],
            "error": self.error or None,
            "seconds": round(self.seconds, 3),
        }


def verify(
    fn: Callable[..., Any],
    convention: str = "torch",
    *,
    max_examples: int = 200,
    seed: int | None = None,
    differences: int = 5,
) -> Verification:
    """Check ``fn`` against the exact reference; on failure, explain the smallest case.

    Parameters
    ==========

    fn : callable
        With the convention's functional signature; for ``"torch"``:
        ``fn(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
        dilation=1)`` on numpy arrays (``input`` is ``(C_in, *i)`` or ``(N, C_in, *i)``,
        ``weight`` is ``(C_in, C_out/groups, *k)``), returning an array; for ``"onnx"``:
        ``fn(X, W, B=None, **attributes)`` as the ONNX ConvTranspose operator, ``X`` of
        shape ``(N, C_in, *i)``, ``W`` as for torch, and the attributes ``kernel_shape``,
        ``strides``, ``pads`` (``[x1_begin, x2_begin, …, x1_end, x2_end, …]``),
        ``output_padding``, ``dilations`` and ``group``.
    convention : str
        One of :data:`CONVENTIONS`.
    max_examples : int
        How many cases hypothesis draws.
    seed : int, optional
        Makes the run reproducible.
    differences : int
        How many differing outputs to list.
    """
    if convention not in CONVENTIONS:
        raise ParameterError(
            f"convention must be one of {', '.join(CONVENTIONS)}, got convention={convention!r}"
        )
    if not isinstance(max_examples, int) or isinstance(max_examples, bool) or max_examples < 1:
        raise ParameterError(f"max_examples must be a positive integer, got {max_examples!r}")
    start = time.perf_counter()
    calls = 0

    def fails(case: Case) -> bool:
        nonlocal calls
        calls += 1
        return not _agrees(fn, case)

    config = settings(
        max_examples=max_examples, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    try:
        case = find(_cases(convention), fails, settings=config, random=random.Random(seed))
    except NoSuchExample:
        return Verification(True, calls, time.perf_counter() - start)
    error = _raised(fn, case)
    explained = case
    if error:  # the smallest case crashes: look for the smallest one with wrong values too
        with contextlib.suppress(NoSuchExample):
            explained = find(_cases(convention),
                             lambda c: not _agrees(fn, c) and not _raised(fn, c),
                             # no shrinking: this case only serves the diagnosis
                             settings=settings(config, max_examples=max(max_examples, 100),
                                               phases=[Phase.generate]),
                             random=random.Random(seed))
    found = () if _raised(fn, explained) else tuple(_differences(fn, explained, differences))
    return Verification(
        passed=False,
        examples=calls,
        seconds=time.perf_counter() - start,
        counterexample=case,
        explained=explained,
        diagnosis=_diagnose(fn, explained),
        differences=found,
        error=error,
    )


def _raised(fn: Callable[..., Any], case: Case) -> str:
    """What ``fn`` raised on ``case`` (type and message), or "" when it returned."""
    try:
        _call(fn, case)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return ""
