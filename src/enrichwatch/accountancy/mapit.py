"""Import of MAPIT's CSV layout: one file per measurement point, two columns ``time,value``.

MAPIT (sandialabs/MAPIT) keeps a data set as three folders, ``input/``, ``inventory/`` and
``output/``, each with one CSV file per location (``in0.csv``, ``invn0.csv``, ``out0.csv``, ...),
each line ``time,value`` with no header (a header line is accepted here). Inputs and outputs are
flows that MAPIT integrates with the trapezoid rule (its ``trapSum``); inventories are levels
read at the balance times. So by default:

* files under ``input/`` and ``output/`` become :class:`~.balance.Flow` points with
  ``integration="trapezoid"``, ``kind="items"`` makes discrete items of them;
* files under ``inventory/`` become :class:`~.balance.Level` points;
* the value is kg U (MAPIT's element columns carry no assay; give ``assays`` for the U-235
  balance).

MAPIT's generated data hold round-off such as ``-3.1e-14`` where a flow is zero: values between
``-negative_tolerance`` and 0 are read as 0, anything more negative is refused (a negative mass).

Examples
--------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "in0.csv").write_text("0,0\\n1,2.5\\n2,2.5\\n")
>>> t, v = read_mapit_csv(folder / "in0.csv")
>>> t.tolist(), v.tolist()
([0.0, 1.0, 2.0], [0.0, 2.5, 2.5])
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..errors import InputError, MassError
from ..files import read_text_file
from .balance import Flow, Items, Level, MaterialBalanceArea, MeasurementPoint

__all__ = ["MAPIT_FOLDERS", "mapit_point", "read_mapit_csv", "read_mapit_directory"]

#: MAPIT's folders and the role of the points in each.
MAPIT_FOLDERS: Mapping[str, str] = {"input": "input", "inventory": "inventory",
                                    "output": "output"}
#: Largest CSV file read [bytes] (a year of hourly records is ~0.5 MB).
MAX_CSV_BYTES: int = 256 * 1024 * 1024
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _parse_line(text: str, label: str, number: int) -> tuple[float, float] | None:
    fields = text.split(",")
    if len(fields) != 2:
        raise InputError(f"{label}:{number}", text, "two numbers 'time,value'")
    if number == 1 and not any(_NUMBER.match(f) for f in fields):
        return None                                     # a header line: no number in it
    try:
        t, v = float(fields[0]), float(fields[1])
    except ValueError:
        raise InputError(f"{label}:{number}", text, "two numbers 'time,value'") from None
    if not (math.isfinite(t) and math.isfinite(v)):
        raise InputError(f"{label}:{number}", text, "finite numbers")
    return t, v


def read_mapit_csv(path: str | os.PathLike, *, negative_tolerance: float = 1e-9,
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Times [h] and values [kg U, or kg U/h for a flow] of one MAPIT CSV file.

    Errors name the file and line (``in0.csv:12``) and echo the line.
    """
    label = os.fspath(path)
    text = read_text_file(path, max_bytes=MAX_CSV_BYTES)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            row = _parse_line(line, label, number)
            if row is not None:
                rows.append((number, *row))
    if not rows:
        raise InputError(label, "", "at least one 'time,value' line")
    data = np.array(rows, float)
    bad = np.flatnonzero(data[:, 2] < -negative_tolerance)
    if bad.size:
        raise MassError(f"{label}:{int(data[bad[0], 0])}", float(data[bad[0], 2]),
                        f"a value >= 0 (values above -{negative_tolerance:g} are read as 0)")
    return data[:, 1].copy(), np.maximum(data[:, 2], 0.0)


def mapit_point(path: str | os.PathLike, name: str, role: str, *, kind: str | None = None,
                assay_wt_pct=None, integration: str = "trapezoid",
                negative_tolerance: float = 1e-9) -> MeasurementPoint:
    """A measurement point from one MAPIT CSV file.

    Parameters
    ----------
    path : path
    name : str
        Point name.
    role : {'input', 'output', 'inventory'}
    kind : {'flow', 'items', 'level'}, optional
        Default: ``'flow'`` for inputs and outputs, ``'level'`` for inventories.
    assay_wt_pct : float or array, optional
        U-235 assay [wt %], one or one per record (needed for the U-235 balance only).
    integration : {'trapezoid', 'step'}
        Of a flow (MAPIT integrates with the trapezoid rule).
    """
    kind = kind or ("level" if role == "inventory" else "flow")
    t, v = read_mapit_csv(path, negative_tolerance=negative_tolerance)
    key = f"{os.fspath(path)}"
    if kind == "flow":
        data: Items | Flow | Level = Flow.from_weight_percent(
            t, v, assay_wt_pct, integration=integration, key=key)
    elif kind == "items":
        data = Items.from_weight_percent(t, v, assay_wt_pct, key=key)
    elif kind == "level":
        data = Level.from_weight_percent(t, v, assay_wt_pct, key=key)
    else:
        raise InputError(f"{key}.kind", kind, "one of 'flow', 'items', 'level'")
    return MeasurementPoint(name, role, data, f"MAPIT CSV {Path(path).name}", key=key)  # type: ignore[arg-type]


def _natural(path: Path) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path.stem))


def read_mapit_directory(directory: str | os.PathLike, *, name: str | None = None,
                         kinds: Mapping[str, str] | None = None,
                         assays: Mapping[str, float] | None = None,
                         integration: str = "trapezoid",
                         negative_tolerance: float = 1e-9) -> MaterialBalanceArea:
    """A material balance area from a MAPIT data folder (``input/``, ``inventory/``,
    ``output/``; a missing folder has no points). Points are named after their files
    (``in0``, ``invn0``, ``out0``); ``kinds`` and ``assays`` [wt %] map point names to a kind
    and an assay (see :func:`mapit_point`)."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError("directory", os.fspath(directory), "a MAPIT data folder")
    kinds, assays = dict(kinds or {}), dict(assays or {})
    points = []
    for folder, role in MAPIT_FOLDERS.items():
        for path in sorted((root / folder).glob("*.csv"), key=_natural):
            points.append(mapit_point(path, path.stem, role, kind=kinds.pop(path.stem, None),
                                      assay_wt_pct=assays.pop(path.stem, None),
                                      integration=integration,
                                      negative_tolerance=negative_tolerance))
    for left in (kinds, assays):
        if left:
            raise InputError(f"kinds.{next(iter(left))}", next(iter(left)),
                             "the name of a CSV file in the folder")
    if not points:
        raise InputError("directory", os.fspath(directory),
                         "a folder with input/, inventory/ or output/ CSV files")
    return MaterialBalanceArea(name or root.name, tuple(points))
