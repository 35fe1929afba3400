"""Drafts and raw-SQL helpers shared by the records tests."""

from __future__ import annotations

from sqlalchemy import text

from enrichwatch.records import RecordDraft

#: A small valid plant description (one IR-6 cascade designed from targets).
PLANT = """
[facility]
name = "Demo"
[units]
rate = "kg U/month"
[[cascades]]
name = "A"
machine = "IR-6"
[cascades.design]
feed = { U235 = 5.0, U238 = 95.0 }
product_assay_pct = 20.0
tails_assay_pct = 2.5
total_machines = 166
[[feeds]]
name = "feed"
to = "A"
rate = 100.0
composition = { U235 = 5.0, U238 = 95.0 }
"""

#: The same plant with its product assay raised (a different configuration).
PLANT_60 = PLANT.replace("product_assay_pct = 20.0", "product_assay_pct = 60.0")


def facility(code="FFEP", known_on="2009-09-21", **changes) -> RecordDraft:
    payload = {"name": f"{code} plant", "country": "Iran"}
    return RecordDraft("facility", code, "2009-09-21", known_on, "IAEA GOV/2009/74", payload,
                       **changes)


def declaration(code="FFEP", valid_from="2022-11-22", known_on="2022-11-18", declared_on=None,
                max_pct=60.0, plant=PLANT, **changes) -> RecordDraft:
    payload = {"declared_on": declared_on or known_on, "plant": plant,
               "declared_max_assay_pct": max_pct, "summary": "DIQ"}
    return RecordDraft("declaration", code, valid_from, known_on, "DIQ", payload, **changes)


def inspection(code="FFEP", on="2023-01-21", known_on=None, kind="unannounced",
               observed_plant=None, measurements=(), **changes) -> RecordDraft:
    payload = {"kind": kind, "observed_plant": observed_plant,
               "measurements": list(measurements), "summary": "visit"}
    return RecordDraft("inspection", code, on, known_on or on, "IAEA GOV/INF/2023/1", payload,
                       **changes)


def sample(inspection_id, code="FFEP", taken_on="2023-01-22", known_on="2023-01-30",
           max_pct=83.7, results=None, **changes) -> RecordDraft:
    payload = {"inspection": inspection_id, "sample_id": "ES-1", "kind": "environmental",
               "max_u235_pct": max_pct,
               "results": results if results is not None else [
                   {"u235_pct": 83.7, "fraction_of_particles": 0.01},
                   {"u235_pct": 60.0, "fraction_of_particles": 0.5}],
               "summary": "HEU particles"}
    return RecordDraft("sample", code, taken_on, known_on, "IAEA GOV/INF/2023/1", payload,
                       **changes)


def report(code="FFEP", on="2023-02-01", known_on=None, document="GOV/INF/2023/1",
           **changes) -> RecordDraft:
    return RecordDraft("report", code, on, known_on or on, f"IAEA {document}",
                       {"document": document, "title": "Fordow", "summary": ""}, **changes)


def party(signer, requires_signature=True, on="2024-01-01", **changes) -> RecordDraft:
    return RecordDraft("party", "*", on, on, "key ceremony",
                       signer.party_payload(requires_signature), **changes)


def raw(store, sql: str, **params):
    """Run SQL outside the store, committed (as an attacker with database access would)."""
    with store.engine.connect() as conn:
        with conn.begin():
            result = conn.execute(text(sql), params)
            return result.all() if result.returns_rows else None


def drop_triggers(store) -> None:
    """Remove the append-only triggers (an attacker with DDL rights)."""
    if store.dialect == "postgresql":
        for trigger, table in (("records_no_update_delete", "records"),
                               ("records_no_truncate", "records"),
                               ("ledger_head_guard", "ledger_head"),
                               ("ledger_head_no_truncate", "ledger_head")):
            raw(store, f"DROP TRIGGER {trigger} ON {table}")
    else:
        for trigger in ("records_no_update", "records_no_delete", "ledger_head_no_delete",
                        "ledger_head_only_grows"):
            raw(store, f"DROP TRIGGER {trigger}")


def policy(authority: str, signers: dict, on="2024-01-01", **changes) -> RecordDraft:
    return RecordDraft("policy", "*", on, on, "store policy",
                       {"authority": authority, "signers": signers}, **changes)


def forge_append(store, draft: RecordDraft, signer=None, submitted_by=None) -> int:
    """Append a record behind the store's back (raw SQL, correctly chained and, with a signer,
    signed, the ledger head moved): what an attacker with database write access can do without
    dropping any trigger. Returns the new id."""
    from datetime import UTC, datetime

    from enrichwatch.dates import format_timestamp
    from enrichwatch.records import record_hash
    from enrichwatch.records.chain import canonical_json

    head_id, head_hash = store.head()
    fields = {"id": head_id + 1, "kind": draft.kind, "facility": draft.facility,
              "valid_from": str(draft.valid_from), "known_on": str(draft.known_on),
              "recorded_at": format_timestamp(datetime.now(UTC)),
              "supersedes": draft.supersedes, "source": draft.source,
              "payload": dict(draft.payload),
              "submitted_by": submitted_by or draft.submitted_by or (
                  signer.party if signer is not None else None),
              "prev_hash": head_hash}
    digest = record_hash(fields)
    row = dict(fields, payload=canonical_json(fields["payload"]), hash=digest,
               signature=signer.sign(digest) if signer is not None else None)
    raw(store, "INSERT INTO records (id, kind, facility, valid_from, known_on, recorded_at, "
               "supersedes, source, payload, submitted_by, signature, prev_hash, hash) VALUES "
               "(:id, :kind, :facility, :valid_from, :known_on, :recorded_at, :supersedes, "
               ":source, :payload, :submitted_by, :signature, :prev_hash, :hash)", **row)
    raw(store, "UPDATE ledger_head SET last_id = :i, last_hash = :h", i=row["id"], h=digest)
    return row["id"]
