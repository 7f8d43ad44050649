//! Projections over hand-built ledgers of real signed events, each admitted by the
//! [`Verifier`] (signatures, chain and rules), so every scenario is one the ledger accepts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use actledger_core::chain::seal;
use actledger_core::event::{
    AdherenceDate, AdherenceLetter, AssemblyMeeting, AtrocityCrime, Correction, CouncilTerm,
    CouncilVote, CredibilityAssessment, EventBody, Fact, Holiday, HolidayCalendar, Instrument,
    KeyGranted, LedgerCreated, MeetingFormat, MemberVote, Role, Seat, UnsignedEvent, VetoRef, Vote,
    FORMAT_VERSION,
};
use actledger_core::outcome::Outcome;
use actledger_core::projection::compliance::{ComplianceReport, FindingKind};
use actledger_core::projection::credibility::{credibility_report, PolicyKind, Verdict};
use actledger_core::projection::scorecard::TermStatus;
use actledger_core::projection::veto_initiative::{MeetingCheck, UnmatchedReason, VetoStatus};
use actledger_core::projection::UN_HEADQUARTERS;
use actledger_core::projection::{
    compliance, council_on, replay, replay_slice, scorecard, supporters, veto_initiative,
    vote_outcomes, Cutoff, Precision, Standing, TrustPolicy, View,
};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{Date, Event, Origin, PublicKey, Seq, SigningKey, StateCode, Text, Timestamp};

// ---------------------------------------------------------------------------------------------
// A small ledger builder.

fn d(s: &str) -> Date {
    s.parse().unwrap()
}
fn st(code: &str) -> StateCode {
    code.parse().unwrap()
}
fn text(x: &str) -> Text {
    Text::new(x).unwrap()
}

#[derive(Clone, Copy)]
enum Who {
    Admin,
    Depositary,
    Recorder,
    Assessor(u8),
}

impl Who {
    fn key(self) -> SigningKey {
        let seed = match self {
            Who::Admin => 1,
            Who::Depositary => 2,
            Who::Recorder => 3,
            Who::Assessor(i) => 10 + i,
        };
        SigningKey::from_seed(&[seed; 32])
    }
}

struct Ledger {
    verifier: Verifier,
    events: Vec<(Seq, Event)>,
    now: Timestamp,
}

const P5: [&str; 5] = ["CHN", "FRA", "GBR", "RUS", "USA"];
const E10_2017: [&str; 10] = [
    "BOL", "EGY", "ETH", "ITA", "JPN", "KAZ", "SEN", "SWE", "UKR", "URY",
];
const E10_2022: [&str; 10] = [
    "ALB", "ARE", "BRA", "GAB", "GHA", "IND", "IRL", "KEN", "MEX", "NOR",
];

impl Ledger {
    /// Genesis, a depositary, a recorder and two assessors, recorded on `day`.
    fn new(day: &str) -> Self {
        let mut l = Ledger {
            verifier: Verifier::new(Signatures::Check),
            events: Vec::new(),
            now: Timestamp(0),
        };
        l.at(day);
        let admin = Who::Admin.key().public();
        l.append(
            Who::Admin,
            EventBody::LedgerCreated(LedgerCreated {
                origin: Origin::new("act.example.org/test").unwrap(),
                admin,
                admin_holder: text("admin"),
                description: text("projection tests"),
            }),
        );
        for (who, role, holder) in [
            (Who::Depositary, Role::Depositary, "Liechtenstein"),
            (Who::Recorder, Role::Recorder, "recorder"),
            (Who::Assessor(0), Role::Assessor, "assessor A"),
            (Who::Assessor(1), Role::Assessor, "assessor B"),
        ] {
            l.append(
                Who::Admin,
                EventBody::KeyGranted(KeyGranted {
                    key: who.key().public(),
                    role,
                    holder: text(holder),
                    note: text(""),
                }),
            );
        }
        l
    }

    fn at(&mut self, day: &str) {
        self.now = Timestamp(d(day).as_time().midnight().assume_utc().unix_timestamp());
    }

    fn append(&mut self, who: Who, body: EventBody) -> Seq {
        let key = who.key();
        let unsigned = UnsignedEvent {
            version: FORMAT_VERSION,
            seq: Seq(self.verifier.len()),
            prev: self.verifier.head(),
            recorded_at: self.now,
            author: key.public(),
            body,
        };
        let sealed = seal(unsigned, &key).unwrap();
        let seq = sealed.event.unsigned.seq;
        let event = self
            .verifier
            .push(&sealed.bytes)
            .unwrap_or_else(|e| panic!("the ledger refused the event: {e}"));
        self.events.push((seq, event));
        seq
    }

    fn fact(&mut self, who: Who, f: Fact) -> Seq {
        self.append(who, EventBody::Fact(f))
    }

    fn correct(&mut self, who: Who, target: Seq, f: Fact) -> Seq {
        self.append(
            who,
            EventBody::Correction(Correction {
                target,
                reason: text("corrected against the source"),
                replacement: f,
            }),
        )
    }

    fn adhere(&mut self, state: &str, date: AdherenceDate) -> Seq {
        self.fact(Who::Depositary, adherence(state, date))
    }

    fn term(&mut self, state: &str, from: &str, to: &str) -> Seq {
        let s = st(state);
        let seat = if s.is_permanent_member() {
            Seat::Permanent
        } else {
            Seat::Elected
        };
        self.fact(
            Who::Recorder,
            Fact::CouncilTerm(CouncilTerm {
                state: s,
                seat,
                from: d(from),
                to: d(to),
                source: text("test"),
                note: text(""),
            }),
        )
    }

    /// The vote of the Council sitting on `date`: yes, except `overrides`.
    fn vote_fact(&self, draft: &str, date: &str, overrides: &[(&str, Vote)]) -> Fact {
        let council = self.verifier.state().council_on(d(date));
        let votes = council
            .keys()
            .map(|s| MemberVote {
                state: *s,
                vote: overrides
                    .iter()
                    .find(|(o, _)| st(o) == *s)
                    .map_or(Vote::Yes, |(_, v)| *v),
            })
            .collect();
        Fact::CouncilVote(CouncilVote {
            draft: draft.parse().unwrap(),
            meeting: None,
            date: d(date),
            procedural: false,
            votes,
            source: text("test"),
            note: text(""),
        })
    }

    fn vote(&mut self, draft: &str, date: &str, overrides: &[(&str, Vote)]) -> Seq {
        let f = self.vote_fact(draft, date, overrides);
        self.fact(Who::Recorder, f)
    }

    fn assess(&mut self, assessor: u8, draft: &str, credible: bool) -> Seq {
        self.fact(Who::Assessor(assessor), assessment(draft, credible))
    }

    fn meeting(&mut self, date: Option<&str>, follows: &[(&str, Option<&str>)]) -> Seq {
        self.fact(Who::Recorder, meeting(date, follows))
    }

    fn calendar(&mut self, name: &str, year: u16, complete: bool, days: &[&str]) -> Seq {
        self.fact(
            Who::Recorder,
            Fact::HolidayCalendar(HolidayCalendar {
                calendar: text(name),
                year,
                complete,
                holidays: days
                    .iter()
                    .map(|x| Holiday {
                        date: d(x),
                        name: text("holiday"),
                    })
                    .collect(),
                source: text("test"),
            }),
        )
    }

    fn view(&self, cutoff: Cutoff) -> View {
        replay_slice(&self.events, cutoff)
    }
}

fn adherence(state: &str, date: AdherenceDate) -> Fact {
    Fact::AdherenceLetter(AdherenceLetter {
        state: st(state),
        date,
        received: None,
        instrument: Instrument::Letter,
        reference: text(""),
        source: text("test"),
        note: text(""),
    })
}

fn assessment(draft: &str, credible: bool) -> Fact {
    Fact::CredibilityAssessment(CredibilityAssessment {
        draft: draft.parse().unwrap(),
        credible,
        crimes: if credible {
            vec![AtrocityCrime::WarCrimes]
        } else {
            Vec::new()
        },
        basis: vec!["A/HRC/52/1".parse().unwrap()],
        rationale: text("test"),
    })
}

fn meeting(date: Option<&str>, follows: &[(&str, Option<&str>)]) -> Fact {
    Fact::AssemblyMeeting(AssemblyMeeting {
        date: date.map(d),
        session: text("76"),
        format: MeetingFormat::VetoInitiative,
        records: Vec::new(),
        follows: follows
            .iter()
            .map(|(day, draft)| VetoRef {
                date: d(day),
                draft: draft.map(|x| x.parse().unwrap()),
            })
            .collect(),
        speakers: Vec::new(),
        press_release: None,
        source: text("test"),
        note: text(""),
    })
}

fn assessor(i: u8) -> PublicKey {
    Who::Assessor(i).key().public()
}

// ---------------------------------------------------------------------------------------------
// The scenario shared by most tests.

/// Sequence numbers of the events the tests look at.
struct World {
    ledger: Ledger,
    gha_adherence: Seq,
    kenya_adherence: Seq,
    v_day10: Seq,
    v_conflict: Seq,
    a_conflict: [Seq; 2],
    v_breach: Seq,
    a_breach: Seq,
    breach_correction: Seq,
    m_day10: Seq,
    m_day11: Seq,
    m_unrecorded: Seq,
    a1_revision: Seq,
}

fn world() -> World {
    let mut l = Ledger::new("2023-01-10");
    for s in P5 {
        l.term(s, "1946-01-01", "9999-12-31");
    }
    for s in E10_2017 {
        l.term(s, "2017-01-01", "2017-12-31");
    }
    for s in E10_2022 {
        l.term(s, "2022-01-01", "2022-12-31");
    }
    let launch = AdherenceDate::Exact(d("2015-10-23"));
    for s in ["ALB", "FRA", "GAB", "GBR", "IRL", "MEX", "UKR"] {
        l.adhere(s, launch);
    }
    l.adhere("NOR", AdherenceDate::ListedBy(d("2015-09-01")));
    // Ghana adheres between the May and October votes; Kenya is only listed after all of them.
    let gha_adherence = l.adhere("GHA", AdherenceDate::Exact(d("2022-06-15")));
    let kenya_adherence = l.adhere("KEN", AdherenceDate::ListedBy(d("2022-12-31")));

    l.calendar(
        UN_HEADQUARTERS,
        2022,
        true,
        &["2022-05-30", "2022-09-05", "2022-12-26"],
    );

    use Vote::{Abstain, No};
    // Tuesday 2022-05-10: two vetoes by Russia.
    let v_day10 = l.vote(
        "S/2022/100",
        "2022-05-10",
        &[
            ("RUS", No),
            ("GHA", No),
            ("KEN", No),
            ("ALB", Abstain),
            ("IND", Abstain),
        ],
    );
    l.vote("S/2022/200", "2022-05-10", &[("RUS", No)]);
    // A permanent member's no with only 8 in favour: failed, not vetoed.
    l.vote(
        "S/2022/500",
        "2022-07-01",
        &[
            ("RUS", No),
            ("ALB", Abstain),
            ("ARE", Abstain),
            ("BRA", Abstain),
            ("GAB", Abstain),
            ("GHA", Abstain),
            ("IND", Abstain),
        ],
    );
    // Friday 2022-09-02, before Labour Day (Monday 2022-09-05).
    l.vote("S/2022/300", "2022-09-02", &[("RUS", No)]);
    // Adopted drafts with supporters voting no.
    let v_conflict = l.vote(
        "S/2022/600",
        "2022-10-03",
        &[("MEX", No), ("IRL", No), ("GHA", No), ("NOR", No)],
    );
    l.vote("S/2022/700", "2022-10-04", &[("IRL", No)]);
    let v_breach = l.vote("S/2022/800", "2022-10-05", &[("IRL", No), ("GAB", Abstain)]);
    // Vetoes with an undated meeting, and with none.
    l.vote("S/2022/900", "2022-11-01", &[("RUS", No)]);
    l.vote("S/2022/950", "2022-11-15", &[("RUS", No)]);
    // Before resolution 76/262.
    l.vote("S/2017/400", "2017-04-12", &[("RUS", No)]);

    let a_conflict = [
        l.assess(0, "S/2022/600", true),
        l.assess(1, "S/2022/600", false),
    ];
    let a_breach = l.assess(0, "S/2022/800", true);
    l.assess(0, "S/2022/100", true);

    let m_day10 = l.meeting(Some("2022-05-24"), &[("2022-05-10", Some("S/2022/100"))]);
    let m_day11 = l.meeting(Some("2022-05-25"), &[("2022-05-10", Some("S/2022/200"))]);
    l.meeting(Some("2022-09-19"), &[("2022-09-02", Some("S/2022/300"))]);
    l.meeting(None, &[("2022-11-01", Some("S/2022/900"))]);
    let m_unrecorded = l.meeting(Some("2022-12-21"), &[("2022-12-12", None)]);

    // Later: Ireland's vote on S/2022/800 is corrected to an abstention, and assessor B
    // revises its judgement of S/2022/600.
    l.at("2023-03-01");
    let fixed = l.vote_fact(
        "S/2022/800",
        "2022-10-05",
        &[("IRL", Abstain), ("GAB", Abstain)],
    );
    let breach_correction = l.correct(Who::Recorder, v_breach, fixed);
    let a1_revision = l.correct(
        Who::Assessor(1),
        a_conflict[1],
        assessment("S/2022/600", true),
    );

    World {
        ledger: l,
        gha_adherence,
        kenya_adherence,
        v_day10,
        v_conflict,
        a_conflict,
        v_breach,
        a_breach,
        breach_correction,
        m_day10,
        m_day11,
        m_unrecorded,
        a1_revision,
    }
}

fn before(seq: Seq) -> Cutoff {
    Cutoff {
        at_seq: Some(Seq(seq.0 - 1)),
        as_of: None,
    }
}

fn as_of(day: &str) -> Cutoff {
    Cutoff {
        at_seq: None,
        as_of: Some(d(day)),
    }
}

fn report(view: &View, policy: &TrustPolicy, states: Option<&[&str]>) -> ComplianceReport {
    let set: Option<BTreeSet<StateCode>> = states.map(|s| s.iter().map(|x| st(x)).collect());
    compliance(view, &policy.resolve(view), set.as_ref())
}

fn kinds(r: &ComplianceReport, draft: &str) -> Vec<(String, FindingKind)> {
    r.votes
        .iter()
        .filter(|v| v.draft.to_string() == draft)
        .flat_map(|v| v.findings.iter())
        .map(|f| (f.state.to_string(), f.kind))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Supporters and the Council.

#[test]
fn supporters_with_precision_cutoffs_and_seqs() {
    let w = world();
    let all = supporters(&w.ledger.view(Cutoff::default()));
    assert_eq!(all.count, 10);
    let ken = all
        .supporters
        .iter()
        .find(|s| s.state == st("KEN"))
        .unwrap();
    assert_eq!(
        (ken.precision, ken.seq),
        (Precision::ListedBy, w.kenya_adherence)
    );
    assert_eq!(ken.date, d("2022-12-31"));

    // as_of: only those dated (exact or listed-by) on or before the day.
    let mid = supporters(&w.ledger.view(as_of("2022-06-30")));
    assert_eq!(mid.count, 9);
    assert!(mid.supporters.iter().any(|s| s.seq == w.gha_adherence));
    assert_eq!(supporters(&w.ledger.view(as_of("2022-06-14"))).count, 8);
    assert_eq!(
        supporters(&w.ledger.view(as_of("2015-09-30"))).count,
        1,
        "NOR, listed by 2015-09-01"
    );

    // at_seq: the log as it stood before Ghana's letter was recorded.
    let early = supporters(&w.ledger.view(before(w.gha_adherence)));
    assert_eq!(early.count, 8);
    assert_eq!(early.basis.last_seq, Some(Seq(w.gha_adherence.0 - 1)));
}

#[test]
fn supporter_correction_is_applied_and_cited() {
    let mut w = world();
    let fix = w.ledger.correct(
        Who::Depositary,
        w.kenya_adherence,
        adherence("KEN", AdherenceDate::Exact(d("2022-03-01"))),
    );
    let list = supporters(&w.ledger.view(Cutoff::default()));
    let ken = list
        .supporters
        .iter()
        .find(|s| s.state == st("KEN"))
        .unwrap();
    assert_eq!(
        (ken.seq, ken.corrections.clone()),
        (w.kenya_adherence, vec![fix])
    );
    assert_eq!(
        (ken.precision, ken.date),
        (Precision::Exact, d("2022-03-01"))
    );
    // Now bound by the May vote: its no becomes... a no on a credible draft.
    let r = report(
        &w.ledger.view(Cutoff::default()),
        &TrustPolicy::AllAssessors,
        Some(&["KEN"]),
    );
    assert_eq!(
        kinds(&r, "S/2022/100"),
        [("KEN".into(), FindingKind::Breach)]
    );
}

#[test]
fn council_on_a_date() {
    let w = world();
    let view = w.ledger.view(Cutoff::default());
    let c = council_on(&view, d("2022-05-10"));
    assert_eq!(c.count, 15);
    assert!(c.complete);
    let codes: Vec<&str> = c.members.iter().map(|m| m.state.as_str()).collect();
    assert_eq!(&codes[..5], P5);
    assert_eq!(
        c.members
            .iter()
            .filter(|m| m.seat == Seat::Permanent)
            .count(),
        5
    );
    // Bound that day: ALB, FRA, GAB, GBR, IRL, MEX, NOR (listed by 2015).
    assert_eq!(c.supporters, 7);
    let standing = |code: &str| {
        c.members
            .iter()
            .find(|m| m.state == st(code))
            .unwrap()
            .standing
            .clone()
    };
    assert!(matches!(standing("GHA"), Standing::AdheredLater { .. }));
    assert!(matches!(standing("KEN"), Standing::ListedLater { .. }));
    assert!(matches!(standing("NOR"), Standing::Supporter { .. }));
    assert_eq!(standing("RUS"), Standing::NoAdherenceRecorded);
    assert_eq!(
        council_on(&view, d("2022-10-03")).supporters,
        8,
        "Ghana adhered in June"
    );
    let c2017 = council_on(&view, d("2017-04-12"));
    assert_eq!(c2017.count, 15);
    assert!(c2017
        .members
        .iter()
        .any(|m| m.state == st("UKR") && m.standing.is_bound()));
    let gap = council_on(&view, d("2020-01-01"));
    assert_eq!((gap.count, gap.complete), (5, false));
}

// ---------------------------------------------------------------------------------------------
// Votes.

#[test]
fn vote_outcomes_are_computed_not_trusted() {
    let w = world();
    let list = vote_outcomes(&w.ledger.view(Cutoff::default()));
    assert_eq!(list.votes.len(), 10);
    let get = |draft: &str| {
        list.votes
            .iter()
            .find(|v| v.draft.to_string() == draft)
            .unwrap()
    };
    assert_eq!(
        get("S/2022/100").result.outcome,
        Outcome::Vetoed {
            by: vec![st("RUS")]
        }
    );
    assert_eq!(get("S/2022/100").seq, w.v_day10);
    let eight = get("S/2022/500");
    assert_eq!(eight.result.tally.yes, 8);
    assert_eq!(
        eight.result.outcome,
        Outcome::Failed,
        "a P5 no with 8 in favour is not a veto"
    );
    assert_eq!(get("S/2022/600").result.outcome, Outcome::Adopted);
    assert_eq!(get("S/2022/800").corrections, vec![w.breach_correction]);
    assert_eq!(
        list.votes[0].draft.to_string(),
        "S/2017/400",
        "sorted by date"
    );
}

// ---------------------------------------------------------------------------------------------
// Compliance.

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

// ---------------------------------------------------------------------------------------------
// Veto initiative.

#[test]
fn veto_initiative_ten_working_days() {
    let w = world();
    let view = w.ledger.view(Cutoff::default());
    let r = veto_initiative(&view, None).unwrap();
    assert_eq!(r.calendar.name.as_deref(), Some(UN_HEADQUARTERS));
    assert_eq!(r.calendar.years.len(), 1);
    assert_eq!(r.rule_in_force_from, d("2022-04-26"));
    let get = |draft: &str| r.vetoes.iter().find(|v| v.draft == draft).unwrap();

    // Meeting on working day 10: held; on day 11: missed (the calendar covers 2022 in full).
    let v = get("S/2022/100");
    assert_eq!(v.status, VetoStatus::Held);
    assert_eq!(v.vote_seq, w.v_day10);
    assert_eq!(v.meetings[0].seq, w.m_day10);
    assert_eq!(v.meetings[0].count.as_ref().unwrap().working_days, 10);
    let v = get("S/2022/200");
    assert_eq!(v.status, VetoStatus::Missed);
    assert_eq!(v.meetings[0].seq, w.m_day11);
    assert_eq!(v.meetings[0].count.as_ref().unwrap().working_days, 11);
    assert_eq!(v.meetings[0].check, MeetingCheck::Missed);

    // Veto on a Friday before Labour Day: the holiday is not counted.
    let v = get("S/2022/300");
    let c = v.meetings[0].count.as_ref().unwrap();
    assert_eq!(
        (c.working_days, c.holidays.clone()),
        (10, vec![d("2022-09-05")])
    );
    assert!(c.complete);
    assert_eq!(v.status, VetoStatus::Held);
    assert!(v.basis.contains("UN Headquarters"), "{}", v.basis);

    // Before 76/262: listed, not judged.
    assert_eq!(get("S/2017/400").status, VetoStatus::RuleNotInForce);
    // An undated meeting, and no meeting at all.
    assert_eq!(get("S/2022/900").status, VetoStatus::MeetingUndated);
    assert_eq!(get("S/2022/900").meetings[0].check, MeetingCheck::Undated);
    assert_eq!(get("S/2022/950").status, VetoStatus::NoMeetingRecorded);
    // A failed draft is no veto.
    assert!(r.vetoes.iter().all(|v| v.draft != "S/2022/500"));
    assert_eq!(r.counts.vetoes, 6);

    // A meeting following a veto not recorded as a vote.
    assert_eq!(r.other_meetings.len(), 1);
    let o = &r.other_meetings[0];
    assert_eq!(
        (o.reason, o.meeting.seq),
        (UnmatchedReason::UnrecordedVeto, w.m_unrecorded)
    );
    assert_eq!(o.follows.draft, None);
    assert_eq!(o.meeting.count.as_ref().unwrap().working_days, 7);
}

#[test]
fn veto_initiative_calendar_coverage_is_reported() {
    let mut w = world();
    // A second calendar that does not know Labour Day and covers 2022 only in part.
    w.ledger.calendar("Partial", 2022, false, &[]);
    let view = w.ledger.view(Cutoff::default());
    let r = veto_initiative(&view, Some("Partial")).unwrap();
    assert_eq!(r.calendar.name.as_deref(), Some("Partial"));
    assert_eq!(r.calendar.available, ["Partial", UN_HEADQUARTERS]);
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/300").unwrap();
    let c = v.meetings[0].count.as_ref().unwrap();
    assert_eq!(c.working_days, 11);
    assert_eq!(c.partial_years, vec![2022]);
    assert!(!c.complete);
    assert_eq!(v.status, VetoStatus::MissedUnlessUnrecordedHolidays);
    assert!(v.basis.contains("2022 partial"), "{}", v.basis);
    // Day 10 stays held whatever the calendar.
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/100").unwrap();
    assert_eq!(v.status, VetoStatus::Held);
    // A calendar the ledger does not have: refused, naming the recorded ones (it used to
    // count with no holidays at all).
    let err = veto_initiative(&view, Some("Geneva")).unwrap_err();
    assert_eq!(
        err,
        actledger_core::projection::CalendarError::Unknown {
            name: "Geneva".into(),
            recorded: vec!["Partial".into(), UN_HEADQUARTERS.into()],
        }
    );
}

#[test]
fn veto_initiative_correction_of_a_meeting_date() {
    let mut w = world();
    let day11 = meeting(Some("2022-05-25"), &[("2022-05-10", Some("S/2022/100"))]);
    let fix = w.ledger.correct(Who::Recorder, w.m_day10, day11);
    let r = veto_initiative(&w.ledger.view(Cutoff::default()), None).unwrap();
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/100").unwrap();
    assert_eq!(v.status, VetoStatus::Missed);
    assert_eq!(v.meetings[0].corrections, vec![fix]);
    let r = veto_initiative(&w.ledger.view(before(fix)), None).unwrap();
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/100").unwrap();
    assert_eq!(v.status, VetoStatus::Held);
}

#[test]
fn veto_window_open_at_the_cutoff() {
    let w = world();
    // On 2022-11-20 the veto of 2022-11-15 is three working days old.
    let r = veto_initiative(&w.ledger.view(as_of("2022-11-20")), None).unwrap();
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/950").unwrap();
    assert_eq!(v.status, VetoStatus::WindowOpen);
    assert_eq!(r.reference_date, Some(d("2022-11-20")));
    // Undated meeting of S/2022/900 (veto 2022-11-01) is in; S/2022/300's meeting too.
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/900").unwrap();
    assert_eq!(v.status, VetoStatus::MeetingUndated);
    // The unrecorded veto's meeting (2022-12-21) is after the cut-off.
    assert!(r.other_meetings.is_empty());
    // as_of before the undated meeting's veto: the meeting is out.
    let r = veto_initiative(&w.ledger.view(as_of("2022-10-31")), None).unwrap();
    assert!(r.vetoes.iter().all(|v| v.draft != "S/2022/900"));
}

// ---------------------------------------------------------------------------------------------
// Scorecard.

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

// ---------------------------------------------------------------------------------------------
// Determinism.

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

// ---------------------------------------------------------------------------------------------
// Throughput (run with `cargo test --release -p actledger-core --test projections -- --ignored
// --nocapture`): replay without signature checks, the target is over a million events a second.

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
