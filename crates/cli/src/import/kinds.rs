//! Row → fact, one function per kind of file.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use actledger_core::event::{
    AdherenceDate, AdherenceLetter, AssemblyMeeting, CouncilTerm, CouncilVote, DraftTabled, Fact,
    Holiday, HolidayCalendar, Instrument, MeetingFormat, MemberVote, ReportedVote, Seat, Tally,
    TallyVote, VetoRef, Vote, VotedText,
};
use actledger_core::{Date, DraftSymbol, StateCode, Text, UnSymbol};

use super::csvread::{for_each_row, Row};
use super::{FactKey, ImportError, Item, Kind, ParseOptions, Parsed, Skipped};

/// The calendar name under which UN Headquarters holidays are recorded.
pub const UN_HQ_CALENDAR: &str = actledger_core::projection::UN_HEADQUARTERS;

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, row: &Row, col: &str, msg: impl Into<String>) -> ImportError {
        ImportError::at(self.file, row.line, col, row.get(col), msg)
    }

    fn state(&self, row: &Row, col: &str) -> Result<StateCode, ImportError> {
        row.get(col)
            .parse()
            .map_err(|e: actledger_core::ValueError| self.err(row, col, e.to_string()))
    }

    fn date(&self, row: &Row, col: &str) -> Result<Date, ImportError> {
        row.get(col)
            .parse()
            .map_err(|e: actledger_core::ValueError| self.err(row, col, e.to_string()))
    }

    fn opt_date(&self, row: &Row, col: &str) -> Result<Option<Date>, ImportError> {
        if row.get(col).is_empty() {
            Ok(None)
        } else {
            self.date(row, col).map(Some)
        }
    }

    fn draft(&self, row: &Row, col: &str) -> Result<DraftSymbol, ImportError> {
        row.get(col)
            .parse()
            .map_err(|e: actledger_core::ValueError| self.err(row, col, e.to_string()))
    }

    fn text(&self, row: &Row, col: &str) -> Result<Text, ImportError> {
        Text::new(row.get(col)).map_err(|e| self.err(row, col, e.to_string()))
    }

    fn required(&self, row: &Row, col: &str) -> Result<Text, ImportError> {
        if row.get(col).is_empty() {
            return Err(self.err(row, col, format!("{col} must not be empty")));
        }
        self.text(row, col)
    }

    fn symbols(&self, row: &Row, col: &str) -> Result<Vec<UnSymbol>, ImportError> {
        let mut v = Vec::new();
        for part in row
            .get(col)
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            v.push(
                UnSymbol::new(part)
                    .map_err(|e| ImportError::at(self.file, row.line, col, part, e.to_string()))?,
            );
        }
        v.sort();
        v.dedup();
        Ok(v)
    }

    /// "China;Russian Federation" → sorted codes (names as the UN lists them, or codes).
    fn states_by_name(&self, row: &Row, col: &str) -> Result<Vec<StateCode>, ImportError> {
        let mut v = Vec::new();
        for part in row
            .get(col)
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let s = StateCode::from_name(part)
                .or_else(|| part.parse().ok())
                .ok_or_else(|| {
                    ImportError::at(
                        self.file,
                        row.line,
                        col,
                        part,
                        "not the UN name or code of a state",
                    )
                })?;
            v.push(s);
        }
        v.sort();
        v.dedup();
        Ok(v)
    }

    fn item(&self, kind: Kind, row: &Row, fact: Fact) -> Item {
        Item {
            line: row.line,
            rule_value: row.get(kind.rule_column()).to_string(),
            fact,
        }
    }
}

/// Parses a whole file of `kind` into memory (small files, tests, fuzzing). Large imports use
/// [`parse_each`], which streams.
pub fn parse<R: Read>(
    kind: Kind,
    file: &str,
    reader: R,
    opts: &ParseOptions,
) -> Result<Parsed, ImportError> {
    let mut p = Parsed::default();
    let mut skipped = Vec::new();
    parse_each(
        kind,
        file,
        reader,
        opts,
        |item| {
            p.items.push(item);
            Ok(())
        },
        |s| skipped.push(s),
    )?;
    p.skipped = skipped;
    Ok(p)
}

/// Parses a file of `kind` row by row, calling `on_item` with each fact (in file order) and
/// `on_skip` with each row that is not a fact the ledger holds. Memory stays bounded by the
/// largest group of rows (one vote's 15 rows, one year of holidays) plus one key per fact
/// (to find duplicates: two rows for the same fact are an error naming both lines).
pub fn parse_each<R: Read>(
    kind: Kind,
    file: &str,
    reader: R,
    opts: &ParseOptions,
    mut on_item: impl FnMut(Item) -> Result<(), ImportError>,
    mut on_skip: impl FnMut(Skipped),
) -> Result<(), ImportError> {
    let cx = Ctx { file };
    // Each fact's key, by a 128-bit digest of it (24 bytes an entry instead of 48: a million-
    // event import holds one per fact). A vote file's rows are checked by draft as they are
    // grouped (a draft seen again is refused there), so votes are not kept twice.
    let mut seen: HashMap<u128, u64> = HashMap::new();
    let mut emit = |item: Item| -> Result<(), ImportError> {
        if let Some(k) = FactKey::of(&item.fact).filter(|_| kind != Kind::Votes) {
            if let Some(first) = seen.insert(k.digest(), item.line) {
                return Err(ImportError {
                    file: file.to_string(),
                    line: Some(item.line),
                    column: None,
                    value: None,
                    message: format!("duplicate row: it records the same fact as line {first}"),
                });
            }
        }
        on_item(item)
    };
    match kind {
        Kind::Supporters => for_each_row(file, reader, kind, |r| {
            emit(cx.item(kind, r, supporter(&cx, r)?))
        }),
        Kind::Members => for_each_row(file, reader, kind, |r| {
            emit(cx.item(kind, r, member(&cx, r)?))
        }),
        Kind::Meetings => for_each_row(file, reader, kind, |r| {
            emit(cx.item(kind, r, meeting(&cx, r)?))
        }),
        Kind::Vetoes => for_each_row(file, reader, kind, |r| match veto(&cx, r)? {
            Ok(f) => emit(cx.item(kind, r, f)),
            Err(reason) => {
                on_skip(Skipped {
                    line: r.line,
                    reason,
                });
                Ok(())
            }
        }),
        Kind::Votes => votes(&cx, reader, opts, &mut emit),
        Kind::Holidays => holidays(&cx, reader, opts, &mut emit),
    }
}

fn supporter(cx: &Ctx, r: &Row) -> Result<Fact, ImportError> {
    let state = cx.state(r, "iso3")?;
    let exact = cx.opt_date(r, "date_of_adherence")?;
    let listed = cx.opt_date(r, "listed_as_supporter_by")?;
    let date = match (exact, listed) {
        (Some(d), _) => AdherenceDate::Exact(d),
        (None, Some(d)) => AdherenceDate::ListedBy(d),
        (None, None) => {
            return Err(cx.err(
                r,
                "date_of_adherence",
                "give date_of_adherence or listed_as_supporter_by",
            ));
        }
    };
    Ok(Fact::AdherenceLetter(AdherenceLetter {
        state,
        date,
        received: None,
        instrument: Instrument::Unspecified,
        reference: Text::empty(),
        source: cx.required(r, "source")?,
        note: cx.text(r, "note")?,
    }))
}

fn member(cx: &Ctx, r: &Row) -> Result<Fact, ImportError> {
    let state = cx.state(r, "iso3")?;
    let year: i32 = r
        .get("year")
        .parse()
        .ok()
        .filter(|y| (1946..=9999).contains(y))
        .ok_or_else(|| cx.err(r, "year", "expected a year such as 2022"))?;
    let seat = Seat::parse(r.get("seat")).map_err(|e| cx.err(r, "seat", e.to_string()))?;
    let day = |m, d| Date::from_ymd(year, m, d).map_err(|e| cx.err(r, "year", e.to_string()));
    let fact = Fact::CouncilTerm(CouncilTerm {
        state,
        seat,
        from: day(1, 1)?,
        to: day(12, 31)?,
        source: cx.required(r, "source")?,
        note: cx.text(r, "note")?,
    });
    fact.check_shape()
        .map_err(|e| cx.err(r, "seat", e.to_string()))?;
    Ok(fact)
}

fn tally(cx: &Ctx, r: &Row) -> Result<Option<Tally>, ImportError> {
    let t = r.get("tally_yes_no_abstain");
    if t.is_empty() {
        return Ok(None);
    }
    let parts: Vec<Option<u8>> = t.split('-').map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [Some(yes), Some(no), Some(abstain)]
            if u16::from(*yes) + u16::from(*no) + u16::from(*abstain) <= 15 =>
        {
            Ok(Some(Tally {
                yes: *yes,
                no: *no,
                abstain: *abstain,
            }))
        }
        _ => Err(cx.err(
            r,
            "tally_yes_no_abstain",
            "expected YES-NO-ABSTAIN with at most 15 votes, e.g. 10-1-4",
        )),
    }
}

/// A vetoed draft, or the reason the row is not a fact the ledger can hold.
fn veto(cx: &Ctx, r: &Row) -> Result<Result<Fact, String>, ImportError> {
    let date = cx.date(r, "date")?;
    let tally = tally(cx, r)?;
    let vetoed_by = cx.states_by_name(r, "vetoing_members")?;
    if let Some(s) = vetoed_by.iter().find(|s| !s.is_permanent_member()) {
        return Err(cx.err(
            r,
            "vetoing_members",
            format!("{s} is not a permanent member and cannot veto"),
        ));
    }
    if vetoed_by.is_empty() {
        return Err(cx.err(
            r,
            "vetoing_members",
            "a veto needs at least one vetoing member",
        ));
    }
    let meeting = if r.get("meeting_record").is_empty() {
        None
    } else {
        Some(
            UnSymbol::new(r.get("meeting_record"))
                .map_err(|e| cx.err(r, "meeting_record", e.to_string()))?,
        )
    };
    let mut note = Vec::new();
    for col in ["draft_symbol_confidence", "tally_source", "notes"] {
        if !r.get(col).is_empty() {
            note.push(format!("{col}: {}", r.get(col)));
        }
    }
    let note = note.join("; ");
    let note = Text::new(note.as_str())
        .map_err(|e| ImportError::at(cx.file, r.line, "notes", &note, e.to_string()))?;
    let subject = if r.get("subject").is_empty() {
        r.get("agenda_item")
    } else {
        r.get("subject")
    };
    if r.get("draft_symbol").is_empty() {
        if !r.get("veto_on").eq_ignore_ascii_case("amendment") {
            return Ok(Err(format!(
                "veto of {date} on an {} without a draft symbol: only amendments may lack one",
                if r.get("veto_on").is_empty() {
                    "unnumbered text"
                } else {
                    r.get("veto_on")
                }
            )));
        }
        // An amendment without a symbol and without per-member votes: a vote known by its
        // tally (when the source gives one) and the members against, named by its subject.
        let fact = Fact::TallyVote(TallyVote {
            text: VotedText::Amendment {
                symbol: None,
                amends: None,
                described: Text::new(subject).map_err(|e| cx.err(r, "subject", e.to_string()))?,
            },
            meeting,
            date,
            procedural: false,
            tally,
            against: vetoed_by,
            source: cx.required(r, "source")?,
            note,
        });
        fact.check_shape()
            .map_err(|e| cx.err(r, "tally_yes_no_abstain", e.to_string()))?;
        return Ok(Ok(fact));
    }
    let draft = cx.draft(r, "draft_symbol")?;
    Ok(Ok(Fact::DraftTabled(DraftTabled {
        draft,
        subject: Text::new(subject).map_err(|e| cx.err(r, "subject", e.to_string()))?,
        agenda_item: cx.text(r, "agenda_item")?,
        penholders: Vec::new(),
        tabled_on: None,
        reported_vote: Some(ReportedVote {
            date,
            meeting,
            tally,
            vetoed_by,
        }),
        source: cx.required(r, "source")?,
        note,
    })))
}

fn meeting(cx: &Ctx, r: &Row) -> Result<Fact, ImportError> {
    let veto_date = cx.date(r, "veto_date")?;
    let sym = r.get("veto_draft_symbol");
    // "(amendment; symbol unknown)" and the like: a veto of a text without a symbol.
    let draft = if sym.is_empty() || sym.starts_with('(') {
        None
    } else {
        Some(cx.draft(r, "veto_draft_symbol")?)
    };
    let fmt_text = r.get("meeting_format");
    let format = if fmt_text
        .to_ascii_lowercase()
        .contains("emergency special session")
    {
        MeetingFormat::EmergencySpecialSession
    } else {
        MeetingFormat::VetoInitiative
    };
    let press_release = match r.get("press_release") {
        "" => None,
        p => Some(UnSymbol::new(p).map_err(|e| cx.err(r, "press_release", e.to_string()))?),
    };
    let mut note = Vec::new();
    if !fmt_text.is_empty() {
        note.push(format!("format: {fmt_text}"));
    }
    if !r.get("notes").is_empty() {
        note.push(r.get("notes").to_string());
    }
    let fact = Fact::AssemblyMeeting(AssemblyMeeting {
        date: cx.opt_date(r, "meeting_date")?,
        session: cx.required(r, "ga_session")?,
        format,
        records: cx.symbols(r, "meeting_symbols")?,
        follows: vec![VetoRef {
            date: veto_date,
            draft,
        }],
        speakers: Vec::new(),
        press_release,
        source: cx.required(r, "source")?,
        note: {
            let note = note.join("; ");
            Text::new(note.as_str())
                .map_err(|e| ImportError::at(cx.file, r.line, "notes", &note, e.to_string()))?
        },
    });
    fact.check_shape()
        .map_err(|e| cx.err(r, "meeting_date", e.to_string()))?;
    Ok(fact)
}

fn join_unique(values: impl Iterator<Item = String>) -> String {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out.join(" ; ")
}

/// The rows of one draft's vote, collected while streaming.
struct VoteGroup {
    draft: DraftSymbol,
    date: Date,
    first_line: u64,
    first_vote: String,
    last_line: u64,
    last_draft_text: String,
    votes: Vec<MemberVote>,
    /// The line of each member's row (at most 15: searched in order).
    lines: Vec<(StateCode, u64)>,
    /// The distinct non-empty sources and methods, in the order first seen.
    sources: Vec<String>,
    methods: Vec<String>,
}

/// Adds `value` to `seen` unless it is empty or already there (no allocation then: the 15
/// rows of a vote mostly repeat them).
fn push_unique(seen: &mut Vec<String>, value: &str) {
    if !value.is_empty() && !seen.iter().any(|s| s == value) {
        seen.push(value.to_string());
    }
}

impl VoteGroup {
    fn finish(self, cx: &Ctx, opts: &ParseOptions) -> Result<Item, ImportError> {
        let at = |col: &str, value: &str, msg: String| {
            ImportError::at(cx.file, self.last_line, col, value, msg)
        };
        if self.votes.len() != 15 {
            return Err(at(
                "draft_symbol",
                &self.last_draft_text,
                format!(
                    "{} has {} member votes; a Council vote needs all 15",
                    self.draft,
                    self.votes.len()
                ),
            ));
        }
        let mut votes = self.votes;
        votes.sort_by_key(|m| m.state);
        let source = self.sources.join(" ; ");
        let note = self.methods.join(" ; ");
        let fact = Fact::CouncilVote(CouncilVote {
            draft: self.draft,
            meeting: opts.meetings.get(&self.draft),
            date: self.date,
            procedural: false,
            votes,
            source: Text::new(source.as_str()).map_err(|e| at("source", &source, e.to_string()))?,
            note: Text::new(note.as_str()).map_err(|e| at("method", &note, e.to_string()))?,
        });
        fact.check_shape()
            .map_err(|e| at("draft_symbol", &self.last_draft_text, e.to_string()))?;
        Ok(Item {
            line: self.first_line,
            rule_value: self.first_vote,
            fact,
        })
    }
}

/// Groups consecutive rows by draft: one vote per draft with all 15 members. The rows of a
/// draft must be together (they are in every file we know; streaming needs it).
fn votes<R: Read>(
    cx: &Ctx,
    reader: R,
    opts: &ParseOptions,
    emit: &mut impl FnMut(Item) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut group: Option<VoteGroup> = None;
    let mut done: HashMap<DraftSymbol, u64> = HashMap::new();
    // The rows of a vote repeat its draft and date: each text is parsed when it changes.
    let mut last_draft: Option<(String, DraftSymbol)> = None;
    let mut last_date: Option<(String, Date)> = None;
    for_each_row(cx.file, reader, Kind::Votes, |r| {
        let draft = match &last_draft {
            Some((text, d)) if text == r.get("draft_symbol") => *d,
            _ => {
                let d = cx.draft(r, "draft_symbol")?;
                last_draft = Some((r.get("draft_symbol").to_string(), d));
                d
            }
        };
        if group.as_ref().is_some_and(|g| g.draft != draft) {
            if let Some(g) = group.take() {
                done.insert(g.draft, g.first_line);
                emit(g.finish(cx, opts)?)?;
            }
        }
        if let Some(first) = done.get(&draft) {
            return Err(cx.err(
                r,
                "draft_symbol",
                format!("the rows of {draft} must be together: its vote started on line {first}"),
            ));
        }
        let date = match &last_date {
            Some((text, d)) if text == r.get("vote_date") => *d,
            _ => {
                let d = cx.date(r, "vote_date")?;
                last_date = Some((r.get("vote_date").to_string(), d));
                d
            }
        };
        let g = group.get_or_insert_with(|| VoteGroup {
            draft,
            date,
            first_line: r.line,
            first_vote: r.get("vote").to_string(),
            last_line: r.line,
            last_draft_text: r.get("draft_symbol").to_string(),
            votes: Vec::with_capacity(15),
            lines: Vec::with_capacity(15),
            sources: Vec::new(),
            methods: Vec::new(),
        });
        if date != g.date {
            return Err(cx.err(
                r,
                "vote_date",
                format!(
                    "{draft} was voted on {} (line {}), not on this date",
                    g.date, g.first_line
                ),
            ));
        }
        let state = cx.state(r, "iso3")?;
        let vote = Vote::parse(r.get("vote")).map_err(|e| cx.err(r, "vote", e.to_string()))?;
        if let Some((_, l)) = g.lines.iter().find(|(s, _)| *s == state) {
            return Err(cx.err(
                r,
                "iso3",
                format!("duplicate row: {state}'s vote on {draft} is already on line {l}"),
            ));
        }
        g.lines.push((state, r.line));
        g.votes.push(MemberVote { state, vote });
        g.last_line = r.line;
        if g.last_draft_text != r.get("draft_symbol") {
            g.last_draft_text = r.get("draft_symbol").to_string();
        }
        push_unique(&mut g.sources, r.get("source"));
        push_unique(&mut g.methods, r.get("method"));
        Ok(())
    })?;
    if let Some(g) = group {
        emit(g.finish(cx, opts)?)?;
    }
    Ok(())
}

/// One holiday row, owned.
struct HolidayRow {
    line: u64,
    date: Date,
    name: String,
    source: String,
}

/// Groups rows by year: one calendar per year (holiday files are small).
fn holidays<R: Read>(
    cx: &Ctx,
    reader: R,
    opts: &ParseOptions,
    emit: &mut impl FnMut(Item) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut years: BTreeMap<u16, Vec<HolidayRow>> = BTreeMap::new();
    for_each_row(cx.file, reader, Kind::Holidays, |r| {
        let date = cx.date(r, "date")?;
        let year: u16 = r
            .get("year")
            .parse()
            .map_err(|_| cx.err(r, "year", "expected a year"))?;
        if i32::from(year) != date.year() {
            return Err(cx.err(r, "year", format!("the date {date} is not in year {year}")));
        }
        if r.get("name").is_empty() {
            return Err(cx.err(r, "name", "name must not be empty"));
        }
        years.entry(year).or_default().push(HolidayRow {
            line: r.line,
            date,
            name: r.get("name").to_string(),
            source: r.get("source").to_string(),
        });
        Ok(())
    })?;
    for (year, mut days) in years {
        days.sort_by_key(|h| h.date);
        if let Some(w) = days.windows(2).find(|w| w[0].date == w[1].date) {
            return Err(ImportError::at(
                cx.file,
                w[1].line,
                "date",
                &w[1].date.to_string(),
                format!(
                    "duplicate row: {} is already on line {}",
                    w[1].date, w[0].line
                ),
            ));
        }
        let first_line = days.iter().map(|h| h.line).min().unwrap_or(0);
        let err = |h: &HolidayRow, col: &str, value: &str, e: actledger_core::ValueError| {
            ImportError::at(cx.file, h.line, col, value, e.to_string())
        };
        let mut holidays = Vec::new();
        for h in &days {
            holidays.push(Holiday {
                date: h.date,
                name: Text::new(h.name.clone()).map_err(|e| err(h, "name", &h.name, e))?,
            });
        }
        let source = join_unique(days.iter().map(|h| h.source.clone()));
        let first = &days[0];
        emit(Item {
            line: first_line,
            rule_value: first.date.to_string(),
            fact: Fact::HolidayCalendar(HolidayCalendar {
                calendar: Text::new(UN_HQ_CALENDAR)
                    .map_err(|e| err(first, "name", UN_HQ_CALENDAR, e))?,
                year,
                complete: opts.complete_years.contains(&year),
                holidays,
                source: Text::new(source.as_str()).map_err(|e| err(first, "source", &source, e))?,
            }),
        })?;
    }
    Ok(())
}
