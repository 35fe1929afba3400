"""``enrichwatch machines``: the machine catalog with sources and ranges."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .app import JSON_OPTION, app, emit
from .options import CATALOG_OPTION, read_catalog

if TYPE_CHECKING:
    from rich.console import JustifyMethod

__all__ = ["machines"]


@app.command()
def machines(
    catalog: Path = CATALOG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List the centrifuge catalog: separative power with its range, design point, sources."""
    from ..physics.machines import load_catalog

    cat = read_catalog(catalog) or load_catalog()
    rows = [_machine_row(m) for m in cat]
    emit(as_json, {"catalog": str(cat.path) if cat.path else None, "machines": rows},
         lambda out: _table(out, rows), schema="machines")


def _machine_row(m) -> dict:
    low, high = m.swu_range_per_yr
    return {
        "name": m.name,
        "kind": m.kind,
        "swu_per_yr": m.nominal_swu_per_yr,
        "swu_range_per_yr": [low, high],
        "design_feed_kg_u_per_yr": float(m.design_feed_kg_per_yr),
        "design_cut": float(m.design_cut),
        "stage_factor_at_design": float(m.design_gamma),
        "source": m.source,
        "notes": m.notes,
    }


def _table(out, rows) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Machine catalog (kg-SWU/yr per machine; public estimates)",
                  show_lines=True)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("name", "left"), ("kind", "left"), ("nominal", "right"), ("range", "right"),
        ("design feed (kg U/yr)", "right"), ("γ at design", "right"))
    for col, just in columns:
        table.add_column(col, justify=just)
    for r in rows:
        low, high = r["swu_range_per_yr"]
        table.add_row(escape(r["name"]), escape(r["kind"]), f"{r['swu_per_yr']:g}",
                      f"{low:g}–{high:g}",
                      f"{r['design_feed_kg_u_per_yr']:.1f}",
                      f"{r['stage_factor_at_design']:.3f}")
    out.print(table)
    out.print("[bold]Sources[/] (see --json for the notes on each entry)")
    out.print(_sources(rows))


def _sources(rows):
    """Name and source side by side, the source wrapping under itself (a hanging indent)."""
    from rich.markup import escape
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for r in rows:
        grid.add_row(f"  {escape(r['name'])}:", escape(r["source"]))
    return grid
