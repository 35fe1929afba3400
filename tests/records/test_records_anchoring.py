"""Checkpoints kept elsewhere catch what the chain alone cannot: a ledger rewritten and
re-chained (or re-signed with a substituted key), truncated with its head rewritten, or
extended with backdated records. Also: inclusion proofs of single records, checkpoint files."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from enrichwatch.records import (
    Checkpoint,
    RecordError,
    RecordStore,
    Signer,
    StoreError,
    record_hash,
    verify_inclusion_proof,
)
from enrichwatch.records.chain import HASHED_FIELDS
from tests.records.records_support import (
    declaration,
    drop_triggers,
    facility,
    forge_append,
    inspection,
    party,
    raw,
    report,
    sample,
)


@pytest.fixture
def iaea():
    return Signer.generate("IAEA")


@pytest.fixture
def ledger(store, iaea):
    store.append(party(iaea), iaea)                            # 1
    store.append(facility(), iaea)                             # 2
    store.append(declaration())                                # 3
    store.append(inspection(), iaea)                           # 4
    store.append(sample(4))                                    # 5
    store.append(report(), iaea)                               # 6
    store.append(declaration(known_on="2023-01-25", supersedes=3))  # 7
    assert store.verify().ok
    return store


def rechain(store, start: int, resign: dict | None = None) -> None:
    """Recompute prev_hash/hash (and, for the ids in ``resign``, the signature by the given
    signer) from record ``start`` to the end, and move the ledger head: a consistent rewrite."""
    names = ", ".join(HASHED_FIELDS)
    last = raw(store, "SELECT last_id FROM ledger_head")[0][0]
    prev = raw(store, f"SELECT hash FROM records WHERE id = {start - 1}")[0][0] if start > 1 \
        else "0" * 64
    for rid in range(start, last + 1):
        fields = raw(store, f"SELECT {names} FROM records WHERE id = {rid}")[0]._asdict()
        fields.update(payload=json.loads(fields["payload"]), prev_hash=prev)
        prev = record_hash(fields)
        raw(store, "UPDATE records SET prev_hash = :p, hash = :h WHERE id = :i",
            p=fields["prev_hash"], h=prev, i=rid)
        if resign and rid in resign:
            raw(store, "UPDATE records SET signature = :s WHERE id = :i",
                s=resign[rid].sign(prev), i=rid)
    raw(store, "UPDATE ledger_head SET last_id = :i, last_hash = :h", i=last, h=prev)


def test_checkpoint_of_an_intact_ledger_and_its_extension(ledger, iaea):
    cp = ledger.checkpoint(iaea)
    assert cp.tree_size == 7 and cp.party == "IAEA" and len(cp.subtrees) == 3
    assert ledger.verify_against(cp).ok
    ledger.append(report(document="GOV/2023/8", on="2023-02-28"))
    found = ledger.verify_against(cp)
    assert found.ok and found.store_size == 8 and found.proof
    assert "1 appended since" in str(found)


def test_rewrite_re_chained_passes_verify_but_not_the_checkpoint(ledger, iaea):
    cp = ledger.checkpoint(iaea)
    drop_triggers(ledger)
    raw(ledger, "UPDATE records SET source = 'rewritten' WHERE id = 5")   # unsigned record
    rechain(ledger, 5, resign={6: iaea})            # the attacker also holds IAEA's key here
    assert ledger.verify().ok                        # the chain alone cannot tell
    found = ledger.verify_against(cp)
    assert not found.ok
    assert found.problems[0].record_id == 5
    assert "records 5 to 6 differ" in found.problems[0].what
    assert [p.record_id for p in found.problems][:2] == [5, 7]


def test_rewrite_re_signed_with_a_substituted_key_is_caught_by_the_checkpoint(ledger, iaea):
    cp = ledger.checkpoint(iaea)
    drop_triggers(ledger)
    mallory = Signer("IAEA", Signer.generate("IAEA").private_key)
    raw(ledger, "UPDATE records SET payload = :p WHERE id = 1",
        p=json.dumps(mallory.party_payload(), sort_keys=True, separators=(",", ":")))
    raw(ledger, "UPDATE records SET payload = replace(payload, '83.7', '60.0') WHERE id = 5")
    rechain(ledger, 1, resign={1: mallory, 2: mallory, 4: mallory, 6: mallory})
    assert ledger.verify().ok                        # a whole new, self-consistent ledger
    found = ledger.verify_against(cp)
    assert not found.ok and found.problems[0].record_id == 1
    assert any("registers" in p.what for p in found.problems)   # the key IAEA signed with


def test_truncation_with_the_head_rewritten_is_caught(ledger, iaea):
    cp = ledger.checkpoint(iaea)
    drop_triggers(ledger)
    raw(ledger, "DELETE FROM records WHERE id >= 6")
    last = raw(ledger, "SELECT hash FROM records WHERE id = 5")[0][0]
    raw(ledger, "UPDATE ledger_head SET last_id = 5, last_hash = :h", h=last)
    assert ledger.verify().ok                        # the head agrees: nothing to see
    found = ledger.verify_against(cp)
    assert not found.ok
    assert found.problems[0].record_id == 6
    assert "records 6 to 7 removed (truncated)" in found.problems[0].what


def test_truncated_and_regrown_ledger_is_caught(ledger, iaea):
    cp = ledger.checkpoint(iaea)
    drop_triggers(ledger)
    raw(ledger, "DELETE FROM records WHERE id = 7")
    last = raw(ledger, "SELECT hash FROM records WHERE id = 6")[0][0]
    raw(ledger, "UPDATE ledger_head SET last_id = 6, last_hash = :h", h=last)
    ledger._cache = type(ledger._cache)()
    ledger.append(report(document="other", on="2023-03-01"))     # a different record 7
    ledger.append(report(document="more", on="2023-03-02"))      # 8
    assert ledger.verify().ok
    found = ledger.verify_against(cp)
    assert [p.record_id for p in found.problems][:1] == [7]


def test_record_appended_after_the_checkpoint_but_dated_before_it_is_named(ledger, iaea):
    cp = ledger.checkpoint(iaea)
    rid = forge_append(ledger, report(document="late", on="2023-03-01"))
    earlier = (datetime.now(UTC) - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    drop_triggers(ledger)
    raw(ledger, "UPDATE records SET recorded_at = :t WHERE id = :i", t=earlier, i=rid)
    rechain(ledger, rid)
    found = ledger.verify_against(cp)
    assert [p.record_id for p in found.problems] == [rid]
    assert "backdated" in found.problems[0].what
    assert not ledger.verify().ok                  # and transaction time ran backwards


def test_checkpoint_file_round_trip_and_alteration(ledger, iaea, tmp_path):
    path = ledger.checkpoint(iaea).save(tmp_path / "cp.json")
    cp = Checkpoint.load(path)
    assert ledger.verify_against(cp).ok
    with pytest.raises(FileExistsError):
        cp.save(path)
    data = json.loads(path.read_text())
    data["tree_size"] = 6
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(RecordError) as caught:
        Checkpoint.load(tmp_path / "bad.json")
    assert caught.value.param == "subtrees"
    data = json.loads(path.read_text())
    data["time"] = "2020-01-01T00:00:00.000000Z"
    (tmp_path / "bad2.json").write_text(json.dumps(data))
    with pytest.raises(RecordError) as caught:
        Checkpoint.load(tmp_path / "bad2.json")
    assert caught.value.param == "signature"


def test_checkpoint_by_a_registered_party_with_another_key_is_refused(ledger):
    with pytest.raises(StoreError, match="registered with key"):
        ledger.checkpoint(Signer.generate("IAEA"))
    assert ledger.checkpoint(Signer.generate("Auditor")).party == "Auditor"


def test_no_checkpoint_of_a_broken_ledger(ledger, iaea):
    drop_triggers(ledger)
    raw(ledger, "UPDATE records SET source = 'x' WHERE id = 3")
    with pytest.raises(StoreError, match="fails verification"):
        ledger.checkpoint(iaea)


def test_inclusion_proofs_of_every_record(ledger, iaea):
    cp = ledger.checkpoint(iaea)
    ledger.append(report(document="after", on="2023-03-01"))
    for rid in range(1, 8):
        proof = ledger.prove(rid, tree_size=cp.tree_size)
        assert proof["record_hash"] == ledger.get(rid).hash
        assert verify_inclusion_proof(proof, cp.root_hash)
        assert not verify_inclusion_proof(dict(proof, record_hash="0" * 64), cp.root_hash)
    assert verify_inclusion_proof(ledger.prove(8))
    assert not verify_inclusion_proof(ledger.prove(8), cp.root_hash)
    with pytest.raises(RecordError):
        ledger.prove(9)


def test_transaction_time_never_runs_backwards(store_url):
    now = [datetime(2026, 1, 2, tzinfo=UTC)]
    with RecordStore.open(store_url, clock=lambda: now[0]).init() as store:
        first = store.append(facility())
        now[0] = datetime(2026, 1, 1, tzinfo=UTC)              # the clock is set back a day
        second = store.append(facility("OTHER"))
        assert second.recorded_at == first.recorded_at
        assert store.verify().ok
