//! Unit-test helpers: hand-built logs of unsigned-in-spirit events (the signature is zero;
//! projections never look at it). End-to-end scenarios that pass the real rules live in
//! `tests/projections.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::date::Date;
use crate::event::{
    AdherenceDate, AdherenceLetter, AssemblyMeeting, AtrocityCrime, Correction, CouncilTerm,
    CouncilVote, CredibilityAssessment, Event, EventBody, Fact, Holiday, HolidayCalendar,
    Instrument, KeyGranted, KeyRevoked, LedgerCreated, MeetingFormat, MemberVote, Role, Seat,
    UnsignedEvent, VetoRef, Vote, FORMAT_VERSION,
};
use crate::keys::SigningKey;
use crate::projection::{replay_slice, Cutoff, View};
use crate::state::StateCode;
use crate::symbol::DraftSymbol;
use crate::types::{EventHash, Origin, PublicKey, Seq, Signature, Text, Timestamp};

pub fn d(s: &str) -> Date {
    s.parse().unwrap()
}
pub fn s(code: &str) -> StateCode {
    code.parse().unwrap()
}
pub fn sym(x: &str) -> DraftSymbol {
    x.parse().unwrap()
}
pub fn text(x: &str) -> Text {
    Text::new(x).unwrap()
}
pub fn key(n: u8) -> PublicKey {
    SigningKey::from_seed(&[n; 32]).public()
}

/// The 2022 Council, sorted by code.
pub const COUNCIL_2022: [&str; 15] = [
    "ALB", "ARE", "BRA", "CHN", "FRA", "GAB", "GBR", "GHA", "IND", "IRL", "KEN", "MEX", "NOR",
    "RUS", "USA",
];

pub struct Log {
    pub events: Vec<(Seq, Event)>,
    pub now: Timestamp,
    pub author: PublicKey,
}

impl Log {
    pub fn new() -> Self {
        let mut l = Log {
            events: Vec::new(),
            now: Timestamp(1_735_689_600), // 2025-01-01
            author: key(1),
        };
        l.body(EventBody::LedgerCreated(LedgerCreated {
            origin: Origin::new("test.example/ledger").unwrap(),
            admin: key(1),
            admin_holder: text("admin"),
            description: text("test"),
        }));
        l
    }

    /// Sets the recording time to midnight UTC of `day`.
    pub fn at(&mut self, day: &str) {
        let t = d(day).as_time().midnight().assume_utc().unix_timestamp();
        self.now = Timestamp(t);
    }

    pub fn body(&mut self, body: EventBody) -> Seq {
        let seq = Seq(self.events.len() as u64);
        let event = Event {
            unsigned: UnsignedEvent {
                version: FORMAT_VERSION,
                seq,
                prev: EventHash::ZERO,
                recorded_at: self.now,
                author: self.author,
                body,
            },
            signature: Signature([0; 64]),
        };
        self.events.push((seq, event));
        seq
    }

    pub fn fact(&mut self, f: Fact) -> Seq {
        self.body(EventBody::Fact(f))
    }

    pub fn fact_by(&mut self, author: PublicKey, f: Fact) -> Seq {
        let prev = std::mem::replace(&mut self.author, author);
        let seq = self.fact(f);
        self.author = prev;
        seq
    }

    pub fn correct(&mut self, target: Seq, f: Fact) -> Seq {
        self.body(EventBody::Correction(Correction {
            target,
            reason: text("fix"),
            replacement: f,
        }))
    }

    pub fn grant(&mut self, k: PublicKey, role: Role) -> Seq {
        self.body(EventBody::KeyGranted(KeyGranted {
            key: k,
            role,
            holder: text("holder"),
            note: text(""),
        }))
    }

    pub fn revoke(&mut self, k: PublicKey) -> Seq {
        self.body(EventBody::KeyRevoked(KeyRevoked {
            key: k,
            reason: text("rotated"),
        }))
    }

    pub fn view(&self, cutoff: Cutoff) -> View {
        replay_slice(&self.events, cutoff)
    }
}

pub fn adherence(state: &str, date: AdherenceDate) -> Fact {
    Fact::AdherenceLetter(AdherenceLetter {
        state: s(state),
        date,
        received: None,
        instrument: Instrument::NoteVerbale,
        reference: text(""),
        source: text("test"),
        note: text(""),
    })
}

pub fn term(state: &str, from: &str, to: &str) -> Fact {
    let st = s(state);
    Fact::CouncilTerm(CouncilTerm {
        state: st,
        seat: if st.is_permanent_member() {
            Seat::Permanent
        } else {
            Seat::Elected
        },
        from: d(from),
        to: d(to),
        source: text("test"),
        note: text(""),
    })
}

/// The 2022 Council voting yes, except for `overrides`.
pub fn vote_all_yes(draft: &str, date: &str, overrides: &[(&str, Vote)]) -> Fact {
    let votes = COUNCIL_2022
        .iter()
        .map(|m| MemberVote {
            state: s(m),
            vote: overrides
                .iter()
                .find(|(o, _)| o == m)
                .map_or(Vote::Yes, |(_, v)| *v),
        })
        .collect();
    Fact::CouncilVote(CouncilVote {
        draft: sym(draft),
        meeting: None,
        date: d(date),
        procedural: false,
        votes,
        source: text("test"),
        note: text(""),
    })
}

pub fn assessment(draft: &str, credible: bool) -> Fact {
    Fact::CredibilityAssessment(CredibilityAssessment {
        draft: sym(draft),
        credible,
        crimes: if credible {
            vec![AtrocityCrime::WarCrimes]
        } else {
            Vec::new()
        },
        basis: Vec::new(),
        rationale: text("test"),
    })
}

pub fn meeting(date: Option<&str>, follows: &[(&str, Option<&str>)]) -> Fact {
    Fact::AssemblyMeeting(AssemblyMeeting {
        date: date.map(d),
        session: text("77"),
        format: MeetingFormat::VetoInitiative,
        records: Vec::new(),
        follows: follows
            .iter()
            .map(|(day, draft)| VetoRef {
                date: d(day),
                draft: draft.map(sym),
            })
            .collect(),
        speakers: Vec::new(),
        press_release: None,
        source: text("test"),
        note: text(""),
    })
}

pub fn calendar(name: &str, year: u16, complete: bool, days: &[&str]) -> Fact {
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
    })
}
