#!/usr/bin/env python3
# Run from the repository root. Checks the worked example of docs/FORMAT.md §8 against the
# document itself, independently of the Rust code: the genesis bytes, the adherence bytes
# assembled from the table, the stated hashes (SHA-256), the authors (the stated public keys)
# and both Ed25519 signatures over "actledger/event/v1\0" || bytes-without-signature (with
# Python's `cryptography` package when installed; without it, the signatures are not checked
# and it says so). Exits 1 at the first mismatch; crates/core/tests/known_answer.rs runs it.
import hashlib
import re
import sys

doc = open("docs/FORMAT.md", encoding="utf-8").read()
sec = doc[doc.index("## 8. Worked example"):]
sec = sec[: sec.index("\n## ", 3)]
hexes = lambda t: re.findall(r"`([0-9a-f]{64,})`", t)
admin, dep = hexes(sec[: sec.index("**Genesis**")])[:2]
gen_part = sec[sec.index("**Genesis**"):]
genesis = bytes.fromhex("".join(gen_part.split("```")[1].split()))
rest = gen_part[gen_part.index("Its hash"):]
genesis_hash = hexes(rest)[0]
table = rest[rest.index("| offset |"):]
table, after = table.split("\n\n", 1)
rows = table.splitlines()[2:]
adherence = bytes.fromhex("".join(r.split("|")[3].strip().strip("`") for r in rows))
adherence_hash = hexes(after)[0]

failed = []
def expect(what, got, want):
    if got != want:
        failed.append(f"{what}: the document says {want}, the bytes give {got}")

expect("genesis hash", hashlib.sha256(genesis).hexdigest(), genesis_hash)
expect("adherence hash", hashlib.sha256(adherence).hexdigest(), adherence_hash)
author = lambda ev: ev[1 + 8 + 32 + 8 : 1 + 8 + 32 + 8 + 32].hex()
expect("genesis author", author(genesis), admin)
expect("adherence author", author(adherence), dep)
expect("genesis length", len(genesis), 248)
expect("adherence length", len(adherence), 215)
try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.exceptions import InvalidSignature
    for name, ev in (("genesis", genesis), ("adherence", adherence)):
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(author(ev)))
        try:
            key.verify(ev[-64:], b"actledger/event/v1\x00" + ev[:-64])
        except InvalidSignature:
            failed.append(f"{name}: the signature does not verify")
    signatures = "both signatures verify"
except ImportError:
    signatures = "signatures not checked (no python3-cryptography)"
if failed:
    print("\n".join(failed))
    sys.exit(1)
print(f"ok: genesis {genesis_hash}, adherence {adherence_hash}, authors as stated, {signatures}")
