//! Errors of the store, split by operation (the shape of redb's `src/error.rs`): opening a
//! ledger ([`OpenError`]), appending to it ([`AppendError`]), proving from it
//! ([`ProofError`]); stored data that is not what this program wrote is
//! [`StoreError::Corrupted`] (or [`StoreError::Verify`] when a replay finds the chain broken),
//! and nothing else is.

use actledger_core::{DecodeError, RuleError, Seq, ValueError, VerifyError, VerifyErrorKind};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The ledger could not be opened (or created).
    #[error(transparent)]
    Open(#[from] OpenError),
    /// An event was refused; nothing was written.
    #[error(transparent)]
    Append(#[from] AppendError),
    /// A proof or checkpoint could not be produced.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// Replaying the stored events found them inconsistent with each other or with the
    /// stored head (a broken hash chain, an event that does not decode): tampering or damage.
    #[error("the stored log fails its check at {0}; run `actledger verify`")]
    Verify(VerifyError),
    /// Stored data is not what this program wrote (tampering or damage), sled's own files
    /// included.
    #[error("ledger data is corrupted: {0}")]
    Corrupted(String),
    /// A worker thread of this process stopped (it panicked or its channel closed early);
    /// nothing it was writing became part of the ledger.
    #[error("the {thread} thread stopped unexpectedly; nothing was committed")]
    Worker {
        /// The thread's name.
        thread: &'static str,
    },
    /// A write on a ledger opened with `OpenOptions::read_only`.
    #[error("the ledger was opened read-only")]
    ReadOnly,
    /// A previous write failed part-way in this process; reopen the ledger.
    #[error("ledger handle is unusable after a failed write; reopen it")]
    Poisoned,
    /// A log behind the tile-shaped seam could not be read (a file, a network origin): what
    /// was asked, and the cause.
    #[error("cannot read {what}: {source}")]
    Read {
        /// What was being read (e.g. a tile path and its origin).
        what: String,
        /// The cause (an I/O or network error).
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The file system failed.
    #[error("storage error in {dir}: {source}")]
    Io {
        /// The ledger directory.
        dir: String,
        /// The cause.
        source: std::io::Error,
    },
    /// sled failed, other than by finding its files damaged (an I/O error, a bug it reports).
    #[error("database error: {0}")]
    Db(sled::Error),
}

impl StoreError {
    /// Whether the error means the stored data is damaged or was tampered with (the CLI's
    /// exit 1), rather than bad input or an environment failure.
    pub fn is_corruption(&self) -> bool {
        matches!(self, StoreError::Corrupted(_) | StoreError::Verify(_))
            || matches!(self, StoreError::Open(OpenError::Unrecognised { .. }))
    }
}

impl From<DecodeError> for StoreError {
    fn from(e: DecodeError) -> Self {
        StoreError::Append(AppendError::Encode(e))
    }
}

impl From<sled::Error> for StoreError {
    /// sled's own "corrupted data" (a damaged log or snapshot file) is corruption, like any
    /// other stored byte that is not what was written.
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Corruption { .. } => {
                StoreError::Corrupted(format!("the database's own files are damaged ({e})"))
            }
            other => StoreError::Db(other),
        }
    }
}

/// Why a ledger could not be opened or created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The directory holds no ledger.
    #[error("no ledger at {0} (create one with `actledger init`)")]
    NotFound(String),
    /// `init` on a directory that already holds a ledger.
    #[error("a ledger already exists at {0}")]
    AlreadyExists(String),
    /// `init` on a directory whose `db/` exists but holds no ledger.
    #[error(
        "{dir}/db exists but holds no ledger ({found}); remove it or choose another directory"
    )]
    NotEmpty {
        /// The ledger directory.
        dir: String,
        /// What is there.
        found: String,
    },
    /// Another process holds the ledger.
    #[error("ledger {dir} is in use by process {pid} (retry later, or pass --wait SECS)")]
    InUse {
        /// The ledger directory.
        dir: String,
        /// The holder's process id, as written in the lock file ("unknown" if unreadable).
        pid: String,
    },
    /// The ledger's storage layout is newer than this program's.
    #[error(
        "this ledger was written by a newer actledger (layout {found}); this binary reads up to {supported}"
    )]
    NewerLayout {
        /// The stored layout.
        found: u8,
        /// The newest layout this program reads.
        supported: u8,
    },
    /// The database is in a state no released version wrote; nothing was changed.
    #[error("{dir}: {found}, a state no version of actledger writes; nothing was changed (check it with the version that wrote it)")]
    Unrecognised {
        /// The ledger directory.
        dir: String,
        /// What was found.
        found: String,
    },
    /// An earlier layout needs migrating, but the ledger was opened read-only.
    #[error("the ledger at {dir} uses an earlier layout ({layout}) and must be upgraded once by a command that writes (e.g. `actledger checkpoint` or `record`); read-only commands never migrate")]
    NeedsMigration {
        /// The ledger directory.
        dir: String,
        /// The stored layout.
        layout: u8,
    },
}

/// Why an event was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppendError {
    /// A field's shape (sorted lists, required fields, a permanent seat for a P5 state, 15
    /// votes, ...).
    #[error("rejected: {source}")]
    Shape {
        /// The seq the event would have had.
        seq: Seq,
        /// What is wrong.
        source: ValueError,
    },
    /// A ledger rule (roles, adherence, terms, votes, ...).
    #[error("rejected: {source}")]
    Rule {
        /// The seq the event would have had.
        seq: Seq,
        /// The rule broken.
        source: RuleError,
    },
    /// The event's bytes fail another admission check (decode, position, chain link,
    /// signature): e.g. a batch prepared against an older head, or bytes altered.
    #[error("rejected: {source}")]
    Invalid {
        /// The seq the event would have had.
        seq: Seq,
        /// What is wrong.
        source: VerifyErrorKind,
    },
    /// The event cannot be encoded (e.g. over the size limit).
    #[error("cannot encode event: {0}")]
    Encode(#[from] DecodeError),
}

impl AppendError {
    /// Classifies a verifier's refusal of the event at `seq`.
    pub fn refused(seq: Seq, kind: VerifyErrorKind) -> Self {
        match kind {
            VerifyErrorKind::Rule(source) => AppendError::Rule { seq, source },
            VerifyErrorKind::Decode(DecodeError::Value(source)) => {
                AppendError::Shape { seq, source }
            }
            source => AppendError::Invalid { seq, source },
        }
    }

    /// The rule error, if a rule refused the event.
    pub fn rule(&self) -> Option<&RuleError> {
        match self {
            AppendError::Rule { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<VerifyError> for AppendError {
    fn from(e: VerifyError) -> Self {
        AppendError::refused(e.seq, e.kind)
    }
}

/// Why a proof or checkpoint could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// A size beyond the log.
    #[error("the log has {have} events, not {size}")]
    BeyondLog {
        /// The size asked for.
        size: u64,
        /// The log's size.
        have: u64,
    },
    /// Indexes or sizes that do not name a proof (e.g. an index not below the size).
    #[error("{0}")]
    Range(String),
    /// The key may not sign checkpoints (it lacks the `log` role, or was revoked).
    #[error("rejected: {0}")]
    Refused(RuleError),
    /// A checkpoint could not be made or signed.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
}
