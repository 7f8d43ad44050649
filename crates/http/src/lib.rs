//! # actledger-http
//!
//! The ledger on the network. Three parts, each a module:
//! - [`serve`]: `actledger serve`, the log server: the C2SP tlog-tiles read path, the read API
//!   (the CLI's `--json`, one renderer), and the write path for events signed by their holders;
//! - [`witness`]: `actledger witness serve`, the C2SP tlog-witness protocol over the same
//!   witness core as the file-based `witness cosign`;
//! - [`monitor`]: `actledger monitor`, following a published log over its tiles and verifying
//!   every event, with evidence of misbehaviour;
//! - [`http_log`]: a log read over HTTP behind the store's tile-shaped seam
//!   ([`actledger_store::TileReader`]), which the monitor reads through;
//! - [`client`]: the blocking HTTP client the CLI (`--remote`), the monitor and `checkpoint
//!   --witness` use, with a size limit per response and timeouts.
//!
//! Rules and formats live in `actledger-core`; this crate only moves bytes and maps errors to
//! status codes.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod http_log;
pub mod monitor;
pub mod serve;
pub mod witness;
