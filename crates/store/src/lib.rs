//! Storage of Portico, independent of the database.
//!
//! Use cases run as a closure over a [`Tx`]: one database transaction, in
//! which they load facts, ask the policy, change data and write the audit row.
//! The closure is plain synchronous code; [`Store`] runs it on a blocking
//! thread, commits when it returns `Ok` and rolls back when it returns `Err`.
//! Backends (`portico-store-sqlite`, `portico-store-postgres`) implement
//! [`Backend`]; the [`contract`] suite checks that they behave the same.

pub mod contract;
mod records;
mod tx;

use std::sync::Arc;

pub use records::*;
pub use tx::Tx;

/// A failure of the storage layer itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the use case knows which one it
    /// risked and turns this into a clear conflict.
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    /// Data in the database does not parse into the domain's types.
    #[error("corrupt data in {0}")]
    Corrupt(String),
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Backend(String),
    /// The database's disk is full; the write did not happen.
    #[error("storage full: {0}")]
    StorageFull(String),
}

impl From<StoreError> for portico_domain::Error {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store error");
        match e {
            StoreError::StorageFull(_) => portico_domain::Error::new(
                portico_domain::ErrorKind::StorageFull,
                "storage_full",
                "The server's storage is full: nothing was saved. Try again once space has been freed.",
            ),
            _ => portico_domain::Error::internal(),
        }
    }
}

/// Signals commits made by other processes to a store, without keeping
/// the store alive.
#[derive(Clone)]
pub struct CommitSignal(std::sync::Weak<tokio::sync::watch::Sender<u64>>);

impl CommitSignal {
    /// Wakes the store's live readers; `false` once the store is gone.
    pub fn signal(&self) -> bool {
        match self.0.upgrade() {
            Some(commits) => {
                commits.send_modify(|n| *n = n.wrapping_add(1));
                true
            }
            None => false,
        }
    }

    /// Whether the store still lives.
    pub fn alive(&self) -> bool {
        self.0.strong_count() > 0
    }
}

/// Whether a transaction may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Read,
    Write,
}

/// What a database backend provides: running a closure inside a transaction.
///
/// The closure answers `Ok(true)` to commit, `Ok(false)` to roll back.
pub trait Backend: Send + Sync + 'static {
    fn run(&self, mode: Mode, f: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>) -> Result<(), StoreError>;

    /// `sqlite` or `postgres`, for logs and health output.
    fn kind(&self) -> &'static str;

    /// How many transactions of `mode` can run at once (the connections
    /// that serve them).
    fn connections(&self, mode: Mode) -> usize;
}

/// A handle on the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    /// Counts committed write transactions, so that live readers (server-sent
    /// events) wake up after every change and look for what concerns them.
    commits: Arc<tokio::sync::watch::Sender<u64>>,
    /// Transactions wait here, as tasks, for a free connection: a blocking
    /// thread is taken only when one is free, so a burst of requests does
    /// not start a thread per request that would wait for a connection.
    read_gate: Arc<tokio::sync::Semaphore>,
    write_gate: Arc<tokio::sync::Semaphore>,
}

impl Store {
    pub fn new(backend: impl Backend) -> Self {
        let gate = |mode| Arc::new(tokio::sync::Semaphore::new(backend.connections(mode).max(1)));
        Self {
            read_gate: gate(Mode::Read),
            write_gate: gate(Mode::Write),
            backend: Arc::new(backend),
            commits: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }

    /// A receiver that changes after every committed write transaction of
    /// this process (and, with a backend that listens for them, of others).
    pub fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }

    /// Signals a change made elsewhere (another process).
    pub fn signal_commit(&self) {
        self.commits.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A handle that signals commits of other processes to this store for
    /// as long as the store lives (for a backend's listener thread).
    pub fn commit_signal(&self) -> CommitSignal {
        CommitSignal(Arc::downgrade(&self.commits))
    }

    pub fn kind(&self) -> &'static str {
        self.backend.kind()
    }

    /// Per pool (`read`, `write`): connections in use by transactions of
    /// this process, and connections in all.
    pub fn connections(&self) -> Vec<(&'static str, usize, usize)> {
        [
            ("read", Mode::Read, &self.read_gate),
            ("write", Mode::Write, &self.write_gate),
        ]
        .into_iter()
        .map(|(name, mode, gate)| {
            let size = self.backend.connections(mode).max(1);
            (name, size.saturating_sub(gate.available_permits()), size)
        })
        .collect()
    }

    /// Runs `f` in a read transaction on a blocking thread.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.run_async(Mode::Read, f).await
    }

    /// Runs `f` in a write transaction on a blocking thread: committed when it
    /// answers `Ok`, rolled back when it answers `Err`.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.run_async(Mode::Write, f).await
    }

    async fn run_async<T, E, F>(&self, mode: Mode, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let gate = match mode {
            Mode::Read => &self.read_gate,
            Mode::Write => &self.write_gate,
        };
        let _permit = gate
            .acquire()
            .await
            .map_err(|_| StoreError::Backend("the store is closed".into()))?;
        let store = self.clone();
        match tokio::task::spawn_blocking(move || store.run_blocking(mode, f)).await {
            Ok(r) => r,
            Err(e) => Err(StoreError::Backend(format!("store task failed: {e}")).into()),
        }
    }

    /// Runs `f` in a transaction on the current thread. For code that is not
    /// async (the command line, start-up); never call it from an async task.
    pub fn run_blocking<T, E, F>(&self, mode: Mode, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut dyn Tx) -> Result<T, E>,
        E: From<StoreError>,
    {
        let mut f = Some(f);
        let mut out: Option<Result<T, E>> = None;
        self.backend.run(mode, &mut |tx| {
            let f = f
                .take()
                .ok_or_else(|| StoreError::Backend("transaction closure ran twice".into()))?;
            let r = f(tx);
            let commit = r.is_ok();
            out = Some(r);
            Ok(commit)
        })?;
        if mode == Mode::Write && out.as_ref().is_some_and(Result::is_ok) {
            self.signal_commit();
        }
        out.unwrap_or_else(|| Err(StoreError::Backend("transaction closure did not run".into()).into()))
    }

    /// Opens a store with code that blocks (connecting, migrating) from an
    /// async context.
    pub async fn open_with<F>(open: F) -> Result<Store, StoreError>
    where
        F: FnOnce() -> Result<Store, StoreError> + Send + 'static,
    {
        tokio::task::spawn_blocking(open)
            .await
            .map_err(|e| StoreError::Backend(format!("open task failed: {e}")))?
    }
}
