//! Determinism, streaming and cut-offs of the replay; its throughput (ignored: timing).

use super::*;

#[test]
fn replay_is_deterministic() {
    let w = world();
    let render = |view: &View| {
        let policy = TrustPolicy::AllAssessors.resolve(view);
        [
            format!("{view:?}"),
            serde_json::to_string(&supporters(view)).unwrap(),
            serde_json::to_string(&council_on(view, d("2022-05-10"))).unwrap(),
            serde_json::to_string(&vote_outcomes(view)).unwrap(),
            serde_json::to_string(&compliance(view, &policy, None)).unwrap(),
            serde_json::to_string(&veto_initiative(view, None).unwrap()).unwrap(),
            serde_json::to_string(&scorecard(view, &policy, None)).unwrap(),
        ]
    };
    let a = render(&w.ledger.view(Cutoff::default()));
    let b = render(&replay(w.ledger.events.clone(), Cutoff::default()));
    assert_eq!(a, b);
    // And a second, independently built ledger gives the same bytes.
    let again = world();
    assert_eq!(a, render(&again.ledger.view(Cutoff::default())));
    // Results read back.
    let back: ComplianceReport = serde_json::from_str(&a[4]).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), a[4]);
}

/// Writing a large report vote by vote: the summary (with its counts) and the votes computed
/// one at a time are exactly the report, with and without a state filter.
#[test]
fn the_compliance_report_streamed_is_the_report() {
    use actledger_core::projection::{compliance_summary, compliance_votes};
    let w = world();
    let view = w.ledger.view(Cutoff::default());
    let policy = TrustPolicy::AllAssessors.resolve(&view);
    let filters: [Option<BTreeSet<StateCode>>; 3] = [
        None,
        Some([st("FRA"), st("GBR")].into_iter().collect()),
        Some([st("NOR")].into_iter().collect()),
    ];
    for states in filters {
        let whole = compliance(&view, &policy, states.as_ref());
        let (mut summary, n) = compliance_summary(&view, &policy, states.as_ref(), |_| {});
        assert_eq!(n, whole.votes.len());
        assert_eq!(summary.counts, whole.counts);
        summary.votes = compliance_votes(&view, &policy, states.as_ref()).collect();
        assert_eq!(summary, whole, "{states:?}");
    }
    let all = compliance(&view, &policy, None);
    assert!(all.votes.len() > 1 && all.findings().count() > 0);
}

#[test]
fn streaming_replay_stops_at_the_cutoff() {
    let w = world();
    let mut r = actledger_core::projection::Replay::new(before(w.v_conflict));
    let mut pushed = 0;
    for (seq, e) in &w.ledger.events {
        if r.is_done() {
            break;
        }
        r.push_ref(*seq, e);
        pushed += 1;
    }
    assert_eq!(pushed, w.v_conflict.0);
    let view = r.finish();
    assert!(!view.votes().contains_key(&"S/2022/600".parse().unwrap()));
    assert!(view.unmatched_corrections().is_empty());
}

// Run with `cargo test --release -p actledger-core --test projections -- --ignored --nocapture`:
// replay without signature checks, the target is over a million events a second.
#[test]
#[ignore = "timing; run in release"]
fn replay_throughput() {
    use actledger_core::types::{EventHash, Signature};
    let w = world();
    let template = w.ledger.events[w.v_conflict.0 as usize].1.clone();
    let EventBody::Fact(Fact::CouncilVote(vote)) = &template.unsigned.body else {
        panic!("not a vote")
    };
    let n: u64 = 1_000_000;
    let events: Vec<(Seq, Event)> = (0..n)
        .map(|i| {
            let mut v = vote.clone();
            v.draft = actledger_core::DraftSymbol::new(
                1946 + (i / 99_999) as u16,
                (i % 99_999) as u32 + 1,
            )
            .unwrap();
            let body = if i % 10 == 9 {
                EventBody::Correction(Correction {
                    target: Seq(i - 1),
                    reason: text("fix"),
                    replacement: Fact::CouncilVote(vote.clone()),
                })
            } else {
                EventBody::Fact(Fact::CouncilVote(v))
            };
            let event = Event {
                unsigned: UnsignedEvent {
                    version: FORMAT_VERSION,
                    seq: Seq(i),
                    prev: EventHash::ZERO,
                    recorded_at: template.unsigned.recorded_at,
                    author: template.unsigned.author,
                    body,
                },
                signature: Signature([0; 64]),
            };
            (Seq(i), event)
        })
        .collect();
    let start = std::time::Instant::now();
    let mut r = actledger_core::projection::Replay::with_capacity(Cutoff::default(), events.len());
    for (seq, e) in events {
        r.push(seq, e);
    }
    let pushed = start.elapsed().as_secs_f64();
    let view = r.finish();
    let secs = start.elapsed().as_secs_f64();
    eprintln!("push {pushed:.3} s, finish {:.3} s", secs - pushed);
    eprintln!(
        "replayed {n} events in {secs:.3} s: {:.0} events/s ({} votes kept)",
        n as f64 / secs,
        view.votes().len()
    );
}
