//! Comments and one level of replies on workspace updates (R-UPD-4),
//! turned off in multi-partner workspaces (R-MULTI-4).

use portico_domain::Error;
use portico_domain::ids::WorkspaceId;
use portico_domain::policy::{Action, Resource, authorize};
use portico_domain::workspace::WorkspaceRole;
use portico_store::{CommentRecord, Tx, WorkspaceAccess};

use crate::workspaces::{facts_of, notify, workspace_for};
use crate::{App, Principal, Result, now};

pub const MAX_COMMENT: usize = 10_000;

pub(crate) fn check_body(body: &str) -> Result<String> {
    let n = body.trim().chars().count();
    if n == 0 || n > MAX_COMMENT {
        return Err(Error::invalid(
            "invalid_comment",
            format!("A comment holds 1 to {MAX_COMMENT} characters."),
        ));
    }
    Ok(body.trim().to_string())
}

pub(crate) fn comments_off() -> Error {
    Error::conflict(
        "comments_disabled_multi_partner",
        "Comments are turned off in multi-partner workspaces, to keep each partner's collaboration private.",
    )
}

/// Loads the workspace (checking `action`) and the update.
fn open(tx: &mut dyn Tx, who: &Principal, ws: WorkspaceId, update: i64, action: Action) -> Result<WorkspaceAccess> {
    let actor = who.actor();
    let access = workspace_for(tx, &actor, ws, Action::ViewWorkspace)?;
    tx.update_by_id(ws, update)?.ok_or_else(|| Error::not_found("update"))?;
    authorize(&actor, action, Resource::Workspace(&facts_of(&access))).map_err(|d| d.into_error("workspace"))?;
    Ok(access)
}

/// R-MULTI-3: a partner sees no comment by a partner of another team.
fn visible_to(access: &WorkspaceAccess, c: &CommentRecord) -> bool {
    let mine = access
        .partner_team_id
        .filter(|_| access.role.is_some_and(WorkspaceRole::is_partner));
    match (mine, c.partner_team_id) {
        (Some(m), Some(t)) => m == t,
        _ => true,
    }
}

impl App {
    pub async fn list_comments(&self, who: &Principal, ws: WorkspaceId, update: i64) -> Result<Vec<CommentRecord>> {
        let who = who.clone();
        self.store
            .read(move |tx| {
                let access = open(tx, &who, ws, update, Action::ViewWorkspace)?;
                Ok(tx
                    .comments(update)?
                    .into_iter()
                    .filter(|c| visible_to(&access, c))
                    .collect())
            })
            .await
    }

    /// Comments on an update, or replies to a comment (one level).
    pub async fn post_comment(
        &self,
        who: &Principal,
        ws: WorkspaceId,
        update: i64,
        body: &str,
        parent: Option<i64>,
        mentions: Vec<portico_domain::ids::UserId>,
    ) -> Result<CommentRecord> {
        let body = check_body(body)?;
        let who = who.clone();
        let at = now();
        self.store
            .write(move |tx| {
                let access = open(tx, &who, ws, update, Action::CommentOnUpdate)?;
                if access.workspace.multi_partner {
                    return Err(comments_off());
                }
                let parent = match parent {
                    Some(p) => {
                        let c = tx
                            .comment(update, p)?
                            .filter(|c| visible_to(&access, c))
                            .ok_or_else(|| Error::not_found("comment"))?;
                        if c.parent_id.is_some() {
                            return Err(Error::invalid(
                                "replies_are_one_level",
                                "Reply to the comment itself, not to a reply.",
                            ));
                        }
                        Some(c)
                    }
                    None => None,
                };
                let partner_team_id = access
                    .partner_team_id
                    .filter(|_| access.role.is_some_and(WorkspaceRole::is_partner));
                let mut c = CommentRecord {
                    id: 0,
                    update_id: update,
                    parent_id: parent.as_ref().map(|p| p.id),
                    author_id: who.id(),
                    author_name: who.user.name.clone(),
                    partner_team_id,
                    body,
                    created_at: at,
                    updated_at: at,
                };
                c.id = tx.insert_comment(&c)?;
                let data = serde_json::json!({ "workspaceId": ws.to_string(), "updateId": update, "commentId": c.id });
                let u = tx.update_by_id(ws, update)?.ok_or_else(|| Error::not_found("update"))?;
                if u.author_id != who.id() {
                    notify(
                        tx,
                        u.author_id,
                        "comment_on_your_update",
                        &format!("{} commented on {}", who.user.name, u.topic),
                        data.clone(),
                        at,
                    )?;
                }
                if let Some(p) = parent.filter(|p| p.author_id != who.id() && p.author_id != u.author_id) {
                    notify(
                        tx,
                        p.author_id,
                        "reply_to_you",
                        &format!("{} replied to your comment on {}", who.user.name, u.topic),
                        data.clone(),
                        at,
                    )?;
                }
                crate::notifications::notify_mentions(tx, ws, &who, &mentions, &u.topic, &data, at)?;
                let event = serde_json::json!({
                    "updateId": update,
                    "commentId": c.id,
                    "body": c.body,
                    "author": who.id().to_string(),
                });
                crate::integrations::emit(tx, &access, "comment_posted", event, at)?;
                Ok(c)
            })
            .await
    }

    /// Edits one's own comment.
    pub async fn edit_comment(
        &self,
        who: &Principal,
        ws: WorkspaceId,
        update: i64,
        id: i64,
        body: &str,
    ) -> Result<CommentRecord> {
        let body = check_body(body)?;
        let who = who.clone();
        let at = now();
        self.store
            .write(move |tx| {
                let access = open(tx, &who, ws, update, Action::CommentOnUpdate)?;
                let mut c = tx
                    .comment(update, id)?
                    .filter(|c| visible_to(&access, c))
                    .ok_or_else(|| Error::not_found("comment"))?;
                if access.workspace.multi_partner {
                    return Err(comments_off());
                }
                if c.author_id != who.id() {
                    return Err(Error::forbidden(
                        "not_your_comment",
                        "You can only edit your own comments.",
                    ));
                }
                tx.save_comment_body(id, &body, at)?;
                c.body = body;
                c.updated_at = at;
                Ok(c)
            })
            .await
    }

    /// Deletes one's own comment; workspace admins delete anyone's. Replies go with it.
    pub async fn delete_comment(&self, who: &Principal, ws: WorkspaceId, update: i64, id: i64) -> Result<()> {
        let who = who.clone();
        self.store
            .write(move |tx| {
                let access = open(tx, &who, ws, update, Action::ViewWorkspace)?;
                let c = tx
                    .comment(update, id)?
                    .filter(|c| visible_to(&access, c))
                    .ok_or_else(|| Error::not_found("comment"))?;
                let manages = authorize(
                    &who.actor(),
                    Action::ModerateComments,
                    Resource::Workspace(&facts_of(&access)),
                )
                .is_ok();
                if c.author_id != who.id() && !manages {
                    return Err(Error::forbidden(
                        "not_your_comment",
                        "Only workspace admins delete other people's comments.",
                    ));
                }
                tx.delete_comment(id)?;
                Ok(())
            })
            .await
    }
}
