"""The progress bar of long commands: on standard error, only when standard error is a terminal
and ``--quiet`` is not given; nothing otherwise (piped, redirected, in a test runner).

The bar is a :class:`enrichwatch.parallel.Progress`: the library tells it each phase's true
total (Monte Carlo samples, planning steps, report dates) and advances it as the work is done.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from .app import console

if TYPE_CHECKING:
    from ..parallel import Progress

__all__ = ["QUIET_OPTION", "progress_bar", "step_bar"]

QUIET_OPTION = typer.Option(False, "--quiet", "-q",
                            help="No progress bar on standard error (results, warnings and "
                                 "errors are printed as usual).")


class _Bar:
    """One rich task per phase; each phase is drawn when it starts and when it closes, so that
    its total and its final count are shown however fast it runs."""

    def __init__(self, bar) -> None:
        self._bar, self._task = bar, None

    def start(self, total: int, what: str) -> None:
        self.close()
        self._task = self._bar.add_task(what, total=total)
        self._bar.refresh()

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)

    def describe(self, what: str) -> None:
        """Rename the current phase (the step now running)."""
        if self._task is not None:
            self._bar.update(self._task, description=what)
            self._bar.refresh()

    def close(self) -> None:
        if self._task is not None:
            self._bar.refresh()
            self._bar.update(self._task, visible=False)
            self._task = None


@contextmanager
def progress_bar(quiet: bool = False) -> Iterator[Progress | None]:
    """A :class:`~enrichwatch.parallel.Progress` drawing a bar on standard error, or None when
    ``quiet`` or standard error is not a terminal. Leave the block before printing results:
    the bar is erased when it ends."""
    if quiet or not _may_be_terminal():
        yield None
        return
    err = console(stderr=True)
    if not err.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True,
                  redirect_stdout=False, redirect_stderr=False) as bar:
        yield _Bar(bar)


def _may_be_terminal() -> bool:
    """False when rich would surely not take standard error for a terminal (so that a piped
    command does not load rich for a bar it will not draw): it is no terminal itself and
    neither ``TTY_COMPATIBLE=1`` nor a non-empty ``FORCE_COLOR`` says otherwise. True leaves
    the decision to rich (:attr:`rich.console.Console.is_terminal`)."""
    if os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:                  # (a closed stream: rich says no terminal too)
        return False


@contextmanager
def step_bar(total: int, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A bar of ``total`` steps (on a terminal, without ``quiet``: see :func:`progress_bar`);
    yields ``step(label)``: the step running so far is done and the one named ``label`` begins.
    The count is of steps done, and reaches ``total`` when the block ends."""
    with progress_bar(quiet) as bar:
        if bar is None:
            yield lambda label: None
            return
        started = [False]

        def step(label: str) -> None:
            if not started[0]:
                bar.start(total, label)
                started[0] = True
            else:
                bar.advance()
                bar.describe(label)                     # type: ignore[attr-defined]

        try:
            yield step
            if started[0]:
                bar.advance()
        finally:
            bar.close()
