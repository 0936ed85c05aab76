//! A small blocking connection pool, shared by both backends.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use portico_store::StoreError;

type Connect<C> = Box<dyn Fn() -> Result<C, StoreError> + Send + Sync>;

struct State<C> {
    idle: Vec<C>,
    open: usize,
}

/// Hands out up to `max` connections, opening them on demand.
pub struct Pool<C> {
    state: Mutex<State<C>>,
    freed: Condvar,
    connect: Connect<C>,
    max: usize,
    wait: Duration,
}

impl<C> Pool<C> {
    pub fn new(max: usize, connect: impl Fn() -> Result<C, StoreError> + Send + Sync + 'static) -> Self {
        Self {
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
            connect: Box::new(connect),
            max: max.max(1),
            wait: Duration::from_secs(30),
        }
    }

    /// The most connections this pool opens.
    pub fn size(&self) -> usize {
        self.max
    }

    fn lock(&self) -> MutexGuard<'_, State<C>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a connection, waiting while all are in use.
    pub fn get(&self) -> Result<PooledConn<'_, C>, StoreError> {
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(PooledConn {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match (self.connect)() {
                    Ok(conn) => Ok(PooledConn {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let (s, timeout) = self
                .freed
                .wait_timeout(state, self.wait)
                .unwrap_or_else(|p| p.into_inner());
            state = s;
            if timeout.timed_out() && state.idle.is_empty() && state.open >= self.max {
                return Err(StoreError::Backend(
                    "timed out waiting for a database connection".into(),
                ));
            }
        }
    }

    /// Number of connections currently open (idle or in use).
    pub fn open_connections(&self) -> usize {
        self.lock().open
    }
}

/// A connection on loan; it goes back to the pool when dropped, unless
/// [`PooledConn::discard`] was called because it is broken.
pub struct PooledConn<'a, C> {
    pool: &'a Pool<C>,
    conn: Option<C>,
}

impl<C> PooledConn<'_, C> {
    /// Closes this connection instead of returning it to the pool.
    pub fn discard(mut self) {
        self.conn = None;
    }
}

impl<C> Deref for PooledConn<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        // The connection is only taken out by `discard`, which consumes self.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl<C> DerefMut for PooledConn<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl<C> Drop for PooledConn<'_, C> {
    fn drop(&mut self) {
        let mut state = self.pool.lock();
        match self.conn.take() {
            Some(conn) => state.idle.push(conn),
            None => state.open -= 1,
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}
