//! The page's inputs: everything it shows, computed and checked beforehand.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The ledger's head, as verification recomputed it when the page was written.
#[derive(Debug, Clone)]
pub struct Head {
    /// Number of events.
    pub events: u64,
    /// SHA-256 of the last event's stored bytes, hex.
    pub hash: String,
    /// When the last event was recorded (RFC 3339, from the ledger).
    pub last_recorded: Option<String>,
}

/// The event a `--at-seq` cut-off stops at.
#[derive(Debug, Clone)]
pub struct CutEvent {
    /// Its sequence number.
    pub seq: u64,
    /// SHA-256 of its stored bytes, hex.
    pub hash: String,
}

/// One signature line of the checkpoint note.
#[derive(Debug, Clone)]
pub struct SignatureLine {
    /// Key name.
    pub name: String,
    /// Key ID, hex.
    pub key_id: String,
    /// Signature bytes after the key ID, base64.
    pub signature: String,
}

/// One check the exporter made, and its result.
#[derive(Debug, Clone)]
pub struct Check {
    /// Whether it passed.
    pub ok: bool,
    /// What was checked, in one sentence.
    pub what: String,
}

/// The latest signed checkpoint, parsed and checked against the ledger.
#[derive(Debug, Clone)]
pub struct CheckpointInfo {
    /// The C2SP signed note, verbatim.
    pub note: String,
    /// Origin line (empty when the note does not parse).
    pub origin: String,
    /// Tree size.
    pub size: u64,
    /// Root hash, base64 (as in the note).
    pub root: String,
    /// Signature lines.
    pub signatures: Vec<SignatureLine>,
    /// Note verifier keys of the ledger's log keys (`name+keyid+base64`).
    pub verifier_keys: Vec<String>,
    /// What the exporter checked.
    pub checks: Vec<Check>,
}

/// Everything the page shows, computed beforehand.
#[derive(Debug, Clone)]
pub struct Page {
    /// The ledger's origin (genesis).
    pub origin: String,
    /// The ledger's description (genesis).
    pub description: String,
    /// `actledger <version>`.
    pub generator: String,
    /// `--as-of` cut-off.
    pub as_of: Option<Date>,
    /// `--at-seq` cut-off.
    pub at_seq: Option<u64>,
    /// The ledger's head.
    pub head: Head,
    /// The event an `--at-seq` cut-off stops at.
    pub cut: Option<CutEvent>,
    /// The latest checkpoint, if one was signed.
    pub checkpoint: Option<CheckpointInfo>,
    /// Supporters.
    pub supporters: SupporterList,
    /// The Council on the page's reference day (the last day of recorded terms at most).
    pub council: Option<Council>,
    /// The voting math of that day (`core::projection::outlook`, as `actledger outlook`).
    pub outlook: Option<actledger_core::projection::Outlook>,
    /// Every vote with its computed outcome.
    pub votes: VoteList,
    /// Compliance findings.
    pub compliance: ComplianceReport,
    /// The veto-initiative record.
    pub veto_initiative: VetoInitiativeReport,
    /// Figures of the whole record, whatever rows the page shows.
    pub totals: Totals,
    /// Set when the record is too large for one page: `votes`, `compliance` and
    /// `veto_initiative` then hold only the rows the page shows (the most important and the
    /// most recent), and the full tables are in the files it names.
    pub summary: Option<Summary>,
}

/// Figures of the whole record (counted over every row, shown or not).
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Council votes recorded.
    pub votes: usize,
    /// Of them, vetoed.
    pub vetoes: usize,
    /// Years of the first and the last veto.
    pub veto_years: Option<(i32, i32)>,
    /// Vetoes since resolution 76/262 (those its rule judges).
    pub judged_vetoes: usize,
    /// Assembly meetings after a veto whose date is not recorded.
    pub undated_meetings: usize,
    /// Votes on drafts the trusted assessors assessed.
    pub assessed_votes: usize,
    /// Compliance findings.
    pub findings: usize,
}

impl Totals {
    /// The totals of a page that shows every row.
    pub fn of(votes: &VoteList, compliance: &ComplianceReport, vi: &VetoInitiativeReport) -> Self {
        let vetoed: Vec<_> = votes
            .votes
            .iter()
            .filter(|v| matches!(v.result.outcome, Outcome::Vetoed { .. }))
            .collect();
        Self {
            votes: votes.votes.len(),
            vetoes: vetoed.len(),
            veto_years: vetoed
                .first()
                .zip(vetoed.last())
                .map(|(a, b)| (a.date.year(), b.date.year())),
            judged_vetoes: vi
                .vetoes
                .iter()
                .filter(|v| v.status != VetoStatus::RuleNotInForce)
                .count(),
            undated_meetings: vi
                .vetoes
                .iter()
                .flat_map(|v| v.meetings.iter())
                .chain(vi.other_meetings.iter().map(|m| &m.meeting))
                .filter(|m| m.date.is_none())
                .count(),
            assessed_votes: compliance
                .votes
                .iter()
                .filter(|v| !v.credibility.trusted.is_empty())
                .count(),
            findings: compliance.findings().count(),
        }
    }
}

/// Where a summarised page's full tables are.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The files, in the order the page lists them.
    pub files: Vec<DataFile>,
    /// Rows shown of each table.
    pub shown_vetoes: usize,
    /// Rows of the veto-initiative table shown.
    pub shown_judged: usize,
    /// Findings shown.
    pub shown_findings: usize,
}

/// One file beside a summarised page.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// Which table: `findings`, `compliance`, `vetoes`, `votes`, `veto-initiative`.
    pub key: &'static str,
    /// Its link, relative to the page.
    pub href: String,
    /// What it holds, in a few words.
    pub what: String,
}
