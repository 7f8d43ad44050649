//! Section 1: the supporter list (chart and table), and the one cell that shows a standing.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn supporters_section(out: &mut String, p: &Page) {
    let sup = &p.supporters;
    let exact = sup
        .supporters
        .iter()
        .filter(|s| s.precision == Precision::Exact)
        .count();
    out.push_str("<section id=\"supporters\" aria-labelledby=\"h-supporters\">\n");
    out.push_str(
        "<h2 id=\"h-supporters\"><span class=\"num\">1</span> Supporters of the Code</h2>\n",
    );
    out.push_str(&format!(
        "<p>The ledger records <strong>{}</strong>. For {} the date of the letter itself is known; \
         for {} a source only shows that the state was listed as a supporter <em>by</em> a date, \
         so it may have joined earlier. The line below therefore never overstates: the true count \
         on any day is at least what it shows.</p>\n",
        plural(sup.count, "supporter", "supporters"),
        plural(exact, "state", "states"),
        plural(sup.count - exact, "state", "states"),
    ));
    if let Some(c) = &sup.coverage {
        out.push_str(&format!(
            "<p class=\"note\" id=\"supporters-coverage\">{}</p>\n",
            Esc(&c.words)
        ));
    }
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&charts::supporter_chart(sup, reference_day(p)));
    out.push_str(&format!(
        "<figcaption><span class=\"key\">{} letter with an exact date</span> \
         <span class=\"key\">{} listed as a supporter by this date (upper bound)</span> \
         Supporters recorded, cumulative, by date of adherence.</figcaption>\n",
        charts::legend_marker(true),
        charts::legend_marker(false)
    ));
    out.push_str("</figure>\n");

    // Sources as numbered notes: the same few sources cite most letters.
    let mut sources: Vec<&str> = Vec::new();
    for s in &sup.supporters {
        if !s.source.as_str().is_empty() && !sources.contains(&s.source.as_str()) {
            sources.push(s.source.as_str());
        }
    }
    out.push_str("<table class=\"data\" id=\"supporters-table\">\n");
    out.push_str(&format!(
        "<caption>The {} supporters recorded, by state code</caption>\n",
        sup.count
    ));
    out.push_str(
        "<thead><tr><th scope=\"col\">State</th><th scope=\"col\">Name</th>\
         <th scope=\"col\">Adhered</th><th scope=\"col\">Date precision</th>\
         <th scope=\"col\">Instrument</th><th scope=\"col\">Source</th>\
         <th scope=\"col\" class=\"r\">Event</th></tr></thead>\n<tbody>\n",
    );
    for s in &sup.supporters {
        let src = sources
            .iter()
            .position(|x| *x == s.source.as_str())
            .map_or(String::new(), |i| {
                format!("<a href=\"#source-{n}\">[{n}]</a>", n = i + 1)
            });
        let mut inst = escape(s.instrument.name());
        if !s.reference.as_str().is_empty() {
            inst.push_str(&format!(" {}", Esc(&s.reference)));
        }
        if let Some(r) = s.received {
            inst.push_str(&format!(", received {}", Esc(r)));
        }
        out.push_str(&format!(
            "<tr><th scope=\"row\" class=\"mono\">{}</th><td>{}</td><td class=\"date\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            Esc(s.state),
            Esc(&s.name),
            Esc(s.date),
            precision_label(s.precision),
            inst,
            src,
            Esc(seq_ref(s.seq, &s.corrections)),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    if !sources.is_empty() {
        out.push_str("<h3 id=\"h-sources\">Sources</h3>\n<ol class=\"sources\" aria-labelledby=\"h-sources\">\n");
        for (i, s) in sources.iter().enumerate() {
            out.push_str(&format!(
                "<li id=\"source-{}\">{}</li>\n",
                i + 1,
                linkify(s)
            ));
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");
}

pub(super) fn standing_cell(s: &Standing) -> String {
    match s {
        Standing::Supporter { adherence } => format!(
            "<strong>bound</strong>: {}{}",
            Esc(adherence.describe()),
            match adherence.precision {
                Precision::Exact => " (exact date)",
                Precision::ListedBy => " (upper bound)",
            }
        ),
        Standing::AdheredLater { adherence } => {
            format!("not yet bound: {}", Esc(adherence.describe()))
        }
        Standing::ListedLater { .. }
        | Standing::NoAdherenceRecorded
        | Standing::NotASupporter { .. } => Esc(s.label()).to_string(),
    }
}
