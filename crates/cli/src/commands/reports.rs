//! The projection commands: supporters, council, votes, compliance, veto-initiative,
//! scorecard. Each replays the log (cut at `--at-seq` / `--as-of`) and prints a table or one
//! JSON object (`--json`, with a `type` field); the same log gives byte-identical JSON.

use std::collections::BTreeSet;

use actledger_core::outcome::Outcome;
use actledger_core::projection::{self, Cutoff, TrustPolicy, View};
use actledger_core::{PublicKey, Seq, StateCode};
use actledger_store::Ledger;
use anyhow::{Context, Result};
use serde::Serialize;

use actledger_core::chain::variant;

use super::{kebab, load_view, load_view_of, Ctx};
use crate::cli::{
    ComplianceArgs, CouncilArgs, CutoffArgs, ReportFormat, ScorecardArgs, SupportersArgs,
    SupportersSub, VetoInitiativeArgs, VotesArgs,
};
use crate::{output, VerificationFailed};

/// The cut-offs the arguments ask for, against `ledger`: `--as-of` must not be in the future
/// (a projection of days not yet lived would pass for a fact), and `--recorded-by` becomes the
/// sequence number of the last event recorded at or before it (the log as it stood then; the
/// stricter of it and `--at-seq` holds).
pub(super) fn cutoff(ledger: &Ledger, c: &CutoffArgs) -> Result<Cutoff> {
    if let Some(d) = c.as_of {
        let today = actledger_core::Timestamp::now()
            .date()
            .context("the system clock is out of range")?;
        if d > today {
            anyhow::bail!("--as-of {d} is in the future (today is {today}, UTC)");
        }
    }
    let mut at_seq = c.at_seq.map(Seq);
    if let Some(t) = c.recorded_by {
        let by = last_recorded_by(ledger, t)?.ok_or_else(|| {
            anyhow::anyhow!("--recorded-by {t}: the ledger had no event recorded by then")
        })?;
        at_seq = Some(at_seq.map_or(by, |n| n.min(by)));
    }
    Ok(Cutoff {
        at_seq,
        as_of: c.as_of,
    })
}

/// The last event recorded at or before `t` (Unix seconds): recording times never decrease
/// along the log (a rule), so a binary search over it.
fn last_recorded_by(ledger: &Ledger, t: i64) -> Result<Option<Seq>> {
    let (mut lo, mut hi) = (0u64, ledger.size()?);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let at = ledger
            .event(Seq(mid))?
            .with_context(|| format!("no event at seq {mid}; run `actledger verify`"))?
            .unsigned
            .recorded_at;
        if at.0 <= t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo.checked_sub(1).map(Seq))
}

fn view(ctx: &Ctx, c: &CutoffArgs) -> Result<View> {
    ctx.reading(|l| load_view(l, cutoff(l, c)?))
}

/// A view of only the facts of `kinds` (see [`load_view_of`]).
fn view_of(ctx: &Ctx, c: &CutoffArgs, kinds: &[u32]) -> Result<View> {
    ctx.reading(|l| load_view_of(l, cutoff(l, c)?, kinds))
}

/// Prints `value` as one JSON line with a `type` field first.
pub(super) fn print_json<T: Serialize>(kind: &str, value: &T) -> Result<()> {
    output::json(&output::Typed { kind, value });
    Ok(())
}

fn codes(v: &[StateCode]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+")
}

pub(super) fn policy(trust: &[String], view: &View) -> Result<projection::Policy> {
    let p = if trust.is_empty() {
        TrustPolicy::AllAssessors
    } else {
        let mut keys = BTreeSet::new();
        for t in trust {
            let key = PublicKey::from_hex(t).with_context(|| format!("--trust {t}"))?;
            if !view.assessor_keys().contains_key(&key) {
                anyhow::bail!(
                    "--trust {t}: this key never held the assessor role in the ledger (assessor keys: {})",
                    if view.assessor_keys().is_empty() {
                        "none".to_string()
                    } else {
                        view.assessor_keys()
                            .iter()
                            .map(|(k, a)| format!("{k} ({})", a.holder))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                );
            }
            keys.insert(key);
        }
        TrustPolicy::Only(keys)
    };
    Ok(p.resolve(view))
}

pub fn supporters(ctx: &Ctx, a: SupportersArgs) -> Result<()> {
    let v = view_of(
        ctx,
        &a.cutoff,
        &[variant::ADHERENCE_LETTER, variant::SUPPORTER_LIST_ATTESTED],
    )?;
    let list = projection::supporters(&v);
    if let Some(SupportersSub::Diff { file, column }) = &a.sub {
        return diff(&list, file, column.as_deref(), a.json);
    }
    if a.json {
        return print_json("supporters", &list);
    }
    let rows: Vec<Vec<String>> = list
        .supporters
        .iter()
        .map(|s| {
            vec![
                s.state.to_string(),
                s.name.clone(),
                s.date.to_string(),
                s.precision.name().to_string(),
                kebab(&s.instrument.name()),
                s.seq.to_string(),
                if s.corrections.is_empty() {
                    String::new()
                } else {
                    format!("corrected by {}", seqs(&s.corrections))
                },
            ]
        })
        .collect();
    output::table(
        &[
            "STATE",
            "NAME",
            "DATE",
            "PRECISION",
            "INSTRUMENT",
            "SEQ",
            "",
        ],
        &rows,
    );
    output::line(&format!("{} supporters", list.count));
    if let Some(c) = &list.coverage {
        output::line(&c.words);
    }
    Ok(())
}

fn seqs(v: &[Seq]) -> String {
    v.iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// `supporters diff FILE.csv`: who is missing on each side; exit 1 when they differ.
fn diff(
    list: &projection::SupporterList,
    file: &std::path::Path,
    column: Option<&str>,
    json: bool,
) -> Result<()> {
    let published = super::published::read(file, column)?;
    let ours: BTreeSet<StateCode> = list.supporters.iter().map(|s| s.state).collect();
    let only_ledger: Vec<StateCode> = ours.difference(&published).copied().collect();
    let only_file: Vec<StateCode> = published.difference(&ours).copied().collect();
    if json {
        output::json(&serde_json::json!({
            "type": "supporters-diff",
            "file": file.display().to_string(),
            "ledger": ours.len(),
            "published": published.len(),
            "missing_from_published": only_ledger,
            "missing_from_ledger": only_file,
            "same": only_ledger.is_empty() && only_file.is_empty(),
        }));
    } else {
        output::line(&format!(
            "ledger: {} supporters; {}: {}",
            ours.len(),
            file.display(),
            published.len()
        ));
        let show = |v: &[StateCode]| {
            if v.is_empty() {
                return "none".to_string();
            }
            v.iter()
                .map(|s| format!("{s} {}", s.name()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        output::line(&format!(
            "in the ledger, not in the published list ({}): {}",
            only_ledger.len(),
            show(&only_ledger)
        ));
        output::line(&format!(
            "in the published list, not in the ledger ({}): {}",
            only_file.len(),
            show(&only_file)
        ));
    }
    if only_ledger.is_empty() && only_file.is_empty() {
        Ok(())
    } else {
        Err(VerificationFailed(format!(
            "lists differ: {} only in the ledger, {} only in {}",
            only_ledger.len(),
            only_file.len(),
            file.display()
        ))
        .into())
    }
}

pub fn council(ctx: &Ctx, a: CouncilArgs) -> Result<()> {
    let v = view_of(
        ctx,
        &a.cutoff,
        &[
            variant::ADHERENCE_LETTER,
            variant::COUNCIL_TERM,
            variant::SUPPORTER_LIST_ATTESTED,
        ],
    )?;
    let c = projection::council_on(&v, a.on);
    if a.json {
        return print_json("council", &c);
    }
    output::line(&format!(
        "Security Council on {}: {} members recorded{}, {} bound by the Code",
        c.date,
        c.count,
        if c.complete {
            ""
        } else {
            " (incomplete: record the missing terms)"
        },
        c.supporters
    ));
    let rows: Vec<Vec<String>> = c
        .members
        .iter()
        .map(|m| {
            vec![
                m.state.to_string(),
                m.name.clone(),
                m.seat.name().to_string(),
                format!("{}..{}", m.from, m.to),
                m.standing.explain(c.date),
                m.term_seq.to_string(),
            ]
        })
        .collect();
    output::table(&["STATE", "NAME", "SEAT", "TERM", "ACT CODE", "SEQ"], &rows);
    Ok(())
}

pub fn votes(ctx: &Ctx, a: VotesArgs) -> Result<()> {
    let v = view(ctx, &a.cutoff)?;
    let mut list = projection::vote_outcomes(&v);
    if a.vetoed {
        list.votes
            .retain(|x| matches!(x.result.outcome, Outcome::Vetoed { .. }));
        list.tally_votes.retain(|t| !t.vetoed_by.is_empty());
    }
    if a.json {
        return print_json("votes", &list);
    }
    let rows: Vec<Vec<String>> = list
        .votes
        .iter()
        .map(|x| {
            let by = match &x.result.outcome {
                Outcome::Vetoed { by } => format!(" by {}", codes(by)),
                _ => String::new(),
            };
            let absent: Vec<&str> = x
                .votes
                .iter()
                .filter(|m| m.vote == actledger_core::event::Vote::Absent)
                .map(|m| m.state.as_str())
                .collect();
            vec![
                x.date.to_string(),
                x.draft.to_string(),
                x.result.tally.to_string(),
                if absent.is_empty() {
                    "none".to_string()
                } else {
                    absent.join(",")
                },
                format!(
                    "{}{by}{}",
                    x.result.outcome.name(),
                    if x.procedural { " (procedural)" } else { "" }
                ),
                x.meeting
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                "votes".to_string(),
                x.seq.to_string(),
            ]
        })
        .chain(
            list.tally_votes
                .iter()
                .filter(|t| !a.vetoed || !t.vetoed_by.is_empty())
                .map(|t| {
                    vec![
                        t.date.to_string(),
                        t.label.clone(),
                        t.tally.map_or("unknown".into(), |x| x.to_string()),
                        "unknown".to_string(),
                        match (&t.outcome, t.vetoed_by.is_empty()) {
                            (Some(o), _) => match o {
                                Outcome::Vetoed { by } => format!("vetoed by {}", codes(by)),
                                o => o.name().to_string(),
                            },
                            (None, false) => format!(
                                "vetoed by {} (as reported, not computed)",
                                codes(&t.vetoed_by)
                            ),
                            (None, true) => "not computed (tally unknown)".to_string(),
                        } + if t.procedural { " (procedural)" } else { "" },
                        t.meeting
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_default(),
                        "tally".to_string(),
                        t.seq.to_string(),
                    ]
                }),
        )
        .collect();
    output::table(
        &[
            "DATE",
            "TEXT",
            "YES-NO-ABST",
            "ABSENT",
            "OUTCOME",
            "MEETING",
            "KNOWN BY",
            "SEQ",
        ],
        &rows,
    );
    Ok(())
}

/// `compliance --json`: the report as `print_json("compliance", &report)` writes it (the
/// same members in the same order), with the votes computed one at a time as they are written
/// instead of held (the report of a 1M-event log is ~0.9 GB in memory).
pub(super) struct StreamedCompliance<'a, I> {
    pub(super) head: &'a projection::ComplianceReport,
    pub(super) votes: output::SeqOnce<I>,
}

impl<I: Iterator<Item = projection::compliance::VoteCompliance>> Serialize
    for StreamedCompliance<'_, I>
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let h = self.head;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("type", "compliance")?;
        map.serialize_entry("basis", &h.basis)?;
        map.serialize_entry("policy", &h.policy)?;
        map.serialize_entry("states", &h.states)?;
        map.serialize_entry("no_adherence", &h.no_adherence)?;
        map.serialize_entry("counts", &h.counts)?;
        map.serialize_entry("votes", &self.votes)?;
        map.end()
    }
}

pub fn compliance(ctx: &Ctx, a: ComplianceArgs) -> Result<()> {
    let v = view(ctx, &a.cutoff)?;
    let p = policy(&a.trust, &v)?;
    let states: Option<BTreeSet<StateCode>> = if a.state.is_empty() {
        None
    } else {
        Some(a.state.iter().copied().collect())
    };
    // The counts come before the votes in both outputs: one pass to count, one to write.
    let progress = crate::progress::Progress::of(v.votes().len() as u64, "compliance", "votes");
    let (report, len) =
        projection::compliance_summary(&v, &p, states.as_ref(), |n| progress.set(n as u64));
    progress.finish();
    let votes = projection::compliance_votes(&v, &p, states.as_ref());
    if a.json {
        output::json(&StreamedCompliance {
            head: &report,
            votes: output::SeqOnce::new(votes, len),
        });
        return Ok(());
    }
    let c = &report.counts;
    output::line(&format!(
        "Policy: {} ({} trusted assessor key{})",
        kebab(&report.policy.kind),
        report.policy.keys.len(),
        if report.policy.keys.len() == 1 {
            ""
        } else {
            "s"
        }
    ));
    output::line(&format!(
        "Findings: {} breach, {} possible breach (adherence date unknown), {} abstained (permitted), {} abstained on a draft nobody assessed, {} needs assessment, {} conflict, {} no on a draft judged not credible, {} not bound",
        c.breach, c.possible_breach, c.abstained, c.abstained_unassessed, c.needs_assessment, c.conflict, c.voted_no_not_credible, c.not_bound
    ));
    for s in &report.no_adherence {
        // The words of its standing on the reference day ("no adherence recorded", or "not a
        // supporter (per the depositary's list of DATE)"), from core's one place.
        let words = v.reference_date().map_or_else(
            || projection::NO_ADHERENCE_RECORDED.to_string(),
            |day| v.standing(*s, day).label(),
        );
        output::line(&format!(
            "{s} ({}): {words}: none of its votes is judged under the Code",
            s.name(),
        ));
    }
    for vc in votes {
        if vc.findings.is_empty() && !a.all {
            continue;
        }
        let judged = match vc.status.words() {
            "" => String::new(),
            w => format!(" [{w}]"),
        };
        output::line(&format!(
            "{} {} ({} {}{}), credibility: {}  [vote seq {}]{judged}",
            vc.date,
            vc.draft,
            vc.result.tally,
            vc.result.outcome.name(),
            match &vc.result.outcome {
                Outcome::Vetoed { by } => format!(" by {}", codes(by)),
                _ => String::new(),
            },
            vc.credibility.verdict.name(),
            vc.seq
        ));
        for s in &vc.supporters {
            let finding = vc.findings.iter().find(|f| f.state == s.state);
            output::line(&format!(
                "    {} {:<8} {}",
                s.state,
                s.vote.name(),
                finding.map_or_else(String::new, |f| format!("{}: {}", f.kind.name(), f.basis))
            ));
        }
    }
    Ok(())
}

pub fn veto_initiative(ctx: &Ctx, a: VetoInitiativeArgs) -> Result<()> {
    let mut v = view(ctx, &a.cutoff)?;
    let mut calendar = a.calendar.clone();
    if let Some(file) = &a.holidays {
        let f = actledger::fsutil::open_input(file, "holiday file", None)?;
        let opts = actledger::import::ParseOptions {
            complete_years: a.complete_years.clone(),
            ..Default::default()
        };
        let parsed = actledger::import::parse(
            actledger::import::Kind::Holidays,
            &file.display().to_string(),
            f,
            &opts,
        )?;
        let years = parsed
            .items
            .into_iter()
            .filter_map(|i| match i.fact {
                actledger_core::Fact::HolidayCalendar(c) => Some(c),
                _ => None,
            })
            .collect();
        let name = format!("file {}", file.display());
        v.add_external_calendar(&name, years);
        calendar = Some(name);
    }
    let report = projection::veto_initiative(&v, calendar.as_deref())?;
    if a.json {
        return print_json("veto-initiative", &report);
    }
    let cal = &report.calendar;
    let years: Vec<String> = cal
        .years
        .iter()
        .map(|y| format!("{}{}", y.year, if y.complete { "" } else { " (partial)" }))
        .collect();
    output::line(&format!(
        "GA res. 76/262: a meeting within {} working days of each veto from {}.",
        report.working_day_limit, report.rule_in_force_from
    ));
    output::line(&format!(
        "Calendar: {} covering {}; weekends always excluded.",
        cal.name.as_deref().unwrap_or("none recorded"),
        if years.is_empty() {
            "no year".into()
        } else {
            years.join(", ")
        }
    ));
    let rows: Vec<Vec<String>> = report
        .vetoes
        .iter()
        .map(|r| {
            let first = r.meetings.first();
            vec![
                r.date.to_string(),
                if r.known_by == "tally" {
                    format!("{} (by tally)", r.draft)
                } else {
                    r.draft.clone()
                },
                codes(&r.vetoed_by),
                first
                    .and_then(|m| m.date)
                    .map_or("-".into(), |d| d.to_string()),
                first.map_or("-".into(), |m| {
                    m.records
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                }),
                first
                    .and_then(|m| m.count.as_ref())
                    .map_or("-".into(), |c| {
                        format!("{}{}", c.working_days, if c.complete { "" } else { "*" })
                    }),
                kebab(&r.status),
                format!(
                    "{}{}",
                    r.vote_seq,
                    first.map_or(String::new(), |m| format!(",{}", m.seq))
                ),
            ]
        })
        .collect();
    output::table(
        &[
            "VETO",
            "DRAFT",
            "BY",
            "MEETING",
            "RECORDS",
            "WORKING DAYS",
            "RULE",
            "SEQS",
        ],
        &rows,
    );
    output::line("* the calendar does not completely cover the years involved: holidays may be missing from the count");
    for m in &report.other_meetings {
        output::line(&format!(
            "meeting {} follows the veto of {}{}: {} (seq {})",
            m.meeting.date.map_or("(undated)".into(), |d| d.to_string()),
            m.follows.date,
            m.follows
                .draft
                .map_or(String::new(), |d| format!(" on {d}")),
            kebab(&m.reason),
            m.meeting.seq
        ));
    }
    let c = &report.counts;
    output::line(&format!(
        "{} vetoes: {} before the rule, {} held, {} missed, {} missed unless unrecorded holidays, {} undated meeting, {} window open, {} no meeting recorded",
        c.vetoes, c.rule_not_in_force, c.held, c.missed, c.missed_unless_unrecorded_holidays, c.meeting_undated, c.window_open, c.no_meeting_recorded
    ));
    Ok(())
}

pub fn scorecard(ctx: &Ctx, a: ScorecardArgs) -> Result<()> {
    let v = view(ctx, &a.cutoff)?;
    let p = policy(&a.trust, &v)?;
    let states: Option<BTreeSet<StateCode>> = if a.states.is_empty() {
        None
    } else {
        Some(a.states.iter().copied().collect())
    };
    let card = projection::scorecard(&v, &p, states.as_ref());
    if a.json || a.format == ReportFormat::Json {
        return print_json("scorecard", &card);
    }
    let header = [
        "STATE",
        "NAME",
        "ACT CODE",
        "COUNCIL TERMS",
        "ASSESSED VOTES",
        "BREACHES",
        "POSSIBLE BREACHES",
        "VETOES CAST",
    ];
    // One convention: an empty list or a count of zero is "none"; a column that does not
    // apply (vetoes of an elected member) is "n/a".
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join("; ")
        }
    };
    let rows: Vec<Vec<String>> = card
        .states
        .iter()
        .map(|s| {
            vec![
                s.state.to_string(),
                s.name.clone(),
                s.standing.label(),
                list(
                    vec![merged_terms(&s.terms)]
                        .into_iter()
                        .filter(|t| !t.is_empty())
                        .collect(),
                ),
                list(
                    s.assessed_votes
                        .iter()
                        .map(|v| format!("{} {} ({})", v.draft, v.vote.name(), v.verdict.name()))
                        .collect(),
                ),
                list(s.breaches.iter().map(|b| b.draft.to_string()).collect()),
                list(
                    s.possible_breaches
                        .iter()
                        .map(|b| b.draft.to_string())
                        .collect(),
                ),
                s.vetoes_cast
                    .as_ref()
                    .map_or("n/a".into(), |v| match v.len() {
                        0 => "none".to_string(),
                        n => n.to_string(),
                    }),
            ]
        })
        .collect();
    match a.format {
        ReportFormat::Table | ReportFormat::Json => output::table(&header, &rows),
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(header)?;
            for r in &rows {
                w.write_record(r)?;
            }
            let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
            output::line(String::from_utf8_lossy(&bytes).trim_end());
        }
        ReportFormat::Markdown => {
            let esc = |s: &str| s.replace('|', "\\|");
            output::line(&format!("| {} |", header.join(" | ")));
            output::line(&format!("|{}", "---|".repeat(header.len())));
            for r in &rows {
                output::line(&format!(
                    "| {} |",
                    r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
                ));
            }
        }
    }
    Ok(())
}

/// Council terms as year spans, contiguous terms of the same seat merged: "2015-2026
/// permanent", "2025-2026 elected".
fn merged_terms(terms: &[projection::scorecard::TermEntry]) -> String {
    let mut spans: Vec<(
        actledger_core::Date,
        actledger_core::Date,
        actledger_core::event::Seat,
    )> = Vec::new();
    for t in terms {
        match spans.last_mut() {
            Some(last) if last.2 == t.seat && last.1.next_day() == Some(t.from) => last.1 = t.to,
            _ => spans.push((t.from, t.to, t.seat)),
        }
    }
    spans
        .iter()
        .map(|(from, to, seat)| {
            if from.year() == to.year() {
                format!("{} {}", from.year(), seat.name())
            } else {
                format!("{}-{} {}", from.year(), to.year(), seat.name())
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
