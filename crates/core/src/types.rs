//! Newtypes for the values that are easy to mix up: sequence numbers, hashes, keys,
//! signatures, timestamps, free text and the log origin.
//!
//! Each type serializes compactly for the canonical encoding (fixed-width bytes) and as a
//! readable string for JSON (`serializer.is_human_readable()`), so the same model serves the
//! stored bytes and the command line's `--json` output.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Position of an event in the log, starting at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Implements hex (human-readable) / fixed-width tuple (binary) serde for a byte-array newtype.
macro_rules! byte_array_serde {
    ($ty:ident, $n:expr, $what:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.serialize_str(&hex::encode(self.0))
                } else {
                    let mut tup = serializer.serialize_tuple($n)?;
                    for b in &self.0 {
                        tup.serialize_element(b)?;
                    }
                    tup.end()
                }
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = [u8; $n];
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "{} ({} bytes)", $what, $n)
                    }
                    fn visit_seq<A: SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> Result<Self::Value, A::Error> {
                        let mut out = [0u8; $n];
                        for (i, slot) in out.iter_mut().enumerate() {
                            *slot = seq
                                .next_element()?
                                .ok_or_else(|| de::Error::invalid_length(i, &self))?;
                        }
                        Ok(out)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                        let mut out = [0u8; $n];
                        hex::decode_to_slice(v, &mut out)
                            .map_err(|_| E::custom(concat!("expected hex ", $what)))?;
                        Ok(out)
                    }
                }
                let bytes = if deserializer.is_human_readable() {
                    deserializer.deserialize_str(V)?
                } else {
                    deserializer.deserialize_tuple($n, V)?
                };
                $ty::try_from_bytes(bytes).map_err(de::Error::custom)
            }
        }
    };
}

/// SHA-256 of an event's full stored bytes; the chain link.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventHash(pub [u8; 32]);

impl EventHash {
    /// The `prev` of the first event: 32 zero bytes.
    pub const ZERO: EventHash = EventHash([0; 32]);

    fn try_from_bytes(b: [u8; 32]) -> Result<Self, ValueError> {
        Ok(Self(b))
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}
byte_array_serde!(EventHash, 32, "SHA-256 hash");

impl fmt::Display for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
impl fmt::Debug for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventHash({})", self.to_hex())
    }
}

/// How many valid public keys each thread remembers (see [`PublicKey::try_from_bytes`]).
pub const KEY_CACHE: usize = 64;

/// Keys a thread has already found to be valid points, oldest replaced first.
struct KeyCache {
    keys: Vec<[u8; 32]>,
    next: usize,
}

impl KeyCache {
    fn contains(&self, b: &[u8; 32]) -> bool {
        self.keys.iter().any(|k| k == b)
    }

    fn remember(&mut self, b: [u8; 32]) {
        if self.keys.len() < KEY_CACHE {
            self.keys.push(b);
        } else if let Some(slot) = self.keys.get_mut(self.next) {
            *slot = b;
            self.next = (self.next + 1) % KEY_CACHE;
        }
    }
}

thread_local! {
    static KNOWN_VALID: std::cell::RefCell<KeyCache> = const {
        std::cell::RefCell::new(KeyCache { keys: Vec::new(), next: 0 })
    };
}

/// An Ed25519 public key (32 bytes, RFC 8032), checked to be a valid, non-weak curve point.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub(crate) [u8; 32]);

impl PublicKey {
    /// Checks that the bytes decompress to a point that is not of small order.
    ///
    /// Decompressing a point costs about as much as verifying a third of a signature, and a
    /// ledger has a handful of keys that sign millions of events, so each thread remembers
    /// the last [`KEY_CACHE`] keys it found valid and skips the check for them (only valid
    /// keys are remembered, so the answer is the same).
    pub fn try_from_bytes(b: [u8; 32]) -> Result<Self, ValueError> {
        if KNOWN_VALID.with(|c| c.borrow().contains(&b)) {
            return Ok(Self(b));
        }
        Self::check_point(&b)?;
        KNOWN_VALID.with(|c| c.borrow_mut().remember(b));
        Ok(Self(b))
    }

    fn check_point(b: &[u8; 32]) -> Result<(), ValueError> {
        let vk = ed25519_dalek::VerifyingKey::from_bytes(b).map_err(|_| ValueError::PublicKey {
            reason: "not a point on the curve",
        })?;
        if vk.is_weak() {
            return Err(ValueError::PublicKey {
                reason: "weak key (small-order point)",
            });
        }
        Ok(())
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Self, ValueError> {
        let mut b = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut b).map_err(|_| ValueError::PublicKey {
            reason: "expected 64 hex digits",
        })?;
        Self::try_from_bytes(b)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The dalek verifying key (decompresses the point again; cache it in hot loops).
    pub fn verifying_key(&self) -> Result<ed25519_dalek::VerifyingKey, ValueError> {
        ed25519_dalek::VerifyingKey::from_bytes(&self.0).map_err(|_| ValueError::PublicKey {
            reason: "not a point on the curve",
        })
    }
}

byte_array_serde!(PublicKey, 32, "Ed25519 public key");

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// An Ed25519 signature (64 bytes, RFC 8032).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl Signature {
    fn try_from_bytes(b: [u8; 64]) -> Result<Self, ValueError> {
        Ok(Self(b))
    }
}
byte_array_serde!(Signature, 64, "Ed25519 signature");

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}

/// When an event was recorded: Unix time in whole seconds, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Self(time::OffsetDateTime::now_utc().unix_timestamp())
    }

    /// The UTC calendar day of this instant.
    pub fn date(self) -> Option<crate::date::Date> {
        time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| crate::date::Date::from_time(t.date()).ok())
    }

    /// RFC 3339 form, e.g. `2026-11-29T01:08:43Z`.
    pub fn to_rfc3339(self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| self.0.to_string())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rfc = time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
        match rfc {
            // Outside RFC 3339's range (years 0-9999) JSON carries the raw number.
            Some(s) if serializer.is_human_readable() => serializer.serialize_str(&s),
            _ => serializer.serialize_i64(self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = i64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 time or Unix seconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
                i64::try_from(v).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<i64, E> {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .map(|t| t.unix_timestamp())
                    .map_err(E::custom)
            }
        }
        if deserializer.is_human_readable() {
            Ok(Self(deserializer.deserialize_any(V)?))
        } else {
            Ok(Self(i64::deserialize(deserializer)?))
        }
    }
}

/// Longest free-text field, in bytes of UTF-8.
pub const MAX_TEXT_BYTES: usize = 4096;

/// Free text (names, subjects, sources, notes): at most [`MAX_TEXT_BYTES`] bytes of UTF-8 and
/// no control characters (so it prints on one line and cannot smuggle terminal escapes).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text(String);

/// Whether `s` has a control character (Unicode category Cc: U+0000-U+001F, U+007F-U+009F),
/// found on the bytes: below 0x20, 0x7F, or 0xC2 followed by 0x80-0x9F (U+0080-U+009F in
/// UTF-8; 0xC2 is never a continuation byte). Every decoded text goes through this.
fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    // Printable ASCII, most texts: one pass the compiler vectorizes.
    if b.iter().all(|&c| (0x20..0x7f).contains(&c)) {
        return false;
    }
    b.iter().enumerate().any(|(i, &c)| {
        c < 0x20
            || c == 0x7f
            || (c == 0xc2 && b.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

impl Text {
    /// A text that was a `Text` already (kept by the replayed view as plain bytes), not
    /// validated again.
    pub(crate) fn from_valid(s: &str) -> Self {
        Self(s.to_string())
    }

    /// Validates `s`.
    pub fn new(s: impl Into<String>) -> Result<Self, ValueError> {
        let s: String = s.into();
        let preview = || s.chars().take(40).collect::<String>();
        if s.len() > MAX_TEXT_BYTES {
            return Err(ValueError::Text {
                preview: preview(),
                reason: "longer than 4096 bytes",
            });
        }
        if has_control(&s) {
            return Err(ValueError::Text {
                preview: preview(),
                reason: "contains a control character (tab, newline, escape, ...)",
            });
        }
        Ok(Self(s))
    }

    /// The empty text.
    pub fn empty() -> Self {
        Self(String::new())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<String> for Text {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::new(s)
    }
}
impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0
    }
}
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The log's origin: its C2SP checkpoint origin line and signed-note key name. A schemeless
/// URL-like name such as `act.example.org/ledger`: 1 to 255 bytes of printable ASCII, no
/// spaces and no `+` (C2SP signed-note key names).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Origin(String);

impl Origin {
    /// Validates `s`.
    pub fn new(s: impl Into<String>) -> Result<Self, ValueError> {
        let value: String = s.into();
        let err = |reason| ValueError::Origin {
            value: value.clone(),
            reason,
        };
        if value.is_empty() || value.len() > 255 {
            return Err(err("must be 1 to 255 bytes"));
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(err("only printable ASCII without spaces is allowed"));
        }
        if value.contains('+') {
            return Err(err("'+' is not allowed in a signed-note key name"));
        }
        if value.contains("://") {
            return Err(err("must be schemeless (no https://)"));
        }
        Ok(Self(value))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Origin {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::new(s)
    }
}
impl From<Origin> for String {
    fn from(o: Origin) -> String {
        o.0
    }
}
impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_on_the_bytes_as_on_the_chars() {
        for c in (0u32..=0x10_ffff).filter_map(char::from_u32) {
            for s in [
                c.to_string(),
                format!("a{c}"),
                format!("{c}z"),
                format!("é{c}€"),
            ] {
                assert_eq!(has_control(&s), s.chars().any(char::is_control), "{:?}", s);
            }
        }
    }

    #[test]
    fn text_rejects_control_and_long() {
        assert!(Text::new("Côte d'Ivoire").is_ok());
        assert!(Text::new("a\nb").is_err());
        assert!(Text::new("\u{1b}[31m").is_err());
        assert!(Text::new("x".repeat(4097)).is_err());
        assert!(Text::new("x".repeat(4096)).is_ok());
    }

    #[test]
    fn origin_rules() {
        assert!(Origin::new("act.example.org/ledger").is_ok());
        assert!(Origin::new("").is_err());
        assert!(Origin::new("a b").is_err());
        assert!(Origin::new("a+b").is_err());
        assert!(Origin::new("https://x").is_err());
    }

    #[test]
    fn public_key_rejects_invalid_and_weak() {
        // The identity point (small order) is weak.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(PublicKey::try_from_bytes(identity).is_err());
        assert!(PublicKey::from_hex("zz").is_err());
    }

    #[test]
    fn key_cache_never_admits_an_invalid_key() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        // Fill the cache past its size with valid keys, then ask again for the weak one and
        // for a key seen before and evicted.
        let first = crate::keys::SigningKey::from_seed(&[1; 32]).public();
        for i in 0..(KEY_CACHE as u8 + 5) {
            let k = crate::keys::SigningKey::from_seed(&[i; 32]).public();
            assert_eq!(PublicKey::try_from_bytes(k.0).ok(), Some(k));
            assert!(PublicKey::try_from_bytes(identity).is_err());
        }
        assert_eq!(PublicKey::try_from_bytes(first.0).ok(), Some(first));
        assert!(PublicKey::try_from_bytes(identity).is_err());
    }
}
