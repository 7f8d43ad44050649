//! Compliance: who is bound on the day, abstentions, assessments, corrections and trust policies.

use super::*;

#[test]
fn adherence_after_the_vote_does_not_bind() {
    let w = world();
    let r = report(
        &w.ledger.view(Cutoff::default()),
        &TrustPolicy::AllAssessors,
        None,
    );
    // S/2022/100 is assessed credible; Ghana adhered after it (exact date: not bound), Kenya is
    // listed only after it (it may have adhered before: a possible breach, issue 17 item 8).
    let k = kinds(&r, "S/2022/100");
    assert!(k.contains(&("GHA".into(), FindingKind::NotBound)), "{k:?}");
    assert!(
        k.contains(&("KEN".into(), FindingKind::PossibleBreach)),
        "{k:?}"
    );
    assert!(k.contains(&("ALB".into(), FindingKind::Abstained)), "{k:?}");
    assert!(!k.iter().any(|(_, f)| *f == FindingKind::Breach));
    let f = r.findings().find(|f| f.state == st("KEN")).unwrap();
    assert!(!f.bound);
    assert!(
        f.basis.contains("listed as a supporter only by 2022-12-31"),
        "{}",
        f.basis
    );
    assert!(f.basis.contains("adherence date unknown"), "{}", f.basis);
    let f = r
        .findings()
        .find(|f| f.state == st("GHA") && f.draft.to_string() == "S/2022/100")
        .unwrap();
    assert!(f.basis.contains("adhered on 2022-06-15"), "{}", f.basis);
    // The same Ghana, bound by October, is judged on S/2022/600.
    assert!(kinds(&r, "S/2022/600").iter().any(|(s, _)| s == "GHA"));
}

#[test]
fn abstaining_supporter_is_never_in_breach() {
    let w = world();
    let view = w.ledger.view(Cutoff::default());
    for policy in [
        TrustPolicy::AllAssessors,
        TrustPolicy::Only([assessor(0)].into()),
        TrustPolicy::Only([assessor(1)].into()),
        TrustPolicy::Only(BTreeSet::new()),
    ] {
        let r = report(&view, &policy, None);
        for f in r.findings().filter(|f| f.vote == Vote::Abstain) {
            // Reported apart when nobody (trusted) assessed the draft, never as a breach.
            let expected = if f.verdict == Verdict::Unassessed {
                FindingKind::AbstainedUnassessed
            } else {
                FindingKind::Abstained
            };
            assert_eq!(f.kind, expected, "{f:?}");
        }
        assert!(r
            .findings()
            .filter(|f| f.kind == FindingKind::Breach)
            .all(|f| f.vote == Vote::No));
    }
}

#[test]
fn needs_assessment_and_findings_cite_events() {
    let w = world();
    let r = report(
        &w.ledger.view(Cutoff::default()),
        &TrustPolicy::AllAssessors,
        None,
    );
    assert_eq!(
        kinds(&r, "S/2022/700"),
        [("IRL".into(), FindingKind::NeedsAssessment)]
    );
    let f = r
        .findings()
        .find(|f| f.kind == FindingKind::NeedsAssessment)
        .unwrap();
    assert!(f.assessments.is_empty());
    assert_eq!(f.policy.kind, PolicyKind::AllAssessors);
    assert_eq!(
        f.policy.keys,
        vec![assessor(0), assessor(1)]
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    assert!(f.basis.contains("needs assessment"));
}

#[test]
fn correction_of_a_vote_changes_the_finding() {
    let w = world();
    // Before the correction: Ireland voted no on a credible draft.
    let r = report(
        &w.ledger.view(before(w.breach_correction)),
        &TrustPolicy::AllAssessors,
        None,
    );
    let k = kinds(&r, "S/2022/800");
    assert!(k.contains(&("IRL".into(), FindingKind::Breach)), "{k:?}");
    let f = r
        .findings()
        .find(|f| f.kind == FindingKind::Breach && f.state == st("IRL"))
        .unwrap();
    assert_eq!(
        (f.vote_seq, f.assessments.clone()),
        (w.v_breach, vec![w.a_breach])
    );
    assert!(f.vote_corrections.is_empty());
    assert_eq!(f.adherence.precision, Precision::Exact);
    // After it: an abstention, permitted.
    let r = report(
        &w.ledger.view(Cutoff::default()),
        &TrustPolicy::AllAssessors,
        None,
    );
    assert_eq!(
        kinds(&r, "S/2022/800"),
        [
            ("GAB".into(), FindingKind::Abstained),
            ("IRL".into(), FindingKind::Abstained)
        ]
    );
    let f = r
        .findings()
        .find(|f| f.state == st("IRL") && f.draft.to_string() == "S/2022/800")
        .unwrap();
    assert_eq!(f.vote_corrections, vec![w.breach_correction]);
}

#[test]
fn conflicting_assessments_and_trust_policy() {
    let w = world();
    // As it stood before assessor B revised its judgement: A says credible, B not.
    let view = w.ledger.view(before(w.a1_revision));
    let r = report(&view, &TrustPolicy::AllAssessors, None);
    let k = kinds(&r, "S/2022/600");
    assert_eq!(
        k,
        [
            ("GHA".into(), FindingKind::Conflict),
            ("IRL".into(), FindingKind::Conflict),
            ("MEX".into(), FindingKind::Conflict),
            ("NOR".into(), FindingKind::Conflict),
        ]
    );
    let f = r
        .findings()
        .find(|f| f.kind == FindingKind::Conflict)
        .unwrap();
    assert_eq!(f.vote_seq, w.v_conflict);
    assert_eq!(f.assessments, w.a_conflict.to_vec());
    assert!(f.basis.contains("disagree"), "{}", f.basis);
    // Trusting only A: breaches. Only B: negative votes on a draft not credible.
    let r = report(
        &view,
        &TrustPolicy::Only([assessor(0)].into()),
        Some(&["MEX"]),
    );
    assert_eq!(
        kinds(&r, "S/2022/600"),
        [("MEX".into(), FindingKind::Breach)]
    );
    let f = r.findings().next().unwrap();
    assert_eq!(f.assessments, vec![w.a_conflict[0]]);
    assert_eq!(
        (f.policy.kind, f.policy.keys.clone()),
        (PolicyKind::Explicit, vec![assessor(0)])
    );
    assert_eq!(
        r.votes
            .iter()
            .find(|v| v.draft.to_string() == "S/2022/600")
            .unwrap()
            .credibility
            .untrusted,
        vec![w.a_conflict[1]]
    );
    let r = report(
        &view,
        &TrustPolicy::Only([assessor(1)].into()),
        Some(&["MEX"]),
    );
    assert_eq!(
        kinds(&r, "S/2022/600"),
        [("MEX".into(), FindingKind::VotedNoNotCredible)]
    );
    // Trusting nobody: needs assessment.
    let r = report(&view, &TrustPolicy::Only(BTreeSet::new()), Some(&["MEX"]));
    assert_eq!(
        kinds(&r, "S/2022/600"),
        [("MEX".into(), FindingKind::NeedsAssessment)]
    );
    // After B's revision both say credible: breaches, citing the revision.
    let view = w.ledger.view(Cutoff::default());
    let r = report(&view, &TrustPolicy::AllAssessors, Some(&["NOR"]));
    assert_eq!(
        kinds(&r, "S/2022/600"),
        [("NOR".into(), FindingKind::Breach)]
    );
    let cred = &r
        .votes
        .iter()
        .find(|v| v.draft.to_string() == "S/2022/600")
        .unwrap()
        .credibility;
    assert_eq!(cred.verdict, Verdict::Credible);
    assert_eq!(cred.trusted[1].corrections, vec![w.a1_revision]);
    let f = r.findings().next().unwrap();
    assert_eq!(f.adherence.precision, Precision::ListedBy);
    assert!(
        f.basis.contains("listed as a supporter by 2015-09-01"),
        "{}",
        f.basis
    );
    let all = credibility_report(&view, &TrustPolicy::AllAssessors.resolve(&view));
    assert_eq!(all.drafts.len(), 10);
}

#[test]
fn as_of_takes_assessments_as_recorded_by_then() {
    let w = world();
    // Everything was recorded on 2023-01-10; B's revision on 2023-03-01.
    let r = report(
        &w.ledger.view(as_of("2023-02-01")),
        &TrustPolicy::AllAssessors,
        Some(&["MEX"]),
    );
    assert_eq!(
        kinds(&r, "S/2022/600"),
        [("MEX".into(), FindingKind::Conflict)]
    );
    let r = report(
        &w.ledger.view(as_of("2023-03-01")),
        &TrustPolicy::AllAssessors,
        Some(&["MEX"]),
    );
    assert_eq!(
        kinds(&r, "S/2022/600"),
        [("MEX".into(), FindingKind::Breach)]
    );
    // Before any assessment was recorded: nothing assessed.
    let r = report(
        &w.ledger.view(as_of("2023-01-09")),
        &TrustPolicy::AllAssessors,
        Some(&["MEX"]),
    );
    assert_eq!(
        kinds(&r, "S/2022/600"),
        [("MEX".into(), FindingKind::NeedsAssessment)]
    );
    // Votes after as_of are not in the view; Ghana's adherence neither.
    let r = report(
        &w.ledger.view(as_of("2022-06-01")),
        &TrustPolicy::AllAssessors,
        None,
    );
    assert!(r.votes.iter().all(|v| v.date <= d("2022-06-01")));
    let k = kinds(&r, "S/2022/100");
    assert!(!k.iter().any(|(s, _)| s == "GHA" || s == "KEN"), "{k:?}");
}
