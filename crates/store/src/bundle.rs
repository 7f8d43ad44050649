//! Events stored in bundles: the `bundles` tree holds [`EVENTS_PER_BUNDLE`] consecutive events
//! per sled value (docs/FORMAT.md §7).
//!
//! Bundle `b` (key: `b` as u64 big-endian) holds the events `16·b, 16·b + 1, …` in order, each
//! as `length (u32 big-endian) || stored event bytes`. Every bundle but the last holds exactly
//! 16 events. One sled key per 16 events instead of one per event: sled's cost is per key
//! (writing ~9 µs, iterating ~1.2 µs each on the reference machine), so bundles make the log's
//! writes ~6× and its reads ~7× cheaper (docs/PERFORMANCE.md).
//!
//! [`split`] is total: every byte of a stored value belongs to some event position, so damage
//! anywhere in a bundle (a byte of an event, of a length, bytes added or cut) shows as an event
//! that does not decode at the position where the damage is, which verify reports by its seq.

/// Events per bundle.
pub const EVENTS_PER_BUNDLE: u64 = 16;

/// Bytes of the length that precedes each event in a bundle.
pub const LEN_BYTES: usize = 4;

/// The sled key of bundle `bundle`.
pub fn key(bundle: u64) -> [u8; 8] {
    bundle.to_be_bytes()
}

/// The bundle number of a key, if the key is 8 bytes.
pub fn number(key: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(key).ok().map(u64::from_be_bytes)
}

/// The bundle that holds `seq`, and the event's position in it.
pub fn locate(seq: u64) -> (u64, usize) {
    // The remainder is below 16.
    (seq / EVENTS_PER_BUNDLE, (seq % EVENTS_PER_BUNDLE) as usize)
}

/// The seq of the first event of bundle `bundle`.
pub fn first_seq(bundle: u64) -> u64 {
    bundle.saturating_mul(EVENTS_PER_BUNDLE)
}

/// Appends one event (its length, then its bytes) to a bundle being built.
///
/// # Panics
/// Never for an event this program stores: events are at most
/// `actledger_core::encoding::MAX_EVENT_BYTES`, far below 4 GiB.
pub fn push(bundle: &mut Vec<u8>, event: &[u8]) {
    let len = u32::try_from(event.len()).unwrap_or(u32::MAX);
    bundle.extend_from_slice(&len.to_be_bytes());
    bundle.extend_from_slice(event);
}

/// A bundle of `events`, in order.
pub fn join<'a>(events: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        push(&mut out, e);
    }
    out
}

/// The events of a stored bundle value, in order: at most [`EVENTS_PER_BUNDLE`].
///
/// An event whose length is cut short, runs past the end of the value, or (for the 16th)
/// leaves bytes after it is returned as all the rest of the value, its length bytes included,
/// so it does not decode; nothing after it is returned.
pub fn split(value: &[u8]) -> Split<'_> {
    Split {
        rest: value,
        index: 0,
    }
}

/// The number of events [`split`] finds in a stored bundle value.
pub fn count(value: &[u8]) -> usize {
    split(value).count()
}

/// Iterator of [`split`].
#[derive(Debug, Clone)]
pub struct Split<'a> {
    rest: &'a [u8],
    index: u64,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() || self.index >= EVENTS_PER_BUNDLE {
            return None;
        }
        self.index += 1;
        let whole = self.rest;
        let declared = whole
            .get(..LEN_BYTES)
            .and_then(|b| <[u8; LEN_BYTES]>::try_from(b).ok())
            .map(|b| u32::from_be_bytes(b) as usize);
        let body = whole.get(LEN_BYTES..).unwrap_or_default();
        let last_allowed = self.index == EVENTS_PER_BUNDLE;
        match declared {
            Some(n) if n <= body.len() && !(last_allowed && n != body.len()) => {
                let (event, rest) = body.split_at(n);
                self.rest = rest;
                Some(event)
            }
            _ => {
                self.rest = &[];
                Some(whole)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| vec![i as u8; 10 + i]).collect()
    }

    #[test]
    fn a_bundle_splits_into_its_events() {
        for n in 0..=16 {
            let evs = events(n);
            let b = join(evs.iter().map(|e| e.as_slice()));
            let back: Vec<&[u8]> = split(&b).collect();
            assert_eq!(back, evs.iter().map(|e| e.as_slice()).collect::<Vec<_>>());
            assert_eq!(count(&b), n);
        }
    }

    #[test]
    fn damage_shows_at_the_event_where_it_is() {
        let evs = events(16);
        let b = join(evs.iter().map(|e| e.as_slice()));
        // Every single-byte change leaves the events before the damaged one intact and makes
        // the damaged one (or, for a changed length, the one it names) differ.
        for pos in 0..b.len() {
            let mut d = b.clone();
            d[pos] ^= 0x80;
            let got: Vec<&[u8]> = split(&d).collect();
            assert!(got.len() <= 16);
            let first_diff = got
                .iter()
                .zip(&evs)
                .position(|(g, e)| *g != e.as_slice())
                .unwrap_or(got.len());
            assert!(first_diff < 16, "byte {pos}: damage not visible");
            // The event that holds the damaged byte (length included) is the first to differ.
            let mut start = 0;
            let owner = evs
                .iter()
                .position(|e| {
                    start += LEN_BYTES + e.len();
                    pos < start
                })
                .unwrap();
            assert_eq!(first_diff, owner, "byte {pos}");
        }
        // Bytes added after the 16th event, or cut from the end, change the last event.
        let mut more = b.clone();
        more.push(0);
        assert_eq!(split(&more).count(), 16);
        assert_ne!(split(&more).last(), Some(evs[15].as_slice()));
        let cut = &b[..b.len() - 1];
        assert_ne!(split(cut).last(), Some(evs[15].as_slice()));
        // A length cut short.
        assert_eq!(split(&[0, 0]).collect::<Vec<_>>(), vec![&[0u8, 0][..]]);
    }

    #[test]
    fn seqs_map_to_bundles() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(15), (0, 15));
        assert_eq!(locate(16), (1, 0));
        assert_eq!(first_seq(3), 48);
        assert_eq!(number(&key(7)), Some(7));
        assert_eq!(number(&[1, 2]), None);
    }
}
