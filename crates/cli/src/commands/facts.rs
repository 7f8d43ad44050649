//! `record ...`: builds a fact from flags, signs it, appends it.

use actledger_core::event::{
    AdherenceDate, AdherenceLetter, AssemblyMeeting, Correction, CouncilTerm, CouncilVote,
    CredibilityAssessment, DatedAssessment, DraftTabled, EventBody, Fact, Holiday, HolidayCalendar,
    MemberVote, Vote,
};
use actledger_core::{Seq, StateCode};
use anyhow::{bail, Result};

use super::{report_appended, text, Ctx};
use crate::cli::{FactCmd, RecordArgs, RecordWhat};
use crate::keyfile;

pub fn record(ctx: &Ctx, a: RecordArgs) -> Result<()> {
    let key = keyfile::read(&a.key)?;
    let body = match a.what {
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

/// Builds a fact from its flags.
pub fn build(cmd: FactCmd) -> Result<Fact> {
    Ok(match cmd {
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
