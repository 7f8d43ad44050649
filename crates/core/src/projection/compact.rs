//! The compact form in which a [`View`](super::View) holds the facts that make up most of a
//! large log: Council votes and tabled drafts.
//!
//! A replayed vote as an owned [`CouncilVote`] costs an allocation for its 15 members' votes
//! and one for each of its texts (source, note, meeting record), each with its own allocator
//! overhead; at 1M events the view held ~0.7 GB that way. Here a vote is a fixed-size record
//! ([`VoteRecord`], 36 bytes) whose members' votes lie in one shared array, 2 bytes each
//! ([`PackedVote`]), and whose texts are ids into one [`Texts`] arena, where each distinct
//! text is kept once (a draft's source is usually its vote's source too, and its reported
//! vote's meeting record its vote's). A draft is a [`DraftRecord`] (40 bytes); what few drafts carry (penholders, a source's
//! report of the vote) is a fixed-size [`DraftExtra`] whose state lists lie in one shared
//! array. The projections read them through [`VoteRef`] and [`DraftRef`], which borrow from
//! the view and look like the facts they stand for; `to_fact` gives back the owned fact.

use crate::date::Date;
use crate::event::{CouncilVote, DraftTabled, MemberVote, ReportedVote, Tally, Vote};
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

/// A member's vote as the view holds it: the state's position in the table of states
/// ([`StateCode::position`]) and the vote, 2 bytes instead of an owned [`MemberVote`]'s 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackedVote([u8; 2]);

impl PackedVote {
    fn pack(m: &MemberVote) -> Self {
        let vote = match m.vote {
            Vote::Yes => 0,
            Vote::No => 1,
            Vote::Abstain => 2,
            Vote::Absent => 3,
        };
        Self([m.state.position(), vote])
    }

    /// The member's vote (`None` only for a position no state has, which `pack` never
    /// writes).
    fn unpack(self) -> Option<MemberVote> {
        let [state, vote] = self.0;
        let vote = match vote {
            0 => Vote::Yes,
            1 => Vote::No,
            2 => Vote::Abstain,
            _ => Vote::Absent,
        };
        Some(MemberVote {
            state: StateCode::at_position(state)?,
            vote,
        })
    }
}

/// The members' votes of a vote in the view, sorted by state code, as they are kept
/// (2 bytes each); read them with [`Members::iter`] or `for m in members`.
#[derive(Debug, Clone, Copy)]
pub struct Members<'a>(&'a [PackedVote]);

impl<'a> Members<'a> {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The members' votes, in order.
    pub fn iter(&self) -> MembersIter<'a> {
        MembersIter(self.0.iter())
    }

    /// The members' votes as owned values.
    pub fn to_vec(&self) -> Vec<MemberVote> {
        self.iter().collect()
    }
}

impl<'a> IntoIterator for Members<'a> {
    type Item = MemberVote;
    type IntoIter = MembersIter<'a>;
    fn into_iter(self) -> MembersIter<'a> {
        self.iter()
    }
}

/// The iterator of [`Members`].
#[derive(Debug, Clone)]
pub struct MembersIter<'a>(std::slice::Iter<'a, PackedVote>);

impl Iterator for MembersIter<'_> {
    type Item = MemberVote;
    fn next(&mut self) -> Option<MemberVote> {
        self.0.by_ref().find_map(|p| p.unpack())
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.0.len()))
    }
}

/// A sequence number in two 4-byte halves, so that a record holding one needs no 8-byte
/// alignment (no padding after its 2- and 1-byte fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SplitSeq([u32; 2]);

impl SplitSeq {
    fn of(seq: Seq) -> Self {
        // The low and high halves: truncation is the point.
        Self([seq.0 as u32, (seq.0 >> 32) as u32])
    }

    fn get(self) -> Seq {
        let [lo, hi] = self.0;
        Seq(u64::from(hi) << 32 | u64::from(lo))
    }
}

/// A Council vote as the view holds it (see the module documentation): 36 bytes, the
/// draft's year and number kept apart so that they pack with the flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoteRecord {
    seq: SplitSeq,
    number: u32,
    pub(crate) date: Date,
    meeting: TextId,
    source: TextId,
    note: TextId,
    /// Its members' votes: `members[start..start + len]` of the view's shared array.
    start: u32,
    year: u16,
    len: u8,
    procedural: bool,
}

impl VoteRecord {
    /// The seq of the event that recorded the vote.
    pub(crate) fn seq(&self) -> Seq {
        self.seq.get()
    }

    /// The draft voted on.
    pub(crate) fn draft(&self) -> DraftSymbol {
        DraftSymbol::from_valid_parts(self.year, self.number)
    }
}

/// A tabled draft as the view holds it (40 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftRecord {
    seq: SplitSeq,
    number: u32,
    pub(crate) tabled_on: Option<Date>,
    subject: TextId,
    agenda_item: TextId,
    source: TextId,
    note: TextId,
    /// Index into the view's [`DraftExtra`]s, `u32::MAX` for none (most drafts have
    /// neither penholders nor a reported vote).
    extra: u32,
    year: u16,
}

impl DraftRecord {
    /// The seq of the event that recorded the draft.
    pub(crate) fn seq(&self) -> Seq {
        self.seq.get()
    }

    /// Its symbol.
    pub(crate) fn draft(&self) -> DraftSymbol {
        DraftSymbol::from_valid_parts(self.year, self.number)
    }
}

/// A run of the view's shared array of state codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct StateRun {
    start: u32,
    len: u32,
}

/// A source's report of a draft's vote ([`ReportedVote`]) as the view holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ReportedRecord {
    date: Date,
    meeting: TextId,
    tally: Option<Tally>,
    vetoed_by: StateRun,
}

/// What few drafts carry: penholders and a source's report of the vote (fixed size, the
/// state lists in the view's shared array).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftExtra {
    penholders: StateRun,
    reported_vote: Option<ReportedRecord>,
}

/// The parts of the view a vote or draft record points into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pools {
    pub(crate) texts: Texts,
    members: Vec<PackedVote>,
    draft_extras: Vec<DraftExtra>,
    /// Penholders and reported vetoes of the drafts' extras.
    states: Vec<StateCode>,
}

impl Pools {
    /// Keeps `states` in the shared array.
    fn states(&mut self, states: &[StateCode]) -> StateRun {
        let (Ok(start), Ok(len)) = (
            u32::try_from(self.states.len()),
            u32::try_from(states.len()),
        ) else {
            return StateRun::default();
        };
        if start.checked_add(len).is_none() {
            return StateRun::default();
        }
        self.states.extend_from_slice(states);
        StateRun { start, len }
    }

    fn states_of(&self, run: StateRun) -> &[StateCode] {
        let start = run.start as usize;
        self.states
            .get(start..start.saturating_add(run.len as usize))
            .unwrap_or(&[])
    }

    /// Room for `votes` more votes' members (the replay knows the log's length).
    pub(crate) fn reserve_members(&mut self, votes: usize) {
        self.members.reserve(votes.saturating_mul(15));
    }

    /// Ends the replay: drops lookup tables and spare capacity.
    pub(crate) fn seal(&mut self) {
        self.texts.seal();
        self.members.shrink_to_fit();
        self.draft_extras.shrink_to_fit();
        self.states.shrink_to_fit();
    }

    /// Bytes held (for measurements).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.texts.heap_bytes()
            + self.members.capacity() * std::mem::size_of::<PackedVote>()
            + self.draft_extras.capacity() * std::mem::size_of::<DraftExtra>()
            + self.states.capacity() * std::mem::size_of::<StateCode>()
    }

    /// The compact record of `v`, recorded at `seq`.
    pub(crate) fn vote(&mut self, seq: Seq, v: &CouncilVote) -> VoteRecord {
        // A vote has 15 members (a shape rule at decode); the count is kept, whatever it is
        // up to 255.
        let start = u32::try_from(self.members.len()).unwrap_or(u32::MAX);
        let len = u8::try_from(v.votes.len()).unwrap_or(0);
        let (start, len) = if start < u32::MAX && start.checked_add(u32::from(len)).is_some() {
            self.members
                .extend(v.votes.iter().take(usize::from(len)).map(PackedVote::pack));
            (start, len)
        } else {
            (0, 0)
        };
        VoteRecord {
            seq: SplitSeq::of(seq),
            note: self.texts.intern(v.note.as_str()),
            number: v.draft.number(),
            year: v.draft.year(),
            date: v.date,
            procedural: v.procedural,
            meeting: self.texts.intern_symbol(v.meeting.as_ref()),
            source: self.texts.intern(v.source.as_str()),
            start,
            len,
        }
    }

    /// The compact record of `d`, recorded at `seq`.
    pub(crate) fn draft(&mut self, seq: Seq, d: &DraftTabled) -> DraftRecord {
        let extra = if d.penholders.is_empty() && d.reported_vote.is_none() {
            u32::MAX
        } else {
            let i = u32::try_from(self.draft_extras.len()).unwrap_or(u32::MAX);
            if i < u32::MAX {
                let penholders = self.states(&d.penholders);
                let reported_vote = d.reported_vote.as_ref().map(|r| ReportedRecord {
                    date: r.date,
                    meeting: self.texts.intern_symbol(r.meeting.as_ref()),
                    tally: r.tally,
                    vetoed_by: self.states(&r.vetoed_by),
                });
                self.draft_extras.push(DraftExtra {
                    penholders,
                    reported_vote,
                });
            }
            i
        };
        DraftRecord {
            seq: SplitSeq::of(seq),
            note: self.texts.intern(d.note.as_str()),
            number: d.draft.number(),
            year: d.draft.year(),
            tabled_on: d.tabled_on,
            subject: self.texts.intern(d.subject.as_str()),
            agenda_item: self.texts.intern(d.agenda_item.as_str()),
            source: self.texts.intern(d.source.as_str()),
            extra,
        }
    }

    /// The members' votes of `r`.
    fn members_of(&self, r: &VoteRecord) -> Members<'_> {
        let start = r.start as usize;
        Members(
            self.members
                .get(start..start.saturating_add(usize::from(r.len)))
                .unwrap_or(&[]),
        )
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
    pub votes: Members<'a>,
    meeting: Option<&'a str>,
    source: &'a str,
    note: &'a str,
}

impl<'a> VoteFacts<'a> {
    pub(crate) fn of(pools: &'a Pools, r: &VoteRecord) -> Self {
        Self {
            draft: r.draft(),
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
    penholders: &'a [StateCode],
    reported_vote: Option<(ReportedRecord, &'a str, &'a [StateCode])>,
}

impl<'a> DraftFacts<'a> {
    pub(crate) fn of(pools: &'a Pools, r: &DraftRecord) -> Self {
        let extra = pools.draft_extras.get(r.extra as usize);
        Self {
            draft: r.draft(),
            tabled_on: r.tabled_on,
            subject: pools.texts.get(r.subject),
            agenda_item: pools.texts.get(r.agenda_item),
            source: pools.texts.get(r.source),
            note: pools.texts.get(r.note),
            penholders: extra.map_or(&[], |e| pools.states_of(e.penholders)),
            reported_vote: extra.and_then(|e| e.reported_vote).map(|rv| {
                (
                    rv,
                    pools.texts.get(rv.meeting),
                    pools.states_of(rv.vetoed_by),
                )
            }),
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
        self.penholders
    }

    /// What a source reported about its vote.
    pub fn reported_vote(&self) -> Option<ReportedVote> {
        self.reported_vote
            .map(|(r, meeting, vetoed_by)| ReportedVote {
                date: r.date,
                meeting: (r.meeting != TextId::NONE).then(|| UnSymbol::from_valid(meeting)),
                tally: r.tally,
                vetoed_by: vetoed_by.to_vec(),
            })
    }

    /// The owned fact.
    pub fn to_fact(&self) -> DraftTabled {
        DraftTabled {
            draft: self.draft,
            subject: Text::from_valid(self.subject),
            agenda_item: Text::from_valid(self.agenda_item),
            penholders: self.penholders().to_vec(),
            tabled_on: self.tabled_on,
            reported_vote: self.reported_vote(),
            source: Text::from_valid(self.source),
            note: Text::from_valid(self.note),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes the module documentation gives (what a 1M-event view is made of).
    #[test]
    fn records_keep_their_sizes() {
        assert_eq!(std::mem::size_of::<PackedVote>(), 2);
        assert_eq!(std::mem::size_of::<VoteRecord>(), 36);
        assert_eq!(std::mem::size_of::<DraftRecord>(), 40);
        for seq in [0, 1, u64::from(u32::MAX), u64::from(u32::MAX) + 1, u64::MAX] {
            assert_eq!(SplitSeq::of(Seq(seq)).get(), Seq(seq));
        }
    }

    /// A member's vote reads back as it was packed, for every state and vote.
    #[test]
    fn members_votes_read_back_as_packed() {
        let votes = [Vote::Yes, Vote::No, Vote::Abstain, Vote::Absent];
        let all: Vec<MemberVote> = StateCode::all()
            .zip(votes.iter().cycle())
            .map(|(state, vote)| MemberVote { state, vote: *vote })
            .collect();
        assert!(all.len() > 190);
        let packed: Vec<PackedVote> = all.iter().map(PackedVote::pack).collect();
        assert_eq!(Members(&packed).to_vec(), all);
        assert_eq!(Members(&packed).len(), all.len());
    }

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
