//! Command-line definitions (clap derive).

use std::path::PathBuf;

use actledger_core::event::{AtrocityCrime, Instrument, MeetingFormat, Seat};
use actledger_core::{Date, DraftSymbol, Role, StateCode, UnSymbol};
use clap::{Args, Parser, Subcommand};

/// The longest `--wait` (a year, in seconds); a larger value is taken as this one (a
/// deadline past the clock's range would otherwise overflow).
pub const MAX_WAIT_SECS: u64 = 365 * 24 * 3600;

const EXIT_CODES: &str = "Exit codes: 0 ok, 1 verification failed (tampering or an invalid proof was found), 2 usage or input error.";

/// actledger: a tamper-evident public record of the ACT Code of Conduct on Mass Atrocities.
#[derive(Debug, Parser)]
#[command(name = "actledger", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// Ledger directory.
    #[arg(long, global = true, env = "ACTLEDGER_DIR", value_name = "DIR")]
    pub ledger: Option<PathBuf>,

    /// Wait up to SECS for another process to release the ledger (at most a year: a larger
    /// value waits a year).
    #[arg(long, global = true, value_name = "SECS", default_value_t = 0)]
    pub wait: u64,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, inspect, grant and revoke keys.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Create a ledger with its genesis event, signed by the first administrator key.
    Init(InitArgs),
    /// Record a fact (adherence letter, Council term, draft, vote, assessment, meeting, holidays, correction).
    Record(RecordArgs),
    /// List events.
    Log(LogArgs),
    /// Verify the whole ledger from its stored bytes (exit 1 on the first bad event).
    Verify(VerifyArgs),
    /// List the supporters of the Code (or compare with a published list: `supporters diff FILE`).
    Supporters(SupportersArgs),
    /// The Council on a day: permanent or elected, supporter or not.
    Council(CouncilArgs),
    /// The voting math before a Council vote: each member's standing under the Code and the
    /// arithmetic of Charter Art. 27(3); with --draft, who would breach by voting against.
    Outlook(OutlookArgs),
    /// Every recorded vote with its outcome computed from the members' votes (Charter Art. 27).
    Votes(VotesArgs),
    /// Compliance history: breaches, permitted abstentions, drafts needing assessment, conflicts.
    Compliance(ComplianceArgs),
    /// Each veto since 26 April 2022 and whether the Assembly met within ten working days.
    VetoInitiative(VetoInitiativeArgs),
    /// Scorecards of candidate states: supporter since, terms, votes on assessed drafts, breaches.
    Scorecard(ScorecardArgs),
    /// Sign the current tree head as a C2SP checkpoint (log key), or print the latest one.
    Checkpoint(CheckpointArgs),
    /// Print a C2SP tlog-proof that an event is in the log, against the latest checkpoint.
    Prove(ProveArgs),
    /// Print the RFC 9162 consistency proof between two tree sizes (one base64 hash per line).
    Consistency(ConsistencyArgs),
    /// Check a tlog-proof offline against the log's verifier key (no ledger needed).
    ///
    /// A proof carries one entry, not the log's key list: the checkpoint's signature is checked
    /// against the --vkey given, which must come from the log's operator. `verify-snapshot`
    /// also checks that the key holds the `log` role.
    VerifyProof(VerifyProofArgs),
    /// Check offline that a newer checkpoint extends an older one (no ledger needed).
    VerifyConsistency(VerifyConsistencyArgs),
    /// Witness operations (C2SP tlog-cosignature).
    #[command(subcommand)]
    Witness(WitnessCmd),
    /// Follow a published log over C2SP tlog-tiles and verify every event; exit 1 with an
    /// evidence file on misbehaviour, 2 if the server is unreachable or over a limit.
    Monitor(MonitorArgs),
    /// Re-check an evidence file written by `monitor`, offline: exit 0 if it proves what it
    /// says, 1 if not.
    VerifyEvidence(VerifyEvidenceArgs),
    /// Export the log: a verifiable snapshot folder, or static C2SP tiles.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Verify a snapshot folder offline against the log's verifier key (no ledger needed).
    VerifySnapshot(VerifySnapshotArgs),
    /// Build a ledger from the embedded real data (temporary directory unless --ledger) and report on it.
    Demo(DemoArgs),
    /// Import a CSV file (all rows or none; re-importing is idempotent).
    Import(ImportArgs),
    /// Serve the ledger over HTTP as its one writer: C2SP tiles, the read API, the live page,
    /// and events signed elsewhere (docs/SERVING.md). Stops on SIGINT/SIGTERM.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default: put a TLS-terminating proxy in front for the
    /// internet). Port 0 picks a free port; the address is printed.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// Key file with the `log` role: sign a checkpoint after writes (at most one a second)
    /// and on `POST /checkpoint`. Without it, the latest recorded checkpoint is served.
    #[arg(long, value_name = "FILE")]
    pub log_key: Option<PathBuf>,
    /// A witness to cosign each checkpoint before it is published (C2SP tlog-witness): its
    /// URL and its cosignature verifier key. Repeat for several.
    #[arg(long = "witness", value_name = "URL=VKEY", requires = "log_key")]
    pub witnesses: Vec<String>,
    /// Publish a checkpoint only with at least K valid cosignatures (default: all the
    /// witnesses).
    #[arg(long, value_name = "K", requires = "witnesses")]
    pub quorum: Option<usize>,
    /// Seconds a client may take to send a request's headers before it is cut off.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub header_timeout: u64,
    /// Seconds a request may take, body included (then `408`).
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub request_timeout: u64,
    /// Connections held at once (more are closed when accepted).
    #[arg(long, default_value_t = 4096, value_name = "N")]
    pub max_connections: usize,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: actledger::import::Kind,
    /// The CSV file (`-` reads standard input).
    pub file: PathBuf,
    /// Key file that signs the events (depositary for supporters, recorder otherwise).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Import through the `actledger serve` at URL: the log is read from it and verified, the
    /// events signed here (the key never leaves this machine) and submitted as one batch,
    /// admitted whole or not at all.
    #[arg(long, value_name = "URL")]
    pub remote: Option<String>,
    /// Check everything and report what would be written, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Holidays: years whose list is complete (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub complete_years: Vec<u16>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print JSON (one object per line).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Generate a new Ed25519 key into FILE (created 0600, never overwritten); prints its public key.
    New {
        /// Where to write the private key.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the public key of a key file (or, with --verifier, its C2SP note verifier key).
    Show {
        /// The key file.
        file: PathBuf,
        /// Print the note verifier key `name+hex(keyid)+base64(0x01||pubkey)`; the name is
        /// the ledger's origin (or --origin).
        #[arg(long)]
        verifier: bool,
        /// Key name for --verifier (default: the origin of the ledger at --ledger).
        #[arg(long, requires = "verifier")]
        origin: Option<String>,
        /// With --verifier: a witness cosignature (tlog-cosignature/v1) verifier key.
        #[arg(long, requires = "verifier")]
        cosignature: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Grant a role to a public key (signed by an administrator key).
    Grant(GrantArgs),
    /// Revoke a key: it signs nothing after this (signed by an administrator key).
    Revoke(RevokeArgs),
    /// List the ledger's keys and their roles.
    List(JsonArg),
}

#[derive(Debug, Args)]
pub struct PublicKeyArg {
    /// The public key, 64 hex digits.
    #[arg(
        long,
        value_name = "HEX",
        required_unless_present = "public_from",
        conflicts_with = "public_from"
    )]
    pub public: Option<String>,
    /// Take the public key from this key file.
    #[arg(long, value_name = "FILE")]
    pub public_from: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    /// Administrator key file that signs the grant.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    #[command(flatten)]
    pub target: PublicKeyArg,
    /// Role: administrator, depositary, recorder, assessor, log.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Who holds the key.
    #[arg(long)]
    pub holder: String,
    /// Free note.
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Administrator key file that signs the revocation.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    #[command(flatten)]
    pub target: PublicKeyArg,
    /// Why.
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The log's origin: a schemeless URL-like name, used in checkpoints (e.g. act.example.org/ledger).
    #[arg(long)]
    pub origin: String,
    /// The first administrator's key file (it signs the genesis event).
    #[arg(long, value_name = "FILE")]
    pub admin_key: PathBuf,
    /// Who holds the administrator key.
    #[arg(long, default_value = "administrator")]
    pub holder: String,
    /// What this ledger is for.
    #[arg(
        long,
        default_value = "Public record of the ACT Code of Conduct on Mass Atrocities"
    )]
    pub description: String,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Key file that signs the event (its role must allow the fact).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Append through the `actledger serve` at URL: the event is signed here (the key never
    /// leaves this machine) over the server's head and submitted; no local ledger is needed.
    #[arg(long, value_name = "URL")]
    pub remote: Option<String>,
    #[command(subcommand)]
    pub what: RecordWhat,
}

#[derive(Debug, Subcommand)]
pub enum RecordWhat {
    #[command(flatten)]
    Fact(FactCmd),
    /// Correct an earlier fact: give its seq, a reason, then the corrected fact in full.
    Correction(CorrectionArgs),
}

#[derive(Debug, Args)]
pub struct CorrectionArgs {
    /// Sequence number of the fact corrected.
    #[arg(long)]
    pub target: u64,
    /// Why it is corrected.
    #[arg(long)]
    pub reason: String,
    #[command(subcommand)]
    pub fact: FactCmd,
}

#[derive(Debug, Subcommand)]
pub enum FactCmd {
    /// A state's adherence letter or note verbale (depositary key).
    Adherence(AdherenceArgs),
    /// A state's Council term (recorder key).
    Term(TermArgs),
    /// A draft resolution put before the Council (recorder key).
    Draft(DraftArgs),
    /// A Council vote: every member's vote (recorder key).
    Vote(VoteArgs),
    /// A credibility assessment of a draft (assessor key).
    Assessment(AssessmentArgs),
    /// A General Assembly meeting held after a veto under res. 76/262 (recorder key).
    Meeting(MeetingArgs),
    /// Official holidays of a calendar for one year (recorder key).
    Holidays(HolidaysArgs),
    /// The depositary's statement that its published supporter list of a day is complete
    /// (depositary key; format revision 3). Refused unless the ledger's supporters as of that
    /// day are exactly that list (the error names the states on one side only).
    Attestation(AttestationArgs),
}

#[derive(Debug, Args)]
pub struct AttestationArgs {
    /// The day the published list speaks for (not in the future).
    #[arg(long, value_parser = parse_date)]
    pub date: Date,
    /// The number of supporters the depositary states (checked against the list).
    #[arg(long)]
    pub count: u16,
    /// The published list as a CSV, one state a row, by ISO3 code or by name (as
    /// `supporters diff` reads it).
    #[arg(
        long,
        value_name = "FILE.csv",
        required_unless_present = "from_ledger",
        conflicts_with = "from_ledger"
    )]
    pub list: Option<PathBuf>,
    /// With --list: the column holding codes or names.
    #[arg(long, requires = "list")]
    pub column: Option<String>,
    /// Attest the ledger's own supporter list as of --date (the depositary has compared it
    /// with its list).
    #[arg(long)]
    pub from_ledger: bool,
    /// Where the list is published (URL).
    #[arg(long)]
    pub url: String,
    /// The UN document carrying the list (e.g. A/70/621).
    #[arg(long, value_parser = parse_symbol)]
    pub document: Option<UnSymbol>,
    /// Free note.
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct OutlookArgs {
    /// The day of the vote (may be ahead of the record: terms are recorded from election
    /// results before they start).
    #[arg(long, value_parser = parse_date)]
    pub on: Date,
    /// A draft: with a recorded credibility assessment, who would breach the Code by voting
    /// against it.
    #[arg(long, value_parser = parse_draft)]
    pub draft: Option<DraftSymbol>,
    /// Trust only these assessor keys (hex; repeatable). Default: every assessor key.
    #[arg(long, value_name = "KEY")]
    pub trust: Vec<String>,
    #[command(flatten)]
    pub cutoff: CutoffArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AdherenceArgs {
    /// State, ISO 3166-1 alpha-3 (e.g. FRA).
    #[arg(long, value_parser = parse_state)]
    pub state: StateCode,
    /// Date of the letter (exact).
    #[arg(long, value_parser = parse_date, required_unless_present = "listed_by", conflicts_with = "listed_by")]
    pub date: Option<Date>,
    /// Only known: a source listed the state as a supporter by this date.
    #[arg(long, value_parser = parse_date)]
    pub listed_by: Option<Date>,
    /// Date the depositary received it.
    #[arg(long, value_parser = parse_date)]
    pub received: Option<Date>,
    /// letter, note-verbale or unspecified.
    #[arg(long, value_parser = parse_instrument, default_value = "letter")]
    pub instrument: Instrument,
    /// The letter's reference.
    #[arg(long, default_value = "")]
    pub reference: String,
    /// Where this comes from (URL or document).
    #[arg(long)]
    pub source: String,
    /// Free note.
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct TermArgs {
    /// State, ISO 3166-1 alpha-3.
    #[arg(long, value_parser = parse_state)]
    pub state: StateCode,
    /// permanent or elected.
    #[arg(long, value_parser = parse_seat)]
    pub seat: Seat,
    /// First day on the Council.
    #[arg(long, value_parser = parse_date)]
    pub from: Date,
    /// Last day on the Council.
    #[arg(long, value_parser = parse_date)]
    pub to: Date,
    /// Source.
    #[arg(long)]
    pub source: String,
    /// Free note.
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    /// Draft symbol, S/YYYY/NNN.
    #[arg(long, value_parser = parse_draft)]
    pub draft: DraftSymbol,
    /// What it is about.
    #[arg(long)]
    pub subject: String,
    /// The Council's agenda item.
    #[arg(long, default_value = "")]
    pub agenda_item: String,
    /// Penholders, comma-separated state codes.
    #[arg(long, value_delimiter = ',', value_parser = parse_state)]
    pub penholders: Vec<StateCode>,
    /// Day put in blue.
    #[arg(long, value_parser = parse_date)]
    pub tabled_on: Option<Date>,
    /// Source.
    #[arg(long)]
    pub source: String,
    /// Free note.
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct VoteArgs {
    /// Draft symbol, S/YYYY/NNN.
    #[arg(long, value_parser = parse_draft)]
    pub draft: DraftSymbol,
    /// Day of the vote.
    #[arg(long, value_parser = parse_date)]
    pub date: Date,
    /// Meeting record, e.g. S/PV.9143.
    #[arg(long, value_parser = parse_symbol)]
    pub meeting: Option<UnSymbol>,
    /// A procedural vote (no veto applies).
    #[arg(long)]
    pub procedural: bool,
    /// Members voting in favour, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = parse_state)]
    pub yes: Vec<StateCode>,
    /// Members voting against.
    #[arg(long, value_delimiter = ',', value_parser = parse_state)]
    pub no: Vec<StateCode>,
    /// Members abstaining.
    #[arg(long, value_delimiter = ',', value_parser = parse_state)]
    pub abstain: Vec<StateCode>,
    /// Members not participating.
    #[arg(long, value_delimiter = ',', value_parser = parse_state)]
    pub absent: Vec<StateCode>,
    /// Source.
    #[arg(long)]
    pub source: String,
    /// Free note.
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct AssessmentArgs {
    /// Draft symbol, S/YYYY/NNN.
    #[arg(long, value_parser = parse_draft)]
    pub draft: DraftSymbol,
    /// Whether the assessor judges the draft credible under the Code (a credible draft aimed
    /// at preventing or ending genocide, crimes against humanity or war crimes): `yes` or
    /// `no`, required. A `no` vote by a bound supporter on a draft judged credible is a breach.
    #[arg(long, value_parser = parse_yes_no, action = clap::ArgAction::Set, value_name = "yes|no")]
    pub credible: bool,
    /// Crimes concerned: genocide, crimes-against-humanity, war-crimes (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = parse_crime)]
    pub crimes: Vec<AtrocityCrime>,
    /// UN documents cited (comma-separated symbols).
    #[arg(long, value_delimiter = ',', value_parser = parse_symbol)]
    pub basis: Vec<UnSymbol>,
    /// Reasoning.
    #[arg(long)]
    pub rationale: String,
    /// The day the assessment was made (default: today, UTC); never after today. `--as-of`
    /// filters assessments by this day, as it filters letters and votes by theirs.
    #[arg(long, value_parser = parse_date)]
    pub on: Option<Date>,
}

#[derive(Debug, Args)]
pub struct MeetingArgs {
    /// Day of the meeting (omit when unknown).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Session, e.g. 76 or ES-11.
    #[arg(long)]
    pub session: String,
    /// veto-initiative or emergency-special-session.
    #[arg(long, value_parser = parse_format, default_value = "veto-initiative")]
    pub format: MeetingFormat,
    /// Meeting records, comma-separated (e.g. A/76/PV.77,A/76/PV.78).
    #[arg(long, value_delimiter = ',', value_parser = parse_symbol)]
    pub records: Vec<UnSymbol>,
    /// The veto(es) it follows, as DATE:DRAFT (or DATE alone for an amendment without symbol).
    #[arg(long, required = true, value_delimiter = ',', value_parser = parse_veto_ref)]
    pub follows: Vec<actledger_core::event::VetoRef>,
    /// States that spoke, in order, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = parse_state)]
    pub speakers: Vec<StateCode>,
    /// Press release symbol, e.g. GA/12423.
    #[arg(long, value_parser = parse_symbol)]
    pub press_release: Option<UnSymbol>,
    /// Source.
    #[arg(long)]
    pub source: String,
    /// Free note.
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct HolidaysArgs {
    /// Calendar name.
    #[arg(long, default_value = "UN Headquarters (New York)")]
    pub calendar: String,
    /// Year.
    #[arg(long)]
    pub year: u16,
    /// Holidays as DATE=NAME, repeatable.
    #[arg(long = "holiday", value_parser = parse_holiday)]
    pub holidays: Vec<(Date, String)>,
    /// The list is the whole year's official holidays.
    #[arg(long)]
    pub complete: bool,
    /// Source.
    #[arg(long)]
    pub source: String,
}

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

/// An RFC 3339 time, or a day (its last second, UTC), as Unix seconds.
pub fn parse_datetime(s: &str) -> Result<i64, String> {
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let d = parse_date(s).map_err(|_| {
        format!("expected an RFC 3339 time (2026-12-02T16:00:00Z) or a day (2026-12-02), got {s:?}")
    })?;
    Ok(d.as_time()
        .with_hms(23, 59, 59)
        .map_or(0, |t| t.assume_utc().unix_timestamp()))
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

pub fn parse_state(s: &str) -> Result<StateCode, String> {
    s.trim()
        .parse()
        .map_err(|e: actledger_core::ValueError| e.to_string())
}
pub fn parse_date(s: &str) -> Result<Date, String> {
    s.parse()
        .map_err(|e: actledger_core::ValueError| e.to_string())
}
pub fn parse_draft(s: &str) -> Result<DraftSymbol, String> {
    s.parse()
        .map_err(|e: actledger_core::ValueError| e.to_string())
}
pub fn parse_symbol(s: &str) -> Result<UnSymbol, String> {
    UnSymbol::new(s).map_err(|e| e.to_string())
}
pub fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}
pub fn parse_seat(s: &str) -> Result<Seat, String> {
    Seat::parse(s).map_err(|e| e.to_string())
}
pub fn parse_instrument(s: &str) -> Result<Instrument, String> {
    Instrument::parse(s).map_err(|e| e.to_string())
}
pub fn parse_crime(s: &str) -> Result<AtrocityCrime, String> {
    AtrocityCrime::parse(s).map_err(|e| e.to_string())
}
pub fn parse_format(s: &str) -> Result<MeetingFormat, String> {
    MeetingFormat::parse(s).map_err(|e| e.to_string())
}
pub fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(format!("expected yes or no, got {s:?}")),
    }
}
pub fn parse_veto_ref(s: &str) -> Result<actledger_core::event::VetoRef, String> {
    let (d, draft) = match s.split_once(':') {
        Some((d, x)) => (d, Some(parse_draft(x)?)),
        None => (s, None),
    };
    Ok(actledger_core::event::VetoRef {
        date: parse_date(d)?,
        draft,
    })
}
pub fn parse_holiday(s: &str) -> Result<(Date, String), String> {
    let (d, name) = s
        .split_once('=')
        .ok_or_else(|| format!("expected DATE=NAME, got {s:?}"))?;
    Ok((parse_date(d)?, name.to_string()))
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// Log key file (holding the `log` role) that signs the checkpoint.
    #[arg(long, value_name = "FILE", conflicts_with = "latest")]
    pub key: Option<PathBuf>,
    /// Print the latest stored checkpoint instead of signing one.
    #[arg(long)]
    pub latest: bool,
    /// A witness to ask for a cosignature (C2SP tlog-witness): its URL (the submission
    /// prefix) and its cosignature verifier key. Repeat for several.
    #[arg(long = "witness", value_name = "URL=VKEY", requires = "key")]
    pub witnesses: Vec<String>,
    /// Store and print the checkpoint only with at least K valid cosignatures (default: all
    /// the witnesses).
    #[arg(long, value_name = "K", requires = "witnesses")]
    pub quorum: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProveArgs {
    /// Sequence number of the event.
    #[arg(required_unless_present = "state", conflicts_with = "state")]
    pub seq: Option<u64>,
    /// Prove the adherence letter of this state instead.
    #[arg(long, value_parser = parse_state)]
    pub state: Option<StateCode>,
    /// Write the proof to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConsistencyArgs {
    /// The older tree size.
    #[arg(long)]
    pub from: u64,
    /// The newer tree size (default: the latest checkpoint's).
    #[arg(long)]
    pub to: Option<u64>,
}

#[derive(Debug, Args)]
pub struct VerifyProofArgs {
    /// The log's verifier key (`name+keyid+key`), or a file holding it.
    #[arg(long)]
    pub vkey: String,
    /// The tlog-proof file.
    pub proof: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub witnesses: WitnessPolicyArgs,
}

/// A reader's witness policy: the checkpoint must carry valid cosignatures by at least K of
/// these witnesses.
#[derive(Debug, Clone, Args)]
pub struct WitnessPolicyArgs {
    /// A witness whose cosignature counts: its cosignature/v1 verifier key, or a file
    /// holding it. Repeat for several.
    #[arg(long = "witness", value_name = "VKEY")]
    pub witnesses: Vec<String>,
    /// How many of the --witness keys must have cosigned the checkpoint (default: all).
    #[arg(long, value_name = "K", requires = "witnesses")]
    pub quorum: Option<usize>,
}

#[derive(Debug, Args)]
pub struct VerifyConsistencyArgs {
    /// The log's verifier key, or a file holding it.
    #[arg(long)]
    pub vkey: String,
    /// The older signed checkpoint.
    pub old: PathBuf,
    /// The newer signed checkpoint.
    pub new: PathBuf,
    /// The consistency proof (one base64 hash per line).
    pub proof: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum WitnessCmd {
    /// Cosign a checkpoint after checking it extends the last one this witness cosigned.
    Cosign(WitnessCosignArgs),
    /// Run a C2SP tlog-witness server (POST /add-checkpoint) for the logs of --log.
    Serve(WitnessServeArgs),
}

#[derive(Debug, Args)]
pub struct WitnessCosignArgs {
    /// The witness's key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The witness's name in the cosignature line.
    #[arg(long, default_value = "actledger-witness")]
    pub name: String,
    /// The log's verifier key, or a file holding it.
    #[arg(long)]
    pub vkey: String,
    /// The checkpoint to cosign.
    pub checkpoint: PathBuf,
    /// The checkpoint this witness cosigned before (checked against its state).
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Consistency proof from the previous checkpoint to this one.
    #[arg(long)]
    pub proof: Option<PathBuf>,
    /// The witness's state directory (default: KEYFILE.witness), shared with `witness serve`.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// The log's base URL (where `checkpoint` and `tile/` are served).
    pub url: String,
    /// The log's verifier key, or a file holding it.
    #[arg(long)]
    pub vkey: String,
    #[command(flatten)]
    pub witnesses: WitnessPolicyArgs,
    /// The monitor's state directory: the last verified checkpoint and `DIR/mirror`, a ledger
    /// of every verified event (`--ledger DIR/mirror` for the projection commands).
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// Poll once and exit.
    #[arg(long, conflicts_with = "interval")]
    pub once: bool,
    /// Poll every SECS seconds until misbehaviour or an error.
    #[arg(long, value_name = "SECS")]
    pub interval: Option<u64>,
    /// Time allowed for each request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyEvidenceArgs {
    /// The evidence file.
    pub file: PathBuf,
    /// The log's verifier key, or a file holding it.
    #[arg(long)]
    pub vkey: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WitnessServeArgs {
    /// The witness's key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The witness's name in its cosignature lines.
    #[arg(long, default_value = "actledger-witness")]
    pub name: String,
    /// A log to witness: its verifier key (the key name is the origin), or a file holding it.
    /// Repeat for several logs or keys.
    #[arg(long = "log", value_name = "VKEY", required = true)]
    pub logs: Vec<String>,
    /// The witness's state directory, shared with `witness cosign --state`.
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// Address to listen on (loopback by default; port 0 picks a free one, printed).
    #[arg(long, default_value = "127.0.0.1:7380", value_name = "ADDR")]
    pub listen: String,
}

#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// A self-contained folder a third party verifies offline with `verify-snapshot`.
    Snapshot(ExportSnapshotArgs),
    /// The log in the C2SP tlog-tiles layout, written incrementally.
    Tiles(ExportTilesArgs),
    /// One self-contained HTML page of the record (charts, tables, checkpoint), for reading and printing.
    Html(ExportHtmlArgs),
}

#[derive(Debug, Args)]
pub struct ExportHtmlArgs {
    /// The HTML file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Holiday calendar for the veto-initiative working days (default: UN Headquarters; an
    /// unknown name is an error listing the recorded ones).
    #[arg(long)]
    pub calendar: Option<String>,
    /// Trust only these assessor keys for compliance findings (hex; repeatable). Default: every assessor key.
    #[arg(long, value_name = "KEY")]
    pub trust: Vec<String>,
    #[command(flatten)]
    pub cutoff: CutoffArgs,
}

#[derive(Debug, Args)]
pub struct ExportSnapshotArgs {
    /// Output directory (new or empty).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportTilesArgs {
    /// Output directory (created, or updated from its current checkpoint).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifySnapshotArgs {
    /// The snapshot folder.
    pub dir: PathBuf,
    /// The log's verifier key, or a file holding it.
    #[arg(long)]
    pub vkey: String,
    #[command(flatten)]
    pub witnesses: WitnessPolicyArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Check every signature with `verify_strict` instead of batch verification (slower;
    /// also rejects signatures a key holder deliberately made malleable).
    #[arg(long)]
    pub strict: bool,
}
