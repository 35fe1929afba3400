"""``records show`` as text: a record's fields and payload in a table a person reads, multi-line
texts (plant descriptions) printed whole below it. ``--json`` prints the record itself."""

from __future__ import annotations

from typing import Any

__all__ = ["show_record"]

_FIELDS = (("valid_from", "valid from"), ("known_on", "known on"),
           ("recorded_at", "recorded at"), ("supersedes", "supersedes"), ("source", "source"),
           ("submitted_by", "submitted by"), ("signature", "signature"),
           ("prev_hash", "previous hash"), ("hash", "hash"))


def _value(value: Any) -> str:
    """A payload value in one line: tables as ``key value; ...``, lists item by item."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{k} {_value(v)}" for k, v in value.items()) or "(empty)"
    if isinstance(value, list | tuple):
        if not value:
            return "(none)"
        if all(isinstance(v, dict) for v in value):
            return "\n".join(f"[{i}] {_value(v)}" for i, v in enumerate(value, start=1))
        return ", ".join(_value(v) for v in value)
    return str(value)


def show_record(out, record: dict[str, Any]) -> None:
    """Print ``record`` (:meth:`~enrichwatch.records.Record.as_dict`) on the console ``out``."""
    from rich.table import Table
    from rich.text import Text

    fields = Table(title=Text(f"Record {record['id']}: {record['kind']}, facility "
                              f"{record['facility']}"), show_header=False, show_lines=False)
    fields.add_column("field", style="bold", no_wrap=True)
    fields.add_column("value", overflow="fold")
    for key, label in _FIELDS:
        value = record.get(key)
        if key == "signature" and value is None:
            value = "(unsigned)"
        fields.add_row(label, Text(_value(value)))
    out.print(fields)
    payload = record.get("payload") or {}
    blocks = {k: v for k, v in payload.items() if isinstance(v, str) and "\n" in v}
    table = Table(title="Payload", show_header=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for key, value in payload.items():
        lines = len(value.splitlines()) if key in blocks else 0
        table.add_row(Text(key), Text(f"({lines} lines, below)" if key in blocks
                                      else _value(value)))
    out.print(table if payload else Text("Payload: (empty)"))
    for key, value in blocks.items():
        out.print(Text(f"\npayload.{key}:", style="bold"))
        out.print(Text(value.rstrip("\n")), soft_wrap=True)
