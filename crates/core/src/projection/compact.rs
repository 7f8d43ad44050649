//! The compact form in which a [`View`](super::View) holds the facts that make up most of a
//! large log: Council votes and tabled drafts.
//!
//! A replayed vote as an owned [`CouncilVote`] costs an allocation for its 15 members' votes
//! and one for each of its texts (source, note, meeting record), each with its own allocator
//! overhead; at 1M events the view held ~0.7 GB that way. Here a vote is a fixed-size record
//! ([`VoteRecord`], 48 bytes) whose members' votes lie in one shared array and whose texts are
//! ids into one [`Texts`] arena, where each distinct text is kept once (a draft's source is
//! usually its vote's source too). The projections read them through [`VoteRef`] and
//! [`DraftRef`], which borrow from the view and look like the facts they stand for;
//! `to_fact` gives back the owned fact.

use crate::date::Date;
use crate::event::{CouncilVote, DraftTabled, MemberVote, ReportedVote};
use crate::state::StateCode;
use crate::symbol::{DraftSymbol, UnSymbol};
use crate::types::{Seq, Text};

/// An id into [`Texts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TextId(u32);

impl TextId {
    /// No text (an absent optional text such as a vote's meeting record).
    pub(crate) const NONE: TextId = TextId(u32::MAX);
}

/// Texts, each distinct one kept once, back to back in one buffer.
///
/// Holds at most `u32::MAX - 1` distinct texts (a view of that many would need far more
/// memory than any machine has); beyond that a text is not kept and reads back as empty.
#[derive(Debug, Clone, Default)]
pub(crate) struct Texts {
    bytes: String,
    /// The end of each text in `bytes` (its start is the previous one's end).
    ends: Vec<u64>,
    /// While replaying: the id of a recently kept text by its hash, direct-mapped
    /// ([`RECENT`] slots of `(hash, id)`), so that a text that recurs (an agenda item, a
    /// press release cited by many votes, a draft's source cited again by its vote) is kept
    /// once, in a bounded table: an index of every text cost more at its peak (~36 MB at 1M
    /// events) than the texts it would share. Dropped by [`Texts::seal`].
    recent: Vec<(u64, u32)>,
}

/// Slots of [`Texts::recent`] (a power of two): 4 MiB.
const RECENT: usize = 1 << 18;

impl PartialEq for Texts {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && self.ends == other.ends
    }
}
impl Eq for Texts {}

/// A fast hash of a text (FxHash's step over 8-byte words, then a final mix): interning runs
/// on the replay's one folding thread, for several texts an event.
fn hash_of(s: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let b = s.as_bytes();
    let mut h = b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    // Mix the high bits down (the table uses the low ones).
    h ^ (h >> 29) ^ (h >> 47)
}

impl Texts {
    /// The id of `s`, keeping it if it is new.
    pub(crate) fn intern(&mut self, s: &str) -> TextId {
        // The empty text (most notes) reads back from NONE.
        if s.is_empty() {
            return TextId::NONE;
        }
        let h = hash_of(s);
        if self.recent.is_empty() {
            self.recent = vec![(0, u32::MAX); RECENT];
        }
        let slot = (h as usize) & (RECENT - 1);
        if let Some(&(sh, id)) = self.recent.get(slot) {
            if sh == h && id != u32::MAX && self.get(TextId(id)) == s {
                return TextId(id);
            }
        }
        let Ok(id) = u32::try_from(self.ends.len()) else {
            return TextId::NONE;
        };
        if id == u32::MAX {
            return TextId::NONE;
        }
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len() as u64);
        if let Some(e) = self.recent.get_mut(slot) {
            *e = (h, id);
        }
        TextId(id)
    }

    /// The id of an optional symbol ([`TextId::NONE`] for none).
    pub(crate) fn intern_symbol(&mut self, s: Option<&UnSymbol>) -> TextId {
        s.map_or(TextId::NONE, |s| self.intern(s.as_str()))
    }

    /// The text of `id` (empty for [`TextId::NONE`]).
    pub(crate) fn get(&self, id: TextId) -> &str {
        let i = id.0 as usize;
        let end = self.ends.get(i).copied().unwrap_or(0);
        let start = match i.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or(0),
            None => 0,
        };
        let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
            return "";
        };
        self.bytes.get(start..end).unwrap_or("")
    }

    /// Ends the replay: drops the lookup index and spare capacity.
    pub(crate) fn seal(&mut self) {
        self.recent = Vec::new();
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Bytes held (for measurements).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8
    }
}

/// A Council vote as the view holds it (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoteRecord {
    pub(crate) seq: Seq,
    pub(crate) draft: DraftSymbol,
    pub(crate) date: Date,
    pub(crate) procedural: bool,
    pub(crate) meeting: TextId,
    pub(crate) source: TextId,
    pub(crate) note: TextId,
    /// Its members' votes: `members[start..start + len]` of the view's shared array.
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// A tabled draft as the view holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftRecord {
    pub(crate) seq: Seq,
    pub(crate) draft: DraftSymbol,
    pub(crate) tabled_on: Option<Date>,
    pub(crate) subject: TextId,
    pub(crate) agenda_item: TextId,
    pub(crate) source: TextId,
    pub(crate) note: TextId,
    /// Index into the view's reported votes and penholder lists, `u32::MAX` for none (most
    /// drafts have neither).
    pub(crate) extra: u32,
}

/// What few drafts carry: penholders and a source's report of the vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftExtra {
    pub(crate) penholders: Vec<StateCode>,
    pub(crate) reported_vote: Option<ReportedVote>,
}

/// The parts of the view a vote or draft record points into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pools {
    pub(crate) texts: Texts,
    pub(crate) members: Vec<MemberVote>,
    pub(crate) draft_extras: Vec<DraftExtra>,
}

impl Pools {
    /// The compact record of `v`, recorded at `seq`.
    pub(crate) fn vote(&mut self, seq: Seq, v: &CouncilVote) -> VoteRecord {
        // A vote has 15 members (a shape rule at decode); the count is kept, whatever it is.
        let start = u32::try_from(self.members.len()).unwrap_or(u32::MAX);
        let len = u32::try_from(v.votes.len()).unwrap_or(0);
        if start < u32::MAX && start.checked_add(len).is_some() {
            self.members.extend_from_slice(&v.votes);
        }
        VoteRecord {
            seq,
            draft: v.draft,
            date: v.date,
            procedural: v.procedural,
            meeting: self.texts.intern_symbol(v.meeting.as_ref()),
            source: self.texts.intern(v.source.as_str()),
            note: self.texts.intern(v.note.as_str()),
            start,
            len,
        }
    }

    /// The compact record of `d`, recorded at `seq`.
    pub(crate) fn draft(&mut self, seq: Seq, d: DraftTabled) -> DraftRecord {
        let extra = if d.penholders.is_empty() && d.reported_vote.is_none() {
            u32::MAX
        } else {
            let i = u32::try_from(self.draft_extras.len()).unwrap_or(u32::MAX);
            if i < u32::MAX {
                self.draft_extras.push(DraftExtra {
                    penholders: d.penholders,
                    reported_vote: d.reported_vote,
                });
            }
            i
        };
        DraftRecord {
            seq,
            draft: d.draft,
            tabled_on: d.tabled_on,
            subject: self.texts.intern(d.subject.as_str()),
            agenda_item: self.texts.intern(d.agenda_item.as_str()),
            source: self.texts.intern(d.source.as_str()),
            note: self.texts.intern(d.note.as_str()),
            extra,
        }
    }

    /// The members' votes of `r`.
    pub(crate) fn members_of(&self, r: &VoteRecord) -> &[MemberVote] {
        let start = r.start as usize;
        self.members
            .get(start..start.saturating_add(r.len as usize))
            .unwrap_or(&[])
    }
}

/// A Council vote in the view: the event that recorded it, the corrections applied, and the
/// effective vote (borrowed from the view).
#[derive(Debug, Clone, Copy)]
pub struct VoteRef<'a> {
    /// Sequence number of the event that recorded the vote.
    pub seq: Seq,
    /// Sequence numbers of the corrections applied, in log order.
    pub corrections: &'a [Seq],
    /// The effective vote.
    pub fact: VoteFacts<'a>,
}

/// The fields of a [`CouncilVote`] in the view.
#[derive(Debug, Clone, Copy)]
pub struct VoteFacts<'a> {
    /// The draft voted on.
    pub draft: DraftSymbol,
    /// Day of the vote.
    pub date: Date,
    /// Whether the vote was procedural (no veto applies).
    pub procedural: bool,
    /// The members' votes, sorted by state code.
    pub votes: &'a [MemberVote],
    meeting: Option<&'a str>,
    source: &'a str,
    note: &'a str,
}

impl<'a> VoteFacts<'a> {
    pub(crate) fn of(pools: &'a Pools, r: &VoteRecord) -> Self {
        Self {
            draft: r.draft,
            date: r.date,
            procedural: r.procedural,
            votes: pools.members_of(r),
            meeting: (r.meeting != TextId::NONE).then(|| pools.texts.get(r.meeting)),
            source: pools.texts.get(r.source),
            note: pools.texts.get(r.note),
        }
    }

    /// Meeting record, e.g. `S/PV.9143`.
    pub fn meeting(&self) -> Option<UnSymbol> {
        self.meeting.map(UnSymbol::from_valid)
    }

    /// Meeting record, borrowed.
    pub fn meeting_str(&self) -> Option<&'a str> {
        self.meeting
    }

    /// Source.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Free note.
    pub fn note(&self) -> &'a str {
        self.note
    }

    /// The owned fact.
    pub fn to_fact(&self) -> CouncilVote {
        CouncilVote {
            draft: self.draft,
            meeting: self.meeting(),
            date: self.date,
            procedural: self.procedural,
            votes: self.votes.to_vec(),
            source: Text::from_valid(self.source),
            note: Text::from_valid(self.note),
        }
    }
}

/// A tabled draft in the view.
#[derive(Debug, Clone, Copy)]
pub struct DraftRef<'a> {
    /// Sequence number of the event that recorded it.
    pub seq: Seq,
    /// Sequence numbers of the corrections applied, in log order.
    pub corrections: &'a [Seq],
    /// The effective fact.
    pub fact: DraftFacts<'a>,
}

/// The fields of a [`DraftTabled`] in the view.
#[derive(Debug, Clone, Copy)]
pub struct DraftFacts<'a> {
    /// Its symbol.
    pub draft: DraftSymbol,
    /// Day put in blue, if known.
    pub tabled_on: Option<Date>,
    subject: &'a str,
    agenda_item: &'a str,
    source: &'a str,
    note: &'a str,
    extra: Option<&'a DraftExtra>,
}

impl<'a> DraftFacts<'a> {
    pub(crate) fn of(pools: &'a Pools, r: &DraftRecord) -> Self {
        Self {
            draft: r.draft,
            tabled_on: r.tabled_on,
            subject: pools.texts.get(r.subject),
            agenda_item: pools.texts.get(r.agenda_item),
            source: pools.texts.get(r.source),
            note: pools.texts.get(r.note),
            extra: pools.draft_extras.get(r.extra as usize),
        }
    }

    /// What it is about.
    pub fn subject(&self) -> &'a str {
        self.subject
    }

    /// The Council's agenda item.
    pub fn agenda_item(&self) -> &'a str {
        self.agenda_item
    }

    /// Source.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Free note.
    pub fn note(&self) -> &'a str {
        self.note
    }

    /// Penholders / sponsors (sorted, may be empty).
    pub fn penholders(&self) -> &'a [StateCode] {
        self.extra.map_or(&[], |e| e.penholders.as_slice())
    }

    /// What a source reported about its vote.
    pub fn reported_vote(&self) -> Option<&'a ReportedVote> {
        self.extra.and_then(|e| e.reported_vote.as_ref())
    }

    /// The owned fact.
    pub fn to_fact(&self) -> DraftTabled {
        DraftTabled {
            draft: self.draft,
            subject: Text::from_valid(self.subject),
            agenda_item: Text::from_valid(self.agenda_item),
            penholders: self.penholders().to_vec(),
            tabled_on: self.tabled_on,
            reported_vote: self.reported_vote().cloned(),
            source: Text::from_valid(self.source),
            note: Text::from_valid(self.note),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_kept_once_and_read_back() {
        let mut t = Texts::default();
        let a = t.intern("https://example.org/a");
        let b = t.intern("");
        let c = t.intern("https://example.org/a");
        assert_eq!(a, c);
        assert_ne!(a, b);
        assert_eq!(b, TextId::NONE);
        // Texts of every length around a word's, each kept once and read back.
        let many: Vec<String> = (0..40).map(|n| "x".repeat(n + 1)).collect();
        let ids: Vec<TextId> = many.iter().map(|m| t.intern(m)).collect();
        for (m, id) in many.iter().zip(&ids) {
            assert_eq!(t.get(*id), m);
            assert_eq!(t.intern(m), *id);
        }
        assert_eq!(t.get(a), "https://example.org/a");
        assert_eq!(t.get(b), "");
        assert_eq!(t.get(TextId::NONE), "");
        t.seal();
        assert_eq!(t.get(a), "https://example.org/a");
        let d = t.intern("x");
        assert_eq!(t.get(d), "x");
    }
}
