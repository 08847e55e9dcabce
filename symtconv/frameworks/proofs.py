"""Symbolic proofs of the translations: every per-axis formula, for every size at once.

Explanation
===========

Every per-axis formula is a small function written once, for Python ints and SymPy
integer symbols alike; :func:`prove_conventions` runs those very functions on
symbols and lets SymPy show that each translation gives the same output size and
the same scatter positions, and that each padding split (ONNX's ``SAME_UPPER`` /
``SAME_LOWER``, TF's ``SAME``) puts the crops where the specification says.  The result,
a :class:`ConventionProofs`, is true only when every claim is proved.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, overload

import sympy as sp

from ..console import html_text
from ..geometry import Axis
from ..notation import prose
from .common import _NAMES, _effective
from .jax import _crop_from_jax_pads, _jax_output, _jax_pads, _jax_string_pads
from .keras import _keras_jax_pads, _keras_output
from .onnx import _onnx_output, _onnx_split, _onnx_total
from .pytorch import _torch_min_size
from .tensorflow import _tf_same_begin, _tf_same_end


@dataclass(frozen=True)
class ConventionProof:
    """One translation formula, checked by SymPy for every size at once.

    ``step`` is a :class:`symtconv.general.Step` (``"proved"`` when SymPy reduced
    the difference to 0).
    """

    framework: str
    claim: str
    step: Any

    def __bool__(self) -> bool:
        return bool(self.step)

    def __str__(self) -> str:
        claim, detail = prose(self.claim), prose(self.step.detail)
        return f"[{self.step.status}] {_NAMES[self.framework]}: {claim}: {detail}"

    def _latex(self, printer: Any) -> str:
        return str(self.step._latex(printer))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"


    def to_dict(self) -> dict[str, Any]:
        """``{"framework", "claim", "status", "proved", "detail"}``."""
        return {
            "framework": self.framework,
            "claim": self.claim,
            "status": self.step.status,
            "proved": bool(self),
            "detail": self.step.detail,
        }


@dataclass(frozen=True)
class ConventionProofs:
    """Every translation claim of :func:`prove_conventions`, true only when all are proved.

    A sequence of :class:`ConventionProof` (``len``, iteration and indexing work as on
    the tuple it used to be); ``bool()`` is the truth of every claim, as for a
    :class:`symtconv.Proof`.  ``str()`` is a table of framework, claim and status fitted
    to the terminal; ``to_dict()`` the same for JSON.

    Examples
    ========

    >>> from symtconv.conventions import prove_conventions
    >>> proofs = prove_conventions()
    >>> bool(proofs), proofs.failed
    (True, ())
    >>> proofs[0].framework, proofs.to_dict()["proved"]
    ('torch', True)
    """

    proofs: tuple[ConventionProof, ...]

    @property
    def proved(self) -> bool:
        """True only when there are claims and every one is proved."""
        return bool(self.proofs) and all(self.proofs)

    @property
    def failed(self) -> tuple[ConventionProof, ...]:
        """The claims that are not proved (failed or undecided)."""
        return tuple(p for p in self.proofs if not p)

    def __bool__(self) -> bool:
        return self.proved

    def __len__(self) -> int:
        return len(self.proofs)

    def __iter__(self) -> Iterator[ConventionProof]:
        return iter(self.proofs)

    @overload
    def __getitem__(self, index: int) -> ConventionProof: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ConventionProof, ...]: ...
    def __getitem__(self, index: int | slice) -> ConventionProof | tuple[ConventionProof, ...]:
        return self.proofs[index]

    def __str__(self) -> str:
        width = max(60, shutil.get_terminal_size().columns)
        rows = [(_NAMES[p.framework], prose(p.claim), p.step.status) for p in self.proofs]
        first = max([len("framework"), *(len(r[0]) for r in rows)])
        last = max([len("status"), *(len(r[2]) for r in rows)])
        middle = max(20, width - first - last - 4)
        verdict = "PROVED" if self.proved else "NOT PROVED"
        lines = [
            f"{verdict}: {sum(map(bool, self.proofs))} of {len(self.proofs)} translation "
            "claims proved by SymPy for every size",
            f"{'framework':<{first}}  {'claim':<{middle}}  status",
        ]
        for framework, claim, status in rows:
            wrapped = textwrap.wrap(claim, middle) or [""]
            lines.append(f"{framework:<{first}}  {wrapped[0]:<{middle}}  {status}")
            lines += [f"{'':<{first}}  {more}" for more in wrapped[1:]]
        for p in self.failed:
            lines.append(f"not proved: {p}")
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        """Jupyter's view: the table of :meth:`__str__`, not a tuple of dataclasses."""
        return html_text(str(self))

    def to_dict(self) -> dict[str, Any]:
        """``{"proved", "claims": [{"framework", "claim", "status", "proved", "detail"}]}``."""
        return {"proved": self.proved, "claims": [p.to_dict() for p in self.proofs]}


#: Which half of ONNX's ``total_padding`` goes first, in the specification's words:
#: ConvTranspose-11 and later, ``SAME_UPPER``: ``pads[start] = total/2`` (the smaller
#: half), anything else ``total - total/2``; ConvTranspose-1 had UPPER and LOWER the
#: other way round.  Written here, apart from the reader's :func:`_onnx_split`.
_ONNX_SMALLER_HALF_FIRST = {
    (22, "SAME_UPPER"): True,
    (22, "SAME_LOWER"): False,
    (22, "NOTSET"): False,
    (1, "SAME_UPPER"): False,
    (1, "SAME_LOWER"): True,
    (1, "NOTSET"): True,
}


def prove_conventions() -> ConventionProofs:
    """Prove each translation formula with SymPy integer symbols (every size at once).

    Explanation
    ===========

    The per-axis functions the readers and writers use are run on symbols
    ``i, k, s, d >= 1``, ``p_b, p_e, a, o >= 0``, and SymPy shows that the
    framework's own output-size formula with the translated parameters is the
    Geometry's ``(i-1)s - p_b - p_e + d(k-1) + a + 1``, and that the position where
    ``y[n]·w[m]`` lands is PyTorch's ``s·n + d·m - p_b``.

    Examples
    ========

    >>> from symtconv.conventions import prove_conventions
    >>> proofs = prove_conventions()
    >>> bool(proofs), len(proofs) > 10
    (True, True)
    >>> print(proofs[0])  # doctest: +ELLIPSIS
    [proved] PyTorch: output size ...
    """
    from ..general import Status, Step, check_identity
    from ..general.checks import _combine

    pos = {"integer": True, "positive": True}
    nonneg = {"integer": True, "nonnegative": True}
    i, k, s, d = (sp.Symbol(n, **pos) for n in "iksd")
    pb, pe, a, o, n, m, p = (sp.Symbol(name, **nonneg) for name in
                             ("p_b", "p_e", "a", "o", "n", "m", "p"))
    axis = Axis(i, k, s, pb, pe, a, d)
    out = axis.output
    ek = _effective(k, d)
    torch_position = s * n + d * m - pb
    proofs: list[ConventionProof] = []

    def claim(framework: str, text: str, lhs: Any, rhs: Any) -> None:
        proofs.append(ConventionProof(framework, text, check_identity(text, lhs, rhs)))

    # PyTorch
    claim("torch", "output size (i-1)s - 2p + d(k-1) + a + 1 is the geometry's with p_b = p_e = p",
          Axis(i, k, s, p, p, a, d).output, (i - 1) * s - 2 * p + d * (k - 1) + a + 1)
    claim("torch", "output_size -> output_padding = o - min gives output size o",
          Axis(i, k, s, p, p, o - _torch_min_size(i, k, s, p, d), d).output, o)
    # ONNX
    claim("onnx", "output_shape formula with pads (p_b, p_e) is the geometry's output size",
          _onnx_output(i, k, s, d, a, pb, pe), out)
    for mode in ("SAME_UPPER", "SAME_LOWER"):
        begin, end = _onnx_split(_onnx_total(i, k, s, d, a, o), mode, 22)
        claim("onnx", f"pads from output_shape ({mode} split) give output size output_shape",
              _onnx_output(i, k, s, d, a, begin, end), o)
        begin, end = _onnx_split(_onnx_total(i, k, s, d, a, i * s), mode, 22)
        claim("onnx", f"auto_pad={mode} gives output size i·s",
              _onnx_output(i, k, s, d, a, begin, end), i * s)
    # the split itself, against the specification (a swapped UPPER/LOWER keeps the total)
    total = sp.Symbol("total", integer=True)
    half = sp.floor(total / 2)
    for (opset, mode), smaller_first in _ONNX_SMALLER_HALF_FIRST.items():
        begin, end = _onnx_split(total, mode, opset)
        want = (half, total - half) if smaller_first else (total - half, half)
        words = "total//2, end = total - total//2" if smaller_first else (
            "total - total//2, end = total//2")
        text = (f"{mode} split (ConvTranspose-{'1' if opset < 11 else '11+'}): "
                f"begin = {words}, as the specification says")
        parts = [check_identity("begin", begin, want[0]), check_identity("end", end, want[1])]
        detail = f"begin {begin}, end {end} for total_padding = total"
        step = _combine(text, parts, detail, sp.Tuple(begin, end))
        proofs.append(ConventionProof("onnx", text, step))
    # JAX
    lo, hi = _jax_pads(k, d, pb, pe, a)
    claim("jax", "explicit pads lo = d(k-1) - p_b, hi = d(k-1) - p_e + a give the geometry's "
          "output size", _jax_output(i, k, s, d, lo, hi), out)
    # lax.conv_transpose correlates the padded, zero-inserted input (y[n] at lo + s·n)
    # with the kernel flipped by transpose_kernel (tap m read as k-1-m): output j reads
    # position j + d(k-1-m), so y[n]·w[m] lands at j = lo + s·n - d(k-1-m)
    claim("jax", "y[n]·w[m] lands at lo + s·n - d(k-1-m) = s·n + d·m - p_b (PyTorch's position)",
          lo + s * n - d * (k - 1 - m), torch_position)
    back = _crop_from_jax_pads(k, d, lo, hi)
    claim("jax", "reading lo back gives the begin crop p_b", back[0], pb)
    claim("jax", "reading hi back gives the net end crop p_e - a", back[1], pe - a)
    # 'SAME' against TF's SAME: only ek = e + 1 matters (k = e + 1, d = 1); SymPy decides
    # each case of JAX's branch s > e, and of the parity of e - s, separately
    e, t, v = (sp.Symbol(name, **nonneg) for name in ("e", "t", "v"))
    lo_s, _ = _jax_string_pads(e + 1, s, 1, "SAME")
    difference = e - lo_s - _tf_same_begin(i, e + 1, s, 1, i * s)
    cases = {"s > e": {s: e + t + 1}, "e - s even": {e: s + 2 * v},
             "e - s odd": {e: s + 2 * v + 1}}
    steps = [check_identity(name, sp.piecewise_fold(difference.xreplace(case)), 0)
             for name, case in cases.items()]
    status: Status = next((st.status for st in steps if st.status != "proved"), "proved")
    text = "'SAME' crops d(k-1) - lo at the start: TF's SAME begin crop for output i·s"
    detail = "; ".join(f"{st.name}: {st.detail}" for st in steps)
    proofs.append(ConventionProof("jax", text, Step(text, status, detail, difference)))
    for mode, size in (("SAME", i * s), ("VALID", i * s + sp.Max(ek - s, 0))):
        lo_s, hi_s = _jax_string_pads(k, s, d, mode)
        claim("jax", f"padding={mode!r} gives output size {size}",
              _jax_output(i, k, s, d, lo_s, hi_s), size)
    # Keras (through JAX's pads)
    for mode in ("valid", "same"):
        for op in (None, a):
            lo_k, hi_k = _keras_jax_pads(k, s, d, mode, op)
            claim("keras", f"padding={mode!r}, output_padding={op}: JAX's size with Keras's "
                  "pads is Keras's own output length",
                  _jax_output(i, k, s, d, lo_k, hi_k), _keras_output(i, k, s, d, mode, op))
    # TensorFlow: the gradient of conv2d with padding (p_b, p_e)
    # the forward conv's term y[n] += w[m]·x[s·n + d·m - p_b]; its derivative by x[j]
    x, w, j = sp.IndexedBase("x"), sp.IndexedBase("w"), sp.Symbol("j", integer=True)
    claim("tf", "d(w[m]·x[s·n + d·m - p_b])/dx[j] = w[m]·[j = s·n + d·m - p_b]: the gradient "
          "of conv scatters to PyTorch's position",
          sp.diff(w[m] * x[torch_position], x[j]), w[m] * sp.KroneckerDelta(j, torch_position))
    claim("tf", "output_shape o = geometry size: o + p_b + p_e - ek - (i-1)s = a, so "
          "⌊(o + p_b + p_e - ek)/s⌋ + 1 = i exactly when 0 ≤ a < s",
          out + pb + pe - ek - (i - 1) * s, a)
    # TF's SAME, in the specification's words: the forward conv pads
    # total = max((i-1)s + ek - o, 0) and puts the smaller half, total//2, before
    claim("tf", "SAME: the begin crop is before = total//2 with total = max((i-1)s + ek - o, 0)",
          _tf_same_begin(i, k, s, d, o), sp.floor(sp.Max((i - 1) * s + ek - o, 0) / 2))
    # TF's SAME at the end, from the specification alone (not from _tf_same_begin): the
    # forward conv pads after = total - total//2 at the end of x, and when the full scatter
    # (i-1)s + ek is shorter than o it never reads the last o + total - ((i-1)s + ek)
    # entries of the padded x; so the transposed conv's output (x) is the full scatter
    # cropped by `after` minus that unread tail at the end (negative: zeros appended)
    full = (i - 1) * s + d * (k - 1) + 1
    total_tf = sp.Max(full - o, 0)
    after = total_tf - sp.floor(total_tf / 2)
    want_end = after - (o + total_tf - full)
    claim("tf", "SAME: the net end crop is after - unread, with after = total - total//2 and "
          "unread = o + total - ((i-1)s + ek) (the entries of the padded x no window reads)",
          _tf_same_end(i, k, s, d, o), want_end)
    return ConventionProofs(tuple(proofs))
