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

// One binary, one file per concept; the builder and the scenario here are shared (`use super::*`).
mod compliance_tests;
mod replay_tests;
mod scorecard_tests;
mod supporters_tests;
mod veto_initiative_tests;

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
