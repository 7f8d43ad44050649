//! Command-line definitions (clap derive): the commands here; the arguments of `record`
//! (`record.rs`), of the reports (`reports.rs`), of checkpoints, proofs, witnesses, the
//! monitor and exports (`transparency.rs`), and the value parsers (`parse.rs`).

use std::path::PathBuf;

use actledger_core::event::{AtrocityCrime, Instrument, MeetingFormat, Seat};
use actledger_core::{Date, DraftSymbol, Role, StateCode, UnSymbol};
use clap::{Args, Parser, Subcommand};

mod parse;
mod record;
mod reports;
mod transparency;

pub use parse::*;
pub use record::*;
pub use reports::*;
pub use transparency::*;

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
pub struct DemoArgs {
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
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
