//! CSV importers (docs/IMPORT.md): each file kind maps rows to facts. Pure: they read from any
//! `Read` and never touch the ledger; `commands::import` reconciles the facts with the ledger
//! and writes them atomically.
//!
//! Every row is validated before anything is written; the first bad row stops the import with
//! an error naming the file, line, column and value. Memory stays bounded on hostile input:
//! a line over 64 KiB is refused before it is buffered further.

mod csvread;
pub mod ingest;
mod kinds;
pub mod remote;

use std::fmt;

use actledger_core::event::{Fact, MeetingFormat, VetoRef};
use actledger_core::{Date, DraftSymbol, StateCode};

pub use csvread::{LineLimit, MAX_LINE_BYTES};
pub use kinds::{parse, parse_each, UN_HQ_CALENDAR};

/// The kinds of file `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// supporters.csv: adherence letters (depositary key).
    Supporters,
    /// sc_members.csv: Council membership by year (recorder key).
    Members,
    /// vetoes.csv: vetoed drafts with the reported tally (recorder key).
    Vetoes,
    /// sc_votes.csv: each member's vote on each draft (recorder key).
    Votes,
    /// veto_initiative_meetings.csv: Assembly meetings after vetoes (recorder key).
    Meetings,
    /// un_holidays.csv: UN Headquarters holidays (recorder key).
    Holidays,
}

impl Kind {
    /// The columns a file of this kind must have.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Supporters => &[
                "iso3",
                "date_of_adherence",
                "listed_as_supporter_by",
                "source",
            ],
            Kind::Members => &["year", "iso3", "seat", "source"],
            Kind::Vetoes => &[
                "date",
                "draft_symbol",
                "meeting_record",
                "vetoing_members",
                "veto_on",
                "tally_yes_no_abstain",
                "source",
            ],
            Kind::Votes => &["draft_symbol", "vote_date", "iso3", "vote", "source"],
            Kind::Meetings => &[
                "meeting_date",
                "veto_date",
                "veto_draft_symbol",
                "ga_session",
                "meeting_symbols",
                "meeting_format",
                "source",
            ],
            Kind::Holidays => &["date", "name", "year", "source"],
        }
    }

    /// The column a rule rejection of this kind's fact is reported against.
    pub fn rule_column(self) -> &'static str {
        match self {
            Kind::Supporters | Kind::Members => "iso3",
            Kind::Vetoes => "tally_yes_no_abstain",
            Kind::Votes => "vote",
            Kind::Meetings => "veto_draft_symbol",
            Kind::Holidays => "date",
        }
    }

    /// The role whose key signs this kind's facts.
    pub fn role(self) -> actledger_core::Role {
        match self {
            Kind::Supporters => actledger_core::Role::Depositary,
            _ => actledger_core::Role::Recorder,
        }
    }

    /// Name as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Supporters => "supporters",
            Kind::Members => "members",
            Kind::Vetoes => "vetoes",
            Kind::Votes => "votes",
            Kind::Meetings => "meetings",
            Kind::Holidays => "holidays",
        }
    }
}

/// What identifies a fact across imports, so a re-import finds the fact a row recorded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FactKey {
    /// One adherence per state.
    Adherence(StateCode),
    /// A state's term starting on a day.
    Term(StateCode, Date),
    /// One draft record per symbol.
    Draft(DraftSymbol),
    /// One vote per draft.
    Vote(DraftSymbol),
    /// A meeting by the vetoes it follows and its format (never its date, records or press
    /// release: a source that later fills one in corrects the meeting, it is not another one).
    Meeting(Vec<VetoRef>, MeetingFormat),
    /// A holiday calendar's year.
    Calendar(String, u16),
    /// A vote known by its tally: its day and its text (never its tally, which a better
    /// source may fill in).
    TallyVote(Date, String),
}

impl FactKey {
    /// A 128-bit digest of the key (the first half of SHA-256 of its debug form, which names
    /// the variant and every field): two different keys share one with probability 2^-128.
    pub fn digest(&self) -> u128 {
        use sha2::Digest;
        let h = sha2::Sha256::digest(format!("{self:?}").as_bytes());
        let mut half = [0u8; 16];
        half.copy_from_slice(&h[..16]);
        u128::from_be_bytes(half)
    }

    /// The key of a fact, if facts of its kind are imported.
    pub fn of(fact: &Fact) -> Option<FactKey> {
        Some(match fact {
            Fact::AdherenceLetter(a) => FactKey::Adherence(a.state),
            Fact::CouncilTerm(t) => FactKey::Term(t.state, t.from),
            Fact::DraftTabled(d) => FactKey::Draft(d.draft),
            Fact::CouncilVote(v) => FactKey::Vote(v.draft),
            Fact::AssemblyMeeting(m) => FactKey::Meeting(m.follows.clone(), m.format),
            Fact::HolidayCalendar(c) => FactKey::Calendar(c.calendar.to_string(), c.year),
            Fact::TallyVote(v) => FactKey::TallyVote(v.date, v.text.label()),
            Fact::CredibilityAssessment(_)
            | Fact::DatedAssessment(_)
            | Fact::SupporterListAttested(_) => return None,
        })
    }
}

/// One fact parsed from a file, with where it came from.
#[derive(Debug, Clone)]
pub struct Item {
    /// First line (1-based, the header is line 1) of the row(s) it comes from.
    pub line: u64,
    /// Value of the kind's rule column on that line.
    pub rule_value: String,
    /// The fact.
    pub fact: Fact,
}

/// The rows of a file that were read but are not facts (e.g. amendment vetoes with no draft
/// symbol), reported, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Line.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Facts in file order.
    pub items: Vec<Item>,
    /// Rows not imported, with reasons.
    pub skipped: Vec<Skipped>,
}

/// Options of a parse.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Holidays: the years whose list is complete.
    pub complete_years: Vec<u16>,
    /// Votes: meeting records known for drafts (from the ledger's DraftTabled facts).
    pub meetings: MeetingRecords,
}

/// Meeting records by draft, kept compactly: a votes import needs the record of every tabled
/// draft at hand (321k at a million events), and a map of owned strings took ~60 MB of it.
/// The symbols are stored back to back in one string.
#[derive(Debug, Clone, Default)]
pub struct MeetingRecords {
    text: String,
    at: std::collections::HashMap<DraftSymbol, (usize, u8)>,
}

impl MeetingRecords {
    /// Records `meeting` for `draft` (replacing an earlier one).
    pub fn insert(&mut self, draft: DraftSymbol, meeting: &actledger_core::UnSymbol) {
        let s = meeting.as_str();
        // An UnSymbol is at most 64 bytes, so its length fits a byte.
        if let Ok(len) = u8::try_from(s.len()) {
            self.at.insert(draft, (self.text.len(), len));
            self.text.push_str(s);
        }
    }

    /// The meeting record of `draft`, if known.
    pub fn get(&self, draft: &DraftSymbol) -> Option<actledger_core::UnSymbol> {
        let &(at, len) = self.at.get(draft)?;
        let s = self.text.get(at..at + usize::from(len))?;
        actledger_core::UnSymbol::new(s).ok()
    }
}

/// An import error: file, line, column and value where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// File name as given.
    pub file: String,
    /// 1-based line.
    pub line: Option<u64>,
    /// Column name.
    pub column: Option<String>,
    /// The offending value.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl ImportError {
    pub(crate) fn file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line: None,
            column: None,
            value: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(
        file: &str,
        line: u64,
        column: &str,
        value: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_string(),
            line: Some(line),
            column: Some(column.to_string()),
            value: Some(value.to_string()),
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, " line {l}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(v) = &self.value {
            write!(f, ", value {}", actledger_core::error::quoted(v))?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ImportError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_records_keep_the_latest_per_draft() {
        let sym = |s: &str| actledger_core::UnSymbol::new(s).unwrap();
        let d1: DraftSymbol = "S/2022/720".parse().unwrap();
        let d2: DraftSymbol = "S/2024/1".parse().unwrap();
        let mut m = MeetingRecords::default();
        assert_eq!(m.get(&d1), None);
        m.insert(d1, &sym("S/PV.9143"));
        m.insert(d2, &sym("S/PV.9999"));
        m.insert(d1, &sym("S/PV.9144"));
        assert_eq!(m.get(&d1), Some(sym("S/PV.9144")));
        assert_eq!(m.get(&d2), Some(sym("S/PV.9999")));
    }
}
