//! Reading events from their bundles (the event-shaped [`LogReader`]).

use crate::bundle;
use crate::{LogReader, StoreError};

use super::Ledger;

/// The number of a stored bundle key.
pub(super) fn bundle_number(k: &[u8]) -> Result<u64, StoreError> {
    bundle::number(k).ok_or_else(|| {
        StoreError::Corrupted(format!("bundle key of {} bytes, expected 8", k.len()))
    })
}

/// The events of bundle `b` (stored value `v`) with seqs in `from..to`.
pub(super) fn bundle_events(
    b: u64,
    v: &[u8],
    from: u64,
    to: u64,
) -> impl Iterator<Item = (u64, &[u8])> {
    let first = bundle::first_seq(b);
    bundle::split(v)
        .enumerate()
        .map(move |(i, e)| (first.saturating_add(i as u64), e))
        .filter(move |(seq, _)| (from..to).contains(seq))
}

impl LogReader for Ledger {
    fn head(&self) -> Result<Option<(u64, actledger_core::EventHash)>, StoreError> {
        self.stored_head().map(Some)
    }

    fn len(&self) -> Result<u64, StoreError> {
        Ok(match self.bundles.last()? {
            None => 0,
            Some((k, v)) => {
                bundle::first_seq(bundle_number(&k)?).saturating_add(bundle::count(&v) as u64)
            }
        })
    }

    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let (b, i) = bundle::locate(seq);
        Ok(self
            .bundles
            .get(bundle::key(b))?
            .and_then(|v| bundle::split(&v).nth(i).map(<[u8]>::to_vec)))
    }

    fn scan_range(&self, from: u64, to: u64) -> crate::Scan<'_> {
        if from >= to {
            return Box::new(std::iter::empty());
        }
        self.read_events(from, to)
    }

    fn scan(&self, from: u64) -> crate::Scan<'_> {
        self.read_events(from, u64::MAX)
    }

    fn read_range(&self, from: u64, to: u64, out: &mut crate::EventRun) -> Result<(), StoreError> {
        for bundle in self.bundles_between(from, to) {
            let (b, v) = bundle?;
            for (seq, e) in bundle_events(b, &v, from, to) {
                out.push(seq, e);
            }
        }
        Ok(())
    }
}

impl Ledger {
    /// The first stored bundle numbered `b` or higher, by one lookup (and, if `b` is not
    /// stored, one step of an iterator: a gap is skipped without reading what is in it).
    pub(super) fn bundle_from(&self, b: u64) -> Result<Option<(u64, sled::IVec)>, StoreError> {
        if let Some(v) = self.bundles.get(bundle::key(b))? {
            return Ok(Some((b, v)));
        }
        match self.bundles.range(bundle::key(b)..).next() {
            None => Ok(None),
            Some(item) => {
                let (k, v) = item?;
                Ok(Some((bundle_number(&k)?, v)))
            }
        }
    }

    /// Stored events with seqs in `from..to`, in order, read bundle by bundle with lookups
    /// (sled's iterators keep every leaf they pass resident, which for bundles is the whole
    /// log: lookups keep a full read under 100 MB).
    pub(super) fn read_events(&self, from: u64, to: u64) -> crate::Scan<'_> {
        Box::new(self.bundles_between(from, to).flat_map(move |bundle| {
            match bundle {
                Ok((b, v)) => bundle_events(b, &v, from, to)
                    .map(|(seq, e)| Ok((seq, e.to_vec())))
                    .collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            }
        }))
    }

    /// The stored bundles that may hold events with seqs in `from..to`, in order, as
    /// `(number, value)`, each found by a lookup; after an error, nothing.
    pub(super) fn bundles_between(
        &self,
        from: u64,
        to: u64,
    ) -> impl Iterator<Item = Result<(u64, sled::IVec), StoreError>> + '_ {
        let mut next = Some(bundle::locate(from).0);
        std::iter::from_fn(move || {
            let b = next.take()?;
            if bundle::first_seq(b) >= to {
                return None;
            }
            match self.bundle_from(b) {
                Err(e) => Some(Err(e)),
                Ok(None) => None,
                Ok(Some((found, v))) => {
                    next = found.checked_add(1);
                    Some(Ok((found, v)))
                }
            }
        })
    }
}
