//! A reader's witness policy: trust a checkpoint only when at least `quorum` of the witnesses
//! it knows have cosigned it (C2SP tlog-cosignature `cosignature/v1`; the "quorum of
//! cosignatures" of c2sp.org/tlog-witness). One implementation for `verify-proof`,
//! `verify-snapshot`, `monitor` and `checkpoint --witness`.

use crate::note::{KeyKind, Note, NoteVerifyError, VerifierKey};

/// Why a policy cannot be formed, or a note does not meet it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuorumError {
    /// A witness key that is not a `cosignature/v1` key.
    #[error("witness key {0} is not a cosignature/v1 key (make one with `key show --verifier --cosignature`)")]
    NotAWitnessKey(String),
    /// The same witness twice.
    #[error("witness key {0} is given twice")]
    Duplicate(String),
    /// A quorum of more witnesses than are known, or a quorum of 0 with witnesses given.
    #[error("a quorum of {quorum} needs 1 to {known} witnesses")]
    Impossible {
        /// The quorum asked for.
        quorum: usize,
        /// Witnesses known.
        known: usize,
    },
    /// Too few valid cosignatures.
    #[error("{have} of the {need} witness cosignatures needed ({})", .missing.join("; "))]
    NotMet {
        /// Valid cosignatures by known witnesses.
        have: usize,
        /// The quorum.
        need: usize,
        /// For each known witness without a valid cosignature, why.
        missing: Vec<String>,
    },
}

/// Known witnesses and how many of them must have cosigned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Quorum {
    witnesses: Vec<VerifierKey>,
    quorum: usize,
}

/// A witness's valid cosignature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigned {
    /// The witness.
    pub witness: VerifierKey,
    /// When it cosigned (Unix seconds).
    pub timestamp: u64,
}

impl Quorum {
    /// No witnesses needed: every checkpoint meets it.
    pub fn none() -> Self {
        Self::default()
    }

    /// `quorum` of `witnesses` (`quorum` defaults to all of them). With no witnesses the
    /// quorum must be 0 or absent.
    pub fn new(witnesses: Vec<VerifierKey>, quorum: Option<usize>) -> Result<Self, QuorumError> {
        for (i, w) in witnesses.iter().enumerate() {
            if w.kind() != KeyKind::CosignatureV1 {
                return Err(QuorumError::NotAWitnessKey(w.to_string()));
            }
            if witnesses[..i].contains(w) {
                return Err(QuorumError::Duplicate(w.to_string()));
            }
        }
        let quorum = quorum.unwrap_or(witnesses.len());
        if quorum > witnesses.len() || (quorum == 0 && !witnesses.is_empty()) {
            return Err(QuorumError::Impossible {
                quorum,
                known: witnesses.len(),
            });
        }
        Ok(Self { witnesses, quorum })
    }

    /// The witnesses.
    pub fn witnesses(&self) -> &[VerifierKey] {
        &self.witnesses
    }

    /// How many must cosign.
    pub fn quorum(&self) -> usize {
        self.quorum
    }

    /// Whether no cosignature is required.
    pub fn is_none(&self) -> bool {
        self.quorum == 0
    }

    /// Checks the cosignatures of `note` (the log's own signature is checked elsewhere):
    /// lines by unknown keys are ignored; a known witness counts once, when its lines
    /// verify. Returns the valid cosignatures, or [`QuorumError::NotMet`].
    pub fn check(&self, note: &Note) -> Result<Vec<Cosigned>, QuorumError> {
        let mut ok = Vec::new();
        let mut missing = Vec::new();
        for w in &self.witnesses {
            match note.verify_cosignature(w) {
                Ok(timestamp) => ok.push(Cosigned {
                    witness: w.clone(),
                    timestamp,
                }),
                Err(NoteVerifyError::NoSignature { .. }) => {
                    missing.push(format!("{}: no cosignature", w.name()))
                }
                Err(e) => missing.push(format!("{}: {e}", w.name())),
            }
        }
        if ok.len() < self.quorum {
            return Err(QuorumError::NotMet {
                have: ok.len(),
                need: self.quorum,
                missing,
            });
        }
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningKey;
    use crate::note::KeyName;

    fn wkey(i: u8) -> (KeyName, SigningKey, VerifierKey) {
        let name = KeyName::new(format!("w{i}.example")).unwrap();
        let key = SigningKey::from_seed(&[i; 32]);
        let vk = VerifierKey::from_signing_key(name.clone(), KeyKind::CosignatureV1, &key).unwrap();
        (name, key, vk)
    }

    #[test]
    fn counts_valid_cosignatures_of_known_witnesses_once() {
        let log = SigningKey::from_seed(&[9; 32]);
        let mut note = Note::new("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n").unwrap();
        note.sign(&KeyName::new("o").unwrap(), &log).unwrap();
        let (n1, k1, v1) = wkey(1);
        let (n2, k2, v2) = wkey(2);
        let (n3, k3, v3) = wkey(3);
        note.cosign(&n1, &k1, 10).unwrap();
        note.cosign(&n1, &k1, 11).unwrap();
        note.cosign(&n2, &k2, 12).unwrap();
        let q = Quorum::new(vec![v1.clone(), v2.clone(), v3.clone()], Some(2)).unwrap();
        let ok = q.check(&note).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].timestamp, 10);
        let all = Quorum::new(vec![v1.clone(), v2.clone(), v3.clone()], None).unwrap();
        match all.check(&note) {
            Err(QuorumError::NotMet {
                have: 2,
                need: 3,
                missing,
            }) => {
                assert!(missing[0].contains("w3.example"), "{missing:?}")
            }
            other => panic!("{other:?}"),
        }
        // A forged line by a known witness does not count.
        let mut forged = note.clone();
        let mut bad = forged.signatures()[3].clone();
        bad.signature[20] ^= 1;
        forged.push_signature(bad).unwrap();
        assert!(matches!(
            q.check(&forged),
            Err(QuorumError::NotMet { have: 1, .. })
        ));
        note.cosign(&n3, &k3, 13).unwrap();
        assert_eq!(all.check(&note).unwrap().len(), 3);
        assert!(Quorum::none().check(&note).unwrap().is_empty());
    }

    #[test]
    fn impossible_policies_are_refused() {
        let (_, k, v1) = wkey(1);
        assert!(matches!(
            Quorum::new(vec![v1.clone()], Some(2)),
            Err(QuorumError::Impossible { .. })
        ));
        assert!(Quorum::new(vec![v1.clone()], Some(0)).is_err());
        assert!(Quorum::new(vec![v1.clone(), v1.clone()], None).is_err());
        let plain = VerifierKey::from_signing_key(v1.name().clone(), KeyKind::Ed25519, &k).unwrap();
        assert!(matches!(
            Quorum::new(vec![plain], None),
            Err(QuorumError::NotAWitnessKey(_))
        ));
        assert!(Quorum::new(vec![], None).unwrap().is_none());
        assert!(Quorum::new(vec![], Some(1)).is_err());
    }
}
