//! `actledger serve` end to end: a real server on loopback (an ephemeral port), real HTTP
//! clients. Tiles equal `export tiles`; Go's sumdb/tlog reads them; remote writers append
//! through the one admission path; bad requests are refused and change nothing.
#![allow(clippy::unwrap_used)]

#[path = "../util/mod.rs"]
mod util;

mod api;
mod go;
mod import;
mod page;
mod server;
mod tiles;
mod write;

pub use server::Server;
