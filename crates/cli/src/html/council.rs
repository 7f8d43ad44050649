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
    out.push_str("</tbody>\n</table>\n</section>\n");
}
