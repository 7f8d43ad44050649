//! The arguments of `record`: one set per kind of fact, and corrections.

use super::*;

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
