//! Notifications (R-UPD-5): a list per user, unread first, marked read one by
//! one or all at once; email for the kinds a user opted into; live delivery.

use portico_domain::Error;
use portico_domain::ids::{UserId, WorkspaceId};
use portico_domain::policy::{Action, Actor, Resource, authorize};
use portico_store::{NotificationRecord, Tx};

use crate::workspaces::{facts_of, notify};

use crate::{App, Principal, Result, now};

/// Every kind of notification Portico sends.
pub const KINDS: [&str; 11] = [
    "update_posted",
    "comment_on_your_update",
    "reply_to_you",
    "partner_added",
    "partner_joined",
    "partner_removed",
    "partner_role_downgraded",
    "partner_workspace_requested",
    "partner_workspace_decision",
    "workspace_converted",
    "mention",
];

impl App {
    /// The caller's notifications, unread first, and how many are unread.
    pub async fn notifications(&self, who: &Principal, limit: Option<u32>) -> Result<(Vec<NotificationRecord>, i64)> {
        let uid = who.id();
        let limit = crate::pagination::page_size(limit);
        self.store
            .read(move |tx| Ok((tx.notifications(uid, limit)?, tx.unread_notification_count(uid)?)))
            .await
    }

    /// Notifications newer than `after_id`, oldest first (live events).
    pub async fn notifications_after(&self, who: &Principal, after_id: i64) -> Result<Vec<NotificationRecord>> {
        let uid = who.id();
        self.store
            .read(move |tx| Ok(tx.notifications_after(uid, after_id, 100)?))
            .await
    }

    /// Marks one notification read, or all of them (`None`).
    pub async fn mark_notifications_read(&self, who: &Principal, id: Option<i64>) -> Result<()> {
        let uid = who.id();
        let at = now();
        self.store
            .write(move |tx| {
                let changed = tx.mark_notifications_read(uid, id, at)?;
                if id.is_some() && changed == 0 && !tx.notifications(uid, 1_000)?.iter().any(|n| Some(n.id) == id) {
                    return Err(Error::not_found("notification"));
                }
                Ok(())
            })
            .await
    }

    /// The kinds the caller also gets by email.
    pub async fn email_kinds(&self, who: &Principal) -> Result<Vec<String>> {
        let uid = who.id();
        self.store.read(move |tx| Ok(tx.email_kinds(uid)?)).await
    }

    pub async fn set_email_kinds(&self, who: &Principal, kinds: Vec<String>) -> Result<Vec<String>> {
        if let Some(k) = kinds.iter().find(|k| !KINDS.contains(&k.as_str())) {
            return Err(Error::invalid(
                "unknown_notification_kind",
                format!("Unknown notification kind '{k}'. Known kinds: {}.", KINDS.join(", ")),
            ));
        }
        let mut kinds = kinds;
        kinds.sort();
        kinds.dedup();
        let uid = who.id();
        self.store
            .write(move |tx| {
                tx.set_email_kinds(uid, &kinds)?;
                Ok(kinds)
            })
            .await
    }
}

/// Notifies the people tagged who can see the workspace (others are
/// skipped: a mention never reveals anything).
pub(crate) fn notify_mentions(
    tx: &mut dyn Tx,
    workspace: WorkspaceId,
    author: &Principal,
    mentions: &[UserId],
    what: &str,
    data: &serde_json::Value,
    at: portico_store::Millis,
) -> Result<()> {
    let mut seen = Vec::new();
    for user in mentions {
        if *user == author.id() || seen.contains(user) {
            continue;
        }
        seen.push(*user);
        let target = Actor {
            user_id: *user,
            is_server_admin: false,
        };
        let sees = tx
            .workspace_access(workspace, *user)?
            .is_some_and(|a| authorize(&target, Action::ViewWorkspace, Resource::Workspace(&facts_of(&a))).is_ok());
        if sees {
            let message = format!("{} mentioned you on {what}", author.user.name);
            notify(tx, *user, "mention", &message, data.clone(), at)?;
        }
    }
    Ok(())
}
