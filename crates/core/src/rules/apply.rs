//! How an admitted event changes the rule state.

use std::collections::BTreeMap;

use crate::event::{CredibilityAssessment, DatedAssessment, EventBody, Fact, Role, UnsignedEvent};
use crate::types::{PublicKey, Seq};

use super::entries::{FactIndex, Reported, TermEntry, VoteEntry};
use super::{KeyInfo, LedgerState};

impl LedgerState {
    pub(super) fn apply(&mut self, event: &UnsignedEvent) {
        let seq = event.seq;
        self.events += 1;
        self.last_time = Some(event.recorded_at);
        match &event.body {
            EventBody::LedgerCreated(g) => {
                self.origin = Some(g.origin.clone());
                self.keys.insert(
                    g.admin,
                    KeyInfo {
                        roles: BTreeMap::from([(Role::Administrator, seq)]),
                        holder: g.admin_holder.to_string(),
                        revoked: None,
                    },
                );
            }
            EventBody::KeyGranted(g) => {
                let info = self.keys.entry(g.key).or_insert_with(|| KeyInfo {
                    roles: BTreeMap::new(),
                    holder: g.holder.to_string(),
                    revoked: None,
                });
                info.roles.insert(g.role, seq);
            }
            EventBody::KeyRevoked(r) => {
                if let Some(k) = self.keys.get_mut(&r.key) {
                    k.revoked = Some(seq);
                }
            }
            EventBody::Fact(f) => self.insert_fact(seq, f, &event.author),
            EventBody::Correction(c) => {
                self.remove_fact(c.target);
                self.insert_fact(c.target, &c.replacement, &event.author);
            }
        }
    }

    fn remove_fact(&mut self, seq: Seq) {
        match self.large.take_fact(seq) {
            Some(FactIndex::Adherence(s)) => {
                self.supporters.remove(&s);
                self.adherence_dates.remove(&s);
            }
            Some(FactIndex::Term(state)) => {
                self.terms_version += 1;
                if let Some(ts) = self.terms.get_mut(&state) {
                    ts.retain(|t| t.seq != seq);
                }
            }
            Some(FactIndex::Draft(d)) => self.large.remove_draft(d),
            Some(FactIndex::Vote(d)) => self.large.remove_vote(d),
            Some(FactIndex::Assessment(key)) => self.large.remove_assessment(&key),
            Some(FactIndex::Calendar(key)) => {
                self.calendars.remove(&*key);
            }
            // Meetings are few (one per veto at most): their entries are found by scan.
            Some(FactIndex::Meeting) => self.large.remove_meeting(seq),
            Some(FactIndex::TallyVote(key)) => {
                if self.tallies.get(&*key) == Some(&seq) {
                    self.tallies.remove(&*key);
                }
            }
            Some(FactIndex::Attestation(_)) | None => {}
        }
    }

    /// `author` is the key that wrote the fact (for a correction of an assessment, the same
    /// assessor, enforced in `check`).
    fn insert_fact(&mut self, seq: Seq, fact: &Fact, author: &PublicKey) {
        let index = match fact {
            Fact::AdherenceLetter(a) => {
                self.supporters.insert(a.state, seq);
                self.adherence_dates.insert(a.state, a.date.date());
                FactIndex::Adherence(a.state)
            }
            Fact::CouncilTerm(t) => {
                self.terms_version += 1;
                self.terms.entry(t.state).or_default().push(TermEntry {
                    seq,
                    seat: t.seat,
                    from: t.from,
                    to: t.to,
                });
                FactIndex::Term(t.state)
            }
            Fact::DraftTabled(d) => {
                self.large
                    .insert_draft(d.draft, (seq, d.reported_vote.as_ref().map(Reported::of)));
                FactIndex::Draft(d.draft)
            }
            Fact::CouncilVote(v) => {
                self.large.insert_vote(v.draft, VoteEntry::of(seq, v));
                FactIndex::Vote(v.draft)
            }
            Fact::CredibilityAssessment(CredibilityAssessment { draft, .. })
            | Fact::DatedAssessment(DatedAssessment {
                assessment: CredibilityAssessment { draft, .. },
                ..
            }) => {
                self.large.insert_assessment(*draft, *author, seq);
                FactIndex::Assessment(Box::new((*draft, *author)))
            }
            Fact::AssemblyMeeting(m) => {
                for f in &m.follows {
                    if let Some(draft) = f.draft {
                        self.large.add_meeting(draft, seq, f.date);
                    }
                }
                FactIndex::Meeting
            }
            Fact::TallyVote(v) => {
                let key = (v.date, v.text.label());
                self.tallies.insert(key.clone(), seq);
                FactIndex::TallyVote(Box::new(key))
            }
            Fact::SupporterListAttested(a) => {
                self.attestations.push((a.list_date, seq));
                FactIndex::Attestation(a.list_date)
            }
            Fact::HolidayCalendar(c) => {
                let key = (c.calendar.as_str().to_string(), c.year);
                self.calendars.insert(key.clone(), seq);
                FactIndex::Calendar(Box::new(key))
            }
        };
        self.large.set_fact(seq, index);
    }
}
