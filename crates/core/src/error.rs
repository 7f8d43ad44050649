//! Errors of the core, split by operation: parsing a field value, decoding stored bytes,
//! applying the ledger's rules, and verifying a log.

use crate::date::Date;
use crate::event::Tally;
use crate::state::StateCode;
use crate::symbol::DraftSymbol;
use crate::types::Seq;

/// The most characters of a value an error message quotes (a CSV field, a flag, a line of a
/// file can be megabytes; an error is one line).
pub const QUOTE_MAX_CHARS: usize = 60;

/// `value` as every error message quotes it: in Rust string syntax (quotes, control
/// characters escaped), cut after [`QUOTE_MAX_CHARS`] characters with the full length said
/// (`"XXXX…" (5000 bytes)`). The one place a value is bounded before it is shown.
pub fn quoted(value: &str) -> String {
    match value.char_indices().nth(QUOTE_MAX_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &value[..cut], value.len()),
    }
}

/// The start of `message` (a parser's own error text, which can quote hostile input) in at
/// most `max_bytes` bytes, cut at a character boundary, for one-line errors.
pub fn clipped(message: &str, max_bytes: usize) -> &str {
    if message.len() <= max_bytes {
        return message;
    }
    let mut cut = max_bytes;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    &message[..cut]
}

/// A field value that cannot be what it claims to be (parse, don't validate).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// Not a calendar date in `YYYY-MM-DD` form, or out of the supported range.
    #[error("invalid date {}: {reason}", quoted(.value))]
    Date {
        /// The rejected input.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Not the ISO 3166-1 alpha-3 code of a UN member or observer state.
    #[error("unknown state code {}: not a UN member or observer state (ISO 3166-1 alpha-3, e.g. FRA)", quoted(.value))]
    StateCode {
        /// The rejected input.
        value: String,
    },
    /// Not a Security Council draft symbol `S/YYYY/N`.
    #[error("invalid draft symbol {}: expected S/YYYY/NNN, e.g. S/2022/720", quoted(.value))]
    DraftSymbol {
        /// The rejected input.
        value: String,
    },
    /// Not a UN document symbol such as `S/PV.9143` or `A/ES-11/PV.12`.
    #[error("invalid UN document symbol {}: expected e.g. S/PV.9143 or A/76/PV.77", quoted(.value))]
    UnSymbol {
        /// The rejected input.
        value: String,
    },
    /// Free text that is too long or contains control characters.
    #[error("invalid text ({reason}): {}", quoted(.preview))]
    Text {
        /// The start of the rejected input.
        preview: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A log origin that is not a valid C2SP key name.
    #[error("invalid origin {}: {reason}", quoted(.value))]
    Origin {
        /// The rejected input.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Bytes that are not a valid Ed25519 public key.
    #[error("invalid Ed25519 public key: {reason}")]
    PublicKey {
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A keyword (role, vote, seat, ...) outside its allowed set.
    #[error("invalid {what} {}: expected one of {expected}", quoted(.value))]
    Keyword {
        /// What kind of keyword.
        what: &'static str,
        /// The rejected input.
        value: String,
        /// The accepted spellings.
        expected: &'static str,
    },
    /// A structural rule of an event body (sorted lists, no duplicates, ...).
    #[error("{0}")]
    Shape(String),
}

/// Stored bytes that are not exactly one canonical event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes exceed the 65,535-byte event limit.
    #[error("event is {len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Length of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes do not parse as an event.
    #[error("malformed event encoding: {0}")]
    Malformed(String),
    /// A valid event is followed by extra bytes.
    #[error("{0} trailing bytes after the event")]
    TrailingBytes(usize),
    /// The bytes parse, but re-encoding gives different bytes.
    #[error("non-canonical encoding: the event does not re-encode to the same bytes")]
    NonCanonical,
    /// The bytes parse but a field value is invalid.
    #[error("invalid field: {0}")]
    Value(#[from] ValueError),
    /// Unknown event format version.
    #[error("unsupported event format version {0} (this build reads version 1)")]
    Version(u8),
}

/// An event that is well formed but not admissible at its place in the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// A state a store resumed in part lacks parts this check or change reads: the store
    /// loads them and admits again. Never a verdict on the event.
    #[error("the rule state lacks parts this event's rules read: {0:?}")]
    NotLoaded(Box<[crate::rules::StatePart]>),
    /// The log's first event must be `LedgerCreated`, signed by its own administrator key.
    #[error("the first event must be LedgerCreated signed by the administrator key it names")]
    BadGenesis,
    /// `LedgerCreated` may only appear at sequence 0.
    #[error("LedgerCreated may only be the first event")]
    SecondGenesis,
    /// The author key was never granted a role in this ledger.
    #[error("author key {key} is not a key of this ledger")]
    UnknownKey {
        /// Hex of the key.
        key: String,
    },
    /// The author key was revoked before this event.
    #[error("author key {key} was revoked at seq {revoked_at} and can sign nothing after it")]
    RevokedKey {
        /// Hex of the key.
        key: String,
        /// Sequence number of the revocation.
        revoked_at: Seq,
    },
    /// The author key does not hold the role this event needs.
    #[error("author key {key} lacks the {needed} role needed to record {kind} (it holds: {held})")]
    MissingRole {
        /// Hex of the key.
        key: String,
        /// The needed role.
        needed: &'static str,
        /// The event kind.
        kind: &'static str,
        /// The roles it holds.
        held: String,
    },
    /// Recording time went backwards.
    #[error("recorded_at {found} is earlier than the previous event's {previous}")]
    TimeWentBack {
        /// This event's time.
        found: i64,
        /// The previous event's time.
        previous: i64,
    },
    /// A revoked key is never granted a role again.
    #[error("key {key} was revoked at seq {at}; a revoked key cannot be granted a role again")]
    GrantToRevoked {
        /// Hex of the key.
        key: String,
        /// The revocation.
        at: Seq,
    },
    /// The key already holds the role.
    #[error("key {key} already holds the {role} role (granted at seq {at})")]
    RoleAlreadyHeld {
        /// Hex of the key.
        key: String,
        /// The role.
        role: &'static str,
        /// The grant.
        at: Seq,
    },
    /// A revocation names a key the ledger never granted a role.
    #[error("key {key} is not a key of this ledger")]
    NotALedgerKey {
        /// Hex of the key.
        key: String,
    },
    /// The key was revoked already.
    #[error("key {key} was already revoked at seq {at}")]
    AlreadyRevoked {
        /// Hex of the key.
        key: String,
        /// The revocation.
        at: Seq,
    },
    /// The last administrator key cannot be revoked.
    #[error("key {key} is the last administrator key; grant another administrator first")]
    LastAdministrator {
        /// Hex of the key.
        key: String,
    },
    /// A correction names no earlier fact.
    #[error("correction target seq {target} is not a fact recorded before (corrections name an earlier fact, not a key event or another correction)")]
    CorrectionTarget {
        /// The seq named.
        target: Seq,
    },
    /// A correction replaces a fact with one of another kind.
    #[error("correction of seq {target} must replace it with a fact of the same kind, not {kind}")]
    CorrectionKind {
        /// The seq corrected.
        target: Seq,
        /// The replacement's kind.
        kind: &'static str,
    },
    /// Only an assessment's own assessor may correct it.
    #[error("an assessment is its assessor's own judgement: only key {assessor} may correct seq {target}")]
    NotTheAssessor {
        /// Hex of the assessor key.
        assessor: String,
        /// The seq corrected.
        target: Seq,
    },
    /// `recorded_at` is not a representable day.
    #[error("recorded_at {0} is out of range")]
    RecordedAtOutOfRange(i64),
    /// A date of the fact lies after the day the event is recorded.
    #[error("date {date} is in the future (the event is recorded on {today})")]
    FutureDate {
        /// The date.
        date: Date,
        /// The recording day.
        today: Date,
    },
    /// The state adhered already (one adherence, no withdrawal).
    #[error("state {state} ({name}) already adhered at seq {at}; the Code has one adherence and no withdrawal")]
    AlreadyAdhered {
        /// The state.
        state: StateCode,
        /// Its name.
        name: &'static str,
        /// The adherence.
        at: Seq,
    },
    /// An adherence dated before the Code existed.
    #[error("adherence of {state} dated {date} ({precision}) is before the Code existed ({start}, {source_of_start})")]
    BeforeTheCode {
        /// The state.
        state: StateCode,
        /// The date given.
        date: Date,
        /// `exact` or `listed-by`.
        precision: &'static str,
        /// The day the Code exists from.
        start: Date,
        /// Where that day comes from.
        source_of_start: &'static str,
    },
    /// The depositary received a letter before its date.
    #[error("received date {received} is before the letter's date {letter}")]
    ReceivedBeforeLetter {
        /// Day received.
        received: Date,
        /// The letter's date.
        letter: Date,
    },
    /// Two terms of one state overlap.
    #[error("term of {state} from {from} to {to} overlaps its term from {other_from} to {other_to} (seq {other})")]
    TermOverlap {
        /// The state.
        state: StateCode,
        /// The new term's first day.
        from: Date,
        /// Its last day.
        to: Date,
        /// The other term's first day.
        other_from: Date,
        /// Its last day.
        other_to: Date,
        /// The other term's event.
        other: Seq,
    },
    /// More than 5 permanent or 10 elected members on a day.
    #[error("on {day} the Council would have {count} {seat} members (at most {cap})")]
    SeatCap {
        /// The day.
        day: Date,
        /// Members of that seat.
        count: usize,
        /// `permanent` or `elected`.
        seat: &'static str,
        /// The Charter's number.
        cap: usize,
    },
    /// A Council term for a state that is not a UN member (Charter Art. 23: the Council
    /// consists of Members of the United Nations; observer states cannot sit).
    #[error("{state} ({name}) is a non-member observer state and cannot sit on the Security Council (Charter Art. 23)")]
    NotAUnMember {
        /// The state.
        state: StateCode,
        /// Its name.
        name: &'static str,
    },
    /// An elected member holding a seat longer than two consecutive years (Charter Art.
    /// 23(2): elected for two years, not eligible for immediate re-election), however the
    /// years are split across terms.
    #[error("{state} would hold an elected seat from {from} to {to} without a break, more than two consecutive years (Charter Art. 23(2): no immediate re-election)")]
    ImmediateReelection {
        /// The state.
        state: StateCode,
        /// First day of the unbroken span.
        from: Date,
        /// Last day of it.
        to: Date,
    },
    /// A draft symbol's year is after the day its vote (or tabling) took place.
    #[error("draft symbol {draft} is of {year}, after the day it is dated {date}")]
    SymbolAfterDate {
        /// The draft.
        draft: DraftSymbol,
        /// The symbol's year.
        year: u16,
        /// The vote's (or tabling's) day.
        date: Date,
    },
    /// A draft tabled twice.
    #[error("draft {draft} was already tabled at seq {at}")]
    DraftTabledTwice {
        /// The draft.
        draft: DraftSymbol,
        /// The first tabling.
        at: Seq,
    },
    /// A draft voted on twice.
    #[error("draft {draft} was already voted on {date} (seq {at})")]
    VotedTwice {
        /// The draft.
        draft: DraftSymbol,
        /// Day of the recorded vote.
        date: Date,
        /// Its event.
        at: Seq,
    },
    /// An assessment of a draft the ledger does not hold.
    #[error(
        "draft {draft} is not in the ledger (record it as tabled or voted before assessing it)"
    )]
    AssessedDraftUnknown {
        /// The draft.
        draft: DraftSymbol,
    },
    /// One assessor assessing a draft twice.
    #[error(
        "this assessor already assessed {draft} at seq {at}; record a correction to change it"
    )]
    AssessedTwice {
        /// The draft.
        draft: DraftSymbol,
        /// The first assessment.
        at: Seq,
    },
    /// A meeting follows a veto of a draft whose vote is not recorded.
    #[error("meeting follows a veto of {draft}, but no vote on {draft} is recorded")]
    MeetingWithoutVote {
        /// The draft.
        draft: DraftSymbol,
    },
    /// A meeting names a veto on another day than the recorded vote.
    #[error(
        "meeting follows a veto of {draft} on {named}, but its vote is recorded on {recorded}"
    )]
    MeetingVetoDate {
        /// The draft.
        draft: DraftSymbol,
        /// The day the meeting names.
        named: Date,
        /// The day of the recorded vote.
        recorded: Date,
    },
    /// A meeting follows a vote that was not vetoed.
    #[error("meeting follows {draft}, but its recorded vote was not vetoed ({decided})")]
    MeetingNotVetoed {
        /// The draft.
        draft: DraftSymbol,
        /// What the vote decided.
        decided: &'static str,
    },
    /// A calendar year recorded twice.
    #[error("holidays of {calendar} for {year} were already recorded at seq {at}; record a correction to change them")]
    CalendarTwice {
        /// The calendar.
        calendar: String,
        /// The year.
        year: u16,
        /// The first record.
        at: Seq,
    },
    /// A vote on a day with no recorded Council.
    #[error("no Council membership is recorded for {date}: record the members' terms first")]
    NoCouncil {
        /// The day.
        date: Date,
    },
    /// A vote by a state not on the Council that day.
    #[error("vote by {state} ({name}) on {date}: it was not on the Council that day")]
    NotOnCouncil {
        /// The state.
        state: StateCode,
        /// Its name.
        name: &'static str,
        /// The day.
        date: Date,
    },
    /// A vote lacks a member of that day's Council.
    #[error("vote on {date} lacks {state} ({name}), a Council member that day (record it as absent if it did not vote)")]
    MemberMissing {
        /// The day.
        date: Date,
        /// The member.
        state: StateCode,
        /// Its name.
        name: &'static str,
    },
    /// The recorded Council of the day is not 15 members.
    #[error("the recorded Council on {date} has {count} members, not 15: record the missing terms first")]
    CouncilSize {
        /// The day.
        date: Date,
        /// Members recorded.
        count: usize,
    },
    /// A draft's reported vote day differs from the recorded vote's.
    #[error("draft {draft}: the source reports its vote on {reported}, but the recorded vote is on {recorded}")]
    ReportedDate {
        /// The draft.
        draft: DraftSymbol,
        /// Reported day.
        reported: Date,
        /// Recorded day.
        recorded: Date,
    },
    /// A draft's reported tally differs from the recorded votes'.
    #[error("draft {draft}: reported tally {reported} (yes-no-abstain) does not match the recorded votes, which count {recorded}")]
    ReportedTally {
        /// The draft.
        draft: DraftSymbol,
        /// Reported tally.
        reported: Tally,
        /// Counted from the votes.
        recorded: Tally,
    },
    /// A draft's reported vetoing members differ from the computed outcome's.
    #[error("draft {draft}: reported veto by {reported} does not match the outcome computed from the recorded votes ({decided}, vetoed by {computed})")]
    ReportedVeto {
        /// The draft.
        draft: DraftSymbol,
        /// Reported vetoers.
        reported: String,
        /// The computed outcome.
        decided: &'static str,
        /// Computed vetoers.
        computed: String,
    },
    /// A text (a draft or an amendment) voted on twice on one day.
    #[error("{text} was already voted on {date} (seq {at})")]
    TextVotedTwice {
        /// The text.
        text: String,
        /// The day.
        date: Date,
        /// The first vote.
        at: Seq,
    },
    /// A tally that counts more members than the Council of the day has.
    #[error(
        "tally {tally} on {date} counts more members than the {members} on the Council that day"
    )]
    TallyTooLarge {
        /// The tally.
        tally: Tally,
        /// The day.
        date: Date,
        /// Members that day.
        members: usize,
    },
    /// A correction that would break a rule for a fact that depends on the corrected one
    /// (the log with the correction applied must satisfy every rule for every fact).
    #[error("correction of seq {target} would break the rules for seq {dependent}: {reason}")]
    BreaksDependent {
        /// The fact corrected.
        target: Seq,
        /// The first fact that would no longer hold.
        dependent: Seq,
        /// The rule it would break.
        reason: Box<RuleError>,
    },
    /// A depositary's attested list (format revision 3) that is not the ledger's supporter
    /// list as of its day.
    #[error(
        "the depositary's list of {date} is not the ledger's supporter list as of {date}: \
         listed but no adherence recorded by then: {}; recorded by then but not listed: {}",
        crate::attestation::name_states(&.difference.listed_not_recorded),
        crate::attestation::name_states(&.difference.recorded_not_listed)
    )]
    AttestedListDiffers {
        /// The list's day.
        date: Date,
        /// The states on one side only.
        difference: crate::attestation::ListDifference,
    },
    /// An adherence (or its correction) that would change a supporter list the depositary
    /// has attested as complete.
    #[error(
        "{state} ({name}) would {change} the depositary's list of {list_date} (attested at seq \
         {attestation}), which is complete by that attestation"
    )]
    ContradictsAttestation {
        /// The state.
        state: StateCode,
        /// Its name.
        name: &'static str,
        /// `"join"` or `"leave"`.
        change: &'static str,
        /// The attested list's day.
        list_date: Date,
        /// The attestation's seq.
        attestation: Seq,
    },
    /// An attestation is the depositary's statement of a day: it is not corrected (a later
    /// attestation speaks for a later day).
    #[error("seq {target} is a supporter list attestation, which cannot be corrected (record a new attestation for a later day)")]
    AttestationFinal {
        /// The attestation.
        target: Seq,
    },
}

/// What made a log fail verification, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seq {seq}: {kind}")]
pub struct VerifyError {
    /// Sequence number of the first bad event (its position in the log).
    pub seq: Seq,
    /// What is wrong with it.
    pub kind: VerifyErrorKind,
}

/// The ways an event can fail verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// The stored bytes are not a canonical event.
    #[error("cannot decode stored bytes: {0}")]
    Decode(#[from] DecodeError),
    /// The event's own sequence number is not its position.
    #[error("event carries sequence number {found}, expected {expected}{}", seq_hint(*.found, *.expected))]
    SeqMismatch {
        /// Position in the log.
        expected: Seq,
        /// Number in the event.
        found: Seq,
    },
    /// The event does not name the hash of its predecessor.
    #[error(
        "chain broken: prev hash is {found}, expected {expected} (SHA-256 of the previous event)"
    )]
    ChainMismatch {
        /// Hex of the expected hash.
        expected: String,
        /// Hex of the stored hash.
        found: String,
    },
    /// The Ed25519 signature does not verify under the author key.
    #[error("bad signature: does not verify under author key {key}")]
    BadSignature {
        /// Hex of the author key.
        key: String,
    },
    /// The event breaks a ledger rule at this point of the log.
    #[error("rule violated: {0}")]
    Rule(#[from] RuleError),
    /// The log has an event missing at this position.
    #[error("missing event (the log jumps from seq {previous} to seq {next})")]
    Gap {
        /// The last good sequence number.
        previous: Seq,
        /// The next stored sequence number.
        next: Seq,
    },
    /// Metadata kept beside the events disagrees with them.
    #[error("{0}")]
    Metadata(String),
}

/// What a sequence number mismatch most likely means.
fn seq_hint(found: Seq, expected: Seq) -> &'static str {
    if found > expected {
        ": the event before it is missing (or this one was moved)"
    } else {
        ": a copy of an earlier event (or one moved)"
    }
}

#[cfg(test)]
mod quote_tests {
    use super::*;

    #[test]
    fn a_quoted_value_is_bounded_and_says_its_length() {
        assert_eq!(quoted("FRA"), "\"FRA\"");
        assert_eq!(quoted("a\nb"), "\"a\\nb\"");
        let long = "é".repeat(5000);
        let q = quoted(&long);
        assert!(q.ends_with("… (10000 bytes)"), "{q}");
        assert_eq!(q.chars().filter(|c| *c == 'é').count(), QUOTE_MAX_CHARS);
        let err = ValueError::StateCode {
            value: "X".repeat(5 << 20),
        }
        .to_string();
        assert!(err.len() < 200, "{err}");
    }
}
