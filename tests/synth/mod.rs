//! Seeded synthetic CSV files in the shapes of `data/*.csv` (docs/IMPORT.md), for the
//! reliability tests that need thousands of events, and a small seeded PRNG so every such test
//! is reproducible from one printed seed.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use actledger_core::state::{StateCode, UnStatus};

/// SplitMix64: tiny, seedable, good enough to pick test cases.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// An independent stream for case `i` of a run seeded with `seed`.
    pub fn for_case(seed: u64, i: u64) -> Self {
        let mut r = Self(seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform index into a slice of length `n`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// Fisher-Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

/// The seed of a test run: `ACTLEDGER_TEST_SEED` (decimal or 0x-hex) or `default`. Printed,
/// so a failure can be replayed.
pub fn seed(test: &str, default: u64) -> u64 {
    let seed = std::env::var("ACTLEDGER_TEST_SEED")
        .ok()
        .and_then(|s| match s.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => s.parse().ok(),
        })
        .unwrap_or(default);
    eprintln!("{test}: seed {seed:#x} (replay with ACTLEDGER_TEST_SEED={seed:#x})");
    seed
}

pub const P5: [&str; 5] = ["CHN", "FRA", "GBR", "RUS", "USA"];

/// UN member states (observers excluded), sorted by code.
pub fn members() -> Vec<StateCode> {
    StateCode::all()
        .filter(|s| s.status() == UnStatus::Member)
        .collect()
}

/// The Council of each year: the five permanent members and ten distinct elected members.
pub type Councils = BTreeMap<u16, Vec<StateCode>>;

/// `members` CSV (sc_members.csv shape): 15 members a year for `years`.
pub fn members_csv(rng: &mut Rng, years: std::ops::RangeInclusive<u16>) -> (String, Councils) {
    let electable: Vec<StateCode> = members()
        .into_iter()
        .filter(|s| !s.is_permanent_member())
        .collect();
    let mut csv = String::from("year,member_state,iso3,seat,note,source\n");
    let mut councils = Councils::new();
    let mut last_two: Vec<Vec<StateCode>> = Vec::new();
    for year in years {
        // Charter Art. 23(2): no state sits three elected years in a row (the rules refuse it).
        let mut pool: Vec<StateCode> = electable
            .iter()
            .copied()
            .filter(|s| !(last_two.len() == 2 && last_two.iter().all(|y| y.contains(s))))
            .collect();
        rng.shuffle(&mut pool);
        let elected = &pool[..10];
        last_two.push(elected.to_vec());
        if last_two.len() > 2 {
            last_two.remove(0);
        }
        let mut council = Vec::new();
        for s in P5 {
            let st: StateCode = s.parse().unwrap();
            writeln!(
                csv,
                "{year},{},{s},permanent,,synthetic",
                st.name().replace(',', " ")
            )
            .unwrap();
            council.push(st);
        }
        for st in elected {
            writeln!(
                csv,
                "{year},{},{},elected,synthetic row,synthetic",
                st.name().replace(',', " "),
                st.as_str()
            )
            .unwrap();
            council.push(*st);
        }
        council.sort();
        councils.insert(year, council);
    }
    (csv, councils)
}

/// `supporters` CSV (supporters.csv shape): the first `n` member states, exact or "listed by"
/// dates from September 2015 (the Code's text was released on 1 September 2015: an adherence
/// before it is refused) to 2024.
pub fn supporters_csv(rng: &mut Rng, n: usize) -> String {
    let mut csv = String::from("state,iso3,date_of_adherence,listed_as_supporter_by,note,source\n");
    for st in members().into_iter().take(n) {
        let year = 2015 + rng.below(10);
        let month = if year == 2015 {
            9 + rng.below(4)
        } else {
            1 + rng.below(12)
        };
        let date = format!("{year}-{month:02}-{:02}", 1 + rng.below(28));
        let (exact, listed) = if rng.chance(50) {
            (date, String::new())
        } else {
            (String::new(), date)
        };
        writeln!(
            csv,
            "{},{},{exact},{listed},synthetic note,https://example.org/{}",
            st.name().replace(',', " "),
            st.as_str(),
            st.as_str()
        )
        .unwrap();
    }
    csv
}

/// `votes` CSV (sc_votes.csv shape): `per_year` drafts a year for every year of `councils`
/// up to 2025 (a vote may not be dated in the future), each voted on by exactly that year's 15
/// members.
pub fn votes_csv(rng: &mut Rng, councils: &Councils, per_year: u32) -> String {
    let mut csv =
        String::from("draft_symbol,vote_date,member_state,iso3,vote,seat,method,source\n");
    for (year, council) in councils.range(..=2025) {
        for n in 1..=per_year {
            let date = format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
            for st in council {
                let vote = *rng.pick(&["Y", "Y", "Y", "N", "A", "X"]);
                let seat = if st.is_permanent_member() {
                    "permanent"
                } else {
                    "elected"
                };
                writeln!(
                    csv,
                    "S/{year}/{n},{date},{},{},{vote},{seat},synthetic,https://example.org/S/{year}/{n}",
                    st.name().replace(',', " "),
                    st.as_str()
                )
                .unwrap();
            }
        }
    }
    csv
}

/// Copies a directory tree (files and directories only).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// Path of the `actledger` binary under test.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("actledger")
}

/// Waits until no handle in this process still holds sled's own lock on `LEDGER/db/db`.
///
/// Dropping a `Ledger` (or a `sled::Db`) releases `ledger.lock` at once, but sled's background
/// I/O threads may keep the database file, and its exclusive lock, open for a few more
/// milliseconds; an immediate reopen in this process, or a child process, would fail with
/// sled's "could not acquire lock". Tests that reopen a ledger they just closed call this first.
pub fn wait_sled_released(ledger: &Path) {
    let db = ledger.join("db").join("db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match std::fs::OpenOptions::new().read(true).open(&db) {
            Err(_) => return, // no database yet
            Ok(f) => match f.try_lock() {
                Ok(()) => return, // released when `f` closes
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                Err(e) => panic!("sled still holds {} after 30 s: {e}", db.display()),
            },
        }
    }
}

/// Opens the ledger's sled database directly (as a tamperer would). sled lets go of its file
/// lock from a background thread a moment after a handle is dropped, and a check that the lock
/// is free can still lose that race: retry for up to 30 s.
pub fn open_db(ledger: &Path) -> sled::Db {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        wait_sled_released(ledger);
        match sled::open(ledger.join("db")) {
            Ok(db) => return db,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => panic!("cannot open {}: {e}", ledger.display()),
        }
    }
}

/// Opens a ledger in-process, waiting up to 30 s for a previous handle (of this process or a
/// binary that just exited) to let go of it: under a loaded test run, sled's release can take
/// longer than the 2 s an open waits by default.
pub fn open_ledger(ledger: &Path) -> Result<actledger_store::Ledger, actledger_store::StoreError> {
    let opts = actledger_store::OpenOptions {
        wait: std::time::Duration::from_secs(30),
        ..actledger_store::OpenOptions::default()
    };
    actledger_store::Ledger::open(ledger, &opts)
}

/// One change to the stored log, in terms of event positions (the store keeps events in
/// bundles of 16: docs/FORMAT.md §7).
#[derive(Debug, Clone)]
pub enum EventEdit {
    /// Stores these bytes at this position: replaces the event there, or (right after the
    /// last event of a bundle, or as the first event of a new bundle) adds one.
    Set(u64, Vec<u8>),
    /// Removes the event at this position from its bundle (the later events of that bundle
    /// move down one position).
    Remove(u64),
}

/// The `bundles` keys that `edits` change and their new values (`None`: removed), given
/// `stored(b)`, the events bundle `b` holds before them.
pub fn bundle_edits(
    stored: impl Fn(u64) -> Vec<Vec<u8>>,
    edits: &[EventEdit],
) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    use actledger_store::bundle;
    let mut changed: BTreeMap<u64, Vec<Vec<u8>>> = BTreeMap::new();
    for e in edits {
        let seq = match e {
            EventEdit::Set(s, _) | EventEdit::Remove(s) => *s,
        };
        let (b, i) = bundle::locate(seq);
        let events = changed.entry(b).or_insert_with(|| stored(b));
        match e {
            EventEdit::Set(_, bytes) if i < events.len() => events[i] = bytes.clone(),
            EventEdit::Set(_, bytes) if i == events.len() => events.push(bytes.clone()),
            EventEdit::Set(..) => panic!("a bundle cannot hold a gap: position {seq}"),
            EventEdit::Remove(_) => {
                events.remove(i);
            }
        }
    }
    changed
        .into_iter()
        .map(|(b, events)| {
            let value =
                (!events.is_empty()).then(|| bundle::join(events.iter().map(Vec::as_slice)));
            (bundle::key(b).to_vec(), value)
        })
        .collect()
}

/// The events bundle `b` of a raw database holds.
pub fn stored_bundle(db: &sled::Db, b: u64) -> Vec<Vec<u8>> {
    let v = db
        .open_tree("bundles")
        .unwrap()
        .get(actledger_store::bundle::key(b))
        .unwrap()
        .unwrap_or_default();
    actledger_store::bundle::split(&v)
        .map(<[u8]>::to_vec)
        .collect()
}

/// The stored bytes of the event at `seq` in a raw database.
pub fn stored_event(db: &sled::Db, seq: u64) -> Option<Vec<u8>> {
    let (b, i) = actledger_store::bundle::locate(seq);
    stored_bundle(db, b).into_iter().nth(i)
}

/// Applies `edits` to the events of a raw database (not flushed).
pub fn edit_events(db: &sled::Db, edits: &[EventEdit]) {
    let tree = db.open_tree("bundles").unwrap();
    for (k, v) in bundle_edits(|b| stored_bundle(db, b), edits) {
        match v {
            Some(v) => tree.insert(k, v).unwrap(),
            None => tree.remove(k).unwrap(),
        };
    }
}
