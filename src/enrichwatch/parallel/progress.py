"""The progress interface: what long library work reports, and to whom.

A piece of work calls ``start(total, what)`` once, ``advance(n)`` as units of it are done,
and ``close()`` at the end (also when it fails). ``total`` is a true count in the unit named
by ``what`` (samples, dates, planning steps), and the advances of a phase add up to it. A
new ``start`` begins a new phase (a Monte Carlo first computes its set-up, then its samples).

Work that is a part of a larger piece reports through :func:`within`, so that the larger
piece's phase is not restarted by it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from ..errors import InputTypeError

__all__ = ["NO_PROGRESS", "Progress", "ProgressLike", "RecordedProgress", "as_progress",
           "within"]


@runtime_checkable
class Progress(Protocol):
    """What long work reports to (see the module docstring)."""

    def start(self, total: int, what: str) -> None:
        """A phase of ``total`` units named ``what`` begins."""

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the current phase are done."""

    def close(self) -> None:
        """The current phase is over (done, or abandoned by an error)."""


ProgressLike = Progress | Callable[[int, int], Any] | None
"""What a ``progress`` parameter accepts: a :class:`Progress`, the earlier callable
``progress(done, total)``, or None (see :func:`as_progress`)."""


class _Silent:
    """A :class:`Progress` that reports nowhere."""

    def start(self, total: int, what: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return "NO_PROGRESS"


NO_PROGRESS: Progress = _Silent()


class _Within:
    """The part of a larger phase: advances go to it; starts and closes are the whole's."""

    def __init__(self, whole: Progress) -> None:
        self._whole = whole

    def start(self, total: int, what: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        self._whole.advance(n)

    def close(self) -> None:
        pass


def within(whole: Progress | None) -> Progress:
    """A :class:`Progress` for work whose units count towards the phase ``whole`` has
    already started (its own ``start`` and ``close`` are ignored)."""
    return NO_PROGRESS if whole is None else _Within(as_progress(whole))


class _Callback:
    """The earlier interface, ``progress(done, total)``: called after every advance with the
    count of advances made and expected (``steps``, else the phase's total)."""

    def __init__(self, fn: Callable[[int, int], object], steps: int | None) -> None:
        self._fn, self._steps = fn, steps
        self._done = self._total = 0

    def start(self, total: int, what: str) -> None:
        self._done, self._total = 0, total if self._steps is None else self._steps

    def advance(self, n: int = 1) -> None:
        self._done += n if self._steps is None else 1
        self._fn(self._done, self._total)

    def close(self) -> None:
        pass


def as_progress(progress: ProgressLike, *, steps: int | None = None) -> Progress:
    """``progress`` as a :class:`Progress`.

    Parameters
    ----------
    progress : Progress, callable or None
        None reports nowhere. A plain callable is the earlier interface
        ``progress(done, total)``, still accepted: it is called after each advance, with
        counts of advances when ``steps`` (their expected number, e.g. chunks) is given, else
        with counts of units.
    steps : int, optional

    Raises
    ------
    InputTypeError
        Anything else.
    """
    if progress is None:
        return NO_PROGRESS
    if isinstance(progress, Progress):
        return progress
    if callable(progress):
        return _Callback(progress, steps)
    raise InputTypeError("progress", progress, "a Progress (start, advance, close), a "
                                               "callable progress(done, total) or None")


class RecordedProgress:
    """A :class:`Progress` that keeps what it was told, for tests and for callers that want
    the counts afterwards.

    ``events``: ``("start", total, what)``, ``("advance", n)`` and ``("close",)`` in order;
    ``phases``: ``(what, total, advanced)`` of every phase started.
    """

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def start(self, total: int, what: str) -> None:
        self.events.append(("start", total, what))

    def advance(self, n: int = 1) -> None:
        self.events.append(("advance", n))

    def close(self) -> None:
        self.events.append(("close",))

    @property
    def phases(self) -> tuple[tuple[str, int, int], ...]:
        out: list[list] = []
        for event in self.events:
            if event[0] == "start":
                out.append([event[2], event[1], 0])
            elif event[0] == "advance" and out:
                out[-1][2] += event[1]
        return tuple((w, t, d) for w, t, d in out)
