//! Errors of the core, split by operation: parsing a field value, decoding stored bytes,
//! applying the ledger's rules, and verifying a log.

use crate::types::Seq;

/// The most characters of a value an error message quotes (a CSV field, a flag, a line of a
/// file can be megabytes; an error is one line).
pub const QUOTE_MAX_CHARS: usize = 60;

/// `value` as every error message quotes it: in Rust string syntax (quotes, control
/// characters escaped), cut after [`QUOTE_MAX_CHARS`] characters with the full length said
/// (`"XXXX…" (5000 bytes)`). The one place a value is bounded before it is shown.
pub fn quoted(value: &str) -> String {
    match value.char_indices().nth(QUOTE_MAX_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &value[..cut], value.len()),
    }
}

/// A field value that cannot be what it claims to be (parse, don't validate).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// Not a calendar date in `YYYY-MM-DD` form, or out of the supported range.
    #[error("invalid date {}: {reason}", quoted(.value))]
    Date {
        /// The rejected input.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Not the ISO 3166-1 alpha-3 code of a UN member or observer state.
    #[error("unknown state code {}: not a UN member or observer state (ISO 3166-1 alpha-3, e.g. FRA)", quoted(.value))]
    StateCode {
        /// The rejected input.
        value: String,
    },
    /// Not a Security Council draft symbol `S/YYYY/N`.
    #[error("invalid draft symbol {}: expected S/YYYY/NNN, e.g. S/2022/720", quoted(.value))]
    DraftSymbol {
        /// The rejected input.
        value: String,
    },
    /// Not a UN document symbol such as `S/PV.9143` or `A/ES-11/PV.12`.
    #[error("invalid UN document symbol {}: expected e.g. S/PV.9143 or A/76/PV.77", quoted(.value))]
    UnSymbol {
        /// The rejected input.
        value: String,
    },
    /// Free text that is too long or contains control characters.
    #[error("invalid text ({reason}): {}", quoted(.preview))]
    Text {
        /// The start of the rejected input.
        preview: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A log origin that is not a valid C2SP key name.
    #[error("invalid origin {}: {reason}", quoted(.value))]
    Origin {
        /// The rejected input.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Bytes that are not a valid Ed25519 public key.
    #[error("invalid Ed25519 public key: {reason}")]
    PublicKey {
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A keyword (role, vote, seat, ...) outside its allowed set.
    #[error("invalid {what} {}: expected one of {expected}", quoted(.value))]
    Keyword {
        /// What kind of keyword.
        what: &'static str,
        /// The rejected input.
        value: String,
        /// The accepted spellings.
        expected: &'static str,
    },
    /// A structural rule of an event body (sorted lists, no duplicates, ...).
    #[error("{0}")]
    Shape(String),
}

/// Stored bytes that are not exactly one canonical event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes exceed the 65,535-byte event limit.
    #[error("event is {len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Length of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes do not parse as an event.
    #[error("malformed event encoding: {0}")]
    Malformed(String),
    /// A valid event is followed by extra bytes.
    #[error("{0} trailing bytes after the event")]
    TrailingBytes(usize),
    /// The bytes parse, but re-encoding gives different bytes.
    #[error("non-canonical encoding: the event does not re-encode to the same bytes")]
    NonCanonical,
    /// The bytes parse but a field value is invalid.
    #[error("invalid field: {0}")]
    Value(#[from] ValueError),
    /// Unknown event format version.
    #[error("unsupported event format version {0} (this build reads version 1)")]
    Version(u8),
}

/// An event that is well formed but not admissible at its place in the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// The log's first event must be `LedgerCreated`, signed by its own administrator key.
    #[error("the first event must be LedgerCreated signed by the administrator key it names")]
    BadGenesis,
    /// `LedgerCreated` may only appear at sequence 0.
    #[error("LedgerCreated may only be the first event")]
    SecondGenesis,
    /// The author key was never granted a role in this ledger.
    #[error("author key {key} is not a key of this ledger")]
    UnknownKey {
        /// Hex of the key.
        key: String,
    },
    /// The author key was revoked before this event.
    #[error("author key {key} was revoked at seq {revoked_at} and can sign nothing after it")]
    RevokedKey {
        /// Hex of the key.
        key: String,
        /// Sequence number of the revocation.
        revoked_at: Seq,
    },
    /// The author key does not hold the role this event needs.
    #[error("author key {key} lacks the {needed} role needed to record {kind} (it holds: {held})")]
    MissingRole {
        /// Hex of the key.
        key: String,
        /// The needed role.
        needed: &'static str,
        /// The event kind.
        kind: &'static str,
        /// The roles it holds.
        held: String,
    },
    /// Recording time went backwards.
    #[error("recorded_at {found} is earlier than the previous event's {previous}")]
    TimeWentBack {
        /// This event's time.
        found: i64,
        /// The previous event's time.
        previous: i64,
    },
    /// A domain rule rejects the event; the message names the field and value.
    #[error("{0}")]
    Domain(String),
}

/// What made a log fail verification, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seq {seq}: {kind}")]
pub struct VerifyError {
    /// Sequence number of the first bad event (its position in the log).
    pub seq: Seq,
    /// What is wrong with it.
    pub kind: VerifyErrorKind,
}

/// The ways an event can fail verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// The stored bytes are not a canonical event.
    #[error("cannot decode stored bytes: {0}")]
    Decode(#[from] DecodeError),
    /// The event's own sequence number is not its position.
    #[error("event carries sequence number {found}, expected {expected}{}", seq_hint(*.found, *.expected))]
    SeqMismatch {
        /// Position in the log.
        expected: Seq,
        /// Number in the event.
        found: Seq,
    },
    /// The event does not name the hash of its predecessor.
    #[error(
        "chain broken: prev hash is {found}, expected {expected} (SHA-256 of the previous event)"
    )]
    ChainMismatch {
        /// Hex of the expected hash.
        expected: String,
        /// Hex of the stored hash.
        found: String,
    },
    /// The Ed25519 signature does not verify under the author key.
    #[error("bad signature: does not verify under author key {key}")]
    BadSignature {
        /// Hex of the author key.
        key: String,
    },
    /// The event breaks a ledger rule at this point of the log.
    #[error("rule violated: {0}")]
    Rule(#[from] RuleError),
    /// The log has an event missing at this position.
    #[error("missing event (the log jumps from seq {previous} to seq {next})")]
    Gap {
        /// The last good sequence number.
        previous: Seq,
        /// The next stored sequence number.
        next: Seq,
    },
    /// Metadata kept beside the events disagrees with them.
    #[error("{0}")]
    Metadata(String),
}

/// What a sequence number mismatch most likely means.
fn seq_hint(found: Seq, expected: Seq) -> &'static str {
    if found > expected {
        ": the event before it is missing (or this one was moved)"
    } else {
        ": a copy of an earlier event (or one moved)"
    }
}

#[cfg(test)]
mod quote_tests {
    use super::*;

    #[test]
    fn a_quoted_value_is_bounded_and_says_its_length() {
        assert_eq!(quoted("FRA"), "\"FRA\"");
        assert_eq!(quoted("a\nb"), "\"a\\nb\"");
        let long = "é".repeat(5000);
        let q = quoted(&long);
        assert!(q.ends_with("… (10000 bytes)"), "{q}");
        assert_eq!(q.chars().filter(|c| *c == 'é').count(), QUOTE_MAX_CHARS);
        let err = ValueError::StateCode {
            value: "X".repeat(5 << 20),
        }
        .to_string();
        assert!(err.len() < 200, "{err}");
    }
}
