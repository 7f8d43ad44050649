//! A direct reader of the two commonest event bodies, a Council vote and a tabled draft (96%
//! of a million-event log), for the decoders of `chain` (docs/FORMAT.md §1-§2: fixed-width
//! little-endian integers, `u64` lengths, `u32` variants, `0x00`/`0x01` for `Option` and
//! `bool`, fields in declaration order).
//!
//! It reads exactly what the codec reads, field by field, and builds each value with the
//! constructor the codec's `Deserialize` calls (`DraftSymbol::new`, `Date::from_ymd`,
//! `StateCode::from_bytes`, `Text::new`, `UnSymbol::new`), so it accepts nothing the codec
//! refuses. It answers only when it has read the whole body successfully: anything else (an
//! other kind, a bad value, bytes left over, too few) is `None`, and the caller decodes with
//! the codec, which gives the value or the precise error. A property test checks that the
//! two agree (`tests::the_direct_reader_agrees_with_the_codec`). The codec spent a third of
//! its time on serde's machinery for these bodies: one element at a time for a state code's
//! three bytes, a growing vector for the fifteen member votes.

use crate::date::Date;
use crate::event::{
    CouncilVote, DraftTabled, EventBody, Fact, MemberVote, ReportedVote, Tally, Vote,
};
use crate::state::StateCode;
use crate::symbol::{DraftSymbol, UnSymbol};
use crate::types::Text;

/// `EventBody::Fact`, `Fact::DraftTabled` and `Fact::CouncilVote` (docs/FORMAT.md §2).
const FACT: u32 = 3;
const DRAFT_TABLED: u32 = 2;
const COUNCIL_VOTE: u32 = 3;

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.rest.split_at_checked(n)?;
        self.rest = tail;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).and_then(|b| <[u8; N]>::try_from(b).ok())
    }

    fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }

    fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn len(&mut self) -> Option<usize> {
        self.array()
            .map(u64::from_le_bytes)
            .and_then(|n| usize::try_from(n).ok())
    }

    /// `0x00` or `0x01`, as the codec reads a `bool` or an `Option`'s tag.
    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn string(&mut self) -> Option<String> {
        let n = self.len()?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    }

    fn text(&mut self) -> Option<Text> {
        Text::new(self.string()?).ok()
    }

    fn un_symbol(&mut self) -> Option<UnSymbol> {
        UnSymbol::new(self.string()?).ok()
    }

    fn optional<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.flag()? {
            read(self).map(Some)
        } else {
            Some(None)
        }
    }

    fn draft(&mut self) -> Option<DraftSymbol> {
        let (year, number) = (self.u16()?, self.u32()?);
        DraftSymbol::new(year, number).ok()
    }

    fn date(&mut self) -> Option<Date> {
        let (y, m, d) = (self.u16()?, self.u8()?, self.u8()?);
        Date::from_ymd(i32::from(y), m, d).ok()
    }

    fn state(&mut self) -> Option<StateCode> {
        StateCode::from_bytes(self.array()?).ok()
    }

    /// A sequence of `read`s after its `u64` length; room is reserved for no more elements
    /// than the bytes left could hold (`min` bytes each).
    fn seq<T>(
        &mut self,
        min: usize,
        mut read: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let n = self.len()?;
        if n > self.rest.len() / min {
            return None;
        }
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(read(self)?);
        }
        Some(out)
    }

    fn vote(&mut self) -> Option<Vote> {
        match self.u32()? {
            0 => Some(Vote::Yes),
            1 => Some(Vote::No),
            2 => Some(Vote::Abstain),
            3 => Some(Vote::Absent),
            _ => None,
        }
    }

    fn council_vote(&mut self) -> Option<CouncilVote> {
        Some(CouncilVote {
            draft: self.draft()?,
            meeting: self.optional(Self::un_symbol)?,
            date: self.date()?,
            procedural: self.flag()?,
            votes: self.seq(7, |r| {
                Some(MemberVote {
                    state: r.state()?,
                    vote: r.vote()?,
                })
            })?,
            source: self.text()?,
            note: self.text()?,
        })
    }

    fn draft_tabled(&mut self) -> Option<DraftTabled> {
        Some(DraftTabled {
            draft: self.draft()?,
            subject: self.text()?,
            agenda_item: self.text()?,
            penholders: self.seq(3, Self::state)?,
            tabled_on: self.optional(Self::date)?,
            reported_vote: self.optional(|r| {
                Some(ReportedVote {
                    date: r.date()?,
                    meeting: r.optional(Self::un_symbol)?,
                    tally: r.optional(|r| {
                        Some(Tally {
                            yes: r.u8()?,
                            no: r.u8()?,
                            abstain: r.u8()?,
                        })
                    })?,
                    vetoed_by: r.seq(3, Self::state)?,
                })
            })?,
            source: self.text()?,
            note: self.text()?,
        })
    }
}

/// The body encoded in `bytes` if it is a Council vote or a tabled draft that decodes, using
/// all of `bytes`; `None` otherwise (decode it with the codec).
pub(crate) fn decode_body(bytes: &[u8]) -> Option<EventBody> {
    let mut r = Reader { rest: bytes };
    if r.u32()? != FACT {
        return None;
    }
    let fact = match r.u32()? {
        COUNCIL_VOTE => Fact::CouncilVote(r.council_vote()?),
        DRAFT_TABLED => Fact::DraftTabled(r.draft_tabled()?),
        _ => return None,
    };
    r.rest.is_empty().then_some(EventBody::Fact(fact))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding;
    use proptest::prelude::*;

    fn vote() -> CouncilVote {
        let members = [
            "ALB", "ARE", "BRA", "CHN", "FRA", "GAB", "GBR", "GHA", "IND", "IRL", "KEN", "MEX",
            "NOR", "RUS", "USA",
        ];
        CouncilVote {
            draft: "S/2022/720".parse().unwrap(),
            meeting: Some(UnSymbol::new("S/PV.9143").unwrap()),
            date: "2022-09-30".parse().unwrap(),
            procedural: false,
            votes: members
                .iter()
                .enumerate()
                .map(|(i, s)| MemberVote {
                    state: s.parse().unwrap(),
                    vote: [Vote::Yes, Vote::No, Vote::Abstain, Vote::Absent][i % 4],
                })
                .collect(),
            source: Text::new("https://press.un.org/en/2022/sc15046.doc.htm").unwrap(),
            note: Text::new("é, a note").unwrap(),
        }
    }

    fn draft(reported: bool) -> DraftTabled {
        DraftTabled {
            draft: "S/2017/970".parse().unwrap(),
            subject: Text::new("Syria").unwrap(),
            agenda_item: Text::new("The situation in the Middle East").unwrap(),
            penholders: vec!["FRA".parse().unwrap(), "GBR".parse().unwrap()],
            tabled_on: reported.then(|| "2017-11-17".parse().unwrap()),
            reported_vote: reported.then(|| ReportedVote {
                date: "2017-11-17".parse().unwrap(),
                meeting: None,
                tally: Some(Tally {
                    yes: 12,
                    no: 2,
                    abstain: 1,
                }),
                vetoed_by: vec!["RUS".parse().unwrap()],
            }),
            source: Text::new("s").unwrap(),
            note: Text::empty(),
        }
    }

    fn bodies() -> Vec<EventBody> {
        vec![
            EventBody::Fact(Fact::CouncilVote(vote())),
            EventBody::Fact(Fact::CouncilVote(CouncilVote {
                meeting: None,
                procedural: true,
                votes: Vec::new(),
                ..vote()
            })),
            EventBody::Fact(Fact::DraftTabled(draft(true))),
            EventBody::Fact(Fact::DraftTabled(draft(false))),
        ]
    }

    /// What the codec says of `bytes`, and what the direct reader says: it must answer with
    /// the codec's value, or not at all.
    fn agree(bytes: &[u8]) -> Result<(), String> {
        let codec = encoding::decode_trusted::<EventBody>(bytes);
        match decode_body(bytes) {
            None => Ok(()),
            Some(direct) if codec.as_ref().ok() == Some(&direct) => Ok(()),
            Some(direct) => Err(format!("direct {direct:?}, codec {codec:?}")),
        }
    }

    #[test]
    fn the_direct_reader_reads_what_the_codec_wrote() {
        for body in bodies() {
            let bytes = encoding::encode(&body).unwrap();
            assert_eq!(decode_body(&bytes), Some(body));
            // Anything else is left to the codec.
            assert_eq!(decode_body(&bytes[..bytes.len() - 1]), None);
            assert_eq!(decode_body(&[bytes.as_slice(), &[0]].concat()), None);
        }
        let key = EventBody::Fact(Fact::AdherenceLetter(crate::event::AdherenceLetter {
            state: "FRA".parse().unwrap(),
            date: crate::event::AdherenceDate::Exact("2015-10-23".parse().unwrap()),
            received: None,
            instrument: crate::event::Instrument::Letter,
            reference: Text::empty(),
            source: Text::new("s").unwrap(),
            note: Text::empty(),
        }));
        assert_eq!(decode_body(&encoding::encode(&key).unwrap()), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Any byte changed, inserted or removed in an encoded vote or draft: the direct
        /// reader gives the codec's value or leaves it to the codec.
        #[test]
        fn the_direct_reader_agrees_with_the_codec(
            which in 0usize..4,
            // Small values half the time: tags, flags, variants and lengths are near zero.
            edits in proptest::collection::vec(
                (any::<prop::sample::Index>(), prop_oneof![0u8..4, any::<u8>()], 0u8..3),
                1..4,
            ),
        ) {
            let mut bytes = encoding::encode(&bodies()[which]).unwrap();
            for (at, value, how) in edits {
                let i = at.index(bytes.len() + 1);
                match how {
                    0 if i < bytes.len() => bytes[i] = value,
                    1 => bytes.insert(i, value),
                    _ if i < bytes.len() => { bytes.remove(i); }
                    _ => {}
                }
            }
            prop_assert!(agree(&bytes).is_ok(), "{:?}", agree(&bytes));
        }
    }
}
