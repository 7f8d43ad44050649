//! The rule state as parts a store keeps (docs/FORMAT.md, "Rule state"): one small part and
//! the large indexes cut by draft and by seq, so an append loads only what its rules read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::encoding;
use crate::error::DecodeError;
use crate::state::StateCode;
use crate::types::{Origin, PublicKey, Seq, Timestamp};

use super::entries::{FactIndex, TermEntry};
use super::large::{DraftsPart, Large};
use super::{KeyInfo, LedgerState, StatePart};

/// The small part, as encoded (field order is the encoding's).
#[derive(Serialize)]
struct SmallRef<'a> {
    origin: &'a Option<Origin>,
    events: u64,
    last_time: &'a Option<Timestamp>,
    keys: &'a BTreeMap<PublicKey, KeyInfo>,
    supporters: &'a BTreeMap<StateCode, Seq>,
    terms: &'a BTreeMap<StateCode, Vec<TermEntry>>,
    calendars: &'a BTreeMap<(String, u16), Seq>,
    tallies: &'a BTreeMap<(Date, String), Seq>,
    adherence_dates: &'a BTreeMap<StateCode, Date>,
    attestations: &'a Vec<(Date, Seq)>,
}

#[derive(Deserialize)]
struct Small {
    origin: Option<Origin>,
    events: u64,
    last_time: Option<Timestamp>,
    keys: BTreeMap<PublicKey, KeyInfo>,
    supporters: BTreeMap<StateCode, Seq>,
    terms: BTreeMap<StateCode, Vec<TermEntry>>,
    calendars: BTreeMap<(String, u16), Seq>,
    tallies: BTreeMap<(Date, String), Seq>,
    adherence_dates: BTreeMap<StateCode, Date>,
    attestations: Vec<(Date, Seq)>,
}

/// The draft parts in two slices: a whole state's parts are gathered a slice at a time (one
/// pass over the indexes each), so that only half of its entries' references (16-40 bytes
/// each, ~1M at 1M events) are held at once; the entries are borrowed, not copied.
fn draft_slices() -> impl Iterator<Item = std::ops::Range<u32>> {
    const SLICES: u32 = 2;
    let per = super::DRAFT_PARTS / SLICES;
    (0..SLICES).map(move |i| i * per..(i + 1) * per)
}

fn corrupt(part: StatePart, e: impl std::fmt::Display) -> DecodeError {
    DecodeError::Malformed(format!("rule state part {part:?}: {e}"))
}

impl LedgerState {
    /// Whether this state holds only some of its parts ([`LedgerState::partial`]).
    pub fn is_partial(&self) -> bool {
        self.large.is_partial()
    }

    /// Whether `part` is loaded (every part of a whole state is).
    pub fn has_part(&self, part: StatePart) -> bool {
        self.large.has_part(part)
    }

    /// A state of which only the small part is loaded: its rules refuse with
    /// [`crate::error::RuleError::NotLoaded`] until the parts they read are loaded
    /// ([`LedgerState::load_part`]). What it admits, a whole state admits alike.
    pub fn partial(small: &[u8]) -> Result<Self, DecodeError> {
        let s: Small = encoding::decode_snapshot(small)?;
        Ok(Self {
            origin: s.origin,
            events: s.events,
            last_time: s.last_time,
            keys: s.keys,
            large: Large::partial(),
            supporters: s.supporters,
            terms: s.terms,
            calendars: s.calendars,
            tallies: s.tallies,
            adherence_dates: s.adherence_dates,
            attestations: s.attestations,
            terms_version: 0,
            council_cache: Default::default(),
        })
    }

    /// Loads a stored part (`bytes` as [`LedgerState::part_bytes`] gave them; empty: a part
    /// without entries). [`StatePart::Small`] and [`StatePart::All`] are not loaded this way.
    pub fn load_part(&mut self, part: StatePart, bytes: &[u8]) -> Result<(), DecodeError> {
        match part {
            StatePart::Drafts(b) => {
                let p: DraftsPart = if bytes.is_empty() {
                    DraftsPart::default()
                } else {
                    encoding::decode_snapshot(bytes)?
                };
                self.large.load_drafts(b, p).map_err(|e| corrupt(part, e))
            }
            StatePart::Facts(c) => {
                let slots: Vec<Option<FactIndex>> = if bytes.is_empty() {
                    Vec::new()
                } else {
                    encoding::decode_snapshot(bytes)?
                };
                if slots.last().is_some_and(Option::is_none) {
                    return Err(corrupt(part, "trailing empty slots"));
                }
                self.large
                    .load_facts(c, slots)
                    .map_err(|e| corrupt(part, e))
            }
            StatePart::Small | StatePart::All => Err(corrupt(part, "not a loadable part")),
        }
    }

    /// A whole state from its small part and every other non-empty part (as
    /// [`LedgerState::parts`] gave them).
    pub fn from_parts<B: AsRef<[u8]>>(
        small: &[u8],
        parts: impl IntoIterator<Item = Result<(StatePart, B), DecodeError>>,
    ) -> Result<Self, DecodeError> {
        let mut s = Self::partial(small)?;
        for p in parts {
            let (part, bytes) = p?;
            s.load_part(part, bytes.as_ref())?;
        }
        s.large.make_whole();
        Ok(s)
    }

    /// Starts recording which parts the events admitted from now on change (a state a
    /// store resumed from its stored parts, so that it writes only those back).
    pub fn track_changes(&mut self) {
        self.large.track_changes();
    }

    /// Stops recording changes, so that the store writes the state whole at its next write
    /// (as for a state replayed from the log).
    pub fn untrack_changes(&mut self) {
        self.large.untrack_changes();
    }

    /// The parts changed since tracking began (the small part always counts as changed), or
    /// `None` if changes were not tracked; tracking starts again.
    pub fn take_changed(&mut self) -> Option<Vec<StatePart>> {
        self.large
            .take_changed()
            .map(|d| std::iter::once(StatePart::Small).chain(d).collect())
    }

    /// Declares a partial state whole: every stored part was loaded into it.
    pub fn make_whole(&mut self) {
        self.large.make_whole();
    }

    /// The encoding of one part (a deterministic function of the state; empty for a part
    /// without entries, which a store need not keep). [`StatePart::All`] has none.
    pub fn part_bytes(&self, part: StatePart) -> Result<Vec<u8>, DecodeError> {
        match part {
            StatePart::Small => encoding::encode_snapshot(&SmallRef {
                origin: &self.origin,
                events: self.events,
                last_time: &self.last_time,
                keys: &self.keys,
                supporters: &self.supporters,
                terms: &self.terms,
                calendars: &self.calendars,
                tallies: &self.tallies,
                adherence_dates: &self.adherence_dates,
                attestations: &self.attestations,
            }),
            StatePart::Drafts(b) => {
                let p = self.large.drafts_part(b);
                if p == DraftsPart::default() {
                    Ok(Vec::new())
                } else {
                    encoding::encode_snapshot(&p)
                }
            }
            StatePart::Facts(c) => {
                let slots = self.large.facts_part(c);
                if slots.is_empty() {
                    Ok(Vec::new())
                } else {
                    encoding::encode_snapshot(&slots)
                }
            }
            StatePart::All => Err(corrupt(part, "not a stored part")),
        }
    }

    /// The parts this state holds with their encodings: for a whole state, the small part and
    /// every non-empty part (in [`StatePart`] order); for a partial one, the small part and the
    /// parts loaded (some perhaps empty now).
    pub fn parts(&self) -> Result<Vec<(StatePart, Vec<u8>)>, DecodeError> {
        let mut out = vec![(StatePart::Small, self.part_bytes(StatePart::Small)?)];
        if self.is_partial() {
            for p in self.large.present_parts() {
                out.push((p, self.part_bytes(p)?));
            }
            return Ok(out);
        }
        for slice in draft_slices() {
            for (b, p) in self.large.drafts_parts_in(slice) {
                out.push((StatePart::Drafts(b), encoding::encode_snapshot(&p)?));
            }
        }
        for c in self.large.fact_parts() {
            out.push((
                StatePart::Facts(c),
                encoding::encode_snapshot(&self.large.facts_part(c))?,
            ));
        }
        Ok(out)
    }

    /// The encodings of `parts` ([`LedgerState::part_bytes`] of each, in the order given):
    /// for many parts of a whole state, its draft parts are cut out in one pass over the
    /// indexes rather than one pass per part.
    pub fn parts_bytes(&self, parts: &[StatePart]) -> Result<Vec<Vec<u8>>, DecodeError> {
        const ONE_PASS_FROM: usize = 8;
        let drafts = parts
            .iter()
            .filter(|p| matches!(p, StatePart::Drafts(_)))
            .count();
        if self.is_partial() || drafts < ONE_PASS_FROM {
            return parts.iter().map(|p| self.part_bytes(*p)).collect();
        }
        let mut out: Vec<Vec<u8>> = vec![Vec::new(); parts.len()];
        for slice in draft_slices() {
            let some = self.large.drafts_parts_in(slice.clone());
            for (p, o) in parts.iter().zip(out.iter_mut()) {
                if let StatePart::Drafts(b) = p {
                    if slice.contains(b) {
                        if let Ok(i) = some.binary_search_by_key(b, |(n, _)| *n) {
                            if let Some((_, d)) = some.get(i) {
                                *o = encoding::encode_snapshot(d)?;
                            }
                        }
                    }
                }
            }
        }
        for (p, o) in parts.iter().zip(out.iter_mut()) {
            if !matches!(p, StatePart::Drafts(_)) {
                *o = self.part_bytes(*p)?;
            }
        }
        Ok(out)
    }

    /// The whole state as bytes (each non-empty part with its number): equal states give equal
    /// bytes. For comparing states; a store keeps the parts.
    pub fn to_snapshot(&self) -> Result<Vec<u8>, DecodeError> {
        let parts: Vec<(u8, u64, Vec<u8>)> = self
            .parts()?
            .into_iter()
            .filter(|(_, b)| !b.is_empty())
            .map(|(p, b)| match p {
                StatePart::Small | StatePart::All => (0, 0, b),
                StatePart::Drafts(n) => (1, u64::from(n), b),
                StatePart::Facts(n) => (2, n, b),
            })
            .collect();
        encoding::encode_snapshot(&parts)
    }
}

#[cfg(test)]
mod tests {
    use super::super::draft_part;
    use crate::symbol::DraftSymbol;

    #[test]
    fn draft_parts_spread_consecutive_numbers() {
        let parts: std::collections::BTreeSet<u32> = (1..=4096)
            .map(|n| draft_part(DraftSymbol::new(2020, n).unwrap()))
            .collect();
        assert_eq!(parts.len(), 4096);
        assert_eq!(
            draft_part(DraftSymbol::new(2020, 1).unwrap()),
            (1 + 397 * 2020) % 4096
        );
    }
}
