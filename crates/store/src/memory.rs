use crate::{LogReader, StoreError};

/// An in-memory log for tests and offline checks (e.g. entries read from a snapshot).
#[derive(Debug, Clone, Default)]
pub struct MemoryLog {
    /// `(key, bytes)` in key order.
    pub entries: Vec<(u64, Vec<u8>)>,
}

impl MemoryLog {
    /// A log whose keys are the positions of `events`.
    pub fn from_events(events: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self {
            entries: events
                .into_iter()
                .enumerate()
                .map(|(i, b)| (i as u64, b))
                .collect(),
        }
    }
}

impl LogReader for MemoryLog {
    fn len(&self) -> Result<u64, StoreError> {
        Ok(self.entries.last().map_or(0, |(k, _)| k + 1))
    }
    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .entries
            .iter()
            .find(|(k, _)| *k == seq)
            .map(|(_, b)| b.clone()))
    }
    fn scan(&self, from: u64) -> crate::Scan<'_> {
        Box::new(
            self.entries
                .iter()
                .filter(move |(k, _)| *k >= from)
                .cloned()
                .map(Ok),
        )
    }
}
