//! Hostile CSV for every importer (`actledger::import::parse`, the code `actledger import`
//! runs): seeded mutations of the real data files (flipped, inserted and deleted bytes,
//! duplicated and shuffled lines, reordered headers, quotes left open, huge fields, CRLF, a
//! BOM, NULs, invalid UTF-8), CSV-alphabet soup and random bytes, each parsed as every kind.
//! Never a panic; an error is one line naming the file; an accepted file yields facts that
//! encode. (Bounded memory on a 50 MB file under `ulimit -v` is tests/import.rs.)
#![allow(clippy::unwrap_used)]

mod synth;

use actledger::data;
use actledger::import::{parse, Kind, ParseOptions, MAX_LINE_BYTES};
use synth::Rng;

const KINDS: [Kind; 6] = [
    Kind::Supporters,
    Kind::Members,
    Kind::Vetoes,
    Kind::Votes,
    Kind::Meetings,
    Kind::Holidays,
];

/// Mutated inputs per real file and kind.
const MUTANTS: u64 = 160;

/// The first `lines` lines of a real file (parsing cost grows with size; the shapes are all
/// in the first lines).
fn head(text: &str, lines: usize) -> Vec<u8> {
    text.lines()
        .take(lines)
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

const NASTY: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b",,,,,,,,",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xe2\x80\x94",
    b"\xf0\x9f\x98\x80",
    b"\xc3",
    b"S/2022/",
    b"S/0/0",
    b"9999-12-31",
    b"2015-02-30",
    b"-1",
    b"18446744073709551616",
    b"XXX",
    b";",
    b" ",
    b"\t",
];

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = if b.is_empty() {
            0
        } else {
            rng.index(b.len() + 1)
        };
        match rng.below(12) {
            0 if !b.is_empty() => {
                let i = rng.index(b.len());
                b[i] ^= 1 + rng.byte() % 255;
            }
            1 => {
                let n = rng.pick(NASTY);
                b.splice(at..at, n.iter().copied());
            }
            2 if !b.is_empty() => {
                let end = (at + 1 + rng.index(200)).min(b.len());
                b.drain(at.min(end)..end);
            }
            3 => {
                // Duplicate or shuffle lines.
                let mut lines: Vec<Vec<u8>> =
                    b.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect();
                if rng.chance(50) && !lines.is_empty() {
                    let i = rng.index(lines.len());
                    let l = lines[i].clone();
                    lines.insert(rng.index(lines.len() + 1), l);
                } else {
                    rng.shuffle(&mut lines);
                }
                b = lines.join(&b'\n');
            }
            4 => {
                // Reorder or drop the header's columns.
                let end = b.iter().position(|&c| c == b'\n').unwrap_or(b.len());
                let mut cols: Vec<Vec<u8>> =
                    b[..end].split(|&c| c == b',').map(<[u8]>::to_vec).collect();
                if rng.chance(50) && cols.len() > 1 {
                    cols.remove(rng.index(cols.len()));
                } else {
                    rng.shuffle(&mut cols);
                }
                let header = cols.join(&b',');
                b.splice(..end, header);
            }
            5 => {
                // A huge field, sometimes over the line limit.
                let n = if rng.chance(30) {
                    MAX_LINE_BYTES + 1 + rng.index(1000)
                } else {
                    rng.index(10_000)
                };
                let fill = *rng.pick(b"a\",9 ");
                b.splice(at..at, std::iter::repeat_n(fill, n));
            }
            6 => b.truncate(at),
            7 => {
                // CRLF line ends, or a BOM.
                if rng.chance(50) {
                    b = b
                        .split(|&c| c == b'\n')
                        .map(<[u8]>::to_vec)
                        .collect::<Vec<_>>()
                        .join(&b"\r\n"[..]);
                } else {
                    b.splice(0..0, *b"\xef\xbb\xbf");
                }
            }
            8 => {
                // Random bytes.
                let n = 1 + rng.index(64);
                let junk: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
                b.splice(at..at, junk);
            }
            9 => {
                // Swap a field for another field of the file.
                let fields: Vec<Vec<u8>> = b
                    .split(|&c| c == b',' || c == b'\n')
                    .map(<[u8]>::to_vec)
                    .filter(|f| !f.is_empty())
                    .collect();
                if !fields.is_empty() {
                    let f = fields[rng.index(fields.len())].clone();
                    b.splice(at..at, f);
                }
            }
            10 => {
                // An open quote up to the end of the file.
                b.splice(at..at, *b"\"");
            }
            _ => {
                // A value at a digit boundary: replace a digit with another.
                if let Some(i) = (0..b.len())
                    .map(|k| (k + at) % b.len().max(1))
                    .find(|&k| b.get(k).is_some_and(u8::is_ascii_digit))
                {
                    b[i] = b'0' + rng.byte() % 10;
                }
            }
        }
    }
    b
}

/// Parses `bytes` as `kind`; panics with the case name if the parser does.
fn check(kind: Kind, case: &str, bytes: &[u8]) -> bool {
    let name = "hostile.csv";
    let result = std::panic::catch_unwind(|| parse(kind, name, bytes, &ParseOptions::default()));
    let result = match result {
        Ok(r) => r,
        Err(_) => panic!(
            "{} parser panicked on {case}: {:?}",
            kind.name(),
            String::from_utf8_lossy(bytes)
        ),
    };
    match result {
        Ok(parsed) => {
            for item in &parsed.items {
                actledger_core::encoding::encode(&item.fact)
                    .unwrap_or_else(|e| panic!("{case}: a parsed fact does not encode: {e}"));
            }
            true
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.starts_with(name),
                "{case}: error does not name the file: {msg}"
            );
            assert!(
                !msg.contains('\n'),
                "{case}: error is not one line: {msg:?}"
            );
            false
        }
    }
}

#[test]
fn mutated_real_files_never_panic_any_importer() {
    let seed = synth::seed("hostile_csv/mutants", 0xc_5f0f_fa11);
    let files = [
        data::SUPPORTERS,
        data::MEMBERS,
        data::VETOES,
        data::VOTES,
        data::MEETINGS,
        data::HOLIDAYS,
    ];
    let (mut tried, mut accepted) = (0u64, 0u64);
    for (fi, file) in files.iter().enumerate() {
        // Votes come 15 rows to a draft: keep two drafts' worth.
        let base = head(file.text, 31);
        for (ki, kind) in KINDS.iter().enumerate() {
            // The file itself: accepted as its own kind (the files are in the order of KINDS),
            // refused cleanly or accepted as every other.
            let own = check(*kind, file.path, &base);
            if fi == ki {
                assert!(own, "{} is refused as {}", file.path, kind.name());
            }
            for m in 0..MUTANTS {
                let mut rng = Rng::for_case(seed, ((fi * 6 + ki) as u64) << 32 | m);
                let bytes = mutate(&mut rng, &base);
                tried += 1;
                if check(
                    *kind,
                    &format!("{} mutant {m} as {}", file.path, kind.name()),
                    &bytes,
                ) {
                    accepted += 1;
                }
            }
        }
    }
    eprintln!(
        "hostile_csv/mutants: {tried} mutated files parsed as every kind, {accepted} accepted, \
         none panicked"
    );
    // Mutants that keep a file valid and mutants that break it both occur: a run where every
    // mutant was refused (or accepted) would test one side only.
    assert!(accepted > 0, "no mutant was accepted");
    assert!(
        accepted < tried / 2,
        "{accepted} of {tried} mutants accepted"
    );
}

#[test]
fn csv_soup_and_random_bytes_never_panic_any_importer() {
    let seed = synth::seed("hostile_csv/soup", 0x500b);
    let alphabet: &[&[u8]] = &[
        b",",
        b"\"",
        b"\n",
        b"\r\n",
        b"iso3",
        b"year",
        b"date",
        b"draft_symbol",
        b"vote",
        b"Y",
        b"FRA",
        b"GBR",
        b"2015-10-01",
        b"S/2022/720",
        b"permanent",
        b"source",
        b"x",
        b" ",
        b"\xc3\xa9",
        b"\xff",
    ];
    let mut tried = 0u64;
    for case in 0..1500u64 {
        let mut rng = Rng::for_case(seed, case);
        let bytes: Vec<u8> = if case % 3 == 0 {
            (0..rng.index(600)).map(|_| rng.byte()).collect()
        } else {
            // A header of the kind's columns, then soup.
            let kind = KINDS[rng.index(KINDS.len())];
            let mut b = kind.columns().join(",").into_bytes();
            b.push(b'\n');
            for _ in 0..rng.index(200) {
                let piece: &&[u8] = rng.pick(alphabet);
                b.extend_from_slice(piece);
            }
            b
        };
        for kind in KINDS {
            check(kind, &format!("soup {case}"), &bytes);
            tried += 1;
        }
    }
    eprintln!("hostile_csv/soup: {tried} parses of CSV soup and random bytes, none panicked");
}
