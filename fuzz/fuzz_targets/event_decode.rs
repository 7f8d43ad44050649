//! The event decoder (`chain::decode_event`): any bytes, never a panic; an accepted event is
//! the one canonical encoding of what was decoded, and `peek_kind` reads the same kind. The
//! decoders read the commonest bodies directly (`event::direct`) and the rest through the
//! codec: both must accept exactly what decoding the whole event with the codec accepts (a
//! current version, a valid shape), with the same value.
#![no_main]

use actledger_core::event::{EventBody, Fact, FORMAT_VERSION};
use actledger_core::{chain, encoding, Event};
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
    let codec = encoding::decode::<Event>(data).ok();
    let strict = chain::decode_event(data).ok();
    match (&strict, &codec) {
        (Some(ev), codec) => assert_eq!(Some(ev), codec.as_ref(), "the codec refuses it"),
        (None, Some(ev)) => assert!(
            ev.unsigned.version != FORMAT_VERSION || ev.unsigned.body.check_shape().is_err(),
            "decode_event refuses what the codec accepts: {ev:?}"
        ),
        (None, None) => {}
    }
    // The replay decoder skips the re-encoding check, not any check of a value: whatever it
    // gives that encodes to these bytes is what the codec gives.
    if let Ok(ev) = chain::ReplayOnly::decode_event(data) {
        if encoding::encode(&ev).ok().as_deref() == Some(data) {
            assert_eq!(
                Some(&ev),
                codec.as_ref(),
                "the replay decoder and the codec differ"
            );
        }
    }
    if let Some(ev) = strict {
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
