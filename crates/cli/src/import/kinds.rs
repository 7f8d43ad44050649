//! Row → fact, one function per kind of file.

use std::collections::BTreeMap;
use std::io::Read;

use actledger_core::event::{
    AdherenceDate, AdherenceLetter, AssemblyMeeting, CouncilTerm, CouncilVote, DraftTabled, Fact,
    Holiday, HolidayCalendar, Instrument, MeetingFormat, MemberVote, ReportedVote, Seat, Tally,
    VetoRef, Vote,
};
use actledger_core::{Date, DraftSymbol, StateCode, Text, UnSymbol};

use super::csvread::{rows, Row};
use super::{FactKey, ImportError, Item, Kind, ParseOptions, Parsed, Skipped};

/// The calendar name under which UN Headquarters holidays are recorded.
pub const UN_HQ_CALENDAR: &str = "UN Headquarters (New York)";

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

/// Parses a whole file of `kind`. Rows that describe the same fact twice are an error naming
/// both lines.
pub fn parse<R: Read>(
    kind: Kind,
    file: &str,
    reader: R,
    opts: &ParseOptions,
) -> Result<Parsed, ImportError> {
    let rows = rows(file, reader, kind)?;
    let cx = Ctx { file };
    let parsed = match kind {
        Kind::Supporters => per_row(&rows, |r| {
            supporter(&cx, r).map(|f| Some(cx.item(kind, r, f)))
        })?,
        Kind::Members => per_row(&rows, |r| member(&cx, r).map(|f| Some(cx.item(kind, r, f))))?,
        Kind::Vetoes => {
            let mut p = Parsed::default();
            for r in &rows {
                match veto(&cx, r)? {
                    Ok(f) => p.items.push(cx.item(kind, r, f)),
                    Err(reason) => p.skipped.push(Skipped {
                        line: r.line,
                        reason,
                    }),
                }
            }
            p
        }
        Kind::Meetings => per_row(&rows, |r| {
            meeting(&cx, r).map(|f| Some(cx.item(kind, r, f)))
        })?,
        Kind::Votes => votes(&cx, &rows, opts)?,
        Kind::Holidays => holidays(&cx, &rows, opts)?,
    };
    check_duplicates(file, &parsed.items)?;
    Ok(parsed)
}

fn per_row(
    rows: &[Row],
    mut f: impl FnMut(&Row) -> Result<Option<Item>, ImportError>,
) -> Result<Parsed, ImportError> {
    let mut p = Parsed::default();
    for r in rows {
        if let Some(item) = f(r)? {
            p.items.push(item);
        }
    }
    Ok(p)
}

fn check_duplicates(file: &str, items: &[Item]) -> Result<(), ImportError> {
    let mut seen: BTreeMap<FactKey, u64> = BTreeMap::new();
    for it in items {
        if let Some(k) = FactKey::of(&it.fact) {
            if let Some(first) = seen.insert(k, it.line) {
                return Err(ImportError {
                    file: file.to_string(),
                    line: Some(it.line),
                    column: None,
                    value: None,
                    message: format!("duplicate row: it records the same fact as line {first}"),
                });
            }
        }
    }
    Ok(())
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
    if r.get("draft_symbol").is_empty() {
        return Ok(Err(format!(
            "veto of {date} on an {} without a draft symbol: the ledger records votes on drafts, and the data has no per-member votes for it",
            if r.get("veto_on").is_empty() { "unnumbered text" } else { r.get("veto_on") }
        )));
    }
    let draft = cx.draft(r, "draft_symbol")?;
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
    let note = Text::new(note.join("; ")).map_err(|e| cx.err(r, "notes", e.to_string()))?;
    let subject = if r.get("subject").is_empty() {
        r.get("agenda_item")
    } else {
        r.get("subject")
    };
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
        note: Text::new(note.join("; ")).map_err(|e| cx.err(r, "notes", e.to_string()))?,
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

/// Groups rows by draft: one vote per draft with all 15 members.
fn votes(cx: &Ctx, rows: &[Row], opts: &ParseOptions) -> Result<Parsed, ImportError> {
    let mut groups: BTreeMap<DraftSymbol, Vec<&Row>> = BTreeMap::new();
    let mut order: Vec<DraftSymbol> = Vec::new();
    for r in rows {
        let d = cx.draft(r, "draft_symbol")?;
        let g = groups.entry(d).or_default();
        if g.is_empty() {
            order.push(d);
        }
        g.push(r);
    }
    let mut p = Parsed::default();
    for draft in order {
        let group = &groups[&draft];
        let first = group[0];
        let date = cx.date(first, "vote_date")?;
        let mut votes: Vec<MemberVote> = Vec::new();
        let mut lines: BTreeMap<StateCode, u64> = BTreeMap::new();
        for r in group {
            if cx.date(r, "vote_date")? != date {
                return Err(cx.err(
                    r,
                    "vote_date",
                    format!(
                        "{draft} was voted on {date} (line {}), not on this date",
                        first.line
                    ),
                ));
            }
            let state = cx.state(r, "iso3")?;
            let vote = Vote::parse(r.get("vote")).map_err(|e| cx.err(r, "vote", e.to_string()))?;
            if let Some(l) = lines.insert(state, r.line) {
                return Err(cx.err(
                    r,
                    "iso3",
                    format!("duplicate row: {state}'s vote on {draft} is already on line {l}"),
                ));
            }
            votes.push(MemberVote { state, vote });
        }
        if votes.len() != 15 {
            let last = group[group.len() - 1];
            return Err(cx.err(
                last,
                "draft_symbol",
                format!(
                    "{draft} has {} member votes; a Council vote needs all 15",
                    votes.len()
                ),
            ));
        }
        votes.sort_by_key(|m| m.state);
        let source = join_unique(group.iter().map(|r| r.get("source").to_string()));
        let note = join_unique(group.iter().map(|r| r.get("method").to_string()));
        let fact = Fact::CouncilVote(CouncilVote {
            draft,
            meeting: opts.meetings.get(&draft).cloned(),
            date,
            procedural: false,
            votes,
            source: Text::new(source).map_err(|e| cx.err(first, "source", e.to_string()))?,
            note: Text::new(note).map_err(|e| cx.err(first, "method", e.to_string()))?,
        });
        fact.check_shape()
            .map_err(|e| cx.err(first, "draft_symbol", e.to_string()))?;
        p.items.push(Item {
            line: first.line,
            rule_value: first.get("vote").to_string(),
            fact,
        });
    }
    Ok(p)
}

/// Groups rows by year: one calendar per year.
fn holidays(cx: &Ctx, rows: &[Row], opts: &ParseOptions) -> Result<Parsed, ImportError> {
    let mut years: BTreeMap<u16, Vec<(&Row, Date)>> = BTreeMap::new();
    for r in rows {
        let date = cx.date(r, "date")?;
        let year: u16 = r
            .get("year")
            .parse()
            .map_err(|_| cx.err(r, "year", "expected a year"))?;
        if i32::from(year) != date.year() {
            return Err(cx.err(r, "year", format!("the date {date} is not in year {year}")));
        }
        years.entry(year).or_default().push((r, date));
    }
    let mut p = Parsed::default();
    for (year, mut days) in years {
        days.sort_by_key(|(_, d)| *d);
        if let Some(w) = days.windows(2).find(|w| w[0].1 == w[1].1) {
            return Err(cx.err(
                w[1].0,
                "date",
                format!(
                    "duplicate row: {} is already on line {}",
                    w[1].1, w[0].0.line
                ),
            ));
        }
        let first = days[0].0;
        let mut holidays = Vec::new();
        for (r, date) in &days {
            holidays.push(Holiday {
                date: *date,
                name: cx.required(r, "name")?,
            });
        }
        let source = join_unique(days.iter().map(|(r, _)| r.get("source").to_string()));
        p.items.push(Item {
            line: first.line,
            rule_value: first.get("date").to_string(),
            fact: Fact::HolidayCalendar(HolidayCalendar {
                calendar: Text::new(UN_HQ_CALENDAR)
                    .map_err(|e| cx.err(first, "name", e.to_string()))?,
                year,
                complete: opts.complete_years.contains(&year),
                holidays,
                source: Text::new(source).map_err(|e| cx.err(first, "source", e.to_string()))?,
            }),
        });
    }
    Ok(p)
}
