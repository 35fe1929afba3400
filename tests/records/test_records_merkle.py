"""The RFC 9162 Merkle tree: reference vectors and properties of its proofs.

The vectors are Certificate Transparency's reference tree of eight leaves (leaf inputs ``""``,
``00``, ``10``, ``2021``, ``3031``, ``40414243``, ``5051525354555657``,
``606162636465666768696a6b6c6d6e6f``), its roots for every size and its inclusion and
consistency proofs, as published in google/certificate-transparency
(``cpp/merkletree/merkle_tree_test.cc``) and transparency-dev/merkle (``testonly/constants.go``,
``proof/verify_test.go``). The empty root and the size-1 root are derivable by hand:
SHA-256("") and SHA-256(0x00).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrichwatch.records.merkle import (
    EMPTY_ROOT,
    compact_range,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_compact_range,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

INPUTS = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243",
                                     "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
LEAVES = [leaf_hash(d) for d in INPUTS]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (0-based leaf index, tree size) -> PATH
INCLUSION = {
    (0, 1): [],
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}
# (old size, new size) -> PROOF
CONSISTENCY = {
    (1, 1): [],
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
    (6, 7): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}


def hexes(items):
    return [h.hex() for h in items]


def test_hashing_by_hand():
    assert EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert tree_root(LEAVES[:3]) == node_hash(node_hash(LEAVES[0], LEAVES[1]), LEAVES[2])


@pytest.mark.parametrize("size", range(9))
def test_reference_roots(size):
    assert tree_root(LEAVES[:size]).hex() == ROOTS[size]
    assert root_from_compact_range(compact_range(LEAVES[:size])).hex() == ROOTS[size]


@pytest.mark.parametrize("index, size", sorted(INCLUSION))
def test_reference_inclusion_proofs(index, size):
    proof = inclusion_proof(LEAVES[:size], index)
    assert hexes(proof) == INCLUSION[index, size]
    assert verify_inclusion(LEAVES[index], index, size, proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize("old, new", sorted(CONSISTENCY))
def test_reference_consistency_proofs(old, new):
    proof = consistency_proof(LEAVES[:new], old)
    assert hexes(proof) == CONSISTENCY[old, new]
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]),
                              proof)


def _leaves(n: int, salt: int = 0) -> list[bytes]:
    return [leaf_hash(f"{salt}:{i}".encode()) for i in range(n)]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 70), data=st.data())
def test_every_inclusion_proof_verifies_and_a_changed_leaf_breaks_it(n, data):
    leaves = _leaves(n)
    root = tree_root(leaves)
    index = data.draw(st.integers(0, n - 1), label="index")
    proof = inclusion_proof(leaves, index)
    assert verify_inclusion(leaves[index], index, n, proof, root)
    other = data.draw(st.integers(0, n - 1), label="changed leaf")
    changed = list(leaves)
    changed[other] = leaf_hash(b"changed")
    assert not verify_inclusion(leaves[index], index, n, proof, tree_root(changed))
    assert not verify_inclusion(leaf_hash(b"changed"), index, n, proof, root)
    if n > 1:
        wrong = (index + 1) % n
        assert not verify_inclusion(leaves[index], wrong, n, proof, root) or \
            leaves[wrong] == leaves[index]
    if proof:
        assert not verify_inclusion(leaves[index], index, n, proof[:-1], root)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 70), data=st.data())
def test_every_consistency_proof_verifies_and_a_changed_leaf_breaks_it(n, data):
    leaves = _leaves(n)
    m = data.draw(st.integers(0, n), label="old size")
    old_root, new_root = tree_root(leaves[:m]), tree_root(leaves)
    proof = consistency_proof(leaves, m)
    assert verify_consistency(m, n, old_root, new_root, proof)
    if m == 0:
        return
    changed_at = data.draw(st.integers(0, m - 1), label="changed leaf")
    rewritten = list(leaves)
    rewritten[changed_at] = leaf_hash(b"rewritten")
    forged = consistency_proof(rewritten, m)
    assert not verify_consistency(m, n, old_root, tree_root(rewritten), forged)
    assert not verify_consistency(m, n, old_root, tree_root(rewritten), proof)


def test_proof_arguments_are_checked():
    with pytest.raises(ValueError):
        inclusion_proof(LEAVES, 8)
    with pytest.raises(ValueError):
        consistency_proof(LEAVES, 9)
    assert not verify_inclusion(LEAVES[0], 3, 3, [], EMPTY_ROOT)
    assert not verify_consistency(5, 4, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(3, 5, bytes.fromhex(ROOTS[3]), bytes.fromhex(ROOTS[5]), [])
