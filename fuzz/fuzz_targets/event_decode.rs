//! The event decoder (`chain::decode_event`): any bytes, never a panic; an accepted event is
//! the one canonical encoding of what was decoded, and `peek_kind` reads the same kind.
#![no_main]

use actledger_core::event::{EventBody, Fact};
use actledger_core::{chain, encoding};
use libfuzzer_sys::fuzz_target;

fn fact_index(f: &Fact) -> u32 {
    match f {
        Fact::AdherenceLetter(_) => 0,
        Fact::CouncilTerm(_) => 1,
        Fact::DraftTabled(_) => 2,
        Fact::CouncilVote(_) => 3,
        Fact::CredibilityAssessment(_) => 4,
        Fact::AssemblyMeeting(_) => 5,
        Fact::HolidayCalendar(_) => 6,
        Fact::DatedAssessment(_) => 7,
        Fact::TallyVote(_) => 8,
        Fact::SupporterListAttested(_) => 9,
    }
}

fuzz_target!(|data: &[u8]| {
    let peek = chain::peek_kind(data);
    if let Ok(ev) = chain::decode_event(data) {
        // Canonical: the unsigned part re-encodes to the stored bytes before the signature.
        let unsigned = encoding::encode(&ev.unsigned).expect("a decoded event encodes");
        assert_eq!(unsigned.as_slice(), chain::unsigned_part(data));
        assert_eq!(&data[data.len() - 64..], ev.signature.0.as_slice());
        let kind = match &ev.unsigned.body {
            EventBody::LedgerCreated(_) => (0, None),
            EventBody::KeyGranted(_) => (1, None),
            EventBody::KeyRevoked(_) => (2, None),
            EventBody::Fact(f) => (3, Some(fact_index(f))),
            EventBody::Correction(c) => (4, Some(fact_index(&c.replacement))),
        };
        assert_eq!(peek, Some(kind));
        let _ = chain::check_event_signature(&ev, data);
        let _ = ev.unsigned.body.states();
        let _ = ev.unsigned.body.drafts();
    }
});
