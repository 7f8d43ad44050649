//! The masthead: what the Code is, the key figures, the basis of the page, its contents.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn masthead(out: &mut String, p: &Page) {
    let sup = &p.supporters;
    let vi = &p.veto_initiative;
    let judged = p.totals.judged_vetoes;
    let c = &p.compliance.counts;

    out.push_str("<header class=\"masthead\">\n");
    out.push_str(&format!(
        "<p class=\"kicker\">Public record &middot; ledger <span class=\"mono\">{}</span></p>\n",
        Esc(&p.origin)
    ));
    out.push_str("<h1>The ACT Code of Conduct on Mass Atrocities: the record</h1>\n");
    out.push_str(
        "<p class=\"lede\">In October 2015 the Accountability, Coherence and Transparency (ACT) group of \
         states launched a Code of Conduct. A state that supports it pledges not to vote against a \
         <em>credible</em> draft resolution of the UN Security Council aimed at preventing or ending \
         genocide, crimes against humanity or war crimes. A state joins by a letter to the Permanent \
         Mission of Liechtenstein in New York, which keeps the list; there is no withdrawal. Abstaining \
         is allowed: only a vote <em>against</em> breaks the pledge. Since General Assembly resolution \
         76/262 (26 April 2022), every veto in the Council must be followed by a General Assembly \
         meeting within ten working days.</p>\n",
    );
    out.push_str(
        "<p>This page is generated from a tamper-evident ledger. Every fact on it (an adherence \
         letter, a Council term, a vote, an Assembly meeting, a holiday calendar) is an event signed \
         by the key of the office that recorded it and chained by SHA-256 to every event before it, \
         so no entry can be changed or removed without the change showing. Nothing here is typed \
         in by hand: vote outcomes are computed from the members' votes (UN Charter Art. 27), \
         working days from the recorded calendar, findings from the recorded votes and \
         assessments. <a href=\"#integrity\">Section 7</a> gives the fingerprint of the record and \
         the commands that check it.</p>\n",
    );
    if !p.description.is_empty() {
        out.push_str(&format!(
            "<p class=\"note\">Ledger description: {}</p>\n",
            Esc(&p.description)
        ));
    }

    // Key figures.
    out.push_str("<ul class=\"figures\" aria-label=\"Key figures\">\n");
    let fig = |out: &mut String, n: String, label: String| {
        out.push_str(&format!(
            "<li><span class=\"n\">{n}</span> <span class=\"l\">{label}</span></li>\n"
        ));
    };
    fig(
        out,
        sup.count.to_string(),
        "supporters recorded".to_string(),
    );
    let span = match p.totals.veto_years {
        Some((a, b)) if a != b => format!(", {a}&ndash;{b}"),
        Some((a, _)) => format!(", {a}"),
        None => String::new(),
    };
    fig(
        out,
        p.totals.vetoes.to_string(),
        format!("vetoes recorded{span}"),
    );
    fig(
        out,
        format!("{}<small>/{judged}</small>", vi.counts.held),
        "vetoes since April 2022 followed by an Assembly meeting within 10 working days"
            .to_string(),
    );
    fig(
        out,
        c.breach.to_string(),
        format!(
            "breaches found ({} needing assessment, {} permitted abstentions)",
            c.needs_assessment, c.abstained
        ),
    );
    out.push_str("</ul>\n");

    // Basis.
    out.push_str("<dl class=\"basis\">\n");
    out.push_str(&format!(
        "<dt>Record</dt><dd><span class=\"mono\">{}</span>: {} events",
        Esc(&p.origin),
        p.head.events
    ));
    if let Some(t) = &p.head.last_recorded {
        out.push_str(&format!(", the last recorded {}", Esc(t)));
    }
    out.push_str("</dd>\n");
    out.push_str(&format!(
        "<dt>Fingerprint</dt><dd><span class=\"mono hash\">{}</span> <span class=\"muted\">(SHA-256 of the last event; <a href=\"#integrity\">how to check</a>)</span></dd>\n",
        Esc(&p.head.hash)
    ));
    let mut cut = Vec::new();
    if let Some(d) = p.as_of {
        cut.push(format!("facts dated on or before {}", Esc(d)));
    }
    if let Some(c) = &p.cut {
        cut.push(format!(
            "the log as it stood at event {} (hash <span class=\"mono hash\">{}</span>)",
            c.seq,
            Esc(&c.hash)
        ));
    } else if let Some(s) = p.at_seq {
        cut.push(format!("the log up to event {s}"));
    }
    if !cut.is_empty() {
        out.push_str(&format!(
            "<dt>Cut-off</dt><dd>This page shows {}.</dd>\n",
            cut.join("; ")
        ));
    }
    if let Some(d) = reference_day(p) {
        out.push_str(&format!(
            "<dt>Reference day</dt><dd>{} <span class=\"muted\">(“today” for this page: {})</span></dd>\n",
            Esc(d),
            if p.as_of.is_some() {
                "the cut-off date"
            } else {
                "the day the last event was recorded"
            }
        ));
    }
    out.push_str("</dl>\n");

    out.push_str("<nav aria-label=\"Contents\"><ol>\n");
    for (id, title) in [
        ("supporters", "Supporters"),
        ("council", "The Council"),
        ("vetoes", "Vetoes"),
        ("veto-initiative", "The veto initiative"),
        ("compliance", "Compliance"),
        ("limits", "What the record does not cover"),
        ("integrity", "Proof of integrity"),
    ] {
        out.push_str(&format!("<li><a href=\"#{id}\">{title}</a></li>\n"));
    }
    out.push_str("</ol></nav>\n</header>\n");
}
