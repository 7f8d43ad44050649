#!/usr/bin/env python3
# Run from the repository root. Checks docs/FORMAT.md §8 independently of the Rust code:
# Independent check of docs/FORMAT.md with Python's cryptography package.
import hashlib
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
g = bytes.fromhex(open('crates/core/tests/vectors/genesis.hex').read().strip())
a = bytes.fromhex(open('crates/core/tests/vectors/adherence.hex').read().strip())
print("genesis hash", hashlib.sha256(g).hexdigest())
def check(ev):
    author = ev[1+8+32+8:1+8+32+8+32]
    msg = b"actledger/event/v1\x00" + ev[:-64]
    Ed25519PublicKey.from_public_bytes(author).verify(ev[-64:], msg)
    return author.hex()
print("genesis signed by", check(g)); print("adherence signed by", check(a))
