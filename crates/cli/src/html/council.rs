//! Section 2: the Council on the page's reference day, and its voting math (Charter Art. 27(3)).

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn council_section(out: &mut String, p: &Page) {
    out.push_str("<section id=\"council\" aria-labelledby=\"h-council\">\n");
    out.push_str("<h2 id=\"h-council\"><span class=\"num\">2</span> The Security Council</h2>\n");
    let Some(c) = &p.council else {
        out.push_str("<p>No Council term is recorded.</p>\n</section>\n");
        return;
    };
    out.push_str(&format!(
        "<p>On <strong>{}</strong>, {} of the {} members recorded were bound by the Code{}. \
         A supporter is bound from its adherence; a state only <em>listed by</em> a later date \
         is not counted as bound.</p>\n",
        long_date(c.date),
        c.supporters,
        c.count,
        if c.complete {
            ""
        } else {
            " (the recorded Council is incomplete)"
        }
    ));
    out.push_str("<table class=\"data\" id=\"council-table\">\n");
    out.push_str(&format!(
        "<caption>Members of the Security Council on {}</caption>\n",
        Esc(c.date)
    ));
    out.push_str(
        "<thead><tr><th scope=\"col\">State</th><th scope=\"col\">Name</th><th scope=\"col\">Seat</th>\
         <th scope=\"col\">Term</th><th scope=\"col\">ACT Code on that day</th>\
         <th scope=\"col\" class=\"r\">Event</th></tr></thead>\n<tbody>\n",
    );
    for m in &c.members {
        out.push_str(&format!(
            "<tr><th scope=\"row\" class=\"mono\">{}</th><td>{}</td><td>{}</td><td class=\"date\">{} &ndash; {}</td><td>{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            Esc(m.state),
            Esc(&m.name),
            match m.seat {
                Seat::Permanent => "permanent",
                Seat::Elected => "elected",
            },
            Esc(m.from),
            Esc(m.to),
            standing_cell(&m.standing),
            Esc(seq_ref(m.term_seq, &m.term_corrections)),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    voting_math(out, p);
    out.push_str("</section>\n");
}

/// The voting math of the Council's day: the words of `core::projection::outlook`, which
/// `actledger outlook` prints too.
fn voting_math(out: &mut String, p: &Page) {
    let Some(o) = &p.outlook else {
        return;
    };
    out.push_str(&format!(
        "<h3 id=\"voting-math\">Voting math on {} (Charter Art. 27(3))</h3>\n",
        Esc(o.date)
    ));
    out.push_str(&format!(
        "<p>A non-procedural draft needs {} votes in favour and no negative vote by a permanent member. \
         A supporter of the Code may abstain, but not vote against a credible draft.</p>\n",
        actledger_core::projection::outlook::VOTES_NEEDED
    ));
    out.push_str(&format!(
        "<p class=\"{}\" id=\"list-coverage\">{}</p>\n",
        if o.coverage.attested.is_some() {
            "note attested"
        } else {
            "note partial"
        },
        Esc(&o.coverage.words)
    ));
    out.push_str("<ul class=\"voting-math\">\n");
    for w in &o.math.words {
        out.push_str(&format!("<li>{}</li>\n", Esc(w)));
    }
    out.push_str("</ul>\n");
    for n in &o.notes {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", Esc(n)));
    }
}
