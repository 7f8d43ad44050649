//! The scorecard for candidates to the Council.

use super::*;

#[test]
fn scorecard_for_candidates() {
    let w = world();
    let view = w.ledger.view(Cutoff::default());
    let policy = TrustPolicy::AllAssessors.resolve(&view);
    let set: BTreeSet<StateCode> = ["IRL", "RUS", "KEN", "DEU"].iter().map(|s| st(s)).collect();
    let card = scorecard(&view, &policy, Some(&set));
    assert_eq!(card.reference_date, Some(d("2023-03-01")));
    let get = |code: &str| card.states.iter().find(|c| c.state == st(code)).unwrap();

    let irl = get("IRL");
    assert_eq!(irl.supporter.as_ref().unwrap().date, d("2015-10-23"));
    assert_eq!(irl.terms.len(), 1);
    assert_eq!(irl.terms[0].status, TermStatus::Past);
    assert!(!irl.on_council);
    let drafts: Vec<(String, Vote, Verdict)> = irl
        .assessed_votes
        .iter()
        .map(|v| (v.draft.to_string(), v.vote, v.verdict))
        .collect();
    assert_eq!(
        drafts,
        [
            ("S/2022/100".into(), Vote::Yes, Verdict::Credible),
            ("S/2022/600".into(), Vote::No, Verdict::Credible),
            ("S/2022/800".into(), Vote::Abstain, Verdict::Credible),
        ]
    );
    assert_eq!(irl.breaches.len(), 1);
    assert_eq!(irl.breaches[0].draft.to_string(), "S/2022/600");
    assert_eq!(irl.vetoes_cast, None);

    let rus = get("RUS");
    assert!(rus.permanent_member && rus.on_council);
    assert_eq!(rus.supporter, None);
    let vetoes: Vec<String> = rus
        .vetoes_cast
        .as_ref()
        .unwrap()
        .iter()
        .map(|v| v.draft.to_string())
        .collect();
    assert_eq!(
        vetoes,
        [
            "S/2017/400",
            "S/2022/100",
            "S/2022/200",
            "S/2022/300",
            "S/2022/900",
            "S/2022/950"
        ]
    );

    let ken = get("KEN");
    assert_eq!(
        ken.supporter.as_ref().unwrap().precision,
        Precision::ListedBy
    );
    assert!(ken.breaches.is_empty());
    assert_eq!(
        ken.assessed_votes[0].finding,
        Some(FindingKind::PossibleBreach)
    );
    assert_eq!(ken.possible_breaches.len(), 1);

    let deu = get("DEU");
    assert!(deu.terms.is_empty() && deu.assessed_votes.is_empty() && deu.supporter.is_none());

    // Default: every supporter and every member on the reference date.
    let all = scorecard(&view, &policy, None);
    assert_eq!(all.states.len(), 10 + 3, "10 supporters + CHN, RUS, USA");
}
