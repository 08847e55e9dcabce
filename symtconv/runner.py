"""Run a user's implementation in a child process, with a time limit and strict judging.

Explanation
===========

:class:`Runner` owns one child process for a whole verification run (not one per call):
the child imports the target itself (``module:function`` or ``path/to/file.py:function``,
started with ``python -m symtconv.runner``) or, for a callable already in memory, is
forked from this process (POSIX ``os.fork``).  Requests and results travel on pipes of
their own; the child's standard output and error go to temporary files, read back as
:attr:`Runner.printed`, so nothing the implementation prints reaches symtconv's output.

Each call is judged strictly by :func:`invoke` (the same code in the child and, with
``isolate=False``, in this process): an exception, ``SystemExit``, ``KeyboardInterrupt``,
a result that is not an array of real numbers, an input modified in place and an output
sharing memory with an input are each a failure with its own text.  The parent adds what
only it can see: a call past the time limit (the child's whole process group is killed)
and a child that dies (a segfault, an abort, ``os._exit``).  The next call after a death
starts a new child.

The child dies with its parent: it watches a pipe that only the parent holds open.

This module imports only the standard library and numpy, so that the child starts fast.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import numbers
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

import numpy as np

from .errors import ParameterError

__all__ = ["Outcome", "Runner", "TargetError", "invoke", "load_target"]

#: How many characters of the implementation's output a report shows, per stream.
PRINTED_LIMIT = 2000


class TargetError(ParameterError):
    """The implementation to check cannot be imported (a usage error, not a failure)."""


@dataclass(frozen=True)
class Outcome:
    """One call: the output as float64, or the failure in words.

    ``kind`` is ``"returned"`` (``result`` is set) or one of ``"raised"`` (an
    ``Exception``), ``"exited"`` (``SystemExit`` or ``KeyboardInterrupt``), ``"timeout"``,
    ``"crashed"`` (the child died), ``"mutated"``, ``"aliased"``, ``"not numbers"``.
    """

    kind: str
    result: np.ndarray | None = None
    failure: str = ""


# --------------------------------------------------------------------------- #
# one call, judged (runs in the child, or in-process with isolate=False)
# --------------------------------------------------------------------------- #


def _tensor(array: np.ndarray) -> Any:
    import torch

    return torch.from_numpy(array)


def _as_numpy(result: Any) -> np.ndarray | str:
    """The result as a numpy array of any dtype, or why it is not an array."""
    try:
        if hasattr(result, "detach") and hasattr(result, "numpy"):  # a torch tensor
            result = result.detach().cpu().resolve_conj().numpy()
        if result is None or np.ndim(result) == 0:
            return f"returned {type(result).__name__}, not an array"
        return np.asarray(result)
    except Exception as error:
        return f"returned {type(result).__name__}, not an array ({error})"


def _real_numbers(array: np.ndarray) -> np.ndarray | str:
    """``array`` as float64 when it holds real numbers, else why not."""
    kind = array.dtype.kind
    if kind in "iuf":
        return array.astype(np.float64)
    if kind == "O":
        for value in array.flat:
            if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
                return f"returned dtype object holding {type(value).__name__}, not numbers"
        return array.astype(np.float64)
    if kind == "c":
        return f"returned dtype {array.dtype}, complex values, not real numbers"
    return f"returned dtype {array.dtype}, not numbers"


def invoke(
    fn: Callable[..., Any],
    convention: str,
    arrays: dict[str, np.ndarray | None],
    kwargs: dict[str, Any],
    *,
    catch_interrupt: bool = True,
) -> Outcome:
    """Call ``fn`` on ``arrays`` (``input``, ``weight``, ``bias``) in ``convention``'s way.

    ``"numpy"`` and ``"onnx"``: ``fn(input, weight, bias, **kwargs)`` on numpy arrays;
    ``"torch"``: the same on CPU torch tensors sharing the arrays' memory; ``"jax"``:
    ``fn(lhs, rhs, **kwargs)`` (``jax.lax.conv_transpose`` has no bias).  The arrays are
    the call's own (copies made by the caller); they are compared with copies taken before
    the call.
    """
    given = {name: a for name, a in arrays.items() if a is not None}
    before = {name: a.copy() for name, a in given.items()}
    values = [arrays["input"], arrays["weight"], arrays.get("bias")]
    if convention == "torch":
        args: list[Any] = [None if a is None else _tensor(a) for a in values]
    elif convention == "jax":
        args = values[:2]
    else:
        args = values
    interrupts: tuple[type[BaseException], ...] = (
        (SystemExit, KeyboardInterrupt) if catch_interrupt else (SystemExit,)
    )
    try:
        result = fn(*args, **kwargs)
    except Exception as error:
        return Outcome("raised", failure=f"raised {type(error).__name__}: {error}")
    except interrupts as error:
        code = f"({error.code!r})" if isinstance(error, SystemExit) else ""
        return Outcome("exited", failure=f"raised {type(error).__name__}{code}")
    array = _as_numpy(result)
    if isinstance(array, str):
        return Outcome("not numbers", failure=array)
    changed = [name for name, a in given.items() if not np.array_equal(a, before[name])]
    if changed:
        return Outcome("mutated", failure=f"modified its input in place ({', '.join(changed)})")
    shared = [name for name, a in given.items() if np.shares_memory(array, a)]
    if shared:
        return Outcome("aliased", failure=f"returned its input buffer (the output shares "
                                          f"memory with {', '.join(shared)})")
    numbers_ = _real_numbers(array)
    if isinstance(numbers_, str):
        return Outcome("not numbers", failure=numbers_)
    return Outcome("returned", result=numbers_)


# --------------------------------------------------------------------------- #
# the target: module:function or path/to/file.py:function
# --------------------------------------------------------------------------- #


def split_target(target: str) -> tuple[str, str]:
    """``(module or file, function)``; :class:`TargetError` for a malformed target or a
    file that does not exist (checked before a child process is started)."""
    where, _, name = target.rpartition(":")
    if not where or not name:
        raise TargetError(
            f"TARGET must be module:function or path/to/file.py:function, got {target!r}"
        )
    if where.endswith(".py") and not Path(where).is_file():
        raise TargetError(f"no such file: {where}")
    return where, name


def load_target(target: str) -> Callable[..., Any]:
    """Import ``module:function`` or ``path/to/file.py:function``; :class:`TargetError`
    (one line) when that fails, including a module that exits while importing."""
    where, name = split_target(target)
    try:
        if where.endswith(".py"):
            path = Path(where)
            spec = importlib.util.spec_from_file_location(path.stem, path)
            if spec is None or spec.loader is None:
                raise TargetError(f"cannot import {where}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except TargetError:
        raise
    except (Exception, SystemExit, KeyboardInterrupt) as error:
        detail = str(error).splitlines()[0] if str(error) else ""
        if isinstance(error, SystemExit):
            detail = f"it called sys.exit({error.code!r}) while importing"
        raise TargetError(f"cannot import {where}: {type(error).__name__}"
                          f"{': ' + detail if detail else ''}") from None
    function = getattr(module, name, None)
    if not callable(function):
        raise TargetError(f"{where} has no callable named {name!r}")
    return function


# --------------------------------------------------------------------------- #
# the child's side
# --------------------------------------------------------------------------- #


def _die_with_parent(lifeline: int) -> None:
    """A thread that ends the child when the parent's end of ``lifeline`` closes."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(lifeline, 1):
                pass
        os._exit(70)

    threading.Thread(target=watch, daemon=True).start()


def _serve(fn: Callable[..., Any], convention: str, requests: Connection,
           replies: Connection) -> None:
    """Answer calls until the parent closes the request pipe."""
    replies.send(("ready", ""))
    while True:
        try:
            arrays, kwargs = requests.recv()
        except EOFError:
            return
        outcome = invoke(fn, convention, arrays, kwargs)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        replies.send(outcome)


#: The child's first lines: import this module without running ``symtconv/__init__.py``
#: (which imports SymPy, seconds on a loaded machine); the placeholder package is then
#: dropped, so that the implementation's own ``import symtconv`` gets the real one.
_BOOTSTRAP = """
import sys, types
package = types.ModuleType("symtconv")
package.__path__ = [sys.argv[1]]
sys.modules["symtconv"] = package
from symtconv.runner import _child_main
del sys.modules["symtconv"]
sys.exit(_child_main(sys.argv[2:]))
"""


def _child_main(argv: list[str]) -> int:
    """The child: ``TARGET CONVENTION REQUESTS REPLIES LIFELINE`` (see :data:`_BOOTSTRAP`)."""
    target, convention, requests, replies, lifeline = argv
    _die_with_parent(int(lifeline))
    reply = Connection(int(replies), readable=False)
    try:
        fn = load_target(target)
        if convention == "torch":
            import torch  # noqa: F401  (imported before the first call is timed)
    except (Exception, SystemExit, KeyboardInterrupt) as error:
        reply.send(("import-error", str(error) or type(error).__name__))
        return 2
    _serve(fn, convention, Connection(int(requests), writable=False), reply)
    return 0


# --------------------------------------------------------------------------- #
# the parent's side
# --------------------------------------------------------------------------- #


def _single_threaded_torch() -> None:
    """In a forked child: torch's intra-op thread pool does not survive a fork (the first
    parallel call would wait forever for the parent's threads); one thread avoids it."""
    torch = sys.modules.get("torch")
    if torch is not None:
        with contextlib.suppress(Exception):
            torch.set_num_threads(1)


def _signal_name(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
    description = signal.strsignal(number)
    return f"{name} ({description})" if description else name


class Runner:
    """Calls an implementation in a child process (or in this one), one call at a time.

    ``target`` is a callable (forked, POSIX only) or a ``module:function`` string (a new
    interpreter imports it).  ``timeout`` bounds each call in seconds; ``isolate=False``
    calls a callable in this process (no time limit, no protection against exits and
    crashes).  Use as a context manager: leaving it kills the child.
    """

    def __init__(self, target: Callable[..., Any] | str, convention: str, *,
                 timeout: float = 10.0, isolate: bool = True) -> None:
        self.target = target
        self.convention = convention
        self.timeout = timeout
        self.isolate = isolate or isinstance(target, str)
        #: Calls that timed out, and children that died, so far.
        self.timeouts = 0
        self.deaths = 0
        self._pid: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: Connection | None = None
        self._replies: Connection | None = None
        self._lifeline: int | None = None
        self._out: IO[bytes] | None = None
        self._err: IO[bytes] | None = None
        self._captured = (io.StringIO(), io.StringIO())  # in-process output
        if isinstance(target, str):
            split_target(target)
        if self.isolate and not isinstance(target, str) and not hasattr(os, "fork"):
            raise ParameterError("isolating a callable needs os.fork (POSIX); pass "
                                 "isolate=False, or a 'module:function' string")

    def __enter__(self) -> Runner:
        if self.isolate:
            self._out = tempfile.TemporaryFile()
            self._err = tempfile.TemporaryFile()
            self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        for file in (self._out, self._err):
            if file is not None:
                file.close()
        self._out = self._err = None

    # ------------------------------------------------------------------ #

    def _start(self) -> None:
        assert self._out is not None and self._err is not None
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        life_read, life_write = os.pipe()
        if isinstance(self.target, str):
            fds = (request_read, reply_write, life_read)
            # the child finds this symtconv even from another working directory
            home = str(Path(__file__).resolve().parents[1])
            path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), home) if p)
            env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": path}
            self._process = subprocess.Popen(
                [sys.executable, "-c", _BOOTSTRAP, str(Path(__file__).resolve().parent),
                 self.target, self.convention, *(str(fd) for fd in fds)],
                stdin=subprocess.DEVNULL, stdout=self._out, stderr=self._err, pass_fds=fds,
                start_new_session=True, env=env,
            )
            self._pid = self._process.pid
        else:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            pid = os.fork()
            if pid == 0:  # the child: never returns into the caller's code
                status = 0
                try:
                    os.setsid()
                    for fd in (request_write, reply_read, life_write):
                        os.close(fd)
                    os.dup2(self._out.fileno(), 1)
                    os.dup2(self._err.fileno(), 2)
                    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
                    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    _single_threaded_torch()
                    _die_with_parent(life_read)
                    _serve(self.target, self.convention, Connection(request_read, writable=False),
                           Connection(reply_write, readable=False))
                except BaseException:
                    status = 1
                finally:
                    os._exit(status)
            self._pid = pid
        for fd in (request_read, reply_write, life_read):
            os.close(fd)
        self._requests = Connection(request_write, readable=False)
        self._replies = Connection(reply_read, writable=False)
        self._lifeline = life_write
        # the handshake: a module that fails (or exits) on import is the user's error
        wait = max(60.0, self.timeout)
        if not self._replies.poll(wait):
            self._kill()
            raise TargetError(f"cannot import {self.target}: no answer after {wait:.0f} s")
        try:
            kind, text = self._replies.recv()
        except EOFError:
            how = self._reap()
            self._kill()
            raise TargetError(f"cannot import {split_target(str(self.target))[0]}: the "
                              f"process {how} while "
                              "importing it") from None
        if kind != "ready":
            self._kill()
            raise TargetError(text)

    def _reap(self) -> str:
        """Wait for the dead child; how it ended, in words."""
        assert self._pid is not None
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:  # Popen reaped it already
            assert self._process is not None
            code = self._process.wait()
            return (f"was killed by {_signal_name(-code)}" if code < 0
                    else f"exited with status {code}")
        if self._process is not None:
            self._process.returncode = os.waitstatus_to_exitcode(status)
        if os.WIFSIGNALED(status):
            return f"was killed by {_signal_name(os.WTERMSIG(status))}"
        return f"exited with status {os.WEXITSTATUS(status)}"

    def _kill(self) -> None:
        """Kill the child's whole process group and close the pipes."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            if self._process is not None:
                with contextlib.suppress(Exception):
                    self._process.wait(timeout=5)
        for connection in (self._requests, self._replies):
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.close()
        if self._lifeline is not None:
            with contextlib.suppress(OSError):
                os.close(self._lifeline)
        self._pid = self._process = self._requests = self._replies = self._lifeline = None

    def close(self) -> None:
        """Kill the child (if any); the captured output stays readable."""
        self._kill()

    # ------------------------------------------------------------------ #

    def call(self, arrays: dict[str, np.ndarray | None], kwargs: dict[str, Any]) -> Outcome:
        """One call of the implementation on copies of ``arrays``."""
        own = {name: None if a is None else np.array(a, dtype=np.float64)
               for name, a in arrays.items()}
        if not self.isolate:
            assert callable(self.target)
            out, err = self._captured
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                return invoke(self.target, self.convention, own, kwargs, catch_interrupt=False)
        if self._pid is None:
            self._start()
        assert self._requests is not None and self._replies is not None
        try:
            self._requests.send((own, kwargs))
            if not self._replies.poll(self.timeout):
                self._kill()
                self.timeouts += 1
                return Outcome("timeout", failure=f"timed out after {self.timeout:g} s")
            return self._replies.recv()
        except (EOFError, OSError):
            how = self._reap()
            self._kill()
            self.deaths += 1
            return Outcome("crashed", failure=f"crashed: the process {how}")

    @property
    def printed(self) -> dict[str, str]:
        """What the implementation wrote on ``stdout`` and ``stderr`` (truncated)."""
        if not self.isolate:
            texts = [stream.getvalue() for stream in self._captured]
        else:
            texts = []
            for file in (self._out, self._err):
                if file is None:
                    texts.append("")
                    continue
                file.seek(0)
                texts.append(file.read(4 * PRINTED_LIMIT + 16).decode("utf-8", "replace"))
        return {name: _truncated(text) for name, text in zip(("stdout", "stderr"), texts,
                                                              strict=True)}


def _truncated(text: str) -> str:
    if len(text) <= PRINTED_LIMIT:
        return text
    return text[:PRINTED_LIMIT] + f"… ({len(text) - PRINTED_LIMIT}+ more characters)"
