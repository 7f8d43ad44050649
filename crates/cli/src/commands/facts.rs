//! `record ...`: builds a fact from flags, signs it, appends it.

use actledger_core::event::{
    AdherenceDate, AdherenceLetter, AssemblyMeeting, Correction, CouncilTerm, CouncilVote,
    CredibilityAssessment, DatedAssessment, DraftTabled, EventBody, Fact, Holiday, HolidayCalendar,
    MemberVote, Vote,
};
use actledger_core::{Seq, StateCode};
use anyhow::{bail, Result};

use super::{report_appended, text, Ctx};
use crate::cli::{AttestationArgs, FactCmd, RecordArgs, RecordWhat};
use crate::keyfile;
use actledger_core::attestation::SupporterListAttested;
use actledger_core::chain::variant;
use actledger_core::projection::Cutoff;

pub fn record(ctx: &Ctx, a: RecordArgs) -> Result<()> {
    let key = keyfile::read(&a.key)?;
    let body = match a.what {
        RecordWhat::Fact(FactCmd::Attestation(at)) if at.from_ledger => {
            if a.remote.is_some() {
                bail!(
                    "--from-ledger reads the local ledger's list: with --remote, give --list FILE"
                );
            }
            let view = ctx.reading(|l| {
                super::load_view_of(
                    l,
                    Cutoff {
                        at_seq: None,
                        as_of: Some(at.date),
                    },
                    &[variant::ADHERENCE_LETTER],
                )
            })?;
            let states: Vec<StateCode> = view.adherences().keys().copied().collect();
            EventBody::Fact(attestation(
                at,
                states,
                "the ledger's supporters as of the day",
            )?)
        }
        RecordWhat::Fact(f) => EventBody::Fact(build(f)?),
        RecordWhat::Correction(c) => EventBody::Correction(Correction {
            target: Seq(c.target),
            reason: text("reason", &c.reason)?,
            replacement: build(c.fact)?,
        }),
    };
    body.check_shape()?;
    let what = match &body {
        EventBody::Correction(c) => format!("Correction of seq {}", c.target),
        b => b.kind().to_string(),
    };
    if let Some(url) = &a.remote {
        return super::remote::record(url, &key, &what, &body);
    }
    let mut ledger = ctx.open()?;
    let r = ledger.append(&key, body)?;
    report_appended(&what, &r);
    Ok(())
}

fn sorted_unique<T: Ord + Copy + std::fmt::Display>(mut v: Vec<T>, flag: &str) -> Result<Vec<T>> {
    v.sort();
    if let Some(w) = v.windows(2).find(|w| w[0] == w[1]) {
        bail!("--{flag}: {} is given twice", w[0]);
    }
    Ok(v)
}

/// The attestation of `states` (`what`: where they come from, for the count's message).
fn attestation(a: AttestationArgs, states: Vec<StateCode>, what: &str) -> Result<Fact> {
    if usize::from(a.count) != states.len() {
        bail!(
            "--count {}: {what} number {} (the depositary's count and its list must agree)",
            a.count,
            states.len()
        );
    }
    Ok(Fact::SupporterListAttested(SupporterListAttested::new(
        a.date,
        states,
        text("url", &a.url)?,
        a.document,
        text("note", &a.note)?,
    )?))
}

/// Builds a fact from its flags.
pub fn build(cmd: FactCmd) -> Result<Fact> {
    Ok(match cmd {
        FactCmd::Attestation(a) => {
            let Some(file) = a.list.clone() else {
                bail!("give --list FILE or --from-ledger");
            };
            let states: Vec<StateCode> = super::published::read(&file, a.column.as_deref())?
                .into_iter()
                .collect();
            let what = format!("the states listed in {}", file.display());
            attestation(a, states, &what)?
        }
        FactCmd::Adherence(a) => Fact::AdherenceLetter(AdherenceLetter {
            state: a.state,
            date: match (a.date, a.listed_by) {
                (Some(d), _) => AdherenceDate::Exact(d),
                (None, Some(d)) => AdherenceDate::ListedBy(d),
                (None, None) => bail!("give --date or --listed-by"),
            },
            received: a.received,
            instrument: a.instrument,
            reference: text("reference", &a.reference)?,
            source: text("source", &a.source)?,
            note: text("note", &a.note)?,
        }),
        FactCmd::Term(t) => Fact::CouncilTerm(CouncilTerm {
            state: t.state,
            seat: t.seat,
            from: t.from,
            to: t.to,
            source: text("source", &t.source)?,
            note: text("note", &t.note)?,
        }),
        FactCmd::Draft(d) => Fact::DraftTabled(DraftTabled {
            draft: d.draft,
            subject: text("subject", &d.subject)?,
            agenda_item: text("agenda-item", &d.agenda_item)?,
            penholders: sorted_unique(d.penholders, "penholders")?,
            tabled_on: d.tabled_on,
            reported_vote: None,
            source: text("source", &d.source)?,
            note: text("note", &d.note)?,
        }),
        FactCmd::Vote(v) => {
            let mut votes: Vec<MemberVote> = Vec::new();
            for (list, vote) in [
                (&v.yes, Vote::Yes),
                (&v.no, Vote::No),
                (&v.abstain, Vote::Abstain),
                (&v.absent, Vote::Absent),
            ] {
                votes.extend(list.iter().map(|s| MemberVote { state: *s, vote }));
            }
            // Sorted by state, as the format wants; a state given twice and the count of 15
            // are checked by core (`Fact::check_shape`), the one place those rules live.
            votes.sort_by_key(|m| m.state);
            Fact::CouncilVote(CouncilVote {
                draft: v.draft,
                meeting: v.meeting,
                date: v.date,
                procedural: v.procedural,
                votes,
                source: text("source", &v.source)?,
                note: text("note", &v.note)?,
            })
        }
        FactCmd::Assessment(a) => Fact::DatedAssessment(DatedAssessment {
            // The day the assessment was made: as stated, else today (UTC); a day after the
            // event's recording is refused by the rules.
            assessed_on: match a.on {
                Some(d) => d,
                None => actledger_core::Timestamp::now()
                    .date()
                    .ok_or_else(|| anyhow::anyhow!("the system clock is out of range"))?,
            },
            assessment: CredibilityAssessment {
                draft: a.draft,
                credible: a.credible,
                crimes: sorted_unique(a.crimes, "crimes")?,
                basis: {
                    let mut b = a.basis;
                    b.sort();
                    b.dedup();
                    b
                },
                rationale: text("rationale", &a.rationale)?,
            },
        }),
        FactCmd::Meeting(m) => Fact::AssemblyMeeting(AssemblyMeeting {
            date: m.date,
            session: text("session", &m.session)?,
            format: m.format,
            records: {
                let mut r = m.records;
                r.sort();
                r.dedup();
                r
            },
            follows: {
                let mut f = m.follows;
                f.sort();
                f.dedup();
                f
            },
            speakers: {
                let mut seen = std::collections::BTreeSet::<StateCode>::new();
                if let Some(d) = m.speakers.iter().find(|s| !seen.insert(**s)) {
                    bail!("--speakers: {d} is given twice");
                }
                m.speakers
            },
            press_release: m.press_release,
            source: text("source", &m.source)?,
            note: text("note", &m.note)?,
        }),
        FactCmd::Holidays(h) => {
            let mut holidays = Vec::new();
            for (date, name) in h.holidays {
                holidays.push(Holiday {
                    date,
                    name: text("holiday", &name)?,
                });
            }
            holidays.sort_by_key(|x| x.date);
            Fact::HolidayCalendar(HolidayCalendar {
                calendar: text("calendar", &h.calendar)?,
                year: h.year,
                complete: h.complete,
                holidays,
                source: text("source", &h.source)?,
            })
        }
    })
}
