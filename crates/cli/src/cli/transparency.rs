//! The arguments of checkpoints, proofs, witnesses, the monitor and exports.

use super::*;

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
    /// Poll until misbehaviour or an error, SECS being the longest pause between polls (0:
    /// 50 ms). A poll that found new events is followed at once; after one that found none
    /// the pause is 5 ms, doubling while nothing changes.
    #[arg(long, value_name = "SECS")]
    pub interval: Option<u64>,
    /// Time allowed for each request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Entries verified and written per window of a catch-up (tests: many windows on a small
    /// log).
    #[arg(long, value_name = "EVENTS", default_value_t = actledger_http::monitor::WINDOW, hide = true)]
    pub window: u64,
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
