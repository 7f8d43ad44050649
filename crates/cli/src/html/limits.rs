//! Section 6: what the record does not cover.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn limits_section(out: &mut String, p: &Page) {
    let sup = &p.supporters;
    let listed = sup
        .supporters
        .iter()
        .filter(|s| s.precision == Precision::ListedBy)
        .count();
    let vi = &p.veto_initiative;
    let undated = p.totals.undated_meetings;
    let assessed = p.totals.assessed_votes;
    out.push_str("<section id=\"limits\" aria-labelledby=\"h-limits\">\n");
    out.push_str("<h2 id=\"h-limits\"><span class=\"num\">6</span> What the record does not cover</h2>\n<ul>\n");
    out.push_str(&format!(
        "<li>The record holds what was recorded, no more. {} are recorded; if the depositary's \
         official list is longer, the missing states are simply not in this ledger \
         (<code>actledger supporters diff LIST.csv</code> compares the two).</li>\n",
        plural(sup.count, "supporter", "supporters")
    ));
    if listed > 0 {
        out.push_str(&format!(
            "<li>For {} the adherence date is only an upper bound (“listed by”).</li>\n",
            plural(listed, "supporter", "supporters")
        ));
    }
    if undated > 0 {
        out.push_str(&format!(
            "<li>{} no recorded date, so whether the rule held after those vetoes cannot be said.</li>\n",
            plural(undated, "Assembly meeting has", "Assembly meetings have")
        ));
    }
    if vi.other_meetings.iter().any(|m| m.follows.draft.is_none()) {
        out.push_str("<li>Vetoes of amendments without a draft symbol are not recorded as votes (the ledger records per-member votes on drafts).</li>\n");
    }
    out.push_str(&format!("<li>{}</li>\n", calendar_sentence(vi)));
    if assessed == 0 {
        out.push_str("<li>No credibility assessment is recorded under the policy used, so no vote can be a breach yet: a supporter's vote against a draft is reported as <em>needs assessment</em>.</li>\n");
    }
    out.push_str("</ul>\n</section>\n");
}
