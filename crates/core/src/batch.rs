//! Checking many event signatures at once (docs/FORMAT.md §3).
//!
//! `verify` checks a log's signatures in batches: one equation for a whole batch, with a
//! random weight per signature, is far cheaper than one check per signature. A log is signed
//! by a handful of keys, and the batch equation has one term per *distinct key* rather than
//! one per signature (ed25519-zebra's coalescing batch verifier), so a batch of n signatures
//! by one key costs a multiscalar multiplication over n + 2 points instead of 2n + 1
//! (`ed25519_dalek::verify_batch`): about 1.5 times the throughput on the same bytes
//! (docs/PERFORMANCE.md).
//!
//! A batch accepts exactly the signatures that are valid under the ZIP 215 rules
//! (<https://zips.z.cash/zip-0215>): canonical `S`, and the cofactored equation
//! `[8][S]B = [8]R + [8][k]A`. Batch and single verification agree under these rules, so
//! [`check_zip215`] names the signature that made a batch fail. Every signature that is valid
//! under the strict rules of [`chain::check_signature`] is valid under ZIP 215; the converse
//! fails only for signatures that the key's holder deliberately built with small-order
//! components or a non-canonical `R` encoding (which still prove that the holder signed these
//! bytes). `verify --strict` applies the strict rules to each signature.
//!
//! The weights come from a ChaCha12 generator seeded from the operating system for each batch:
//! a batch with an invalid signature passes with probability at most 2^-128.

use ed25519_zebra::{batch, Signature, VerificationKey, VerificationKeyBytes};
use rand_chacha::ChaCha12Rng;
use rand_core::SeedableRng;

use crate::chain::{self, EVENT_SIGNATURE_CONTEXT, SIGNATURE_LEN};
use crate::types::PublicKey;

#[cfg(doc)]
use crate::chain::check_signature;

/// Event signatures queued for one batch check.
#[derive(Default)]
pub struct SignatureBatch {
    verifier: batch::Verifier,
    /// The signed message of the event being queued (reused: the verifier keeps only a hash).
    message: Vec<u8>,
    len: usize,
}

impl SignatureBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues the signature at the end of an event's stored bytes, by `author`, over the
    /// event's signed message ([`chain::signing_message`] of all but its last 64 bytes).
    pub fn push_event(&mut self, author: &PublicKey, stored: &[u8]) {
        let mut message = std::mem::take(&mut self.message);
        message.clear();
        message.extend_from_slice(EVENT_SIGNATURE_CONTEXT);
        message.extend_from_slice(chain::unsigned_part(stored));
        self.push_message(&author.0, &chain::stored_signature(stored).0, &message);
        self.message = message;
    }

    /// Queues a signature by the key `author` over the whole signed `message` (context
    /// included). For measuring the raw cost of the cryptography (the bench).
    pub fn push_message(
        &mut self,
        author: &[u8; 32],
        signature: &[u8; SIGNATURE_LEN],
        message: &[u8],
    ) {
        self.verifier.queue((
            VerificationKeyBytes::from(*author),
            Signature::from_bytes(signature),
            message,
        ));
        self.len += 1;
    }

    /// How many signatures are queued.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no signature is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether every queued signature is valid (ZIP 215). `false` also when the operating
    /// system gives no randomness for the weights: the caller then checks each signature on
    /// its own ([`check_zip215`]), which needs none.
    pub fn verify(self) -> bool {
        match ChaCha12Rng::from_rng(rand_core::OsRng) {
            Ok(rng) => self.verifier.verify(rng).is_ok(),
            Err(_) => false,
        }
    }
}

/// Checks one event's signature by `author` over its stored bytes under the ZIP 215 rules
/// (the rules [`SignatureBatch`] applies; they agree on every signature).
pub fn check_zip215(author: &PublicKey, stored: &[u8]) -> bool {
    let Ok(key) = VerificationKey::try_from(author.0) else {
        return false;
    };
    let signature = Signature::from_bytes(&chain::stored_signature(stored).0);
    key.verify(
        &signature,
        &chain::signing_message(chain::unsigned_part(stored)),
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningKey;

    /// Stored bytes of a fake event: `unsigned || signature` over the event message.
    fn stored(key: &SigningKey, body: &[u8]) -> Vec<u8> {
        let mut bytes = body.to_vec();
        bytes.extend_from_slice(&key.sign(&chain::signing_message(body)).0);
        bytes
    }

    fn keys() -> [SigningKey; 2] {
        [
            SigningKey::from_seed(&[1; 32]),
            SigningKey::from_seed(&[2; 32]),
        ]
    }

    #[test]
    fn a_batch_of_valid_signatures_by_several_keys_passes() {
        let keys = keys();
        let mut batch = SignatureBatch::new();
        assert!(batch.is_empty());
        for i in 0..100u32 {
            let key = &keys[usize::from(i % 7 == 0)];
            let bytes = stored(key, &i.to_le_bytes().repeat(20));
            assert!(check_zip215(&key.public(), &bytes));
            assert!(chain::check_signature(
                &key.public().verifying_key().expect("valid key"),
                &chain::stored_signature(&bytes),
                &bytes
            ));
            batch.push_event(&key.public(), &bytes);
        }
        assert_eq!(batch.len(), 100);
        assert!(batch.verify());
        assert!(SignatureBatch::new().verify(), "an empty batch holds");
    }

    #[test]
    fn one_bad_signature_fails_the_batch_and_is_found_alone() {
        let keys = keys();
        let events: Vec<Vec<u8>> = (0..64u32)
            .map(|i| stored(&keys[usize::from(i % 3 == 0)], &i.to_be_bytes().repeat(30)))
            .collect();
        let author = |i: usize| keys[usize::from(i.is_multiple_of(3))].public();
        // A changed message byte, a changed signature byte (in R, then in S), the other key.
        for damage in 0..4 {
            let mut events = events.clone();
            let last = events[17].len() - 1;
            let signer = match damage {
                0 => {
                    events[17][5] ^= 1;
                    author(17)
                }
                1 => {
                    events[17][last - 60] ^= 0x40;
                    author(17)
                }
                2 => {
                    events[17][last - 20] ^= 0x02;
                    author(17)
                }
                _ => author(18),
            };
            let mut batch = SignatureBatch::new();
            for (i, bytes) in events.iter().enumerate() {
                let a = if i == 17 { signer } else { author(i) };
                batch.push_event(&a, bytes);
            }
            assert!(!batch.verify());
            let bad: Vec<usize> = (0..events.len())
                .filter(|&i| {
                    let a = if i == 17 { signer } else { author(i) };
                    !check_zip215(&a, &events[i])
                })
                .collect();
            assert_eq!(bad, vec![17]);
        }
    }

    #[test]
    fn a_signature_with_a_non_canonical_s_fails() {
        let [key, _] = keys();
        let mut bytes = stored(&key, b"an event");
        // S + l is the same scalar, encoded out of range: refused by both rule sets.
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let at = bytes.len() - 32;
        let mut carry = 0u16;
        for (b, a) in bytes[at..].iter_mut().zip(l) {
            let sum = u16::from(*b) + u16::from(a) + carry;
            *b = sum as u8;
            carry = sum >> 8;
        }
        assert!(!check_zip215(&key.public(), &bytes));
        let mut batch = SignatureBatch::new();
        batch.push_event(&key.public(), &bytes);
        assert!(!batch.verify());
    }

    /// The documented difference between the two rule sets: the key's holder can build a
    /// signature whose `R` carries a small-order component. ZIP 215 (batch or single) accepts
    /// it, `verify_strict` refuses it, and nobody without the secret key can make one.
    #[test]
    fn a_nonce_with_a_small_order_component_passes_zip215_but_not_strict() {
        use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
        use curve25519_dalek::scalar::Scalar;
        use sha2::{Digest, Sha512};

        let secret = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let a = secret.to_scalar();
        let public = PublicKey::try_from_bytes(secret.verifying_key().to_bytes()).expect("key");
        let body = b"a crafted event".to_vec();
        let message = chain::signing_message(&body);
        let r = Scalar::from_bytes_mod_order([5; 32]);
        let big_r = (ED25519_BASEPOINT_POINT * r + EIGHT_TORSION[1]).compress();
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(big_r.as_bytes())
                .chain_update(public.as_bytes())
                .chain_update(&message)
                .finalize()
                .into(),
        );
        let s = r + k * a;
        let mut bytes = body;
        bytes.extend_from_slice(big_r.as_bytes());
        bytes.extend_from_slice(s.as_bytes());

        assert!(check_zip215(&public, &bytes));
        let mut batch = SignatureBatch::new();
        batch.push_event(&public, &bytes);
        assert!(batch.verify());
        let strict = public.verifying_key().expect("key");
        assert!(!chain::check_signature(
            &strict,
            &chain::stored_signature(&bytes),
            &bytes
        ));
    }
}
