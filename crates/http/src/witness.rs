//! `actledger witness serve`: the C2SP tlog-witness protocol (<https://c2sp.org/tlog-witness>)
//! over the witness core of `actledger_core::witness`, with its state in a locked directory
//! ([`state`]) that the file-based `witness cosign` shares.

pub mod client;
pub mod publish;
pub mod server;
pub mod state;

pub use client::{CosignError, WitnessClient};
pub use publish::{sign_cosigned, sign_cosigned_with, LedgerAccess, PublishError};
pub use server::{serve, WitnessService};
pub use state::{StateDir, StateDirError};
