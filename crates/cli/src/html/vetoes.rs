//! Sections 3 and 4: the vetoes, and the veto-initiative record of resolution 76/262.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn vetoes_section(out: &mut String, p: &Page) {
    let vetoes: Vec<_> = p
        .votes
        .votes
        .iter()
        .filter(|v| matches!(v.result.outcome, Outcome::Vetoed { .. }))
        .collect();
    out.push_str("<section id=\"vetoes\" aria-labelledby=\"h-vetoes\">\n");
    out.push_str(
        "<h2 id=\"h-vetoes\"><span class=\"num\">3</span> Vetoes in the Security Council</h2>\n",
    );
    out.push_str(&format!(
        "<p>The ledger records {} in the Council; <strong>{} vetoed</strong>: the draft had \
         at least nine votes in favour, and at least one permanent member voted against \
         (Charter Art. 27(3)). Each outcome is computed from the members' recorded votes, never \
         copied from a source.</p>\n",
        plural(p.totals.votes, "vote", "votes"),
        if p.totals.vetoes == 0 {
            "none was".to_string()
        } else if p.totals.vetoes == p.totals.votes {
            format!("all {} were", p.totals.vetoes)
        } else {
            format!(
                "{} {}",
                p.totals.vetoes,
                if p.totals.vetoes == 1 { "was" } else { "were" }
            )
        }
    ));
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&charts::veto_timeline(&vetoes, reference_day(p)));
    out.push_str(
        "<figcaption>Each mark is one vetoed draft, on the row of the permanent member that \
         vetoed it; a vertical bar joins the marks of a joint veto. The dashed line is the \
         adoption of resolution 76/262.",
    );
    if p.summary.is_some() {
        out.push_str(&format!(
            " Summarised: the {} most recent vetoes.",
            vetoes.len()
        ));
    }
    out.push_str("</figcaption>\n");
    out.push_str("</figure>\n");
    out.push_str("<table class=\"data\" id=\"vetoes-table\">\n");
    out.push_str("<caption>Every vetoed draft, with the vote</caption>\n");
    out.push_str(
        "<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Draft</th><th scope=\"col\">Subject</th>\
         <th scope=\"col\">Vetoed by</th><th scope=\"col\" class=\"r\">Yes</th><th scope=\"col\" class=\"r\">No</th>\
         <th scope=\"col\" class=\"r\">Abst.</th><th scope=\"col\">Meeting</th><th scope=\"col\" class=\"r\">Event</th></tr></thead>\n<tbody>\n",
    );
    for v in &vetoes {
        let by = match &v.result.outcome {
            Outcome::Vetoed { by } => codes(by),
            _ => String::new(),
        };
        let t = &v.result.tally;
        out.push_str(&format!(
            "<tr><td class=\"date\">{}</td><th scope=\"row\" class=\"mono nowrap\">{}</th><td class=\"text\">{}</td><td class=\"mono\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"mono nowrap\">{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            Esc(v.date),
            Esc(v.draft),
            v.subject.as_ref().map_or(String::new(), |s| escape(s.as_str())),
            Esc(by),
            t.yes,
            t.no,
            t.abstain,
            v.meeting.as_ref().map_or(String::new(), |m| escape(&m.to_string())),
            Esc(seq_ref(v.seq, &v.corrections)),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(&shown_note(
        p,
        vetoes.len(),
        p.totals.vetoes,
        "vetoes (the most recent)",
        &["vetoes", "votes"],
    ));
    out.push_str("</section>\n");
}

pub(super) fn status_label(s: VetoStatus) -> &'static str {
    match s {
        VetoStatus::RuleNotInForce => "before the rule",
        VetoStatus::Held => "&#10003; held",
        VetoStatus::Missed => "&#10007; missed",
        VetoStatus::MissedUnlessUnrecordedHolidays => {
            "&#10007;? late by the recorded calendar (incomplete)"
        }
        VetoStatus::MeetingUndated => "? meeting date not recorded",
        VetoStatus::WindowOpen => "window still open",
        VetoStatus::NoMeetingRecorded => "&mdash; no meeting recorded",
    }
}

pub(super) fn calendar_sentence(vi: &VetoInitiativeReport) -> String {
    let cal = &vi.calendar;
    let years: Vec<String> = cal
        .years
        .iter()
        .map(|y| {
            if y.complete {
                y.year.to_string()
            } else {
                format!("{} (partial)", y.year)
            }
        })
        .collect();
    match &cal.name {
        Some(n) => format!(
            "Working days exclude Saturdays, Sundays and the holidays of the calendar \
             <strong>{}</strong>, which the ledger records for {}. For other years only weekends \
             are excluded; a count marked * touches such a year and could only go down if its \
             holidays were recorded.",
            Esc(n),
            if years.is_empty() {
                "no year".to_string()
            } else {
                escape(&years.join(", "))
            }
        ),
        None => "No holiday calendar is recorded: working days exclude Saturdays and Sundays \
                 only, and every count is marked *."
            .to_string(),
    }
}

pub(super) fn veto_initiative_section(out: &mut String, p: &Page) {
    let vi = &p.veto_initiative;
    let judged: Vec<_> = vi
        .vetoes
        .iter()
        .filter(|v| v.status != VetoStatus::RuleNotInForce)
        .collect();
    let c = &vi.counts;
    out.push_str("<section id=\"veto-initiative\" aria-labelledby=\"h-vi\">\n");
    out.push_str("<h2 id=\"h-vi\"><span class=\"num\">4</span> The veto initiative: did the Assembly meet in time?</h2>\n");
    out.push_str(&format!(
        "<p>General Assembly resolution 76/262 requires a formal Assembly meeting within \
         <strong>{} working days</strong> of every veto cast from {} on (an emergency special \
         session on the same situation counts). Of the {} vetoes since then, the rule \
         <strong>held for {}</strong>; {} missed; {} with a meeting whose date is not recorded; \
         {} with no meeting recorded{}.</p>\n",
        vi.working_day_limit,
        long_date(vi.rule_in_force_from),
        p.totals.judged_vetoes,
        c.held,
        c.missed + c.missed_unless_unrecorded_holidays,
        c.meeting_undated,
        c.no_meeting_recorded,
        if c.window_open > 0 {
            format!("; {} still within the window", c.window_open)
        } else {
            String::new()
        }
    ));
    out.push_str(&format!("<p>{}</p>\n", calendar_sentence(vi)));
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&charts::working_days_chart(vi));
    out.push_str(
        "<figcaption>Working days from each veto to the first Assembly meeting that followed it. \
         Solid bars: within the limit; hatched bars: beyond it.</figcaption>\n",
    );
    out.push_str("</figure>\n");
    out.push_str("<table class=\"data\" id=\"veto-initiative-table\">\n");
    out.push_str(&format!(
        "<caption>Vetoes since {} and the Assembly meetings that followed</caption>\n",
        Esc(vi.rule_in_force_from)
    ));
    out.push_str(
        "<thead><tr><th scope=\"col\">Veto</th><th scope=\"col\">Draft</th><th scope=\"col\">By</th>\
         <th scope=\"col\">Assembly met</th><th scope=\"col\">Records</th>\
         <th scope=\"col\" class=\"r\">Working days</th><th scope=\"col\">Rule</th>\
         <th scope=\"col\" class=\"r\">Events</th></tr></thead>\n<tbody>\n",
    );
    for v in &judged {
        let first = v.meetings.first();
        let met = first.map_or("&mdash;".to_string(), |m| {
            let mut s = m
                .date
                .map_or("date not recorded".to_string(), |d| escape(&d.to_string()));
            if m.format == actledger_core::event::MeetingFormat::EmergencySpecialSession {
                s.push_str(" (emergency special session)");
            }
            s
        });
        let records = first.map_or(String::new(), |m| {
            escape(
                &m.records
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        });
        let days = first
            .and_then(|m| m.count.as_ref())
            .map_or("&mdash;".to_string(), |c| {
                format!("{}{}", c.working_days, if c.complete { "" } else { "*" })
            });
        let mut seqs = v.vote_seq.to_string();
        for m in &v.meetings {
            seqs.push_str(&format!(", {}", m.seq));
        }
        out.push_str(&format!(
            "<tr class=\"st-{}\"><td class=\"date\">{}</td><th scope=\"row\" class=\"mono nowrap\">{}</th><td class=\"mono\">{}</td><td class=\"date\">{}</td><td class=\"mono\">{}</td><td class=\"r\">{}</td><td>{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            status_class(v.status),
            Esc(v.date),
            Esc(if v.known_by == "tally" {
                format!("{} (vote known by its tally)", v.draft)
            } else {
                v.draft.clone()
            }),
            Esc(codes(&v.vetoed_by)),
            met,
            records,
            days,
            status_label(v.status),
            Esc(seqs),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(&shown_note(
        p,
        judged.len(),
        p.totals.judged_vetoes,
        "vetoes since resolution 76/262 (those the rule was not met for first, then the most recent)",
        &["veto-initiative"],
    ));
    if c.rule_not_in_force > 0 {
        out.push_str(&format!(
            "<p class=\"note\">{} recorded before {} are not judged: the rule did not exist yet.</p>\n",
            plural(c.rule_not_in_force, "veto", "vetoes"),
            long_date(vi.rule_in_force_from)
        ));
    }
    if !vi.other_meetings.is_empty() {
        out.push_str("<p class=\"note\">Also recorded: Assembly meetings after vetoes that the ledger does not hold as Council votes (for example a veto of an amendment without a draft symbol):</p>\n<ul class=\"note\">\n");
        for m in &vi.other_meetings {
            let t = &m.meeting;
            out.push_str(&format!(
                "<li>veto of {}{}: Assembly meeting {}{} (event {})</li>\n",
                Esc(m.follows.date),
                m.follows
                    .draft
                    .map_or(String::new(), |d| format!(" on {}", Esc(d))),
                t.date
                    .map_or("with no recorded date".to_string(), |d| format!(
                        "on {}",
                        Esc(d)
                    )),
                t.count.as_ref().map_or(String::new(), |c| format!(
                    ", {} working days{} later{}",
                    c.working_days,
                    if c.complete { "" } else { "*" },
                    match t.check {
                        MeetingCheck::Held => ": within the limit",
                        MeetingCheck::Missed => ": beyond the limit",
                        MeetingCheck::MissedUnlessUnrecordedHolidays => {
                            ": beyond the limit by the recorded calendar, which is incomplete for that period"
                        }
                        MeetingCheck::Undated | MeetingCheck::NotJudged => "",
                    }
                )),
                Esc(t.seq)
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

pub(super) fn status_class(s: VetoStatus) -> &'static str {
    match s {
        VetoStatus::RuleNotInForce => "before",
        VetoStatus::Held => "held",
        VetoStatus::Missed | VetoStatus::MissedUnlessUnrecordedHolidays => "missed",
        VetoStatus::MeetingUndated => "undated",
        VetoStatus::WindowOpen => "open",
        VetoStatus::NoMeetingRecorded => "none",
    }
}
