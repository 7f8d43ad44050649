//! The ledger's rules: who may write what, and which facts cannot be true.
//!
//! [`LedgerState`] is replayed from the log. The same [`LedgerState::admit`] runs when an
//! event is appended and when the log is verified, so anything rejected at append is also
//! reported by `verify`, and nothing verify accepts could have been refused at append. It keeps
//! only the small indexes the rules need (not the events), so replaying a large log stays cheap.

mod apply;
mod council;
mod dependents;
mod entries;
mod facts;
mod large;
mod parts;

pub use large::{draft_part, StatePart, DRAFT_PARTS, FACT_PART};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::RuleError;
use crate::event::{EventBody, Fact, Role, Seat, UnsignedEvent};
use crate::state::StateCode;
use crate::symbol::DraftSymbol;
use crate::types::{Origin, PublicKey, Seq, Timestamp};

use council::CouncilCache;
use entries::{FactIndex, TermEntry};
use large::Large;

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

/// The state the rules need, replayed from the log. Its parts ([`LedgerState::part_bytes`])
/// let a store resume appending without replaying the log, loading only the parts an event's
/// rules read ([`LedgerState::partial`]).
#[derive(Debug, Clone, Default)]
pub struct LedgerState {
    origin: Option<Origin>,
    events: u64,
    last_time: Option<Timestamp>,
    keys: BTreeMap<PublicKey, KeyInfo>,
    /// The fact index (by seq), drafts, votes, assessments and the meetings citing each
    /// draft's veto.
    large: Large,
    supporters: BTreeMap<StateCode, Seq>,
    terms: BTreeMap<StateCode, Vec<TermEntry>>,
    calendars: BTreeMap<(String, u16), Seq>,
    /// The votes known by their tally (format revision 2), by day and text label.
    tallies: BTreeMap<(Date, String), Seq>,
    /// Each supporter's adherence date, exact or listed-by (format revision 3: what an
    /// attested list is checked against).
    adherence_dates: BTreeMap<StateCode, Date>,
    /// The attested supporter lists: their day and seq, in log order.
    attestations: Vec<(Date, Seq)>,
    /// Bumped whenever `terms` changes.
    terms_version: u64,
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
            self.large.draft(draft).map(|(s, _)| *s),
            self.large.vote(draft).map(|v| v.seq),
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

    fn fact(&self, seq: Seq) -> Option<&FactIndex> {
        self.large.fact(seq)
    }

    /// Checks `event` against the rules at this point of the log and, if admissible, applies it.
    /// `event.seq` must be the next position (the caller checks sequence and chain). On error
    /// the state is unchanged. A partial state ([`LedgerState::partial`]) refuses with
    /// [`RuleError::NotLoaded`], naming the parts to load, whenever the check or the change
    /// would read a part it lacks, whatever the rules would have said.
    pub fn admit(&mut self, event: &UnsignedEvent) -> Result<(), RuleError> {
        if !self.large.is_partial() {
            self.check(event)?;
            self.apply(event);
            return Ok(());
        }
        self.check(event)?;
        // A partial state is small: the change is made on a copy, kept only if it read no
        // absent part.
        let mut next = self.clone();
        next.apply(event);
        let missed = next.large.take_missed();
        if !missed.is_empty() {
            return Err(RuleError::NotLoaded(missed.into()));
        }
        *self = next;
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

    /// Checks without applying. A partial state refuses with [`RuleError::NotLoaded`] when
    /// the check read a part it lacks (see [`LedgerState::admit`]).
    pub fn check(&self, event: &UnsignedEvent) -> Result<(), RuleError> {
        if !self.large.is_partial() {
            return self.check_rules(event);
        }
        self.large.take_missed();
        let checked = self.check_rules(event);
        let missed = self.large.take_missed();
        if !missed.is_empty() {
            return Err(RuleError::NotLoaded(missed.into()));
        }
        checked
    }

    fn check_rules(&self, event: &UnsignedEvent) -> Result<(), RuleError> {
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
        if let Some(d) = fact.past_dates().find(|d| *d > today) {
            return Err(RuleError::FutureDate { date: d, today });
        }
        Ok(())
    }
}
