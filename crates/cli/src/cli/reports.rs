//! The arguments of the report commands (log, supporters, council, votes, compliance,
//! veto-initiative, scorecard) and the cut-offs they share.

use super::*;

#[derive(Debug, Args)]
pub struct LogArgs {
    /// First sequence number to show.
    #[arg(long, default_value_t = 0)]
    pub from: u64,
    /// At most this many events.
    #[arg(long)]
    pub limit: Option<u64>,
    /// Print JSON Lines: one event per line with its hash.
    #[arg(long)]
    pub json: bool,
}

/// Where to cut the log before replaying it.
#[derive(Debug, Clone, Args)]
pub struct CutoffArgs {
    /// Only facts that happened on or before this day (a letter's, a vote's, a meeting's own
    /// date; the day an assessment was made), as the ledger now knows them; not in the future.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// The log as it stood at this sequence number.
    #[arg(long)]
    pub at_seq: Option<u64>,
    /// The log as it stood at this time: every event recorded at or before it (RFC 3339, e.g.
    /// 2026-12-02T16:00:00Z, or a day, meaning its end, UTC).
    #[arg(long, value_parser = parse_datetime, value_name = "DATETIME")]
    pub recorded_by: Option<i64>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = false)]
pub struct SupportersArgs {
    #[command(flatten)]
    pub cutoff: CutoffArgs,
    /// Print one JSON object.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub sub: Option<SupportersSub>,
}

#[derive(Debug, Subcommand)]
pub enum SupportersSub {
    /// Compare with a published list (a CSV, one state a row, by ISO3 code or by name as
    /// data/un_members.csv writes it); exit 0 when the same, 1 when they differ, 2 on bad input
    /// (as diff(1)).
    Diff {
        /// The published list.
        file: PathBuf,
        /// The column holding codes or names (default: the first of iso3, name, state,
        /// country, member_state in the header, or its only column).
        #[arg(long)]
        column: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct CouncilArgs {
    /// The day.
    #[arg(long, value_parser = parse_date)]
    pub on: Date,
    #[command(flatten)]
    pub cutoff: CutoffArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VotesArgs {
    /// Only vetoed drafts.
    #[arg(long)]
    pub vetoed: bool,
    #[command(flatten)]
    pub cutoff: CutoffArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// Only these states (ISO3, comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_parser = parse_state)]
    pub state: Vec<StateCode>,
    /// Trust only these assessor keys (hex; repeatable). Default: every assessor key in the ledger.
    #[arg(long, value_name = "KEY")]
    pub trust: Vec<String>,
    /// Also list votes without findings.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub cutoff: CutoffArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VetoInitiativeArgs {
    /// Holiday calendar recorded in the ledger (default: UN Headquarters; an unknown name is an
    /// error listing the recorded ones).
    #[arg(long, conflicts_with = "holidays")]
    pub calendar: Option<String>,
    /// Use the UN holidays in this CSV file (the `import holidays` shape) instead of a
    /// calendar recorded in the ledger; the report names the file.
    #[arg(long, value_name = "FILE.csv")]
    pub holidays: Option<PathBuf>,
    /// With --holidays: years whose list is complete (comma-separated).
    #[arg(long, value_delimiter = ',', requires = "holidays")]
    pub complete_years: Vec<u16>,
    #[command(flatten)]
    pub cutoff: CutoffArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns.
    Table,
    /// CSV with a header row.
    Csv,
    /// A Markdown table.
    Markdown,
    /// One JSON object (same as --json).
    Json,
}

#[derive(Debug, Args)]
pub struct ScorecardArgs {
    /// Candidate states (ISO3, comma-separated). Default: every supporter and current member.
    #[arg(long, value_delimiter = ',', value_parser = parse_state)]
    pub states: Vec<StateCode>,
    /// Trust only these assessor keys (hex; repeatable).
    #[arg(long, value_name = "KEY")]
    pub trust: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub cutoff: CutoffArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}
