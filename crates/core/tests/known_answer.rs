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
