//! Live events (R-UPD-5): an event bus carrying "user U has new
//! notifications up to N", published after commit.
//!
//! Notifications are written by the use cases, in their transaction, only
//! for the people the policy lets see them; the bus only tells each
//! listener that there is something new for its user. One dispatcher task
//! looks at the notifications table once per commit and publishes; each
//! event stream then reads its own user's new notifications. The in-process
//! bus keeps one watch channel per connected user, so that an event wakes
//! only the streams of its user (one update to 5,000 readers is 5,000
//! wake-ups, not 5,000 × 5,000); a multi-process deployment puts another
//! [`EventBus`] behind the same trait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use portico_domain::Error;
use portico_domain::ids::UserId;
use portico_store::Store;
use tokio::sync::watch;

/// Something new for one user: notifications up to `notification_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserEvent {
    pub user: UserId,
    pub notification_id: i64,
}

/// Where events are published and heard.
pub trait EventBus: Send + Sync {
    fn publish(&self, events: &[UserEvent]);
    /// The newest notification id published for `user`, changing as new
    /// ones are published (0 until then).
    fn subscribe(&self, user: UserId) -> watch::Receiver<i64>;
}

/// The bus of one process.
#[derive(Default)]
pub struct InProcessBus {
    users: Mutex<HashMap<UserId, watch::Sender<i64>>>,
}

impl InProcessBus {
    pub fn new() -> Self {
        Self::default()
    }
}

impl EventBus for InProcessBus {
    fn publish(&self, events: &[UserEvent]) {
        let mut users = self.users.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for e in events {
            let Some(tx) = users.get(&e.user) else { continue };
            if tx.receiver_count() == 0 {
                // Every stream of this user has closed.
                users.remove(&e.user);
                continue;
            }
            tx.send_if_modified(|newest| {
                let newer = e.notification_id > *newest;
                if newer {
                    *newest = e.notification_id;
                }
                newer
            });
        }
    }

    fn subscribe(&self, user: UserId) -> watch::Receiver<i64> {
        let mut users = self.users.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if users.len() > 1024 {
            // Forget users whose streams have all closed.
            users.retain(|_, tx| tx.receiver_count() > 0);
        }
        users.entry(user).or_insert_with(|| watch::channel(0).0).subscribe()
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
