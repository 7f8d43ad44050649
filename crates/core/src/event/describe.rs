//! What an event says of itself: kind names and roles, the context-free shape checks that
//! make one encoding per fact, the dates it holds, and the states and drafts it concerns.

use super::*;

impl EventBody {
    /// The kind's name, as the docs and `log` print it.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::LedgerCreated(_) => "LedgerCreated",
            EventBody::KeyGranted(_) => "KeyGranted",
            EventBody::KeyRevoked(_) => "KeyRevoked",
            EventBody::Fact(f) => f.kind(),
            EventBody::Correction(_) => "Correction",
        }
    }

    /// Context-free structural checks (sorted lists, no duplicates, required fields).
    pub fn check_shape(&self) -> Result<(), ValueError> {
        match self {
            EventBody::LedgerCreated(_) | EventBody::KeyGranted(_) | EventBody::KeyRevoked(_) => {
                Ok(())
            }
            EventBody::Fact(f) => f.check_shape(),
            EventBody::Correction(c) => {
                if c.reason.is_empty() {
                    return Err(ValueError::Shape("a correction needs a reason".into()));
                }
                c.replacement.check_shape()
            }
        }
    }
}

pub(crate) fn strictly_sorted<T: Ord>(items: &[T], what: &str) -> Result<(), ValueError> {
    if items.windows(2).all(|w| w[0] < w[1]) {
        Ok(())
    } else {
        Err(ValueError::Shape(format!(
            "{what} must be sorted with no duplicates"
        )))
    }
}

pub(crate) fn required(t: &Text, what: &str) -> Result<(), ValueError> {
    if t.as_str().trim().is_empty() {
        Err(ValueError::Shape(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}

impl Fact {
    /// The kind's variant index in the byte format (`chain::variant`, docs/FORMAT.md §2).
    pub fn variant(&self) -> u32 {
        use crate::chain::variant;
        match self {
            Fact::AdherenceLetter(_) => variant::ADHERENCE_LETTER,
            Fact::CouncilTerm(_) => variant::COUNCIL_TERM,
            Fact::DraftTabled(_) => variant::DRAFT_TABLED,
            Fact::CouncilVote(_) => variant::COUNCIL_VOTE,
            Fact::CredibilityAssessment(_) => variant::CREDIBILITY_ASSESSMENT,
            Fact::AssemblyMeeting(_) => variant::ASSEMBLY_MEETING,
            Fact::HolidayCalendar(_) => variant::HOLIDAY_CALENDAR,
            Fact::DatedAssessment(_) => variant::DATED_ASSESSMENT,
            Fact::TallyVote(_) => variant::TALLY_VOTE,
            Fact::SupporterListAttested(_) => variant::SUPPORTER_LIST_ATTESTED,
        }
    }

    /// The assessment, if this is one (of either format), and the day it was made when the
    /// fact states it (revision 2).
    pub fn assessment(&self) -> Option<(&CredibilityAssessment, Option<Date>)> {
        match self {
            Fact::CredibilityAssessment(a) => Some((a, None)),
            Fact::DatedAssessment(d) => Some((&d.assessment, Some(d.assessed_on))),
            _ => None,
        }
    }

    /// The kind's name.
    pub fn kind(&self) -> &'static str {
        match self {
            Fact::AdherenceLetter(_) => "AdherenceLetter",
            Fact::CouncilTerm(_) => "CouncilTerm",
            Fact::DraftTabled(_) => "DraftTabled",
            Fact::CouncilVote(_) => "CouncilVote",
            Fact::CredibilityAssessment(_) | Fact::DatedAssessment(_) => "CredibilityAssessment",
            Fact::AssemblyMeeting(_) => "AssemblyMeeting",
            Fact::HolidayCalendar(_) => "HolidayCalendar",
            Fact::TallyVote(_) => "TallyVote",
            Fact::SupporterListAttested(_) => "SupporterListAttested",
        }
    }

    /// The role that records this kind of fact.
    pub fn role(&self) -> Role {
        match self {
            Fact::AdherenceLetter(_) | Fact::SupporterListAttested(_) => Role::Depositary,
            Fact::CredibilityAssessment(_) | Fact::DatedAssessment(_) => Role::Assessor,
            Fact::CouncilTerm(_)
            | Fact::DraftTabled(_)
            | Fact::CouncilVote(_)
            | Fact::AssemblyMeeting(_)
            | Fact::TallyVote(_)
            | Fact::HolidayCalendar(_) => Role::Recorder,
        }
    }

    /// Context-free structural checks.
    pub fn check_shape(&self) -> Result<(), ValueError> {
        match self {
            Fact::AdherenceLetter(a) => required(&a.source, "source"),
            Fact::CouncilTerm(t) => {
                required(&t.source, "source")?;
                if t.from > t.to {
                    return Err(ValueError::Shape(format!(
                        "term of {} ends ({}) before it starts ({})",
                        t.state, t.to, t.from
                    )));
                }
                match (t.seat, t.state.is_permanent_member()) {
                    (Seat::Permanent, false) => Err(ValueError::Shape(format!(
                        "{} is not a permanent member (Charter Art. 23: CHN, FRA, GBR, RUS, USA)",
                        t.state
                    ))),
                    (Seat::Elected, true) => Err(ValueError::Shape(format!(
                        "{} holds a permanent seat and cannot hold an elected one",
                        t.state
                    ))),
                    _ => Ok(()),
                }
            }
            Fact::DraftTabled(d) => {
                required(&d.source, "source")?;
                strictly_sorted(&d.penholders, "penholders")?;
                if let Some(r) = &d.reported_vote {
                    strictly_sorted(&r.vetoed_by, "vetoed_by")?;
                    if let Some(t) = r.tally {
                        if u16::from(t.yes) + u16::from(t.no) + u16::from(t.abstain) > 15 {
                            return Err(ValueError::Shape(format!(
                                "reported tally {t} counts more than 15 members"
                            )));
                        }
                    }
                    if let Some(p) = r.vetoed_by.iter().find(|s| !s.is_permanent_member()) {
                        return Err(ValueError::Shape(format!(
                            "{p} is not a permanent member and cannot veto"
                        )));
                    }
                }
                Ok(())
            }
            Fact::CouncilVote(v) => {
                required(&v.source, "source")?;
                if let Some(w) = v.votes.windows(2).find(|w| w[0].state == w[1].state) {
                    return Err(ValueError::Shape(format!(
                        "{} ({}) is given more than one vote",
                        w[0].state,
                        w[0].state.name()
                    )));
                }
                if v.votes.len() != 15 {
                    return Err(ValueError::Shape(format!(
                        "a Council vote needs the votes of all 15 members, got {}",
                        v.votes.len()
                    )));
                }
                // Sorted (the common case) without collecting the states; otherwise the same
                // check on a copy names the problem.
                if v.votes.windows(2).all(|w| w[0].state < w[1].state) {
                    return Ok(());
                }
                let states: Vec<_> = v.votes.iter().map(|m| m.state).collect();
                strictly_sorted(&states, "votes (by state)")
            }
            Fact::DatedAssessment(d) => {
                Fact::CredibilityAssessment(d.assessment.clone()).check_shape()
            }
            Fact::TallyVote(v) => {
                required(&v.source, "source")?;
                strictly_sorted(&v.against, "against")?;
                if let VotedText::Amendment { described, .. } = &v.text {
                    required(described, "amendment description")?;
                }
                if let Some(t) = v.tally {
                    if u16::from(t.yes) + u16::from(t.no) + u16::from(t.abstain) > 15 {
                        return Err(ValueError::Shape(format!(
                            "tally {t} counts more than 15 members"
                        )));
                    }
                    if usize::from(t.no) != v.against.len() {
                        return Err(ValueError::Shape(format!(
                            "tally {t} counts {} against, but {} members are named against",
                            t.no,
                            v.against.len()
                        )));
                    }
                }
                Ok(())
            }
            Fact::CredibilityAssessment(a) => {
                strictly_sorted(&a.crimes, "crimes")?;
                strictly_sorted(&a.basis, "basis")?;
                required(&a.rationale, "rationale")?;
                if a.credible && a.crimes.is_empty() {
                    return Err(ValueError::Shape(
                        "a credible draft must concern at least one atrocity crime".into(),
                    ));
                }
                Ok(())
            }
            Fact::AssemblyMeeting(m) => {
                required(&m.source, "source")?;
                strictly_sorted(&m.records, "records")?;
                strictly_sorted(&m.follows, "follows")?;
                if m.follows.is_empty() {
                    return Err(ValueError::Shape(
                        "a meeting must follow at least one veto".into(),
                    ));
                }
                let mut seen = std::collections::BTreeSet::new();
                if let Some(dup) = m.speakers.iter().find(|s| !seen.insert(**s)) {
                    return Err(ValueError::Shape(format!("speaker {dup} listed twice")));
                }
                if let Some(d) = m.date {
                    if let Some(v) = m.follows.iter().find(|v| v.date > d) {
                        return Err(ValueError::Shape(format!(
                            "meeting on {d} cannot follow a veto of {}",
                            v.date
                        )));
                    }
                }
                Ok(())
            }
            Fact::SupporterListAttested(a) => a.check_shape(),
            Fact::HolidayCalendar(c) => {
                required(&c.calendar, "calendar")?;
                required(&c.source, "source")?;
                let dates: Vec<_> = c.holidays.iter().map(|h| h.date).collect();
                strictly_sorted(&dates, "holidays (by date)")?;
                if let Some(h) = c
                    .holidays
                    .iter()
                    .find(|h| h.date.year() != i32::from(c.year))
                {
                    return Err(ValueError::Shape(format!(
                        "holiday {} is not in year {}",
                        h.date, c.year
                    )));
                }
                Ok(())
            }
        }
    }

    /// Dates in the fact that must not lie after the day it is recorded (at most two; an
    /// iterator, not a `Vec`: the rules ask it of every fact they admit).
    pub fn past_dates(&self) -> impl Iterator<Item = Date> {
        let (first, second): (Option<Date>, Option<Date>) = match self {
            Fact::AdherenceLetter(a) => (Some(a.date.date()), a.received),
            // Terms are known in advance (members are elected months before they sit).
            Fact::CouncilTerm(_) | Fact::HolidayCalendar(_) => (None, None),
            Fact::DraftTabled(d) => (d.tabled_on, d.reported_vote.as_ref().map(|r| r.date)),
            Fact::CouncilVote(v) => (Some(v.date), None),
            Fact::CredibilityAssessment(_) => (None, None),
            Fact::DatedAssessment(d) => (Some(d.assessed_on), None),
            Fact::TallyVote(v) => (Some(v.date), None),
            Fact::AssemblyMeeting(m) => (m.date, None),
            Fact::SupporterListAttested(a) => (Some(a.list_date), None),
        };
        first.into_iter().chain(second)
    }
}

impl EventBody {
    /// States this event concerns, for the store's by-state index (sorted, unique). A
    /// correction is indexed under the states of its replacement.
    pub fn states(&self) -> Vec<crate::state::StateCode> {
        let mut v = match self {
            EventBody::Fact(f) | EventBody::Correction(Correction { replacement: f, .. }) => {
                f.states()
            }
            _ => Vec::new(),
        };
        v.sort();
        v.dedup();
        v
    }

    /// Drafts this event concerns, for the store's by-draft index (sorted, unique).
    pub fn drafts(&self) -> Vec<DraftSymbol> {
        let mut v = match self {
            EventBody::Fact(f) | EventBody::Correction(Correction { replacement: f, .. }) => {
                f.drafts()
            }
            _ => Vec::new(),
        };
        v.sort();
        v.dedup();
        v
    }
}

impl Fact {
    fn states(&self) -> Vec<crate::state::StateCode> {
        match self {
            Fact::AdherenceLetter(a) => vec![a.state],
            Fact::CouncilTerm(t) => vec![t.state],
            Fact::DraftTabled(d) => d.penholders.clone(),
            Fact::CouncilVote(_) => Vec::new(),
            Fact::TallyVote(v) => v.against.clone(),
            Fact::AssemblyMeeting(m) => m.speakers.clone(),
            // An attestation names up to every state: indexing it under each would put it in
            // every state's history; it is found by kind instead.
            Fact::CredibilityAssessment(_)
            | Fact::DatedAssessment(_)
            | Fact::SupporterListAttested(_)
            | Fact::HolidayCalendar(_) => Vec::new(),
        }
    }

    fn drafts(&self) -> Vec<DraftSymbol> {
        match self {
            Fact::DraftTabled(d) => vec![d.draft],
            Fact::CouncilVote(v) => vec![v.draft],
            Fact::CredibilityAssessment(a) => vec![a.draft],
            Fact::DatedAssessment(d) => vec![d.assessment.draft],
            Fact::TallyVote(v) => match &v.text {
                VotedText::Draft(d) => vec![*d],
                VotedText::Amendment { amends, .. } => amends.iter().copied().collect(),
            },
            Fact::AssemblyMeeting(m) => m.follows.iter().filter_map(|f| f.draft).collect(),
            Fact::AdherenceLetter(_)
            | Fact::CouncilTerm(_)
            | Fact::HolidayCalendar(_)
            | Fact::SupporterListAttested(_) => Vec::new(),
        }
    }
}
