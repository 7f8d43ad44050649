//! The one canonical codec: serde + bincode 2.0.1 in a fixed configuration. All bincode use in
//! the project lives here (one codec: docs/FORMAT.md §1-§2), so the format is defined in one place.
//!
//! Configuration (docs/FORMAT.md §1): little-endian, fixed-width integers (`u8` 1 byte, `u16`
//! 2, `u32` 4, `u64`/`i64` 8), sequence and string lengths as `u64`, enum variants as `u32`,
//! `Option` as a `0x00`/`0x01` byte, `bool` as `0x00`/`0x01`, structs and tuples as the
//! concatenation of their fields, and a 65,535-byte limit on input.

use bincode::config::{Configuration, Fixint, Limit, LittleEndian};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::DecodeError;

/// The largest encoded event, in bytes (the C2SP tlog-tiles entry-bundle limit).
pub const MAX_EVENT_BYTES: usize = 65_535;

type Config = Configuration<LittleEndian, Fixint, Limit<MAX_EVENT_BYTES>>;

const CONFIG: Config = bincode::config::standard()
    .with_little_endian()
    .with_fixed_int_encoding()
    .with_limit::<MAX_EVENT_BYTES>();

/// Encodes a value canonically. Fails only if the value is over [`MAX_EVENT_BYTES`] or a
/// field refuses to serialize.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, DecodeError> {
    let bytes = bincode::serde::encode_to_vec(value, CONFIG)
        .map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: MAX_EVENT_BYTES,
        });
    }
    Ok(bytes)
}

/// Appends the canonical encoding of a value to `out` (no buffer of its own). Fails only if
/// a field refuses to serialize; the caller checks the size.
pub fn encode_append<T: Serialize>(value: &T, out: &mut Vec<u8>) -> Result<(), DecodeError> {
    bincode::serde::encode_into_std_write(value, out, CONFIG)
        .map(|_| ())
        .map_err(|e| DecodeError::Malformed(e.to_string()))
}

/// Decodes exactly one canonical value: rejects input over the size limit, trailing bytes,
/// and any input that does not re-encode to the same bytes.
pub fn decode<T: Serialize + DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let value: T = decode_trusted(bytes)?;
    if !encodes_to(&value, bytes) {
        return Err(DecodeError::NonCanonical);
    }
    Ok(value)
}

/// Whether `value` encodes to exactly `expected`, compared as it is encoded (no copy: this
/// runs for every event verify decodes).
pub(crate) fn encodes_to<T: Serialize>(value: &T, expected: &[u8]) -> bool {
    /// Compares what the encoder writes with the expected bytes; stops at the first
    /// difference or overrun.
    struct Compare<'a> {
        rest: &'a [u8],
    }
    impl bincode::enc::write::Writer for Compare<'_> {
        fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
            match self.rest.split_at_checked(bytes.len()) {
                Some((head, tail)) if head == bytes => {
                    self.rest = tail;
                    Ok(())
                }
                _ => Err(bincode::error::EncodeError::Other("not the expected bytes")),
            }
        }
    }
    let mut w = Compare { rest: expected };
    bincode::serde::encode_into_writer(value, &mut w, CONFIG).is_ok() && w.rest.is_empty()
}

/// Decodes one value without the re-encoding check: for replaying bytes this program wrote
/// and verified before (projections, rebuilding rule state). Verification uses [`decode`].
pub(crate) fn decode_trusted<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: MAX_EVENT_BYTES,
        });
    }
    let (value, used): (T, usize) = bincode::serde::decode_from_slice(bytes, CONFIG)
        .map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if used != bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - used));
    }
    Ok(value)
}

/// The largest rule-state part (or other derived value), in bytes.
pub const MAX_SNAPSHOT_BYTES: usize = u32::MAX as usize;

type SnapshotConfig =
    Configuration<LittleEndian, bincode::config::Varint, Limit<MAX_SNAPSHOT_BYTES>>;

/// Snapshots of derived state (never signed, never exchanged) use variable-width integers,
/// which halve their size, and a 4 GiB limit.
const SNAPSHOT: SnapshotConfig = bincode::config::standard()
    .with_little_endian()
    .with_variable_int_encoding()
    .with_limit::<MAX_SNAPSHOT_BYTES>();

/// Encodes derived state for a store (see `rules::LedgerState::to_snapshot`).
pub fn encode_snapshot<T: Serialize>(value: &T) -> Result<Vec<u8>, DecodeError> {
    bincode::serde::encode_to_vec(value, SNAPSHOT)
        .map_err(|e| DecodeError::Malformed(e.to_string()))
}

/// Decodes what [`encode_snapshot`] wrote (exactly one value, no trailing bytes).
pub fn decode_snapshot<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let (value, used): (T, usize) = bincode::serde::decode_from_slice(bytes, SNAPSHOT)
        .map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if used != bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - used));
    }
    Ok(value)
}

/// [`encode_snapshot`]'s bytes in parts of `part` bytes (the last one shorter), with their
/// SHA-256; the whole encoding is never held in one buffer (a million-event rule state encodes
/// to tens of MB, and one buffer that large, once freed, makes glibc keep every later
/// allocation below its size on the heap: docs/PERFORMANCE.md).
pub fn encode_snapshot_parts<T: Serialize>(
    value: &T,
    part: usize,
) -> Result<(Vec<Vec<u8>>, [u8; 32]), DecodeError> {
    use sha2::Digest;
    struct Parts {
        part: usize,
        done: Vec<Vec<u8>>,
        current: Vec<u8>,
        hash: sha2::Sha256,
    }
    impl std::io::Write for Parts {
        fn write(&mut self, mut buf: &[u8]) -> std::io::Result<usize> {
            let n = buf.len();
            self.hash.update(buf);
            while !buf.is_empty() {
                let room = self.part - self.current.len();
                let (now, rest) = buf.split_at(room.min(buf.len()));
                self.current.extend_from_slice(now);
                buf = rest;
                if self.current.len() == self.part {
                    let full = std::mem::replace(&mut self.current, Vec::with_capacity(self.part));
                    self.done.push(full);
                }
            }
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let part = part.max(1);
    let mut w = Parts {
        part,
        done: Vec::new(),
        current: Vec::with_capacity(part),
        hash: sha2::Sha256::new(),
    };
    bincode::serde::encode_into_std_write(value, &mut w, SNAPSHOT)
        .map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if !w.current.is_empty() {
        w.done.push(w.current);
    }
    Ok((w.done, w.hash.finalize().into()))
}

/// Decodes what [`encode_snapshot_parts`] wrote from its parts, in order (exactly one value:
/// a byte after it is an error; a part that cannot be had is an error naming why). Fields are
/// read in place from each part where they lie whole in it.
pub fn decode_snapshot_parts<T, P>(
    parts: impl Iterator<Item = Result<P, String>>,
) -> Result<T, DecodeError>
where
    T: DeserializeOwned,
    P: AsRef<[u8]> + Default,
{
    struct Parts<I, P> {
        parts: I,
        current: P,
        at: usize,
    }
    impl<I: Iterator<Item = Result<P, String>>, P: AsRef<[u8]> + Default> Parts<I, P> {
        /// Makes the current part have unread bytes; false at the end of the parts.
        fn fill(&mut self) -> Result<bool, bincode::error::DecodeError> {
            while self.at >= self.current.as_ref().len() {
                match self.parts.next() {
                    None => return Ok(false),
                    Some(Ok(p)) => {
                        self.current = p;
                        self.at = 0;
                    }
                    Some(Err(e)) => return Err(bincode::error::DecodeError::OtherString(e)),
                }
            }
            Ok(true)
        }
    }
    impl<I: Iterator<Item = Result<P, String>>, P: AsRef<[u8]> + Default> bincode::de::read::Reader
        for Parts<I, P>
    {
        fn read(&mut self, mut bytes: &mut [u8]) -> Result<(), bincode::error::DecodeError> {
            while !bytes.is_empty() {
                if !self.fill()? {
                    return Err(bincode::error::DecodeError::UnexpectedEnd {
                        additional: bytes.len(),
                    });
                }
                let rest = self.current.as_ref().get(self.at..).unwrap_or_default();
                let n = rest.len().min(bytes.len());
                let (now, later) = bytes.split_at_mut(n);
                now.copy_from_slice(&rest[..n]);
                self.at += n;
                bytes = later;
            }
            Ok(())
        }
        fn peek_read(&mut self, n: usize) -> Option<&[u8]> {
            self.current.as_ref().get(self.at..)?.get(..n)
        }
        fn consume(&mut self, n: usize) {
            self.at += n;
        }
    }
    let mut reader = Parts {
        parts,
        current: P::default(),
        at: 0,
    };
    let value: T = bincode::serde::decode_from_reader(&mut reader, SNAPSHOT)
        .map_err(|e| DecodeError::Malformed(e.to_string()))?;
    match reader.fill() {
        Ok(false) => Ok(value),
        Ok(true) => Err(DecodeError::Malformed("bytes after the snapshot".into())),
        Err(e) => Err(DecodeError::Malformed(e.to_string())),
    }
}

/// SHA-256 of what [`encode_snapshot`] would write, computed as it is written (no copy of
/// the encoding is held: a million-event rule state encodes to tens of MB).
pub fn snapshot_digest<T: Serialize>(value: &T) -> Result<[u8; 32], DecodeError> {
    use sha2::Digest;
    struct HashWriter(sha2::Sha256);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(sha2::Sha256::new());
    bincode::serde::encode_into_std_write(value, &mut w, SNAPSHOT)
        .map_err(|e| DecodeError::Malformed(e.to_string()))?;
    Ok(w.0.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A type whose decoding normalizes (upper-cases), so some inputs decode to a value that
    /// encodes differently: exactly what the canonical check must refuse.
    #[derive(Debug, PartialEq, Serialize)]
    struct Upper(String);

    impl<'de> serde::Deserialize<'de> for Upper {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(Upper(String::deserialize(d)?.to_uppercase()))
        }
    }

    #[test]
    fn a_value_that_encodes_differently_is_not_canonical() {
        let canonical = encode(&"ABC").unwrap();
        assert_eq!(decode::<Upper>(&canonical).unwrap(), Upper("ABC".into()));
        let other = encode(&"abc").unwrap();
        assert_eq!(
            decode_trusted::<Upper>(&other).unwrap(),
            Upper("ABC".into())
        );
        assert!(matches!(
            decode::<Upper>(&other),
            Err(DecodeError::NonCanonical)
        ));
    }

    #[test]
    fn the_comparison_needs_every_byte() {
        let bytes = encode(&(7u32, "xyz")).unwrap();
        assert!(encodes_to(&(7u32, "xyz"), &bytes));
        assert!(!encodes_to(&(7u32, "xyz"), &bytes[..bytes.len() - 1]));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(!encodes_to(&(7u32, "xyz"), &longer));
        let mut flipped = bytes;
        flipped[0] ^= 1;
        assert!(!encodes_to(&(7u32, "xyz"), &flipped));
    }

    #[test]
    fn snapshot_parts_are_the_encoding_cut_up() {
        let value: (Vec<u64>, String, Vec<String>) = (
            (0..5000).collect(),
            "x".repeat(3000),
            (0..300).map(|i| i.to_string()).collect(),
        );
        let whole = encode_snapshot(&value).unwrap();
        for part in [1, 7, 4096, whole.len(), whole.len() + 1] {
            let (parts, digest) = encode_snapshot_parts(&value, part).unwrap();
            assert!(parts.iter().all(|p| !p.is_empty() && p.len() <= part));
            assert!(parts[..parts.len() - 1].iter().all(|p| p.len() == part));
            assert_eq!(parts.concat(), whole);
            assert_eq!(digest, snapshot_digest(&value).unwrap());
            let back: (Vec<u64>, String, Vec<String>) =
                decode_snapshot_parts(parts.iter().map(|p| Ok::<_, String>(p.as_slice()))).unwrap();
            assert_eq!(back, value);
        }
        type V = (Vec<u64>, String, Vec<String>);
        let cut =
            |b: &[u8], n: usize| -> Vec<Vec<u8>> { b.chunks(n).map(<[u8]>::to_vec).collect() };
        let mut longer = whole.clone();
        longer.push(0);
        let parts = cut(&longer, 4096);
        assert!(decode_snapshot_parts::<V, _>(parts.iter().map(|p| Ok(p.as_slice()))).is_err());
        let parts = cut(&whole[..whole.len() - 1], 4096);
        assert!(decode_snapshot_parts::<V, _>(parts.iter().map(|p| Ok(p.as_slice()))).is_err());
        let parts = cut(&whole, 4096);
        let missing = parts.iter().enumerate().map(|(i, p)| {
            if i == 2 {
                Err("part 2 is missing".to_string())
            } else {
                Ok(p.as_slice())
            }
        });
        let err = decode_snapshot_parts::<V, _>(missing)
            .unwrap_err()
            .to_string();
        assert!(err.contains("part 2 is missing"), "{err}");
    }

    #[test]
    fn fixed_layout() {
        assert_eq!(encode(&1u64).unwrap(), [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(encode(&"ab").unwrap(), [2, 0, 0, 0, 0, 0, 0, 0, b'a', b'b']);
        assert_eq!(encode(&Some(7u8)).unwrap(), [1, 7]);
        assert_eq!(encode(&true).unwrap(), [1]);
    }

    #[test]
    fn strict_decode() {
        assert!(matches!(
            decode::<u64>(&[1, 0, 0, 0, 0, 0, 0, 0, 9]),
            Err(DecodeError::TrailingBytes(1))
        ));
        assert!(decode::<bool>(&[2]).is_err());
        assert!(decode::<Option<u8>>(&[2, 1]).is_err());
        // A length prefix far beyond the input must fail without allocating.
        assert!(decode::<Vec<u8>>(&[0xff; 8]).is_err());
        assert!(decode::<String>(&[1, 0, 0, 0, 0, 0, 0, 0, 0xff]).is_err());
        assert!(matches!(
            decode::<Vec<u8>>(&vec![0; MAX_EVENT_BYTES + 1]),
            Err(DecodeError::TooLarge { .. })
        ));
    }
}
