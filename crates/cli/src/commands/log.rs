//! `log`: the events as stored, with correction links.

use std::collections::BTreeMap;

use actledger_core::chain;
use actledger_core::event::{AdherenceDate, EventBody, Fact};
use actledger_core::Seq;
use actledger_store::{Ledger, LogReader};
use anyhow::Result;

use super::Ctx;
use crate::cli::LogArgs;
use crate::output;

/// A stored event that does not decode is damage (exit 1), like a broken chain.
fn decode(seq: u64, bytes: &[u8]) -> Result<actledger_core::Event, actledger_store::StoreError> {
    chain::decode_event(bytes).map_err(|e| {
        actledger_store::StoreError::Verify(actledger_core::VerifyError {
            seq: Seq(seq),
            kind: e.into(),
        })
    })
}

pub fn run(ctx: &Ctx, a: LogArgs) -> Result<()> {
    ctx.reading(|ledger| list(ledger, a))
}

fn list(ledger: &Ledger, a: LogArgs) -> Result<()> {
    // Correction links: target seq -> the corrections that supersede it.
    let mut corrected_by: BTreeMap<Seq, Vec<Seq>> = BTreeMap::new();
    // The first pass also checks the hash chain against the stored head (as every report
    // does): nothing altered is listed.
    let mut chain_check = actledger_store::ChainCheck::new();
    for item in ledger.scan(0) {
        let (seq, bytes) = item?;
        chain_check.push(seq, &bytes)?;
        let ev = decode(seq, &bytes)?;
        if let EventBody::Correction(c) = &ev.unsigned.body {
            corrected_by.entry(c.target).or_default().push(Seq(seq));
        }
    }
    chain_check.finish(ledger.head()?)?;
    let limit = a.limit.unwrap_or(u64::MAX);
    for item in ledger
        .scan(a.from)
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
    {
        let (seq, bytes) = item?;
        let ev = decode(seq, &bytes)?;
        let hash = chain::event_hash(&bytes);
        let u = &ev.unsigned;
        let links = corrected_by.get(&u.seq).cloned().unwrap_or_default();
        if a.json {
            output::json(&serde_json::json!({
                "type": "event",
                "seq": u.seq,
                "hash": hash,
                "prev": u.prev,
                "recorded_at": u.recorded_at,
                "author": u.author,
                "kind": u.body.kind(),
                "body": u.body,
                "signature": ev.signature,
                "corrected_by": links,
            }));
        } else {
            let mut s = format!(
                "{:>6}  {}  {:<22} {}",
                u.seq.0,
                u.recorded_at.to_rfc3339(),
                u.body.kind(),
                summary(&u.body)
            );
            if !links.is_empty() {
                let l: Vec<String> = links.iter().map(|x| x.to_string()).collect();
                s.push_str(&format!("  [corrected by seq {}]", l.join(", ")));
            }
            output::line(&s);
        }
    }
    Ok(())
}

/// One-line description of an event body.
pub fn summary(body: &EventBody) -> String {
    match body {
        EventBody::LedgerCreated(g) => format!("origin {} admin {}", g.origin, g.admin),
        EventBody::KeyGranted(g) => format!("{} to {} ({})", g.role.name(), g.key, g.holder),
        EventBody::KeyRevoked(r) => format!("{} ({})", r.key, r.reason),
        EventBody::Fact(f) => fact_summary(f),
        EventBody::Correction(c) => format!(
            "corrects seq {}: {} ({})",
            c.target,
            fact_summary(&c.replacement),
            c.reason
        ),
    }
}

fn fact_summary(f: &Fact) -> String {
    match f {
        Fact::AdherenceLetter(a) => {
            let when = match a.date {
                AdherenceDate::Exact(d) => format!("dated {d}"),
                AdherenceDate::ListedBy(d) => format!("listed by {d}"),
            };
            format!(
                "{} {} {when} ({})",
                a.state,
                a.state.name(),
                a.instrument.name()
            )
        }
        Fact::CouncilTerm(t) => format!("{} {} {}..{}", t.state, t.seat.name(), t.from, t.to),
        Fact::DraftTabled(d) => format!("{} {}", d.draft, d.subject),
        Fact::CouncilVote(v) => {
            let r = actledger_core::outcome::compute(&v.votes, v.procedural);
            let by = match &r.outcome {
                actledger_core::outcome::Outcome::Vetoed { by } => {
                    format!(
                        " by {}",
                        by.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
                    )
                }
                _ => String::new(),
            };
            let absent: Vec<&str> = v
                .votes
                .iter()
                .filter(|m| m.vote == actledger_core::event::Vote::Absent)
                .map(|m| m.state.as_str())
                .collect();
            format!(
                "{} on {}: {} {}{by}{}{}",
                v.draft,
                v.date,
                r.tally,
                r.outcome.name(),
                if v.procedural { " (procedural)" } else { "" },
                if absent.is_empty() {
                    String::new()
                } else {
                    format!(", absent: {}", absent.join(","))
                }
            )
        }
        Fact::CredibilityAssessment(a) => format!(
            "{} credible={} (assessed: when recorded)",
            a.draft,
            if a.credible { "yes" } else { "no" }
        ),
        Fact::TallyVote(v) => {
            let r = actledger_core::projection::votes::tally_vote_outcome(
                actledger_core::Seq(0),
                &[],
                v,
            );
            format!(
                "{} on {}: {} (known by tally: {})",
                r.label,
                v.date,
                v.tally.map_or("tally unknown".into(), |t| t.to_string()),
                r.basis
            )
        }
        Fact::DatedAssessment(d) => format!(
            "{} credible={} assessed on {}",
            d.assessment.draft,
            if d.assessment.credible { "yes" } else { "no" },
            d.assessed_on
        ),
        Fact::AssemblyMeeting(m) => format!(
            "{} on {} follows {}",
            m.format.name(),
            m.date.map_or("(date unknown)".into(), |d| d.to_string()),
            m.follows
                .iter()
                .map(|f| format!(
                    "{}{}",
                    f.date,
                    f.draft.map_or(String::new(), |d| format!(":{d}"))
                ))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Fact::HolidayCalendar(c) => format!(
            "{} {} ({} days{})",
            c.calendar,
            c.year,
            c.holidays.len(),
            if c.complete { "" } else { ", partial" }
        ),
        Fact::SupporterListAttested(a) => format!(
            "depositary's list of {}: {} supporters, digest {} ({}{})",
            a.list_date,
            a.count,
            a.digest_hex(),
            a.url,
            a.document
                .as_ref()
                .map_or(String::new(), |d| format!(", {d}"))
        ),
    }
}
