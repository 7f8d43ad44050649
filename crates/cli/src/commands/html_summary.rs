//! A summarised page for a large record: the page keeps every supporter, the Council, the
//! charts and every count, and of the long tables (vetoes, the veto-initiative record,
//! compliance findings) the most important and the most recent rows, so that it stays a few
//! megabytes whatever the ledger's size; the full tables are streamed, as they are computed,
//! into files beside it, byte for byte what the report commands print (`compliance --json`,
//! `votes --json`, `veto-initiative --json`) and two CSV files. Nothing is held whole: the
//! votes and the compliance of each vote are computed one at a time, written, and dropped
//! unless the page shows them.

use std::collections::VecDeque;
use std::io::Write;

use actledger::html::{DataFile, Page, Summary, Totals};
use actledger_core::outcome::Outcome;
use actledger_core::projection::compliance::{FindingKind, VoteCompliance};
use actledger_core::projection::veto_initiative::{
    VetoInitiative, VetoInitiativeReport, VetoRecord, VetoStatus,
};
use actledger_core::projection::{self, Policy, View};
use anyhow::{Context, Result};

use super::Data;
use crate::commands::reports::StreamedCompliance;
use crate::output::{SeqOnce, Typed};

/// The files a summarised page's folder holds.
pub(super) const FILES: [&str; 5] = [
    "compliance.json",
    "findings.csv",
    "votes.json",
    "vetoes.csv",
    "veto-initiative.json",
];

/// Above these, a table is summarised (below them every row is on the page, as for the
/// embedded real data: a row is ~0.3-1 KB, so ~2,000 rows are ~1-2 MB).
const VOTES_IN_FULL: usize = 1_000;
const FINDINGS_IN_FULL: usize = 1_000;

/// Rows a summarised page shows: vetoes (the most recent), veto-initiative rows (the rule
/// not met first, then the most recent), findings (breaches, possible breaches and conflicts
/// first, then the most recent).
const SHOWN_VETOES: usize = 300;
const SHOWN_JUDGED_IMPORTANT: usize = 200;
const SHOWN_JUDGED_RECENT: usize = 200;
const SHOWN_FINDINGS_IMPORTANT: usize = 800;
const SHOWN_FINDINGS_RECENT: usize = 200;

/// Whether the record is too large for every row to be on the page.
pub(super) fn needs_summary(view: &View, policy: &Policy) -> bool {
    if view.votes().len() + view.tally_votes().len() > VOTES_IN_FULL {
        return true;
    }
    let (report, _) = projection::compliance_summary(view, policy, None, |_| {});
    let c = report.counts;
    let findings = c.breach
        + c.abstained
        + c.needs_assessment
        + c.conflict
        + c.voted_no_not_credible
        + c.not_bound
        + c.possible_breach
        + c.abstained_unassessed;
    findings > FINDINGS_IN_FULL
}

/// Where the stream of one table goes: a file in the staged folder, or nowhere (`serve`).
fn sink(dir: Option<&std::path::Path>, name: &str) -> Result<Box<dyn Write>> {
    Ok(match dir {
        Some(d) => {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(d.join(name))
                .with_context(|| format!("cannot create {}", d.join(name).display()))?;
            Box::new(std::io::BufWriter::with_capacity(1 << 16, f))
        }
        None => Box::new(std::io::sink()),
    })
}

/// Writes `value` as one JSON line, as `output::json` prints it.
fn json_line<T: serde::Serialize>(w: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *w, value)?;
    w.write_all(b"\n")?;
    Ok(())
}

fn important_finding(k: FindingKind) -> bool {
    matches!(
        k,
        FindingKind::Breach | FindingKind::PossibleBreach | FindingKind::Conflict
    )
}

fn important_veto(v: &VetoRecord) -> bool {
    matches!(
        v.status,
        VetoStatus::Missed | VetoStatus::MissedUnlessUnrecordedHolidays
    )
}

/// The `votes --json` object, its votes computed as they are written.
#[derive(serde::Serialize)]
#[serde(bound(serialize = "I: Iterator, I::Item: serde::Serialize"))]
struct StreamedVotes<'a, I> {
    basis: &'a projection::Basis,
    votes: SeqOnce<I>,
    tally_votes: Vec<projection::votes::TallyVoteOutcome>,
}

/// The `veto-initiative --json` line (its type, then a [`VetoInitiativeReport`]'s members in
/// their order), its vetoes built as they are written.
struct StreamedVetoInitiative<'a, I> {
    head: &'a VetoInitiativeReport,
    vetoes: SeqOnce<I>,
}

impl<I: Iterator<Item = VetoRecord>> serde::Serialize for StreamedVetoInitiative<'_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let h = self.head;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("type", "veto-initiative")?;
        map.serialize_entry("basis", &h.basis)?;
        map.serialize_entry("rule_in_force_from", &h.rule_in_force_from)?;
        map.serialize_entry("working_day_limit", &h.working_day_limit)?;
        map.serialize_entry("reference_date", &h.reference_date)?;
        map.serialize_entry("calendar", &h.calendar)?;
        map.serialize_entry("counts", &h.counts)?;
        map.serialize_entry("vetoes", &self.vetoes)?;
        map.serialize_entry("other_meetings", &h.other_meetings)?;
        map.end()
    }
}

/// The summarised page (`page` holds everything but the long tables) and the staged folder
/// of its full tables.
pub(super) fn summarised(
    view: &View,
    policy: &Policy,
    vetoes: &VetoInitiative<'_>,
    mut page: Page,
    data: Data<'_>,
) -> Result<(Page, Option<actledger::fsutil::StagedDir>)> {
    let (staged, href) = match data {
        Data::Beside { dest, href } => (
            Some(actledger::fsutil::StagedDir::create(dest)?),
            Some(href),
        ),
        Data::Api => (None, None),
    };
    let dir = staged.as_ref().map(|s| s.dir().to_path_buf());
    let dir = dir.as_deref();
    let mut totals = Totals::default();

    // Votes: votes.json (as `votes --json`), vetoes.csv; the most recent vetoes kept.
    let mut recent: VecDeque<projection::votes::VoteOutcome> = VecDeque::new();
    {
        let mut out = sink(dir, "votes.json")?;
        let mut csv = csv::Writer::from_writer(sink(dir, "vetoes.csv")?);
        csv.write_record([
            "date",
            "draft",
            "subject",
            "vetoed_by",
            "yes",
            "no",
            "abstain",
            "meeting",
            "seq",
            "corrections",
        ])?;
        let mut csv_error = None;
        let votes = projection::votes::vote_outcomes_iter(view).inspect(|v| {
            totals.votes += 1;
            let Outcome::Vetoed { by } = &v.result.outcome else {
                return;
            };
            totals.vetoes += 1;
            let year = v.date.year();
            totals.veto_years = Some(totals.veto_years.map_or((year, year), |(a, _)| (a, year)));
            let t = &v.result.tally;
            let row = [
                v.date.to_string(),
                v.draft.to_string(),
                v.subject.as_ref().map_or(String::new(), |s| s.to_string()),
                by.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+"),
                t.yes.to_string(),
                t.no.to_string(),
                t.abstain.to_string(),
                v.meeting.as_ref().map_or(String::new(), |m| m.to_string()),
                v.seq.to_string(),
                v.corrections
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            ];
            if let Err(e) = csv.write_record(&row) {
                csv_error.get_or_insert(e);
            }
            if recent.len() == SHOWN_VETOES {
                recent.pop_front();
            }
            recent.push_back(v.clone());
        });
        let n = view.votes().len();
        json_line(
            &mut *out,
            &Typed {
                kind: "votes",
                value: &StreamedVotes {
                    basis: view.basis(),
                    votes: SeqOnce::new(votes, n),
                    tally_votes: projection::votes::tally_vote_outcomes(view),
                },
            },
        )?;
        if let Some(e) = csv_error {
            return Err(e.into());
        }
        csv.flush()?;
        out.flush()?;
    }
    page.votes.votes = recent.into_iter().collect();

    // Compliance: compliance.json (as `compliance --json`), findings.csv; the important and
    // the most recent findings kept, each with its vote (the vote's supporters dropped).
    let (head, len) = projection::compliance_summary(view, policy, None, |_| {});
    let mut important: Vec<(usize, VoteCompliance)> = Vec::new();
    let mut others: VecDeque<(usize, VoteCompliance)> = VecDeque::new();
    {
        let mut out = sink(dir, "compliance.json")?;
        let mut csv = csv::Writer::from_writer(sink(dir, "findings.csv")?);
        csv.write_record([
            "date",
            "draft",
            "state",
            "vote",
            "finding",
            "verdict",
            "bound",
            "vote_seq",
            "adherence_seq",
            "assessments",
            "basis",
        ])?;
        let mut csv_error = None;
        let mut i = 0usize;
        let votes = projection::compliance_votes(view, policy, None).inspect(|vc| {
            if !vc.credibility.trusted.is_empty() {
                totals.assessed_votes += 1;
            }
            for f in &vc.findings {
                totals.findings += 1;
                let row = [
                    f.date.to_string(),
                    f.draft.to_string(),
                    f.state.to_string(),
                    f.vote.name().to_string(),
                    f.kind.name().to_string(),
                    f.verdict.name().to_string(),
                    f.bound.to_string(),
                    f.vote_seq.to_string(),
                    f.adherence.seq.to_string(),
                    f.assessments
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    f.basis.clone(),
                ];
                if let Err(e) = csv.write_record(&row) {
                    csv_error.get_or_insert(e);
                }
                let one = VoteCompliance {
                    status: vc.status,
                    draft: vc.draft,
                    date: vc.date,
                    meeting: vc.meeting.clone(),
                    procedural: vc.procedural,
                    seq: vc.seq,
                    corrections: vc.corrections.clone(),
                    result: vc.result.clone(),
                    credibility: vc.credibility.clone(),
                    supporters: Vec::new(),
                    findings: vec![f.clone()],
                };
                i += 1;
                if important_finding(f.kind) && important.len() < SHOWN_FINDINGS_IMPORTANT {
                    important.push((i, one));
                } else {
                    if others.len() == SHOWN_FINDINGS_RECENT {
                        others.pop_front();
                    }
                    others.push_back((i, one));
                }
            }
        });
        json_line(
            &mut *out,
            &StreamedCompliance {
                head: &head,
                votes: SeqOnce::new(votes, len),
            },
        )?;
        if let Some(e) = csv_error {
            return Err(e.into());
        }
        csv.flush()?;
        out.flush()?;
    }
    let mut kept: Vec<(usize, VoteCompliance)> = important.into_iter().chain(others).collect();
    kept.sort_by_key(|(i, _)| *i);
    let shown_findings = kept.len();
    page.compliance = head;
    page.compliance.votes = kept.into_iter().map(|(_, v)| v).collect();

    // The veto-initiative record: veto-initiative.json (as `veto-initiative --json`), each
    // veto built as it is written; the vetoes the rule was not met for, then the most recent,
    // kept (an earlier veto is known not to be among the most recent once that many judged
    // ones follow it).
    let mut important: Vec<VetoRecord> = Vec::new();
    let mut recent: VecDeque<VetoRecord> = VecDeque::new();
    {
        let head = &page.veto_initiative;
        totals.undated_meetings = head
            .other_meetings
            .iter()
            .filter(|m| m.meeting.date.is_none())
            .count();
        let rows = vetoes.vetoes().inspect(|v| {
            totals.undated_meetings += v.meetings.iter().filter(|m| m.date.is_none()).count();
            if v.status == VetoStatus::RuleNotInForce {
                return;
            }
            totals.judged_vetoes += 1;
            recent.push_back(v.clone());
            if recent.len() > SHOWN_JUDGED_RECENT {
                if let Some(earlier) = recent.pop_front() {
                    if important_veto(&earlier) && important.len() < SHOWN_JUDGED_IMPORTANT {
                        important.push(earlier);
                    }
                }
            }
        });
        let mut out = sink(dir, "veto-initiative.json")?;
        json_line(
            &mut *out,
            &StreamedVetoInitiative {
                head,
                vetoes: SeqOnce::new(rows, vetoes.len()),
            },
        )?;
        out.flush()?;
    }
    page.veto_initiative.vetoes = important.into_iter().chain(recent).collect();

    let files = match href {
        Some(h) => vec![
            DataFile {
                key: "findings",
                href: format!("{h}/findings.csv"),
                what: "every compliance finding, one a row (CSV)".to_string(),
            },
            DataFile {
                key: "compliance",
                href: format!("{h}/compliance.json"),
                what: "every vote's compliance, as `actledger compliance --json` prints it"
                    .to_string(),
            },
            DataFile {
                key: "vetoes",
                href: format!("{h}/vetoes.csv"),
                what: "every vetoed draft with the vote (CSV)".to_string(),
            },
            DataFile {
                key: "votes",
                href: format!("{h}/votes.json"),
                what: "every vote with its computed outcome, as `actledger votes --json` prints it"
                    .to_string(),
            },
            DataFile {
                key: "veto-initiative",
                href: format!("{h}/veto-initiative.json"),
                what: "every veto and the Assembly meetings that followed, as `actledger veto-initiative --json` prints it".to_string(),
            },
        ],
        None => vec![
            DataFile {
                key: "compliance",
                href: "api/compliance".to_string(),
                what: "every vote's compliance (`actledger compliance --json`)".to_string(),
            },
            DataFile {
                key: "votes",
                href: "api/votes".to_string(),
                what: "every vote with its computed outcome (`actledger votes --json`)"
                    .to_string(),
            },
            DataFile {
                key: "veto-initiative",
                href: "api/veto-initiative".to_string(),
                what: "every veto and the Assembly meetings that followed (`actledger veto-initiative --json`)".to_string(),
            },
        ],
    };
    page.summary = Some(Summary {
        files,
        shown_vetoes: page.votes.votes.len(),
        shown_judged: page.veto_initiative.vetoes.len(),
        shown_findings,
    });
    page.totals = totals;
    Ok((page, staged))
}
