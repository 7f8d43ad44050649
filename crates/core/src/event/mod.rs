//! The events of the ledger (docs/FORMAT.md specifies their bytes). Every fact is one event; events are appended, never
//! edited; a mistake is fixed by a later [`Correction`].
//!
//! The declaration order of fields and variants here *is* the byte format (docs/FORMAT.md):
//! never reorder, never insert; new kinds of fact go at the end of [`Fact`].//!
//! What an event says of itself (kind names, roles, the context-free shape checks, its dates
//! and the states and drafts it concerns) is in `describe.rs`.

mod describe;
pub(crate) mod direct;

pub(crate) use describe::{required, strictly_sorted};

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::ValueError;
use crate::state::StateCode;
use crate::symbol::{DraftSymbol, UnSymbol};
use crate::types::{EventHash, Origin, PublicKey, Seq, Signature, Text, Timestamp};

/// The format version written in the first byte of every event.
pub const FORMAT_VERSION: u8 = 1;

/// A signed event as stored: everything that is signed, then the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The signed part.
    pub unsigned: UnsignedEvent,
    /// Ed25519 signature by `unsigned.author` over the domain-separated message
    /// (see [`crate::chain::signing_message`]).
    pub signature: Signature,
}

/// The part of an event covered by its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsignedEvent {
    /// Always [`FORMAT_VERSION`].
    pub version: u8,
    /// Position in the log.
    pub seq: Seq,
    /// SHA-256 of the previous event's stored bytes (zero for the first).
    pub prev: EventHash,
    /// When the event was appended (Unix seconds, UTC).
    pub recorded_at: Timestamp,
    /// The key that signed it.
    pub author: PublicKey,
    /// What it records.
    pub body: EventBody,
}

/// What an event records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventBody {
    /// Genesis (variant 0).
    LedgerCreated(LedgerCreated),
    /// A role granted to a key (variant 1).
    KeyGranted(KeyGranted),
    /// A key revoked (variant 2).
    KeyRevoked(KeyRevoked),
    /// A fact about the Code, the Council or the Assembly (variant 3).
    Fact(Fact),
    /// A correction of an earlier fact (variant 4).
    Correction(Correction),
}

/// The facts the ledger records, which a [`Correction`] may replace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fact {
    /// Variant 0.
    AdherenceLetter(AdherenceLetter),
    /// Variant 1.
    CouncilTerm(CouncilTerm),
    /// Variant 2.
    DraftTabled(DraftTabled),
    /// Variant 3.
    CouncilVote(CouncilVote),
    /// Variant 4.
    CredibilityAssessment(CredibilityAssessment),
    /// Variant 5.
    AssemblyMeeting(AssemblyMeeting),
    /// Variant 6.
    HolidayCalendar(HolidayCalendar),
    /// Variant 7 (format revision 2): a credibility assessment with the day it was made.
    /// The same kind of fact as [`Fact::CredibilityAssessment`] (a correction of one may be
    /// the other); new assessments are recorded in this form.
    DatedAssessment(DatedAssessment),
    /// Variant 8 (format revision 2): a vote known only by its tally and the members voting
    /// against, on a draft or an amendment.
    TallyVote(TallyVote),
    /// Variant 9 (format revision 3): the depositary's statement that its published list of
    /// supporters of a given day is complete, and which states it names.
    SupporterListAttested(crate::attestation::SupporterListAttested),
}

/// The text a vote was on: a draft resolution, or an amendment to one (format revision 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VotedText {
    /// A draft resolution (variant 0).
    Draft(DraftSymbol),
    /// An amendment (variant 1), naming the draft it amends: by symbol when known, and always
    /// in words (`described`: e.g. "Russian amendment to the UAE draft adopted as resolution
    /// 2720 (2023)"), as older sources often give no symbol for either.
    Amendment {
        /// The amendment's own symbol, when known.
        symbol: Option<UnSymbol>,
        /// The draft it amends, when its symbol is known.
        amends: Option<DraftSymbol>,
        /// What it is and what it amends.
        described: Text,
    },
}

impl VotedText {
    /// The draft's symbol, or the amendment's own or `amendment to S/…`, for lists.
    pub fn label(&self) -> String {
        match self {
            VotedText::Draft(d) => d.to_string(),
            VotedText::Amendment {
                symbol: Some(s), ..
            } => format!("amendment {s}"),
            VotedText::Amendment {
                amends: Some(d), ..
            } => format!("amendment to {d}"),
            VotedText::Amendment { .. } => "amendment (no symbol)".to_string(),
        }
    }
}

/// A Council vote known only by its tally and the members voting against, as older or poorer
/// sources give it (format revision 2). The outcome is still computed, never taken from the
/// source: from the tally (at least nine in favour, on a non-procedural text, with a permanent
/// member among those against: vetoed). Without a tally the outcome cannot be computed; the
/// vote is then reported as "vetoed as reported, not computed" when a permanent member is
/// among those against, and every output says which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyVote {
    /// What was voted on.
    pub text: VotedText,
    /// Meeting record.
    pub meeting: Option<UnSymbol>,
    /// Day of the vote.
    pub date: Date,
    /// Whether the vote was procedural (no veto applies).
    pub procedural: bool,
    /// Yes-no-abstain, when known.
    pub tally: Option<Tally>,
    /// The members voting against (sorted); with a tally, exactly `tally.no` of them.
    pub against: Vec<StateCode>,
    /// Source.
    pub source: Text,
    /// Free note.
    pub note: Text,
}

/// The roles a key can hold (what each may sign: docs/FORMAT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Grants and revokes keys (variant 0).
    Administrator,
    /// Records adherence letters: the depositary, Liechtenstein's Mission (variant 1).
    Depositary,
    /// Records Council terms, drafts, votes, Assembly meetings and holiday calendars (variant 2).
    Recorder,
    /// Records credibility assessments (variant 3).
    Assessor,
    /// Signs checkpoints of the log (variant 4); records no events.
    Log,
}

impl Role {
    /// All roles, in encoding order.
    pub const ALL: [Role; 5] = [
        Role::Administrator,
        Role::Depositary,
        Role::Recorder,
        Role::Assessor,
        Role::Log,
    ];
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Depositary => "depositary",
            Role::Recorder => "recorder",
            Role::Assessor => "assessor",
            Role::Log => "log",
        }
    }
    /// Parses a lower-case name.
    pub fn parse(s: &str) -> Result<Role, ValueError> {
        Role::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| ValueError::Keyword {
                what: "role",
                value: s.to_string(),
                expected: "administrator, depositary, recorder, assessor, log",
            })
    }
}

/// Genesis: names the log and its first administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerCreated {
    /// The log's origin (checkpoint origin line and note key name).
    pub origin: Origin,
    /// The first administrator key; it signs this event.
    pub admin: PublicKey,
    /// Who holds the administrator key.
    pub admin_holder: Text,
    /// What this ledger is for.
    pub description: Text,
}

/// A role granted to a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyGranted {
    /// The key.
    pub key: PublicKey,
    /// The role.
    pub role: Role,
    /// Who holds it (a person, office or organisation).
    pub holder: Text,
    /// Free note.
    pub note: Text,
}

/// A key revoked: it signs nothing after this event, in any role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRevoked {
    /// The key.
    pub key: PublicKey,
    /// Why.
    pub reason: Text,
}

/// How precisely the date of adherence is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdherenceDate {
    /// The letter's own date is known (variant 0).
    Exact(Date),
    /// Only an upper bound is known: a source listed the state as a supporter by this day
    /// (variant 1).
    ListedBy(Date),
}

impl AdherenceDate {
    /// The date, exact or bound.
    pub fn date(self) -> Date {
        match self {
            AdherenceDate::Exact(d) | AdherenceDate::ListedBy(d) => d,
        }
    }
    /// `"exact"` or `"listed-by"`.
    pub fn precision(self) -> &'static str {
        match self {
            AdherenceDate::Exact(_) => "exact",
            AdherenceDate::ListedBy(_) => "listed-by",
        }
    }
}

/// The instrument by which a state adhered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Instrument {
    /// A letter (variant 0).
    Letter,
    /// A note verbale (variant 1).
    NoteVerbale,
    /// Not stated by the source (historical lists) (variant 2).
    Unspecified,
}

impl Instrument {
    /// Parses `letter`, `note-verbale` or `unspecified`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "letter" => Ok(Self::Letter),
            "note-verbale" | "note_verbale" => Ok(Self::NoteVerbale),
            "unspecified" => Ok(Self::Unspecified),
            _ => Err(ValueError::Keyword {
                what: "instrument",
                value: s.to_string(),
                expected: "letter, note-verbale, unspecified",
            }),
        }
    }
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Letter => "letter",
            Self::NoteVerbale => "note-verbale",
            Self::Unspecified => "unspecified",
        }
    }
}

/// A state's letter or note verbale to the depositary, adhering to the Code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdherenceLetter {
    /// The adhering state.
    pub state: StateCode,
    /// The letter's date, or the day a source listed the state by.
    pub date: AdherenceDate,
    /// When the depositary received it, if known.
    pub received: Option<Date>,
    /// Letter or note verbale.
    pub instrument: Instrument,
    /// The letter's reference, if known.
    pub reference: Text,
    /// Where this fact comes from (URL or document).
    pub source: Text,
    /// Free note.
    pub note: Text,
}

/// The kind of Council seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seat {
    /// Permanent member (Charter Art. 23) (variant 0).
    Permanent,
    /// Elected member, two-year term (variant 1).
    Elected,
}

impl Seat {
    /// Parses `permanent` or `elected`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "permanent" => Ok(Self::Permanent),
            "elected" => Ok(Self::Elected),
            _ => Err(ValueError::Keyword {
                what: "seat",
                value: s.to_string(),
                expected: "permanent, elected",
            }),
        }
    }
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Permanent => "permanent",
            Self::Elected => "elected",
        }
    }
}

/// A state's seat on the Security Council from one day to another, inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilTerm {
    /// The state.
    pub state: StateCode,
    /// Permanent or elected.
    pub seat: Seat,
    /// First day on the Council.
    pub from: Date,
    /// Last day on the Council.
    pub to: Date,
    /// Source.
    pub source: Text,
    /// Free note.
    pub note: Text,
}

/// A vote count as a source reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// In favour.
    pub yes: u8,
    /// Against.
    pub no: u8,
    /// Abstaining.
    pub abstain: u8,
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}-{}", self.yes, self.no, self.abstain)
    }
}

/// What a source reported about a draft's vote; checked against the recorded [`CouncilVote`],
/// never used in its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedVote {
    /// Day of the vote.
    pub date: Date,
    /// Meeting record, e.g. `S/PV.9143`.
    pub meeting: Option<UnSymbol>,
    /// Reported yes-no-abstain count.
    pub tally: Option<Tally>,
    /// Permanent members reported as having vetoed it (sorted).
    pub vetoed_by: Vec<StateCode>,
}

/// A draft resolution put before the Council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftTabled {
    /// Its symbol.
    pub draft: DraftSymbol,
    /// What it is about.
    pub subject: Text,
    /// The Council's agenda item.
    pub agenda_item: Text,
    /// Penholders / sponsors (sorted, may be empty when unknown).
    pub penholders: Vec<StateCode>,
    /// Day put in blue, if known.
    pub tabled_on: Option<Date>,
    /// What a source reported about its vote.
    pub reported_vote: Option<ReportedVote>,
    /// Source.
    pub source: Text,
    /// Free note (e.g. confidence in the symbol).
    pub note: Text,
}

/// A member's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    /// In favour (variant 0).
    Yes,
    /// Against (variant 1).
    No,
    /// Abstained (variant 2).
    Abstain,
    /// Did not participate (variant 3).
    Absent,
}

impl Vote {
    /// Parses `Y`/`yes`, `N`/`no`, `A`/`abstain`, `X`/`absent`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "Y" | "yes" => Ok(Self::Yes),
            "N" | "no" => Ok(Self::No),
            "A" | "abstain" => Ok(Self::Abstain),
            "X" | "absent" | "DNP" => Ok(Self::Absent),
            _ => Err(ValueError::Keyword {
                what: "vote",
                value: s.to_string(),
                expected: "Y, N, A, X (or yes, no, abstain, absent)",
            }),
        }
    }
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::Abstain => "abstain",
            Self::Absent => "absent",
        }
    }
}

/// One member's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberVote {
    /// The member.
    pub state: StateCode,
    /// How it voted.
    pub vote: Vote,
}

/// A Security Council vote on a draft: every member's vote. The outcome is computed from
/// these votes (see [`crate::outcome`]), never recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilVote {
    /// The draft voted on.
    pub draft: DraftSymbol,
    /// Meeting record, e.g. `S/PV.9143` (none for votes by written procedure).
    pub meeting: Option<UnSymbol>,
    /// Day of the vote.
    pub date: Date,
    /// Whether the vote was procedural (no veto applies).
    pub procedural: bool,
    /// The 15 members' votes, sorted by state code.
    pub votes: Vec<MemberVote>,
    /// Source.
    pub source: Text,
    /// Free note (e.g. how votes were derived).
    pub note: Text,
}

/// An atrocity crime named by the Code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AtrocityCrime {
    /// Variant 0.
    Genocide,
    /// Variant 1.
    CrimesAgainstHumanity,
    /// Variant 2.
    WarCrimes,
}

impl AtrocityCrime {
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Genocide => "genocide",
            Self::CrimesAgainstHumanity => "crimes-against-humanity",
            Self::WarCrimes => "war-crimes",
        }
    }

    /// Parses `genocide`, `crimes-against-humanity`, `war-crimes`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "genocide" => Ok(Self::Genocide),
            "crimes-against-humanity" => Ok(Self::CrimesAgainstHumanity),
            "war-crimes" => Ok(Self::WarCrimes),
            _ => Err(ValueError::Keyword {
                what: "crime",
                value: s.to_string(),
                expected: "genocide, crimes-against-humanity, war-crimes",
            }),
        }
    }
}

impl std::fmt::Display for AtrocityCrime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An assessor's judgement of whether a draft was credible under the Code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredibilityAssessment {
    /// The draft assessed.
    pub draft: DraftSymbol,
    /// Credible or not.
    pub credible: bool,
    /// The crimes concerned (sorted; at least one when credible).
    pub crimes: Vec<AtrocityCrime>,
    /// UN documents cited (sorted).
    pub basis: Vec<UnSymbol>,
    /// Reasoning.
    pub rationale: Text,
}

/// A credibility assessment with the day its assessor made it (format revision 2). Facts have
/// two times: when the thing happened and when the ledger recorded it; for an assessment the
/// first is this day, stated by the assessor and never after the day it is recorded. An
/// assessment of format revision 1 ([`Fact::CredibilityAssessment`]) has no such day: its date
/// is the UTC day its event was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedAssessment {
    /// The day the assessment was made.
    pub assessed_on: Date,
    /// The assessment.
    pub assessment: CredibilityAssessment,
}

/// The form of an Assembly meeting after a veto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingFormat {
    /// Plenary meeting convened under resolution 76/262 (variant 0).
    VetoInitiative,
    /// An emergency special session on the same situation, meeting in its place (variant 1).
    EmergencySpecialSession,
}

impl MeetingFormat {
    /// Parses `veto-initiative` or `emergency-special-session`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "veto-initiative" => Ok(Self::VetoInitiative),
            "emergency-special-session" => Ok(Self::EmergencySpecialSession),
            _ => Err(ValueError::Keyword {
                what: "meeting format",
                value: s.to_string(),
                expected: "veto-initiative, emergency-special-session",
            }),
        }
    }
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::VetoInitiative => "veto-initiative",
            Self::EmergencySpecialSession => "emergency-special-session",
        }
    }
}

/// Identifies a veto: the day of the vote and the draft (none when the vetoed text was an
/// amendment without a known symbol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VetoRef {
    /// Day of the vetoed vote.
    pub date: Date,
    /// The draft, when it has a symbol.
    pub draft: Option<DraftSymbol>,
}

/// A General Assembly meeting held under resolution 76/262 after a veto (or the emergency
/// special session that met in its place).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssemblyMeeting {
    /// Day of the meeting, when known.
    pub date: Option<Date>,
    /// Session, e.g. `76` or `ES-11`.
    pub session: Text,
    /// Plenary under 76/262 or emergency special session.
    pub format: MeetingFormat,
    /// Meeting records, e.g. `A/76/PV.77` (sorted).
    pub records: Vec<UnSymbol>,
    /// The veto(es) it follows (sorted, at least one).
    pub follows: Vec<VetoRef>,
    /// States that spoke, in speaking order.
    pub speakers: Vec<StateCode>,
    /// Press release, e.g. `GA/12423`.
    pub press_release: Option<UnSymbol>,
    /// Source.
    pub source: Text,
    /// Free note.
    pub note: Text,
}

/// One official holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The day.
    pub date: Date,
    /// Its name.
    pub name: Text,
}

/// Official holidays of one calendar (e.g. UN Headquarters) for one year, used to count
/// working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayCalendar {
    /// Which calendar, e.g. `UN Headquarters (New York)`.
    pub calendar: Text,
    /// The year.
    pub year: u16,
    /// Whether the list is the whole year's (false: only some days are known).
    pub complete: bool,
    /// The holidays (sorted by date, all in `year`).
    pub holidays: Vec<Holiday>,
    /// Source.
    pub source: Text,
}

/// A correction: `replacement` supersedes the fact recorded at `target`. Replay applies it;
/// history keeps both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The event corrected (a fact, never a correction).
    pub target: Seq,
    /// Why.
    pub reason: Text,
    /// The corrected fact, of the same kind as the target.
    pub replacement: Fact,
}
