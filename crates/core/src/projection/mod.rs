//! Projections: what the ledger derives by replay, as pure functions over decoded
//! events. No I/O, no clock, no randomness: the same events give the same values, and the
//! same JSON bytes (every map is a `BTreeMap`, every list is sorted).
//!
//! The pipeline is:
//!
//! 1. [`replay()`] (or the streaming [`Replay`]) folds `(Seq, Event)` pairs, in log order and
//!    already verified by the caller, into a [`View`]: the effective facts after
//!    [`Correction`](crate::event::Correction)s, cut at a sequence number and/or a date
//!    ([`Cutoff`]). Each fact keeps the sequence number of the event that recorded it and of
//!    every correction applied to it.
//! 2. The projections read the view:
//!    - [`supporters()`](supporters::supporters): the supporter list;
//!    - [`council_on()`](council::council_on): the Council on a day;
//!    - [`vote_outcomes()`](votes::vote_outcomes): tally and computed outcome of every vote;
//!    - [`credibility_report()`](credibility::credibility_report): drafts judged under a
//!      [`TrustPolicy`];
//!    - [`compliance()`](compliance::compliance): breaches, abstentions, drafts needing
//!      assessment, conflicts;
//!    - [`veto_initiative()`](veto_initiative::veto_initiative): the ten-working-day rule of
//!      General Assembly resolution 76/262;
//!    - [`scorecard()`](scorecard::scorecard): per state.
//!
//! Every result type implements `Serialize` (and `Deserialize`, so tests and consumers can
//! read `--json` output back) and every finding cites the sequence numbers it rests on.

mod compact;
pub mod compliance;
pub mod council;
pub mod credibility;
pub mod outlook;
pub mod replay;
pub mod scorecard;
pub mod supporters;
pub mod veto_initiative;
mod view;
pub mod votes;
pub mod workdays;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::AdherenceDate;
use crate::types::Seq;

pub use compact::{DraftFacts, DraftRef, Members, MembersIter, VoteFacts, VoteRef};
pub use compliance::JudgedStatus;
pub use compliance::{
    compliance, compliance_summary, compliance_votes, ComplianceReport, Finding, FindingKind,
};
pub use council::{council_on, Council};
pub use credibility::{credibility_report, CredibilityReport, Policy, TrustPolicy, Verdict};
pub use outlook::{outlook, Outlook};
pub use replay::{replay, replay_slice, Basis, Cutoff, Record, Replay, View};
pub use scorecard::{scorecard, Scorecard};
pub use supporters::{supporters, SupporterList};
pub use veto_initiative::{veto_initiative, VetoInitiativeReport};
pub use view::{Drafts, Votes};
pub use votes::{vote_outcomes, VoteList};
pub use workdays::{CalendarError, UN_HEADQUARTERS};

/// How precisely an adherence date is known (see [`AdherenceDate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// The letter's own date: `"exact"`.
    Exact,
    /// Only an upper bound: a source listed the state as a supporter by that day:
    /// `"listed-by"`.
    ListedBy,
}

impl Precision {
    /// The precision of an adherence date.
    pub fn of(date: AdherenceDate) -> Self {
        match date {
            AdherenceDate::Exact(_) => Precision::Exact,
            AdherenceDate::ListedBy(_) => Precision::ListedBy,
        }
    }

    /// `"exact"` or `"listed-by"`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Exact => "exact",
            Precision::ListedBy => "listed-by",
        }
    }
}

/// A state's adherence, as cited by a result: its date, how precise that date is, and the
/// events it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdherenceRef {
    /// The letter's date, or the day a source listed the state by.
    pub date: Date,
    /// Whether `date` is exact or an upper bound.
    pub precision: Precision,
    /// Sequence number of the `AdherenceLetter` event.
    pub seq: Seq,
    /// Sequence numbers of the corrections applied to it, in log order.
    pub corrections: Vec<Seq>,
}

impl AdherenceRef {
    pub(crate) fn new(date: AdherenceDate, seq: Seq, corrections: &[Seq]) -> Self {
        Self {
            date: date.date(),
            precision: Precision::of(date),
            seq,
            corrections: corrections.to_vec(),
        }
    }

    /// `"adhered on 2015-10-23"` or `"listed as a supporter by 2015-09-01"`, for sentences.
    pub fn describe(&self) -> String {
        match self.precision {
            Precision::Exact => format!("adhered on {}", self.date),
            Precision::ListedBy => format!("listed as a supporter by {}", self.date),
        }
    }
}

/// Whether a state was bound by the Code on a given day, from the adherence facts in the view.
///
/// The Code binds from adherence. An exact date on or before the day binds. A `listed-by`
/// date is only an upper bound: on or before the day it proves adherence before it; after the
/// day it proves nothing either way ([`Standing::ListedLater`]: the state may or may not have
/// adhered by then), so results call a negative vote a *possible* breach, never "not bound".
///
/// The supporter list the ledger holds may be partial, so a state with no adherence in the
/// view is [`Standing::NoAdherenceRecorded`], never "not a supporter" — unless the depositary
/// has attested a complete list (format revision 3) dated on or after the day
/// ([`View::attestation_for`]): then it is [`Standing::NotASupporter`]. Every output takes
/// its words from [`Standing::label`] and [`Standing::explain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Standing {
    /// Adhered on or before the day (`"supporter"`).
    Supporter {
        /// The adherence.
        adherence: AdherenceRef,
    },
    /// Adhered after the day (exact date after it) (`"adhered-later"`).
    AdheredLater {
        /// The adherence.
        adherence: AdherenceRef,
    },
    /// Only listed as a supporter by a date after the day; whether it had adhered by the day
    /// is unknown (`"listed-later"`).
    ListedLater {
        /// The adherence.
        adherence: AdherenceRef,
    },
    /// No adherence recorded in the view (`"no-adherence-recorded"`). Not "not a supporter":
    /// the ledger's list may be partial.
    NoAdherenceRecorded,
    /// No adherence recorded, and absent from the depositary's attested list of a day on or
    /// after this one (`"not-a-supporter"`, format revision 3).
    NotASupporter {
        /// The attested list (boxed: a standing is in every supporter's row of every vote's
        /// compliance, and the list's texts would triple its size).
        list: Box<ListRef>,
    },
}

/// A depositary's attested supporter list, as cited by a result (format revision 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRef {
    /// The day the list speaks for.
    pub date: Date,
    /// Number of supporters on it.
    pub count: u16,
    /// Sequence number of the `SupporterListAttested` event.
    pub seq: Seq,
    /// Where it is published.
    pub url: String,
    /// The UN document carrying it, if any.
    pub document: Option<String>,
    /// Its digest (docs/FORMAT.md "Supporter list digest"), hex.
    pub digest: String,
}

impl ListRef {
    pub(crate) fn of(r: &Record<crate::attestation::SupporterListAttested>) -> Self {
        Self {
            date: r.fact.list_date,
            count: r.fact.count,
            seq: r.seq,
            url: r.fact.url.to_string(),
            document: r.fact.document.as_ref().map(|d| d.to_string()),
            digest: r.fact.digest_hex(),
        }
    }
}

/// Whether the ledger's supporter list is complete for a day: the words every output (CLI,
/// JSON, HTML) shows beside a supporter list, a Council or an outlook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCoverage {
    /// The day.
    pub day: Date,
    /// The attested list that speaks for the day (dated on or after it), if any.
    pub attested: Option<ListRef>,
    /// The sentence: complete per the depositary's list, or partial.
    pub words: String,
}

impl ListCoverage {
    /// The coverage of `day` in `view`.
    pub fn of(view: &View, day: Date) -> Self {
        let attested = view.attestation_for(day).map(ListRef::of);
        let words = match &attested {
            Some(l) => format!(
                "supporter list complete for {day}: the depositary's list of {} ({} supporters, seq {}) is attested",
                l.date, l.count, l.seq
            ),
            None => format!(
                "supporter list possibly partial for {day}: no depositary's list dated on or after it is attested, so a state with {NO_ADHERENCE_RECORDED} may still be a supporter"
            ),
        };
        Self {
            day,
            attested,
            words,
        }
    }
}

impl Standing {
    /// Whether the Code bound the state on the day.
    pub fn is_bound(&self) -> bool {
        matches!(self, Standing::Supporter { .. })
    }

    /// The adherence, if any.
    pub fn adherence(&self) -> Option<&AdherenceRef> {
        match self {
            Standing::Supporter { adherence }
            | Standing::AdheredLater { adherence }
            | Standing::ListedLater { adherence } => Some(adherence),
            Standing::NoAdherenceRecorded | Standing::NotASupporter { .. } => None,
        }
    }

    /// A sentence saying why the state was or was not bound on `day`.
    pub fn explain(&self, day: Date) -> String {
        match self {
            Standing::Supporter { adherence } => match adherence.precision {
                Precision::Exact => format!(
                    "adhered on {} (exact date, seq {}), on or before {day}: bound",
                    adherence.date, adherence.seq
                ),
                Precision::ListedBy => format!(
                    "listed as a supporter by {} (upper bound, seq {}), on or before {day}: bound",
                    adherence.date, adherence.seq
                ),
            },
            Standing::AdheredLater { adherence } => format!(
                "adhered on {} (exact date, seq {}), after {day}: not bound",
                adherence.date, adherence.seq
            ),
            Standing::ListedLater { adherence } => format!(
                "listed as a supporter only by {} (upper bound, seq {}), after {day}: adherence \
                 date unknown, so it may or may not have been bound on {day}",
                adherence.date, adherence.seq
            ),
            Standing::NoAdherenceRecorded => NO_ADHERENCE_RECORDED.to_string(),
            Standing::NotASupporter { list } => format!(
                "{} (attested at seq {}): not bound",
                not_a_supporter(list.date),
                list.seq
            ),
        }
    }

    /// Whether the state may have been bound: bound, or only listed by a later date.
    pub fn may_be_bound(&self) -> bool {
        matches!(
            self,
            Standing::Supporter { .. } | Standing::ListedLater { .. }
        )
    }

    /// The short words every output (CLI tables, HTML, demo) shows for this standing.
    pub fn label(&self) -> String {
        match self {
            Standing::Supporter { adherence } => {
                format!("supporter since {}", adherence.describe())
            }
            Standing::AdheredLater { adherence } => {
                format!("not yet bound ({})", adherence.describe())
            }
            Standing::ListedLater { adherence } => {
                format!("adherence date unknown (only {})", adherence.describe())
            }
            Standing::NoAdherenceRecorded => NO_ADHERENCE_RECORDED.to_string(),
            Standing::NotASupporter { list } => not_a_supporter(list.date),
        }
    }
}

/// What the ledger says of a state absent from the depositary's attested list of `list_date`.
pub fn not_a_supporter(list_date: Date) -> String {
    format!("not a supporter (per the depositary's list of {list_date})")
}

/// What the ledger says of a state it holds no adherence for: its list may be partial, so
/// silence is never "not a supporter".
pub const NO_ADHERENCE_RECORDED: &str = "no adherence recorded";

/// Serde for [`Instrument`](crate::event::Instrument) by its display name (`note-verbale`),
/// the spelling the command line accepts.
pub(crate) mod instrument_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::event::Instrument;

    pub fn serialize<S: Serializer>(i: &Instrument, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(i.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Instrument, D::Error> {
        let s = String::deserialize(d)?;
        Instrument::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
pub(crate) mod testkit;
