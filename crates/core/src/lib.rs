//! # actledger-core
//!
//! The heart of actledger, with no I/O: the events of the ACT Code of Conduct ledger, their
//! canonical encoding (one codec), Ed25519 signatures over a domain-separated message, the
//! SHA-256 hash chain, the ledger's rules, and verification of a log from its bytes.
//!
//! The byte format is specified in `docs/FORMAT.md`; each module cites the part it implements.
//!
//! No file, network or terminal I/O. Exactly three functions read the environment, each
//! because its caller cannot sensibly supply the value:
//! - [`types::Timestamp::now`] reads the clock (the `recorded_at` of a new event; every check
//!   takes the time as an argument or from the events);
//! - [`keys::SigningKey::generate`] draws a new key from the operating system's randomness
//!   (`key new`; tests use `SigningKey::from_seed`);
//! - [`batch::SignatureBatch::verify`] draws the batch equation's random weights from it
//!   (weights an attacker could predict would let a forged batch pass; without randomness it
//!   answers `false` and the caller checks each signature alone).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used)]

pub mod attestation;
pub mod batch;
pub mod chain;
pub mod checkpoint;
pub mod code;
pub mod date;
pub mod encoding;
pub mod error;
pub mod event;
pub mod evidence;
pub mod keys;
pub mod log_checkpoint;
pub mod merkle;
pub mod note;
pub mod outcome;
pub mod projection;
pub mod proof;
pub mod quorum;
pub mod rules;
pub mod state;
pub mod symbol;
pub mod tiles;
pub mod types;
mod un_members;
pub mod verify;
pub mod witness;

pub use date::Date;
pub use error::{DecodeError, RuleError, ValueError, VerifyError, VerifyErrorKind};
pub use event::{Event, EventBody, Fact, Role, UnsignedEvent};
pub use keys::SigningKey;
pub use state::StateCode;
pub use symbol::{DraftSymbol, UnSymbol};
pub use types::{EventHash, Origin, PublicKey, Seq, Signature, Text, Timestamp};
