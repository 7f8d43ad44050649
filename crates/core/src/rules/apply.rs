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
        let taken = usize::try_from(seq.0)
            .ok()
            .and_then(|i| self.facts.get_mut(i))
            .and_then(Option::take);
        match taken {
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
            Some(FactIndex::Draft(d)) => {
                self.drafts.remove(&d);
            }
            Some(FactIndex::Vote(d)) => {
                self.votes.remove(&d);
            }
            Some(FactIndex::Assessment(key)) => {
                self.assessments.remove(&*key);
            }
            Some(FactIndex::Calendar(key)) => {
                self.calendars.remove(&*key);
            }
            Some(FactIndex::Meeting) => {
                // Meetings are few (one per veto at most): their entries are found by scan.
                self.meetings.retain(|_, cited| {
                    cited.retain(|(m, _)| *m != seq);
                    !cited.is_empty()
                });
            }
            Some(FactIndex::TallyVote(_) | FactIndex::Attestation(_)) | None => {}
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
                self.drafts
                    .insert(d.draft, (seq, d.reported_vote.as_ref().map(Reported::of)));
                FactIndex::Draft(d.draft)
            }
            Fact::CouncilVote(v) => {
                self.votes.insert(v.draft, VoteEntry::of(seq, v));
                FactIndex::Vote(v.draft)
            }
            Fact::CredibilityAssessment(CredibilityAssessment { draft, .. })
            | Fact::DatedAssessment(DatedAssessment {
                assessment: CredibilityAssessment { draft, .. },
                ..
            }) => {
                self.assessments.insert((*draft, *author), seq);
                FactIndex::Assessment(Box::new((*draft, *author)))
            }
            Fact::AssemblyMeeting(m) => {
                for f in &m.follows {
                    if let Some(draft) = f.draft {
                        self.meetings.entry(draft).or_default().push((seq, f.date));
                    }
                }
                FactIndex::Meeting
            }
            Fact::TallyVote(v) => FactIndex::TallyVote(Box::new((v.date, v.text.label()))),
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
        let Ok(at) = usize::try_from(seq.0) else {
            return;
        };
        if self.facts.len() <= at {
            self.facts.resize(at + 1, None);
        }
        if let Some(slot) = self.facts.get_mut(at) {
            *slot = Some(index);
        }
    }
}
