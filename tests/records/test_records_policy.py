"""The key policy, attacked: key substitution by both routes, unsigned records under a store
policy, policy changes, weak public keys. Each attack is tried through the store (refused at
the append) and behind its back with raw SQL, re-chained (flagged by verify())."""

from __future__ import annotations

import pytest

from enrichwatch.records import RecordDraft, RecordError, Signer
from enrichwatch.records.signing import SMALL_ORDER_KEYS, _decode_point, _double
from tests.records.records_support import facility, forge_append, party, policy, report


@pytest.fixture
def iaea():
    return Signer.generate("IAEA")


@pytest.fixture
def iran():
    return Signer.generate("Iran")


@pytest.fixture
def governed(store, iaea, iran):
    """IAEA registered and the store's authority; Iran admitted by IAEA; every record must be
    signed by IAEA, declarations by Iran or IAEA."""
    store.append(party(iaea), iaea)                                            # 1
    store.append(policy("IAEA", {"*": ["IAEA"], "declaration": ["Iran", "IAEA"]}), iaea)  # 2
    store.append(party(iran), iaea)                                            # 3
    store.append(facility(), iaea)                                             # 4
    assert store.verify().ok
    return store


def refused(store, draft, signer=None) -> RecordError:
    before = store.count()
    with pytest.raises(RecordError) as caught:
        store.append(draft, signer)
    assert store.count() == before
    return caught.value


# -- key substitution, route 1: an unsigned re-registration ---------------------------------------
def test_unsigned_key_substitution_is_refused(store, iaea):
    store.append(party(iaea), iaea)
    mallory_key = Signer.generate("IAEA")
    err = refused(store, party(mallory_key, supersedes=1))
    assert err.param == "signature" and "current key" in err.allowed
    err = refused(store, party(mallory_key, supersedes=1, submitted_by="IAEA"))
    assert err.param == "signature"
    with pytest.raises(RecordError):
        store.append(report(), mallory_key)             # the new key is not IAEA's


def test_unsigned_key_substitution_behind_the_store_is_flagged(store, iaea):
    store.append(party(iaea), iaea)
    store.append(facility(), iaea)
    mallory_key = Signer.generate("IAEA")
    forge_append(store, party(mallory_key, supersedes=1))               # 3, unsigned
    forge_append(store, report(), mallory_key, submitted_by="IAEA")      # 4
    found = store.verify()
    assert not found.ok
    assert found.problems[0].record_id == 3 and "not authorised" in found.problems[0].what
    assert "'IAEA' with its current key" in found.problems[0].what


# -- key substitution, route 2: a party re-registers another with its own key ---------------------
def test_party_cannot_replace_another_partys_key(store, iaea):
    store.append(party(iaea), iaea)
    mallory = Signer.generate("Mallory")
    store.append(party(mallory), mallory)               # no policy: parties register themselves
    substitute = Signer("IAEA", mallory.private_key)
    err = refused(store, party(substitute, supersedes=1), mallory)
    assert err.param == "signature" and err.value == "by 'Mallory'"
    assert "'IAEA' with its current key" in err.allowed


def test_party_replacing_another_partys_key_behind_the_store_is_flagged(store, iaea):
    store.append(party(iaea), iaea)
    mallory = Signer.generate("Mallory")
    store.append(party(mallory), mallory)
    substitute = Signer("IAEA", mallory.private_key)
    forge_append(store, party(substitute, supersedes=1), mallory)        # 3
    forge_append(store, facility(), substitute)                          # 4
    found = store.verify()
    assert [p.record_id for p in found.problems] == [3]
    assert "not authorised" in found.problems[0].what


def test_key_rotation_by_the_party_itself_or_by_the_authority(governed, iaea, iran):
    new_iran = Signer.generate("Iran")
    governed.append(party(new_iran, supersedes=3), iran)                 # 5: by its own key
    newer_iran = Signer.generate("Iran")
    governed.append(party(newer_iran, supersedes=5), iaea)               # 6: by the authority
    governed.append(RecordDraft("declaration", "FFEP", "2022-11-22", "2022-11-18", "DIQ",
                                _declaration_payload()), newer_iran)
    with pytest.raises(RecordError):
        governed.append(party(Signer.generate("Iran"), supersedes=6), new_iran)   # old key
    assert governed.verify().ok


# -- unsigned records under the store policy ------------------------------------------------------
def test_unsigned_record_under_policy_is_refused_whatever_submitted_by_says(governed, iran):
    err = refused(governed, report())                                    # no submitted_by
    assert err.param == "signature" and err.value == "none"
    assert "'IAEA'" in err.allowed and "record 2" in err.allowed
    err = refused(governed, report(), iran)                              # Iran may not sign it
    assert err.value == "by 'Iran'"
    governed.append(RecordDraft("declaration", "FFEP", "2022-11-22", "2022-11-18", "DIQ",
                                _declaration_payload()), iran)
    assert governed.verify().ok


def test_unsigned_record_under_policy_behind_the_store_is_flagged(governed):
    forge_append(governed, report())                                     # 5
    found = governed.verify()
    assert [p.record_id for p in found.problems] == [5]
    assert "store policy, record 2" in found.problems[0].what


def test_new_party_under_policy_is_admitted_by_the_authority_only(governed, iran):
    mallory = Signer.generate("Mallory")
    err = refused(governed, party(mallory), mallory)                     # self-registration
    assert "only the authority registers new parties" in err.allowed
    refused(governed, party(mallory, requires_signature=False))          # unsigned
    refused(governed, party(mallory), iran)                              # another party


# -- the policy itself ----------------------------------------------------------------------------
def test_policy_cannot_be_changed_by_an_unsigned_record_or_another_party(governed, iran):
    open_policy = policy("IAEA", {})
    err = refused(governed, RecordDraft(**{**open_policy.__dict__, "supersedes": 2}))
    assert err.param == "signature"
    err = refused(governed, RecordDraft(**{**open_policy.__dict__, "supersedes": 2}), iran)
    assert err.value == "by 'Iran'"
    err = refused(governed, open_policy, Signer.generate("IAEA"))        # not superseding
    assert err.param == "supersedes"


def test_policy_changed_by_its_authority(governed, iaea):
    governed.append(RecordDraft(**{**policy("IAEA", {"report": ["IAEA"]}).__dict__,
                                   "supersedes": 2}), iaea)
    governed.append(facility("NEW"))                                    # no longer required
    assert governed.verify().ok


def test_first_policy_is_signed_by_a_registered_authority(store, iaea):
    err = refused(store, policy("IAEA", {"*": ["IAEA"]}), iaea)
    assert err.param == "payload.authority" or "registered" in str(err)
    store.append(party(iaea), iaea)
    mallory = Signer.generate("Mallory")
    store.append(party(mallory), mallory)
    err = refused(store, policy("IAEA", {"*": ["IAEA"]}), mallory)
    assert err.param == "signature"


def test_forged_policy_change_behind_the_store_is_flagged(governed):
    forge_append(governed, RecordDraft(**{**policy("IAEA", {}).__dict__, "supersedes": 2}))
    forge_append(governed, report())
    found = governed.verify()
    assert [p.record_id for p in found.problems] == [5]


def test_policy_payload_is_validated(governed, iaea):
    err = refused(governed, RecordDraft(**{**policy("IAEA", {"parties": ["IAEA"]}).__dict__,
                                           "supersedes": 2}), iaea)
    assert err.param.startswith("payload.signers")
    err = refused(governed, RecordDraft(**{**policy("IAEA", {"report": []}).__dict__,
                                           "supersedes": 2}), iaea)
    assert err.param.startswith("payload.signers")


# -- public keys ----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", SMALL_ORDER_KEYS + (
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",   # y = p
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",   # y = p + 1
    "0100000000000000000000000000000000000000000000000000000000000080",   # negative zero
    "0200000000000000000000000000000000000000000000000000000000000000",   # not on the curve
    "AB" * 32, "ab" * 31, "",
))
def test_weak_or_malformed_public_keys_are_refused(store, key):
    draft = RecordDraft("party", "*", "2024-01-01", "2024-01-01", "ceremony",
                        {"party": "X", "public_key": key, "requires_signature": False})
    err = refused(store, draft)
    assert err.param == "payload.public_key"


def test_the_listed_small_order_keys_are_exactly_the_torsion_points():
    """Each listed encoding decodes to a point P with 8P = identity (RFC 8032 decoding), and
    they are the eight distinct points of the torsion subgroup."""
    points = set()
    for key in SMALL_ORDER_KEYS:
        point = _decode_point(bytes.fromhex(key))
        assert point is not None
        assert _double(_double(_double(point))) == (0, 1)
        points.add(point)
    assert len(points) == 8


def _declaration_payload() -> dict:
    from tests.records.records_support import PLANT

    return {"declared_on": "2022-11-18", "plant": PLANT, "declared_max_assay_pct": 60.0,
            "summary": "DIQ"}
