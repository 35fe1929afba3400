"""The signature memo (issue 14): each valid signature is verified once, and nothing an
attacker can write, in the store or in the memo without its key, skips a check."""

from __future__ import annotations

import os
import secrets

import pytest

from enrichwatch.records import Signer, sigmemo
from enrichwatch.records.sigmemo import SignatureMemo, default_memo_folder
from tests.records.records_support import drop_triggers, facility, party, raw, report

DIGEST = "ab" * 32


@pytest.fixture
def iaea():
    return Signer.generate("IAEA")


@pytest.fixture
def counted(monkeypatch):
    """How many signatures are verified with Ed25519."""
    from enrichwatch.records import signing

    calls = []
    real = signing.verify_signature

    def verify(*args):
        calls.append(args)
        return real(*args)
    monkeypatch.setattr(signing, "verify_signature", verify)
    return calls


def test_a_valid_signature_is_verified_once(tmp_path, iaea, counted):
    signature = iaea.sign(DIGEST)
    memo = SignatureMemo(tmp_path)
    assert memo.verify(iaea.public_key_hex, DIGEST, signature)
    memo.save()
    again = SignatureMemo(tmp_path)
    assert len(again) == 1
    assert again.verify(iaea.public_key_hex, DIGEST, signature)
    assert len(counted) == 1


def test_an_invalid_signature_is_never_remembered(tmp_path, iaea, counted):
    memo = SignatureMemo(tmp_path)
    forged = Signer.generate("IAEA").sign(DIGEST)            # another key's signature
    for _ in range(3):
        assert not memo.verify(iaea.public_key_hex, DIGEST, forged)
    memo.save()
    assert len(SignatureMemo(tmp_path)) == 0 and len(counted) == 3


def test_a_remembered_signature_vouches_for_its_own_triple_only(tmp_path, iaea):
    signature = iaea.sign(DIGEST)
    memo = SignatureMemo(tmp_path)
    assert memo.verify(iaea.public_key_hex, DIGEST, signature)
    other = Signer.generate("Iran").public_key_hex
    assert not memo.verify(other, DIGEST, signature)
    assert not memo.verify(iaea.public_key_hex, "cd" * 32, signature)
    assert not memo.verify(iaea.public_key_hex, DIGEST, signature.upper())
    assert not memo.verify(f"{iaea.public_key_hex}:{DIGEST}", signature, "")
    assert not memo.verify(None, DIGEST, signature)


def test_bytes_written_into_the_memo_vouch_for_nothing(tmp_path, iaea, counted):
    """Without the key, tags cannot be made: random, copied or another memo's bytes are no
    signature's tag."""
    other = tmp_path / "other"
    theirs = SignatureMemo(other)
    forged = Signer.generate("IAEA").sign(DIGEST)
    theirs.verify(iaea.public_key_hex, DIGEST, iaea.sign(DIGEST))
    theirs.save()
    mine = tmp_path / "mine"
    SignatureMemo(mine)
    with open(mine / sigmemo._MEMO_FILE, "ab") as out:
        out.write((other / sigmemo._MEMO_FILE).read_bytes() + secrets.token_bytes(16 * 1000))
    assert not SignatureMemo(mine).verify(iaea.public_key_hex, DIGEST, forged)
    assert len(counted) == 2


def test_a_memo_others_may_read_is_refused(tmp_path):
    SignatureMemo(tmp_path)
    os.chmod(tmp_path / sigmemo._KEY_FILE, 0o644)
    with pytest.raises(PermissionError, match="others may read"):
        SignatureMemo(tmp_path)
    os.chmod(tmp_path / sigmemo._KEY_FILE, 0o600)
    os.chmod(tmp_path, 0o755)
    with pytest.raises(PermissionError, match="others may read"):
        SignatureMemo(tmp_path)


def test_a_truncated_memo_keeps_its_whole_tags(tmp_path, iaea):
    memo = SignatureMemo(tmp_path)
    for digest in ("ab" * 32, "cd" * 32):
        memo.verify(iaea.public_key_hex, digest, iaea.sign(digest))
    memo.save()
    path = tmp_path / sigmemo._MEMO_FILE
    path.write_bytes(path.read_bytes()[:-3])
    assert len(SignatureMemo(tmp_path)) == 1


def test_a_full_memo_starts_afresh(tmp_path, iaea, monkeypatch):
    monkeypatch.setattr(sigmemo, "MAX_TAGS", 2)
    memo = SignatureMemo(tmp_path)
    for i in range(4):
        digest = f"{i:02x}" * 32
        memo.verify(iaea.public_key_hex, digest, iaea.sign(digest))
    memo.save()
    assert len(SignatureMemo(tmp_path)) == 2


def test_default_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(sigmemo.MEMO_ENV, str(tmp_path / "m"))
    assert default_memo_folder() == tmp_path / "m"
    monkeypatch.delenv(sigmemo.MEMO_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_memo_folder() == tmp_path / "enrichwatch" / "signature-memo"


def test_verify_with_a_memo_finds_every_problem(store, iaea, tmp_path, counted):
    """Tampered signatures, removed signatures, a record signed by an unregistered party: the
    same report with and without the memo, and with a memo filled before the tampering."""
    store.append(party(iaea), iaea)
    store.append(facility(), iaea)
    store.append_many([report(document=f"GOV/{i}") for i in range(6)], iaea)
    memo = SignatureMemo(tmp_path)
    assert store.verify(memo=memo).ok and len(memo) == 8
    assert store.verify(memo=SignatureMemo(tmp_path)).ok
    assert len(counted) == 8                           # the second pass verified none
    drop_triggers(store)
    forged = Signer.generate("IAEA").sign(raw(store, "SELECT hash FROM records WHERE id = 4"
                                              )[0][0])
    raw(store, "UPDATE records SET signature = :s WHERE id = 4", s=forged)
    raw(store, "UPDATE records SET signature = NULL WHERE id = 5")
    raw(store, "UPDATE records SET submitted_by = 'Iran' WHERE id = 6")
    plain = store.verify()
    assert not plain.ok
    assert store.verify(memo=SignatureMemo(tmp_path)) == plain
    assert {p.record_id for p in plain.problems} >= {4, 5, 6}
