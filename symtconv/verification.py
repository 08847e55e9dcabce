"""Verify a transposed-convolution implementation, and explain what it gets wrong.

Explanation
===========

:func:`verify` drives a callable with hypothesis over geometries (1-D to 3-D, channels,
groups, stride, padding, dilation, output_padding, bias, unbatched or batches of one to
three samples, or the subset the implementation supports: ``ndim``, ``without``,
``max_size``) and compares it with the exact reference
(:func:`symtconv.numeric.conv_transpose`, itself checked against the SymPy tier and
PyTorch).  The implementation runs in a child process (:mod:`symtconv.runner`) with a
time limit per call; a hang, a crash, an exit, a result that is not real numbers, NaN,
a modified input or a returned input buffer is a failure, never a pass.  On a failure
hypothesis shrinks the case to the smallest failing geometry; then symtconv recovers
*which* ``y·w`` products land in *which* outputs by calling the implementation with
one-hot inputs and weights, lists the differing outputs as expected vs. got terms, and
names the likely mistake when it recognises one (kernel not flipped, padding off by one,
output_padding ignored, dilation ignored, in/out channels swapped, stride misapplied,
bias ignored, samples of a batch mixed, wrong output size).

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

A kernel that only supports part of the space is checked on that part:

>>> def only_2d(input, weight, bias=None, **kwargs):
...     assert weight.ndim == 4, "2-D only"
...     return conv_transpose(input, weight, bias, **kwargs)
>>> report = verify(only_2d, ndim=2, without=["dilation"], max_examples=10, seed=0)
>>> bool(report), report.space.ndim
(True, (2,))
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .console import html_text
from .conventions import to_jax, to_onnx
from .errors import MissingDependencyError, ParameterError, ParameterTypeError
from .geometry import Geometry
from .numeric import conv_transpose
from .runner import Outcome, Runner
from .tensors import symbol_name

try:
    import hypothesis.configuration as hypothesis_configuration
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import HypothesisException, NoSuchExample
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise MissingDependencyError(
        "symtconv.verification needs hypothesis: pip install 'symtconv[test]'"
    ) from error

from .strategies import Space

__all__ = ["CONVENTIONS", "Case", "Difference", "Verification", "verify"]

#: Conventions a callable can follow: ``"numpy"`` (``torch.nn.functional.conv_transpose*d``'s
#: signature on numpy arrays), ``"torch"`` (the same on torch tensors), ``"onnx"`` (the ONNX
#: ConvTranspose operator's inputs and attributes) and ``"jax"`` (``jax.lax.conv_transpose``).
CONVENTIONS = ("numpy", "torch", "onnx", "jax")

#: What each convention itself rules out of the space, and why.
_CONVENTION_LIMITS = {
    "onnx": (("unbatched",), "ONNX's X always has a batch axis"),
    "jax": (("unbatched", "groups", "bias"),
            "jax.lax.conv_transpose has no groups and no bias; lhs has a batch axis"),
}

#: The extra each convention needs, by module.
_CONVENTION_EXTRAS = {"torch": ("torch", "torch"), "jax": ("jax", "jax")}

#: After this many calls past the time limit (or this many dead children) the search stops
#: shrinking: the smallest case found so far is reported instead of waiting many times.
MAX_TIMEOUTS = 3
MAX_DEATHS = 5

#: One-hot term recovery calls the implementation ``|y|·|w|`` times; above this, skip it.
MAX_TERM_CALLS = 4000


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
    convention: str = "numpy"
    #: More samples after ``y`` in a batched call (each checked like ``y``), so that an
    #: implementation mixing the samples of a batch is caught.
    others: tuple[np.ndarray, ...] = ()

    @property
    def batch(self) -> int:
        """``N`` of a batched call (0 for an unbatched one)."""
        return 1 + len(self.others) if self.batched else 0

    def key(self) -> tuple[Any, ...]:
        """Equal for equal cases (what a verdict is cached under)."""
        arrays = (self.y, self.w, *self.others, *(() if self.bias is None else (self.bias,)))
        return (repr(self.geometry.to_dict()), self.batched, self.bias is None,
                tuple(a.shape for a in arrays), b"".join(a.tobytes() for a in arrays))

    def to_dict(self) -> dict[str, Any]:
        data = self.geometry.to_dict()
        data.update(bias=self.bias is not None, batched=self.batched, batch=self.batch,
                    input_shape=list(self.y.shape), weight_shape=list(self.w.shape))
        return data


@st.composite
def _cases(draw: st.DrawFn, space: Space, convention: str = "numpy") -> Case:
    g = draw(space.geometries())
    # the values come from a drawn seed, not element by element: the choices hypothesis
    # shrinks stay few and aligned with the geometry, so shrinking is fast and goes far
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    with_bias = not space.lacks("bias") and draw(st.booleans())
    batch = draw(st.sampled_from(space.batches))

    def values(shape: tuple[int, ...]) -> np.ndarray:
        return rng.integers(-3, 4, shape).astype(np.float64)

    y = values(tuple(int(v) for v in g.input_shape))
    return Case(g, y, values(tuple(int(v) for v in g.weight_shape)),
                values((g.out_channels,)) if with_bias else None, batch > 0, convention,
                tuple(values(y.shape) for _ in range(batch - 1)))


def _kwargs(g: Geometry) -> dict[str, Any]:
    return {"stride": g.stride, "padding": g.padding, "output_padding": g.output_padding,
            "groups": g.groups, "dilation": g.dilation}


def _request(case: Case) -> tuple[dict[str, np.ndarray | None], dict[str, Any]]:
    """The arrays and keyword arguments of the call, in the case's convention.

    ``"numpy"``/``"torch"``: ``fn(input, weight, bias, stride=, padding=,
    output_padding=, groups=, dilation=)``; ``"onnx"``: ``fn(X, W, B, kernel_shape=,
    strides=, pads=, output_padding=, dilations=, group=)`` with the attributes of
    :func:`symtconv.conventions.to_onnx`; ``"jax"``: ``fn(lhs, rhs, strides=, padding=,
    rhs_dilation=, dimension_numbers=, transpose_kernel=)`` from
    :func:`symtconv.conventions.to_jax` (the weight layout is PyTorch's in every case).
    """
    y = np.stack([case.y, *case.others]) if case.batched else case.y
    if case.convention == "onnx":
        call = to_onnx(case.geometry)
        assert call.crop is None  # ONNX's pads express every crop
        kwargs = call.kwargs
    elif case.convention == "jax":
        kwargs = to_jax(case.geometry).kwargs
    else:
        kwargs = _kwargs(case.geometry)
    return {"input": y, "weight": case.w, "bias": case.bias}, kwargs


class _Failed(Exception):
    """The implementation did not return an array of real numbers of the right rank."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.failure)
        self.outcome = outcome


class _Implementation:
    """The implementation under test, behind its runner; counts and stops the calls."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    @property
    def exhausted(self) -> bool:
        """Too many calls timed out or killed the child: make no more."""
        return self.runner.timeouts >= MAX_TIMEOUTS or self.runner.deaths >= MAX_DEATHS

    def outputs(self, case: Case) -> list[np.ndarray]:
        """The output of each sample, unbatched; :class:`_Failed` when there is none."""
        if self.exhausted:
            raise _Failed(Outcome("timeout", failure="not called: too many calls timed out "
                                                     "or crashed"))
        arrays, kwargs = _request(case)
        outcome = self.runner.call(arrays, kwargs)
        if outcome.result is None:
            raise _Failed(outcome)
        out = outcome.result
        if case.batched:
            if out.ndim != case.y.ndim + 1 or out.shape[0] != case.batch:
                raise _Failed(Outcome("raised", failure=(
                    f"returned output shape {out.shape} for a batched input of shape "
                    f"{(case.batch, *case.y.shape)}")))
            return list(out)
        return [out]

    def first(self, case: Case) -> np.ndarray:
        """The output for the first sample, ``y``."""
        return self.outputs(case)[0]


def _reference(case: Case) -> np.ndarray:
    return conv_transpose(case.y, case.w, case.bias, **_kwargs(case.geometry))


def _nonfinite(got: np.ndarray) -> str:
    kinds = [name for name, present in (("NaN", np.isnan(got).any()),
                                        ("inf", np.isinf(got).any())) if present]
    return " and ".join(kinds)


def _judge(impl: _Implementation, case: Case) -> Outcome | None:
    """None when every sample agrees exactly with the reference, else what went wrong.

    Wrong values or a wrong shape are ``Outcome("values")``; everything else carries its
    own text (see :mod:`symtconv.runner`).
    """
    try:
        outputs = impl.outputs(case)
    except _Failed as failed:
        return failed.outcome
    for got, y in zip(outputs, (case.y, *case.others), strict=True):
        expected = _reference(replace(case, y=y, others=()))
        bad = _nonfinite(got)
        if bad and np.isfinite(expected).all():
            return Outcome("not finite", failure=f"returned {bad} where the reference is finite")
        if got.shape != expected.shape or not np.array_equal(got, expected):
            return Outcome("values")
    return None


def _agrees(impl: _Implementation, case: Case) -> bool:
    return _judge(impl, case) is None


# --------------------------------------------------------------------------- #
# term recovery with one-hot inputs
# --------------------------------------------------------------------------- #


def _term_map(
    first: Callable[[Case], np.ndarray], case: Case
) -> tuple[tuple[int, ...], dict[tuple, list]]:
    """Output shape and, per output index, the ``(coefficient, y index, w index)`` terms.

    Found by calling ``first`` (the output for one sample) without bias on every one-hot
    pair ``y = e_n``, ``w = e_m`` (a transposed convolution is bilinear in ``y`` and ``w``).
    """
    terms: dict[tuple, list] = {}
    shape: tuple[int, ...] = ()
    for n in np.ndindex(*case.y.shape):
        y = np.zeros_like(case.y)
        y[n] = 1
        for m in np.ndindex(*case.w.shape):
            w = np.zeros_like(case.w)
            w[m] = 1
            out = first(replace(case, y=y, w=w, bias=None, others=()))
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


def _differences(impl: _Implementation, case: Case, limit: int) -> list[Difference]:
    if case.y.size * case.w.size > MAX_TERM_CALLS:
        return []
    _, want = _term_map(_reference, case)
    try:
        _, got = _term_map(impl.first, case)
    except _Failed:
        return []
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


def _wrong_samples(impl: _Implementation, case: Case) -> list[int]:
    """Which samples of a batched call come out wrong."""
    samples = (case.y, *case.others)
    return [n for n, (got, y) in enumerate(zip(impl.outputs(case), samples, strict=True))
            if not np.array_equal(got, _reference(replace(case, y=y, others=())))]


def _batch_diagnosis(impl: _Implementation, case: Case) -> str:
    """When each sample alone is right but the batch is not: does the output depend on
    the sample's position in the batch, or on the other samples?  "" otherwise."""
    try:
        if not all(_agrees(impl, replace(case, y=y, others=())) for y in (case.y, *case.others)):
            return ""
        # a batch of copies of one sample: a kernel that mixes samples is wrong from the
        # first (or right throughout); one that mishandles later positions is wrong after it
        wrong = _wrong_samples(impl, replace(case, others=(case.y,) * len(case.others)))
    except _Failed:
        return ""
    if wrong and 0 not in wrong:
        which = ", ".join(str(n) for n in wrong)
        return (f"wrong on later samples of a batch: each sample alone is right, but in a "
                f"batch of {case.batch} sample{'s' if len(wrong) > 1 else ''} {which} "
                f"{'are' if len(wrong) > 1 else 'is'} wrong")
    return (f"samples of a batch mixed: each sample alone is right, a batch of {case.batch} "
            "is not")


def _diagnose(impl: _Implementation, case: Case) -> str:
    if case.others:
        batch = _batch_diagnosis(impl, case)
        if batch:
            return batch
    try:
        got = [impl.first(c) for c in _probe_cases(case)]
    except _Failed as failed:
        return f"the implementation {failed.outcome.failure}"
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
    #: Generated examples (never more than ``max_examples``; shrinking is not counted).
    examples: int
    seconds: float
    counterexample: Case | None = None
    #: The case the diagnosis and differences are read from: the counterexample, or, when
    #: that one makes the implementation raise, the first case with wrong values instead.
    explained: Case | None = None
    diagnosis: str = ""
    differences: tuple[Difference, ...] = field(default=())
    error: str = ""
    #: The geometries and calls drawn from.
    space: Space = field(default_factory=Space)
    #: What the implementation wrote on ``stdout`` and ``stderr`` (truncated).
    printed: dict[str, str] = field(default_factory=dict)
    convention: str = "numpy"

    def __bool__(self) -> bool:
        return self.passed

    def _printed_lines(self) -> list[str]:
        lines = []
        for stream, text in self.printed.items():
            if text:
                lines.append(f"the implementation printed on {stream}:")
                lines += [f"  | {line}" for line in text.rstrip("\n").splitlines()]
        return lines

    def __str__(self) -> str:
        space = f"space: {self.space.describe()}"
        if self.passed:
            return "\n".join([
                f"PASSED: {self.examples} examples agree exactly with the reference "
                f"({self.seconds:.1f} s)", space, *self._printed_lines()])
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
        return "\n".join([*lines, space, *self._printed_lines()])

    def _repr_html_(self) -> str:
        """Jupyter's view: the report of :meth:`__str__`, not the dataclass."""
        return html_text(str(self))

    def to_dict(self) -> dict[str, Any]:
        """What ``symtconv check --json`` prints."""
        return {
            "passed": self.passed,
            "examples": self.examples,
            "convention": self.convention,
            "space": self.space.to_dict(),
            "counterexample": None if self.counterexample is None
            else self.counterexample.to_dict(),
            "explained": None if self.explained is None else self.explained.to_dict(),
            "diagnosis": self.diagnosis or None,
            "differences": [d.to_dict() for d in self.differences],
            "error": self.error or None,
            "stdout": self.printed.get("stdout", ""),
            "stderr": self.printed.get("stderr", ""),
            "seconds": round(self.seconds, 3),
        }


# --------------------------------------------------------------------------- #
# verify
# --------------------------------------------------------------------------- #


def _cache_directory() -> Path:
    """``$XDG_CACHE_HOME/symtconv/hypothesis`` (or ``~/.cache/…``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "symtconv" / "hypothesis"


@contextlib.contextmanager
def _hypothesis_home() -> Iterator[None]:
    """Hypothesis's files (its constants cache) in the user's cache, not ``./.hypothesis``.

    Only while verifying, and only when the caller has not chosen a directory already
    (``HYPOTHESIS_STORAGE_DIRECTORY`` or ``set_hypothesis_home_dir``).
    """
    name = "__hypothesis_home_directory"
    chosen = vars(hypothesis_configuration).get(name)
    if chosen is not None or os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    hypothesis_configuration.set_hypothesis_home_dir(_cache_directory())
    try:
        yield
    finally:
        hypothesis_configuration.set_hypothesis_home_dir(None)


def _positive_seconds(name: str, value: Any) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ParameterTypeError(f"{name} must be a positive number, got {name}={value!r}")
    if not float(value) > 0:
        raise ParameterError(f"{name} must be positive, got {name}={value!r}")


def _space(convention: str, ndim: Any, without: Any, max_size: Any) -> Space:
    space = Space.of(ndim=ndim, without=without, max_size=max_size)
    if convention in _CONVENTION_LIMITS:
        features, note = _CONVENTION_LIMITS[convention]
        space = space.restricted(features, note)
    return space


def verify(
    fn: Callable[..., Any] | str,
    convention: str = "numpy",
    *,
    ndim: int | tuple[int, ...] | None = None,
    without: tuple[str, ...] | list[str] = (),
    max_size: int = 4,
    max_examples: int = 200,
    seed: int | None = None,
    differences: int = 5,
    timeout: float = 10.0,
    isolate: bool = True,
) -> Verification:
    """Check ``fn`` against the exact reference; on failure, explain the smallest case.

    Explanation
    ===========

    ``fn`` runs in a child process: a ``module:function`` (or ``path/to/file.py:function``)
    string is imported by a new interpreter; a callable is forked from this process
    (``os.fork``, POSIX only; avoid it after starting threads that do not survive a fork,
    as JAX's do: pass a string then).  ``isolate=False`` calls a callable in this process
    instead, without a time limit or protection against exits and crashes, and lets a
    ``KeyboardInterrupt`` through.  Each call is judged strictly: an exception, an exit,
    a crash, a call past ``timeout``, a result that is not an array of real numbers (bool,
    complex, strings), NaN or inf, a modified input and a returned input buffer are
    failures with their own diagnosis.  Hypothesis keeps no example database; its files go
    to the user's cache directory (``$XDG_CACHE_HOME/symtconv/hypothesis``).

    Parameters
    ==========

    fn : callable or str
        With the convention's functional signature; for ``"numpy"``:
        ``fn(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
        dilation=1)`` on numpy arrays (``input`` is ``(C_in, *i)`` or ``(N, C_in, *i)``,
        ``weight`` is ``(C_in, C_out/groups, *k)``), returning an array; ``"torch"``: the
        same on CPU float64 torch tensors, returning a tensor; ``"onnx"``:
        ``fn(X, W, B=None, **attributes)`` as the ONNX ConvTranspose operator, ``X`` of
        shape ``(N, C_in, *i)``, ``W`` as for torch, and the attributes ``kernel_shape``,
        ``strides``, ``pads`` (``[x1_begin, x2_begin, …, x1_end, x2_end, …]``),
        ``output_padding``, ``dilations`` and ``group``; ``"jax"``:
        ``fn(lhs, rhs, strides=, padding=, rhs_dilation=, dimension_numbers=,
        transpose_kernel=)`` as :func:`jax.lax.conv_transpose` (PyTorch's layouts, no
        groups, no bias).
    convention : str
        One of :data:`CONVENTIONS`.
    ndim : int or tuple of int, optional
        The numbers of spatial axes the implementation supports (1, 2, 3; default all).
    without : sequence of str
        Features it does not support, from :data:`symtconv.strategies.FEATURES`.
    max_size : int
        The largest spatial input size drawn (1 to 64, default 4).
    max_examples : int
        How many cases hypothesis generates (the report never counts more).
    seed : int, optional
        Makes the run reproducible.
    differences : int
        How many differing outputs to list.
    timeout : float
        Seconds allowed per call (default 10); after three calls past it the search stops.
    isolate : bool
        Run the implementation in a child process (default).

    See Also
    ========

    symtconv.runner.Runner, symtconv.strategies.Space
    """
    if not (callable(fn) or isinstance(fn, str)):
        raise ParameterTypeError(
            f"fn must be a callable or a 'module:function' string, got fn={fn!r}")
    if convention not in CONVENTIONS:
        raise ParameterError(
            f"convention must be one of {', '.join(CONVENTIONS)}, got convention={convention!r}"
        )
    if not isinstance(max_examples, int) or isinstance(max_examples, bool) or max_examples < 1:
        raise ParameterError(f"max_examples must be a positive integer, got {max_examples!r}")
    _positive_seconds("timeout", timeout)
    space = _space(convention, ndim, without, max_size)
    if convention in _CONVENTION_EXTRAS and importlib.util.find_spec(
            _CONVENTION_EXTRAS[convention][0]) is None:
        module, extra = _CONVENTION_EXTRAS[convention]
        raise MissingDependencyError(f"convention={convention!r} needs {module}: "
                                     f"pip install 'symtconv[{extra}]'")
    start = time.perf_counter()
    with _hypothesis_home(), Runner(fn, convention, timeout=timeout, isolate=isolate) as runner:
        impl = _Implementation(runner)
        report = _search(impl, space, convention, max_examples, seed, differences)
        printed = runner.printed
    return replace(report, seconds=time.perf_counter() - start, space=space, printed=printed,
                   convention=convention)


def _search(impl: _Implementation, space: Space, convention: str, max_examples: int,
            seed: int | None, limit: int) -> Verification:
    """Generate, shrink, then explain the smallest failing case."""
    verdicts: dict[tuple[Any, ...], Outcome | None] = {}
    generated = 0

    def judged(case: Case) -> Outcome | None:
        nonlocal generated
        key = case.key()
        if key not in verdicts:
            if impl.exhausted:  # stop shrinking: waiting on more hangs teaches nothing
                return None
            if not any(verdicts.values()):
                generated += 1
            verdicts[key] = _judge(impl, case)
        return verdicts[key]

    # no example database; no "explain" phase (it reruns the implementation many times
    # to say which parts of the case matter: seconds, and the diagnosis says more)
    config = settings(max_examples=max_examples, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck),
                      phases=[Phase.generate, Phase.shrink])
    try:
        case = find(_cases(space, convention), lambda c: judged(c) is not None,
                    settings=config, random=random.Random(seed))
    except NoSuchExample:
        return Verification(True, min(generated, max_examples), 0.0)
    verdict = judged(case)
    assert verdict is not None
    examples = min(generated, max_examples)
    if verdict.kind not in ("values", "raised"):  # hangs, crashes, exits, non-numbers
        return Verification(False, examples, 0.0, case, case, verdict.failure)
    error = verdict.failure.removeprefix("raised ") if verdict.kind == "raised" else ""
    explained = case
    if error:  # the smallest case crashes: look for the smallest one with wrong values too
        def wrong_values(c: Case) -> bool:
            found = judged(c)
            return found is not None and found.kind == "values"

        with contextlib.suppress(NoSuchExample, HypothesisException):
            explained = find(_cases(space, convention), wrong_values,
                             # no shrinking: this case only serves the diagnosis
                             settings=settings(config, max_examples=max(max_examples, 100),
                                               phases=[Phase.generate]),
                             random=random.Random(seed))
    values = judged(explained)
    found = tuple(_differences(impl, explained, limit)) if values and values.kind == "values" \
        else ()
    return Verification(False, examples, 0.0, case, explained, _diagnose(impl, explained),
                        found, error)
