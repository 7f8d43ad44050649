//! The events of the ledger (docs/FORMAT.md specifies their bytes). Every fact is one event; events are appended, never
//! edited; a mistake is fixed by a later [`Correction`].
//!
//! The declaration order of fields and variants here *is* the byte format (docs/FORMAT.md):
//! never reorder, never insert; new kinds of fact go at the end of [`Fact`].

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

impl EventBody {
    /// The kind's name, as the docs and `log` print it.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::LedgerCreated(_) => "LedgerCreated",
            EventBody::KeyGranted(_) => "KeyGranted",
            EventBody::KeyRevoked(_) => "KeyRevoked",
            EventBody::Fact(f) => f.kind(),
            EventBody::Correction(_) => "Correction",
        }
    }

    /// Context-free structural checks (sorted lists, no duplicates, required fields).
    pub fn check_shape(&self) -> Result<(), ValueError> {
        match self {
            EventBody::LedgerCreated(_) | EventBody::KeyGranted(_) | EventBody::KeyRevoked(_) => {
                Ok(())
            }
            EventBody::Fact(f) => f.check_shape(),
            EventBody::Correction(c) => {
                if c.reason.is_empty() {
                    return Err(ValueError::Shape("a correction needs a reason".into()));
                }
                c.replacement.check_shape()
            }
        }
    }
}

pub(crate) fn strictly_sorted<T: Ord>(items: &[T], what: &str) -> Result<(), ValueError> {
    if items.windows(2).all(|w| w[0] < w[1]) {
        Ok(())
    } else {
        Err(ValueError::Shape(format!(
            "{what} must be sorted with no duplicates"
        )))
    }
}

pub(crate) fn required(t: &Text, what: &str) -> Result<(), ValueError> {
    if t.as_str().trim().is_empty() {
        Err(ValueError::Shape(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}

impl Fact {
    /// The kind's variant index in the byte format (`chain::variant`, docs/FORMAT.md §2).
    pub fn variant(&self) -> u32 {
        use crate::chain::variant;
        match self {
            Fact::AdherenceLetter(_) => variant::ADHERENCE_LETTER,
            Fact::CouncilTerm(_) => variant::COUNCIL_TERM,
            Fact::DraftTabled(_) => variant::DRAFT_TABLED,
            Fact::CouncilVote(_) => variant::COUNCIL_VOTE,
            Fact::CredibilityAssessment(_) => variant::CREDIBILITY_ASSESSMENT,
            Fact::AssemblyMeeting(_) => variant::ASSEMBLY_MEETING,
            Fact::HolidayCalendar(_) => variant::HOLIDAY_CALENDAR,
            Fact::DatedAssessment(_) => variant::DATED_ASSESSMENT,
            Fact::TallyVote(_) => variant::TALLY_VOTE,
            Fact::SupporterListAttested(_) => variant::SUPPORTER_LIST_ATTESTED,
        }
    }

    /// The assessment, if this is one (of either format), and the day it was made when the
    /// fact states it (revision 2).
    pub fn assessment(&self) -> Option<(&CredibilityAssessment, Option<Date>)> {
        match self {
            Fact::CredibilityAssessment(a) => Some((a, None)),
            Fact::DatedAssessment(d) => Some((&d.assessment, Some(d.assessed_on))),
            _ => None,
        }
    }

    /// The kind's name.
    pub fn kind(&self) -> &'static str {
        match self {
            Fact::AdherenceLetter(_) => "AdherenceLetter",
            Fact::CouncilTerm(_) => "CouncilTerm",
            Fact::DraftTabled(_) => "DraftTabled",
            Fact::CouncilVote(_) => "CouncilVote",
            Fact::CredibilityAssessment(_) | Fact::DatedAssessment(_) => "CredibilityAssessment",
            Fact::AssemblyMeeting(_) => "AssemblyMeeting",
            Fact::HolidayCalendar(_) => "HolidayCalendar",
            Fact::TallyVote(_) => "TallyVote",
            Fact::SupporterListAttested(_) => "SupporterListAttested",
        }
    }

    /// The role that records this kind of fact.
    pub fn role(&self) -> Role {
        match self {
            Fact::AdherenceLetter(_) | Fact::SupporterListAttested(_) => Role::Depositary,
            Fact::CredibilityAssessment(_) | Fact::DatedAssessment(_) => Role::Assessor,
            Fact::CouncilTerm(_)
            | Fact::DraftTabled(_)
            | Fact::CouncilVote(_)
            | Fact::AssemblyMeeting(_)
            | Fact::TallyVote(_)
            | Fact::HolidayCalendar(_) => Role::Recorder,
        }
    }

    /// Context-free structural checks.
    pub fn check_shape(&self) -> Result<(), ValueError> {
        match self {
            Fact::AdherenceLetter(a) => required(&a.source, "source"),
            Fact::CouncilTerm(t) => {
                required(&t.source, "source")?;
                if t.from > t.to {
                    return Err(ValueError::Shape(format!(
                        "term of {} ends ({}) before it starts ({})",
                        t.state, t.to, t.from
                    )));
                }
                match (t.seat, t.state.is_permanent_member()) {
                    (Seat::Permanent, false) => Err(ValueError::Shape(format!(
                        "{} is not a permanent member (Charter Art. 23: CHN, FRA, GBR, RUS, USA)",
                        t.state
                    ))),
                    (Seat::Elected, true) => Err(ValueError::Shape(format!(
                        "{} holds a permanent seat and cannot hold an elected one",
                        t.state
                    ))),
                    _ => Ok(()),
                }
            }
            Fact::DraftTabled(d) => {
                required(&d.source, "source")?;
                strictly_sorted(&d.penholders, "penholders")?;
                if let Some(r) = &d.reported_vote {
                    strictly_sorted(&r.vetoed_by, "vetoed_by")?;
                    if let Some(t) = r.tally {
                        if u16::from(t.yes) + u16::from(t.no) + u16::from(t.abstain) > 15 {
                            return Err(ValueError::Shape(format!(
                                "reported tally {t} counts more than 15 members"
                            )));
                        }
                    }
                    if let Some(p) = r.vetoed_by.iter().find(|s| !s.is_permanent_member()) {
                        return Err(ValueError::Shape(format!(
                            "{p} is not a permanent member and cannot veto"
                        )));
                    }
                }
                Ok(())
            }
            Fact::CouncilVote(v) => {
                required(&v.source, "source")?;
                if let Some(w) = v.votes.windows(2).find(|w| w[0].state == w[1].state) {
                    return Err(ValueError::Shape(format!(
                        "{} ({}) is given more than one vote",
                        w[0].state,
                        w[0].state.name()
                    )));
                }
                if v.votes.len() != 15 {
                    return Err(ValueError::Shape(format!(
                        "a Council vote needs the votes of all 15 members, got {}",
                        v.votes.len()
                    )));
                }
                let states: Vec<_> = v.votes.iter().map(|m| m.state).collect();
                strictly_sorted(&states, "votes (by state)")
            }
            Fact::DatedAssessment(d) => {
                Fact::CredibilityAssessment(d.assessment.clone()).check_shape()
            }
            Fact::TallyVote(v) => {
                required(&v.source, "source")?;
                strictly_sorted(&v.against, "against")?;
                if let VotedText::Amendment { described, .. } = &v.text {
                    required(described, "amendment description")?;
                }
                if let Some(t) = v.tally {
                    if u16::from(t.yes) + u16::from(t.no) + u16::from(t.abstain) > 15 {
                        return Err(ValueError::Shape(format!(
                            "tally {t} counts more than 15 members"
                        )));
                    }
                    if usize::from(t.no) != v.against.len() {
                        return Err(ValueError::Shape(format!(
                            "tally {t} counts {} against, but {} members are named against",
                            t.no,
                            v.against.len()
                        )));
                    }
                }
                Ok(())
            }
            Fact::CredibilityAssessment(a) => {
                strictly_sorted(&a.crimes, "crimes")?;
                strictly_sorted(&a.basis, "basis")?;
                required(&a.rationale, "rationale")?;
                if a.credible && a.crimes.is_empty() {
                    return Err(ValueError::Shape(
                        "a credible draft must concern at least one atrocity crime".into(),
                    ));
                }
                Ok(())
            }
            Fact::AssemblyMeeting(m) => {
                required(&m.source, "source")?;
                strictly_sorted(&m.records, "records")?;
                strictly_sorted(&m.follows, "follows")?;
                if m.follows.is_empty() {
                    return Err(ValueError::Shape(
                        "a meeting must follow at least one veto".into(),
                    ));
                }
                let mut seen = std::collections::BTreeSet::new();
                if let Some(dup) = m.speakers.iter().find(|s| !seen.insert(**s)) {
                    return Err(ValueError::Shape(format!("speaker {dup} listed twice")));
                }
                if let Some(d) = m.date {
                    if let Some(v) = m.follows.iter().find(|v| v.date > d) {
                        return Err(ValueError::Shape(format!(
                            "meeting on {d} cannot follow a veto of {}",
                            v.date
                        )));
                    }
                }
                Ok(())
            }
            Fact::SupporterListAttested(a) => a.check_shape(),
            Fact::HolidayCalendar(c) => {
                required(&c.calendar, "calendar")?;
                required(&c.source, "source")?;
                let dates: Vec<_> = c.holidays.iter().map(|h| h.date).collect();
                strictly_sorted(&dates, "holidays (by date)")?;
                if let Some(h) = c
                    .holidays
                    .iter()
                    .find(|h| h.date.year() != i32::from(c.year))
                {
                    return Err(ValueError::Shape(format!(
                        "holiday {} is not in year {}",
                        h.date, c.year
                    )));
                }
                Ok(())
            }
        }
    }

    /// Dates in the fact that must not lie after the day it is recorded.
    pub fn past_dates(&self) -> Vec<Date> {
        match self {
            Fact::AdherenceLetter(a) => {
                let mut v = vec![a.date.date()];
                v.extend(a.received);
                v
            }
            // Terms are known in advance (members are elected months before they sit).
            Fact::CouncilTerm(_) | Fact::HolidayCalendar(_) => Vec::new(),
            Fact::DraftTabled(d) => {
                let mut v: Vec<Date> = d.tabled_on.into_iter().collect();
                v.extend(d.reported_vote.as_ref().map(|r| r.date));
                v
            }
            Fact::CouncilVote(v) => vec![v.date],
            Fact::CredibilityAssessment(_) => Vec::new(),
            Fact::DatedAssessment(d) => vec![d.assessed_on],
            Fact::TallyVote(v) => vec![v.date],
            Fact::AssemblyMeeting(m) => m.date.into_iter().collect(),
            Fact::SupporterListAttested(a) => vec![a.list_date],
        }
    }
}

impl EventBody {
    /// States this event concerns, for the store's by-state index (sorted, unique). A
    /// correction is indexed under the states of its replacement.
    pub fn states(&self) -> Vec<crate::state::StateCode> {
        let mut v = match self {
            EventBody::Fact(f) | EventBody::Correction(Correction { replacement: f, .. }) => {
                f.states()
            }
            _ => Vec::new(),
        };
        v.sort();
        v.dedup();
        v
    }

    /// Drafts this event concerns, for the store's by-draft index (sorted, unique).
    pub fn drafts(&self) -> Vec<DraftSymbol> {
        let mut v = match self {
            EventBody::Fact(f) | EventBody::Correction(Correction { replacement: f, .. }) => {
                f.drafts()
            }
            _ => Vec::new(),
        };
        v.sort();
        v.dedup();
        v
    }
}

impl Fact {
    fn states(&self) -> Vec<crate::state::StateCode> {
        match self {
            Fact::AdherenceLetter(a) => vec![a.state],
            Fact::CouncilTerm(t) => vec![t.state],
            Fact::DraftTabled(d) => d.penholders.clone(),
            Fact::CouncilVote(_) => Vec::new(),
            Fact::TallyVote(v) => v.against.clone(),
            Fact::AssemblyMeeting(m) => m.speakers.clone(),
            // An attestation names up to every state: indexing it under each would put it in
            // every state's history; it is found by kind instead.
            Fact::CredibilityAssessment(_)
            | Fact::DatedAssessment(_)
            | Fact::SupporterListAttested(_)
            | Fact::HolidayCalendar(_) => Vec::new(),
        }
    }

    fn drafts(&self) -> Vec<DraftSymbol> {
        match self {
            Fact::DraftTabled(d) => vec![d.draft],
            Fact::CouncilVote(v) => vec![v.draft],
            Fact::CredibilityAssessment(a) => vec![a.draft],
            Fact::DatedAssessment(d) => vec![d.assessment.draft],
            Fact::TallyVote(v) => match &v.text {
                VotedText::Draft(d) => vec![*d],
                VotedText::Amendment { amends, .. } => amends.iter().copied().collect(),
            },
            Fact::AssemblyMeeting(m) => m.follows.iter().filter_map(|f| f.draft).collect(),
            Fact::AdherenceLetter(_)
            | Fact::CouncilTerm(_)
            | Fact::HolidayCalendar(_)
            | Fact::SupporterListAttested(_) => Vec::new(),
        }
    }
}
