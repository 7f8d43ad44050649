//! Known-answer test for the worked example of docs/FORMAT.md §8: a genesis event and an
//! adherence letter, signed with fixed seeds at a fixed time. If this test fails, the byte
//! format changed: that breaks every ledger ever written.
#![allow(clippy::unwrap_used)]

use actledger_core::chain;
use actledger_core::event::*;
use actledger_core::{EventHash, Origin, Seq, SigningKey, Text, Timestamp};

fn genesis(admin: &SigningKey) -> UnsignedEvent {
    UnsignedEvent {
        version: FORMAT_VERSION,
        seq: Seq(0),
        prev: EventHash::ZERO,
        recorded_at: Timestamp(1_764_374_400), // 2025-11-29T00:00:00Z
        author: admin.public(),
        body: EventBody::LedgerCreated(LedgerCreated {
            origin: Origin::new("act.example.org/ledger").unwrap(),
            admin: admin.public(),
            admin_holder: Text::new("ACT Group secretariat").unwrap(),
            description: Text::empty(),
        }),
    }
}

fn adherence(dep: &SigningKey, prev: EventHash) -> UnsignedEvent {
    UnsignedEvent {
        version: FORMAT_VERSION,
        seq: Seq(2),
        prev,
        recorded_at: Timestamp(1_764_374_460),
        author: dep.public(),
        body: EventBody::Fact(Fact::AdherenceLetter(AdherenceLetter {
            state: "GBR".parse().unwrap(),
            date: AdherenceDate::Exact("2015-10-01".parse().unwrap()),
            received: None,
            instrument: Instrument::Letter,
            reference: Text::empty(),
            source: Text::new("https://example.org/uk").unwrap(),
            note: Text::empty(),
        })),
    }
}

pub const GENESIS_HEX: &str = include_str!("vectors/genesis.hex");
pub const ADHERENCE_HEX: &str = include_str!("vectors/adherence.hex");

/// docs/FORMAT.md itself: its worked example is read from the document, so it cannot drift.
const FORMAT_MD: &str = include_str!("../../../docs/FORMAT.md");

/// What §8 of docs/FORMAT.md states: (genesis bytes, genesis hash, adherence bytes assembled
/// from the table's byte column, adherence hash, administrator and depositary public keys).
struct Documented {
    genesis: String,
    genesis_hash: String,
    adherence: String,
    adherence_hash: String,
    admin: String,
    dep: String,
}

/// The backticked runs of lower-case hex of 64 characters or more in `text`, in order.
fn long_hex(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| t.len() >= 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .collect()
}

fn documented() -> Documented {
    let start = FORMAT_MD
        .find("## 8. Worked example")
        .expect("FORMAT.md has §8");
    let section = &FORMAT_MD[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let keys = long_hex(&section[..section.find("**Genesis**").unwrap()]);
    let after_genesis = &section[section.find("**Genesis**").unwrap()..];
    let block = after_genesis
        .split("```")
        .nth(1)
        .expect("a code block of genesis bytes");
    let genesis: String = block.split_whitespace().collect();
    let rest = &after_genesis[after_genesis.find("Its hash").unwrap()..];
    let genesis_hash = long_hex(rest)[0].clone();
    let table = &rest[rest.find("| offset |").expect("the adherence table")..];
    let table_end = table.find("\n\n").unwrap_or(table.len());
    let adherence: String = table[..table_end]
        .lines()
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            cells[3].trim_matches('`').to_string()
        })
        .collect();
    let after_table = &table[table_end..];
    let adherence_hash = long_hex(after_table)[0].clone();
    Documented {
        genesis,
        genesis_hash,
        adherence,
        adherence_hash,
        admin: keys[0].clone(),
        dep: keys[1].clone(),
    }
}

#[test]
fn format_md_worked_example_is_what_the_code_writes() {
    let doc = documented();
    let admin = SigningKey::from_seed(&[1; 32]);
    let dep = SigningKey::from_seed(&[2; 32]);
    let g = chain::seal(genesis(&admin), &admin).unwrap();
    let a = chain::seal(adherence(&dep, EventHash([0xab; 32])), &dep).unwrap();
    assert_eq!(
        doc.admin,
        admin.public().to_string(),
        "FORMAT.md §8 admin key"
    );
    assert_eq!(
        doc.dep,
        dep.public().to_string(),
        "FORMAT.md §8 depositary key"
    );
    assert_eq!(
        doc.genesis,
        hex::encode(&g.bytes),
        "FORMAT.md §8 genesis bytes"
    );
    assert_eq!(
        doc.genesis_hash,
        g.hash.to_string(),
        "FORMAT.md §8 genesis hash"
    );
    assert_eq!(
        doc.adherence,
        hex::encode(&a.bytes),
        "FORMAT.md §8 adherence table"
    );
    assert_eq!(
        doc.adherence_hash,
        a.hash.to_string(),
        "FORMAT.md §8 adherence hash"
    );
    assert!(doc.genesis.len() == 2 * 248 && doc.adherence.len() == 2 * 215);
}

/// scripts/check_event.py checks the same document with Python's own SHA-256 and Ed25519
/// (another implementation than ours), and exits non-zero on any mismatch. Run when python3
/// is present (CI has it); `ACTLEDGER_REQUIRE_PYTHON=1` makes its absence a failure.
#[test]
fn check_event_py_agrees_with_the_document() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = match std::process::Command::new("python3")
        .arg("scripts/check_event.py")
        .current_dir(root)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var_os("ACTLEDGER_REQUIRE_PYTHON").is_none(),
                "python3: {e}"
            );
            eprintln!("check_event_py: SKIPPED: no python3 ({e})");
            return;
        }
    };
    assert!(
        out.status.success(),
        "check_event.py failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ok:"), "{text}");
}

#[test]
fn worked_example_bytes_are_stable() {
    let admin = SigningKey::from_seed(&[1; 32]);
    let dep = SigningKey::from_seed(&[2; 32]);
    let g = chain::seal(genesis(&admin), &admin).unwrap();
    let prev = EventHash([0xab; 32]);
    let a = chain::seal(adherence(&dep, prev), &dep).unwrap();
    if std::env::var_os("ACTLEDGER_PRINT_VECTORS").is_some() {
        println!("genesis {}\nhash {}", hex::encode(&g.bytes), g.hash);
        println!("adherence {}\nhash {}", hex::encode(&a.bytes), a.hash);
        println!(
            "admin public {}\ndep public {}",
            admin.public(),
            dep.public()
        );
        println!(
            "adherence signed message {}",
            hex::encode(chain::signing_message(chain::unsigned_part(&a.bytes)))
        );
    }
    assert_eq!(
        hex::encode(&g.bytes),
        GENESIS_HEX.split_whitespace().collect::<String>()
    );
    assert_eq!(
        hex::encode(&a.bytes),
        ADHERENCE_HEX.split_whitespace().collect::<String>()
    );
    // Ed25519 is deterministic (RFC 8032), so the signature is part of the known answer.
    assert!(chain::check_event_signature(&a.event, &a.bytes));
}
