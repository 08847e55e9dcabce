"""A concrete derivation: :class:`Derivation` (its sections live in
:mod:`symtconv.latex.sections`) and :func:`derive`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from ..errors import ParameterError, SymtconvError
from ..evaluate import as_exact, with_channels
from ..geometry import Geometry
from ..proofs import AUTO_SYMPY_TERMS, prove
from ..results import Proof
from ..tensors import input_symbols, spatial_shape, weight_symbols
from .options import FIGURE_FORMAT, _check_stem, _names, _tex_path
from .printer import DerivationPrinter, ElidedMatrix, escape_text
from .sections import (
    write_flip_and_pad,
    write_matrix,
    write_numbers,
    write_output_size,
    write_overlap,
    write_proof,
    write_setup,
    write_tensors,
    write_transpose,
)
from .sections.common import _pytorch_call
from .tiers import TIERS, _axis_tier, _Shown, _symbol, _sympy_tier
from .writer import _Writer

# --------------------------------------------------------------------------- #
# Concrete derivations
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Derivation:
    r"""Everything a derivation document shows for one concrete geometry.

    Explanation
    ===========

    Built by :func:`derive`.  :meth:`document` writes the standalone LaTeX document:
    setup and notation, ``y`` and ``w``, the matrices ``C`` and ``Cᵀ`` (with their
    per-axis and channel block structure), ``Cᵀ·vec(y)`` entry by entry, the
    flip-and-pad steps with every intermediate, the output size, the overlap pattern
    (how many ``y·w`` terms reach each output, from :func:`symtconv.overlap.overlap`),
    the proof (and what was not proved), and — with values — the numbers substituted.
    With ``figures``, the document includes the figures of :mod:`symtconv.figures`
    (C, the flip-and-pad steps, the overlap map) in those sections; :meth:`write`
    writes them next to the ``.tex``.  ``_latex`` (and Jupyter's ``_repr_latex_``) is
    the headline ``x = Cᵀ vec(y)`` with ``C`` shown.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.latex import derive
    >>> d = derive(Geometry(2, 2, stride=2))
    >>> print(d._repr_latex_())  # doctest: +NORMALIZE_WHITESPACE
    $\displaystyle x = C^{\top} \operatorname{vec}(y),\quad
    C = \begin{bmatrix}w_{0} & w_{1} & 0 & 0\\0 & 0 & w_{0} & w_{1}\end{bmatrix}$
    """

    geometry: Geometry
    tier: str
    symbols: _Shown
    numbers: _Shown | None
    proof: Proof | None
    not_proved: str
    expected: Any
    names: Mapping[str, str]
    title: str
    expected_label: str = "the expected output"
    #: The exact values ``(y, w)`` with their channel axes (for the steps figure), if any.
    values: tuple[np.ndarray, np.ndarray] | None = None
    #: Whether :meth:`document` and :meth:`write` include the figures by default.
    figures: bool = False

    # -- Jupyter and sympy.latex ------------------------------------------- #

    def _latex(self, printer: Any) -> str:
        c = self.symbols.matrix
        matrix = ElidedMatrix.of((c.shape[0], c.shape[1]), c.get, max_rows=12, max_cols=12)
        y, x = (printer._print(sp.Symbol(b)) for b in "yx")
        return rf"{x} = C^{{\top}} \operatorname{{vec}}({y}),\quad C = {printer._print(matrix)}"

    def _repr_latex_(self) -> str:
        return rf"$\displaystyle {DerivationPrinter({'names': self.names}).doprint(self)}$"

    # -- the document ------------------------------------------------------- #

    def document(self, *, figures: bool | None = None, stem: str = "derivation") -> str:
        """The standalone LaTeX document (deterministic: same input, same bytes).

        With ``figures`` (default: as :func:`derive` was told), the document includes
        ``{stem}-matrix.pdf``, ``{stem}-steps.pdf`` and ``{stem}-overlap.pdf`` from its
        own folder: ``stem`` is the ``.tex`` file's name without ``.tex``, and
        :meth:`write` puts the figures there.
        """
        use = self.figures if figures is None else figures
        files = self.figure_files(stem) if use else {}
        out = _Writer(DerivationPrinter({"names": self.names}))
        write_setup(self, out)
        write_tensors(self, out)
        write_matrix(self, out, files.get("matrix"))
        write_transpose(self, out)
        write_flip_and_pad(self, out, files.get("steps"))
        write_output_size(self, out)
        write_overlap(self, out, files.get("overlap"))
        write_proof(self, out)
        if self.numbers is not None:
            write_numbers(self, out)
        return out.document(self.title, "derived and proved with symtconv")

    def figure_files(self, stem: str) -> dict[str, str]:
        """The figure file of each kind drawn for this geometry: ``{stem}-{kind}.pdf``.

        >>> from symtconv import Geometry
        >>> from symtconv.latex import derive
        >>> derive(Geometry((2, 2, 2), 2)).figure_files("cube")
        {'matrix': 'cube-matrix.pdf', 'overlap': 'cube-overlap.pdf'}
        """
        from ..figures import figure_kinds

        _check_stem(stem)
        return {kind: f"{stem}-{kind}.{FIGURE_FORMAT}" for kind in figure_kinds(self.geometry)}

    def write_figures(self, folder: str | Path, stem: str) -> list[Path]:
        """Draw the figures :meth:`document` includes into ``folder`` (needs matplotlib).

        With values, the steps figure shows them.  The files are deterministic (see
        :func:`symtconv.figures.save_figure`).
        """
        from ..figures import write_figures

        self.figure_files(stem)  # checks the stem before anything is drawn
        y, w = self.values if self.values is not None else (None, None)
        return write_figures(self.geometry, folder, stem=stem, formats=(FIGURE_FORMAT,), y=y, w=w)

    def write(self, path: str | Path, *, figures: bool | None = None) -> list[Path]:
        """Write the document to ``path`` (a ``.tex`` file) and, with ``figures``, the
        figures next to it (named after it); return the paths, the ``.tex`` first.

        The figures are drawn first, so without matplotlib
        (:class:`~symtconv.errors.MissingDependencyError`) nothing is written.
        """
        path = _tex_path(path)
        use = self.figures if figures is None else figures
        drawn = self.write_figures(path.parent, path.stem) if use else []
        path.write_text(self.document(figures=use, stem=path.stem), encoding="utf-8")
        return [path, *drawn]


def derive(
    geometry: Geometry,
    input_values: Any = None,
    kernel_values: Any = None,
    *,
    names: Mapping[str, str] | Sequence[str] | None = None,
    title: str | None = None,
    expected: Any = None,
    expected_label: str = "the expected output",
    tier: str = "auto",
    figures: bool = False,
) -> Derivation:
    r"""Derive, prove and (optionally) evaluate one concrete geometry, for a document.

    Explanation
    ===========

    Small geometries (up to :data:`symtconv.proofs.AUTO_SYMPY_TERMS` products) are
    computed by the SymPy tier, larger ones one shown entry at a time from the 1-D
    structure of each axis — nothing that is not shown is built.  The proof is
    :func:`symtconv.prove` with ``engine="auto"``; if it cannot run, the document says
    what was not proved.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.latex import derive
    >>> seed = derive(Geometry((3, 3), 3, stride=2, padding=1),
    ...               [[9, 1, 3], [7, 8, 7], [8, 2, 2]], [[4, 2, 3], [1, 4, 3], [1, 1, 1]])
    >>> bool(seed.proof), seed.tier
    (True, 'sympy')
    >>> "36 & 28 & 4 & 6 & 12" in seed.document()
    True
    >>> derive(Geometry(3, 2), names=["y", "w", "x_1"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: the name for x must be 1 to 12 ASCII letters ...

    Parameters
    ==========

    geometry : Geometry
        Concrete sizes.
    input_values, kernel_values : nested lists, optional
        Exact values (integers, rationals such as ``"1/3"``) for ``y`` and ``w``; the
        channel axes may be left out for one channel.  Both or neither.
    names : mapping or sequence of three names, optional
        Display names for ``y``, ``w``, ``x`` (checked with :func:`check_name`).
    title : str, optional
        The document's title (escaped).  Defaults to the PyTorch layer.
    expected : nested list, optional
        An output to compare the computed one with (e.g. the seed's published output).
    expected_label : str
        What ``expected`` is, for the sentence that compares.
    tier : ``"auto"``, ``"sympy"`` or ``"axes"``
        Which computes the shown entries: the SymPy tier's methods on whole arrays, or
        the per-axis structure cell by cell (both give the same document).
    figures : bool
        Include the figures of :mod:`symtconv.figures` (C, the flip-and-pad steps, the
        overlap map) in the document; :meth:`Derivation.write` draws them next to the
        ``.tex`` (matplotlib: ``pip install 'symtconv[plot]'``).

    See Also
    ========

    derive_general, symtconv.prove
    """
    if not isinstance(geometry, Geometry):
        raise ParameterError(f"derive needs a Geometry, got {type(geometry).__name__}")
    if geometry.is_symbolic:
        raise ParameterError(
            "derive needs concrete sizes, got a symbolic geometry; use derive_general "
            "(CLI: symtconv derive --general) for every size at once"
        )
    if tier not in TIERS:
        raise ParameterError(f"tier must be one of {', '.join(TIERS)}, got tier={tier!r}")
    if (input_values is None) != (kernel_values is None):
        raise ParameterError("input_values and kernel_values must be given together")
    display = _names(names)
    if title is None:
        title = f"Transposed convolution: {_pytorch_call(geometry)}"
    for text in (title, expected_label):
        escape_text(text)  # fails now, naming the character, if LaTeX cannot typeset it
    if tier == "auto":
        tier = "sympy" if int(geometry.count_terms()) <= AUTO_SYMPY_TERMS else "axes"
    in_shape = spatial_shape(geometry, geometry.input_shape)
    w_shape = spatial_shape(geometry, geometry.weight_shape)
    if tier == "sympy":
        symbols = _sympy_tier(geometry, input_symbols(geometry), weight_symbols(geometry))
    else:
        symbols = _axis_tier(geometry, _symbol("y", in_shape, 1), _symbol("w", w_shape, 2))
    exact_expected = None
    if expected is not None:
        if input_values is None:
            raise ParameterError("expected needs input_values and kernel_values to compare with")
        shape = spatial_shape(geometry, geometry.output_shape)
        exact_expected = with_channels(as_exact(expected, "expected values"), shape, "expected")
    numbers = None
    values = None
    if input_values is not None:
        y = with_channels(as_exact(input_values, "input values"), in_shape, "input values")
        w = with_channels(as_exact(kernel_values, "kernel values"), w_shape, "kernel values")
        values = (y, w)
        numbers = (
            _sympy_tier(geometry, y, w)
            if tier == "sympy"
            else _axis_tier(geometry, lambda n: y[n], lambda m: w[m])
        )
    proof: Proof | None = None
    not_proved = ""
    try:
        proof = prove(geometry, engine="auto")
    except SymtconvError as error:
        not_proved = f"symtconv.prove stopped with: {str(error).splitlines()[0]}"
    return Derivation(
        geometry=geometry,
        tier=tier,
        symbols=symbols,
        numbers=numbers,
        proof=proof,
        not_proved=not_proved,
        expected=exact_expected,
        names=display,
        title=title,
        expected_label=expected_label,
        values=values,
        figures=bool(figures),
    )
