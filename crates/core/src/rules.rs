//! The ledger's rules: who may write what, and which facts cannot be true.
//!
//! [`LedgerState`] is replayed from the log. The same [`LedgerState::admit`] runs when an
//! event is appended and when the log is verified, so anything rejected at append is also
//! reported by `verify`, and nothing verify accepts could have been refused at append. It keeps
//! only the small indexes the rules need (not the events), so replaying a large log stays cheap.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::encoding;
use crate::error::{DecodeError, RuleError};
use crate::event::{
    AdherenceDate, CouncilVote, CredibilityAssessment, DatedAssessment, EventBody, Fact,
    ReportedVote, Role, Seat, Tally, UnsignedEvent,
};
use crate::outcome::{self, Outcome, VoteResult};
use crate::state::{StateCode, PERMANENT_MEMBERS};
use crate::symbol::DraftSymbol;
use crate::types::{Origin, PublicKey, Seq, Timestamp};

/// What the ledger knows of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// Roles granted, with the sequence number of each grant.
    pub roles: BTreeMap<Role, Seq>,
    /// Who holds it (from the first grant).
    pub holder: String,
    /// The revocation, if any.
    pub revoked: Option<Seq>,
}

/// Index entry kept for a fact so a later correction can find and replace it. 16 bytes: the
/// rare variants with large keys are boxed, because a ledger holds one entry per fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum FactIndex {
    Adherence(StateCode),
    Term(StateCode),
    Draft(DraftSymbol),
    Vote(DraftSymbol),
    Assessment(Box<(DraftSymbol, PublicKey)>),
    Meeting,
    Calendar(Box<(String, u16)>),
    /// A vote known by its tally (format revision 2): its day and its text's label.
    TallyVote(Box<(Date, String)>),
    /// A supporter list attestation (format revision 3): its list's day.
    Attestation(Date),
}

/// A set of permanent members (bit `i` = [`PERMANENT_MEMBERS`]`[i]`, in sorted order): who
/// vetoed a draft, as computed or as reported. Vetoers are permanent members by construction
/// (computed) and by the shape check (reported); any other state would set bit 7, which no
/// computed set has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct P5Set(u8);

impl P5Set {
    fn of(states: &[StateCode]) -> Self {
        Self(states.iter().fold(0, |bits, s| {
            bits | PERMANENT_MEMBERS
                .iter()
                .position(|p| *p == s.as_str())
                .map_or(0x80, |i| 1 << i)
        }))
    }

    /// The members, sorted ("none" when empty), for messages.
    fn show(self) -> String {
        let names: Vec<&str> = PERMANENT_MEMBERS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, p)| *p)
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }
}

/// What a recorded vote decided, as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Decided {
    Adopted,
    Vetoed(P5Set),
    Failed,
}

impl Decided {
    fn of(outcome: &Outcome) -> Self {
        match outcome {
            Outcome::Adopted => Self::Adopted,
            Outcome::Vetoed { by } => Self::Vetoed(P5Set::of(by)),
            Outcome::Failed => Self::Failed,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Adopted => "adopted",
            Self::Vetoed(_) => "vetoed",
            Self::Failed => "failed",
        }
    }

    fn vetoers(self) -> P5Set {
        match self {
            Self::Vetoed(by) => by,
            _ => P5Set::default(),
        }
    }
}

/// A recorded vote, as the rules need it (24 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct VoteEntry {
    seq: Seq,
    date: Date,
    tally: Tally,
    decided: Decided,
}

impl VoteEntry {
    fn of(seq: Seq, v: &CouncilVote) -> Self {
        let r: VoteResult = outcome::compute(&v.votes, v.procedural);
        Self {
            seq,
            date: v.date,
            tally: r.tally,
            decided: Decided::of(&r.outcome),
        }
    }
}

/// The vote a draft's source reports, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Reported {
    date: Date,
    tally: Option<Tally>,
    vetoed_by: P5Set,
}

impl Reported {
    fn of(r: &ReportedVote) -> Self {
        Self {
            date: r.date,
            tally: r.tally,
            vetoed_by: P5Set::of(&r.vetoed_by),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TermEntry {
    seq: Seq,
    seat: Seat,
    from: Date,
    to: Date,
}

/// The Council as last computed, with the span of dates it holds for (no term starts or ends
/// inside it), valid while the terms are unchanged (`terms_version`). Votes arrive in date
/// order and each checks its 15 members, so the Council is rebuilt from every term only when
/// a vote falls outside the span (about once a year of votes). Not part of the state: a clone
/// starts empty.
#[derive(Default)]
struct CouncilCache(std::sync::Mutex<Option<CachedCouncil>>);

struct CachedCouncil {
    span: Span,
    terms_version: u64,
    council: std::sync::Arc<BTreeMap<StateCode, Seat>>,
}

/// Dates on which every term is in force exactly when it is on the day a span was built for:
/// `date >= from_incl`, `date > after`, `date < before`, `date <= to_incl` (each bound absent
/// when no term gives one).
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    from_incl: Option<Date>,
    after: Option<Date>,
    before: Option<Date>,
    to_incl: Option<Date>,
}

impl Span {
    /// The span around `day` that no term boundary of `terms` cuts.
    fn around(day: Date, terms: &BTreeMap<StateCode, Vec<TermEntry>>) -> Self {
        let mut s = Span::default();
        for t in terms.values().flatten() {
            if t.from <= day {
                s.from_incl = s.from_incl.max(Some(t.from));
            } else {
                s.before = Some(s.before.map_or(t.from, |b| b.min(t.from)));
            }
            if t.to < day {
                s.after = s.after.max(Some(t.to));
            } else {
                s.to_incl = Some(s.to_incl.map_or(t.to, |b| b.min(t.to)));
            }
        }
        s
    }

    fn contains(&self, date: Date) -> bool {
        self.from_incl.is_none_or(|d| date >= d)
            && self.after.is_none_or(|d| date > d)
            && self.before.is_none_or(|d| date < d)
            && self.to_incl.is_none_or(|d| date <= d)
    }
}

impl Clone for CouncilCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for CouncilCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CouncilCache")
    }
}

/// The state the rules need, replayed from the log. Its snapshot
/// ([`LedgerState::to_snapshot`]) lets a store resume appending without replaying the log.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LedgerState {
    origin: Option<Origin>,
    events: u64,
    last_time: Option<Timestamp>,
    keys: BTreeMap<PublicKey, KeyInfo>,
    /// By seq: the index entry of the fact recorded there (`None` for other events).
    facts: Vec<Option<FactIndex>>,
    supporters: BTreeMap<StateCode, Seq>,
    terms: BTreeMap<StateCode, Vec<TermEntry>>,
    drafts: BTreeMap<DraftSymbol, (Seq, Option<Reported>)>,
    votes: BTreeMap<DraftSymbol, VoteEntry>,
    assessments: BTreeMap<(DraftSymbol, PublicKey), Seq>,
    calendars: BTreeMap<(String, u16), Seq>,
    /// Each supporter's adherence date, exact or listed-by (format revision 3: what an
    /// attested list is checked against).
    adherence_dates: BTreeMap<StateCode, Date>,
    /// The attested supporter lists: their day and seq, in log order.
    attestations: Vec<(Date, Seq)>,
    /// Bumped whenever `terms` changes.
    #[serde(skip)]
    terms_version: u64,
    #[serde(skip)]
    council_cache: CouncilCache,
}

impl LedgerState {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// The origin named at genesis.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }

    /// Number of events admitted.
    pub fn len(&self) -> u64 {
        self.events
    }

    /// Whether no event was admitted.
    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    /// Time of the last event.
    pub fn last_time(&self) -> Option<Timestamp> {
        self.last_time
    }

    /// Keys known to the ledger.
    pub fn keys(&self) -> &BTreeMap<PublicKey, KeyInfo> {
        &self.keys
    }

    /// Whether `key` may act in `role` now.
    pub fn key_has_role(&self, key: &PublicKey, role: Role) -> bool {
        self.keys
            .get(key)
            .is_some_and(|k| k.revoked.is_none() && k.roles.contains_key(&role))
    }

    /// The current supporters and the seq of each one's adherence event.
    pub fn supporters(&self) -> &BTreeMap<StateCode, Seq> {
        &self.supporters
    }

    /// The seqs of `draft`'s tabling and of its vote, if recorded (a corrected fact keeps the
    /// seq it was first recorded at).
    pub fn draft_seqs(&self, draft: DraftSymbol) -> (Option<Seq>, Option<Seq>) {
        (
            self.drafts.get(&draft).map(|(s, _)| *s),
            self.votes.get(&draft).map(|v| v.seq),
        )
    }

    /// Members of the Council on `date`, with their seat.
    pub fn council_on(&self, date: Date) -> BTreeMap<StateCode, Seat> {
        self.terms
            .iter()
            .filter_map(|(s, ts)| {
                ts.iter()
                    .find(|t| t.from <= date && date <= t.to)
                    .map(|t| (*s, t.seat))
            })
            .collect()
    }

    /// The state as bytes (a deterministic function of the state: equal states give equal
    /// bytes), for a store to keep beside the log it was replayed from.
    pub fn to_snapshot(&self) -> Result<Vec<u8>, DecodeError> {
        encoding::encode_snapshot(self)
    }

    /// SHA-256 of [`LedgerState::to_snapshot`]'s bytes, without holding them.
    pub fn snapshot_digest(&self) -> Result<[u8; 32], DecodeError> {
        encoding::snapshot_digest(self)
    }

    /// [`LedgerState::to_snapshot`]'s bytes in parts of `part` bytes, and their SHA-256
    /// ([`LedgerState::snapshot_digest`]), without one buffer of the whole.
    pub fn to_snapshot_parts(&self, part: usize) -> Result<(Vec<Vec<u8>>, [u8; 32]), DecodeError> {
        encoding::encode_snapshot_parts(self, part)
    }

    /// A state from the parts [`LedgerState::to_snapshot_parts`] made, in order (as
    /// [`LedgerState::from_snapshot`]).
    pub fn from_snapshot_parts<P: AsRef<[u8]> + Default>(
        parts: impl Iterator<Item = Result<P, String>>,
    ) -> Result<Self, DecodeError> {
        encoding::decode_snapshot_parts(parts)
    }

    /// A state from [`LedgerState::to_snapshot`] bytes. The bytes are only as good as the
    /// store they come from: a store checks them against the log (`verify` does).
    pub fn from_snapshot(bytes: &[u8]) -> Result<Self, DecodeError> {
        encoding::decode_snapshot(bytes)
    }

    fn fact(&self, seq: Seq) -> Option<&FactIndex> {
        usize::try_from(seq.0)
            .ok()
            .and_then(|i| self.facts.get(i))
            .and_then(Option::as_ref)
    }

    /// Checks `event` against the rules at this point of the log and, if admissible, applies it.
    /// `event.seq` must be the next position (the caller checks sequence and chain).
    pub fn admit(&mut self, event: &UnsignedEvent) -> Result<(), RuleError> {
        self.check(event)?;
        self.apply(event);
        Ok(())
    }

    fn check_author(
        &self,
        author: &PublicKey,
        role: Role,
        kind: &'static str,
    ) -> Result<(), RuleError> {
        let key = self.keys.get(author).ok_or_else(|| RuleError::UnknownKey {
            key: author.to_hex(),
        })?;
        if let Some(revoked_at) = key.revoked {
            return Err(RuleError::RevokedKey {
                key: author.to_hex(),
                revoked_at,
            });
        }
        if !key.roles.contains_key(&role) {
            let held: Vec<_> = key.roles.keys().map(|r| r.name()).collect();
            return Err(RuleError::MissingRole {
                key: author.to_hex(),
                needed: role.name(),
                kind,
                held: if held.is_empty() {
                    "none".into()
                } else {
                    held.join(", ")
                },
            });
        }
        Ok(())
    }

    /// Checks without applying.
    pub fn check(&self, event: &UnsignedEvent) -> Result<(), RuleError> {
        let seq = event.seq;
        if let Some(prev) = self.last_time {
            if event.recorded_at < prev {
                return Err(RuleError::TimeWentBack {
                    found: event.recorded_at.0,
                    previous: prev.0,
                });
            }
        }
        match &event.body {
            EventBody::LedgerCreated(g) => {
                if seq.0 != 0 || self.events != 0 {
                    return Err(RuleError::SecondGenesis);
                }
                if g.admin != event.author {
                    return Err(RuleError::BadGenesis);
                }
                Ok(())
            }
            _ if self.events == 0 => Err(RuleError::BadGenesis),
            EventBody::KeyGranted(g) => {
                self.check_author(&event.author, Role::Administrator, "KeyGranted")?;
                if let Some(k) = self.keys.get(&g.key) {
                    if let Some(at) = k.revoked {
                        return Err(RuleError::GrantToRevoked {
                            key: g.key.to_hex(),
                            at,
                        });
                    }
                    if let Some(at) = k.roles.get(&g.role) {
                        return Err(RuleError::RoleAlreadyHeld {
                            key: g.key.to_hex(),
                            role: g.role.name(),
                            at: *at,
                        });
                    }
                }
                Ok(())
            }
            EventBody::KeyRevoked(r) => {
                self.check_author(&event.author, Role::Administrator, "KeyRevoked")?;
                let k = self
                    .keys
                    .get(&r.key)
                    .ok_or_else(|| RuleError::NotALedgerKey {
                        key: r.key.to_hex(),
                    })?;
                if let Some(at) = k.revoked {
                    return Err(RuleError::AlreadyRevoked {
                        key: r.key.to_hex(),
                        at,
                    });
                }
                if k.roles.contains_key(&Role::Administrator) {
                    let other_admins = self
                        .keys
                        .iter()
                        .filter(|(pk, i)| {
                            **pk != r.key
                                && i.revoked.is_none()
                                && i.roles.contains_key(&Role::Administrator)
                        })
                        .count();
                    if other_admins == 0 {
                        return Err(RuleError::LastAdministrator {
                            key: r.key.to_hex(),
                        });
                    }
                }
                Ok(())
            }
            EventBody::Fact(f) => {
                self.check_author(&event.author, f.role(), f.kind())?;
                self.check_dates(f, event.recorded_at)?;
                self.check_fact(f, &event.author, None)
            }
            EventBody::Correction(c) => {
                let target = self
                    .fact(c.target)
                    .ok_or(RuleError::CorrectionTarget { target: c.target })?;
                if let FactIndex::Attestation(_) = target {
                    return Err(RuleError::AttestationFinal { target: c.target });
                }
                let same_kind = matches!(
                    (target, &c.replacement),
                    (FactIndex::Adherence(_), Fact::AdherenceLetter(_))
                        | (FactIndex::Term { .. }, Fact::CouncilTerm(_))
                        | (FactIndex::Draft(_), Fact::DraftTabled(_))
                        | (FactIndex::Vote(_), Fact::CouncilVote(_))
                        | (
                            FactIndex::Assessment(_),
                            Fact::CredibilityAssessment(_) | Fact::DatedAssessment(_)
                        )
                        | (FactIndex::Meeting, Fact::AssemblyMeeting(_))
                        | (FactIndex::Calendar(..), Fact::HolidayCalendar(_))
                        | (FactIndex::TallyVote(_), Fact::TallyVote(_))
                );
                if !same_kind {
                    return Err(RuleError::CorrectionKind {
                        target: c.target,
                        kind: c.replacement.kind(),
                    });
                }
                self.check_author(&event.author, c.replacement.role(), "Correction")?;
                if let FactIndex::Assessment(key) = target {
                    let assessor = &key.1;
                    if *assessor != event.author {
                        return Err(RuleError::NotTheAssessor {
                            assessor: assessor.to_hex(),
                            target: c.target,
                        });
                    }
                }
                self.check_dates(&c.replacement, event.recorded_at)?;
                self.check_fact(&c.replacement, &event.author, Some(c.target))
            }
        }
    }

    fn check_dates(&self, fact: &Fact, recorded_at: Timestamp) -> Result<(), RuleError> {
        let today = recorded_at
            .date()
            .ok_or(RuleError::RecordedAtOutOfRange(recorded_at.0))?;
        if let Some(d) = fact.past_dates().into_iter().find(|d| *d > today) {
            return Err(RuleError::FutureDate { date: d, today });
        }
        Ok(())
    }

    /// Domain checks of a fact; `replacing` is the seq of the fact a correction supersedes,
    /// whose own index entries are ignored.
    fn check_fact(
        &self,
        fact: &Fact,
        author: &PublicKey,
        replacing: Option<Seq>,
    ) -> Result<(), RuleError> {
        let other = |s: &Seq| Some(*s) != replacing;
        match fact {
            Fact::AdherenceLetter(a) => {
                if let Some(s) = self.supporters.get(&a.state).filter(|s| other(s)) {
                    return Err(RuleError::AlreadyAdhered {
                        state: a.state,
                        name: a.state.name(),
                        at: *s,
                    });
                }
                let start = crate::code::code_exists_from();
                if a.date.date() < start {
                    return Err(RuleError::BeforeTheCode {
                        state: a.state,
                        date: a.date.date(),
                        precision: a.date.precision(),
                        start,
                        source_of_start: crate::code::CODE_EXISTS_FROM_SOURCE,
                    });
                }
                if let (AdherenceDate::Exact(letter), Some(received)) = (a.date, a.received) {
                    if received < letter {
                        return Err(RuleError::ReceivedBeforeLetter { received, letter });
                    }
                }
                let old = match replacing.and_then(|r| self.fact(r)) {
                    Some(FactIndex::Adherence(s)) => Some(*s),
                    _ => None,
                };
                crate::attestation::check_adherence_change(
                    &self.attestations,
                    &self.adherence_dates,
                    old,
                    (a.state, a.date.date()),
                )
            }
            Fact::CouncilTerm(t) => {
                if t.state.status() == crate::state::UnStatus::Observer {
                    return Err(RuleError::NotAUnMember {
                        state: t.state,
                        name: t.state.name(),
                    });
                }
                if t.seat == Seat::Elected {
                    self.check_consecutive(t, replacing)?;
                }
                if let Some(r) = replacing {
                    self.check_term_dependents(t, r)?;
                }
                if let Some(ts) = self.terms.get(&t.state) {
                    if let Some(o) = ts
                        .iter()
                        .find(|o| other(&o.seq) && o.from <= t.to && t.from <= o.to)
                    {
                        return Err(RuleError::TermOverlap {
                            state: t.state,
                            from: t.from,
                            to: t.to,
                            other_from: o.from,
                            other_to: o.to,
                            other: o.seq,
                        });
                    }
                }
                // At most 5 permanent and 10 elected seats on any day.
                let cap = if t.seat == Seat::Permanent { 5 } else { 10 };
                let mut bounds: Vec<Date> = vec![t.from];
                let overlapping: Vec<&TermEntry> = self
                    .terms
                    .values()
                    .flatten()
                    .filter(|o| {
                        other(&o.seq) && o.seat == t.seat && o.from <= t.to && t.from <= o.to
                    })
                    .collect();
                bounds.extend(overlapping.iter().map(|o| o.from).filter(|d| *d >= t.from));
                for day in bounds {
                    let n = 1 + overlapping
                        .iter()
                        .filter(|o| o.from <= day && day <= o.to)
                        .count();
                    if n > cap {
                        return Err(RuleError::SeatCap {
                            day,
                            count: n,
                            seat: t.seat.name(),
                            cap,
                        });
                    }
                }
                Ok(())
            }
            Fact::DraftTabled(d) => {
                let dates = d
                    .tabled_on
                    .into_iter()
                    .chain(d.reported_vote.as_ref().map(|r| r.date));
                for date in dates {
                    symbol_not_after(d.draft, date)?;
                }
                if let Some(r) = replacing {
                    self.check_draft_dependents(d.draft, r)?;
                }
                if let Some((s, _)) = self.drafts.get(&d.draft).filter(|(s, _)| other(s)) {
                    return Err(RuleError::DraftTabledTwice {
                        draft: d.draft,
                        at: *s,
                    });
                }
                if let (Some(r), Some(v)) = (&d.reported_vote, self.votes.get(&d.draft)) {
                    check_reported(d.draft, &Reported::of(r), v)?;
                }
                Ok(())
            }
            Fact::CouncilVote(v) => {
                symbol_not_after(v.draft, v.date)?;
                if let Some(r) = replacing {
                    self.check_draft_dependents(v.draft, r)?;
                }
                if let Some(e) = self.votes.get(&v.draft).filter(|e| other(&e.seq)) {
                    return Err(RuleError::VotedTwice {
                        draft: v.draft,
                        date: e.date,
                        at: e.seq,
                    });
                }
                self.check_members(v)?;
                let entry = VoteEntry::of(Seq(0), v);
                if let Some((_, Some(r))) = self.drafts.get(&v.draft) {
                    check_reported(v.draft, r, &entry)?;
                }
                Ok(())
            }
            Fact::CredibilityAssessment(_) | Fact::DatedAssessment(_) => {
                let Some((a, _)) = fact.assessment() else {
                    return Ok(());
                };
                if !self.drafts.contains_key(&a.draft) && !self.votes.contains_key(&a.draft) {
                    return Err(RuleError::AssessedDraftUnknown { draft: a.draft });
                }
                if let Some(s) = self
                    .assessments
                    .get(&(a.draft, *author))
                    .filter(|s| other(s))
                {
                    return Err(RuleError::AssessedTwice {
                        draft: a.draft,
                        at: *s,
                    });
                }
                Ok(())
            }
            Fact::AssemblyMeeting(m) => {
                for f in &m.follows {
                    let Some(draft) = f.draft else { continue };
                    let v = self
                        .votes
                        .get(&draft)
                        .ok_or(RuleError::MeetingWithoutVote { draft })?;
                    if v.date != f.date {
                        return Err(RuleError::MeetingVetoDate {
                            draft,
                            named: f.date,
                            recorded: v.date,
                        });
                    }
                    if !matches!(v.decided, Decided::Vetoed(_)) {
                        return Err(RuleError::MeetingNotVetoed {
                            draft,
                            decided: v.decided.name(),
                        });
                    }
                }
                Ok(())
            }
            Fact::TallyVote(v) => {
                if let crate::event::VotedText::Draft(d) = &v.text {
                    symbol_not_after(*d, v.date)?;
                    if let Some(e) = self.votes.get(d) {
                        return Err(RuleError::VotedTwice {
                            draft: *d,
                            date: e.date,
                            at: e.seq,
                        });
                    }
                }
                let label = v.text.label();
                let twice = self.facts.iter().enumerate().find_map(|(i, f)| match f {
                    Some(FactIndex::TallyVote(k)) if k.0 == v.date && k.1 == label => {
                        Some(Seq(i as u64)).filter(|s| other(s))
                    }
                    _ => None,
                });
                if let Some(at) = twice {
                    return Err(RuleError::TextVotedTwice {
                        text: label,
                        date: v.date,
                        at,
                    });
                }
                let council = self.council_cached(v.date);
                if council.is_empty() {
                    return Err(RuleError::NoCouncil { date: v.date });
                }
                if let Some(m) = v.against.iter().find(|s| !council.contains_key(s)) {
                    return Err(RuleError::NotOnCouncil {
                        state: *m,
                        name: m.name(),
                        date: v.date,
                    });
                }
                if let Some(t) = v.tally {
                    let counted = usize::from(t.yes) + usize::from(t.no) + usize::from(t.abstain);
                    if counted > council.len() {
                        return Err(RuleError::TallyTooLarge {
                            tally: t,
                            date: v.date,
                            members: council.len(),
                        });
                    }
                }
                Ok(())
            }
            Fact::SupporterListAttested(a) => {
                crate::attestation::check_list(a, &self.adherence_dates)
            }
            Fact::HolidayCalendar(c) => {
                let key = (c.calendar.as_str().to_string(), c.year);
                if let Some(s) = self.calendars.get(&key).filter(|s| other(s)) {
                    return Err(RuleError::CalendarTwice {
                        calendar: c.calendar.to_string(),
                        year: c.year,
                        at: *s,
                    });
                }
                Ok(())
            }
        }
    }

    /// Art. 23(2): an elected member serves two years and is not eligible for immediate
    /// re-election, so no unbroken run of elected terms (however split across records) lasts
    /// more than two years. `replacing`: the term a correction supersedes, left out.
    fn check_consecutive(
        &self,
        t: &crate::event::CouncilTerm,
        replacing: Option<Seq>,
    ) -> Result<(), RuleError> {
        let mut spans: Vec<(Date, Date)> = self
            .terms
            .get(&t.state)
            .into_iter()
            .flatten()
            .filter(|o| Some(o.seq) != replacing && o.seat == Seat::Elected)
            .map(|o| (o.from, o.to))
            .collect();
        spans.push((t.from, t.to));
        spans.sort();
        // The unbroken run containing the new term: spans that overlap or touch it, grown
        // outwards.
        let (mut from, mut to) = (t.from, t.to);
        loop {
            let before = (from, to);
            for (a, b) in &spans {
                let touches =
                    *a <= to.next_day().unwrap_or(to) && from <= b.next_day().unwrap_or(*b);
                if touches {
                    from = from.min(*a);
                    to = to.max(*b);
                }
            }
            if (from, to) == before {
                break;
            }
        }
        // More than two years: the run reaches the day two years after its first day.
        let limit = Date::from_ymd(from.year() + 2, from.month(), from.day())
            .or_else(|_| Date::from_ymd(from.year() + 2, 3, 1));
        match limit {
            Ok(limit) if to >= limit => Err(RuleError::ImmediateReelection {
                state: t.state,
                from,
                to,
            }),
            _ => Ok(()),
        }
    }

    /// A correction of the term recorded at `r` into `t`: every recorded vote keeps exactly
    /// the members of its day, so no vote may fall on a day whose membership the correction
    /// changes (the member would have voted without a seat, or the vote would lack it).
    fn check_term_dependents(
        &self,
        t: &crate::event::CouncilTerm,
        r: Seq,
    ) -> Result<(), RuleError> {
        let Some((old_state, old)) = self
            .terms
            .iter()
            .find_map(|(s, ts)| ts.iter().find(|o| o.seq == r).map(|o| (*s, o)))
        else {
            return Ok(());
        };
        let others = |state: StateCode, day: Date| {
            self.terms
                .get(&state)
                .into_iter()
                .flatten()
                .any(|o| o.seq != r && o.from <= day && day <= o.to)
        };
        let mut votes: Vec<&VoteEntry> = self
            .votes
            .values()
            .filter(|v| {
                (old.from <= v.date && v.date <= old.to) || (t.from <= v.date && v.date <= t.to)
            })
            .collect();
        votes.sort_by_key(|v| v.seq);
        for v in votes {
            for state in [old_state, t.state] {
                let before = others(state, v.date)
                    || (state == old_state && old.from <= v.date && v.date <= old.to);
                let after = others(state, v.date)
                    || (state == t.state && t.from <= v.date && v.date <= t.to);
                if before != after {
                    let reason = if before {
                        RuleError::NotOnCouncil {
                            state,
                            name: state.name(),
                            date: v.date,
                        }
                    } else {
                        RuleError::MemberMissing {
                            date: v.date,
                            state,
                            name: state.name(),
                        }
                    };
                    return Err(RuleError::BreaksDependent {
                        target: r,
                        dependent: v.seq,
                        reason: Box::new(reason),
                    });
                }
            }
        }
        Ok(())
    }

    /// A correction of the draft or vote recorded at `r` that gives it another symbol than
    /// `draft`: the assessments of the old symbol must still concern a recorded draft.
    fn check_draft_dependents(&self, draft: DraftSymbol, r: Seq) -> Result<(), RuleError> {
        let (old, still) = match self.fact(r) {
            Some(FactIndex::Draft(old)) => (*old, self.votes.contains_key(old)),
            Some(FactIndex::Vote(old)) => (*old, self.drafts.contains_key(old)),
            _ => return Ok(()),
        };
        if old == draft || still {
            return Ok(());
        }
        let first = self
            .assessments
            .iter()
            .filter(|((d, _), _)| *d == old)
            .map(|(_, s)| *s)
            .min();
        match first {
            Some(dependent) => Err(RuleError::BreaksDependent {
                target: r,
                dependent,
                reason: Box::new(RuleError::AssessedDraftUnknown { draft: old }),
            }),
            None => Ok(()),
        }
    }

    /// [`LedgerState::council_on`], from the cache when the day and the terms are the same.
    fn council_cached(&self, date: Date) -> std::sync::Arc<BTreeMap<StateCode, Seat>> {
        let mut cache = self
            .council_cache
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = cache.as_ref() {
            if c.terms_version == self.terms_version && c.span.contains(date) {
                return c.council.clone();
            }
        }
        let council = std::sync::Arc::new(self.council_on(date));
        *cache = Some(CachedCouncil {
            span: Span::around(date, &self.terms),
            terms_version: self.terms_version,
            council: council.clone(),
        });
        council
    }

    fn check_members(&self, v: &CouncilVote) -> Result<(), RuleError> {
        let council = self.council_cached(v.date);
        if council.is_empty() {
            return Err(RuleError::NoCouncil { date: v.date });
        }
        for m in &v.votes {
            if !council.contains_key(&m.state) {
                return Err(RuleError::NotOnCouncil {
                    state: m.state,
                    name: m.state.name(),
                    date: v.date,
                });
            }
        }
        let voters: BTreeSet<StateCode> = v.votes.iter().map(|m| m.state).collect();
        if let Some(missing) = council.keys().find(|s| !voters.contains(s)) {
            return Err(RuleError::MemberMissing {
                date: v.date,
                state: *missing,
                name: missing.name(),
            });
        }
        if council.len() != 15 {
            return Err(RuleError::CouncilSize {
                date: v.date,
                count: council.len(),
            });
        }
        Ok(())
    }

    fn apply(&mut self, event: &UnsignedEvent) {
        let seq = event.seq;
        self.events += 1;
        self.last_time = Some(event.recorded_at);
        match &event.body {
            EventBody::LedgerCreated(g) => {
                self.origin = Some(g.origin.clone());
                self.keys.insert(
                    g.admin,
                    KeyInfo {
                        roles: BTreeMap::from([(Role::Administrator, seq)]),
                        holder: g.admin_holder.to_string(),
                        revoked: None,
                    },
                );
            }
            EventBody::KeyGranted(g) => {
                let info = self.keys.entry(g.key).or_insert_with(|| KeyInfo {
                    roles: BTreeMap::new(),
                    holder: g.holder.to_string(),
                    revoked: None,
                });
                info.roles.insert(g.role, seq);
            }
            EventBody::KeyRevoked(r) => {
                if let Some(k) = self.keys.get_mut(&r.key) {
                    k.revoked = Some(seq);
                }
            }
            EventBody::Fact(f) => self.insert_fact(seq, f, &event.author),
            EventBody::Correction(c) => {
                self.remove_fact(c.target);
                self.insert_fact(c.target, &c.replacement, &event.author);
            }
        }
    }

    fn remove_fact(&mut self, seq: Seq) {
        let taken = usize::try_from(seq.0)
            .ok()
            .and_then(|i| self.facts.get_mut(i))
            .and_then(Option::take);
        match taken {
            Some(FactIndex::Adherence(s)) => {
                self.supporters.remove(&s);
                self.adherence_dates.remove(&s);
            }
            Some(FactIndex::Term(state)) => {
                self.terms_version += 1;
                if let Some(ts) = self.terms.get_mut(&state) {
                    ts.retain(|t| t.seq != seq);
                }
            }
            Some(FactIndex::Draft(d)) => {
                self.drafts.remove(&d);
            }
            Some(FactIndex::Vote(d)) => {
                self.votes.remove(&d);
            }
            Some(FactIndex::Assessment(key)) => {
                self.assessments.remove(&*key);
            }
            Some(FactIndex::Calendar(key)) => {
                self.calendars.remove(&*key);
            }
            Some(FactIndex::Meeting | FactIndex::TallyVote(_) | FactIndex::Attestation(_))
            | None => {}
        }
    }

    /// `author` is the key that wrote the fact (for a correction of an assessment, the same
    /// assessor, enforced in `check`).
    fn insert_fact(&mut self, seq: Seq, fact: &Fact, author: &PublicKey) {
        let index = match fact {
            Fact::AdherenceLetter(a) => {
                self.supporters.insert(a.state, seq);
                self.adherence_dates.insert(a.state, a.date.date());
                FactIndex::Adherence(a.state)
            }
            Fact::CouncilTerm(t) => {
                self.terms_version += 1;
                self.terms.entry(t.state).or_default().push(TermEntry {
                    seq,
                    seat: t.seat,
                    from: t.from,
                    to: t.to,
                });
                FactIndex::Term(t.state)
            }
            Fact::DraftTabled(d) => {
                self.drafts
                    .insert(d.draft, (seq, d.reported_vote.as_ref().map(Reported::of)));
                FactIndex::Draft(d.draft)
            }
            Fact::CouncilVote(v) => {
                self.votes.insert(v.draft, VoteEntry::of(seq, v));
                FactIndex::Vote(v.draft)
            }
            Fact::CredibilityAssessment(CredibilityAssessment { draft, .. })
            | Fact::DatedAssessment(DatedAssessment {
                assessment: CredibilityAssessment { draft, .. },
                ..
            }) => {
                self.assessments.insert((*draft, *author), seq);
                FactIndex::Assessment(Box::new((*draft, *author)))
            }
            Fact::AssemblyMeeting(_) => FactIndex::Meeting,
            Fact::TallyVote(v) => FactIndex::TallyVote(Box::new((v.date, v.text.label()))),
            Fact::SupporterListAttested(a) => {
                self.attestations.push((a.list_date, seq));
                FactIndex::Attestation(a.list_date)
            }
            Fact::HolidayCalendar(c) => {
                let key = (c.calendar.as_str().to_string(), c.year);
                self.calendars.insert(key.clone(), seq);
                FactIndex::Calendar(Box::new(key))
            }
        };
        let Ok(at) = usize::try_from(seq.0) else {
            return;
        };
        if self.facts.len() <= at {
            self.facts.resize(at + 1, None);
        }
        if let Some(slot) = self.facts.get_mut(at) {
            *slot = Some(index);
        }
    }
}

/// A draft's symbol names the year it was issued: it cannot be later than a day the draft was
/// tabled or voted on.
fn symbol_not_after(draft: DraftSymbol, date: Date) -> Result<(), RuleError> {
    if i32::from(draft.year()) > date.year() {
        return Err(RuleError::SymbolAfterDate {
            draft,
            year: draft.year(),
            date,
        });
    }
    Ok(())
}

fn check_reported(draft: DraftSymbol, r: &Reported, v: &VoteEntry) -> Result<(), RuleError> {
    if r.date != v.date {
        return Err(RuleError::ReportedDate {
            draft,
            reported: r.date,
            recorded: v.date,
        });
    }
    if let Some(t) = r.tally {
        if t != v.tally {
            return Err(RuleError::ReportedTally {
                draft,
                reported: t,
                recorded: v.tally,
            });
        }
    }
    let computed = v.decided.vetoers();
    if r.vetoed_by != computed {
        return Err(RuleError::ReportedVeto {
            draft,
            reported: r.vetoed_by.show(),
            decided: v.decided.name(),
            computed: computed.show(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &[&str]) -> Vec<StateCode> {
        s.iter()
            .map(|c| c.parse().unwrap_or_else(|_| panic!("{c}")))
            .collect()
    }

    #[test]
    fn a_council_span_holds_only_dates_where_every_term_is_as_on_its_day() {
        // Terms with boundaries on days 1..60 of 2020 (some sharing a day); every pair of
        // days: inside the span of the first, each term is in force on the second exactly
        // when it is on the first; and the span reaches every such day next to its own.
        let day = |n: u16| {
            let d = Date::from_ymd(2020, 1, 1).unwrap().as_time() + time::Duration::days(n.into());
            Date::from_time(d).unwrap()
        };
        let mut terms: BTreeMap<StateCode, Vec<TermEntry>> = BTreeMap::new();
        for (i, (from, to)) in [
            (3, 10),
            (5, 5),
            (10, 20),
            (21, 40),
            (0, 59),
            (30, 30),
            (41, 50),
        ]
        .into_iter()
        .enumerate()
        {
            let state: StateCode = ["FRA", "GBR", "USA", "CHN", "RUS", "DEU", "ITA"][i]
                .parse()
                .unwrap();
            terms.entry(state).or_default().push(TermEntry {
                seq: Seq(i as u64),
                seat: Seat::Elected,
                from: day(from),
                to: day(to),
            });
        }
        let in_force = |d: Date| -> Vec<bool> {
            terms
                .values()
                .flatten()
                .map(|t| t.from <= d && d <= t.to)
                .collect()
        };
        for a in 0..62 {
            let span = Span::around(day(a), &terms);
            assert!(span.contains(day(a)));
            for b in 0..62 {
                if span.contains(day(b)) {
                    assert_eq!(in_force(day(a)), in_force(day(b)), "{a} {b}");
                }
            }
            // Maximal: the next day is outside only if some term changes there.
            if !span.contains(day(a + 1)) {
                assert_ne!(in_force(day(a)), in_force(day(a + 1)), "{a}");
            }
        }
    }

    #[test]
    fn p5_sets_keep_who_vetoed() {
        assert_eq!(P5Set::of(&[]).show(), "none");
        assert_eq!(P5Set::of(&codes(&["RUS", "CHN"])).show(), "CHN, RUS");
        assert_eq!(P5Set::of(&codes(&["USA"])), P5Set::of(&codes(&["USA"])));
        assert_ne!(P5Set::of(&codes(&["USA"])), P5Set::of(&codes(&["GBR"])));
        // A state that is not a permanent member never matches a computed set.
        assert_ne!(P5Set::of(&codes(&["DEU"])), P5Set::of(&[]));
    }

    #[test]
    fn per_fact_entries_stay_small() {
        // One of each per fact in a ledger of millions of events.
        let sizes = [
            std::mem::size_of::<Option<FactIndex>>(),
            std::mem::size_of::<VoteEntry>(),
            std::mem::size_of::<(Seq, Option<Reported>)>(),
        ];
        assert!(
            sizes[0] <= 16 && sizes[1] <= 24 && sizes[2] <= 24,
            "{sizes:?}"
        );
    }
}
