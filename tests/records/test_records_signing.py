"""Ed25519 keys and signatures: PEM files, registered parties, required signatures."""

from __future__ import annotations

import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey

from enrichwatch.records import (
    RecordError,
    Signer,
    generate_private_key,
    load_private_key,
    public_key_hex,
    save_private_key,
    verify_signature,
)
from enrichwatch.records.signing import private_key_from_pem, private_key_to_pem
from tests.records.records_support import facility, party, report


@pytest.fixture
def iaea():
    return Signer.generate("IAEA")


# -- keys -----------------------------------------------------------------------------------------
def test_pem_round_trip_with_owner_only_mode(tmp_path):
    key = generate_private_key()
    path = save_private_key(key, tmp_path / "iaea.pem")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_key_hex(load_private_key(path)) == public_key_hex(key)


def test_encrypted_pem_needs_its_password(tmp_path):
    signer = Signer.generate("IAEA")
    path = signer.save(tmp_path / "k.pem", password=b"s3cret")
    assert b"ENCRYPTED" in path.read_bytes()
    again = Signer.from_pem_file("IAEA", path, password=b"s3cret")
    assert again.public_key_hex == signer.public_key_hex
    with pytest.raises((ValueError, TypeError)):
        load_private_key(path)


def test_keys_are_never_overwritten(tmp_path):
    path = save_private_key(generate_private_key(), tmp_path / "k.pem")
    with pytest.raises(FileExistsError):
        save_private_key(generate_private_key(), path)


def test_only_ed25519_keys_are_accepted():
    pem = Ed448PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    with pytest.raises(ValueError, match="Ed25519"):
        private_key_from_pem(pem)


def test_repr_shows_no_private_material(iaea):
    text = repr(iaea)
    assert "IAEA" in text and private_key_to_pem(iaea.private_key).decode() not in text
    assert iaea.public_key_hex[:12] in text


def test_signature_check_is_strict(iaea):
    digest = "12" * 32
    signature = iaea.sign(digest)
    assert verify_signature(iaea.public_key_hex, digest, signature)
    assert not verify_signature(iaea.public_key_hex, digest, signature.upper())
    assert not verify_signature(iaea.public_key_hex, digest, signature[:-2])
    assert not verify_signature(Signer.generate("X").public_key_hex, digest, signature)
    assert not verify_signature("zz" * 32, digest, signature)


# -- in the store ---------------------------------------------------------------------------------
def test_signed_records_verify(store, iaea):
    store.append(party(iaea), iaea)
    rec = store.append(facility(), iaea)
    assert rec.submitted_by == "IAEA"
    assert verify_signature(iaea.public_key_hex, rec.hash, rec.signature)
    assert store.get(rec.id).signature == rec.signature
    assert store.verify().ok


def test_unsigned_record_of_a_party_requiring_signatures_is_rejected(store, iaea):
    store.append(party(iaea), iaea)
    with pytest.raises(RecordError) as caught:
        store.append(facility(submitted_by="IAEA"))
    assert caught.value.param == "signature" and "record 1 requires" in str(caught.value)
    assert store.count() == 1


def test_party_registration_requiring_signatures_must_itself_be_signed(store, iaea):
    with pytest.raises(RecordError, match="requires signatures"):
        store.append(party(iaea, submitted_by="IAEA"))


def test_signature_with_another_key_is_rejected(store, iaea):
    store.append(party(iaea), iaea)
    impostor = Signer.generate("IAEA")
    with pytest.raises(RecordError, match="key party 'IAEA' registered"):
        store.append(facility(), impostor)


def test_signer_must_be_a_registered_party(store):
    with pytest.raises(RecordError) as caught:
        store.append(facility(), Signer.generate("Nobody"))
    assert caught.value.param == "submitted_by" and caught.value.value == "Nobody"


def test_submitted_by_must_match_the_signer(store, iaea):
    store.append(party(iaea), iaea)
    with pytest.raises(RecordError, match="the signer's party 'IAEA'"):
        store.append(facility(submitted_by="Iran"), iaea)


def test_party_without_signature_requirement_may_submit_unsigned(store, iaea):
    iran = Signer.generate("Iran")
    store.append_many([party(iaea), party(iran, requires_signature=False)])
    unsigned = store.append(facility(submitted_by="Iran"))
    signed = store.append(report(), iran)
    assert unsigned.signature is None and signed.signature is not None
    assert store.verify().ok


def test_key_rotation_supersedes_and_is_signed_by_the_old_key(store, iaea):
    store.append(party(iaea), iaea)
    store.append(facility(), iaea)
    new = Signer("IAEA", generate_private_key())
    with pytest.raises(RecordError, match="supersedes"):
        store.append(party(new), iaea)  # must supersede the current registration
    with pytest.raises(RecordError, match="registered"):
        store.append(party(new, supersedes=1), new)  # the new key is not registered yet
    store.append(party(new, supersedes=1), iaea)
    with pytest.raises(RecordError, match="registered"):
        store.append(report(), iaea)
    store.append(report(), new)
    assert store.verify().ok


def test_unregistered_party_cannot_supersede_another(store, iaea):
    store.append(party(iaea), iaea)
    other = Signer.generate("Other")
    with pytest.raises(RecordError, match="not registered yet"):
        store.append(party(other, supersedes=1), other)
