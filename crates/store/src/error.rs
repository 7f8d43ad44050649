use actledger_core::{DecodeError, VerifyErrorKind};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process holds the ledger.
    #[error("ledger {dir} is in use by process {pid} (retry later, or pass --wait SECS)")]
    InUse {
        /// The ledger directory.
        dir: String,
        /// The holder's process id, as written in the lock file ("unknown" if unreadable).
        pid: String,
    },
    /// The directory holds no ledger.
    #[error("no ledger at {0} (create one with `actledger init`)")]
    NotFound(String),
    /// `init` on a directory that already holds a ledger.
    #[error("a ledger already exists at {0}")]
    AlreadyExists(String),
    /// The event was refused by the ledger's rules or could not be encoded; nothing was written.
    #[error("rejected: {0}")]
    Rejected(VerifyErrorKind),
    /// An event could not be encoded.
    #[error("cannot encode event: {0}")]
    Encode(#[from] DecodeError),
    /// Stored data is not what this program wrote (tampering or damage).
    #[error("ledger data is corrupted: {0}")]
    Corrupted(String),
    /// A previous write failed part-way in this process; reopen the ledger.
    #[error("ledger handle is unusable after a failed write; reopen it")]
    Poisoned,
    /// The database or file system failed.
    #[error("storage error in {dir}: {source}")]
    Io {
        /// The ledger directory.
        dir: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A proof or checkpoint could not be produced (e.g. a size beyond the log).
    #[error("{0}")]
    Proof(String),
    /// sled failed.
    #[error("database error: {0}")]
    Db(#[from] sled::Error),
}
