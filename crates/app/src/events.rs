//! Live events (R-UPD-5): an event bus carrying "user U has new
//! notifications up to N", published after commit.
//!
//! Notifications are written by the use cases, in their transaction, only
//! for the people the policy lets see them; the bus only tells each
//! listener that there is something new for its user. One dispatcher task
//! looks at the notifications table once per commit and publishes; each
//! event stream then reads its own user's new notifications. The in-process
//! bus is a broadcast channel; a multi-process deployment puts another
//! [`EventBus`] behind the same trait.

use std::sync::Arc;

use portico_domain::Error;
use portico_domain::ids::UserId;
use portico_store::Store;
use tokio::sync::broadcast;

/// Something new for one user: notifications up to `notification_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserEvent {
    pub user: UserId,
    pub notification_id: i64,
}

/// Where events are published and heard.
pub trait EventBus: Send + Sync {
    fn publish(&self, events: &[UserEvent]);
    fn subscribe(&self) -> broadcast::Receiver<UserEvent>;
}

/// The bus of one process.
pub struct InProcessBus {
    tx: broadcast::Sender<UserEvent>,
}

impl InProcessBus {
    /// `capacity` events may wait for the slowest listener; one that falls
    /// further behind is told it lagged and reads everything new.
    pub fn new(capacity: usize) -> Self {
        Self {
            tx: broadcast::channel(capacity).0,
        }
    }
}

impl EventBus for InProcessBus {
    fn publish(&self, events: &[UserEvent]) {
        for e in events {
            // No listener is not an error.
            let _ = self.tx.send(*e);
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<UserEvent> {
        self.tx.subscribe()
    }
}

/// Publishes, after every commit, who has new notifications. Runs until
/// the store goes away.
pub fn spawn_dispatcher(store: Store, bus: Arc<dyn EventBus>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut commits = store.commits();
        let mut last = match store.read(|tx| tx.last_notification_id().map_err(Error::from)).await {
            Ok(id) => id,
            Err(e) => {
                tracing::error!(error = %e, "the event dispatcher cannot start");
                return;
            }
        };
        loop {
            if commits.changed().await.is_err() {
                return;
            }
            let after = last;
            match store
                .read(move |tx| tx.notification_heads_after(after).map_err(Error::from))
                .await
            {
                Ok(heads) => {
                    let events: Vec<UserEvent> = heads
                        .into_iter()
                        .map(|(user, notification_id)| UserEvent { user, notification_id })
                        .collect();
                    last = events.iter().map(|e| e.notification_id).max().unwrap_or(last).max(last);
                    bus.publish(&events);
                }
                Err(e) => tracing::warn!(error = %e, "event dispatch failed; will retry on the next commit"),
            }
        }
    })
}
