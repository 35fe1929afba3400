"""The accountancy record kinds (issue 10): inventory change reports, physical inventory listings
and material balance reports are stored, bitemporal and signable like the other kinds; their
payloads are checked at the edge, naming record, key and value."""

from __future__ import annotations

from datetime import date

import pytest

from enrichwatch.records import KINDS, RecordDraft, RecordError, Signer
from enrichwatch.records.payloads import validate_payload
from tests.records.records_support import facility, party

ICR = {"mba": "MBA-1", "period_start": "2024-05-31", "period_end": "2024-06-30",
       "entries": [{"date": "2024-06-03", "kmp": "feed", "change": "receipt", "kg_u": 8450.0,
                    "u235_pct": 0.711, "shipper_kg_u": 8452.0, "batch": "48Y-17"}]}
PIL = {"mba": "MBA-1", "items": [{"kmp": "store", "kg_u": 8449.5, "u235_pct": 0.711}]}
MBR = {"mba": "MBA-1", "period_start": "2024-05-31", "period_end": "2024-06-30",
       "balances": {"U": {"beginning_kg": 30000.0, "inputs_kg": 25000.0,
                          "outputs_kg": 28000.0, "ending_kg": 26990.0, "muf_kg": 10.0,
                          "sigma_muf_kg": 25.0, "covariance_previous_kg2": -120.0}}}


def _draft(kind, payload, on="2024-06-30", known_on=None, **kw):
    return RecordDraft(kind, "FFEP", on, known_on or on, "operator report", payload, **kw)


def test_the_kinds_are_known():
    assert {"inventory_change_report", "physical_inventory_listing",
            "material_balance_report"} <= set(KINDS)


def test_payloads_are_normalised():
    icr = validate_payload("inventory_change_report", ICR, "d")
    assert icr["entries"][0] == {**ICR["entries"][0], "items": 1, "sigma_kg_u": None}
    mbr = validate_payload("material_balance_report", MBR, "d")
    assert mbr["material"] == "LEU" and mbr["sequence"] is True and mbr["production"] is None
    assert validate_payload("physical_inventory_listing", PIL, "d")["items"][0]["items"] == 1


@pytest.mark.parametrize("kind, change, key, value", [
    ("material_balance_report", lambda p: p["balances"]["U"].update(muf_kg=11.0),
     "payload.balances.U.muf_kg", 11.0),
    ("material_balance_report", lambda p: p["balances"]["U"].update(ending_kg=-1.0),
     "payload.balances.U.ending_kg", -1.0),
    ("material_balance_report", lambda p: p["balances"]["U"].update(sigma_muf_kg=0.0),
     "payload.balances.U.sigma_muf_kg", 0.0),
    ("material_balance_report", lambda p: p.update(period_end="2024-05-01"),
     "payload.period_end", "2024-05-01"),
    ("material_balance_report", lambda p: p.update(balances={"Pu": p["balances"]["U"]}),
     "payload.balances.Pu", "Pu"),
    ("inventory_change_report", lambda p: p["entries"][0].update(u235_pct=101.0),
     "payload.entries[0].u235_pct", 101.0),
    ("inventory_change_report", lambda p: p["entries"][0].update(date="2024-07-01"),
     "payload.entries[0].date", "2024-07-01"),
    ("inventory_change_report", lambda p: p["entries"][0].update(change="theft"),
     "payload.entries[0].change", "theft"),
    ("physical_inventory_listing", lambda p: p["items"][0].update(kg_u=-2.0),
     "payload.items[0].kg_u", -2.0),
])
def test_bad_payloads_name_record_key_and_value(kind, change, key, value):
    payload = {"inventory_change_report": ICR, "physical_inventory_listing": PIL,
               "material_balance_report": MBR}[kind]
    import copy

    payload = copy.deepcopy(payload)
    change(payload)
    with pytest.raises(RecordError) as caught:
        validate_payload(kind, payload, "draft 3 (x)")
    found = {p.key: p.value for p in caught.value.problems}
    assert found.get(key) == value, found
    assert str(caught.value).startswith("draft 3 (x)")


def test_stored_bitemporal_and_signed(store):
    iaea = Signer.generate("Operator")
    store.append_many([facility(), party(iaea, requires_signature=False)])
    pil = store.append(_draft("physical_inventory_listing", PIL, submitted_by="Operator"), iaea)
    mbr = store.append(_draft("material_balance_report", MBR, known_on="2024-07-20"))
    assert pil.signature and pil.submitted_by == "Operator"
    assert store.verify().ok
    assert [r.id for r in store.known_as_of("FFEP", date(2024, 7, 1))
            if r.kind.endswith("report") or r.kind.endswith("listing")] == [pil.id]
    assert mbr.id in [r.id for r in store.known_as_of("FFEP", date(2024, 7, 20))]
    fixed = dict(MBR, summary="corrected")
    correction = store.append(_draft("material_balance_report", fixed, known_on="2024-08-01",
                                     supersedes=mbr.id))
    assert [r.id for r in store.known_as_of("FFEP", date(2024, 8, 2))
            if r.kind == "material_balance_report"] == [correction.id]


def test_a_balance_cannot_be_known_before_it_closes(store):
    store.append(facility())
    with pytest.raises(RecordError, match="cannot be known before it is closed"):
        store.append(_draft("material_balance_report", MBR, known_on="2024-06-29"))
    assert store.count() == 1
