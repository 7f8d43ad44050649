//! Section 5: compliance findings under the trust policy.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn finding_label(k: FindingKind) -> &'static str {
    match k {
        FindingKind::Breach => "BREACH: voted no on a draft judged credible",
        FindingKind::Abstained => "abstained (permitted)",
        FindingKind::NeedsAssessment => "needs assessment: voted no, draft not assessed",
        FindingKind::Conflict => "conflict: the assessors disagree",
        FindingKind::VotedNoNotCredible => "voted no; draft judged not credible",
        FindingKind::NotBound => "not bound: voted no before adhering",
        FindingKind::PossibleBreach => {
            "possible breach: voted no on a draft judged credible, adherence date unknown"
        }
        FindingKind::AbstainedUnassessed => "abstained on a draft nobody assessed (permitted)",
    }
}

pub(super) fn vote_label(v: Vote) -> &'static str {
    match v {
        Vote::Yes => "yes",
        Vote::No => "no",
        Vote::Abstain => "abstain",
        Vote::Absent => "did not vote",
    }
}

pub(super) fn compliance_section(out: &mut String, p: &Page) {
    let r = &p.compliance;
    let c = &r.counts;
    out.push_str("<section id=\"compliance\" aria-labelledby=\"h-compliance\">\n");
    out.push_str("<h2 id=\"h-compliance\"><span class=\"num\">5</span> Compliance: how supporters on the Council voted</h2>\n");
    out.push_str(
        "<p>For every recorded vote, each supporter bound by the Code that day is checked. \
         Whether a draft was <em>credible</em> is deliberately not defined by the Code: the ledger \
         records <em>assessments</em> by assessor keys, each citing UN documents, and a vote \
         against is a breach only when the trusted assessors judged the draft credible. A vote \
         against a draft nobody assessed is listed as <em>needs assessment</em>, never as a \
         breach.</p>\n",
    );
    let policy = match r.policy.kind {
        PolicyKind::AllAssessors => "every assessor key in the ledger",
        PolicyKind::Explicit => "only the assessor keys named on the command line (--trust)",
    };
    out.push_str(&format!(
        "<p><strong>Policy used:</strong> trust {policy} ({}).</p>\n",
        plural(r.policy.keys.len(), "key", "keys")
    ));
    if !r.policy.keys.is_empty() {
        out.push_str("<ul class=\"keys\">\n");
        for k in &r.policy.keys {
            out.push_str(&format!(
                "<li><span class=\"mono hash\">{}</span>{}{}{}</li>\n",
                Esc(k.key.to_hex()),
                k.holder
                    .as_ref()
                    .map_or(String::new(), |h| format!(", held by {}", Esc(h))),
                k.granted
                    .map_or(String::new(), |s| format!(", granted at event {}", Esc(s))),
                k.revoked
                    .map_or(String::new(), |s| format!(", revoked at event {}", Esc(s)))
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str(&format!(
        "<p>{} of the {} recorded votes are on drafts the trusted assessors assessed.</p>\n",
        p.totals.assessed_votes, p.totals.votes
    ));
    out.push_str("<table class=\"data counts\" id=\"compliance-counts\">\n<caption>Findings by kind</caption>\n");
    out.push_str("<thead><tr><th scope=\"col\">Finding</th><th scope=\"col\" class=\"r\">Count</th></tr></thead>\n<tbody>\n");
    for (k, n) in [
        (FindingKind::Breach, c.breach),
        (FindingKind::PossibleBreach, c.possible_breach),
        (FindingKind::Conflict, c.conflict),
        (FindingKind::NeedsAssessment, c.needs_assessment),
        (FindingKind::VotedNoNotCredible, c.voted_no_not_credible),
        (FindingKind::NotBound, c.not_bound),
        (FindingKind::Abstained, c.abstained),
        (FindingKind::AbstainedUnassessed, c.abstained_unassessed),
    ] {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td class=\"r\">{n}</td></tr>\n",
            finding_label(k)
        ));
    }
    out.push_str("</tbody>\n</table>\n");

    let findings: Vec<_> = r.findings().collect();
    out.push_str("<table class=\"data\" id=\"compliance-table\">\n");
    out.push_str("<caption>Every finding, by date of the vote</caption>\n");
    out.push_str(
        "<thead><tr><th scope=\"col\">Vote</th><th scope=\"col\">Draft</th><th scope=\"col\">State</th>\
         <th scope=\"col\">Voted</th><th scope=\"col\">Finding</th><th scope=\"col\">Credibility</th>\
         <th scope=\"col\">Why</th><th scope=\"col\" class=\"r\">Events</th></tr></thead>\n<tbody>\n",
    );
    if findings.is_empty() {
        out.push_str("<tr><td colspan=\"8\">No finding: no supporter bound by the Code voted against or abstained on a recorded draft.</td></tr>\n");
    }
    for f in &findings {
        let mut seqs = vec![f.vote_seq.to_string(), f.adherence.seq.to_string()];
        seqs.extend(f.assessments.iter().map(|s| s.to_string()));
        out.push_str(&format!(
            "<tr class=\"f-{}\"><td class=\"date\">{}</td><td class=\"mono nowrap\">{}</td><th scope=\"row\" class=\"mono\">{}</th><td>{}</td><td>{}</td><td>{}</td><td class=\"why\">{}</td><td class=\"r mono seq\">{}</td></tr>\n",
            f.kind.name(),
            Esc(f.date),
            Esc(f.draft),
            Esc(f.state),
            vote_label(f.vote),
            finding_label(f.kind),
            f.verdict.name(),
            Esc(&f.basis),
            Esc(seqs.join(", ")),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(&shown_note(
        p,
        findings.len(),
        p.totals.findings,
        "findings (breaches, possible breaches and conflicts first, then the most recent)",
        &["findings", "compliance"],
    ));
    out.push_str("</section>\n");
}
