"""A small progress bar on stderr for long proofs.

Explanation
===========

A proof of a large layer runs its methods one after another; each method is one step.
:class:`ProgressBar` draws ``[#####-----] 2/4 flip_and_pad  3.1 s`` on one line of a
terminal, redrawn a few times a second from a background thread (so the clock keeps
moving while NumPy sorts), and only once the work has taken longer than ``delay``
seconds: a quick proof prints nothing.  When the stream is not a terminal (a pipe, a
file, pytest's capture, Jupyter) nothing is ever written.  When it finishes it erases
its line, so the proof's own output is not mixed with it.

Anything with ``start``, ``step`` and ``finish`` (the :class:`Reporter` protocol) can
stand in for it; :class:`NoProgress` does nothing.

Examples
========

>>> import io
>>> from symtconv.progress import ProgressBar
>>> stream = io.StringIO()                  # not a terminal: the bar stays silent
>>> with ProgressBar(stream) as bar:
...     bar.start(2, "proof")
...     bar.step("scatter")
...     bar.step("transpose")
>>> stream.getvalue()
''
>>> ProgressBar.render(1, 4, "proof", "transpose", 3.14159, width=8)
'proof [##------] 1/4 transpose  3.1 s'

See Also
========

symtconv.engine.prove_fast
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Protocol, TextIO, runtime_checkable

from .errors import ParameterTypeError

__all__ = ["NoProgress", "ProgressBar", "Reporter", "reporter"]


@runtime_checkable
class Reporter(Protocol):
    """What a long computation tells about its progress."""

    def start(self, total: int, title: str) -> None:
        """Begin: ``total`` steps are coming."""

    def step(self, label: str) -> None:
        """The next step, called ``label``, begins (the previous one is done)."""

    def finish(self) -> None:
        """All done (also called on errors)."""


class NoProgress:
    """A reporter that does nothing.

    >>> NoProgress().step("scatter")
    """

    def start(self, total: int, title: str) -> None:
        """Do nothing."""

    def step(self, label: str) -> None:
        """Do nothing."""

    def finish(self) -> None:
        """Do nothing."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()


class ProgressBar:
    """A one-line progress bar on a terminal, shown only for work longer than ``delay``.

    Parameters
    ==========

    stream : the text stream to draw on (default ``sys.stderr``); nothing is drawn
        unless ``stream.isatty()`` is true.
    delay : seconds of work before the bar first appears.
    interval : seconds between redraws.
    width : number of cells of the bar.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        delay: float = 2.0,
        interval: float = 0.2,
        width: int = 30,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.delay = delay
        self.interval = interval
        self.width = width
        self.enabled = _is_terminal(self.stream)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._title = ""
        self._label = ""
        self._total = 0
        self._done = -1
        self._started = 0.0
        self._drawn = 0

    # -- the Reporter protocol ---------------------------------------------- #

    def start(self, total: int, title: str) -> None:
        """Begin a computation of ``total`` steps."""
        with self._lock:
            self._total, self._title, self._done, self._label = total, title, -1, ""
            self._started = time.perf_counter()
        if self.enabled and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="symtconv-progress")
            self._thread.daemon = True
            self._thread.start()

    def step(self, label: str) -> None:
        """Start the next step."""
        with self._lock:
            self._done += 1
            self._label = label
        self._draw(force=False)

    def finish(self) -> None:
        """Stop redrawing and erase the bar."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            if self._drawn:
                self.stream.write("\r" + " " * self._drawn + "\r")
                self.stream.flush()
                self._drawn = 0

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.finish()

    # -- drawing ------------------------------------------------------------- #

    @staticmethod
    def render(done: int, total: int, title: str, label: str, seconds: float, width: int) -> str:
        """The text of the bar: ``done`` of ``total`` steps finished, ``label`` running."""
        filled = round(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        return f"{title} [{bar}] {done}/{total} {label}  {seconds:.1f} s"

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._draw(force=False)

    def _draw(self, *, force: bool) -> None:
        if not self.enabled:
            return
        with self._lock:
            seconds = time.perf_counter() - self._started
            if self._stop.is_set() or (seconds < self.delay and not force):
                return
            text = self.render(
                max(self._done, 0), self._total, self._title, self._label, seconds, self.width
            )
            padding = " " * max(self._drawn - len(text), 0)
            self.stream.write("\r" + text + padding)
            self.stream.flush()
            self._drawn = len(text)


def reporter(progress: Reporter | bool | None) -> Reporter:
    """The reporter for a ``progress=`` argument.

    ``None`` (the default of the public functions) means a :class:`ProgressBar` on
    stderr, which shows itself only on a terminal and only after two seconds; ``False``
    means none; ``True`` means a bar that appears at once (still only on a terminal); a
    :class:`Reporter` is used as it is.

    >>> type(reporter(False)).__name__, type(reporter(None)).__name__
    ('NoProgress', 'ProgressBar')
    """
    if progress is None:
        return ProgressBar()
    if progress is False:
        return NoProgress()
    if progress is True:
        return ProgressBar(delay=0.0)
    if isinstance(progress, Reporter):
        return progress
    raise ParameterTypeError(
        "progress must be None, True, False or an object with start, step and finish "
        f"methods, got progress={progress!r}"
    )


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
